"""Every ranking weight of data preparation by example, in one place.

A program's cost is the sum of its parts' costs (lower is better); each part reads its weights from one
:class:`Weights` object, so the whole ranking is tuned here and nowhere else. The learned re-ranker's
feature weights (``ranker``) are fitted by ``benchmarks/dataprep_accuracy.py --fit`` on training tasks
and shipped in ``ranker_weights.json`` beside this module.

Groups of weights:
    atoms: a constant's cost per character (letters/digits cost more: the output's letters usually come
        from the input), case changes, column views, cutting a word of the output apart;
    positions: absolute offsets and token matches (by token, by match index, from the end);
    unlabeled inputs: a piece that is null, brings characters the example's piece does not have, or cuts
        a hyphenated or underscored word apart;
    semantic atoms: numbers and dates;
    conditionals: predicates and branches;
    whole programs: the behaviour-based re-ranker (``ranker``: feature name -> weight).

Example::

    >>> DEFAULT.case_cost("upper")
    0.3
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from typing import Dict

TOKEN_COSTS = {
    "digits": 1.0,
    "alpha": 1.15,
    "upper": 1.6,
    "lower": 1.6,
    "alnum": 1.3,
    "word": 1.1,
    "space": 1.2,
    "capword": 1.7,
    "number": 1.2,
    "ident": 1.5,
    "letter": 1.0,
    "name": 1.45,
    "field": 1.6,
    "hex": 1.9,
    "num": 1.0,
    "snum": 1.0,
}


@dataclass(frozen=True)
class Weights:
    """All cost constants; ``replace(DEFAULT, name=value)`` gives a variant for experiments."""

    # atoms
    atom: float = 1.0
    word_cut: float = 2.0
    initials: float = 1.0  # Initials: the first character of every word (beyond ``atom``)
    initials_letters: float = 0.2  # words as letter runs (Jean-Luc: two), not space-separated runs
    const_alnum_char: float = 4.0
    const_other_char: float = 0.12
    case_id: float = 0.0
    case_lower: float = 0.3
    case_upper: float = 0.3
    case_title: float = 0.5
    view: float = 1.0
    # positions
    abs_edge: float = 0.1
    abs_base: float = 1.2
    abs_per_char: float = 0.3
    match_per_index: float = 0.35
    match_from_end: float = 0.05
    literal_punct: float = 0.8
    literal_word: float = 1.0
    then_extra: float = 0.3
    charset: float = 1.1
    until_extra: float = 0.6
    relative_literal_char: float = 0.05  # per character of an Until/Since literal beyond the first
    offset_base: float = 0.8
    offset_per_char: float = 0.15
    whole_match_bonus: float = 0.4
    same_direction_bonus: float = 0.25
    tokens: Dict[str, float] = field(default_factory=lambda: dict(TOKEN_COSTS))
    # unlabeled inputs (per share of rows)
    null_penalty: float = 6.0
    empty_penalty: float = 3.0
    class_penalty: float = 2.5
    swallow_penalty: float = 3.0
    input_cut_penalty: float = 2.0
    # semantic atoms
    number_base: float = 2.2
    number_per_index: float = 0.3
    number_sign: float = 0.1
    number_copy: float = 1.0
    number_scale: float = 0.6
    number_factor: float = 1.2
    number_step: float = 1.0
    number_steps: Dict[str, float] = field(
        default_factory=lambda: {"5": 0.2, "50": 0.2, "20": 0.4, "25": 0.4, "0.5": 0.3, "0.25": 0.4, "0.1": 0.3}
    )
    number_sig: float = 1.2
    number_mode: float = 0.4
    number_add: float = 0.3
    number_inexact: float = 1.0
    number_scientific: float = 0.3
    number_minimal: float = 0.2
    # a scaled number (percent, unit conversions) shown with fixed decimals where as few as needed fit too:
    # `0.256 -> 25.6%` reads as `0.5 -> 50%`, `1500 ms -> 1.5 s` as `2000 ms -> 2 s`
    number_scaled_fixed: float = 0.2
    number_as_input: float = 0.02
    number_pad: float = 0.2
    number_group: float = 0.2
    number_locale: float = 0.3
    date_part: float = 1.2
    date_unpadded: float = 0.15
    date_short_year: float = 0.25
    date_name: float = 0.1
    date_calendar: float = 0.3
    date_round: float = 1.0
    date_round_mode: float = 0.6
    date_units: Dict[str, float] = field(
        default_factory=lambda: {"5min": 0.3, "10min": 0.3, "15min": 0.1, "30min": 0.15, "week": 0.2}
    )
    date_bound: float = 0.5
    date_zone: float = 0.8
    date_case: float = 0.3
    date_format_field: float = 0.3
    date_clock_mix: float = 0.2  # a 24-hour hour beside AM/PM, or a 12-hour hour without it
    # conditionals
    branch: float = 2.0
    pred_per_count: float = 0.3
    pred_negate: float = 0.2
    pred_number: float = 1.3
    pred_affix: float = 1.5
    pred_affix_char: float = 0.1
    pred_fold: float = 0.1
    pred_one_row: float = 0.7
    routing_penalty: float = 4.0
    pred_shape: float = 2.0
    # whole programs, on the unlabeled inputs
    rerank_null: float = 2.0
    rerank_class: float = 4.0
    rerank_punct: float = 0.5
    ranker: Dict[str, float] = field(default_factory=dict)

    def case_cost(self, case: str) -> float:
        return getattr(self, f"case_{case}")

    def token_cost(self, name: str) -> float:
        return self.tokens[name]

    def with_ranker(self, ranker: Dict[str, float]) -> Weights:
        return replace(self, ranker=dict(ranker))


RANKER_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ranker_weights.json")


def _load() -> Weights:
    if os.path.exists(RANKER_FILE):
        with open(RANKER_FILE, encoding="utf-8") as f:
            data = json.load(f)
        return Weights(ranker={str(k): float(v) for k, v in data.get("weights", {}).items()})
    return Weights()


DEFAULT = _load()
