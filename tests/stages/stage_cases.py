"""Stage-harness cases of the utility stages (mmlspark_py.stages); small DataFrames so save/load stays fast."""

from __future__ import annotations

from pyspark.ml.feature import SQLTransformer
from pyspark.ml.linalg import Vectors

from mmlspark_py.stages import (
    Cacher,
    ClassBalancer,
    ClassBalancerModel,
    DropColumns,
    DynamicMiniBatchTransformer,
    EnsembleByKey,
    Explode,
    FixedMiniBatchTransformer,
    FlattenBatch,
    Lambda,
    LumpFeatures,
    LumpFeaturesModel,
    MultiColumnAdapter,
    MultiColumnAdapterModel,
    PartitionConsolidator,
    RenameColumn,
    Repartition,
    SelectColumns,
    StratifiedRepartition,
    SummarizeData,
    TimeIntervalMiniBatchTransformer,
    Timer,
    TimerModel,
    UDFTransformer,
)
from tests.harness.stage_harness import StageCase
from tests.stages import referenced

_SCHEMA = "id int, a double, b double, label string, tokens array<string>"
_ROWS = [
    (1, 1.0, 2.0, "x", ["p", "q"]),
    (2, float("nan"), 4.0, "y", []),
    (3, None, 0.0, "x", None),
    (4, float("inf"), -1.0, None, ["r", None]),
    (5, 2.5, 5.0, "x", ["s"]),
]


def small(spark):
    """Five rows with NaN, infinity, nulls, an empty and a null array."""
    return spark.createDataFrame(_ROWS, _SCHEMA)


def _scores(spark):
    rows = [
        (1, 0.5, Vectors.dense([1.0, 0.0])),
        (1, 1.5, Vectors.dense([3.0, 2.0])),
        (2, 2.0, Vectors.dense([0.0, 1.0])),
        (None, 4.0, None),
    ]
    return spark.createDataFrame(rows, ["key", "score", "vec"])


def _labels(spark):
    rows = [(i, "abc"[i % 3] if i % 7 else "c", i % 2) for i in range(24)]
    return spark.createDataFrame(rows, "id int, label string, flag int").repartition(3, "id")


CASES = [
    StageCase("SelectColumns", lambda s, t: (SelectColumns(cols=["b", "id"]), small(s)), covers=(SelectColumns,)),
    StageCase("DropColumns", lambda s, t: (DropColumns(cols=["a", "tokens"]), small(s)), covers=(DropColumns,)),
    StageCase(
        "RenameColumn", lambda s, t: (RenameColumn(inputCol="a", outputCol="alpha"), small(s)), covers=(RenameColumn,)
    ),
    StageCase("Explode", lambda s, t: (Explode(inputCol="tokens"), small(s)), covers=(Explode,)),
    StageCase("Repartition", lambda s, t: (Repartition(n=3), small(s)), covers=(Repartition,), sort_by=("id",)),
    StageCase("Cacher", lambda s, t: (Cacher(), small(s)), covers=(Cacher,)),
    StageCase(
        "PartitionConsolidator",
        lambda s, t: (PartitionConsolidator(), small(s)),
        covers=(PartitionConsolidator,),
        sort_by=("id",),
    ),
    StageCase(
        "Lambda.with_schema_func",
        lambda s, t: (
            Lambda(transformFunc=referenced.add_ratio, transformSchemaFunc=referenced.add_ratio_schema),
            small(s),
        ),
        covers=(Lambda,),
    ),
    StageCase(
        "Lambda.schema_from_empty_frame",
        lambda s, t: (Lambda(transformFunc=referenced.add_ratio), small(s)),
        covers=(Lambda,),
    ),
    StageCase(
        "UDFTransformer.pandas_udf",
        lambda s, t: (UDFTransformer(inputCol="id", outputCol="next", udf=referenced.plus_one), small(s)),
        covers=(UDFTransformer,),
    ),
    StageCase(
        "UDFTransformer.inputCols",
        lambda s, t: (UDFTransformer(inputCols=["label", "id"], udf=referenced.joined), small(s)),
        covers=(UDFTransformer,),
    ),
    StageCase("SummarizeData", lambda s, t: (SummarizeData(), small(s)), covers=(SummarizeData,)),
    StageCase(
        "EnsembleByKey.collapse",
        lambda s, t: (EnsembleByKey(keys=["key"], cols=["score", "vec"]), _scores(s)),
        covers=(EnsembleByKey,),
        sort_by=("key",),
    ),
    StageCase(
        "EnsembleByKey.keep_rows",
        lambda s, t: (EnsembleByKey(keys=["key"], cols=["score"], colNames=["avg"], collapseGroup=False), _scores(s)),
        covers=(EnsembleByKey,),
        sort_by=("key", "score"),
    ),
    StageCase(
        "LumpFeatures",
        lambda s, t: (
            LumpFeatures(lumpRules={"label": 1}, outputCols={"label": "lumped"}, handleNull="other"),
            small(s),
        ),
        covers=(LumpFeatures, LumpFeaturesModel),
    ),
    StageCase(
        "LumpFeatures.in_place",
        lambda s, t: (LumpFeatures(lumpRules={"label": 3}, minCount=2), small(s)),
        covers=(LumpFeatures, LumpFeaturesModel),
    ),
    StageCase(
        "ClassBalancer",
        lambda s, t: (ClassBalancer(inputCol="label"), small(s)),
        covers=(ClassBalancer, ClassBalancerModel),
    ),
    StageCase(
        "Timer.estimator",
        lambda s, t: (Timer(stage=ClassBalancer(inputCol="label"), disableMaterialization=False), small(s)),
        covers=(Timer, TimerModel),
    ),
    StageCase(
        "Timer.jvm_transformer",
        lambda s, t: (Timer(stage=SQLTransformer(statement="SELECT id, a * 2 AS a2 FROM __THIS__")), small(s)),
        covers=(Timer, TimerModel),
    ),
    StageCase(
        "MultiColumnAdapter",
        lambda s, t: (
            MultiColumnAdapter(
                baseStage=ClassBalancer(), inputCols=["label", "flag"], outputCols=["w_label", "w_flag"]
            ),
            _labels(s),
        ),
        covers=(MultiColumnAdapter, MultiColumnAdapterModel),
    ),
    StageCase(
        "StratifiedRepartition",
        lambda s, t: (StratifiedRepartition(mode="equal", seed=5), _labels(s)),
        covers=(StratifiedRepartition,),
        sort_by=("id", "label", "flag"),
    ),
    StageCase(
        "FixedMiniBatchTransformer",
        lambda s, t: (FixedMiniBatchTransformer(batchSize=2), small(s)),
        covers=(FixedMiniBatchTransformer,),
    ),
    StageCase(
        "DynamicMiniBatchTransformer",
        lambda s, t: (DynamicMiniBatchTransformer(maxBatchSize=2), small(s)),
        covers=(DynamicMiniBatchTransformer,),
    ),
    StageCase(
        "TimeIntervalMiniBatchTransformer",
        lambda s, t: (TimeIntervalMiniBatchTransformer(millisToWait=600000, maxBatchSize=2), small(s)),
        covers=(TimeIntervalMiniBatchTransformer,),
    ),
    StageCase(
        "FlattenBatch",
        lambda s, t: (FlattenBatch(), FixedMiniBatchTransformer(batchSize=2).transform(small(s))),
        covers=(FlattenBatch,),
    ),
]
