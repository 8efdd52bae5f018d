"""The Spark path: any fitted pipeline scores a batch of request rows as one small Spark job.

The rows become a DataFrame of the model's input schema, the model transforms it, and the output columns are
collected (a batch of requests is small by construction: the server limits it). Slower than the fast path
(planning plus a job per batch), but it runs every stage Spark can run.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from mmlspark_py.tracking.signature import ModelIO


class SparkModel:
    """Scores rows (tuples in input-schema order) through ``model.transform`` on ``spark``."""

    def __init__(self, model: Any, io: ModelIO, spark: Any):
        self.model, self.io, self.spark = model, io, spark

    def predict(self, rows: Sequence[tuple]) -> List[Dict[str, Any]]:
        if not rows:
            return []
        frame = self.spark.createDataFrame(list(rows), self.io.input_schema, verifySchema=False)
        # one local relation and narrow stages: collect returns the rows in request order
        collected = self.model.transform(frame).select(*[_column(c) for c in self.io.outputs]).collect()
        if len(collected) != len(rows):
            raise RuntimeError(f"the model returned {len(collected)} rows for {len(rows)}: a stage drops or adds "
                               "rows (e.g. handleInvalid='skip'), which a request cannot be answered with")
        return [{c: _plain(r[c]) for c in self.io.outputs} for r in collected]


def _column(name: str) -> Any:
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def _plain(value: Any) -> Any:
    """Spark ML vectors as lists of floats (as the fast path returns them)."""
    if hasattr(value, "toArray"):
        return [float(v) for v in value.toArray()]
    return value
