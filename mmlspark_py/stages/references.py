"""Functions held by stages (Lambda's functions, UDFTransformer's UDF): how they are saved, and which saved ones
may be loaded again.

**In memory anything callable works**: a lambda, a nested function, ``udf(lambda x: 1)``. Only *saving* asks
more, and it asks it when the stage is saved, never when the function is set:

* **By reference** (the default): the function is saved as ``"package.module:name"``, the module-level name it
  is bound to (``def f`` at module level, or ``my_udf = udf(...)`` bound at module level). This needs the name
  to be *allowed* (see below), so that the saved stage can be loaded again.
* **By pickling**, only when the stage's ``allowPickle`` param is True: the function is serialized with
  cloudpickle (pyspark's copy) into the saved metadata. Unpickling runs arbitrary code, so loading such a stage
  needs an explicit opt-in as well: ``with allow_pickled_functions(): stage = UDFTransformer.load(path)``.
  Only load pickled stages you saved yourself or from a source you trust.

Anything else fails at save time with a :class:`~mmlspark_py.core.persistence.PersistenceError` that says why
and what to do.

**A saved folder is input from a stranger.** Loading resolves a reference only to a function the user allowed,
never importing a module the folder names otherwise (the same rule as stage classes in
:mod:`mmlspark_py.core.persistence`): functions registered with :func:`register_function` (looked up by name,
nothing is imported), or functions in modules whose dotted names start with a prefix given to
:func:`allow_function_modules` (mmlspark_py's own modules are allowed). Call the same in the process that
loads. A reference that is not allowed fails with an :class:`ObjectReferenceError` stating the rule.

Example::

    allow_function_modules("my_package")                     # in the saving and the loading process
    Lambda(transformFunc=my_package.features.add_ratio).write().save(path)   # 'my_package.features:add_ratio'
    Lambda.load(path).getTransformFunc() is my_package.features.add_ratio    # True
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import sys
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from mmlspark_py.core.params import JsonParam, Params, TypeConverters, declare
from mmlspark_py.core.persistence import AllowList, PersistenceError, StageWriter

__all__ = [
    "ObjectReferenceError",
    "register_function",
    "allow_function_modules",
    "allow_pickled_functions",
    "resolve",
    "reference_of",
    "find_reference",
    "FunctionParam",
    "HasFunctionParams",
]

_FUNCTIONS = AllowList("mmlspark_py.")
_unpickling = threading.local()
_PICKLE_KEY = "cloudpickle"


class ObjectReferenceError(ValueError):
    """A reference is malformed, not allowed, or does not resolve; the message says why and what is allowed."""


# ------------------------------------------------------------------------------------------- the allow-list
def register_function(obj: Any, name: Optional[str] = None) -> Any:
    """Allow loading ``obj`` wherever a saved stage names it (``name``, default its module-level reference).

    Usable as a decorator. Nothing is imported when a registered name is loaded: the registered object is used.
    """
    ref = name if name is not None else reference_of(obj)
    _check_form(ref)
    _FUNCTIONS.register(ref, obj)
    return obj


def allow_function_modules(*prefixes: str) -> None:
    """Allow loading functions from modules whose dotted names start with any of ``prefixes``.

    Only for code you trust: loading a saved stage imports the module its reference names.
    """
    _FUNCTIONS.allow_modules(*prefixes)


def _allow_rule() -> str:
    return (
        "references resolve only to functions registered with mmlspark_py.stages.register_function(f) or in "
        "modules allowed with mmlspark_py.stages.allow_function_modules('your.package') (mmlspark_py's own "
        "modules are allowed)"
    )


@contextlib.contextmanager
def allow_pickled_functions() -> Iterator[None]:
    """Within this block (this thread), loading a stage may unpickle functions it was saved with.

    Unpickling runs arbitrary code from the saved folder: use it only for stages you trust.
    """
    depth = getattr(_unpickling, "depth", 0)
    _unpickling.depth = depth + 1
    try:
        yield
    finally:
        _unpickling.depth = depth


# ---------------------------------------------------------------------------------------- references
def _check_form(ref: Any) -> Tuple[str, str]:
    if not isinstance(ref, str) or len(ref) > 500:
        raise ObjectReferenceError(f"{ref!r} is not a reference of the form 'package.module:name'")
    module, sep, qualname = ref.partition(":")
    parts = module.split(".") + qualname.split(".")
    if not sep or not all(p.isidentifier() for p in parts):
        raise ObjectReferenceError(f"{ref!r} is not a reference of the form 'package.module:name'")
    return module, qualname


def resolve(ref: str) -> Any:
    """The allowed object ``ref`` (``"module:qualname"``) names.

    Registered names resolve to the registered object; otherwise the module must be allowed, and only then is
    it imported.

    :raises ObjectReferenceError: for a malformed or not allowed reference (nothing is imported), a module that
        cannot be imported or a missing name.
    """
    module_name, qualname = _check_form(ref)
    registered = _FUNCTIONS.registered(ref)
    if registered is not None:
        return registered
    if not _FUNCTIONS.allows_module(module_name):
        raise ObjectReferenceError(f"refusing to resolve {ref!r}: {_allow_rule()}")
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
    """The qualified name under which ``obj`` itself is reachable in the (already imported) module, if any."""
    module = sys.modules.get(module_name)
    if module is None:
        return None
    qualname = getattr(obj, "__qualname__", None)
    if isinstance(qualname, str) and "<" not in qualname:
        target: Any = module
        for part in qualname.split("."):
            target = getattr(target, part, None)
        if target is obj:
            return qualname
    # Objects made by decorators or factories (``plus_one = pandas_udf(lambda s: s + 1, "long")``) carry the
    # wrapped function's name (``<lambda>``), not the one they are bound to: find the binding itself.
    for name, value in list(vars(module).items()):
        if value is obj and name.isidentifier():
            return name
    return None


def _why_not_referable(obj: Any) -> Tuple[Optional[str], str]:
    """(its module-level reference, "") or (None, why it has none)."""
    module_name = getattr(obj, "__module__", None)
    if not module_name:
        return None, f"{obj!r} has no __module__"
    if module_name == "__main__":
        return None, (f"{obj!r} is defined in __main__ (a script or notebook), which another process cannot import")
    name = _module_level_name(obj, module_name)
    if name is None:
        qualname = getattr(obj, "__qualname__", "") or ""
        kind = "a lambda or a nested function" if "<" in qualname else "an object"
        return None, f"{obj!r} is {kind} not bound to a name at module level of {module_name!r}"
    return f"{module_name}:{name}", ""


def find_reference(obj: Any) -> Optional[str]:
    """``"module:qualname"`` of an object bound at module level of an imported module (not ``__main__``)."""
    return _why_not_referable(obj)[0]


def reference_of(obj: Any) -> str:
    """Like :func:`find_reference`, but raises ObjectReferenceError saying why there is no reference."""
    ref, why = _why_not_referable(obj)
    if ref is None:
        raise ObjectReferenceError(f"{why}: it cannot be saved by reference")
    return ref


# ------------------------------------------------------------------------------------ the param and mixin
class _Pickled:
    """A function to be saved by pickling (made only by :meth:`HasFunctionParams.write`, when allowed)."""

    def __init__(self, func: Any):
        self.func = func


def _unpickle(value: Dict[str, Any]) -> Any:
    if not getattr(_unpickling, "depth", 0):
        raise ObjectReferenceError(
            "this function was saved by pickling (cloudpickle); unpickling runs code from the saved folder, so it is "
            "never done by default: load it inside `with mmlspark_py.stages.allow_pickled_functions():` if, and "
            "only if, you trust where it comes from"
        )
    data = value.get(_PICKLE_KEY)
    if not isinstance(data, str):
        raise ObjectReferenceError("a pickled function must be a base64 string")
    from pyspark import cloudpickle

    obj = cloudpickle.loads(base64.b64decode(data.encode("ascii"), validate=True))
    if isinstance(obj, tuple) and len(obj) == 6 and obj[0] == _UDF_TAG:
        return _rebuild_udf(*obj[1:])
    return obj


# A Spark UDF object holds JVM handles and locks that cannot be pickled: its parts are pickled instead.
_UDF_TAG = "pyspark-udf"


def _udf_parts(func: Any) -> Any:
    if all(hasattr(func, a) for a in ("func", "returnType", "evalType", "deterministic")):
        return (_UDF_TAG, func.func, func.returnType.json(), func.evalType, func.deterministic, func.__name__)
    return func


def _rebuild_udf(func: Any, return_type: str, eval_type: int, deterministic: bool, name: str) -> Any:
    from pyspark.sql.types import _parse_datatype_json_string
    from pyspark.sql.udf import UserDefinedFunction

    return UserDefinedFunction(
        func, _parse_datatype_json_string(return_type), name, eval_type, deterministic
    )._wrapped()


def to_function(check: Callable[[Any], None]) -> Callable[[Any], Any]:
    """A param converter: a callable (kept as is), a reference string (resolved if allowed) or a saved pickle
    (unpickled only inside :func:`allow_pickled_functions`) -> the checked callable.

    ``check(obj)`` validates the object (raising TypeError) so a function read back from a saved stage is
    checked exactly like one set by the user.
    """

    def convert(value: Any) -> Any:
        if isinstance(value, _Pickled):
            check(value.func)
            return value
        if isinstance(value, str):
            obj = resolve(value)
        elif isinstance(value, dict):
            obj = _unpickle(value)
        else:
            obj = value
        check(obj)
        return obj

    return convert


class FunctionParam(JsonParam):
    """A param holding a function; saved by reference (or pickled, see the module docstring)."""

    def to_json(self, value: Any) -> Any:
        if isinstance(value, _Pickled):
            from pyspark import cloudpickle

            data = cloudpickle.dumps(_udf_parts(value.func))
            return {
                _PICKLE_KEY: base64.b64encode(data).decode("ascii"),
                "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
            }
        return saveable_reference(self.name, value)

    @classmethod
    def declare(cls, doc: str, check: Callable[[Any], None]) -> Any:
        """Declare a function param whose values ``check`` validates (raising TypeError)."""
        param = declare(doc, to_function(check), type_name="function")
        param.__class__ = cls
        return param


def saveable_reference(param: str, func: Any) -> str:
    """The reference ``func`` is saved under, if it is referable and allowed; else PersistenceError saying why."""
    ref, why = _why_not_referable(func)
    if ref is not None:
        module = ref.partition(":")[0]
        if _FUNCTIONS.registered(ref) is func or _FUNCTIONS.allows_module(module):
            return ref
        why = f"{ref!r} is in module {module!r}, which is not allowed, so the saved stage could not be loaded"
    raise PersistenceError(
        f"param {param!r}: cannot save {func!r} safely: {why}. Define it at module level of an importable module "
        f"and allow it (mmlspark_py.stages.allow_function_modules('your.package') or register_function(f), in the "
        f"saving and the loading process), or set allowPickle=True to pickle it (loading then needs "
        f"mmlspark_py.stages.allow_pickled_functions(); a pickle runs arbitrary code when loaded)"
    )


class HasFunctionParams(Params):
    """Mixin of stages holding functions: ``allowPickle`` and a ``write()`` that checks saveability first."""

    allowPickle = declare(
        "whether to save functions that cannot be saved by reference by pickling them with "
        "cloudpickle (loading then needs mmlspark_py.stages.allow_pickled_functions(); a pickle "
        "runs arbitrary code when loaded, so share such a stage only with people who trust you)",
        TypeConverters.toBoolean,
        default=False,
    )

    def _function_params(self) -> List[FunctionParam]:
        return [p for p in self.params if isinstance(p, FunctionParam)]

    def write(self) -> Any:
        """A writer of this stage; raises PersistenceError now (before anything is written) when a function
        cannot be saved (see :mod:`mmlspark_py.stages.references`)."""
        stage = self.copy()
        for param in self._function_params():
            for section in (stage._paramMap, stage._defaultParamMap):
                key = stage.getParam(param.name)
                value = section.get(key)
                if value is None or isinstance(value, _Pickled):
                    continue
                try:
                    saveable_reference(param.name, value)
                except PersistenceError:
                    if not self.getOrDefault(self.allowPickle):
                        raise
                    section[key] = _Pickled(value)
        return StageWriter(stage)

    def _function(self, param: str) -> Any:
        value = self.getOrDefault(param)
        return value.func if isinstance(value, _Pickled) else value
