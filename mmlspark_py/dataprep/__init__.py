"""Data preparation by example: learn string transformations from a few input -> output examples.

``learn(examples, inputs=...)`` works on plain Python lists; the Spark stages (``DeriveColumnByExample``,
``SplitColumnByExample`` and the prep steps) compile learned programs to Spark SQL;
``package.run_prep_package`` runs a saved or declared sequence of steps as a job.
"""

from .derive import DeriveColumnByExample, DeriveColumnByExampleModel
from .errors import ContradictoryExamples, DataPrepError, InvalidProgram, NoProgramFound, SynthesisTimeout
from .learn import LearnedProgram, learn
from .split import SplitColumnByExample, SplitColumnByExampleModel
from .steps import DataPrepConvertType, DataPrepFillMissing, DataPrepFilter, DataPrepSelect

__all__ = [
    "learn",
    "LearnedProgram",
    "DataPrepError",
    "ContradictoryExamples",
    "InvalidProgram",
    "NoProgramFound",
    "SynthesisTimeout",
    "DeriveColumnByExample",
    "DeriveColumnByExampleModel",
    "SplitColumnByExample",
    "SplitColumnByExampleModel",
    "DataPrepConvertType",
    "DataPrepFillMissing",
    "DataPrepFilter",
    "DataPrepSelect",
]
