"""ComputePerInstanceStatistics: a loss per row (SynapseML's API, with the log-loss bug fixed)."""

from __future__ import annotations

import numpy as np
from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StructType

from mmlspark_py.core.params import TypeConverters, declare
from mmlspark_py.core.schema import planned_schema
from mmlspark_py.core.stage import SchemaError, Transformer, column, require_column
from mmlspark_py.featurize import index_column
from mmlspark_py.train import jvm_paths
from mmlspark_py.train.compute_model_statistics import HasEvaluatorParams
from mmlspark_py.train.metric_names import CLASSIFICATION
from mmlspark_py.train.scoring import find_scored_columns

L1_LOSS, L2_LOSS, LOG_LOSS = "L1_loss", "L2_loss", "log_loss"
_EPS = float(np.finfo(np.float64).eps)  # scikit-learn's log_loss clips probabilities to [eps, 1 - eps]


class ComputePerInstanceStatistics(Transformer, HasEvaluatorParams):
    """Adds each row's loss: ``L1_loss`` and ``L2_loss`` (regression) or ``log_loss`` (classification).

    Columns in: as :class:`ComputeModelStatistics` (found from our trainers' metadata when not set); the class
    probabilities for ``log_loss``: ``scoredProbabilitiesCol`` (default: our trainers' ``probability``).

    ``log_loss`` is ``-log(p)`` with ``p`` the probability of the row's TRUE label (clipped to [eps, 1-eps], as
    scikit-learn's ``log_loss``). SynapseML takes the probability of the *predicted* label, which rewards
    confident mistakes; that is not copied. The true label's vector index comes from the model's levels, or,
    for plain Spark output, is the label value itself. Rows with a null or unknown label get a null loss.

    Errors: SchemaError naming a missing column, or when classification has no probabilities column.

    Example::

        ComputePerInstanceStatistics().transform(trained_model.transform(test)).select("log_loss")
    """

    scoredProbabilitiesCol = declare(
        "scored probabilities column name (vector) for log_loss, only required if using SparkML estimators",
        TypeConverters.toString,
    )

    def _probabilities(self, schema: StructType) -> str:
        if self.isSet("scoredProbabilitiesCol"):
            name = self.getScoredProbabilitiesCol()
        else:
            found = find_scored_columns(schema)
            name = found.scored_probabilities if found else None
            if name is None and self.isSet("scoresCol"):
                cols = self.eval_columns(schema)
                name = cols.scores if cols.scores_is_vector else None
        if name is None:
            raise SchemaError(
                "scoredProbabilitiesCol: classification log_loss needs class probabilities; found "
                "no probability column in the score metadata and scoresCol is not a vector; set "
                "scoredProbabilitiesCol (e.g. 'probability')"
            )
        require_column(schema, name, VectorUDT(), param="scoredProbabilitiesCol")
        return name

    def transformSchema(self, schema: StructType) -> StructType:
        cols = self.eval_columns(schema)
        if cols.kind == CLASSIFICATION:
            self._probabilities(schema)
        return planned_schema(self._transform, schema)

    def _true_index(self, schema: StructType) -> Column:
        cols = self.eval_columns(schema)
        label = column(cols.label)
        if cols.levels is not None and not cols.label_is_index:
            return index_column(label, cols.levels, schema[cols.label].dataType)
        return label.cast("int")

    def _transform(self, dataset: DataFrame) -> DataFrame:
        cols = self.eval_columns(dataset.schema)
        if cols.kind != CLASSIFICATION:
            assert cols.scores is not None  # resolve_columns gives regression a scores column
            error = column(cols.label).cast("double") - column(cols.scores).cast("double")
            return dataset.withColumn(L1_LOSS, F.abs(error).cast(DoubleType())).withColumn(
                L2_LOSS, (error * error).cast(DoubleType())
            )
        probabilities = column(self._probabilities(dataset.schema))
        index = self._true_index(dataset.schema) + F.lit(1)
        p = jvm_paths.vector_at(dataset, probabilities, index)  # the JVM companion's path: no array per row
        if p is None:
            p = F.try_element_at(vector_to_array(probabilities), index)
        clipped = F.least(F.greatest(p, F.lit(_EPS)), F.lit(1.0 - _EPS))
        return dataset.withColumn(LOG_LOSS, (-F.log(clipped)).cast(DoubleType()))
