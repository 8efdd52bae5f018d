"""Run SynapseML code unchanged: ``import mmlspark_py.compat`` makes ``synapse.ml.*`` (and the older
``mmlspark.*``) imports resolve to mmlspark-py's classes.

One line at the top of a notebook::

    import mmlspark_py.compat                      # or mmlspark_py.compat.install()
    from synapse.ml.stages import SelectColumns    # is mmlspark_py.stages.SelectColumns
    from synapse.ml.opencv import ImageTransformer
    from synapse.ml.core.platform import running_on_synapse

The modules served are listed in :mod:`mmlspark_py.compat.modules` (stages, featurize, featurize.text, image,
opencv, lime, onnx, train, automl, downloader, plot, core.platform, core.init_spark). A root whose real package
is installed (SynapseML's ``synapse.ml``, or MMLSpark's ``mmlspark``) is left alone: the shim never shadows it.
Nothing in mmlspark-py imports this package; it imports the areas, lazily, when a SynapseML module is imported.
What differs from SynapseML is listed in ``docs/synapseml_compatibility.md``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import List

from mmlspark_py.compat.finder import SynapseFinder, installed_finder
from mmlspark_py.compat.modules import ROOTS

__all__ = ["install", "uninstall", "installed_roots"]


def _real_package_installed(root: str) -> bool:
    """Whether a real ``root`` (e.g. SynapseML's synapse.ml) is importable, found without importing it."""
    top, _, rest = root.partition(".")
    spec = importlib.util.find_spec(top) if top not in sys.modules else sys.modules[top].__spec__
    if spec is None or isinstance(spec.loader, SynapseFinder):
        return False
    if not rest:
        return True
    locations = list(spec.submodule_search_locations or [])
    return any(os.path.exists(os.path.join(loc, *rest.split("."))) for loc in locations)


def install() -> List[str]:
    """Serve ``synapse.ml.*`` and ``mmlspark.*`` from mmlspark-py (roots whose real package is installed
    excepted); idempotent. Returns the roots served."""
    finder = installed_finder()
    if finder is None:
        roots = [r for r in ROOTS if not _real_package_installed(r)]
        finder = SynapseFinder(roots)
        sys.meta_path.insert(0, finder)
    return list(finder.roots)


def installed_roots() -> List[str]:
    """The roots the shim serves now (empty when it is not installed)."""
    finder = installed_finder()
    return list(finder.roots) if finder else []


def uninstall() -> None:
    """Stop serving SynapseML's modules and forget those already imported (for tests)."""
    finder = installed_finder()
    if finder is None:
        return
    sys.meta_path.remove(finder)
    for name in [n for n in sys.modules if finder._entry(n) is not None]:
        if isinstance(getattr(sys.modules[name], "__loader__", None), SynapseFinder):
            del sys.modules[name]


install()
