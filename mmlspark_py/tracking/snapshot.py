"""A snapshot of the user's code for a run, as the Workbench took one: enough to see what produced a result.

- In a git repository: the commit, branch and remote (as MLflow's ``mlflow.source.git.*`` tags), the
  uncommitted diff against HEAD (``code/git_diff.patch``, staged and unstaged) and the untracked, not ignored
  files (``code/untracked.zip``, within the size limits).
- Otherwise: a zip of the code folder (``code/snapshot.zip``) with ignore rules: :data:`DEFAULT_IGNORE` plus
  the patterns of a ``.mmlsparkignore`` file in that folder (one ``fnmatch`` pattern a line, ``#`` comments),
  matched against each file's path relative to the folder and against each path component.

Limits: files over ``max_file_bytes`` are left out, and the archive stops growing at ``max_total_bytes``;
``code/manifest.json`` lists what was included and what was left out and why.

The code folder is the folder of the running script (``sys.argv[0]``), or the working directory in notebooks
and interactive sessions, unless given.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

DEFAULT_IGNORE = (
    ".git",
    "__pycache__",
    "*.pyc",
    ".venv",
    "venv",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
    ".ipynb_checkpoints",
    "mlruns",
    "mlartifacts",
    "mlflow.db",
    "mlflow.db-*",
    "*.parquet",
    "*.crc",
    "spark-warehouse",
    "metastore_db",
)
IGNORE_FILE = ".mmlsparkignore"
MAX_FILE_BYTES = 1 << 20
MAX_TOTAL_BYTES = 10 << 20


@dataclass
class Snapshot:
    """What to record: tags, and local files to log as artifacts under ``code/``."""

    tags: Dict[str, str] = field(default_factory=dict)
    files: List[str] = field(default_factory=list)


def code_folder() -> str:
    """The folder of the running script, or the working directory when there is no script file."""
    script = sys.argv[0] if sys.argv else ""
    if script and os.path.isfile(script) and not script.endswith(("pytest", "ipykernel_launcher.py")):
        return os.path.dirname(os.path.abspath(script))
    return os.getcwd()


def _git(folder: str, *args: str) -> Optional[str]:
    try:
        done = subprocess.run(["git", "-C", folder, *args], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None


def _ignore_patterns(folder: str) -> List[str]:
    patterns = list(DEFAULT_IGNORE)
    path = os.path.join(folder, IGNORE_FILE)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            patterns += [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]
    return patterns


def _ignored(relative: str, patterns: List[str]) -> bool:
    parts = relative.split(os.sep)
    return any(fnmatch.fnmatch(relative, p) or any(fnmatch.fnmatch(part, p) for part in parts) for p in patterns)


def _zip(folder: str, relatives: List[str], target: str, max_file: int, max_total: int) -> Dict[str, List]:
    """Zips ``relatives`` (paths under ``folder``) into ``target`` within the limits; returns the manifest."""
    manifest: Dict[str, List] = {"included": [], "left_out": []}
    total = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative in sorted(relatives):
            path = os.path.join(folder, relative)
            try:
                size = os.path.getsize(path)
            except OSError as e:
                manifest["left_out"].append([relative, f"unreadable: {e}"])
                continue
            if size > max_file:
                manifest["left_out"].append([relative, f"{size} bytes > max_file_bytes={max_file}"])
            elif total + size > max_total:
                manifest["left_out"].append([relative, f"archive would exceed max_total_bytes={max_total}"])
            else:
                archive.write(path, relative)
                total += size
                manifest["included"].append(relative)
    return manifest


def _walk(folder: str, patterns: List[str]) -> List[str]:
    found = []
    for root, dirs, files in os.walk(folder):
        rel_root = os.path.relpath(root, folder)
        rel_root = "" if rel_root == "." else rel_root
        dirs[:] = sorted(d for d in dirs if not _ignored(os.path.join(rel_root, d), patterns))
        found += [os.path.join(rel_root, f) for f in files if not _ignored(os.path.join(rel_root, f), patterns)]
    return found


def take_snapshot(
    out_dir: str,
    folder: Optional[str] = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> Snapshot:
    """Writes the snapshot files of ``folder`` (default :func:`code_folder`) into ``out_dir``."""
    folder = os.path.abspath(folder or code_folder())
    snap = Snapshot(tags={"mmlspark.code.folder": folder})
    top = _git(folder, "rev-parse", "--show-toplevel")
    commit = _git(folder, "rev-parse", "HEAD") if top else None
    if top and commit:
        top = top.strip()
        snap.tags.update({"mlflow.source.git.commit": commit.strip(), "mmlspark.code.kind": "git"})
        branch = (_git(folder, "rev-parse", "--abbrev-ref", "HEAD") or "").strip()
        remote = (_git(folder, "config", "--get", "remote.origin.url") or "").strip()
        if branch:
            snap.tags["mlflow.source.git.branch"] = branch
        if remote:
            snap.tags["mlflow.source.git.repoURL"] = remote
        diff = _git(top, "diff", "HEAD", "--binary") or ""
        snap.tags["mmlspark.code.dirty"] = str(bool(diff.strip())).lower()
        if diff.strip():
            path = os.path.join(out_dir, "git_diff.patch")
            with open(path, "w", encoding="utf-8") as f:
                f.write(diff)
            snap.files.append(path)
        untracked = [u for u in (_git(top, "ls-files", "--others", "--exclude-standard", "-z") or "").split("\0") if u]
        if untracked:
            snap.files += _archive(
                top, untracked, os.path.join(out_dir, "untracked.zip"), out_dir, max_file_bytes, max_total_bytes
            )
        return snap
    snap.tags["mmlspark.code.kind"] = "archive"
    snap.files += _archive(
        folder,
        _walk(folder, _ignore_patterns(folder)),
        os.path.join(out_dir, "snapshot.zip"),
        out_dir,
        max_file_bytes,
        max_total_bytes,
    )
    return snap


def _archive(folder: str, relatives: List[str], target: str, out_dir: str, max_file: int, max_total: int) -> List[str]:
    manifest = _zip(folder, relatives, target, max_file, max_total)
    manifest_path = os.path.join(out_dir, "manifest.json")
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump({"folder": folder, **manifest}, f, indent=1)
    return [target, manifest_path]


def snapshot_summary(snap: Snapshot) -> Tuple[str, str]:
    """(kind, short description) of a snapshot, for console output."""
    kind = snap.tags.get("mmlspark.code.kind", "?")
    if kind == "git":
        return kind, snap.tags["mlflow.source.git.commit"][:12] + (
            " (dirty)" if snap.tags.get("mmlspark.code.dirty") == "true" else ""
        )
    return kind, snap.tags["mmlspark.code.folder"]
