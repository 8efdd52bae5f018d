"""Each accelerated stage's JVM-companion path against its Python path and the first wave's baselines (local[2]).

For every stage the same input is transformed three ways in one run: the companion's path (``jvm``), the same
stage with the companion switched off (``python``, what the first wave measured), and, where the first wave
had one, its baseline: a row-at-a-time Python UDF computing the same result (``benchmarks/text_stages.py``).
Outputs are checked equal first. Each timed run writes the full output to Spark's ``noop`` sink; one warm-up
each, then ``--repeats`` alternating runs, best time kept. Then a whole pipeline: Spark's own image source
(decoded in the JVM) -> UnrollImage -> Spark's LogisticRegression, fitted and applied, once with the companion
(no Python worker anywhere) and once with UnrollImage's Python path.

    python benchmarks/jvm_paths.py [--quick] [--repeats 3]

Prints ``<stage>[jvm vs python]: ratio=...`` and ``<stage>[jvm vs baseline]: ratio=...`` lines (goal: >= 3 vs
the Python path; PageSplitter and TextPreprocessor >= 3 vs their baselines).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import unicodedata
from typing import Callable, Dict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import cv2
import numpy as np
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.linalg import Vectors, VectorUDT
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DoubleType, StringType, StructField, StructType
from text_featurizer import corpus, english_words, session

from mmlspark_py.core import jvm_companion
from mmlspark_py.featurize.text import PageSplitter, TextPreprocessor, UnicodeNormalize
from mmlspark_py.featurize.text.page_splitter import split_pages
from mmlspark_py.image import UnrollImage
from mmlspark_py.train import ComputePerInstanceStatistics


def _noop(df: DataFrame) -> Callable[[], None]:
    return lambda: df.write.format("noop").mode("overwrite").save()


def _on_python_path(spark, build: Callable[[], DataFrame]) -> DataFrame:
    spark.conf.set(jvm_companion.ENABLED_CONF, "false")
    try:
        return build()
    finally:
        spark.conf.unset(jvm_companion.ENABLED_CONF)


def _same(*dfs: DataFrame, key: str = "id") -> None:
    first = dfs[0].orderBy(key).limit(1000).collect()
    for other in dfs[1:]:
        assert other.orderBy(key).limit(1000).collect() == first, "the paths disagree"


def race(name: str, runs: Dict[str, Callable[[], None]], rows: int, repeats: int, unit: str) -> None:
    """Warm each up, alternate ``repeats`` runs, print jvm's throughput ratio to each other run."""
    for run in runs.values():
        run()
    times: Dict[str, list] = {k: [] for k in runs}
    for _ in range(repeats):
        for k, run in runs.items():
            start = time.perf_counter()
            run()
            times[k].append(time.perf_counter() - start)
    rate = {k: rows / min(t) for k, t in times.items()}
    for other in [k for k in runs if k != "jvm"]:
        print(
            f"{name}[jvm vs {other}]: ratio={rate['jvm'] / rate[other]:.2f} (ours {rate['jvm']:,.0f} {unit}/s, "
            f"{other} {rate[other]:,.0f} {unit}/s; runs jvm {[round(t, 2) for t in times['jvm']]} s, {other} "
            f"{[round(t, 2) for t in times[other]]} s)",
            flush=True,
        )


def bench_page_splitter(spark, docs: int, repeats: int) -> None:
    texts = corpus(spark, docs, min_words=20, max_words=1500)
    max_len, min_len, boundary = 2000, 1500, r"\s"
    stage = PageSplitter(
        inputCol="text", outputCol="pages", maximumPageLength=max_len, minimumPageLength=min_len, boundaryRegex=boundary
    )
    udf = F.udf(
        lambda t: None if t is None else split_pages(t, max_len, min_len, re.compile(boundary)), ArrayType(StringType())
    )
    jvm, python = stage.transform(texts), _on_python_path(spark, lambda: stage.transform(texts))
    baseline = texts.withColumn("pages", udf("text"))
    _same(jvm, python, baseline)
    race(
        "page_splitter",
        {"jvm": _noop(jvm), "python": _noop(python), "baseline": _noop(baseline)},
        docs,
        repeats,
        "docs",
    )


def bench_text_preprocessor(spark, docs: int, repeats: int) -> None:
    texts = corpus(spark, docs)
    words = english_words()
    mapping = {w: w.upper() for w in words[30:180]}
    mapping.update({f"{a} {b}": f"<{a}_{b}>" for a, b in zip(words[30:80], words[31:81])})
    pattern = re.compile("|".join(sorted(map(re.escape, mapping), key=len, reverse=True)))
    udf = F.udf(lambda t: None if t is None else pattern.sub(lambda m: mapping[m.group()], t), StringType())
    stage = TextPreprocessor(inputCol="text", outputCol="clean", map=mapping)
    jvm, python = stage.transform(texts), _on_python_path(spark, lambda: stage.transform(texts))
    baseline = texts.withColumn("clean", udf("text"))
    _same(jvm, python, baseline)
    race(
        "text_preprocessor",
        {"jvm": _noop(jvm), "python": _noop(python), "baseline": _noop(baseline)},
        docs,
        repeats,
        "docs",
    )


def bench_unicode_normalize(spark, docs: int, repeats: int) -> None:
    texts = corpus(spark, docs).withColumn("text", F.concat("text", F.lit(" Cafe\u0301 \ufb01sh \u2460")))
    stage = UnicodeNormalize(inputCol="text", outputCol="norm", form="NFKD", lower=True)
    udf = F.udf(lambda t: None if t is None else unicodedata.normalize("NFKD", t), StringType())
    jvm, python = stage.transform(texts), _on_python_path(spark, lambda: stage.transform(texts))
    baseline = texts.withColumn("norm", udf(F.lower("text")))
    _same(jvm, python, baseline)
    race(
        "unicode_normalize",
        {"jvm": _noop(jvm), "python": _noop(python), "baseline": _noop(baseline)},
        docs,
        repeats,
        "docs",
    )


def _image_folder(n: int, size: int) -> str:
    """``n`` PNGs of two classes (brighter top half for class 1) in a temporary folder."""
    folder = tempfile.mkdtemp(prefix="mmlspark-jvm-bench-")
    rng = np.random.default_rng(0)
    for i in range(n):
        label = i % 2
        image = rng.integers(0, 200, size=(size, size, 3), dtype=np.uint8)
        image[: size // 2] += np.uint8(50 * label)
        cv2.imwrite(os.path.join(folder, f"img{i:05d}_class{label}.png"), image)
    return folder


def bench_unroll_and_pipeline(spark, images: int, repeats: int) -> None:
    folder = _image_folder(images, 32)
    raw = spark.read.format("image").load(folder)
    df = (
        raw.withColumn("label", F.when(F.col("image.origin").contains("class1"), 1.0).otherwise(0.0))
        .withColumn("id", F.col("image.origin"))
        .cache()
    )
    df.count()
    stage = UnrollImage(inputCol="image", outputCol="features")
    jvm, python = stage.transform(df), _on_python_path(spark, lambda: stage.transform(df))
    _same(jvm.select("id", "features"), python.select("id", "features"))
    race("unroll_image", {"jvm": _noop(jvm), "python": _noop(python)}, images, repeats, "img")

    def pipeline(on_python: bool) -> Callable[[], None]:
        def run():
            # read (JVM decode) -> UnrollImage -> LogisticRegression fit and predict, from the files each time
            source = (
                spark.read.format("image")
                .load(folder)
                .withColumn("label", F.when(F.col("image.origin").contains("class1"), 1.0).otherwise(0.0))
            )
            build = lambda: stage.transform(source)  # noqa: E731
            features = _on_python_path(spark, build) if on_python else build()
            model = LogisticRegression(maxIter=10, regParam=0.01).fit(features)
            model.transform(features).write.format("noop").mode("overwrite").save()

        return run

    race("read_unroll_logistic_pipeline", {"jvm": pipeline(False), "python": pipeline(True)}, images, repeats, "img")


def bench_log_loss(spark, rows: int, repeats: int) -> None:
    rng = np.random.default_rng(1)
    probs = rng.dirichlet(np.ones(10), size=2000)
    local = [(float(rng.integers(0, 10)), 0.0, Vectors.dense(probs[i])) for i in range(2000)]
    schema = StructType(
        [
            StructField("label", DoubleType()),
            StructField("prediction", DoubleType()),
            StructField("probability", VectorUDT()),
        ]
    )
    base = spark.createDataFrame(local, schema)
    df = spark.range(rows // 2000).crossJoin(base).drop("id").withColumn("id", F.monotonically_increasing_id()).cache()
    df.count()
    stage = ComputePerInstanceStatistics(
        labelCol="label",
        scoresCol="probability",
        scoredLabelsCol="prediction",
        scoredProbabilitiesCol="probability",
        evaluationMetric="classification",
    )
    jvm, python = stage.transform(df), _on_python_path(spark, lambda: stage.transform(df))
    _same(jvm, python)
    race("log_loss", {"jvm": _noop(jvm), "python": _noop(python)}, rows, repeats, "rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=30_000)
    parser.add_argument("--images", type=int, default=4_000)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small inputs, one repeat (smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.docs, args.images, args.rows, args.repeats = 3_000, 500, 200_000, 1
    spark = session()
    assert jvm_companion.companion(spark) is not None, "the benchmark session has no companion jar"
    print(f"load average at start: {os.getloadavg()}", flush=True)
    bench_page_splitter(spark, max(args.docs // 10, 300), args.repeats)
    bench_text_preprocessor(spark, args.docs, args.repeats)
    bench_unicode_normalize(spark, args.docs, args.repeats)
    bench_unroll_and_pipeline(spark, args.images, args.repeats)
    bench_log_loss(spark, args.rows, args.repeats)
    print(f"load average at end: {os.getloadavg()}", flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
