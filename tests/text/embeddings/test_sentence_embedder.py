"""SentenceEmbedder on the real all-MiniLM-L6-v2: equals onnxruntime + tokenizers called directly; semantics."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from pyspark.sql import functions as F
from tokenizers import Tokenizer

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.text.sentence_embedder import SentenceEmbedder, SentenceEmbedderError
from tests.text.embeddings.encoders import file_bytes, minilm_paths, tiny_encoder

MODEL, TOKENIZER = minilm_paths()
TEXTS = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A man is riding a white horse on an enclosed ground.",
    None,
    "",
    "Cafe\u0301 \U0001f600\U0001f1eb\U0001f1f7 日本語のテキスト",
    "pneumonoultramicroscopic" * 40,
    " ".join(["word"] * 2000),
    "A monkey is playing drums.",
]


def direct(texts, batch, max_length):
    """The reference: tokenizers + onnxruntime in this process, mean pooling, L2; chunks of ``batch`` rows
    (nulls included, then dropped), as the stage cuts them (the int8 model's dynamic quantisation makes a
    vector depend slightly on its batch mates' padding)."""
    tokenizer = Tokenizer.from_file(TOKENIZER)
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    session = ort.InferenceSession(MODEL, providers=["CPUExecutionProvider"])
    out = []
    for start in range(0, len(texts), batch):
        chunk = [t for t in texts[start : start + batch] if t is not None]
        vectors = iter([])
        if chunk:
            enc = tokenizer.encode_batch(chunk)
            ids = np.array([e.ids for e in enc], np.int64)
            mask = np.array([e.attention_mask for e in enc], np.int64)
            hidden = session.run(
                ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            vectors = iter(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        out += [None if t is None else next(vectors) for t in texts[start : start + batch]]
    return out


@pytest.fixture(scope="module")
def embedder():
    return (
        SentenceEmbedder(inputCol="text", outputCol="v", deviceType="CPU", miniBatchSize=4, maxSequenceLength=128)
        .setModelLocation(MODEL)
        .setTokenizerLocation(TOKENIZER)
    )


def _embed(stage, spark, texts):
    df = spark.createDataFrame(list(enumerate(texts)), "id long, text string").coalesce(1)
    return [None if r.v is None else r.v.toArray() for r in stage.transform(df).orderBy("id").collect()]


def test_equals_direct_onnxruntime(spark, embedder):
    got = _embed(embedder, spark, TEXTS)
    expected = direct(TEXTS, 4, 128)
    assert [g is None for g in got] == [t is None for t in TEXTS]
    for g, e in zip(got, expected):
        if e is not None:
            assert g.shape == (384,)
            np.testing.assert_allclose(g, e, atol=1e-6)
            assert abs(np.linalg.norm(g) - 1) < 1e-6


def test_similar_sentences_score_higher(spark, embedder):
    v = dict(zip(TEXTS, _embed(embedder, spark, TEXTS)))
    cos = lambda a, b: float(v[a] @ v[b])  # noqa: E731
    assert cos(TEXTS[0], TEXTS[1]) > 0.6 > cos(TEXTS[0], TEXTS[2])
    assert cos(TEXTS[3], TEXTS[4]) > max(cos(TEXTS[3], TEXTS[2]), cos(TEXTS[3], TEXTS[10]))
    assert cos(TEXTS[0], TEXTS[1]) > cos(TEXTS[1], TEXTS[10])


def test_ten_megabyte_document_is_truncated(spark):
    stage = SentenceEmbedder(
        inputCol="text",
        outputCol="v",
        deviceType="CPU",
        maxSequenceLength=16,
        modelPayload=file_bytes(MODEL),
        tokenizerPayload=file_bytes(TOKENIZER),
    )
    df = spark.range(1).select(F.expr("repeat('the cat sat on the mat ', 450000)").alias("text"))
    got = stage.transform(df).head().v.toArray()
    np.testing.assert_allclose(got, direct(["the cat sat on the mat " * 3], 1, 16)[0], atol=1e-6)


def test_invalid_utf8_reads_as_replacement_character(spark, embedder):
    df = spark.range(1).select(F.expr("cast(X'636166FF20626172' as string)").alias("text"))
    got = embedder.transform(df).head().v.toArray()
    np.testing.assert_allclose(got, direct(["caf\ufffd bar"], 1, 128)[0], atol=1e-6)


def test_tokenizer_that_does_not_match_the_model(spark):
    df = spark.createDataFrame([("hello",)], "text string")
    stage = SentenceEmbedder(
        inputCol="text",
        modelPayload=tiny_encoder(vocab_rows=1000),
        tokenizerPayload=file_bytes(TOKENIZER),
        maxSequenceLength=32,
    )
    with pytest.raises(
        SentenceEmbedderError, match="tokenizer has 30522 tokens but the model's embedding table has 1000 rows"
    ):
        stage.transform(df)


def test_bad_payloads_and_params(spark, tmp_path):
    df = spark.createDataFrame([("hello",)], "text string")
    with pytest.raises(SchemaError, match="modelPayload is not set"):
        SentenceEmbedder(inputCol="text").transform(df)
    with pytest.raises(SentenceEmbedderError, match="maxSequenceLength 1000 exceeds the model's 512"):
        SentenceEmbedder(
            inputCol="text",
            maxSequenceLength=1000,
            modelPayload=file_bytes(MODEL),
            tokenizerPayload=file_bytes(TOKENIZER),
        ).transform(df)
    bad = tmp_path / "tokenizer.json"
    bad.write_text("{not json")
    with pytest.raises(SentenceEmbedderError, match="not a Hugging Face tokenizers JSON"):
        SentenceEmbedder().setTokenizerLocation(str(bad))
    with pytest.raises(SentenceEmbedderError, match="not an ONNX model"):
        SentenceEmbedder(inputCol="text", modelPayload=b"garbage", tokenizerPayload=file_bytes(TOKENIZER)).transform(df)
    with pytest.raises(FileNotFoundError, match="tokenizerLocation"):
        SentenceEmbedder().setTokenizerLocation(str(tmp_path / "missing.json"))


def test_long_text_shortcut_keeps_the_leading_tokens(spark):
    long_text = "Ünïcödé  words,\tpunctuation! 数字 123 \U0001f600 " * 400
    spaces_then_words = " " * 20_000 + "the end of a mostly empty document"
    texts = [long_text, spaces_then_words]
    stage = SentenceEmbedder(
        inputCol="text",
        outputCol="v",
        deviceType="CPU",
        maxSequenceLength=64,
        miniBatchSize=1,
        modelPayload=file_bytes(MODEL),
        tokenizerPayload=file_bytes(TOKENIZER),
    )
    for got, expected in zip(_embed(stage, spark, texts), direct(texts, 1, 64)):
        np.testing.assert_allclose(got, expected, atol=1e-6)
