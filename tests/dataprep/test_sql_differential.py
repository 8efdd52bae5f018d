"""Differential tests: Spark SQL and the Python interpreter give identical outputs on every row.

* ``test_every_operator_variant``: every node kind (the program zoo) and a systematic grid of the semantic
  operators' settings (``Number``: conventions, signs, scales, multiples, significant digits, modes, bucket
  ends, formats; ``DateTime``: layouts, every field, every rounding and bound, zones, cases) on rows chosen to
  hit edges (nulls, empty, Unicode, regex metacharacters, impossible dates, leap seconds, 12 AM/PM, years 1
  and 9999, negative zero, 21-digit numbers, both number conventions). It grows with every operator.
* ``test_learned_programs`` (slow): the programs learned from 1, 2 and 3 examples of every dev and training
  task, on every row of the task plus edge rows.
SQL positions are 1-based, ``locate`` returns 0, nulls propagate, Java and Python regexes differ in corners:
mismatches there are what this catches.
"""

import itertools
import json
import multiprocessing
import pathlib

import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

from mmlspark_py.core.spec import SpecError
from mmlspark_py.dataprep import NoProgramFound, learn
from mmlspark_py.dataprep.ops import (
    Affix,
    Const,
    DateFormat,
    DateTime,
    HasToken,
    Initials,
    Number,
    NumberBelow,
    Scientific,
    SubStr,
)
from mmlspark_py.dataprep.ops.dates import FIELDS, ROUND_MODES
from mmlspark_py.dataprep.positions import Abs, Match, Offset, Since, Until
from mmlspark_py.dataprep.program import Branch, Concat, Program
from mmlspark_py.dataprep.tokens import POSITION_CLASSES, CharClass, CharSet, Literal, Then
from mmlspark_py.dataprep.views import CamelSplit, Digits, Replace, Squeeze

from .dev_tasks import load_tasks, rows_of
from .program_zoo import ROWS, zoo

EDGE = [
    None,
    "",
    "Ünïcödé Straße 東京 😀 x-1",
    "a.b*c+d?(e)[f]{g}|h^$\\i",
    "Łukasz Żółć, 12/3/2024",
    ("w0rd " * 2048).strip(),
    "   ",
    "2023-02-30",
    "12:61 PM",
    "-0.005",
    "1,2,3.4.5",
    "aBC_dEf-gH.i/jK9Lm_ÄÖx__y",
]
NUMBERS = [
    "1234.5",
    "-1,234.567",
    "(45.20)",
    "0",
    "-0.0004",
    "1.234,56",
    "1 234,5 km",
    "0.5",
    "2.5",
    "-2.5",
    "999.995",
    "12345678901234567890123.5",
    "99999999999999999999",
    "007",
    "3.14159 and 2.71828",
    "x-7y",
    "1,000,000",
    "12.345.678,9",
    "250 ms",
    "17",
    "0.000123",
    "98765",
    "ID-42",
    "10-20 and -3",
    "5--6",
    "x=-7.5",
    "1.5e+03",
    "-2.25E-4 and 6.02e23",
    "1e999",
    "7e-999",
    "1e1234",
    "9.99e19",
    "-5e-11",
    "2e5e3",
    "1.e5 e5 3E+",
]
DATES = [
    "2021-03-04",
    "3/17/2022 10:45 PM",
    "17/04/2023",
    "2019-11-20 23:59:60",
    "2019-11-20 23:59:61",
    "0001-01-01 00:00:00",
    "0001-01-01T00:10:00+01:00",
    "9999-12-31T23:50:00-03:00",
    "9999-12-31 23:59:59",
    "2020-02-29T12:00:00+05:30",
    "2019-12-31T23:50:00-03:00",
    "2021-01-03T00:30:00Z",
    "2021-03-04T14:37:12-08:00",
    "12:00 AM",
    "12:30 PM",
    "March 7, 2021",
    "7 mar 2021",
    "Thu, 04 Mar 2021",
    "Q4 2019",
    "4/5/21",
    "12/31/99",
    "20210304",
    "2021-02-30",
    "13/13/2013",
    "x 2021-03-04 y 2022-01-01",
    "0000-01-01 then 2021-03-04",
    "2024-02-29 / 29.02.2023 / 1.2.2023",
    "2021/3/4",
    "04032021",
    "31年12月1999日",
    "12022021-03-04",
]
LAYOUTS = [
    "%Y-%m-%d",
    "%m/%d/%Y %I:%M %p",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%I:%M %p",
    "%B %d, %Y",
    "%d %b %Y",
    "%a, %d %b %Y",
    "Q%q %Y",
    "%m/%d/%y",
    "%Y%m%d",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%m%d%Y",
    "%d年%m月%Y日",
    "on %d %m'%Y",
]
_TRANSFORMS = [(u, m, "start") for u in ("5min", "15min", "hour", "day", "week") for m in ROUND_MODES] + [
    (u, "floor", b) for u in ("30min", "day", "week", "month", "quarter", "year") for b in ("end", "last")
]


def number_variants():
    fmts = [(2, 0, ",", "."), (-1, 0, "", "."), (0, 6, "", "."), (1, 0, ".", ","), (-1, 0, " ", ","), (3, 0, "'", ".")]
    fmts += [(3, 0, "", ".")]  # fixed decimals beyond a step's own (0.25 -> 0.250) without a separator
    for style, signed, k in itertools.product(("dot", "comma", "space", "sci"), (False, True), (1, -1)):
        yield Number(0, k, style, signed)
    for mode, dec in itertools.product(("half_up", "half_even", "down", "up"), (0, 1, 3, 12)):
        yield Number(0, 1, "sci", True, "0.0009765625", mode=mode, decimals=dec, group=",")
    for (scale, step, sig, add), mode, (dec, width, group, point) in itertools.product(
        [
            ("1", "", 0, "0"),
            ("100", "", 0, "0"),
            ("0.001", "", 0, "0"),
            ("1", "10", 0, "10"),
            ("1", "0.25", 0, "0"),
            ("1", "", 2, "0"),
            ("1", "", 4, "0"),
            ("2.54", "", 0, "0"),
            ("1000000", "", 0, "0"),
        ],
        ("half_up", "half_even", "down", "up"),
        fmts,
    ):
        yield Number(0, 1, "dot", True, scale, step, sig, mode, add, dec, width, group, point)


def date_variants():
    for layout in LAYOUTS:
        for field in FIELDS:
            yield DateTime(0, layout, field)
    for layout in ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M %p", "%Y-%m-%dT%H:%M:%S%z", "%d %b %Y"):
        for (unit, mode, bound), field in itertools.product(_TRANSFORMS, ("dd", "mm")):
            yield DateTime(0, layout, field, unit, mode, bound)
    for zone, case in ((0, "upper"), (-300, "lower"), (330, "id")):
        for field in ("HH", "mm", "dd", "EEE", "MMMM"):
            yield DateTime(0, "%Y-%m-%dT%H:%M:%S%z", field, zone=zone, case=case)
    # DateFormat: whole formats of one moment (zones that cross midnight and the year, names, rounding, quotes)
    for zone in (None, 0, 330, -300):
        yield DateFormat(0, "%Y-%m-%dT%H:%M:%S%z", ("yyyy", "MM", "dd", "HH", "mm"), ("-", "-", " ", ":"), zone=zone)
    yield DateFormat(0, "%m/%d/%Y %I:%M %p", ("h", "mm", "a", "MMM", "d"), (":", " ", ", ", " "), case="lower")
    yield DateFormat(0, "%d %b %Y", ("EEEE", "d", "MMMM", "yyyy"), (", ", " ", ""), case="upper")
    yield DateFormat(0, "%Y-%m-%d %H:%M:%S", ("dd", "HH", "Q"), ("'\\", ""), "hour", "ceil")


def _check(spark, programs, rows, cols, chunk=150):
    """Every program's SQL on every row equals the interpreter; programs go in chunks of columns."""
    width = len(cols)
    data = [tuple(r) + (None,) * (width - len(r)) for r in rows]
    df = spark.createDataFrame(data, StructType([StructField(c, StringType()) for c in cols])).cache()
    checked = 0
    for start in range(0, len(programs), chunk):
        part = programs[start : start + chunk]
        got = df.select(*[F.expr(p.sql(cols)).alias(f"p{i}") for i, p in enumerate(part)]).collect()
        for r, row in zip(got, data):
            for i, p in enumerate(part):
                want = p.run(row)
                assert r[f"p{i}"] == want, f"{p.explain(cols)} on {row!r}: SQL {r[f'p{i}']!r} != Python {want!r}"
                checked += 1
    df.unpersist()
    return checked


def _variants(every: int = 1):
    atoms = list(itertools.chain(number_variants(), date_variants()))[::every]
    return [Program.single(Concat((a,))) for a in atoms]


def _zoo_rows():
    return ROWS + [tuple(e if j == c else ROWS[0][j] for j in range(3)) for e in EDGE for c in range(3)]


def test_every_node_kind_and_a_sample_of_operator_settings(interpreted):
    """Fast: the zoo (every node kind) and every 12th setting of the grid below."""
    n = _check(interpreted, _variants(12), [(v,) for v in EDGE + NUMBERS + DATES], ["c0"])
    n += _check(interpreted, [zoo()], _zoo_rows(), ["u", "d", "c"])
    assert n > 2_500


LITERAL_ROWS = ["-", "--", "a--b---c", "x-y-z", "ab-ab-aba", "://a://b", "ééé-é", "a.b.c", "-x-", "ab", "abc"]


def test_literal_counts_and_offset_bounds(interpreted):
    """Token counts compiled without a regex (``instr``, ``substring_index``; a self-overlapping literal keeps
    the regex) and offsets at the string's ends (absolute positions and offsets from a match, both signs)."""
    preds = [
        HasToken(0, Literal(t), k, neg)
        for t in ("-", "--", "://", "ab", "aba", "é", ".")
        for k in (1, 2, 3)
        for neg in (False, True)
    ]
    progs = [Program((Branch(p, Concat((Const("y"),))), Branch(None, Concat((Const("n"),))))) for p in preds]
    positions = [Abs(k) for k in (0, 1, 2, 3, 5, -1, -2, -3, -6)]
    positions += [
        Offset(Match(tok, k, side), d)
        for tok in (Literal("-"), CharClass("alpha"))
        for k in (1, -1)
        for side in ("start", "end")
        for d in (-2, -1, 1, 2)
    ]
    progs += [Program.single(Concat((SubStr(0, a, b),))) for a in positions for b in positions]
    rows = [(v,) for v in EDGE + LITERAL_ROWS]
    assert _check(interpreted, progs, rows, ["c0"]) > 20_000
    outs = {p.run(r) for p in progs[len(preds) :] for r in rows}
    assert None in outs and "" in outs and len(outs) > 50  # the grid reaches both NULL and empty substrings


CLASS_ROWS = [
    'Ana Moe <ana.moe@x.org>, "c_d+1@z.io"; (e.f-g) [h|i] {j}',
    "role=qa-lead;user='x y'\tz\nw",
    "class Y_z(A, B): 3.14 1,234.5",
]


def test_run_units_spell_their_classes():
    """The last run of a class is compiled from its one-character unit (a greedy scan from the end): the unit
    must be exactly the class without its ``+``, and every position class that is such a run has one."""
    from mmlspark_py.dataprep.tokens import _CLASSES, _RUN_UNITS

    for name, unit in _RUN_UNITS.items():
        assert _CLASSES[name][1] == unit + "+", name
    assert {"digits", "alpha", "word", "space"} <= set(_RUN_UNITS)
    sql = Match(CharClass("word"), -1, "end").sql("c")
    assert "reverse" not in sql and "^.*" in sql


def test_every_position_class_forward_from_the_end_and_whole(interpreted):
    """Each character class's Python and Java spellings match the same runs: the start and end of its 1st,
    2nd, last and 2nd-last match, and the whole match (one regex), on edge rows and on rows full of the
    brackets, quotes and separators that bound ``field`` and ``ident``."""
    progs = []
    for name in POSITION_CLASSES:
        tok = CharClass(name)
        for k in (1, 2, -1, -2):
            progs.append(Program.single(Concat((SubStr(0, Match(tok, k, "start"), Match(tok, k, "end")),))))
            progs.append(Program.single(Concat((SubStr(0, Match(tok, k, "start"), Abs(-1)),))))
            progs.append(Program.single(Concat((SubStr(0, Abs(0), Match(tok, k, "end")),))))
    rows = [(v,) for v in EDGE + CLASS_ROWS]
    assert _check(interpreted, progs, rows, ["c0"]) == len(progs) * len(rows)


THEN_ROWS = [
    "a.b.c",
    "x.ab.cd1",
    "--5-6--77",
    "k=v;k2=v2=",
    ".é.ü",
    "a_b_1_",
    "#ab#cd",
    "A  12  3 B",
    "..",
    "0x1.5x22.z",
]


def test_last_match_of_a_literal_then_a_class(interpreted):
    """The last match of ``literal + class`` (one greedy scan from the end where the literal has none of the
    class's characters, the reversed scan otherwise): start, end and the whole match, equal to the interpreter."""
    toks = [
        Then(text, cls)
        for text, cls in [
            (".", "alpha"),
            ("-", "digits"),
            ("--", "digits"),
            ("=", "alnum"),
            ("_", "alnum"),
            (" ", "alpha"),
            ("  ", "digits"),
            (".", "number"),  # not a run of one class: the reversed scan
            ("x", "digits"),  # a letter: the reversed scan
            ("#", "word"),  # the class holds '#': the reversed scan
            ("é", "alpha"),
        ]
    ]
    assert sum(t.last_run is not None for t in toks) == 7
    progs = []
    for tok in toks:
        progs.append(Program.single(Concat((SubStr(0, Match(tok, -1, "start"), Match(tok, -1, "end")),))))
        progs.append(Program.single(Concat((SubStr(0, Match(tok, -1, "start"), Abs(-1)),))))
        progs.append(Program.single(Concat((SubStr(0, Abs(0), Match(tok, -1, "end")),))))
    rows = [(v,) for v in EDGE + CLASS_ROWS + THEN_ROWS]
    assert _check(interpreted, progs, rows, ["c0"]) == len(progs) * len(rows)


def test_relative_positions_after_and_before_another(interpreted):
    """``Until`` (the first match at or after a position, else the end) and ``Since`` (the last match before a
    position, else the start): every position class, literals (one self-overlapping) and delimiter sets, both
    sides, from bases that are undefined, at either end or inside a match."""
    toks = [CharClass(n) for n in POSITION_CLASSES] + [Literal("("), Literal("--"), Literal("aba"), CharSet("/:?#")]
    bases = [
        Offset(Match(Literal("("), 1, "start"), -1),
        Match(Literal("("), 1, "start"),
        Match(CharClass("digits"), -1, "end"),
    ]
    progs = []
    for tok in toks:
        for side in ("start", "end"):
            for base in bases:
                progs.append(Program.single(Concat((SubStr(0, Since(base, tok, side), base),))))
                progs.append(Program.single(Concat((SubStr(0, base, Until(base, tok, side)),))))
    rows = [(v,) for v in EDGE + CLASS_ROWS + LITERAL_ROWS + ["void main(String[] a) {", "ab😀cd(x)", "(", "x("]]
    assert _check(interpreted, progs, rows, ["c0"]) == len(progs) * len(rows)
    name = Program.single(Concat((SubStr(0, Since(bases[1], CharClass("ident")), bases[1]),)))
    assert name.run(("class Y_z(A, B):",)) == "Y_z" and name.run(("f(x)",)) == "f" and name.run(("(",)) == ""
    # relative positions do not nest, and Since never starts from an absolute position
    with pytest.raises(SpecError, match="Since.base: expected a match or offset position, got 'abs'"):
        Since(Abs(-1), CharClass("word"))
    with pytest.raises(SpecError, match="Until.base: expected an abs, match or offset position, got 'since'"):
        Until(Since(bases[1], CharClass("word")), Literal(")"))
    with pytest.raises(SpecError, match="Since.base: .* got 'until'"):
        Since(Until(bases[1], Literal(")")), CharClass("word"))


SPACE_ROWS = [
    " a  b ",
    "\ta\n\r\x0bb\f",
    "a\u00a0 b",
    "\u2003a  \u2003",
    " ",
    "\t\n",
    "x",
    "a b c",
    " é😀  ßx ǆy ﬁz ŉ ΐ ",
]


def test_views_on_white_space_and_separators(interpreted):
    """Every view, with every case, on rows of ASCII and other white space (a no-break space and an em space
    are not squeezed by either side), separators and camelCase."""
    views = [Squeeze(), Digits(), CamelSplit("_"), Replace(" ", "-"), Replace("_", "")]
    progs = [
        Program.single(Concat((SubStr(0, Abs(0), Abs(-1), case, v),)))
        for v in views
        for case in ("id", "upper", "title")
    ]
    progs.append(Program.single(Concat((SubStr(0, Match(CharClass("word"), 2, "start"), Abs(-1), "id", Squeeze()),))))
    rows = [(v,) for v in EDGE + SPACE_ROWS + ["orderTotal_sum 12-3", "a_b c"]]
    assert _check(interpreted, progs, rows, ["c0"]) == len(progs) * len(rows)
    assert [progs[0].run((v,)) for v in SPACE_ROWS[:3]] == ["a b", "a b", "a\u00a0 b"]


INITIALS_ROWS = ["Ana María de la Cruz", "jean-luc  picard", "\tx\ny", "ßig ŉame ǆx", "😀 é 1x _y", "a", " "]


def test_initials_of_any_number_of_words(interpreted):
    """``Initials``: both word classes, every case (``ß`` and ``ǆ`` change length or form when upper-cased),
    separators with SQL metacharacters, no word (null), emoji (one code point, two UTF-16 units)."""
    progs = [
        Program.single(Concat((Initials(0, words, sep, case),)))
        for words in ("word", "alpha")
        for sep in ("", ".", ". ", "'\\")
        for case in ("id", "upper", "lower")
    ]
    rows = [(v,) for v in EDGE + INITIALS_ROWS]
    assert _check(interpreted, progs, rows, ["c0"]) == len(progs) * len(rows)
    assert progs[1].run(("jean-luc  picard",)) == "JP" and progs[13].run(("jean-luc  picard",)) == "JLP"


def test_value_and_affix_predicates(interpreted):
    """``NumberBelow`` (decimal comparison at and around the threshold, signs, both conventions, no number,
    21-digit numbers) and ``Affix`` (prefixes and suffixes in Unicode, longer than the text, metacharacters)."""
    preds = [
        NumberBelow(0, t, neg, style, signed)
        for t in ("5", "-2.5", "0", "1000", "0.0001", "99999999999999999999")
        for neg in (False, True)
        for style in ("dot", "comma", "sci")
        for signed in (False, True)
    ]
    preds += [
        Affix(0, t, side, neg)
        for t in ("a", "-", "é", "😀", "x-1", ".*", "1,2,3.4.5x", "'")
        for side in ("start", "end")
        for neg in (False, True)
    ]
    # folded: any case, against letters whose lower case is another length or ASCII from outside it
    preds += [
        Affix(0, t, side, neg, fold=True)
        for t in ("a", "m", "k", "i", "x-1", ".*", "ss")
        for side in ("start", "end")
        for neg in (False, True)
    ]
    progs = [Program((Branch(p, Concat((Const("y"),))), Branch(None, Concat((Const("n"),))))) for p in preds]
    folds = ["Male", "mALE", "M", "\u212a", "\u0130x", "xİ", "X-1", "ẞ", "SS", "ss", "Ä", "A"]
    rows = [(v,) for v in EDGE + NUMBERS + LITERAL_ROWS + ["5", "4.9999999999", "-2.5", "-2.50001", "😀x-1", "1,000"]]
    rows += [(v,) for v in folds]
    assert _check(interpreted, progs, rows, ["c0"]) == len(progs) * len(rows) > 4_000
    outs = [[p.run(r) for r in rows] for p in progs]
    assert all("y" in o and "n" in o for o in outs[:6])  # the rows fall on both sides of every threshold
    assert all(None in o for o in outs)  # no number (or a null): unknown, so null, never "otherwise"


SCIENTIFIC_ROWS = ["9.995", "9.994999", "-0.00099995", "99999999999999999999.9999999999", "0.0000000001", "1e5", "-0"]


def test_scientific_notation_is_exact_decimal_rounding(interpreted):
    """Mantissas that round up to 10 (next exponent), ties (half up, no binary floating point), the extremes
    of ``DECIMAL(30,10)``, zero and negative zero, both conventions and letters."""
    atoms = [
        Scientific(0, k, style, signed, d, upper)
        for k in (1, -1)
        for style in ("dot", "comma", "sci")
        for signed in (False, True)
        for d in (0, 2, 5, 12)
        for upper in (False, True)
    ]
    progs = [Program.single(Concat((a,))) for a in atoms]
    rows = [(v,) for v in EDGE + NUMBERS + SCIENTIFIC_ROWS]
    assert _check(interpreted, progs, rows, ["c0"]) == len(progs) * len(rows)
    one = Scientific(0, 1, "dot", True, 2)
    assert [one.eval((v,)) for v in ("9.995", "9.994999", "-0.00099995", "0", "99999999999999999999.9999999999")] == [
        "1.00e+01",
        "9.99e+00",
        "-1.00e-03",
        "0.00e+00",
        "1.00e+20",
    ]


AS_INPUT_ROWS = ["1.000.000,00", "3,10", "-0,50", "12.345678901234", "7.", "1 000,250", "1,000.0", "x 2,5 y 4,750"]


def test_decimals_as_in_the_input(interpreted):
    """``decimals=-2`` keeps the decimals the number has in the input (trailing zeros included, at most the 10
    that ``DECIMAL(30,10)`` holds), in every style, from either end, with any separators."""
    atoms = [
        Number(0, k, style, signed, decimals=-2, group=group, point=point)
        for style in ("dot", "comma", "space")
        for signed in (False, True)
        for k in (1, -1)
        for group, point in (("", "."), (",", "."), (".", ","), (" ", ","))
    ]
    progs = [Program.single(Concat((a,))) for a in atoms]
    rows = [(v,) for v in EDGE + NUMBERS + AS_INPUT_ROWS]
    assert _check(interpreted, progs, rows, ["c0"]) == len(progs) * len(rows)
    comma = Number(0, 1, "comma", True, decimals=-2)
    got = [comma.eval((v,)) for v in ("1.000.000,00", "3,10", "-0,50", "12", "1.234")]
    assert got == ["1000000.00", "3.10", "-0.50", "12", "1234"]
    dot = Number(0, -1, "dot", False, decimals=-2, group=".", point=",")
    assert [dot.eval((v,)) for v in ("12.345678901234", "1,000.0", "a 1.5 b 2.250")] == [
        "12,3456789012",
        "1.000,0",
        "2,250",
    ]
    with pytest.raises(SpecError, match="not scaled or rounded"):
        Number(0, 1, "dot", False, scale="100", decimals=-2)


@pytest.mark.slow
def test_every_operator_variant(interpreted):
    n = _check(interpreted, _variants(), [(v,) for v in EDGE + NUMBERS + DATES], ["c0"])
    assert n > 30_000


# ------------------------------------------------------------------------------- learned programs (slow)
TRAIN = pathlib.Path(__file__).resolve().parent / "tasks" / "train.jsonl"


def _programs(task):
    rows = rows_of(task)
    inputs = [r for r, _ in rows]
    progs = []
    for k, top in ((1, 2), (2, 1), (3, 1)):
        try:
            progs.extend(learn(rows[:k], inputs=inputs, k=top).topK(top))
        except NoProgramFound:
            pass
    return list(dict.fromkeys(progs))


def _inputs(task):
    rows = [r for r, _ in rows_of(task)]
    arity = len(rows[0])
    extra = [tuple(e if c == j else rows[0][c] for c in range(arity)) for e in EDGE for j in range(arity)]
    return rows + extra


@pytest.mark.slow
def test_learned_programs(interpreted):
    """One DataFrame (all tasks' rows, tagged) and one job per chunk: program columns guarded by the tag."""
    spark = interpreted
    tasks = load_tasks() + [json.loads(line) for line in TRAIN.read_text(encoding="utf-8").splitlines() if line]
    cols = ["c0", "c1", "c2"]
    data, checks, all_inputs = [], [], []
    # Synthesis is most of this test's time and Spark is idle meanwhile: learn on both cores (fresh processes,
    # never a fork of this one, which holds the JVM gateway's threads).
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        learned = pool.map(_programs, tasks, chunksize=4)
    for t, (task, programs) in enumerate(zip(tasks, learned)):
        inputs = _inputs(task)
        all_inputs.append(inputs)
        for i, row in enumerate(inputs):
            data.append((t, i) + row + (None,) * (3 - len(row)))
        for p in programs:
            checks.append((t, p, task["task"]))
    schema = StructType(
        [StructField("tid", IntegerType()), StructField("rid", IntegerType())]
        + [StructField(c, StringType()) for c in cols]
    )
    df = spark.createDataFrame(data, schema).cache()
    checked = 0
    for start in range(0, len(checks), 100):
        part = checks[start : start + 100]
        exprs = [F.when(F.col("tid") == t, F.expr(p.sql(cols))).alias(f"p{j}") for j, (t, p, _n) in enumerate(part)]
        by_task = {}
        for r in df.select("tid", "rid", *exprs).collect():
            by_task.setdefault(r["tid"], []).append(r)
        for j, (t, p, name) in enumerate(part):
            for r in by_task[t]:
                inp = all_inputs[t][r["rid"]]
                want = p.run(inp)
                assert r[f"p{j}"] == want, f"{name}: {p.explain()} on {inp!r}: SQL {r[f'p{j}']!r} != Python {want!r}"
                checked += 1
    assert checked > 8000
