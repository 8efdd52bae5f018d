"""A linear-chain CRF over a padded batch: Viterbi decoding (numpy, runs on the executors) and the training
loss (TensorFlow, imported only by :func:`crf_negative_log_likelihood`).

The score of tags ``y_0..y_{n-1}`` of a sentence of length ``n`` is
``start[y_0] + sum_t emissions[t, y_t] + sum_t transitions[y_{t-1}, y_t] + end[y_{n-1}]``; the CRF gives the
sequence the probability ``exp(score) / Z``, ``Z`` summing ``exp(score)`` over every tag sequence of length ``n``.

Example::

    >>> import numpy as np
    >>> viterbi_decode(np.array([[[1., 0.], [0., 1.]]]), np.array([2]), np.zeros((2, 2)))
    [[0, 1]]
"""

from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

__all__ = ["viterbi_decode", "crf_negative_log_likelihood"]


def viterbi_decode(
    emissions: np.ndarray,
    lengths: np.ndarray,
    transitions: np.ndarray,
    start: Optional[np.ndarray] = None,
    end: Optional[np.ndarray] = None,
) -> List[List[int]]:
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
    score = start[None, :] + emissions[:, 0]  # [batch, k]
    backpointers = np.zeros((batch, time, k), dtype=np.int64)
    for t in range(1, time):
        candidates = score[:, :, None] + transitions[None, :, :]  # [batch, from, to]
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
    return [paths[b, : lengths[b]].tolist() for b in range(batch)]


def crf_negative_log_likelihood(emissions: Any, tags: Any, lengths: Any, transitions: Any, start: Any, end: Any) -> Any:
    """``log Z - score(tags)`` of each sentence of a padded batch, differentiable (TensorFlow tensors).

    :param emissions: float [batch, time, tags]; ``tags``: int [batch, time]; ``lengths``: int [batch], each
        at least 1 (positions at or past a sentence's length are ignored).
    :param transitions: [tags, tags]; ``start``, ``end``: [tags] (trainable variables).
    :returns: float [batch], the per-sentence loss (``log Z`` by the forward algorithm in log space).
    """
    import tensorflow as tf

    emissions = tf.convert_to_tensor(emissions)
    tags = tf.cast(tags, tf.int32)
    lengths = tf.cast(lengths, tf.int32)
    dtype = emissions.dtype
    time = tf.shape(emissions)[1]
    mask = tf.sequence_mask(lengths, time, dtype=dtype)  # [batch, time]
    emitted = tf.gather(emissions, tags, batch_dims=2)  # [batch, time]
    pairs = tf.stack([tags[:, :-1], tags[:, 1:]], axis=-1)  # [batch, time-1, 2]
    moved = tf.gather_nd(transitions, pairs)  # [batch, time-1]
    last = tf.gather(tags, tf.maximum(lengths - 1, 0), batch_dims=1)
    score = (
        tf.gather(start, tags[:, 0])
        + tf.reduce_sum(emitted * mask, axis=1)
        + tf.reduce_sum(moved * mask[:, 1:], axis=1)
        + tf.gather(end, last)
    )

    def forward(alpha: Any, step: Any) -> Any:
        emission, active = step  # [batch, tags], [batch]
        nxt = tf.reduce_logsumexp(alpha[:, :, None] + transitions[None, :, :], axis=1) + emission
        return tf.where(active[:, None] > 0, nxt, alpha)  # finished sentences keep their alpha

    steps = (tf.transpose(emissions[:, 1:], [1, 0, 2]), tf.transpose(mask[:, 1:]))
    alpha = tf.foldl(forward, steps, initializer=start[None, :] + emissions[:, 0])
    return tf.reduce_logsumexp(alpha + end[None, :], axis=1) - score
