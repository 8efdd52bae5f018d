"""Every notebook in ``notebooks/`` runs from a clean kernel and is stored clean.

* stored without outputs or execution counts (diffs stay readable; results are never stale), with the
  ``python3`` kernel, and installing nothing (no ``pip``/``conda`` cells: the README's commands install what
  the notebooks need);
* executed top to bottom by nbclient in a fresh ``python3`` kernel of the running interpreter (ipykernel),
  in a temporary working folder; any cell error fails the test with the cell and its traceback, and what a
  notebook must print (``PRINTED``) is checked.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.onnx.models import EFFNET_PATH

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
INSTALLS = re.compile(r"^\s*[!%]\s*(pip|conda|mamba|uv)\b|\bpip install\b", re.MULTILINE)
CELL_TIMEOUT_S = 900
# Values a notebook must print (its story's results, not only "no error"), by notebook name.
PRINTED = {
    "experiments_and_models": [
        "models:/income/1 ['champion']",
        "('fast', {'rawPrediction'",
        "400 {'error': \"record 0, field 'age'",
    ],
}


def _read(path: Path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_clean(path):
    import nbformat

    nb = _read(path)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernel must be python3"
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert not cell.get("outputs"), f"{path.name} cell {index} is stored with outputs (clear them)"
        assert cell.get("execution_count") is None, f"{path.name} cell {index} is stored with an execution count"
        assert not INSTALLS.search(cell.source), f"{path.name} cell {index} installs packages: {cell.source!r}"


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_from_a_clean_kernel(path, tmp_path):
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = _read(path)
    # The notebook's own folder is copied, so relative paths in it work and its outputs stay out of the repo.
    work = tmp_path / path.parent.name
    shutil.copytree(path.parent, work, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    env_before = dict(os.environ)
    # The kernel is a child of this interpreter: it sees the same environment (and so the same package).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ["MPLBACKEND"] = "Agg"
    # The transfer-learning notebook looks for the offline EfficientNet asset (../shared/models) relative to
    # the repository; the notebook runs in a temporary folder, so it is told where the asset is.
    os.environ.setdefault("MMLSPARK_PY_EFFNET", str(EFFNET_PATH))
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name=NATIVE_KERNEL_NAME, resources={"metadata": {"path": str(work)}}
    )
    try:
        client.execute()
    except CellExecutionError as e:
        pytest.fail(f"{path.name} failed:\n{str(e)[-6000:]}")
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: {errors}"
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    for expected in PRINTED.get(path.stem, []):
        assert expected in printed, f"{path.name} did not print {expected!r}"
