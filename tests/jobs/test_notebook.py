"""notebooks/experiments_and_models.ipynb runs headless from top to bottom (nbclient + the python3 kernel)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "experiments_and_models.ipynb"


@pytest.mark.slow
def test_experiments_and_models_notebook_runs(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(NOTEBOOK.parents[1]), os.environ.get("PYTHONPATH", "")]))
    notebook = nbformat.read(str(NOTEBOOK), as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=1200, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "models:/income/1 ['champion']" in printed
    assert "('fast', {'scores'" in printed and "400 {'error': \"record 0, field 'age'" in printed
