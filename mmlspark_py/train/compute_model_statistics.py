"""ComputeModelStatistics: the metrics of a scored DataFrame as a one-row DataFrame (SynapseML's API)."""

from __future__ import annotations

from typing import Any, Dict, List

from pyspark.ml.linalg import DenseMatrix, MatrixUDT
from pyspark.sql import DataFrame
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from mmlspark_py.core.params import HasLabelCol, Param, Params, TypeConverters, to_one_of
from mmlspark_py.core.stage import SchemaError, Transformer
from mmlspark_py.core.schema import active_spark
from mmlspark_py.train.columns import (ALL, CLASSIFICATION_ALL, CLASSIFICATION_METRICS, METRICS, REGRESSION_ALL,
                                       REGRESSION_METRICS, EvalColumns, resolve_columns)
from mmlspark_py.train.metrics import classification_metrics, regression_metrics
from mmlspark_py.train.scoring import CLASSIFICATION

EVALUATION_TYPE = "evaluation_type"
CONFUSION_MATRIX = "confusion_matrix"
CLASSIFICATION_COLUMNS = ["accuracy", "precision", "recall", "AUC", "areaUnderPR", "average_accuracy",
                          "macro_averaged_precision", "macro_averaged_recall"]
REGRESSION_COLUMNS = ["mean_squared_error", "root_mean_squared_error", "R^2", "mean_absolute_error"]


class HasEvaluatorParams(HasLabelCol):
    """labelCol, scoresCol, scoredLabelsCol and evaluationMetric, as SynapseML's evaluators."""

    scoresCol = Param(Params._dummy(), "scoresCol", "scores column: class probabilities or raw predictions "
                      "(vector) or the positive-class score; for regression the predictions",
                      typeConverter=TypeConverters.toString)
    scoredLabelsCol = Param(Params._dummy(), "scoredLabelsCol", "predicted labels column (classification)",
                            typeConverter=TypeConverters.toString)
    evaluationMetric = Param(Params._dummy(), "evaluationMetric", "metric(s) to compute: all, classification, "
                             "regression, or one of " + ", ".join(METRICS[3:]), typeConverter=to_one_of(METRICS))

    def _evaluator_defaults(self) -> None:
        self._setDefault(evaluationMetric=ALL)

    def eval_columns(self, schema: StructType) -> EvalColumns:
        return resolve_columns(self, schema, type(self).__name__)


class ComputeModelStatistics(Transformer, HasEvaluatorParams):
    """Evaluates a scored DataFrame into one row of metrics, computed in one pass over the data.

    :param labelCol, scoresCol, scoredLabelsCol: the columns; not needed on the output of our trainers (found
        from their metadata); for plain Spark ML output e.g. ``labelCol="label", scoredLabelsCol="prediction",
        scoresCol="probability"`` (regression: ``scoresCol="prediction"``).
    :param evaluationMetric: ``all`` (default), ``classification``, ``regression`` or one metric (``accuracy``,
        ``precision``, ``recall``, ``AUC``, ``areaUnderPR``, ``mse``, ``rmse``, ``r2``, ``mae``, ...).

    Output (one row), SynapseML's column names. Classification: ``evaluation_type`` ("Classification"),
    ``confusion_matrix`` (rows: true level, columns: predicted level, levels sorted), ``accuracy``,
    ``precision``, ``recall`` (binary: of the positive = second level; multiclass: micro-averaged),
    ``AUC``, ``areaUnderPR`` (binary; NaN for multiclass), ``average_accuracy``,
    ``macro_averaged_precision``, ``macro_averaged_recall``. Regression: ``evaluation_type`` ("Regression"),
    ``mean_squared_error``, ``root_mean_squared_error``, ``R^2``, ``mean_absolute_error``. Each equals
    scikit-learn's on the same predictions (see :mod:`mmlspark_py.train.metrics` for the conventions).

    ROC and PR curves: :func:`mmlspark_py.train.curves.roc_curve` / ``pr_curve`` return them as DataFrames.

    Errors: SchemaError naming the param, the missing column and what was sought.

    Example::

        ComputeModelStatistics().transform(trained_model.transform(test)).show()
        ComputeModelStatistics(labelCol="label", scoredLabelsCol="prediction", scoresCol="probability") \\
            .transform(spark_model.transform(test))
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._evaluator_defaults()

    def _columns(self, kind: str) -> List[str]:
        metric = self.getEvaluationMetric()
        names = CLASSIFICATION_COLUMNS if kind == CLASSIFICATION else REGRESSION_COLUMNS
        if metric in (ALL, CLASSIFICATION_ALL, REGRESSION_ALL):
            return names
        column_name = {**CLASSIFICATION_METRICS, **REGRESSION_METRICS}[metric]
        if column_name not in names:
            raise SchemaError(f"evaluationMetric: {metric!r} is not a {kind.lower()} metric")
        return [column_name]

    def _output_schema(self, kind: str) -> StructType:
        fields = [StructField(EVALUATION_TYPE, StringType(), False)]
        if kind == CLASSIFICATION and self.getEvaluationMetric() in (ALL, CLASSIFICATION_ALL):
            fields.append(StructField(CONFUSION_MATRIX, MatrixUDT(), False))
        return StructType(fields + [StructField(c, DoubleType(), False) for c in self._columns(kind)])

    def transformSchema(self, schema: StructType) -> StructType:
        return self._output_schema(self.eval_columns(schema).kind)

    def compute(self, dataset: DataFrame) -> Dict[str, Any]:
        """The metrics as a dict (plus ``levels``, the confusion matrix's order, for classification)."""
        cols = self.eval_columns(dataset.schema)
        if cols.kind == CLASSIFICATION:
            return {EVALUATION_TYPE: cols.kind, **classification_metrics(dataset, cols)}
        return {EVALUATION_TYPE: cols.kind, **regression_metrics(dataset, cols)}

    def _transform(self, dataset: DataFrame) -> DataFrame:
        metrics = self.compute(dataset)
        schema = self._output_schema(metrics[EVALUATION_TYPE])
        row = []
        for field in schema.fields:
            value = metrics[field.name]
            if field.name == CONFUSION_MATRIX:
                value = DenseMatrix(len(value), len(value), value.flatten(order="F").tolist())
            row.append(value)
        return active_spark().createDataFrame([tuple(row)], schema)
