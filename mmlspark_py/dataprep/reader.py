"""Loading saved dataprep models: every program is validated on load, and an error names the file.

``ProgramReader`` is the ``core`` stage reader with one addition: a param value that its type converter
refuses (a program with a field out of range, an operator that does not exist, SQL text where an enum
belongs) fails the load with ``InvalidProgram`` naming the metadata file, the param and the field, instead
of loading a model that would run it.

Example::

    >>> DeriveColumnByExampleModel.load("/models/bad")     # doctest: +SKIP
    InvalidProgram: /models/bad/metadata/part-00000: param "program": programs[0]: Program.branches[0]: ...
"""
from __future__ import annotations

import os

from mmlspark_py.core.persistence import StageReader

from .errors import InvalidProgram


class ProgramReader(StageReader):
    """A ``StageReader`` whose refused param values name the file they were read from."""

    def load(self, path: str):
        try:
            return super().load(path)
        except (ValueError, TypeError) as e:
            where = os.path.join(path, "metadata", "part-00000")
            raise InvalidProgram(f"{where}: {e}") from None
