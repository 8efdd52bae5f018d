"""What TrainClassifier and TrainRegressor share: the learner param, learner-aware featurization and fitting.

Featurization depends on the learner (as SynapseML's ``getFeaturizeParams``, plus what SynapseML lacks):

* tree learners (decision tree, random forest, GBT): categoricals keep their index (no one-hot) and are marked
  categorical for the tree; ``maxBins`` is raised when a categorical has more levels; 2^12 hash slots per text
  column;
* multilayer perceptron: 2^12 hash slots; the first and last entries of ``layers`` are replaced by the feature
  vector's size and the number of classes (so ``layers=[1, 10, 1]`` means one hidden layer of 10);
* naive Bayes: features scaled to [0, 1] (MinMaxScaler) and clipped at 0 (a value below the training minimum
  at scoring time would otherwise fail Spark's non-negativity check); 2^12 slots;
* everything else: one-hot categoricals, 2^18 slots (SynapseML's defaults).
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from pyspark.ml import Estimator as SparkEstimator
from pyspark.ml import PipelineModel
from pyspark.ml.classification import (
    DecisionTreeClassifier,
    GBTClassifier,
    MultilayerPerceptronClassifier,
    NaiveBayes,
    RandomForestClassifier,
)
from pyspark.ml.feature import MinMaxScaler
from pyspark.ml.functions import array_to_vector, vector_to_array
from pyspark.ml.linalg import VectorUDT
from pyspark.ml.regression import DecisionTreeRegressor, GBTRegressor, RandomForestRegressor
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from mmlspark_py.core.params import (
    HasFeaturesCol,
    HasInputCol,
    HasInputCols,
    HasLabelCol,
    StageParam,
    declare,
    from_uid,
    override,
    to_non_negative_int,
)
from mmlspark_py.core.schema import planned_schema
from mmlspark_py.core.stage import SchemaError, Transformer, column, require_column
from mmlspark_py.featurize import NUM_FEATURES_DEFAULT, NUM_FEATURES_TREE_OR_NN, Featurize, FeaturizeModel

TREE_LEARNERS = (
    DecisionTreeClassifier,
    RandomForestClassifier,
    GBTClassifier,
    DecisionTreeRegressor,
    RandomForestRegressor,
    GBTRegressor,
)


class LearnerError(TypeError):
    """The ``model`` param is not a Spark ML learner of the kind the trainer needs."""


def check_learner(learner: Any, trainer: str, kind: str) -> None:
    """Raise LearnerError unless ``learner`` is a Spark ML predictor (featuresCol/labelCol/predictionCol)."""
    needed = ("featuresCol", "labelCol", "predictionCol")
    is_predictor = isinstance(learner, SparkEstimator) and all(learner.hasParam(p) for p in needed)
    is_classifier = is_predictor and learner.hasParam("rawPredictionCol")
    if not is_predictor or (kind == "classifier") != is_classifier:
        raise LearnerError(
            f"{trainer}: model must be a Spark ML {kind} (an Estimator with featuresCol, labelCol "
            f"and predictionCol{', rawPredictionCol' if kind == 'classifier' else ''}, e.g. "
            f"{'LogisticRegression' if kind == 'classifier' else 'LinearRegression'}); got "
            f"{type(learner).__module__}.{type(learner).__name__}"
        )


class AutoTrainerParams(HasLabelCol, HasInputCols, HasFeaturesCol):
    """Params shared by the trainers and their models."""

    model = StageParam.declare(
        "the Spark ML learner to train (trainer) or the fitted featurization + learner PipelineModel (trained model)"
    )
    featuresCol = override(
        HasFeaturesCol.featuresCol,
        default=from_uid("_features"),
        doc="the name of the features column the learner reads (internal; not in the output)",
    )
    inputCols = override(HasInputCols.inputCols, doc="the feature columns (default: every column but the label)")
    numFeatures = declare(
        "number of features to hash string columns to; 0 chooses by learner (2^12 for trees, "
        "perceptrons and naive Bayes, else 2^18)",
        to_non_negative_int,
        default=0,
    )

    def _temp(self, what: str) -> str:
        return f"__{self.uid}_{what}"

    def feature_columns(self, schema: StructType) -> List[str]:
        """``inputCols`` if set, else every column but the label (and the features column)."""
        if self.isSet("inputCols"):
            for name in self.getInputCols():
                require_column(schema, name, param="inputCols")
            return list(self.getInputCols())
        internal = self._temp("")
        return [
            c
            for c in schema.names
            if c not in (self.getLabelCol(), self.getFeaturesCol()) and not c.startswith(internal)
        ]

    def check_input(self, schema: StructType, need_label: bool) -> None:
        if need_label:
            require_column(schema, self.getLabelCol(), param="labelCol")
        if not self.feature_columns(schema):
            raise SchemaError("inputCols: there are no feature columns besides the label")


def output_columns(learner: Any) -> List[Tuple[str, str]]:
    """(param, column) of each column the learner writes: rawPredictionCol, probabilityCol, predictionCol (as
    the learner names them; a param set to "" writes nothing, as in Spark)."""
    out = []
    for param in ("rawPredictionCol", "probabilityCol", "predictionCol"):
        if learner.hasParam(param) and learner.getOrDefault(param):
            out.append((param, learner.getOrDefault(param)))
    return out


def nullable(col: Column) -> Column:
    """``col`` marked nullable: the output schema is then the same whatever the learner declares."""
    return F.when(col.isNotNull(), col)


def featurize_settings(learner: Any, num_features: int) -> Tuple[bool, int, bool]:
    """(one-hot categoricals, hash slots, scale to [0, 1]) for ``learner``."""
    small = isinstance(learner, TREE_LEARNERS + (MultilayerPerceptronClassifier, NaiveBayes))
    slots = num_features or (NUM_FEATURES_TREE_OR_NN if small else NUM_FEATURES_DEFAULT)
    return not isinstance(learner, TREE_LEARNERS), slots, isinstance(learner, NaiveBayes)


class _NonNegative(Transformer, HasInputCol):
    """Replaces negative entries of vector column ``inputCol`` by 0, in place (internal to the trainers)."""

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), VectorUDT())
        return planned_schema(self._transform, schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        values = vector_to_array(column(self.getInputCol()))
        clipped = array_to_vector(F.transform(values, lambda x: F.greatest(x, F.lit(0.0))))
        return dataset.withColumn(self.getInputCol(), clipped)


def _max_categories(df: DataFrame, features_col: str) -> int:
    attrs = df.schema[features_col].metadata.get("ml_attr", {}).get("attrs", {})
    return max([len(a.get("vals", [])) or a.get("num_vals", 0) for a in attrs.get("nominal", [])] + [0])


def fit_pipeline(
    trainer: AutoTrainerParams, data: DataFrame, label: str, learner: Any, num_classes: Optional[int]
) -> PipelineModel:
    """Featurize ``data`` for ``learner`` (trained on column ``label``) and fit; the fitted PipelineModel."""
    features = trainer.getFeaturesCol()
    one_hot, slots, scale = featurize_settings(learner, trainer.getNumFeatures())
    featurizer = Featurize(
        inputCols=trainer.feature_columns(data.schema),
        outputCol=features,
        oneHotEncodeCategoricals=one_hot,
        numFeatures=slots,
    )
    featurize_model: FeaturizeModel = featurizer.fit(data)
    raw = trainer._temp("unscaled") if scale else features
    featurize_model.setOutputCol(raw)
    featurized = featurize_model.featurize(data, raw, keep_metadata=True)
    stages: List[Any] = [featurize_model]
    if scale:
        scaler = MinMaxScaler(inputCol=raw, outputCol=features).fit(featurized)
        clip = _NonNegative(inputCol=features)
        featurized = clip.transform(scaler.transform(featurized))
        stages += [scaler, clip]
    learner.setFeaturesCol(features).setLabelCol(label)
    if learner.hasParam("maxBins"):
        needed = _max_categories(featurized, features)
        if needed > learner.getOrDefault("maxBins"):
            learner.set(learner.getParam("maxBins"), needed)
    if isinstance(learner, MultilayerPerceptronClassifier):
        _set_layers(learner, featurized, features, num_classes or 2)
    stages.append(learner.fit(featurized))
    return PipelineModel(stages=stages)


def _set_layers(
    learner: MultilayerPerceptronClassifier, featurized: DataFrame, features: str, num_classes: int
) -> None:
    """Input layer = feature vector size, output layer = number of classes (hidden layers as given)."""
    size = featurized.schema[features].metadata["ml_attr"]["num_attrs"]
    hidden = list(learner.getLayers())[1:-1] if learner.isDefined("layers") else []
    learner.setLayers([size] + hidden + [num_classes])
