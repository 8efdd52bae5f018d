"""TextPreprocessor: replace every occurrence of the keys of ``map`` by their values, longest key first.

The text is scanned left to right; at each position the longest key that matches there is replaced by its
value and scanning goes on after it; text no key matches is copied unchanged. ``normFunc`` says how keys are
compared with the text: ``identity`` (exactly), ``lowerCase`` or ``upperCase`` (ignoring case). This is
SynapseML's trie matcher, run as one Spark SQL expression: the keys are compiled into a trie-shaped Java regex
(``ha(?:ppy|ter)|sad(?: doy)?``: children before the end of a key, so backtracking finds the longest key in
time proportional to the key length, not to the number of keys) and ``regexp_extract_all`` splits each text
into (unmatched text, key) pairs whose replacements ``array_join`` glues back together. No Python runs per row.

Where we differ from SynapseML (deliberately): its matcher also deletes the letters, digits and ``_`` that
directly follow a match when the match ends at a leaf of its trie ("happyness" -> "sad" for ``happy -> sad``,
but not when a longer key shares the prefix). That contradicts its own contract ("replaces all substring
matches") and depends on which other keys exist, so we replace the match only.

Columns:
    in  ``inputCol``  string (null -> null). Invalid UTF-8 bytes read as U+FFFD, as in any JVM string.
    out ``outputCol`` string.

Errors: an empty key, two keys equal under ``normFunc`` with different values, or an unknown ``normFunc``
fail where they are set or in the driver.

Example::

    TextPreprocessor(inputCol="text", outputCol="clean", map={"happy": "sad", "sad doy": "sap"},
                     normFunc="lowerCase").transform(df)       # "The HAPPY sad doy" -> "The sad sap"
"""

from __future__ import annotations

from typing import Any, Dict

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from mmlspark_py.core.params import HasInputCol, HasOutputCol, Param, Params, to_dict_string, to_one_of
from mmlspark_py.core.stage import Transformer, add_field, column, require_column
from mmlspark_py.featurize.text import jvm_paths
from mmlspark_py.featurize.text.replacement_map import NORM_FUNCS, normalised_map, trie_regex

__all__ = ["TextPreprocessor", "trie_regex", "NORM_FUNCS"]


def _to_map(value: Any) -> Dict[str, str]:
    mapping = to_dict_string(value)
    if "" in mapping:
        raise ValueError("map: keys must be non-empty strings; an empty key would match everywhere")
    return mapping


def _lookup(table: Dict[str, str]) -> Column:
    return F.create_map(*[F.lit(x) for kv in sorted(table.items()) for x in kv])


def replace_expr(text: Column, mapping: Dict[str, str], norm_func: str) -> Column:
    """The SQL expression replacing the keys of ``mapping`` in ``text`` (see the module docstring)."""
    if not mapping:
        return text
    ignore_case = norm_func != "identity"
    table = normalised_map(mapping, NORM_FUNCS[norm_func])
    pattern = ("(?iu)" if ignore_case else "") + "(?s)(.*?)(" + trie_regex(list(table)) + "|\\z)"
    gaps = F.regexp_extract_all(text, F.lit(pattern), F.lit(1))
    keys = F.regexp_extract_all(text, F.lit(pattern), F.lit(2))
    if ignore_case:
        # The regex matches ignoring case per character as Java does (equal upper OR lower case), so a match
        # is looked up under both foldings; a match neither finds (exotic scripts) is kept as it was.
        lower, upper = normalised_map(mapping, str.lower), normalised_map(mapping, str.upper)

        def value(m: Column) -> Column:
            return F.coalesce(F.element_at(_lookup(lower), F.lower(m)), F.element_at(_lookup(upper), F.upper(m)), m)
    else:

        def value(m: Column) -> Column:
            return F.element_at(_lookup(table), m)

    pieces = F.zip_with(gaps, keys, lambda gap, m: F.concat(gap, F.when(m == "", F.lit("")).otherwise(value(m))))
    return F.array_join(pieces, "")


class TextPreprocessor(Transformer, HasInputCol, HasOutputCol):
    """Longest-match find/replace of the keys of ``map`` in ``inputCol``; see the module docstring.

    :param inputCol: string text.
    :param outputCol: string result (default ``<uid>_output``).
    :param map: dict of key -> replacement (keys non-empty).
    :param normFunc: ``identity`` (default), ``lowerCase`` or ``upperCase``: how keys are compared.
    """

    map = Param(
        Params._dummy(), "map", "map of substring to find -> replacement (longest key wins)", typeConverter=_to_map
    )
    normFunc = Param(
        Params._dummy(),
        "normFunc",
        "how keys are compared with the text: identity, lowerCase or upperCase (the last two ignore case)",
        typeConverter=to_one_of(tuple(NORM_FUNCS)),
    )

    def __init__(self, **kwargs):
        super().__init__()
        self._setDefault(outputCol=f"{self.uid}_output", map={}, normFunc="identity")
        self.setParams(**kwargs)

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), StringType())
        return add_field(schema, StructField(self.getOutputCol(), StringType(), True))

    def _transform(self, df: DataFrame) -> DataFrame:
        replaced = jvm_paths.text_replace(df, self.getInputCol(), self.getMap(), self.getNormFunc())
        if replaced is not None:  # the JVM companion's path: the same regex in one pass, no SQL map scans
            return df.withColumn(self.getOutputCol(), replaced)
        text = column(self.getInputCol())
        # when() without otherwise(): null for null input, and a nullable field whatever the input's nullability.
        return df.withColumn(
            self.getOutputCol(), F.when(text.isNotNull(), replace_expr(text, self.getMap(), self.getNormFunc()))
        )
