"""Data preparation by example: learn string transformations from a few input -> output examples.

``learn(examples, inputs=...)`` works on plain Python lists; the Spark stages
(``DeriveColumnByExample``, ``SplitColumnByExample``) compile learned programs to Spark SQL.
"""
from .errors import ContradictoryExamples, DataPrepError, NoProgramFound, SynthesisTimeout
from .learn import LearnedProgram, learn

__all__ = ["learn", "LearnedProgram", "DataPrepError", "ContradictoryExamples", "NoProgramFound",
           "SynthesisTimeout"]
