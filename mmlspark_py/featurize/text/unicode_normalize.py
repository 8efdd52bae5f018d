"""UnicodeNormalize: Unicode normalisation (NFC, NFD, NFKC, NFKD) of a text column, optionally lowercased.

Spark SQL has no normalisation function, so this runs in Arrow batches (:mod:`mmlspark_py.core.batching`) with
Python's ``unicodedata.normalize`` (C code, one call per text). ``pyarrow.compute.utf8_normalize`` would avoid
the per-text call, but pyarrow 25 returns decomposed text for NFC and NFKC, so it is not used. Lowercasing is
Spark's own ``lower`` (the JVM's ``String.toLowerCase``, as in SynapseML), done before normalising, as
SynapseML does. Invalid UTF-8 bytes become U+FFFD first (Spark's ``make_valid_utf8``), as they do whenever the
JVM reads such a string. With the JVM companion on a Spark 4 session, the three steps run in one JVM function
that calls Spark's own ``make_valid_utf8`` and ``lower`` and ICU's normaliser on the text's non-ASCII runs only
(same results; :mod:`mmlspark_py.featurize.text.jvm_paths`).

Columns:
    in  ``inputCol``  string (null -> null).
    out ``outputCol`` string.

Errors: an unknown ``form`` fails where it is set (SynapseML validates the previous value instead of the new
one, so a bad form slipped through until transform).

Example::

    UnicodeNormalize(inputCol="text", outputCol="norm", form="NFKC", lower=False)   # "ﬁ" -> "fi"
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.params import HasInputCol, HasOutputCol, Param, Params, TypeConverters, to_one_of
from mmlspark_py.core.spark_compat import make_valid_utf8
from mmlspark_py.core.stage import Transformer, add_field, column, require_column
from mmlspark_py.featurize.text import jvm_paths

__all__ = ["UnicodeNormalize", "FORMS"]

FORMS = ("NFC", "NFD", "NFKC", "NFKD")
BATCH_ROWS = 4096


def _normalize_batches(source: str, output_col: str, form: str):
    def run(batch: pa.RecordBatch) -> pa.RecordBatch:
        texts = batch.column(source).to_pylist()
        normalize: Any = unicodedata.normalize  # form is one of NFC/NFD/NFKC/NFKD, checked when set
        normalized = [None if t is None else normalize(form, t) for t in texts]
        return pa.record_batch([pa.array(normalized, pa.string())], names=[output_col])

    return run


class UnicodeNormalize(Transformer, HasInputCol, HasOutputCol):
    """Normalises ``inputCol`` to Unicode ``form`` (lowercasing first when ``lower``).

    :param inputCol: string text.
    :param outputCol: string result (default ``<uid>_output``).
    :param form: ``NFC``, ``NFD``, ``NFKC`` or ``NFKD`` (default ``NFKD``, as SynapseML).
    :param lower: lowercase the text first (default true, as SynapseML).
    """

    form = Param(
        Params._dummy(),
        "form",
        "Unicode normalization form: NFC, NFD, NFKC, NFKD",
        typeConverter=to_one_of(FORMS, case_insensitive=True),
    )
    lower = Param(
        Params._dummy(),
        "lower",
        "whether to lowercase the text (before normalizing)",
        typeConverter=TypeConverters.toBoolean,
    )

    def __init__(self, **kwargs):
        super().__init__()
        self._setDefault(outputCol=f"{self.uid}_output", form="NFKD", lower=True)
        self.setParams(**kwargs)

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), StringType())
        return add_field(schema, StructField(self.getOutputCol(), StringType(), True))

    def _transform(self, df: DataFrame) -> DataFrame:
        staged_name = f"{self.uid}__staged"
        field = require_column(df.schema, self.getInputCol(), StringType())
        text = column(self.getInputCol())
        normalized = jvm_paths.unicode_normalize(df, text, field.dataType, self.getForm(), self.getLower())
        if normalized is not None:  # the JVM companion's path: Spark's functions and ICU as of Python's Unicode
            return df.withColumn(self.getOutputCol(), normalized)
        valid = make_valid_utf8(text)
        staged = F.lower(valid) if self.getLower() else valid
        out = StructType([StructField(self.getOutputCol(), StringType(), True)])
        fn = _normalize_batches(staged_name, self.getOutputCol(), self.getForm())
        result = with_batched_columns(df.withColumn(staged_name, staged), [staged_name], fn, out, BATCH_ROWS)
        return result.drop(staged_name)
