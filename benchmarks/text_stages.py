"""MultiNGram, PageSplitter and TextPreprocessor against row-at-a-time Python UDFs doing the same (local[2]).

Each baseline is a plain ``pyspark.sql.functions.udf`` (one Python call per row, pickled rows) computing the same
result the natural Python way; the benchmark first checks that both give equal outputs on the corpus. Each timed
run writes the full output to Spark's ``noop`` sink. One warm-up each, then ``--repeats`` alternating runs.

    python benchmarks/text_stages.py [--docs 100000] [--repeats 3] [--quick]

Prints one ``<stage>: ratio=<ours/baseline throughput> (ours X docs/s, baseline Y docs/s)`` line per stage.
Corpus: :func:`text_featurizer.corpus` (20-80 real English words per document); PageSplitter gets documents of
20-1,500 words cut into pages of at most 2,000 characters (at least 1,500).
"""

from __future__ import annotations

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType
from text_featurizer import compare, corpus, english_words, session

from mmlspark_py.featurize.text import MultiNGram, PageSplitter, TextPreprocessor
from mmlspark_py.featurize.text.page_splitter import split_pages


def _noop(df) -> None:
    df.write.format("noop").mode("overwrite").save()


def _same(ours, baseline, key: str = "id") -> None:
    a = ours.orderBy(key).limit(2000).collect()
    b = baseline.orderBy(key).limit(2000).collect()
    assert a == b, "ours and the baseline disagree"


def bench_multi_ngram(spark, docs: int, repeats: int) -> None:
    tokens = corpus(spark, docs).select("id", F.split("text", " ").alias("tokens")).cache()
    tokens.count()
    lengths = [1, 2, 3]

    def py_ngrams(tokens):
        if tokens is None:
            return None
        out = []
        for n in lengths:
            out += [" ".join("null" if t is None else t for t in tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return out

    udf = F.udf(py_ngrams, ArrayType(StringType()))
    ours = MultiNGram(inputCol="tokens", outputCol="grams", lengths=lengths).transform(tokens)
    baseline = tokens.withColumn("grams", udf("tokens"))
    _same(ours, baseline)
    compare("multi_ngram", lambda: _noop(ours), lambda: _noop(baseline), docs, repeats)


def bench_page_splitter(spark, docs: int, repeats: int) -> None:
    texts = corpus(spark, docs, min_words=20, max_words=1500)
    max_len, min_len, boundary = 2000, 1500, r"\s"

    def py_pages(text):
        return None if text is None else split_pages(text, max_len, min_len, re.compile(boundary))

    udf = F.udf(py_pages, ArrayType(StringType()))
    ours = PageSplitter(
        inputCol="text", outputCol="pages", maximumPageLength=max_len, minimumPageLength=min_len, boundaryRegex=boundary
    ).transform(texts)
    baseline = texts.withColumn("pages", udf("text"))
    _same(ours, baseline)
    compare("page_splitter", lambda: _noop(ours), lambda: _noop(baseline), docs, repeats)


def bench_text_preprocessor(spark, docs: int, repeats: int) -> None:
    texts = corpus(spark, docs)
    words = english_words()
    # 200 replacements: frequent words, some multi-word keys sharing prefixes with single-word keys
    mapping = {w: w.upper() for w in words[30:180]}
    mapping.update({f"{a} {b}": f"<{a}_{b}>" for a, b in zip(words[30:80], words[31:81])})
    pattern = re.compile("|".join(sorted(map(re.escape, mapping), key=len, reverse=True)))

    def py_replace(text):
        return None if text is None else pattern.sub(lambda m: mapping[m.group()], text)

    udf = F.udf(py_replace, StringType())
    ours = TextPreprocessor(inputCol="text", outputCol="clean", map=mapping).transform(texts)
    baseline = texts.withColumn("clean", udf("text"))
    _same(ours, baseline)
    compare("text_preprocessor", lambda: _noop(ours), lambda: _noop(baseline), docs, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="10,000 documents, one repeat (smoke run)")
    args = parser.parse_args()
    docs, repeats = (10_000, 1) if args.quick else (args.docs, args.repeats)
    spark = session()
    bench_multi_ngram(spark, docs, repeats)
    bench_page_splitter(spark, max(docs // 10, 1000), repeats)
    bench_text_preprocessor(spark, docs, repeats)
    spark.stop()


if __name__ == "__main__":
    main()
