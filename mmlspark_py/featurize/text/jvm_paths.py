"""The JVM companion's paths for the text stages (see :mod:`mmlspark_py.core.jvm_companion`).

Each function returns the stage's output column computed by the companion jar inside the JVM, or None when
the session has no usable companion or the configuration has no JVM equivalent guaranteed to give the same
result; the stage then runs its Python path (the reference; differential tests hold the two equal).

- PageSplitter: the pages are cut from the text's UTF-8 bytes (so invalid bytes survive, as in the Python
  path) at the ends of matches of ``boundaryRegex`` translated to Java by :mod:`mmlspark_py.core.java_regex`
  (not every Python regex has a guaranteed equivalent, e.g. case-insensitive ones). A regex that is one
  literal or character class (``\\s``, ``[.!?]``) is passed as its code point ranges instead: each page's cut
  is then found by testing the characters just before the page's longest end, without scanning the text.
- TextPreprocessor: the same trie-shaped Java regex the Python path's SQL expression uses, in one ``find``
  loop with hash-table lookups; in identity mode a trie of the keys finds the same leftmost-longest matches
  without the regex.
- UnicodeNormalize: ICU4J (shipped with Spark 4) restricted to the characters of Python's Unicode version
  (``unicodedata.unidata_version``), which normalises exactly as Python does; needs an ICU at least as new.
  Spark's own ``lower`` is called inside the same function, and only on the non-ASCII runs of the text.
"""

from __future__ import annotations

import struct
import unicodedata
from typing import Dict, List, Optional

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DataType

from mmlspark_py.core import java_regex, jvm_companion
from mmlspark_py.core.spark_compat import make_valid_utf8
from mmlspark_py.core.stage import column
from mmlspark_py.featurize.text.replacement_map import NORM_FUNCS, normalised_map, trie_regex

ICU_CASE_MAPPINGS = "spark.sql.icu.caseMappings.enabled"


def _pack(strings: List[str]) -> Column:
    """Strings as one binary literal for the companion (4-byte big-endian length + UTF-8 each)."""
    out = bytearray()
    for s in strings:
        data = s.encode("utf-8")
        out += struct.pack(">i", len(data)) + data
    return F.lit(out)


def page_split(df: DataFrame, input_col: str, max_len: int, min_len: int, boundary: str) -> Optional[Column]:
    """PageSplitter's ``array<string>`` pages column, or None."""
    jvm = jvm_companion.companion(df.sparkSession)
    if jvm is None:
        return None
    pattern = java_regex.to_java(boundary)
    if pattern is None:
        jvm_companion.fallback(
            df.sparkSession,
            "PageSplitter",
            f"boundaryRegex {boundary!r} has no Java equivalent guaranteed to match the same",
        )
        return None
    text, bounds = column(input_col).cast("binary"), (F.lit(max_len), F.lit(min_len))
    one_code_point = java_regex.code_point_class(boundary)
    if one_code_point is not None:  # `\s`, `[.!?]`: test the characters before each page's end, no regex scan
        ranges = F.lit(b"".join(struct.pack(">ii", lo, hi) for lo, hi in one_code_point))
        return jvm.call("page_split_class", text, *bounds, ranges).cast("array<string>")
    return jvm.call("page_split", text, *bounds, F.lit(pattern)).cast("array<string>")


def text_replace(df: DataFrame, input_col: str, mapping: Dict[str, str], norm_func: str) -> Optional[Column]:
    """TextPreprocessor's output column, or None: the Python path's regex and tables, applied in one pass."""
    if not mapping:
        return None  # the Python path is the identity column already
    jvm = jvm_companion.companion(df.sparkSession)
    if jvm is None:
        return None
    ignore_case = norm_func != "identity"
    exact = normalised_map(mapping, NORM_FUNCS[norm_func])
    lower = normalised_map(mapping, str.lower) if ignore_case else {}
    upper = normalised_map(mapping, str.upper) if ignore_case else {}
    strings = ["ignoreCase" if ignore_case else "identity", ("(?iu)" if ignore_case else "") + trie_regex(list(exact))]
    for table in (exact, lower, upper):
        strings.append(str(len(table)))
        strings.extend(s for kv in sorted(table.items()) for s in kv)
    try:
        packed = _pack(strings)
    except UnicodeEncodeError:  # lone surrogates in a key or value: no UTF-8 form to ship
        jvm_companion.fallback(df.sparkSession, "TextPreprocessor", "map has lone surrogate code points")
        return None
    text = column(input_col)
    return F.when(text.isNotNull(), jvm.call("text_replace", text, packed))


def _companion_can_lower(spark: SparkSession, text_type: DataType) -> bool:
    """Whether the companion reproduces Spark's ``lower`` of a ``text_type`` column: a default-collation string
    on a Spark with ``spark.sql.icu.caseMappings.enabled`` (the companion reads its value when the query runs,
    as ``lower`` does), not a collated string or a Spark without that setting: then Spark lowercases first."""
    if getattr(text_type, "collation", "UTF8_BINARY") != "UTF8_BINARY":
        return False
    try:  # no default argument: that would be returned instead of Spark's own default for an unset key
        return str(spark.conf.get(ICU_CASE_MAPPINGS)).strip().lower() in ("true", "false")
    except Exception:  # noqa: BLE001 - a Spark without the setting (3.5): lowercase in Spark
        return False


def unicode_normalize(df: DataFrame, text: Column, text_type: DataType, form: str, lower: bool) -> Optional[Column]:
    """UnicodeNormalize's output column from ``text`` (a string column of type ``text_type``), or None.

    The companion makes the text valid UTF-8 and lowercases it (when ``lower``) with Spark's own functions,
    and normalises it, in one pass over the UTF-8 bytes that checks and changes only the non-ASCII runs (see
    ``UnicodeNormalize.scala``).
    """
    jvm = jvm_companion.companion(df.sparkSession)
    if jvm is None:
        return None
    python_unicode = tuple(int(x) for x in unicodedata.unidata_version.split(".")[:2])
    if jvm.icu_unicode is None or jvm.icu_unicode < python_unicode:
        jvm_companion.fallback(
            df.sparkSession,
            "UnicodeNormalize",
            f"the session's ICU4J (Unicode {jvm.icu_unicode}) cannot reproduce Python's "
            f"Unicode {unicodedata.unidata_version} normalisation",
        )
        return None
    in_companion = lower and _companion_can_lower(df.sparkSession, text_type)
    if lower and not in_companion:
        text = F.lower(make_valid_utf8(text))
    packed = _pack([form, unicodedata.unidata_version, "1" if in_companion else "0"])
    return jvm.call("unicode_normalize", text.cast("binary"), packed).cast("string")
