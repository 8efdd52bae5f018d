"""The fast path: a fitted pipeline evaluated in-process with numpy, no Spark job per request.

:func:`compile_local` turns a model into a :class:`LocalModel` when every stage has an exact local
implementation (:mod:`.local_stages` for Spark's stages, :mod:`.local_ours` for ours); otherwise it raises
:class:`Unsupported` naming the first stage that has none, and the server uses the Spark path. The results
equal the Spark path's (tested side by side).

Example::

    local = compile_local(model, io)                  # io: the model's signature (mmlspark_py.tracking)
    local.predict([("Boston", 41.0, 40)])             # [{"probability": [...], "prediction": 1.0, ...}]
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

import numpy as np
from pyspark.ml.linalg import VectorUDT
from pyspark.sql.types import BooleanType, DataType, NumericType, StringType

from mmlspark_py.serving import local_ours  # noqa: F401  (registers our stages' compilers)
from mmlspark_py.serving.local_stages import (
    NUMBER,
    OTHER,
    STRING,
    Batch,
    Col,
    Kind,
    ScoringError,
    Unsupported,
    compile_stage,
)
from mmlspark_py.tracking import ModelIO

__all__ = ["compile_local", "LocalModel", "Unsupported", "ScoringError"]


def _kind(data_type: DataType) -> Kind:
    if isinstance(data_type, StringType):
        return STRING
    if isinstance(data_type, (NumericType, BooleanType)):
        return NUMBER
    return OTHER


def _output(values: np.ndarray, nulls: np.ndarray, data_type: DataType) -> List[Any]:
    """Column values as Python values of ``data_type`` (what the Spark path's collect gives)."""
    if isinstance(data_type, VectorUDT):
        return [None if null else row.tolist() for row, null in zip(values, nulls)]
    if isinstance(data_type, BooleanType):
        return [None if null else bool(v) for v, null in zip(values, nulls)]
    if isinstance(data_type, NumericType) and data_type.typeName() in ("byte", "short", "integer", "long"):
        return [None if null or v is None else int(v) for v, null in zip(values, nulls)]
    if isinstance(data_type, NumericType):
        return [None if null or v is None else float(v) for v, null in zip(values, nulls)]
    return [None if null else v for v, null in zip(values, nulls)]


class LocalModel:
    """A model compiled for the fast path; :meth:`predict` scores rows (tuples in input-schema order)."""

    def __init__(self, stage: Any, io: ModelIO):
        self.io = io
        kinds = {f.name: _kind(f.dataType) for f in io.input_schema.fields}
        self.compiled = compile_stage(stage, kinds)
        missing = [c for c in io.outputs if c not in self.compiled.outputs]
        if missing:
            raise Unsupported(f"the output column(s) {missing} are not computed locally")
        self._input_kinds = [(f.name, kinds[f.name]) for f in io.input_schema.fields]

    def _batch(self, rows: Sequence[tuple]) -> Batch:
        batch: Batch = {}
        for i, (name, kind) in enumerate(self._input_kinds):
            column = [row[i] for row in rows]
            nulls = np.array([v is None for v in column], bool)
            if kind is NUMBER:
                values = np.array([np.nan if v is None else float(v) for v in column], float)
            else:
                values = np.empty(len(column), object)
                values[:] = column
            batch[name] = Col(values, nulls)
        return batch

    def predict(self, rows: Sequence[tuple]) -> List[Dict[str, Any]]:
        """The output columns of each row. :raises ScoringError: where Spark would fail on the row."""
        if not rows:
            return []
        batch = self._batch(rows)
        self.compiled.apply(batch)
        columns = {
            f.name: _output(batch[f.name].values, batch[f.name].nulls, f.dataType) for f in self.io.output_schema.fields
        }
        return [{name: columns[name][i] for name in self.io.outputs} for i in range(len(rows))]


def compile_local(model: Any, io: ModelIO) -> LocalModel:
    """``model`` (a PipelineModel or one stage) for the fast path. :raises Unsupported: naming the stage."""
    return LocalModel(model, io)
