"""Errors raised by data preparation by example."""


class DataPrepError(ValueError):
    """Base class: bad examples, bad parameters or no program found."""


class ContradictoryExamples(DataPrepError):
    """Two examples share an input but not an output."""


class NoProgramFound(DataPrepError):
    """No program in the language explains all the examples."""


class SynthesisTimeout(DataPrepError):
    """Synthesis ran past its time budget."""


class InvalidProgram(DataPrepError):
    """A saved or given program is malformed: the message names the field and what is valid."""
