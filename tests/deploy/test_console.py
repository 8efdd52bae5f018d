"""A quiet, informative console: progress that can be silenced, and the CLI's output free of Spark's start-up
banner and of warnings nobody can act on (checked on a real run of the command, in its own process)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from mmlspark_py.core import progress
from mmlspark_py.jobs import console
from mmlspark_py.jobs.quickstart import default_images_dir


def test_progress_follows_the_environment_and_the_switches(monkeypatch, capsys):
    monkeypatch.setattr(progress, "_forced", None)
    monkeypatch.setenv("MMLSPARK_PY_PROGRESS", "0")
    assert not progress.enabled()
    progress.step("hidden")
    monkeypatch.setenv("MMLSPARK_PY_PROGRESS", "1")
    assert progress.enabled()
    progress.step("shown")
    with progress.silenced():
        assert not progress.enabled()
        progress.step("hidden too")
    assert progress.enabled()
    progress.disable()
    assert not progress.enabled()
    progress.enable()
    assert progress.enabled()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "[mmlspark-py] shown\n"


def test_plain_progress_prints_one_line_per_tenth(monkeypatch, capsys):
    monkeypatch.setattr(progress, "_forced", True)
    monkeypatch.setattr(progress, "_tqdm_class", lambda: None)  # as without tqdm installed
    assert list(progress.progress(range(20), desc="rows")) == list(range(20))
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 10 and lines[0].startswith("[mmlspark-py] rows: 2/20 it (10 %")
    assert lines[-1].startswith("[mmlspark-py] rows: 20/20 it (100 %")


def test_tqdm_bar_counts_to_the_total(monkeypatch, capsys):
    pytest.importorskip("tqdm")
    monkeypatch.setattr(progress, "_forced", True)
    with progress.Progress(total=5, desc="epochs", unit="epoch") as bar:
        for _ in range(5):
            bar.update()
    assert bar.count == 5 and "5/5" in capsys.readouterr().err


def test_known_warning_is_silenced_here_and_for_workers(monkeypatch):
    import warnings

    monkeypatch.delenv("PYTHONWARNINGS", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        console.silence_known_warnings()
        warnings.warn(
            "PySpark does not yet fully support pandas >= 3.0.0. Some features ...", FutureWarning, stacklevel=1
        )
        warnings.warn("another FutureWarning stays visible", FutureWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["another FutureWarning stays visible"]
    assert os.environ["PYTHONWARNINGS"] == "ignore:PySpark does not yet fully support pandas:FutureWarning"


def test_quiet_start_leaves_a_running_session_alone(spark, monkeypatch):
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS", raising=False)
    assert console.quiet_spark_start("WARN") is False
    assert "PYSPARK_SUBMIT_ARGS" not in os.environ
    with pytest.raises(ValueError, match="log level"):
        console.quiet_spark_start("LOUD")


@pytest.mark.slow
@pytest.mark.parametrize("flags", [[], ["--no-progress", "--log-level", "ERROR"]], ids=["default", "silenced"])
def test_the_command_prints_progress_and_no_noise(tmp_path, flags):
    images = tmp_path / "images"
    images.mkdir()
    for name in ("chelsea.png", "rocket.jpg"):
        (images / name).write_bytes((pathlib.Path(default_images_dir()) / name).read_bytes())
    env = {k: v for k, v in os.environ.items() if k not in ("PYSPARK_SUBMIT_ARGS", "MMLSPARK_PY_PROGRESS")}
    command = [
        sys.executable,
        "-m",
        "mmlspark_py",
        *flags,
        "quickstart",
        "--images",
        str(images),
        "--output",
        str(tmp_path / "out"),
        "--size",
        "32",
        "--skip-training",
    ]
    done = subprocess.run(command, env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "transformed           2" in done.stdout
    for noise in (
        "Using Spark's default log4j profile",
        "Setting default log level",
        "NativeCodeLoader",
        "FutureWarning",
        "Warning:",
    ):
        assert noise not in done.stderr, (noise, done.stderr[-3000:])
    steps = [line for line in done.stderr.splitlines() if line.startswith("[mmlspark-py]")]
    if flags:
        assert steps == [] and "[Stage" not in done.stderr
    else:
        assert [s.split()[1] for s in steps] == ["1/3", "2/3", "3/3"]
