"""Vectorised Viterbi decoding of a linear-chain CRF over a padded batch (numpy, runs on the executors).

The score of tags ``y_0..y_{n-1}`` of a sentence of length ``n`` is
``start[y_0] + sum_t emissions[t, y_t] + sum_t transitions[y_{t-1}, y_t] + end[y_{n-1}]``.

Example::

    >>> import numpy as np
    >>> viterbi_decode(np.array([[[1., 0.], [0., 1.]]]), np.array([2]), np.zeros((2, 2)))
    [[0, 1]]
"""

from __future__ import annotations

from typing import List, Optional

import numpy as np

__all__ = ["viterbi_decode"]


def viterbi_decode(emissions: np.ndarray, lengths: np.ndarray, transitions: np.ndarray,
                   start: Optional[np.ndarray] = None, end: Optional[np.ndarray] = None) -> List[List[int]]:
    """Best tag index sequence for each sentence of a batch.

    :param emissions: float array [batch, time, tags]; positions at or past a sentence's length are ignored.
    :param lengths: int array [batch]; 0 gives an empty list.
    :param transitions: [tags, tags] score of moving from tag i to tag j.
    :param start: optional [tags] score of the first tag; ``end``: optional [tags] score of the last tag.
    :returns: one list of tag indices per sentence, of that sentence's length.
    """
    emissions = np.asarray(emissions, dtype=np.float64)
    batch, time, k = emissions.shape
    lengths = np.asarray(lengths, dtype=np.int64)
    start = np.zeros(k) if start is None else np.asarray(start, dtype=np.float64)
    end = np.zeros(k) if end is None else np.asarray(end, dtype=np.float64)
    transitions = np.asarray(transitions, dtype=np.float64)
    if time == 0:
        return [[] for _ in range(batch)]
    score = start[None, :] + emissions[:, 0]                                   # [batch, k]
    backpointers = np.zeros((batch, time, k), dtype=np.int64)
    for t in range(1, time):
        candidates = score[:, :, None] + transitions[None, :, :]              # [batch, from, to]
        best_prev = candidates.argmax(axis=1)
        new_score = np.take_along_axis(candidates, best_prev[:, None, :], axis=1)[:, 0] + emissions[:, t]
        active = (t < lengths)[:, None]
        # finished sentences keep their score; their backpointer is identity so the trace passes through
        score = np.where(active, new_score, score)
        backpointers[:, t] = np.where(active, best_prev, np.arange(k)[None, :])
    last = (score + end[None, :]).argmax(axis=1)
    paths = np.zeros((batch, time), dtype=np.int64)
    paths[:, time - 1] = last
    for t in range(time - 1, 0, -1):
        paths[:, t - 1] = backpointers[np.arange(batch), t, paths[:, t]]
    return [paths[b, :lengths[b]].tolist() for b in range(batch)]
