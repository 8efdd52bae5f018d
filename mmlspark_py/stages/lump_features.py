"""LumpFeatures: keep the frequent values of string columns and lump the rest into one ``otherValue``
(SynapseML's ``LumpFeatures`` / ``LumpFeaturesModel``), e.g. before one-hot encoding a long-tailed category.

``fit`` learns, per column of ``lumpRules`` (``{column: top-K}``), which values to retain: a value is retained
when it occurs at least ``minCount`` times and accounts for at least ``minFreq`` of the column's non-null rows,
and it is among the column's K most frequent values (ties broken by the value, ascending). The frequency
filters come first and K only caps how many survive, as scikit-learn's ``OneHotEncoder`` does with
``min_frequency`` and ``max_categories``. Every rule column is learned from one aggregation over the same data
(the columns are melted into (column, value) pairs), so only the retained values reach the driver.

The :class:`LumpFeaturesModel` replaces every value that was not retained (unseen values included) by
``otherValue``. Nulls stay null with ``handleNull="keep"`` (the default) or become ``otherValue`` with
``"other"``. Each rule column is rewritten in place, unless ``outputCols`` (``{rule column: new column}``) names
a destination: the lumped values are then appended in new columns (sorted by rule column) and the raw values
kept.

Columns: in, the ``lumpRules`` columns (string); out, string columns without metadata, nullable only with
``handleNull="keep"``.

Errors (in the driver, naming the column): an empty ``lumpRules`` or a top-K < 1, a rule column missing or not
a string, an ``outputCols`` entry without a rule, two rules writing one destination, a destination that already
exists, an ``otherValue`` that occurs in the data; on the model, changing ``lumpRules`` after fitting.

Example::

    model = LumpFeatures(lumpRules={"city": 2}, minCount=2).fit(df)
    model.getKeptValues()                 # {'city': ['Oslo', 'Lima']}
    model.transform(df)                   # city: Oslo, Lima or __other__ (null stays null)
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from mmlspark_py.core.params import Params, TypeConverters, declare, to_one_of, to_positive_int
from mmlspark_py.core.stage import Estimator, Model, SchemaError, column, require_column

__all__ = ["LumpFeatures", "LumpFeaturesModel"]

_TMP = "__lump_"


def _to_rules(value: Any) -> Dict[str, int]:
    if not isinstance(value, dict):
        raise TypeError(f"lumpRules: expected a dict of column name -> top-K, got {type(value).__name__}")
    rules = {}
    for name, k in value.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"lumpRules: column names must be non-empty strings, got {name!r}")
        if isinstance(k, bool) or TypeConverters.toInt(k) < 1:
            raise ValueError(f"lumpRules: top-K for column {name!r} must be a positive integer, got {k!r}")
        rules[name] = TypeConverters.toInt(k)
    return rules


def _to_string_map(param: str):
    def convert(value: Any) -> Dict[str, str]:
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in value.items()
        ):
            raise TypeError(f"{param}: expected a dict of non-empty strings to non-empty strings, got {value!r}")
        return dict(value)

    return convert


def _to_min_freq(value: Any) -> float:
    out = TypeConverters.toFloat(value)
    if not 0.0 <= out <= 1.0:
        raise ValueError(f"minFreq: expected a share in [0, 1], got {value!r}")
    return out


class _LumpParams(Params):
    lumpRules = declare(
        "map from column name to the maximum number of most frequent values (top-K) to retain; a "
        "value is retained only if it also clears minCount and minFreq; every other value is "
        "replaced with otherValue",
        _to_rules,
    )
    outputCols = declare(
        "optional map from a lumpRules column to the column the lumped values are written to; "
        "rule columns without an entry are replaced in place",
        _to_string_map("outputCols"),
    )
    otherValue = declare(
        "the replacement of every value that is not retained (and of null when handleNull is "
        "'other'); must not occur in any rule column",
        TypeConverters.toString,
        default="__other__",
    )
    handleNull = declare(
        "how to treat nulls in rule columns: 'keep' keeps null, 'other' maps null to otherValue",
        to_one_of(["keep", "other"]),
        default="keep",
    )

    def getLumpRules(self) -> Dict[str, int]:
        """The rules ({column: top-K}; empty when not set)."""
        return dict(self.getOrDefault(self.lumpRules)) if self.isDefined(self.lumpRules) else {}

    def getOutputCols(self) -> Dict[str, str]:
        """The destinations ({rule column: output column}; empty when not set)."""
        return dict(self.getOrDefault(self.outputCols)) if self.isDefined(self.outputCols) else {}

    def _outputs(self) -> List[Tuple[str, str]]:
        """(rule column, destination) pairs, sorted by rule column so schema and transform agree."""
        rules = self.getLumpRules()
        if not rules:
            raise ValueError("LumpFeatures: lumpRules must be a non-empty map from column name to a positive top-K")
        explicit = self.getOutputCols()
        unknown = sorted(set(explicit) - set(rules))
        if unknown:
            raise ValueError(
                f"outputCols: column(s) {unknown} have no lumpRules entry; rule columns are {sorted(rules)}"
            )
        pairs = [(name, explicit.get(name, name)) for name in sorted(rules)]
        targets = [t for _, t in pairs]
        shared = sorted({t for t in targets if targets.count(t) > 1})
        if shared:
            raise ValueError(f"outputCols: more than one rule column writes to {shared}; destinations must differ")
        return pairs

    def _lumped_schema(self, schema: StructType) -> StructType:
        pairs = self._outputs()
        for name, target in pairs:
            require_column(schema, name, StringType(), param="lumpRules")
            if target != name and target in schema.names:
                raise SchemaError(
                    f"outputCols: destination {target!r} of rule column {name!r} already exists; "
                    "choose a new name or drop the entry to replace the column in place"
                )
        nullable = self.getOrDefault(self.handleNull) == "keep"
        in_place = {name for name, target in pairs if name == target}
        fields = [StructField(f.name, StringType(), nullable) if f.name in in_place else f for f in schema]
        fields += [StructField(target, StringType(), nullable) for name, target in pairs if name != target]
        return StructType(fields)


class LumpFeatures(Estimator, _LumpParams):
    """Learns which values of each ``lumpRules`` column to retain (see the module docstring)."""

    minCount = declare(
        "minimum number of occurrences of a value to be retained (1 disables the filter)", to_positive_int, default=1
    )
    minFreq = declare(
        "minimum share of a column's non-null rows a value must account for to be retained, in [0, "
        "1] (0 disables the filter)",
        _to_min_freq,
        default=0.0,
    )

    def transformSchema(self, schema: StructType) -> StructType:
        return self._lumped_schema(schema)

    def _ranked(self, df: DataFrame, rules: Dict[str, int]) -> List[Any]:
        """(column, value, rank, retained) of every retained value and of every value equal to otherValue."""
        col_name, value, count, total, rank = (f"{_TMP}{n}" for n in ("column", "value", "count", "total", "rank"))
        names = sorted(rules)
        pairs = F.explode(F.array(*[F.struct(F.lit(n).alias(col_name), column(n).alias(value)) for n in names]))
        melted = (
            df.select(pairs.alias("pair")).select(f"pair.{col_name}", f"pair.{value}").where(F.col(value).isNotNull())
        )
        per_column = Window.partitionBy(col_name)
        counted = (
            melted.groupBy(col_name, value)
            .agg(F.count(F.lit(1)).alias(count))
            .withColumn(total, F.sum(count).over(per_column))
            .withColumn(rank, F.row_number().over(per_column.orderBy(F.desc(count), F.asc(value))))
        )
        top_k = F.lit(0)
        for n in names:
            top_k = F.when(F.col(col_name) == n, F.lit(rules[n])).otherwise(top_k)
        retained = (
            (F.col(rank) <= top_k)
            & (F.col(count) >= self.getMinCount())
            & (F.col(count) >= F.col(total) * F.lit(self.getMinFreq()))
        )
        # Only the retained values (at most top-K per column) and collisions with otherValue reach the driver.
        return (
            counted.withColumn("retained", retained)
            .where(F.col("retained") | (F.col(value) == self.getOtherValue()))
            .select(col_name, value, rank, "retained")
            .collect()
        )

    def _fit(self, df: DataFrame) -> LumpFeaturesModel:
        rules = self.getLumpRules()
        other = self.getOtherValue()
        ranked = self._ranked(df, rules)
        collided = sorted({r[0] for r in ranked if r[1] == other})
        if collided:
            raise ValueError(
                f"otherValue {other!r} occurs in rule column(s) {collided}; choose an otherValue that "
                "does not occur in the data"
            )
        kept: Dict[str, List[Tuple[int, str]]] = {name: [] for name in rules}
        for name, val, position, is_retained in ranked:
            if is_retained:
                kept[name].append((position, val))
        encoded = {
            name: json.dumps({"topK": rules[name], "values": [v for _, v in sorted(kept[name])]}) for name in rules
        }
        model = LumpFeaturesModel(
            lumpRules=rules, otherValue=other, handleNull=self.getHandleNull(), keptValuesJson=encoded
        )
        if self.isDefined(self.outputCols):
            model.setOutputCols(self.getOutputCols())
        model._resetUid(self.uid)
        return model


def _decode_kept(name: str, text: str) -> Tuple[int, List[str]]:
    try:
        data = json.loads(text)
    except (TypeError, json.JSONDecodeError) as e:
        raise ValueError(f"keptValuesJson for column {name!r} is not valid JSON: {text!r}") from e
    top_k, values = (data.get("topK"), data.get("values")) if isinstance(data, dict) else (None, None)
    if (
        not isinstance(top_k, int)
        or isinstance(top_k, bool)
        or not isinstance(values, list)
        or not all(isinstance(v, str) for v in values)
    ):
        raise ValueError(
            f"keptValuesJson for column {name!r} must be a JSON object with an integer topK and a "
            f"list of string values: {text!r}"
        )
    return top_k, values


def _to_kept(value: Any) -> Dict[str, str]:
    kept = _to_string_map("keptValuesJson")(value)
    for name, text in kept.items():
        _decode_kept(name, text)
    return kept


class LumpFeaturesModel(Model, _LumpParams):
    """Replaces every value of the rule columns that fit did not retain by ``otherValue``."""

    keptValuesJson = declare(
        "the learned state per column: a JSON object with the fitted top-K (topK) and the "
        "retained values (values), by descending frequency then ascending value",
        _to_kept,
    )

    def _kept(self) -> Dict[str, Tuple[int, List[str]]]:
        if not self.isDefined(self.keptValuesJson):
            return {}
        return {name: _decode_kept(name, text) for name, text in self.getOrDefault(self.keptValuesJson).items()}

    def getKeptValues(self) -> Dict[str, List[str]]:
        """The retained values per rule column, by descending frequency in the fitting data, then value."""
        return {name: values for name, (_, values) in self._kept().items()}

    def getKeptValuesAsJson(self) -> str:
        """:meth:`getKeptValues` as one JSON object."""
        return json.dumps(self.getKeptValues())

    def setLumpRules(self, value: Dict[str, int]) -> LumpFeaturesModel:
        """Sets ``lumpRules``; a fitted model only accepts the rules it was fitted with."""
        rules = _to_rules(value)
        fitted = {name: top_k for name, (top_k, _) in self._kept().items()}
        if fitted and rules != fitted:
            raise ValueError(
                f"cannot change lumpRules of a fitted LumpFeaturesModel: it was fitted with {fitted}, "
                f"not {rules}; fit LumpFeatures again to change the rules"
            )
        self._set(lumpRules=rules)
        return self

    def _check_state(self) -> Dict[str, List[str]]:
        rules = self.getLumpRules()
        kept = self._kept()
        if set(rules) != set(kept):
            raise ValueError(
                f"LumpFeaturesModel: rule columns {sorted(rules)} do not match the learned columns {sorted(kept)}"
            )
        other = self.getOtherValue()
        for name, (top_k, values) in kept.items():
            if rules[name] != top_k:
                raise ValueError(
                    f"lumpRules: top-K of column {name!r} is {rules[name]} but the model was fitted "
                    f"with {top_k}; fit LumpFeatures again to change the rules"
                )
            if len(values) > top_k or other in values:
                raise ValueError(
                    f"keptValuesJson: column {name!r} retains {len(values)} values (top-K {top_k})"
                    f"{' including otherValue ' + repr(other) if other in values else ''}"
                )
        return {name: values for name, (_, values) in kept.items()}

    def transformSchema(self, schema: StructType) -> StructType:
        self._check_state()
        return self._lumped_schema(schema)

    def _lumped(self, name: str, values: List[str]) -> Column:
        source = column(name)
        other = F.lit(self.getOtherValue())
        retain = F.when(source.isin(*values), source).otherwise(other) if values else other
        if self.getHandleNull() == "keep":
            return F.when(source.isNull(), F.lit(None).cast(StringType())).otherwise(retain)
        return F.coalesce(retain, other)

    def _transform(self, df: DataFrame) -> DataFrame:
        kept = self._check_state()
        for name, target in self._outputs():
            df = df.withColumn(target, self._lumped(name, kept[name]))
        return df
