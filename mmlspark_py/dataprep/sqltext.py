"""Spark SQL text built only from validated values: string literals, column names and integers.

Every piece of SQL that data preparation by example generates goes through these three functions, so a
value decoded from a saved program can never be pasted into SQL unquoted: strings become escaped string
literals, column names back-quoted identifiers, and integers are checked to be Python ``int`` (``bool``
and strings are refused) before they are printed.

Example::

    >>> lit("it's")
    "'it\\\\'s'"
    >>> ident("a`b")
    '`a``b`'
    >>> num(3)
    '3'
"""

from __future__ import annotations


def lit(s: str) -> str:
    """A Spark SQL string literal for ``s`` (backslashes and single quotes escaped)."""
    if not isinstance(s, str):
        raise TypeError(f"a SQL string literal needs a str, got {type(s).__name__}")
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ident(name: str) -> str:
    """A back-quoted Spark SQL identifier (a column name)."""
    if not isinstance(name, str):
        raise TypeError(f"a SQL column name must be a str, got {type(name).__name__}")
    return "`" + name.replace("`", "``") + "`"


def num(n: int) -> str:
    """An integer literal; refuses anything but a Python ``int`` (not a ``bool``, not a string)."""
    if type(n) is not int:
        raise TypeError(f"a SQL integer literal needs an int, got {n!r}")
    return str(n)


def dec(text: str) -> str:
    """A DECIMAL literal from a plain decimal string (digits, at most one point, optional sign)."""
    if not isinstance(text, str) or not _is_plain_decimal(text):
        raise TypeError(f"a SQL decimal literal needs a plain decimal string, got {text!r}")
    return f"CAST({lit(text)} AS DECIMAL(38,12))"


def _is_plain_decimal(text: str) -> bool:
    body = text[1:] if text[:1] == "-" else text
    whole, _, frac = body.partition(".")
    return (
        bool(whole)
        and whole.isascii()
        and whole.isdigit()
        and (not frac or (frac.isascii() and frac.isdigit()))
        and len(body) <= 40
    )
