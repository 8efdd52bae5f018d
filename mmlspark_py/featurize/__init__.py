"""Featurization (SynapseML's ``synapse.ml.featurize``): Featurize, CleanMissingData, ValueIndexer,
IndexToValue, DataConversion. Free-text featurization lives in :mod:`mmlspark_py.featurize.text` (imported
lazily by Featurize, never here)."""

from mmlspark_py.featurize.categorical import IndexToValue, ValueIndexer, ValueIndexerModel
from mmlspark_py.featurize.clean_missing_data import CleanMissingData, CleanMissingDataModel
from mmlspark_py.featurize.data_conversion import DataConversion
from mmlspark_py.featurize.featurize import Featurize, FeaturizeError, FeaturizeModel

__all__ = ["Featurize", "FeaturizeModel", "FeaturizeError", "CleanMissingData", "CleanMissingDataModel",
           "ValueIndexer", "ValueIndexerModel", "IndexToValue", "DataConversion"]
