"""Model selection (SynapseML's ``synapse.ml.automl``): FindBestModel, TuneHyperparameters and the
hyperparameter spaces (HyperparamBuilder, GridSpace, RandomSpace, DiscreteHyperParam, RangeHyperParam)."""

from mmlspark_py.automl.find_best_model import BestModel, FindBestModel
from mmlspark_py.automl.hyperparams import (
    DiscreteHyperParam,
    GridSpace,
    HyperparamBuilder,
    RandomSpace,
    RangeHyperParam,
)
from mmlspark_py.automl.tune_hyperparameters import TuneHyperparameters, TuneHyperparametersModel

__all__ = [
    "FindBestModel",
    "BestModel",
    "TuneHyperparameters",
    "TuneHyperparametersModel",
    "HyperparamBuilder",
    "GridSpace",
    "RandomSpace",
    "DiscreteHyperParam",
    "RangeHyperParam",
]
