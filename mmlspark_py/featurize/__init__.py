"""Featurization (SynapseML's ``synapse.ml.featurize``): Featurize, CleanMissingData, CountSelector,
ValueIndexer, IndexToValue, DataConversion; and the helpers of categorical columns other areas use (levels in
column metadata, value <-> index expressions). Free-text featurization lives in :mod:`mmlspark_py.featurize.text`
(imported lazily by Featurize, never here)."""

from mmlspark_py.featurize.categorical import (
    IndexToValue,
    ValueIndexer,
    ValueIndexerModel,
    get_levels,
    index_column,
    levels_metadata,
    sort_levels,
    value_column,
)
from mmlspark_py.featurize.clean_missing_data import CleanMissingData, CleanMissingDataModel
from mmlspark_py.featurize.count_selector import CountSelector, CountSelectorModel
from mmlspark_py.featurize.data_conversion import DataConversion
from mmlspark_py.featurize.featurize import (
    NUM_FEATURES_DEFAULT,
    NUM_FEATURES_TREE_OR_NN,
    Featurize,
    FeaturizeError,
    FeaturizeModel,
)

__all__ = [
    "Featurize",
    "FeaturizeModel",
    "FeaturizeError",
    "CleanMissingData",
    "CleanMissingDataModel",
    "CountSelector",
    "CountSelectorModel",
    "ValueIndexer",
    "ValueIndexerModel",
    "IndexToValue",
    "DataConversion",
    "NUM_FEATURES_DEFAULT",
    "NUM_FEATURES_TREE_OR_NN",
    "sort_levels",
    "index_column",
    "value_column",
    "levels_metadata",
    "get_levels",
]
