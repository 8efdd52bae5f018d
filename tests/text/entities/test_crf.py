"""The CRF training loss against brute force over every tag sequence, and Viterbi against the same scores."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mmlspark_py.text.crf import crf_negative_log_likelihood, viterbi_decode


def _score(e, y, trans, start, end):
    return (
        start[y[0]]
        + sum(e[t, y[t]] for t in range(len(y)))
        + sum(trans[y[t - 1], y[t]] for t in range(1, len(y)))
        + end[y[-1]]
    )


def _brute_force_nll(e, y, trans, start, end):
    n, k = len(y), e.shape[1]
    scores = [_score(e[:n], seq, trans, start, end) for seq in itertools.product(range(k), repeat=n)]
    return np.logaddexp.reduce(scores) - _score(e[:n], y, trans, start, end)


def test_crf_loss_equals_brute_force_and_viterbi_finds_the_best_sequence():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(0)
    k, time = 3, 5
    emissions = rng.normal(size=(3, time, k))
    tags = rng.integers(0, k, size=(3, time))
    lengths = np.array([5, 2, 1])
    trans, start, end = rng.normal(size=(k, k)), rng.normal(size=k), rng.normal(size=k)
    got = crf_negative_log_likelihood(
        tf.constant(emissions), tags, lengths, tf.constant(trans), tf.constant(start), tf.constant(end)
    ).numpy()
    want = [_brute_force_nll(emissions[b], tags[b, : lengths[b]], trans, start, end) for b in range(3)]
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert (got > 0).all()
    # padding never matters: other values past a sentence's end give the same loss
    noisy = emissions.copy()
    noisy[1, 2:] += 100.0
    again = crf_negative_log_likelihood(
        tf.constant(noisy), tags, lengths, tf.constant(trans), tf.constant(start), tf.constant(end)
    ).numpy()
    np.testing.assert_allclose(again, got, rtol=1e-10)
    # the decoder's path is the argmax of the same score
    for b, path in enumerate(viterbi_decode(emissions, lengths, trans, start, end)):
        n = lengths[b]
        best = max(itertools.product(range(k), repeat=n), key=lambda s: _score(emissions[b, :n], s, trans, start, end))
        assert path == list(best)
