"""Errors raised by data preparation by example."""


class DataPrepError(ValueError):
    """Base class: bad examples, bad parameters or no program found."""


class ContradictoryExamples(DataPrepError):
    """Two examples share an input but not an output."""


class NoProgramFound(DataPrepError):
    """No program in the language explains all the examples."""


class SynthesisTimeout(DataPrepError):
    """Synthesis ran past its time budget."""
