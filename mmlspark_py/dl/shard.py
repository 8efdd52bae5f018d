"""A training worker's share of a DataFrame, and the batches each worker takes from it in lockstep.

:meth:`TensorFlowDistributor.runOnDataFrame` streams each partition's Arrow batches into an Arrow IPC file on
the executor's local disk (no collect to the driver; memory bounded by one batch) and hands the training
process a :class:`DataShard` over it: :meth:`DataShard.table` memory-maps the file, so epochs re-read it
without holding it in memory twice.

Data-parallel training needs every worker to run the same number of steps (each step all-reduces gradients;
a worker that stops early leaves the others waiting forever), while shards differ in size by a few rows. Every
worker knows the row count of every shard (:attr:`DataShard.rowsPerRank`), so each computes the same step count
without talking to the others:

* :meth:`ShardPart.training_batches`: ``max_i ceil(rows_i / localBatch_i)`` steps of full local batches; a
  smaller shard starts its next shuffled pass early (a few rows are seen twice per epoch).
* :meth:`ShardPart.evaluation_batches`: as many steps, each padded to the local batch size with weight-0 rows,
  so every row counts exactly once and padding counts not at all.

The global batch (``batchSize``) is split over the workers (:func:`local_batch_size`), so 1 or N workers take
the same optimisation steps.

Example (inside a training function)::

    def train(shard, epochs):
        train_part, val_part = shard.holdout(0.1, seed=0)
        table = shard.table()
        for epoch in range(epochs):
            for rows in train_part.training_batches(64, epoch, seed=0):
                batch = table.take(rows)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, List, Sequence, Tuple

import numpy as np
import pyarrow as pa


def local_batch_size(global_batch: int, rank: int, size: int) -> int:
    """This worker's share of ``global_batch`` (the first ``global_batch % size`` workers take one more)."""
    if global_batch < size:
        raise ValueError(
            f"batchSize {global_batch} is smaller than the number of workers {size}; each worker "
            "needs at least one row per step"
        )
    return global_batch // size + (1 if rank < global_batch % size else 0)


def holdout_count(rows: int, fraction: float) -> int:
    """Rows of a shard of ``rows`` rows that go to validation (the same on every worker for every shard)."""
    return math.floor(rows * fraction + 0.5) if fraction > 0 else 0


@dataclass(frozen=True)
class ShardPart:
    """Some rows of a shard (``indices`` into its table) plus the size of the same part on every worker."""

    indices: np.ndarray
    countsPerRank: Tuple[int, ...]
    rank: int

    @property
    def size(self) -> int:
        return len(self.countsPerRank)

    def steps(self, global_batch: int) -> int:
        """The number of steps per epoch every worker runs for ``global_batch`` rows per step."""
        return max(
            math.ceil(n / local_batch_size(global_batch, r, self.size)) for r, n in enumerate(self.countsPerRank)
        )

    def training_batches(self, global_batch: int, epoch: int, seed: int) -> Iterator[np.ndarray]:
        """Row indices of each training step of ``epoch``: full local batches, reshuffled each pass.

        :raises ValueError: when this worker's part is empty while others have rows (it could not take steps).
        """
        steps = self.steps(global_batch)
        if steps and not len(self.indices):
            raise ValueError(
                f"worker {self.rank} has no training rows while others have "
                f"{list(self.countsPerRank)}; give the DataFrame at least one row per worker"
            )
        size = local_batch_size(global_batch, self.rank, self.size)
        rng = np.random.default_rng([seed, epoch, self.rank])
        order = rng.permutation(self.indices)
        position = 0
        for _ in range(steps):
            if position + size > len(order):  # not enough left for a full batch: append a fresh pass
                order = np.concatenate([order[position:], rng.permutation(self.indices)])
                position = 0
                while len(order) < size:
                    order = np.concatenate([order, rng.permutation(self.indices)])
            yield order[position : position + size]
            position += size

    def evaluation_batches(self, global_batch: int) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
        """``(indices, weights)`` of each evaluation step: every row once (weight 1), padded with weight-0 rows."""
        size = local_batch_size(global_batch, self.rank, self.size)
        steps = self.steps(global_batch)
        pad = self.indices[:1] if len(self.indices) else np.zeros(1, np.int64)
        for step in range(steps):
            rows = self.indices[step * size : (step + 1) * size]
            weights = np.zeros(size, np.float32)
            weights[: len(rows)] = 1.0
            yield np.concatenate([rows, np.repeat(pad, size - len(rows))]).astype(np.int64), weights


@dataclass(frozen=True)
class DataShard:
    """This worker's rows: an Arrow IPC file on local disk, plus every worker's row count.

    :param path: the Arrow IPC file (the DataFrame's schema, as Arrow).
    :param rank: this worker's index; ``size`` the number of workers.
    :param rowsPerRank: the row count of every worker's shard, by rank.
    """

    path: str
    rank: int
    rowsPerRank: Tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.rowsPerRank)

    @property
    def rows(self) -> int:
        return self.rowsPerRank[self.rank]

    def table(self, columns: Sequence[str] = ()) -> pa.Table:
        """The shard as a memory-mapped Arrow table (all columns, or ``columns``)."""
        with pa.memory_map(self.path, "r") as source:
            table = pa.ipc.open_file(source).read_all()
        return table.select(list(columns)) if columns else table

    def all(self) -> ShardPart:
        """Every row of the shard."""
        return ShardPart(np.arange(self.rows, dtype=np.int64), tuple(self.rowsPerRank), self.rank)

    def holdout(self, fraction: float, seed: int) -> Tuple[ShardPart, ShardPart]:
        """``(train, validation)``: a seeded random ``fraction`` of each shard's rows held out for validation."""
        if not 0.0 <= fraction < 1.0:
            raise ValueError(f"validationFraction must be in [0, 1), got {fraction!r}")
        held: List[int] = [holdout_count(n, fraction) for n in self.rowsPerRank]
        order = np.random.default_rng([seed, self.rank]).permutation(self.rows).astype(np.int64)
        n_val = held[self.rank]
        validation = ShardPart(np.sort(order[:n_val]), tuple(held), self.rank)
        train = ShardPart(np.sort(order[n_val:]), tuple(n - h for n, h in zip(self.rowsPerRank, held)), self.rank)
        return train, validation


def write_shard(batches: Iterator[pa.RecordBatch], path: str, schema: pa.Schema) -> int:
    """Stream ``batches`` into the Arrow IPC file ``path``; returns the number of rows written."""
    rows = 0
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        for batch in batches:
            if batch.num_rows:
                writer.write_batch(batch)
                rows += batch.num_rows
    return rows
