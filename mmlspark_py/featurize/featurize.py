"""Featurize: any mix of column types into one feature vector, through Spark's own stages (SynapseML's API).

Each input column is featurized by its type (the plan is learned by ``fit`` and saved with the model):

============================  ==================================================================================
numeric, boolean              a double; NaN, +-infinity and null are missing, imputed with the column mean
                              (``imputeMissing``; otherwise left NaN)
string, <= 100 distinct       categorical: StringIndexer (alphabetical, unseen values and null go to an extra
values, or categorical        ``__unknown`` level) then one-hot (``oneHotEncodeCategoricals``) or the index
metadata                      (tree learners)
string, more distinct values  free text: ``featurize.text.TextFeaturizer`` when installed, else lower-cased
                              word tokens hashed (HashingTF) into ``numFeatures`` slots; then only the slots
                              some training row uses (CountSelector, as SynapseML); a text column with no
                              token in any row is dropped (an error when nothing else is left)
date, timestamp               year, month, day of month, day of week (+ hour, minute, second), imputed
array<number>, vector         unrolled (fixed length, learned at fit); null becomes zeros, null elements 0
image struct (8-bit)          unrolled pixels, channel-major as SynapseML's UnrollImage (``image.UnrollImage``
                              when installed, else SQL); null images become zeros
all-null columns              dropped: they carry no information
============================  ==================================================================================

The final VectorAssembler handles invalid values as ``vectorAssemblerHandleInvalid`` says (SynapseML's default
``skip`` drops such rows; they reach it only with ``imputeMissing=false``). Everything runs in Spark's JVM
stages (Imputer, StringIndexer, OneHotEncoder, HashingTF, VectorSlicer, VectorSizeHint, VectorAssembler) and
SQL functions, composed into one fitted ``PipelineModel`` that the model holds (and saves).
The output vector carries no attribute metadata, so the schema is known before fitting; trainers that want
Spark's attribute metadata (tree learners: which features are categorical) use
:meth:`FeaturizeModel.featurize`.
"""

from __future__ import annotations

from typing import Any, Dict, List

from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.feature import (
    HashingTF,
    Imputer,
    OneHotEncoder,
    RegexTokenizer,
    StringIndexer,
    VectorAssembler,
    VectorSizeHint,
)
from pyspark.ml.functions import array_to_vector, vector_to_array
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DateType,
    NumericType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)

from mmlspark_py.core.image_schema import IMAGE_SCHEMA
from mmlspark_py.core.params import (
    HasInputCols,
    HasOutputCol,
    StageParam,
    TypeConverters,
    declare,
    from_uid,
    override,
    to_json_value,
    to_one_of,
    to_positive_int,
)
from mmlspark_py.core.stage import Estimator, Model, _same_type, add_field, column, require_column
from mmlspark_py.featurize.count_selector import CountSelector, CountSelectorModel

MAX_CATEGORIES = 100
NUM_FEATURES_DEFAULT = 1 << 18  # SynapseML's FeaturizeUtilities.NumFeaturesDefault
NUM_FEATURES_TREE_OR_NN = 1 << 12  # SynapseML's FeaturizeUtilities.NumFeaturesTreeOrNNBased
_DATE_PARTS = ("year", "month", "dayofmonth", "dayofweek")
_TIME_PARTS = ("hour", "minute", "second")
_INF = float("inf")


class FeaturizeError(ValueError):
    """Featurize cannot handle a column or a DataFrame; the message names it and says what would work."""


def _kind(field: StructField) -> str:
    """The featurization kind of a column from its type (strings are refined by their statistics at fit)."""
    t = field.dataType
    if "ml_attr" in field.metadata and field.metadata["ml_attr"].get("type") == "nominal":
        return "categorical"
    if isinstance(t, BooleanType):
        return "boolean"
    if isinstance(t, NumericType):
        return "numeric"
    if isinstance(t, StringType):
        return "string"
    if isinstance(t, (DateType, TimestampType, TimestampNTZType)):
        return "timestamp" if not isinstance(t, DateType) else "date"
    if isinstance(t, ArrayType) and isinstance(t.elementType, NumericType):
        return "array"
    if isinstance(t, VectorUDT):
        return "vector"
    if _same_type(t, IMAGE_SCHEMA):
        return "image"
    raise FeaturizeError(
        f"inputCols: column {field.name!r} has type {t.simpleString()}, which Featurize cannot "
        "use; valid: numeric, boolean, string, date, timestamp, array<number>, vector, image"
    )


def _size_expr(name: str, kind: str) -> Column:
    col = column(name)
    if kind == "vector":
        return F.size(vector_to_array(col))
    if kind == "image":
        return F.octet_length(col["data"])
    return F.size(col)


def _column_stats(df: DataFrame, kinds: Dict[str, str]) -> Dict[str, Any]:
    """One pass over the data: row count, non-missing counts, distinct strings, vector/array sizes."""
    exprs = [F.count(F.lit(1)).alias("__rows")]
    for i, (name, kind) in enumerate(kinds.items()):
        col = column(name)
        present = col.isNotNull()
        if kind in ("numeric",):
            present = present & ~F.isnan(col.cast("double")) & (F.abs(col.cast("double")) != _INF)
        exprs.append(F.count(F.when(present, 1)).alias(f"n{i}"))
        if kind == "string":
            exprs.append(F.approx_count_distinct(col).alias(f"d{i}"))
        if kind in ("array", "vector", "image"):
            size = F.when(present, _size_expr(name, kind))
            exprs += [F.min(size).alias(f"lo{i}"), F.max(size).alias(f"hi{i}")]
    return df.agg(*exprs).collect()[0].asDict()


def plan_columns(df: DataFrame, input_cols: List[str]) -> List[Dict[str, Any]]:
    """The featurization plan: one entry ``{"name", "kind", "size"}`` per used input column (all-null dropped).

    Errors: FeaturizeError for an empty DataFrame, a column type Featurize cannot use, or arrays/vectors/images
    of differing sizes.
    """
    kinds = {name: _kind(df.schema[name]) for name in input_cols}
    stats = _column_stats(df, kinds)
    if stats["__rows"] == 0:
        raise FeaturizeError("cannot fit on an empty DataFrame: there is nothing to learn the featurization from")
    plan = []
    for i, (name, kind) in enumerate(kinds.items()):
        if stats[f"n{i}"] == 0:
            continue
        entry: Dict[str, Any] = {"name": name, "kind": kind}
        if kind == "string":
            entry["kind"] = "categorical" if stats[f"d{i}"] <= MAX_CATEGORIES else "text"
        if kind in ("array", "vector", "image"):
            if stats[f"lo{i}"] != stats[f"hi{i}"]:
                raise FeaturizeError(
                    f"inputCols: column {name!r} holds {kind}s of sizes {stats[f'lo{i}']} to "
                    f"{stats[f'hi{i}']}; Featurize needs one fixed size per column"
                )
            entry["size"] = int(stats[f"hi{i}"])
        plan.append(entry)
    if not plan:
        raise FeaturizeError(f"inputCols: every column of {input_cols} is entirely null; nothing to featurize")
    return plan


def _temp_names(prefix: str, entry: Dict[str, Any]) -> List[str]:
    kind, base = entry["kind"], f"{prefix}_{entry['name']}"
    if kind == "date":
        return [f"{base}_{p}" for p in _DATE_PARTS]
    if kind == "timestamp":
        return [f"{base}_{p}" for p in _DATE_PARTS + _TIME_PARTS]
    return [base]


def _unroll_image_sql(col: Column) -> Column:
    """The pixels of an 8-bit image as doubles in SynapseML's channel-major order, in SQL only (the fallback
    when :mod:`mmlspark_py.image` is not installed): ``v[c*H*W + p] = data[p*C + c]``."""
    data, plane, channels = col["data"], col["height"] * col["width"], col["nChannels"]
    return F.transform(
        F.sequence(F.lit(0), F.octet_length(data) - 1),
        lambda k: F.conv(
            F.hex(F.substring(data, (k % plane) * channels + F.floor(k / plane).cast("int") + 1, 1)), 16, 10
        ).cast("double"),
    )


def _with_unrolled_images(df: DataFrame, plan: List[Dict[str, Any]], prefix: str) -> DataFrame:
    """``df`` plus ``<temp>_unrolled`` vectors of its image columns, through image.UnrollImage when installed
    (imported lazily: featurize does not depend on the image package)."""
    images = [e for e in plan if e["kind"] == "image"]
    try:
        from mmlspark_py.image import UnrollImage
    except ImportError:
        return df.select(
            "*",
            *[
                array_to_vector(_unroll_image_sql(column(e["name"]))).alias(_temp_names(prefix, e)[0] + "_unrolled")
                for e in images
            ],
        )
    for entry in images:
        df = UnrollImage(inputCol=entry["name"], outputCol=_temp_names(prefix, entry)[0] + "_unrolled").transform(df)
    return df


def _prepared(df: DataFrame, plan: List[Dict[str, Any]], prefix: str) -> DataFrame:
    """``df`` plus the plan's temporary columns: doubles, strings and vectors ready for the Spark stages."""
    df = _with_unrolled_images(df, plan, prefix)
    cols = []
    for entry in plan:
        col, kind, temps = column(entry["name"]), entry["kind"], _temp_names(prefix, entry)
        if kind == "numeric":
            value = col.cast("double")
            cols.append(F.when(F.abs(value) == _INF, F.lit(float("nan"))).otherwise(value).alias(temps[0]))
        elif kind == "boolean":
            cols.append(col.cast("double").alias(temps[0]))
        elif kind in ("date", "timestamp"):
            parts = _DATE_PARTS + (_TIME_PARTS if kind == "timestamp" else ())
            cols += [getattr(F, p)(col).cast("double").alias(t) for p, t in zip(parts, temps)]
        elif kind == "categorical":
            cols.append(col.cast("string").alias(temps[0]))
        elif kind == "text":
            cols.append(F.coalesce(col, F.lit("")).alias(temps[0]))
        else:
            zeros = array_to_vector(F.array_repeat(F.lit(0.0), entry["size"]))
            if kind == "array":
                values = array_to_vector(F.transform(col.cast("array<double>"), lambda x: F.coalesce(x, F.lit(0.0))))
            elif kind == "image":
                values = column(temps[0] + "_unrolled")
            else:
                values = col
            cols.append(F.when(col.isNull(), zeros).otherwise(values).alias(temps[0]))
    return df.select("*", *cols)


def _text_stages(source: str, target: str, num_features: int) -> List[Any]:
    """TextFeaturizer when the text package is installed (imported lazily: featurize must not depend on it)."""
    try:
        from mmlspark_py.featurize.text import TextFeaturizer  # type: ignore
    except ImportError:
        tokens = source + "_tokens"
        return [
            RegexTokenizer(inputCol=source, outputCol=tokens, pattern="\\W+", toLowercase=True),
            HashingTF(inputCol=tokens, outputCol=target, numFeatures=num_features),
        ]
    # the size hint keeps VectorAssembler from ever having to look at the data for the vector length
    return [
        TextFeaturizer(inputCol=source, outputCol=target, numFeatures=num_features),
        VectorSizeHint(inputCol=target, size=num_features, handleInvalid="error"),
    ]


def _selected(entry: Dict[str, Any], prefix: str) -> str:
    """The column holding a text entry's used hash slots (CountSelector's output)."""
    return _temp_names(prefix, entry)[0] + "_selected"


def build_pipeline(plan: List[Dict[str, Any]], prefix: str, one_hot: bool, num_features: int, impute: bool) -> Pipeline:
    """The stages that turn the prepared temporary columns into the columns :func:`assembler` assembles."""
    numeric = [
        t for e in plan if e["kind"] in ("numeric", "boolean", "date", "timestamp") for t in _temp_names(prefix, e)
    ]
    categorical = [_temp_names(prefix, e)[0] for e in plan if e["kind"] == "categorical"]
    stages: List[Any] = []
    if numeric and impute:
        stages.append(Imputer(inputCols=numeric, outputCols=[t + "_imputed" for t in numeric], strategy="mean"))
    if categorical:
        indexed = [t + "_index" for t in categorical]
        stages.append(
            StringIndexer(
                inputCols=categorical, outputCols=indexed, handleInvalid="keep", stringOrderType="alphabetAsc"
            )
        )
        if one_hot:
            stages.append(
                OneHotEncoder(inputCols=indexed, outputCols=[t + "_onehot" for t in categorical], handleInvalid="keep")
            )
    for entry in plan:
        temp = _temp_names(prefix, entry)[0]
        if entry["kind"] == "text":
            # only the hash slots some training row uses (SynapseML's CountSelector): the rest carry nothing
            stages += _text_stages(temp, temp + "_hashed", num_features)
            stages.append(CountSelector(inputCol=temp + "_hashed", outputCol=_selected(entry, prefix)))
        elif entry["kind"] in ("array", "vector", "image"):
            stages.append(VectorSizeHint(inputCol=temp, size=entry["size"], handleInvalid="error"))
    return Pipeline(stages=stages)


def assembled_columns(plan: List[Dict[str, Any]], prefix: str, one_hot: bool, impute: bool) -> List[str]:
    """The columns the final VectorAssembler joins, in plan order."""
    out: List[str] = []
    for entry in plan:
        kind, temps = entry["kind"], _temp_names(prefix, entry)
        if kind in ("numeric", "boolean", "date", "timestamp"):
            out += [t + "_imputed" if impute else t for t in temps]
        elif kind == "categorical":
            out.append(temps[0] + ("_onehot" if one_hot else "_index"))
        elif kind == "text":
            out.append(_selected(entry, prefix))
        else:
            out.append(temps[0])
    return out


def collapsed_text(fitted: PipelineModel, plan: List[Dict[str, Any]], prefix: str) -> List[str]:
    """The text columns of ``plan`` whose tokens hashed to no slot in any training row (nothing to learn from)."""
    kept = {m.getOutputCol(): m.getIndices() for m in fitted.stages if isinstance(m, CountSelectorModel)}
    return [e["name"] for e in plan if e["kind"] == "text" and not kept[_selected(e, prefix)]]


HANDLE_INVALID = ("skip", "keep", "error")


class _FeaturizeParams(HasInputCols, HasOutputCol):
    outputCol = override(HasOutputCol.outputCol, default=from_uid("_features"))
    oneHotEncodeCategoricals = declare(
        "one-hot encode categorical columns (true) or keep their index (false, for tree learners)",
        TypeConverters.toBoolean,
        default=True,
    )
    numFeatures = declare("number of features to hash string columns to", to_positive_int, default=NUM_FEATURES_DEFAULT)
    imputeMissing = declare(
        "whether to impute missing values: missing numbers (null, NaN, infinity) get the "
        "column mean; otherwise they stay NaN",
        TypeConverters.toBoolean,
        default=True,
    )
    vectorAssemblerHandleInvalid = declare(
        "how the final VectorAssembler handles rows with invalid values (null or NaN numbers reach it only with "
        "imputeMissing=false): skip (drop the row), keep (NaN in the vector) or error",
        to_one_of(HANDLE_INVALID),
        default="skip",
    )

    def _output_schema(self, schema: StructType) -> StructType:
        for name in self.getInputCols():
            _kind(require_column(schema, name, param="inputCols"))
        return add_field(schema, StructField(self.getOutputCol(), VectorUDT(), True))


class Featurize(Estimator, _FeaturizeParams):
    """Learns how to turn ``inputCols`` of any supported types into one vector ``outputCol`` (see the module
    docstring for what each type becomes).

    Free-text columns keep only the hash slots some training row uses; a text column none of whose rows has a
    token is dropped (it carries nothing), unless nothing else remains.

    Errors (in ``fit``, naming the column): an unsupported type, an empty DataFrame, arrays of differing sizes,
    only empty text columns left.

    Example::

        model = Featurize(inputCols=["age", "city", "signup_date"], outputCol="features").fit(df)
        model.transform(df).select("features")
    """

    def transformSchema(self, schema: StructType) -> StructType:
        return self._output_schema(schema)

    def _fit(self, dataset: DataFrame) -> FeaturizeModel:
        prefix = f"__{self.uid}"
        one_hot, impute = self.getOneHotEncodeCategoricals(), self.getImputeMissing()
        plan = plan_columns(dataset, self.getInputCols())
        fitted = build_pipeline(plan, prefix, one_hot, self.getNumFeatures(), impute).fit(
            _prepared(dataset, plan, prefix)
        )
        collapsed = collapsed_text(fitted, plan, prefix)
        if collapsed:
            plan = [e for e in plan if e["name"] not in collapsed]
            if not plan:
                raise FeaturizeError(
                    f"inputCols: the text column(s) {collapsed} have no token in any row (their hashed "
                    "slots are zero in every row) and no other column is left: nothing to "
                    "featurize"
                )
            fitted = build_pipeline(plan, prefix, one_hot, self.getNumFeatures(), impute).fit(
                _prepared(dataset, plan, prefix)
            )
        assembler = VectorAssembler(
            inputCols=assembled_columns(plan, prefix, one_hot, impute),
            outputCol=f"{prefix}_features",
            handleInvalid=self.getVectorAssemblerHandleInvalid(),
        )
        model = FeaturizeModel(columnPlan=plan, featurePipeline=PipelineModel(stages=fitted.stages + [assembler]))
        model._resetUid(self.uid)
        return self._copyValues(model)


class FeaturizeModel(Model, _FeaturizeParams):
    """Featurizes ``inputCols`` into ``outputCol`` with the plan and fitted Spark stages learned by Featurize.

    Unseen categories at scoring time go to the ``__unknown`` level; missing numbers get the training mean.
    """

    columnPlan = declare("featurization plan: one {name, kind, size} per featurized column", to_json_value)
    featurePipeline = StageParam.declare("the fitted Spark PipelineModel that builds the vector")

    def transformSchema(self, schema: StructType) -> StructType:
        return self._output_schema(schema)

    def featurize(self, dataset: DataFrame, output_col: str, keep_metadata: bool) -> DataFrame:
        """``dataset`` plus the vector in ``output_col``, with Spark's attribute metadata if ``keep_metadata``."""
        prefix = f"__{self.uid}"
        out = self.getFeaturePipeline().transform(_prepared(dataset, self.getColumnPlan(), prefix))
        vector = column(f"{prefix}_features")
        # Without the attributes: an unnamed expression (coalesce of one column is that column) carries no
        # metadata on every version; pyspark 3.5 ignores alias(metadata={}) and keeps them.
        kept = vector if keep_metadata else F.coalesce(vector)
        return out.select(*[column(c) for c in dataset.columns], kept.alias(output_col))

    def _transform(self, dataset: DataFrame) -> DataFrame:
        return self.featurize(dataset, self.getOutputCol(), keep_metadata=False)
