"""Training and evaluation (SynapseML's ``synapse.ml.train``): TrainClassifier, TrainRegressor,
ComputeModelStatistics, ComputePerInstanceStatistics, ROC/PR curves (plots and
:func:`mmlspark_py.plot.quick_report` are in :mod:`mmlspark_py.plot`)."""

from mmlspark_py.train.auto_trainer import LearnerError
from mmlspark_py.train.compute_model_statistics import ComputeModelStatistics
from mmlspark_py.train.compute_per_instance_statistics import ComputePerInstanceStatistics
from mmlspark_py.train.curves import pr_curve, roc_curve
from mmlspark_py.train.train_classifier import TrainClassifier, TrainedClassifierModel, TrainingDataError
from mmlspark_py.train.train_regressor import TrainedRegressorModel, TrainRegressor

__all__ = ["TrainClassifier", "TrainedClassifierModel", "TrainRegressor", "TrainedRegressorModel",
           "ComputeModelStatistics", "ComputePerInstanceStatistics", "roc_curve", "pr_curve",
           "LearnerError", "TrainingDataError"]
