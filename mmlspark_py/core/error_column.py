"""``errorCol`` handling, written once: null outputs plus the reason, or a clear failure naming the row.

Stages whose rows can fail one by one (a corrupt image, a tensor of the wrong shape) take an optional
``errorCol`` (:class:`mmlspark_py.core.params.HasErrorCol`). When it is set, a failed row gets null outputs and
the reason in that column (null for good rows) and the job goes on; when it is not set, the first failed row
stops the job with a :class:`RowError` naming the stage, the input column, the row and the reason.

Driver side: :func:`error_col_of` (the column name or None) and :func:`error_field` (its schema field).
Worker side, per Arrow batch: :class:`RowErrors`.

Example (inside a batch function)::

    errors = RowErrors(batch.num_rows, plan.error_col, stage="ImageTransformer", column="image")
    for i, origin in enumerate(origins):
        try:
            out[i] = work(i)
        except ValueError as e:
            errors.add(i, str(e), row_name=origin)      # raises at once when no errorCol is set
    arrays.append(errors.to_arrow()) if errors.collecting else None
"""

from __future__ import annotations

from typing import Any, List, Optional, Type

import numpy as np
import pyarrow as pa
from pyspark.sql.types import StringType, StructField

from mmlspark_py.core.tensors import is_none

__all__ = ["RowError", "RowErrors", "error_col_of", "error_field"]


class RowError(RuntimeError):
    """A row failed and no ``errorCol`` was set to receive the reason."""


def error_col_of(stage: Any) -> Optional[str]:
    """The stage's ``errorCol`` when set, else None."""
    return stage.getOrDefault("errorCol") if stage.hasParam("errorCol") and stage.isDefined("errorCol") else None


def error_field(name: str) -> StructField:
    """The schema field of an error column: a nullable string."""
    return StructField(name, StringType(), True)


def _one_line(text: str, limit: int = 500) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


class RowErrors:
    """The reasons rows of one batch failed.

    :param num_rows: rows in the batch.
    :param error_col: the error column (None: the first failure raises :class:`RowError`).
    :param stage: the stage's name, for messages.
    :param column: the input column, for messages.
    :param error_type: the exception raised for a failed row (a :class:`RowError` subclass).
    """

    def __init__(
        self, num_rows: int, error_col: Optional[str], stage: str, column: str, error_type: Type[RowError] = RowError
    ):
        self.reasons: np.ndarray = np.full(num_rows, None, dtype=object)
        self.error_col = error_col
        self.stage = stage
        self.column = column
        self.error_type = error_type

    @property
    def collecting(self) -> bool:
        """Whether failures are collected into an error column (rather than raised)."""
        return self.error_col is not None

    def add(self, row: int, reason: str, row_name: Optional[str] = None) -> None:
        """Record that ``row`` failed; raises :class:`RowError` at once when no error column is set.

        :param row_name: what identifies the row to a person (a file path, a key), if anything.
        """
        if self.reasons[row] is None:
            self.reasons[row] = _one_line(reason)
        if not self.collecting:
            raise self.error(row, row_name)

    def mark(self, mask: np.ndarray, reason: str) -> None:
        """Record ``reason`` for every row where ``mask`` is true that has no reason yet (then as :meth:`add`)."""
        fresh = np.asarray(mask, dtype=bool) & self._blank()
        self.reasons[fresh] = _one_line(reason)
        if not self.collecting and fresh.any():
            raise self.error(int(np.flatnonzero(fresh)[0]))

    def error(self, row: int, row_name: Optional[str] = None) -> RowError:
        """The exception for ``row``'s failure."""
        where = f"row {row} of a batch" + (f" ({row_name})" if row_name else "")
        return self.error_type(
            f"{self.stage}: column {self.column!r}, {where}: {self.reasons[row]} (set errorCol to get "
            "a null output and the reason instead of a failed job)"
        )

    def failed(self) -> np.ndarray:
        """A boolean mask of the rows that failed."""
        return ~self._blank()

    def _blank(self) -> np.ndarray:
        return is_none(self.reasons)

    def to_arrow(self) -> pa.Array:
        """The error column's values for this batch (null for rows that did not fail)."""
        values: List[Optional[str]] = self.reasons.tolist()
        return pa.array(values, pa.string())
