"""References to importable Python objects (``"package.module:qualified.name"``): how Lambda and
UDFTransformer save the functions they hold without pickling them.

A saved stage stores only the reference; loading imports the module and looks the name up, so the code that
runs after loading is the code of the installed module, never bytes read from the saved folder.
Objects that cannot be found again by import (lambdas, functions nested in other functions, objects not bound
to a module-level name) are rejected when they are set, because they could not be saved.

Example::

    ref = reference_of(my_package.features.add_ratio)   # 'my_package.features:add_ratio'
    resolve(ref) is my_package.features.add_ratio        # True
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Optional

__all__ = ["ObjectReferenceError", "reference_of", "resolve", "to_reference"]


class ObjectReferenceError(ValueError):
    """An object cannot be referenced by import, or a reference does not resolve; the message says why."""


def resolve(ref: str) -> Any:
    """The object ``ref`` (``"module:qualname"``) names; raises ObjectReferenceError naming what is missing."""
    module_name, sep, qualname = ref.partition(":")
    if not sep or not module_name or not qualname:
        raise ObjectReferenceError(f"{ref!r} is not a reference of the form 'package.module:name'")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as e:
        raise ObjectReferenceError(f"cannot import module {module_name!r} of reference {ref!r}: {e}") from e
    for part in qualname.split("."):
        if not hasattr(target, part):
            raise ObjectReferenceError(f"module {module_name!r} has no attribute {qualname!r} (reference {ref!r})")
        target = getattr(target, part)
    return target


def _module_level_name(obj: Any, module_name: str) -> Optional[str]:
    """The qualified name under which ``obj`` itself is reachable in ``module_name``, if any."""
    qualname = getattr(obj, "__qualname__", None)
    if isinstance(qualname, str) and "<" not in qualname:
        try:
            if resolve(f"{module_name}:{qualname}") is obj:
                return qualname
        except ObjectReferenceError:
            pass
    module = importlib.import_module(module_name)
    # Objects made by decorators or factories (e.g. ``my_udf = udf(f, "int")``) carry the wrapped
    # function's name, not the one they are bound to: find the binding itself.
    for name, value in vars(module).items():
        if value is obj:
            return name
    return None


def reference_of(obj: Any) -> str:
    """``"module:qualname"`` of a module-level function/object; raises ObjectReferenceError when there is none."""
    module_name = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", "") or ""
    if "<lambda>" in qualname or "<locals>" in qualname:
        raise ObjectReferenceError(f"{qualname!r} is a lambda or a nested function: it cannot be saved (it is never "
                              "pickled); define it at module level of an importable module")
    if not module_name:
        raise ObjectReferenceError(f"{obj!r} has no __module__: it cannot be saved by reference")
    name = _module_level_name(obj, module_name)
    if name is None:
        raise ObjectReferenceError(f"{obj!r} is not bound to a name at module level of {module_name!r}: it cannot "
                              "be saved by reference; assign it to a module-level name")
    return f"{module_name}:{name}"


def to_reference(check: Callable[[Any], None]) -> Callable[[Any], str]:
    """A param converter: an object or a reference string -> a checked reference string.

    ``check(obj)`` validates the resolved object (raising TypeError with a message) so that a reference read
    back from a saved stage is checked exactly like an object set by the user.
    """

    def convert(value: Any) -> str:
        ref = value if isinstance(value, str) else reference_of(value)
        check(resolve(ref))
        return ref

    return convert
