"""Where each SynapseML module's names live in mmlspark-py: the one table the import shim reads.

Each entry maps a module under ``synapse.ml`` to its sources: ``"mmlspark_py.x"`` (every public name of that
module) or ``"mmlspark_py.x:Name"`` (one name, taken only if that module has it, so a class another area adds
later appears without changing the shim). Names are looked up in source order.
"""

from __future__ import annotations

from typing import Dict, Tuple

# The subpackage of ``synapse.ml`` -> our sources.
SYNAPSE_MODULES: Dict[str, Tuple[str, ...]] = {
    "": (),
    "stages": ("mmlspark_py.stages",),
    "featurize": ("mmlspark_py.featurize",),
    "featurize.text": ("mmlspark_py.featurize.text",),
    "image": (
        "mmlspark_py.image",
        "mmlspark_py.opencv:ResizeImageTransformer",
        "mmlspark_py.opencv:SuperpixelTransformer",
    ),
    "opencv": (
        "mmlspark_py.opencv",
        "mmlspark_py.image:ImageSetAugmenter",
        "mmlspark_py.image:toNDArray",
        "mmlspark_py.image:toImage",
        "mmlspark_py.image:ImageSchema",
    ),
    "lime": ("mmlspark_py.image:SuperpixelTransformer", "mmlspark_py.opencv:SuperpixelTransformer"),
    "onnx": ("mmlspark_py.onnx",),
    "train": ("mmlspark_py.train",),
    "automl": ("mmlspark_py.automl",),
    "downloader": ("mmlspark_py.downloader",),
    "plot": ("mmlspark_py.plot",),
    "core": (),
    "core.platform": ("mmlspark_py.compat.platform",),
    "core.init_spark": ("mmlspark_py.compat.platform:init_spark",),
}

# Roots that alias the table: SynapseML's and MMLSpark's (its name before 0.9: ``mmlspark.stages``, ...).
ROOTS: Tuple[str, ...] = ("synapse.ml", "mmlspark")

# Roots whose top module also holds every area's classes: early MMLSpark exported them flat
# (``from mmlspark import TrainClassifier``).
FLAT_ROOTS: Tuple[str, ...] = ("mmlspark",)


def flat_sources() -> Tuple[str, ...]:
    """Every whole-module source of the table (for a flat root)."""
    return tuple(dict.fromkeys(s for sources in SYNAPSE_MODULES.values() for s in sources if ":" not in s))
