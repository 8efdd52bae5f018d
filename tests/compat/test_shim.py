"""The shim itself: SynapseML's module paths give our very classes, per-class modules work, old ``mmlspark`` names
work, notebook helpers exist, and a real SynapseML installation is never shadowed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import mmlspark_py.compat as compat


def test_modules_resolve_to_our_classes():
    from synapse.ml.featurize.text import TextFeaturizer
    from synapse.ml.onnx import ONNXModel
    from synapse.ml.opencv import ImageSetAugmenter, ImageTransformer
    from synapse.ml.stages import LumpFeatures, TextPreprocessor, UnicodeNormalize

    import mmlspark_py.featurize.text
    import mmlspark_py.onnx
    import mmlspark_py.opencv
    import mmlspark_py.stages

    assert TextFeaturizer is mmlspark_py.featurize.text.TextFeaturizer
    assert ONNXModel is mmlspark_py.onnx.ONNXModel
    assert ImageTransformer is mmlspark_py.opencv.ImageTransformer
    assert ImageSetAugmenter.__name__ == "ImageSetAugmenter"
    assert LumpFeatures is mmlspark_py.stages.LumpFeatures
    assert TextPreprocessor is mmlspark_py.featurize.text.TextPreprocessor is mmlspark_py.stages.TextPreprocessor
    assert UnicodeNormalize is mmlspark_py.featurize.text.UnicodeNormalize


def test_per_class_modules_and_old_names_do_not_touch_our_modules():
    from mmlspark import TrainClassifier  # MMLSpark before 0.18 exported every class at the top
    from mmlspark.stages import SelectColumns
    from synapse.ml.stages.UDFTransformer import UDFTransformer

    import mmlspark_py.stages

    assert UDFTransformer is mmlspark_py.stages.UDFTransformer
    from synapse.ml.stages import UDFTransformer as again  # the package name stays the class, as in SynapseML

    assert again is UDFTransformer
    assert isinstance(mmlspark_py.stages.UDFTransformer, type)  # not replaced by a module
    assert SelectColumns is mmlspark_py.stages.SelectColumns
    assert TrainClassifier.__module__.startswith("mmlspark_py.train")
    assert mmlspark_py.stages.__spec__.name == "mmlspark_py.stages"


def test_unknown_names_fail_as_imports_do():
    with pytest.raises(ModuleNotFoundError):
        import synapse.ml.no_such_area  # noqa: F401
    with pytest.raises(ImportError, match="cannot import name 'NoSuchStage'"):
        from synapse.ml.stages import NoSuchStage  # noqa: F401


def test_platform_helpers(monkeypatch):
    from synapse.ml.core.platform import find_secret, running_on_binder, running_on_databricks, running_on_synapse

    monkeypatch.delenv("AZURE_SERVICE", raising=False)
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
    assert (running_on_synapse(), running_on_binder()) == (False, False)
    monkeypatch.setenv("BINDER_LAUNCH_HOST", "https://mybinder.org/")
    assert running_on_binder() and not running_on_databricks()
    assert find_secret("key", override="abc") == "abc"
    with pytest.raises(RuntimeError, match="override="):
        find_secret("key")


def _run(code: str, *paths: str) -> subprocess.CompletedProcess:
    env_path = ":".join(list(paths) + sys.path)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_one_line_in_a_fresh_interpreter():
    done = _run("""
        import mmlspark_py.compat
        from synapse.ml.stages import Lambda
        import mmlspark_py.stages
        assert Lambda is mmlspark_py.stages.Lambda
        print("ok")
    """)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_real_synapseml_is_never_shadowed(tmp_path):
    real = tmp_path / "synapse" / "ml" / "stages"
    real.mkdir(parents=True)
    (tmp_path / "synapse" / "__init__.py").write_text("")
    (tmp_path / "synapse" / "ml" / "__init__.py").write_text("")
    (real / "__init__.py").write_text("REAL = True\n")
    done = _run(
        """
        import mmlspark_py.compat as compat
        import synapse.ml.stages
        print(compat.installed_roots(), getattr(synapse.ml.stages, "REAL", False))
    """,
        str(tmp_path),
    )
    assert done.stdout.strip() == "['mmlspark'] True", done.stderr


def test_install_is_idempotent():
    assert compat.install() == compat.install() == compat.installed_roots()
