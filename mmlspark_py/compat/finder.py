"""The import hook behind the shim: ``synapse.ml.<x>`` (and ``mmlspark.<x>``) modules built from ours.

Each SynapseML module becomes a small module of its own whose names are the very objects of mmlspark-py
(``synapse.ml.stages.Lambda is mmlspark_py.stages.Lambda``); it never replaces or changes one of our modules,
so importing through the shim cannot disturb code that imports mmlspark_py directly. Names a module lacks are
looked up lazily in its sources (PEP 562 ``__getattr__``). SynapseML's per-class modules
(``from synapse.ml.stages.UDFTransformer import UDFTransformer``) resolve to a module holding that class.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Any, Dict, List, Optional, Sequence, Tuple

from mmlspark_py.compat.modules import FLAT_ROOTS, SYNAPSE_MODULES, flat_sources

__all__ = ["SynapseFinder"]


def _public_names(module: types.ModuleType) -> List[str]:
    names = getattr(module, "__all__", None)
    return list(names) if names is not None else [n for n in vars(module) if not n.startswith("_")]


def _collect(sources: Sequence[str]) -> Dict[str, Any]:
    """The names the sources give, first source first; a ``module:Name`` source a module lacks gives nothing."""
    names: Dict[str, Any] = {}
    for source in sources:
        module_name, _, attr = source.partition(":")
        module = importlib.import_module(module_name)
        if attr:
            if hasattr(module, attr):
                names.setdefault(attr, getattr(module, attr))
            continue
        for name in _public_names(module):
            if hasattr(module, name):
                names.setdefault(name, getattr(module, name))
    return names


class ServedModule(types.ModuleType):
    """A module the shim built. Importing a per-class submodule (``synapse.ml.stages.UDFTransformer``) makes
    Python bind the submodule on its parent under the class's name; as in SynapseML's packages, which re-export
    the class over it, the class keeps the name."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and isinstance(self.__dict__.get(name), type):
            return
        super().__setattr__(name, value)


class SynapseFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds and builds the modules under ``roots`` (e.g. ``synapse.ml``, ``mmlspark``) from the table."""

    def __init__(self, roots: Sequence[str]):
        self.roots = tuple(roots)

    def _entry(self, fullname: str) -> Optional[Tuple[str, Optional[str]]]:
        """(root, subpath) for a module this finder serves; the parents of a root are packages too."""
        for root in self.roots:
            if fullname == root or fullname.startswith(root + "."):
                return root, fullname[len(root) + 1 :]
            if root.startswith(fullname + "."):
                return root, None  # e.g. "synapse" for the root "synapse.ml": an empty package
        return None

    def _class_module(self, fullname: str) -> Optional[Tuple[str, str]]:
        """(parent module, class name) for SynapseML's per-class modules (``synapse.ml.stages.Lambda``)."""
        parent, _, name = fullname.rpartition(".")
        entry = self._entry(parent)
        if not name[:1].isupper() or entry is None or entry[1] not in SYNAPSE_MODULES:
            return None
        return (parent, name) if name in _collect(SYNAPSE_MODULES[entry[1]]) else None

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        entry = self._entry(fullname)
        if entry is None:
            return None
        if entry[1] is not None and entry[1] not in SYNAPSE_MODULES and self._class_module(fullname) is None:
            return None  # not a module we have: the usual ModuleNotFoundError
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # a plain new module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__class__ = ServedModule
        module.__path__ = []  # a package, so its submodules come through this finder too
        entry = self._entry(module.__name__)
        class_module = self._class_module(module.__name__)
        if class_module is not None:
            parent, name = class_module
            module.__dict__[name] = getattr(importlib.import_module(parent), name)
            module.__dict__["__all__"] = [name]
            return
        sources = SYNAPSE_MODULES.get(entry[1], ()) if entry and entry[1] is not None else ()
        if entry and entry[1] == "" and entry[0] in FLAT_ROOTS:
            sources = flat_sources()
        names = _collect(sources)
        module.__dict__.update(names)
        module.__dict__["__all__"] = sorted(names)
        module.__doc__ = (
            f"SynapseML's {module.__name__}, served by mmlspark-py from {', '.join(sources) or 'nothing (a package)'}."
        )

        def __getattr__(name: str) -> Any:
            for source in sources:
                source_module = importlib.import_module(source.partition(":")[0])
                if not source.partition(":")[2] and hasattr(source_module, name):
                    return getattr(source_module, name)
            raise AttributeError(
                f"module {module.__name__!r} has no attribute {name!r} (mmlspark-py provides {sorted(names)})"
            )

        module.__dict__["__getattr__"] = __getattr__


def installed_finder() -> Optional[SynapseFinder]:
    """The shim's finder if it is on ``sys.meta_path``."""
    return next((f for f in sys.meta_path if isinstance(f, SynapseFinder)), None)
