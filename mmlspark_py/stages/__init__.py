"""Utility stages (SynapseML's ``synapse.ml.stages``): column shaping, partitioning, caching, functions and
UDFs as stages, summaries, ensembling, class balancing, stratified repartitioning, timing, per-column
adapters and mini-batching.
"""
from .class_balancer import ClassBalancer, ClassBalancerModel
from .columns import DropColumns, Explode, RenameColumn, SelectColumns
from .ensemble_by_key import EnsembleByKey
from .lambda_stage import Lambda
from .mini_batch import (
                         DynamicMiniBatchTransformer,
                         FixedMiniBatchTransformer,
                         FlattenBatch,
                         TimeIntervalMiniBatchTransformer,
)
from .multi_column_adapter import MultiColumnAdapter, MultiColumnAdapterModel
from .partitioning import Cacher, PartitionConsolidator, Repartition
from .stratified_repartition import StratifiedRepartition
from .summarize_data import SummarizeData
from .timer import Timer, TimerModel
from .udf_transformer import UDFTransformer

__all__ = ["SelectColumns", "DropColumns", "RenameColumn", "Explode", "Repartition", "Cacher",
           "PartitionConsolidator", "Lambda", "UDFTransformer", "SummarizeData", "EnsembleByKey", "ClassBalancer",
           "ClassBalancerModel", "StratifiedRepartition", "Timer", "TimerModel", "MultiColumnAdapter",
           "MultiColumnAdapterModel",
           "FixedMiniBatchTransformer", "DynamicMiniBatchTransformer", "TimeIntervalMiniBatchTransformer",
           "FlattenBatch"]
