"""Entity spans from BIO/BIOES tag sequences, and entity-level precision/recall/F1 (conlleval-style).

Spans use token indices, ``start`` inclusive and ``end`` exclusive: in ``["John", "Smith", "ran"]`` tagged
``["B-PER", "E-PER", "O"]`` the span is ``Span("John Smith", "PER", 0, 2)``.

Decoding is lenient the way conlleval is: an ``I-``/``E-`` tag that does not continue an open entity of the same
label starts a new entity, so every tag sequence (also an ill-formed one from a softmax tagger) yields spans.

Example::

    >>> tags_to_spans(["U.N.", "official", "Ekeus"], ["S-ORG", "O", "S-PER"])
    [Span(text='U.N.', label='ORG', start=0, end=1), Span(text='Ekeus', label='PER', start=2, end=3)]
    >>> entity_f1([["B-PER", "I-PER"]], [["B-PER", "O"]])["f1"]
    0.0
"""

from __future__ import annotations

from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

__all__ = ["Span", "tags_to_spans", "entity_f1", "bio_to_bioes", "bioes_to_bio"]


class Span(NamedTuple):
    """One entity: its text (tokens joined by a space), label, first token index and one-past-last index."""

    text: str
    label: str
    start: int
    end: int


def _split(tag: str) -> Tuple[str, str]:
    if tag in ("O", "", None):
        return "O", ""
    prefix, sep, label = tag.partition("-")
    if not sep or prefix not in ("B", "I", "E", "S", "U", "L"):
        raise ValueError(f"tag {tag!r} is not 'O' or PREFIX-LABEL with PREFIX in B, I, E, S (BIO/BIOES)")
    return {"U": "S", "L": "E"}.get(prefix, prefix), label


def _span_bounds(tags: Sequence[str]) -> List[Tuple[str, int, int]]:
    spans: List[Tuple[str, int, int]] = []
    label: Optional[str] = None
    start = 0
    for i, tag in enumerate(tags):
        prefix, lab = _split(tag)
        continues = label is not None and lab == label and prefix in ("I", "E")
        if not continues:
            if label is not None:
                spans.append((label, start, i))
            label, start = (lab, i) if prefix != "O" else (None, i)
        if prefix in ("E", "S") and label is not None:
            spans.append((label, start, i + 1))
            label = None
    if label is not None:
        spans.append((label, start, len(tags)))
    return spans


def tags_to_spans(tokens: Sequence[str], tags: Sequence[str]) -> List[Span]:
    """The entities tagged in one sentence (BIO or BIOES; ``U-``/``L-`` are read as ``S-``/``E-``).

    :raises ValueError: when ``tokens`` and ``tags`` differ in length or a tag is malformed.
    """
    if len(tokens) != len(tags):
        raise ValueError(f"{len(tokens)} tokens but {len(tags)} tags")
    return [Span(" ".join(tokens[s:e]), lab, s, e) for lab, s, e in _span_bounds(tags)]


def entity_f1(gold: Iterable[Sequence[str]], predicted: Iterable[Sequence[str]]) -> Dict[str, float]:
    """Micro-averaged entity-level precision, recall and F1 over sentences: a predicted entity counts only when
    its label, start and end all equal a gold entity's (exact span match, as conlleval).

    :returns: dict with ``precision``, ``recall``, ``f1``, ``gold``, ``predicted``, ``correct`` (counts as floats).
    """
    n_gold = n_pred = n_correct = 0
    for sent, (g, p) in enumerate(zip(gold, predicted)):
        if len(g) != len(p):
            raise ValueError(f"sentence {sent}: {len(g)} gold tags but {len(p)} predicted")
        gs: Set[Tuple[str, int, int]] = set(_span_bounds(g))
        ps: Set[Tuple[str, int, int]] = set(_span_bounds(p))
        n_gold, n_pred, n_correct = n_gold + len(gs), n_pred + len(ps), n_correct + len(gs & ps)
    precision = n_correct / n_pred if n_pred else 0.0
    recall = n_correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "gold": float(n_gold),
        "predicted": float(n_pred),
        "correct": float(n_correct),
    }


def bio_to_bioes(tags: Sequence[str]) -> List[str]:
    """Rewrite one sentence's tags to BIOES (single-token entities ``S-``, last tokens ``E-``)."""
    out = ["O"] * len(tags)
    for label, s, e in _span_bounds(tags):
        if e - s == 1:
            out[s] = f"S-{label}"
        else:
            out[s], out[e - 1] = f"B-{label}", f"E-{label}"
            out[s + 1 : e - 1] = [f"I-{label}"] * (e - s - 2)
    return out


def bioes_to_bio(tags: Sequence[str]) -> List[str]:
    """Rewrite one sentence's tags to BIO."""
    out = ["O"] * len(tags)
    for label, s, e in _span_bounds(tags):
        out[s:e] = [f"B-{label}"] + [f"I-{label}"] * (e - s - 1)
    return out
