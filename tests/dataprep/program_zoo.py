"""One hand-built program that uses every node kind of the program language (tests import it).

``zoo()`` returns it; ``missing_kinds()`` lists registered kinds it does not use, so a new operator
fails the tests that rely on the zoo until it is added here.
"""

from mmlspark_py.dataprep.ops import (
    Affix,
    Atom,
    Const,
    DateFormat,
    DateTime,
    HasToken,
    Initials,
    IsNull,
    Number,
    NumberBelow,
    Predicate,
    Scientific,
    SubStr,
)
from mmlspark_py.dataprep.positions import Abs, Match, Offset, Position, Since, Until
from mmlspark_py.dataprep.program import Branch, Concat, Program
from mmlspark_py.dataprep.tokens import CharClass, CharSet, Literal, Then, Token
from mmlspark_py.dataprep.views import CamelSplit, Digits, Replace, Squeeze, View

FAMILIES = (Token, Position, View, Atom, Predicate)
ROWS = [
    ("https://shop.example:8080/p?id=7 qty=12 'x'", "2023-04-05", "orderTotalSum"),
    ("http://a.example/b", "1999-12-31", "max_retry"),
    (None, "2020-02-30", "x"),
    ("k=v", None, "aB"),
]


def zoo() -> Program:
    host = SubStr(0, Match(Literal("://"), 1, "end"), Until(Match(Literal("://"), 1, "end"), CharSet("/:?#")))
    qty = SubStr(0, Match(Literal("qty="), 1, "end"), Match(Then("qty=", "digits"), 1, "end"))
    snake = SubStr(2, Abs(0), Abs(-1), "lower", CamelSplit("_"))
    spaced = SubStr(2, Abs(0), Abs(-1), "title", Replace("_", " "))
    quoted = SubStr(0, Match(Literal("'"), 1, "end"), Match(Literal("'"), -1, "start"), "upper")
    first = SubStr(0, Abs(0), Match(CharClass("alpha"), 1, "end"))
    digits = SubStr(0, Abs(0), Abs(4), "id", Digits())
    before_q = SubStr(0, Since(Match(Literal("?"), 1, "start"), CharClass("alpha")), Match(Literal("?"), 1, "start"))
    squeezed = SubStr(0, Abs(0), Abs(-1), "upper", Squeeze())
    last2 = SubStr(1, Offset(Match(CharClass("digits"), -1, "end"), -2), Match(CharClass("digits"), -1, "end"))
    body = Concat(
        (
            host,
            Const("|it's \\ ok|"),
            qty,
            Const("/"),
            snake,
            Const("/"),
            spaced,
            Const("/"),
            quoted,
            Const("/"),
            first,
            Const("/"),
            last2,
            Const("/"),
            before_q,
            Const("/"),
            squeezed,
            Const("/"),
            digits,
            Const("/"),
            Number(0, -1, "dot", False, "1", "", 0, "half_up", "0", 2, 0, ",", "."),
            Const("/"),
            Scientific(0, -1, "dot", False, 2, True),
            Const("/"),
            Initials(0, "alpha", ". ", "upper"),
            Const("/"),
            DateTime(1, "%Y-%m-%d", "MMM", "month", "floor", "last", None, "upper"),
            Const("/"),
            DateFormat(
                1, "%Y-%m-%d", ("EEE", "d", "MMM", "yy"), (", ", " ", " '"), "week", "floor", "end", None, "lower"
            ),
        )
    )
    return Program(
        (
            Branch(IsNull(0), Concat((Const("no url"),))),
            Branch(HasToken(0, CharClass("digits"), 2), body),
            Branch(NumberBelow(0, "-2.5", True, "dot", True), Concat((Const("at least -2.5"),))),
            Branch(Affix(2, "aB", "end"), Concat((Const("ends aB"),))),
            Branch(None, Concat((SubStr(1, Abs(0), Abs(4)),))),
        )
    )


def kinds_in(obj, out=None):
    out = set() if out is None else out
    if isinstance(obj, dict):
        if "kind" in obj:
            out.add(obj["kind"])
        for v in obj.values():
            kinds_in(v, out)
    elif isinstance(obj, list):
        for v in obj:
            kinds_in(v, out)
    return out


def missing_kinds():
    used = kinds_in(zoo().to_json())
    return sorted(k for fam in FAMILIES for k in fam.kinds() if k not in used)
