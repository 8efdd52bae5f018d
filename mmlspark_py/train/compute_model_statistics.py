"""ComputeModelStatistics: the metrics of a scored DataFrame as a one-row DataFrame (SynapseML's API)."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from pyspark.ml.linalg import MatrixUDT
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from mmlspark_py.core import events
from mmlspark_py.core.params import HasLabelCol, TypeConverters, declare, to_one_of
from mmlspark_py.core.schema import active_spark
from mmlspark_py.core.stage import SchemaError, Transformer
from mmlspark_py.train.columns import EvalColumns, resolve_columns
from mmlspark_py.train.metric_names import (
    ALL,
    CLASSIFICATION,
    CLASSIFICATION_ALL,
    CLASSIFICATION_METRICS,
    CONFUSION_MATRIX,
    EVALUATION_TYPE,
    METRICS,
    REGRESSION_ALL,
    REGRESSION_COLUMNS,
    REGRESSION_METRICS,
    classification_columns,
)
from mmlspark_py.train.metrics import classification_metrics, regression_metrics

_AREAS = ("AUC", "areaUnderPR")


class HasEvaluatorParams(HasLabelCol):
    """labelCol, scoresCol, scoredLabelsCol and evaluationMetric, as SynapseML's evaluators."""

    scoresCol = declare(
        "scores or raw prediction column name, only required if using SparkML estimators (for "
        "regression: the predictions)",
        TypeConverters.toString,
    )
    scoredLabelsCol = declare(
        "scored labels column name, only required if using SparkML estimators", TypeConverters.toString
    )
    evaluationMetric = declare(
        "metric to evaluate models with: all, classification, regression, or one of " + ", ".join(METRICS[3:]),
        to_one_of(METRICS),
        default=ALL,
    )

    def eval_columns(self: Any, schema: StructType) -> EvalColumns:
        return resolve_columns(self, schema, type(self).__name__)


class ComputeModelStatistics(Transformer, HasEvaluatorParams):
    """Evaluates a scored DataFrame into one row of metrics.

    Columns in: on the output of our trainers none need naming (found from their metadata); for plain Spark ML
    output set ``labelCol``, ``scoredLabelsCol`` (e.g. ``prediction``) and ``scoresCol`` (e.g.
    ``rawPrediction``; regression: ``scoresCol="prediction"``, or ``scoredLabelsCol``).

    Output (one row), SynapseML's columns. Regression: ``mean_squared_error``, ``root_mean_squared_error``,
    ``R^2``, ``mean_absolute_error``. Classification: ``evaluation_type`` ("Classification"),
    ``confusion_matrix`` (rows: true level, columns: predicted level, in level order), then for two classes
    ``accuracy``, ``precision``, ``recall`` (of the second level) and ``AUC``; for more classes ``accuracy``,
    ``precision``, ``recall`` (micro-averaged), ``average_accuracy``, ``macro_averaged_precision``,
    ``macro_averaged_recall``. When the schema does not tell the number of classes (plain double columns
    without metadata), all of those columns (AUC is NaN unless there are two classes). A single
    ``evaluationMetric`` gives that column only (classification: after ``evaluation_type``); besides
    SynapseML's metrics, ``areaUnderPR`` (Spark's definition, as ``BinaryClassificationEvaluator``).

    Every figure equals scikit-learn's on the same predictions (see :mod:`mmlspark_py.train.metrics`); AUC is
    exact (SynapseML bins scores into 1,000 buckets). The curve is computed distributedly
    (:mod:`mmlspark_py.train.binary_curve`); ROC and PR curves as DataFrames: :func:`mmlspark_py.train.roc_curve`,
    :func:`mmlspark_py.train.pr_curve`.

    Errors: SchemaError naming the param, the missing column and what was sought; for a classification of
    continuous values (more than 100,000 distinct label/prediction pairs), at once, saying so; for AUC of more
    than two classes.

    Example::

        ComputeModelStatistics().transform(trained_model.transform(test)).show()
        ComputeModelStatistics(labelCol="label", scoredLabelsCol="prediction", scoresCol="rawPrediction") \\
            .transform(spark_model.transform(test))
    """

    def _columns(self, cols: EvalColumns) -> List[str]:
        metric = self.getEvaluationMetric()
        if cols.kind != CLASSIFICATION:
            if metric in (ALL, REGRESSION_ALL):
                return list(REGRESSION_COLUMNS)
            if metric not in REGRESSION_METRICS:
                raise SchemaError(f"evaluationMetric: {metric!r} is not a regression metric")
            return [REGRESSION_METRICS[metric]]
        if metric in (ALL, CLASSIFICATION_ALL):
            return [EVALUATION_TYPE, CONFUSION_MATRIX] + classification_columns(cols.num_classes)
        if metric not in CLASSIFICATION_METRICS:
            raise SchemaError(f"evaluationMetric: {metric!r} is not a classification metric")
        name = CLASSIFICATION_METRICS[metric]
        if name in _AREAS and cols.num_classes is not None and cols.num_classes > 2:
            raise SchemaError(
                f"evaluationMetric: {metric} is defined for two classes; the scores of "
                f"{cols.scored_labels!r} have {cols.num_classes}"
            )
        return [EVALUATION_TYPE, name]

    @staticmethod
    def _field(name: str) -> StructField:
        if name == EVALUATION_TYPE:
            return StructField(name, StringType(), False)
        if name == CONFUSION_MATRIX:
            return StructField(name, MatrixUDT(), True)
        return StructField(name, DoubleType(), False)

    def transformSchema(self, schema: StructType) -> StructType:
        return StructType([self._field(c) for c in self._columns(self.eval_columns(schema))])

    def compute(self, dataset: DataFrame) -> Dict[str, Any]:
        """The metrics as a dict: ``kind`` (Classification or Regression), ``columns`` (the output columns),
        every metric of that kind by its column name, and for classification ``cells``
        (:class:`~mmlspark_py.train.metrics.ConfusionCells`)."""
        cols = self.eval_columns(dataset.schema)
        wanted = self._columns(cols)
        if cols.kind != CLASSIFICATION:
            result = {"kind": cols.kind, "columns": wanted, **regression_metrics(dataset, cols)}
            self._emit(result)
            return result
        metrics = classification_metrics(dataset, cols, with_areas=any(a in wanted for a in _AREAS))
        levels = metrics["cells"].size
        if any(a in wanted for a in _AREAS) and levels > 2 and len(wanted) == 2:
            raise SchemaError(f"evaluationMetric: {wanted[1]} is defined for two classes; the data have {levels}")
        result = {"kind": cols.kind, "columns": wanted, **metrics}
        self._emit(result)
        return result

    def _emit(self, result: Dict[str, Any]) -> None:
        """Tell the run history (mmlspark_py.tracking, when a run is active) the metrics just computed."""
        logged: Dict[str, Any] = {name: result[name] for name in result["columns"] if name in result}
        cells = result.get("cells")
        if cells is not None and cells.size <= 1000:
            logged[CONFUSION_MATRIX] = cells.matrix().toArray()
            logged["levels"] = list(cells.levels)
        events.emit("metrics", stage=self, metrics=logged)

    def metrics_frame(self, metrics: Dict[str, Any]) -> DataFrame:
        """The one-row DataFrame of ``metrics`` (the output of :meth:`compute`), built in the JVM: literals, and
        the matrix parsed from JSON (no Python worker; a local Python list would start one)."""
        values = {EVALUATION_TYPE: CLASSIFICATION, **metrics}
        columns = []
        for name in metrics["columns"]:
            field = self._field(name)
            if name == CONFUSION_MATRIX:
                udt = MatrixUDT()
                serialized = dict(zip(udt.sqlType().fieldNames(), udt.serialize(metrics["cells"].matrix())))
                parsed = F.from_json(F.lit(json.dumps({name: serialized})), StructType([field]))
                columns.append(parsed[name].alias(name))
            else:
                columns.append(F.lit(values[name]).cast(field.dataType).alias(name))
        return active_spark().range(1).select(*columns)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        return self.metrics_frame(self.compute(dataset))
