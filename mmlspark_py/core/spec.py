"""Typed, validated, JSON-serialisable specifications.

A *spec* is a small frozen dataclass describing one step of something larger (an image transform step, a
dataprep program node, a prep-package step). It validates its arguments when it is built, so a bad argument
fails where the user wrote it, not at transform time, and it serialises to plain JSON for persistence.

Each family of specs subclasses :class:`Spec` once (the family root) and every concrete spec names itself with
the class attribute ``kind``; ``Family.from_json(obj)`` finds the concrete class by that tag within the family.

Example::

    @dataclass(frozen=True)
    class Step(Spec):  # family root
        pass

    @dataclass(frozen=True)
    class Flip(Step):
        kind = "flip"
        flipCode: int = 1
        def __post_init__(self):
            require(self.flipCode in (-1, 0, 1), "flipCode must be -1, 0 or 1", self.flipCode)

    Step.from_json({"kind": "flip", "flipCode": 0}) == Flip(0)
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Dict, Mapping, Type, TypeVar

S = TypeVar("S", bound="Spec")


class SpecError(ValueError):
    """A spec was built with invalid arguments, or JSON did not describe a known spec."""


def require(condition: bool, message: str, value: Any = None) -> None:
    """Raise :class:`SpecError` with ``message`` (and the offending value) unless ``condition`` holds."""
    if not condition:
        raise SpecError(f"{message} (got {value!r})" if value is not None else message)


def _to_json_value(value: Any) -> Any:
    if isinstance(value, Spec):
        return value.to_json()
    if isinstance(value, (list, tuple)):
        return [_to_json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _to_json_value(v) for k, v in value.items()}
    return value


@dataclasses.dataclass(frozen=True)
class Spec:
    """Base of all spec families. Subclass once per family; concrete specs set ``kind``."""

    kind: ClassVar[str] = ""
    _registry: ClassVar[Dict[str, Type[Spec]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if Spec in cls.__bases__:
            cls._registry = {}  # a direct subclass of Spec is a family root
        if cls.__dict__.get("kind"):
            family = cls._registry
            if cls.kind in family and family[cls.kind] is not cls:
                raise TypeError(f"spec kind {cls.kind!r} is defined twice ({family[cls.kind]} and {cls})")
            family[cls.kind] = cls

    def to_json(self) -> Dict[str, Any]:
        """Plain-JSON form: ``{"kind": ..., field: value, ...}`` (nested specs become nested dicts)."""
        out: Dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):
            out[f.name] = _to_json_value(getattr(self, f.name))
        return out

    @classmethod
    def from_json(cls: Type[S], obj: Any) -> S:
        """Build the concrete spec of this family that ``obj`` (a spec or its JSON dict) describes."""
        if isinstance(obj, cls):
            return obj
        if not isinstance(obj, Mapping) or "kind" not in obj:
            raise SpecError(f"expected a {cls.__name__} or a dict with a 'kind' key, got {obj!r}")
        concrete = cls._registry.get(obj["kind"])
        if concrete is None or not issubclass(concrete, cls):
            known = sorted(k for k, c in cls._registry.items() if issubclass(c, cls))
            raise SpecError(f"unknown {cls.__name__} kind {obj['kind']!r}; known kinds: {known}")
        names = {f.name for f in dataclasses.fields(concrete)}
        unknown = set(obj) - names - {"kind"}
        if unknown:
            raise SpecError(f"{concrete.__name__} has no field(s) {sorted(unknown)}; fields: {sorted(names)}")
        return concrete(**{k: v for k, v in obj.items() if k != "kind"})

    @classmethod
    def kinds(cls) -> Dict[str, Type[Spec]]:
        """The concrete specs of this family, by kind."""
        return {k: c for k, c in cls._registry.items() if issubclass(c, cls)}
