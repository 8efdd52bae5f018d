"""Programs saved by the first release (``{"node": ...}`` JSON with string-coded tokens), read as today's.

The first release wrote nodes as ``{"node": "SubStr", ...}``, tokens as strings (``"digits"``,
``"lit:<text>"``, ``"seq:<class>:<text>"``) and column views as ``"rep:<c><d>"``/``"camel:<d>"``. ``upgrade``
rewrites such a program into today's JSON without interpreting any value: the result then goes through
the same validation as any program, so an old file with a bad field is refused like a new one.

Example::

    >>> upgrade({"branches": [[None, {"node": "Concat", "atoms": [{"node": "Const", "text": "x"}]}]]})["kind"]
    'program'
"""

from __future__ import annotations

from typing import Any, Dict

from mmlspark_py.core.spec import SpecError

_RENAME = {
    "Concat": "concat",
    "Const": "const",
    "SubStr": "substr",
    "AbsPos": "abs",
    "TokPos": "match",
    "HasToken": "has_token",
    "IsNull": "is_null",
}
_FIELDS = {"SubStr": {"p1": "start", "p2": "end"}}


_LAYOUTS = {
    "yyyy-M-d": "%Y-%m-%d",
    "M/d/yyyy": "%m/%d/%Y",
    "d.M.yyyy": "%d.%m.%Y",
    "MMMM d, yyyy": "%B %d, %Y",
    "MMM d, yyyy": "%b %d, %Y",
    "d MMMM yyyy": "%d %B %Y",
    "yyyy-M": "%Y-%m",
    "yyyyMMdd": "%Y%m%d",
    "h:mm a": "%I:%M %p",
    "H:mm": "%H:%M",
    "yyyy-M-d H:mm:ss": "%Y-%m-%d %H:%M:%S",
}


def _datetime(d: dict) -> dict:
    """A first-release ``DatePart`` as a ``DateTime`` (its fixed formats become layouts)."""
    fmt = d.get("fmt")
    return {
        "kind": "datetime",
        "col": d.get("col"),
        "field": d.get("part"),
        "layout": _LAYOUTS.get(fmt, fmt) if isinstance(fmt, str) else fmt,
    }


def _number(d: dict) -> dict:
    """A first-release ``NumPart`` as a ``Number`` (integers: no decimals; ``thousands``: ',' groups)."""
    out = {"kind": "number", "col": d.get("col"), "k": d.get("k"), "style": "dot", "signed": d.get("token") == "snum"}
    if d.get("mode") == "int":
        out.update(decimals=0, width=d.get("width"))
    else:
        out.update(decimals=d.get("decimals"), group="," if d.get("thousands") is True else "")
    return out


def is_legacy(obj: Any) -> bool:
    return isinstance(obj, dict) and "kind" not in obj and "branches" in obj


def upgrade(obj: Any) -> Any:
    """Today's JSON for a first-release program (values are passed on unchecked, for validation)."""
    branches = obj.get("branches")
    if not isinstance(branches, list):
        raise SpecError("program.branches: expected a list of [predicate, body] pairs")
    out = []
    for i, b in enumerate(branches):
        if not isinstance(b, list) or len(b) != 2:
            raise SpecError(f"program.branches[{i}]: expected a [predicate, body] pair, got {str(b)[:60]!r}")
        out.append({"kind": "branch", "pred": _node(b[0]), "body": _node(b[1])})
    return {"kind": "program", "branches": out}


def _node(d: Any) -> Any:
    if not isinstance(d, dict) or "node" not in d:
        return d  # validation reports it
    name = str(d["node"])
    if name == "NumPart":
        return _number(d)
    if name == "DatePart":
        return _datetime(d)
    if name not in _RENAME:
        raise SpecError(f"unknown program node {name!r}; valid: {sorted(_RENAME)}")
    out: Dict[str, Any] = {"kind": _RENAME[name]}
    for k, v in d.items():
        if k == "node":
            continue
        key = str(_FIELDS.get(name, {}).get(k, k))
        if k == "token" and name in ("TokPos", "HasToken"):
            v = _token(v)
        elif k == "view" and name == "SubStr":
            v = _view(v)
        elif isinstance(v, dict):
            v = _node(v)
        elif isinstance(v, list):
            v = [_node(x) for x in v]
        out[key] = v
    return out


def _token(name: Any) -> Any:
    if not isinstance(name, str):
        return name
    if name.startswith("lit:"):
        return {"kind": "literal", "text": name[4:]}
    if name.startswith("seq:"):
        cls, _, text = name[4:].partition(":")
        return {"kind": "then", "text": text, "cls": cls}
    return {"kind": "class", "name": name}


def _view(v: Any) -> Any:
    if v == "" or v is None:
        return None
    if isinstance(v, str) and v.startswith("rep:") and len(v) >= 5:
        return {"kind": "replace", "old": v[4], "new": v[5:]}
    if isinstance(v, str) and v.startswith("camel:"):
        return {"kind": "camel", "sep": v[6:]}
    return v  # validation reports it
