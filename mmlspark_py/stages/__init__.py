"""Utility stages (SynapseML's ``synapse.ml.stages``): column shaping, partitioning, caching, functions and
UDFs as stages, summaries, ensembling, class balancing, value lumping, stratified repartitioning, timing,
per-column adapters and mini-batching.

``TextPreprocessor`` and ``UnicodeNormalize`` live in :mod:`mmlspark_py.featurize.text`; they are importable
from here too because SynapseML users import them from ``synapse.ml.stages``.
"""

from typing import Any

from .class_balancer import ClassBalancer, ClassBalancerModel
from .columns import DropColumns, Explode, RenameColumn, SelectColumns
from .ensemble_by_key import EnsembleByKey
from .lambda_stage import Lambda
from .lump_features import LumpFeatures, LumpFeaturesModel
from .mini_batch import (
    DynamicMiniBatchTransformer,
    FixedMiniBatchTransformer,
    FlattenBatch,
    TimeIntervalMiniBatchTransformer,
)
from .multi_column_adapter import MultiColumnAdapter, MultiColumnAdapterModel
from .partitioning import Cacher, PartitionConsolidator, Repartition
from .references import ObjectReferenceError, allow_function_modules, allow_pickled_functions, register_function
from .stratified_repartition import StratifiedRepartition
from .summarize_data import SummarizeData
from .timer import Timer, TimerModel
from .udf_transformer import UDFTransformer

__all__ = [
    "SelectColumns",
    "DropColumns",
    "RenameColumn",
    "Explode",
    "Repartition",
    "Cacher",
    "PartitionConsolidator",
    "Lambda",
    "UDFTransformer",
    "SummarizeData",
    "EnsembleByKey",
    "ClassBalancer",
    "ClassBalancerModel",
    "LumpFeatures",
    "LumpFeaturesModel",
    "StratifiedRepartition",
    "Timer",
    "TimerModel",
    "MultiColumnAdapter",
    "MultiColumnAdapterModel",
    "FixedMiniBatchTransformer",
    "DynamicMiniBatchTransformer",
    "TimeIntervalMiniBatchTransformer",
    "FlattenBatch",
    "TextPreprocessor",
    "UnicodeNormalize",
    "register_function",
    "allow_function_modules",
    "allow_pickled_functions",
    "ObjectReferenceError",
]

_FROM_FEATURIZE_TEXT = ("TextPreprocessor", "UnicodeNormalize")


def __getattr__(name: str) -> Any:
    # Imported on first use, not at import time: featurize sits above stages and may one day use stages itself.
    if name in _FROM_FEATURIZE_TEXT:
        import mmlspark_py.featurize.text as text

        return getattr(text, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
