"""Span decoding (BIO/BIOES), conlleval-style entity F1 and Viterbi decoding, on hand-checked examples."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mmlspark_py.text.crf import viterbi_decode
from mmlspark_py.text.entity_spans import Span, bio_to_bioes, bioes_to_bio, entity_f1, tags_to_spans


def test_bioes_spans():
    tokens = ["Peter", "Blackburn", "visited", "New", "York", "City", "and", "EU"]
    tags = ["B-PER", "E-PER", "O", "B-LOC", "I-LOC", "E-LOC", "O", "S-ORG"]
    assert tags_to_spans(tokens, tags) == [
        Span("Peter Blackburn", "PER", 0, 2),
        Span("New York City", "LOC", 3, 6),
        Span("EU", "ORG", 7, 8),
    ]


def test_bio_and_iob1_spans():
    tokens = ["a", "b", "c", "d", "e"]
    assert tags_to_spans(tokens, ["B-PER", "I-PER", "B-PER", "O", "I-LOC"]) == [
        Span("a b", "PER", 0, 2),
        Span("c", "PER", 2, 3),
        Span("e", "LOC", 4, 5),
    ]
    # a label change inside I- tags starts a new entity (conlleval)
    assert tags_to_spans(tokens[:3], ["I-PER", "I-ORG", "I-ORG"]) == [Span("a", "PER", 0, 1), Span("b c", "ORG", 1, 3)]


def test_malformed_tags_and_lengths_fail_clearly():
    with pytest.raises(ValueError, match="'X-PER' is not"):
        tags_to_spans(["a"], ["X-PER"])
    with pytest.raises(ValueError, match="1 tokens but 2 tags"):
        tags_to_spans(["a"], ["O", "O"])


def test_entity_f1_hand_example():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "B-MISC"]]
    # gold entities: PER(0,2) LOC(3,4) ORG(0,1) = 3; predicted: PER, ORG(3,4), ORG(0,1), MISC = 4; correct: 2
    out = entity_f1(gold, pred)
    assert (out["gold"], out["predicted"], out["correct"]) == (3, 4, 2)
    assert out["precision"] == pytest.approx(0.5) and out["recall"] == pytest.approx(2 / 3)
    assert out["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    # BIO and BIOES spellings of the same entities score perfectly against each other
    assert entity_f1([["B-PER", "I-PER", "B-LOC"]], [["B-PER", "E-PER", "S-LOC"]])["f1"] == 1.0
    assert entity_f1([["O"]], [["O"]]) == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "gold": 0.0,
        "predicted": 0.0,
        "correct": 0.0,
    }


def test_scheme_conversions_round_trip():
    bio = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "I-LOC"]
    bioes = bio_to_bioes(bio)
    assert bioes == ["B-PER", "E-PER", "O", "S-LOC", "B-LOC", "I-LOC", "E-LOC"]
    assert bioes_to_bio(bioes) == bio


def _brute_force(em, trans, start, end):
    n, k = em.shape
    best = max(
        itertools.product(range(k), repeat=n),
        key=lambda p: (
            start[p[0]]
            + end[p[-1]]
            + sum(em[t, p[t]] for t in range(n))
            + sum(trans[p[t - 1], p[t]] for t in range(1, n))
        ),
    )
    return list(best)


def test_viterbi_equals_brute_force_on_padded_batch():
    rng = np.random.default_rng(0)
    k, lengths = 3, np.array([4, 1, 3, 0])
    em = rng.normal(size=(4, 4, k))
    trans, start, end = rng.normal(size=(k, k)), rng.normal(size=k), rng.normal(size=k)
    paths = viterbi_decode(em, lengths, trans, start, end)
    for b, n in enumerate(lengths):
        assert paths[b] == (_brute_force(em[b, :n], trans, start, end) if n else [])
