"""The documentation: ``mkdocs build --strict`` passes, and every ```python block of every page runs.

A page's blocks run top to bottom in one namespace (as a reader pasting them into a notebook would), with
``spark`` bound to the test session, in a temporary working folder. A block that must not run here (it needs a
cluster, a GPU, a remote service) is written as ```text or ```sh instead, never as ```python.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
PAGES = sorted(p for p in DOCS.rglob("*.md") if FENCE.search(p.read_text(encoding="utf-8")))


def python_blocks(page: Path):
    return [m.group(1) for m in FENCE.finditer(page.read_text(encoding="utf-8"))]


def test_docs_build_strict(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=str(REPO),
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert (tmp_path / "site" / "capabilities" / "images" / "index.html").exists()
    api = (tmp_path / "site" / "capabilities" / "images" / "index.html").read_text(encoding="utf-8")
    assert "ImageTransformer" in api and "read_images" in api  # generated from the docstrings


def test_every_page_in_the_nav_exists():
    nav = re.findall(r":\s*([\w/.-]+\.md)\s*$", (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.MULTILINE)
    assert nav and all((DOCS / page).exists() for page in nav), [p for p in nav if not (DOCS / p).exists()]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_examples_run(page, spark, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = set(os.listdir(REPO))
    namespace = {"__name__": f"docs_{page.stem}", "spark": spark}
    for index, block in enumerate(python_blocks(page)):
        code = compile(block, f"{page.relative_to(DOCS)} block {index + 1}", "exec")
        exec(code, namespace)  # the repository's own documentation examples
    # Spark resolves relative paths against the JVM's working directory: examples must write elsewhere.
    assert set(os.listdir(REPO)) <= before, f"{page.name} wrote {sorted(set(os.listdir(REPO)) - before)} into the repo"
