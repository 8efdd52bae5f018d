"""EntityExtractor through Spark: CoNLL-2003 F1 of the converted NeuroNER model, exact agreement with the tagger
called directly, bad input (nulls, empties, long documents, emoji, unknown tokens), wrong model files."""

from __future__ import annotations

import time

import pytest
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from mmlspark_py.text.entity_extractor import EntityExtractor
from mmlspark_py.text.entity_spans import entity_f1, tags_to_spans
from mmlspark_py.text.sequence_tagger import SequenceTagger, TaggerFormatError
from tests.text.entities.tagger_fixtures import tiny_tagger_bytes

TOKENS_SCHEMA = StructType(
    [StructField("id", StringType(), False), StructField("tokens", ArrayType(StringType(), True), True)]
)


@pytest.fixture(scope="module")
def extractor(conll_model_path):
    return EntityExtractor(inputCol="tokens").setModelLocation(conll_model_path)


def test_conll2003_test_set_f1_through_spark(spark, extractor, conll_test):
    """The pretrained NeuroNER model reaches entity F1 >= 0.90 on CoNLL-2003 English test (authors: 0.905)."""
    rows = [(str(i), [w for w, _ in sent]) for i, sent in enumerate(conll_test)]
    df = spark.createDataFrame(rows, TOKENS_SCHEMA).repartition(2)
    start = time.time()
    out = {r["id"]: r["tags"] for r in extractor.transform(df).select("id", "tags").collect()}
    elapsed = time.time() - start
    gold = [[t for _, t in sent] for sent in conll_test]
    scores = entity_f1(gold, [out[str(i)] for i in range(len(conll_test))])
    print(
        f"\nCoNLL-2003 test through Spark: {len(conll_test)} sentences in {elapsed:.1f}s, "
        f"precision={scores['precision']:.4f} recall={scores['recall']:.4f} F1={scores['f1']:.4f}"
    )
    assert len(conll_test) == 3453
    assert scores["f1"] >= 0.90


def test_spark_output_equals_tagger_called_directly(spark, extractor, conll_model_path, conll_test):
    sentences = [[w for w, _ in s] for s in conll_test[:200]]
    df = spark.createDataFrame([(str(i), s) for i, s in enumerate(sentences)], TOKENS_SCHEMA)
    rows = {r["id"]: r for r in extractor.transform(df).collect()}
    direct = SequenceTagger.from_bytes(open(conll_model_path, "rb").read()).tag(sentences, batch_size=7)
    for i, sent in enumerate(sentences):
        row = rows[str(i)]
        assert row["tags"] == direct[i]
        assert [tuple(e) for e in row["entities"]] == [tuple(s) for s in tags_to_spans(sent, direct[i])]


def test_schema_and_entity_structs(spark, extractor):
    df = spark.createDataFrame(
        [("a", ["Peter", "Blackburn", "met", "Angela", "Merkel", "in", "Berlin", "."])], TOKENS_SCHEMA
    )
    out = extractor.transform(df)
    assert out.schema == extractor.transformSchema(df.schema)
    ents = [e.asDict() for e in out.first()["entities"]]
    assert ents == [
        {"text": "Peter Blackburn", "label": "PER", "start": 0, "end": 2},
        {"text": "Angela Merkel", "label": "PER", "start": 3, "end": 5},
        {"text": "Berlin", "label": "LOC", "start": 6, "end": 7},
    ]


def test_bad_input_rows(spark, extractor, conll_model_path):
    long_doc = ["Germany", "beat", "France", "in", "Paris", "."] * 700  # 4,200 tokens
    odd = [
        "Zoë",
        "🙂",
        "Mü\u0308ller",
        "x" * 500,
        None,
        "",
        "\udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        "Zürich",
    ]
    df = spark.createDataFrame([("null", None), ("empty", []), ("long", long_doc), ("odd", odd)], TOKENS_SCHEMA)
    rows = {r["id"]: r for r in extractor.transform(df).collect()}
    assert rows["null"]["tags"] is None and rows["null"]["entities"] is None
    assert rows["empty"]["tags"] == [] and rows["empty"]["entities"] == []
    assert len(rows["long"]["tags"]) == len(long_doc)
    assert {e["text"] for e in rows["long"]["entities"]} >= {"Germany", "France", "Paris"}
    tagger = SequenceTagger.from_bytes(open(conll_model_path, "rb").read())
    assert rows["odd"]["tags"] == tagger.tag([odd])[0] and len(rows["odd"]["tags"]) == len(odd)
    # unknown tokens/characters go to the model's UNK: emoji and an unseen word encode like "UNK"
    feeds = tagger.encode([["🙂", "qqqzzzunseen"]])
    assert feeds["token_ids"][0].tolist() == [tagger.metadata.unkTokenIndex] * 2
    assert feeds["char_ids"][0, 0, 0] == tagger.metadata.unkCharIndex
    # tokens longer than maxTokenChars are cut for the character model
    assert tagger.encode([["x" * 500]])["char_ids"].shape[2] == tagger.metadata.maxTokenChars


def test_wrong_model_files_fail_clearly(tmp_path, spark):
    not_model = tmp_path / "junk.onnx"
    not_model.write_bytes(b"\x00\x01 definitely not a model")
    with pytest.raises(TaggerFormatError, match="junk.onnx.*not an ONNX model"):
        EntityExtractor(inputCol="tokens").setModelLocation(str(not_model))
    # a valid ONNX model that is not a tagger
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    other = tmp_path / "other.onnx"
    other.write_bytes(helper.make_model(graph).SerializeToString())
    with pytest.raises(TaggerFormatError, match="not a sequence tagger"):
        EntityExtractor(inputCol="tokens").setModelLocation(str(other))
    with pytest.raises(TaggerFormatError, match="Keras archive has no"):
        import io
        import zipfile

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("config.json", "{}")
        EntityExtractor(inputCol="tokens", model=buf.getvalue()).transformSchema(TOKENS_SCHEMA)
    with pytest.raises(TaggerFormatError, match="not a valid zip"):
        EntityExtractor(inputCol="tokens", model=b"PK\x03\x04 truncated").transformSchema(TOKENS_SCHEMA)
    with pytest.raises(TaggerFormatError, match="'model' is not set"):
        EntityExtractor(inputCol="tokens").transformSchema(TOKENS_SCHEMA)


def test_wrong_input_column_type(spark):
    ner = EntityExtractor(inputCol="id", model=tiny_tagger_bytes())
    with pytest.raises(ValueError, match="'id' has type string, expected array<string>"):
        ner.transformSchema(TOKENS_SCHEMA)
    with pytest.raises(ValueError, match="tagsCol and outputCol"):
        EntityExtractor(inputCol="tokens", model=tiny_tagger_bytes(), tagsCol="x", outputCol="x").transformSchema(
            TOKENS_SCHEMA
        )


def test_metadata_mismatching_network_fails(tmp_path):
    """A tagger whose metadata lists fewer labels than the network scores is refused when run."""
    import onnx

    from mmlspark_py.text.sequence_tagger import METADATA_KEY, TaggerMetadata

    model = onnx.load_model_from_string(tiny_tagger_bytes())
    prop = next(p for p in model.metadata_props if p.key == METADATA_KEY)
    meta = TaggerMetadata.from_json(prop.value)
    prop.value = TaggerMetadata(**{**meta.__dict__, "labels": meta.labels[:3], "crf": None}).to_json()
    tagger = SequenceTagger.from_bytes(model.SerializeToString())
    with pytest.raises(TaggerFormatError, match=r"expected \[batch, time, 3\]"):
        tagger.tag([["John"]])
