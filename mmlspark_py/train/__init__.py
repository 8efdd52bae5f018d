"""Training and evaluation (SynapseML's ``synapse.ml.train``): TrainClassifier, TrainRegressor,
ComputeModelStatistics, ComputePerInstanceStatistics, ROC/PR curves as DataFrames, and the metric names model
selection ranks by (plots are in :mod:`mmlspark_py.plot`)."""

from mmlspark_py.train.auto_trainer import LearnerError
from mmlspark_py.train.compute_model_statistics import ComputeModelStatistics
from mmlspark_py.train.compute_per_instance_statistics import ComputePerInstanceStatistics
from mmlspark_py.train.curves import FPR, PRECISION, RECALL, THRESHOLD, TPR, pr_curve, roc_curve
from mmlspark_py.train.metric_names import (
    CLASSIFICATION,
    CONFUSION_MATRIX,
    EVALUATION_TYPE,
    REGRESSION,
    SELECTION_METRICS,
    better,
    metric_column,
)
from mmlspark_py.train.metrics import ConfusionCells
from mmlspark_py.train.train_classifier import TrainClassifier, TrainedClassifierModel, TrainingDataError
from mmlspark_py.train.train_regressor import TrainedRegressorModel, TrainRegressor

__all__ = [
    "TrainClassifier",
    "TrainedClassifierModel",
    "TrainRegressor",
    "TrainedRegressorModel",
    "ComputeModelStatistics",
    "ComputePerInstanceStatistics",
    "roc_curve",
    "pr_curve",
    "LearnerError",
    "TrainingDataError",
    "ConfusionCells",
    "CLASSIFICATION",
    "REGRESSION",
    "EVALUATION_TYPE",
    "CONFUSION_MATRIX",
    "SELECTION_METRICS",
    "metric_column",
    "better",
    "THRESHOLD",
    "FPR",
    "TPR",
    "PRECISION",
    "RECALL",
]
