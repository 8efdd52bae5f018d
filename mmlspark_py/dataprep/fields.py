"""Validated fields of program nodes: what a saved program may contain, checked when it is decoded.

Programs are saved as JSON and may come from someone else (a shared model folder). Every node is a
frozen :class:`~mmlspark_py.core.spec.Spec` that checks each of its fields in ``__post_init__`` with the
helpers below: integers in a range (never a ``bool`` or a string), strings bounded in length, enums from a
fixed list, nested nodes of the expected family. SQL is then built only from these checked values (see
``sqltext``). An error names the path of the field, e.g. ``Concat.atoms[0]: SubStr.case: ...``.

Example::

    >>> check_enum("SubStr", "case", "upper", ("id", "upper"))
    'upper'
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Tuple, Type

from mmlspark_py.core.spec import Spec, SpecError

MAX_TEXT = 4096  # a constant piece of output, a literal
MAX_ITEMS = 256  # atoms in a concatenation, branches in a program


def check_int(owner: str, name: str, value: Any, lo: int, hi: int) -> int:
    if type(value) is not int or not lo <= value <= hi:
        raise SpecError(f"{owner}.{name}: expected an integer in [{lo}, {hi}], got {value!r}")
    return value


def check_bool(owner: str, name: str, value: Any) -> bool:
    if type(value) is not bool:
        raise SpecError(f"{owner}.{name}: expected true or false, got {value!r}")
    return value


def check_enum(owner: str, name: str, value: Any, choices: Iterable[Any]) -> Any:
    choices = tuple(choices)
    if not isinstance(value, (str, int)) or isinstance(value, bool) or value not in choices:
        shown = list(choices) if len(choices) <= 24 else list(choices[:24]) + ["..."]
        raise SpecError(f"{owner}.{name}: {value!r} is not one of {shown}")
    return value


def check_text(owner: str, name: str, value: Any, max_len: int = MAX_TEXT, min_len: int = 0) -> str:
    if not isinstance(value, str) or not min_len <= len(value) <= max_len:
        raise SpecError(f"{owner}.{name}: expected a string of {min_len} to {max_len} characters, got {_short(value)}")
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def decode(family: Type[Spec], obj: Any, where: str = "") -> Spec:
    """``obj`` (a node of ``family`` or its JSON dict) as a node of ``family``; errors name ``where``."""
    if isinstance(obj, family):
        return obj
    try:
        return family.from_json(obj)
    except SpecError as e:
        raise SpecError(f"{where}: {e}" if where else str(e)) from None
    except TypeError as e:  # a missing field: the dataclass constructor's message names it
        raise SpecError(f"{where}: {family.__name__}: {e}" if where else f"{family.__name__}: {e}") from None


def nested(node: Spec, name: str, family: Type[Spec], optional: bool = False) -> Optional[Spec]:
    """Decode field ``name`` of ``node`` into ``family`` in place (``None`` allowed when ``optional``)."""
    value = getattr(node, name)
    if value is None and optional:
        return None
    if value is None:
        raise SpecError(f"{type(node).__name__}.{name}: missing (expected a {family.__name__})")
    out = decode(family, value, f"{type(node).__name__}.{name}")
    object.__setattr__(node, name, out)
    return out


def nested_seq(
    node: Spec, name: str, family: Type[Spec], min_len: int = 1, max_len: int = MAX_ITEMS, optional_items: bool = False
) -> Tuple[Any, ...]:
    """Decode list field ``name`` of ``node`` into a tuple of ``family`` nodes in place."""
    value = getattr(node, name)
    owner = f"{type(node).__name__}.{name}"
    if not isinstance(value, (list, tuple)) or not min_len <= len(value) <= max_len:
        raise SpecError(
            f"{owner}: expected a list of {min_len} to {max_len} {family.__name__} items, got {_short(value)}"
        )
    out = tuple(
        None if v is None and optional_items else decode(family, v, f"{owner}[{i}]") for i, v in enumerate(value)
    )
    object.__setattr__(node, name, out)
    return out
