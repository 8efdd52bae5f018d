"""The Spark path: any fitted pipeline scores a batch of request rows through ``model.transform``.

The rows become a DataFrame of the model's input schema, the model transforms it, and the output columns are
collected (a batch of requests is small by construction: the server limits it). The rows travel as an Arrow
table when the schema allows (no UDT columns): Spark then holds them as a local relation and usually evaluates
the JVM stages while planning, without a job (~6x faster than a DataFrame built from Python tuples, which
needs a job). Slower than the fast path (planning costs tens of milliseconds), but it runs every stage Spark
can run.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from mmlspark_py.core.spark_compat import SPARK_VERSION
from mmlspark_py.serving.local_stages import ScoringError
from mmlspark_py.tracking import ModelIO


class SparkModel:
    """Scores rows (tuples in input-schema order) through ``model.transform`` on ``spark``."""

    def __init__(self, model: Any, io: ModelIO, spark: Any):
        self.model, self.io, self.spark = model, io, spark
        self._arrow_schema = None
        if SPARK_VERSION >= (4, 0):  # pyspark 3.5's createDataFrame cannot take an Arrow table: Python rows there
            try:
                from pyspark.sql.pandas.types import to_arrow_schema

                self._arrow_schema = to_arrow_schema(io.input_schema)
            except Exception:  # noqa: BLE001 - UDT columns (vectors): Python rows instead
                pass

    def _frame(self, rows: Sequence[tuple]) -> Any:
        if self._arrow_schema is not None:
            import pyarrow as pa

            columns = list(zip(*rows))
            table = pa.Table.from_arrays(
                [pa.array(c, type=f.type) for c, f in zip(columns, self._arrow_schema)], schema=self._arrow_schema
            )
            return self.spark.createDataFrame(table)
        return self.spark.createDataFrame(list(rows), self.io.input_schema, verifySchema=False)

    def predict(self, rows: Sequence[tuple]) -> List[Dict[str, Any]]:
        if not rows:
            return []
        frame = self._frame(rows)
        # one local relation and narrow stages: collect returns the rows in request order
        collected = self.model.transform(frame).select(*[_column(c) for c in self.io.outputs]).collect()
        if len(collected) != len(rows):
            raise ScoringError(
                f"the model returned {len(collected)} rows for {len(rows)}: a stage drops or adds "
                "rows (e.g. handleInvalid='skip' on a null or NaN), which a request cannot be answered with"
            )
        return [{c: _plain(r[c]) for c in self.io.outputs} for r in collected]


def _column(name: str) -> Any:
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def _plain(value: Any) -> Any:
    """Spark ML vectors as lists of floats (as the fast path returns them)."""
    if hasattr(value, "toArray"):
        return [float(v) for v in value.toArray()]
    return value
