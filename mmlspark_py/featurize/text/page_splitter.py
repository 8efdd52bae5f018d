"""PageSplitter: cut long text into pages that respect length bounds and break at word boundaries.

A text of at most ``maximumPageLength`` characters is one page. A longer one is cut greedily: each page ends at
the last place where a ``boundaryRegex`` match ends that keeps the page within ``[minimumPageLength,
maximumPageLength]`` characters; where there is none (one huge word), the page is cut hard at
``maximumPageLength``. So the pages always concatenate back to the input exactly, no page is longer than
``maximumPageLength`` and every page but the last has at least ``minimumPageLength`` characters. Lengths count
Unicode code points, like Spark's ``length``.

This fixes SynapseML's ``PageSplitter``, which assumes every boundary match is one character long (pages then
drop or repeat text with a regex such as ``\\s+``), emits an empty page for a text of exactly
``maximumPageLength`` characters, and can emit pages longer than ``maximumPageLength``.

Runs in Arrow batches (:mod:`mmlspark_py.core.batching`): texts that fit on one page are passed through
without touching Python strings; only longer texts are split, with one regex scan each. Invalid UTF-8 bytes
are kept byte for byte (each counts as one character). ``boundaryRegex`` is a Python ``re`` pattern (the same
as Java's for the usual ``\\s``, ``\\s+``, ``[.!?]\\s``; Python's ``\\s`` also matches Unicode spaces).

Columns:
    in  ``inputCol``  string (null -> null, "" -> [""]).
    out ``outputCol`` array<string>: the pages.

Errors: ``minimumPageLength > maximumPageLength`` or a regex that does not compile fail in the driver.

Example::

    PageSplitter(inputCol="text", outputCol="pages", maximumPageLength=5000, minimumPageLength=4500)
"""

from __future__ import annotations

import bisect
import re
from typing import Any, List

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.params import (
    HasInputCol,
    HasOutputCol,
    Param,
    Params,
    TypeConverters,
    to_non_negative_int,
    to_positive_int,
)
from mmlspark_py.core.stage import Transformer, add_field, require_column
from mmlspark_py.featurize.text import jvm_paths

__all__ = ["PageSplitter", "split_pages"]

BATCH_ROWS = 512
PAGES = ArrayType(StringType(), True)


def _to_regex(value: Any) -> str:
    pattern = TypeConverters.toString(value)
    try:
        re.compile(pattern)
    except re.error as e:
        raise ValueError(f"boundaryRegex {pattern!r} is not a valid regular expression: {e}") from e
    return pattern


def split_pages(text: str, max_len: int, min_len: int, boundary: re.Pattern[str]) -> List[str]:
    """``text`` cut into pages (see the module docstring); ``"".join(pages) == text`` always."""
    if len(text) <= max_len:
        return [text]
    # All candidate cuts in one C-speed pass, then one binary search per page (not a Python step per match).
    ends = [m.end() for m in boundary.finditer(text)]
    pages: List[str] = []
    start, shortest = 0, max(min_len, 1)
    while len(text) - start > max_len:
        k = bisect.bisect_right(ends, start + max_len) - 1
        cut = ends[k] if k >= 0 and ends[k] >= start + shortest else start + max_len
        pages.append(text[start:cut])
        start = cut
    pages.append(text[start:])
    return pages


def _page_batches(input_col: str, output_col: str, max_len: int, min_len: int, pattern: str):
    """The batch function: pass one-page texts through in Arrow, split the long ones in Python."""

    def run(batch: pa.RecordBatch) -> pa.RecordBatch:
        texts = batch.column(input_col)
        n = len(texts)
        nulls = texts.is_null().to_numpy(zero_copy_only=False)
        lengths = pc.fill_null(pc.utf8_length(texts), 0).to_numpy(zero_copy_only=False)
        long_rows = np.flatnonzero(lengths > max_len)
        boundary = re.compile(pattern)
        long_pages: List[bytes] = []
        counts = np.where(nulls, 0, 1).astype(np.int64)
        first_page = np.zeros(n, dtype=np.int64)
        # surrogateescape keeps invalid UTF-8 bytes as they were, so pages still concatenate to the input.
        for row, raw in zip(long_rows, texts.take(pa.array(long_rows)).view(pa.binary()).to_pylist()):
            pages = split_pages(raw.decode("utf-8", "surrogateescape"), max_len, min_len, boundary)
            first_page[row], counts[row] = len(long_pages), len(pages)
            long_pages.extend(p.encode("utf-8", "surrogateescape") for p in pages)
        offsets = np.concatenate([[0], np.cumsum(counts)])
        owner = np.repeat(np.arange(n), counts)
        is_long = np.zeros(n, dtype=bool)
        is_long[long_rows] = True
        within = np.arange(offsets[-1]) - offsets[owner]
        take = np.where(is_long[owner], n + first_page[owner] + within, owner)
        values = (
            pa.concat_arrays([texts.view(pa.binary()), pa.array(long_pages, pa.binary())])
            .take(pa.array(take, pa.int64()))
            .view(pa.string())
        )
        pages_array = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values, mask=pa.array(nulls, pa.bool_()))
        return pa.record_batch([pages_array], names=[output_col])

    return run


class PageSplitter(Transformer, HasInputCol, HasOutputCol):
    """Splits ``inputCol`` text into pages of bounded length, breaking at ``boundaryRegex`` matches.

    :param inputCol: string text.
    :param outputCol: array<string> pages (default ``<uid>_output``).
    :param maximumPageLength: the most characters on a page (default 5000).
    :param minimumPageLength: the fewest characters on a page before a boundary may end it (default 4500).
    :param boundaryRegex: where pages may end: after a match of this regex (default ``\\s``).
    """

    maximumPageLength = Param(
        Params._dummy(),
        "maximumPageLength",
        "the maximum number of characters on a page",
        typeConverter=to_positive_int,
    )
    minimumPageLength = Param(
        Params._dummy(),
        "minimumPageLength",
        "the minimum number of characters on a page (except the last) when cutting at a word boundary",
        typeConverter=to_non_negative_int,
    )
    boundaryRegex = Param(
        Params._dummy(),
        "boundaryRegex",
        "regex (Python re) whose matches are the places a page may end (just after the match)",
        typeConverter=_to_regex,
    )

    def __init__(self, **kwargs):
        super().__init__()
        self._setDefault(
            outputCol=f"{self.uid}_output", maximumPageLength=5000, minimumPageLength=4500, boundaryRegex=r"\s"
        )
        self.setParams(**kwargs)

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), StringType())
        if self.getMinimumPageLength() > self.getMaximumPageLength():
            raise ValueError(
                f"minimumPageLength ({self.getMinimumPageLength()}) must not exceed "
                f"maximumPageLength ({self.getMaximumPageLength()})"
            )
        return add_field(schema, StructField(self.getOutputCol(), PAGES, True))

    def _transform(self, df: DataFrame) -> DataFrame:
        pages = jvm_paths.page_split(
            df, self.getInputCol(), self.getMaximumPageLength(), self.getMinimumPageLength(), self.getBoundaryRegex()
        )
        if pages is not None:  # the JVM companion's path: the same pages, no Python worker
            return df.withColumn(self.getOutputCol(), pages)
        out = StructType([StructField(self.getOutputCol(), PAGES, True)])
        fn = _page_batches(
            self.getInputCol(),
            self.getOutputCol(),
            self.getMaximumPageLength(),
            self.getMinimumPageLength(),
            self.getBoundaryRegex(),
        )
        return with_batched_columns(df, [self.getInputCol()], fn, out, BATCH_ROWS)
