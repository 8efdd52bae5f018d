"""The fuzzing suite beside the stage harness: every public stage, saved, then its folder corrupted in a fixed set
of ways, then loaded as a stranger's folder would be.

For each corruption the outcome is either a clear error (our exception type, or one whose message names the
saved folder) or a stage that loaded correctly; and in both cases loading must not have imported any module
outside the package (``sys.modules`` before and after) nor touched a file outside the folder (every path
:mod:`mmlspark_py.core.filesystem` touched, and every file Python opened for writing).

Corruptions (:data:`CORRUPTIONS`):

* ``deleted``: the metadata file removed;
* ``truncated``: the metadata file cut in half;
* ``garbage_json``: the metadata file replaced by bytes that are not JSON;
* ``foreign_class``: the class renamed to a module that lies beside the folder, on ``sys.path``, and writes a
  marker file when imported (the attack of issue 12: loading must not import it);
* ``wrong_type``: a param value replaced by a value of another JSON type;
* ``payload_swapped``: a binary payload (or a nested stage's folder) replaced by another stage's.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlparse

from mmlspark_py.core import filesystem
from mmlspark_py.core.persistence import PersistenceError

CORRUPTIONS = ("deleted", "truncated", "garbage_json", "foreign_class", "wrong_type", "payload_swapped")

EVIL_PACKAGE = "fuzzevil"


@dataclass
class Outcome:
    stage: str
    corruption: str
    result: str  # "clear error", "loaded correctly", "not applicable"
    detail: str = ""


def _metadata(folder: pathlib.Path) -> pathlib.Path:
    return folder / "metadata" / "part-00000"


def _wrong_value(value: Any) -> Any:
    if isinstance(value, bool):
        return {"not": "a bool"}
    if isinstance(value, (int, float)):
        return "not a number"
    if isinstance(value, str):
        return ["not", "a", "string"]
    if isinstance(value, dict):
        return [1, 2, 3]
    if isinstance(value, list):
        return {"not": "a list"}
    return 3.5


def _corrupt(kind: str, folder: pathlib.Path, donor: Optional[pathlib.Path]) -> bool:
    """Apply corruption ``kind`` to the saved stage in ``folder``; False when it does not apply to this stage."""
    meta = _metadata(folder)
    if kind == "deleted":
        meta.unlink()
    elif kind == "truncated":
        data = meta.read_bytes()
        meta.write_bytes(data[: len(data) // 2])
    elif kind == "garbage_json":
        meta.write_bytes(b"\x00{not json at all\xff")
    elif kind == "foreign_class":
        obj = json.loads(meta.read_text())
        obj["class"] = f"{EVIL_PACKAGE}.payload.{obj['class'].rsplit('.', 1)[1]}"
        meta.write_text(json.dumps(obj))
    elif kind == "wrong_type":
        obj = json.loads(meta.read_text())
        section = obj["paramMap"] if obj.get("paramMap") else obj.get("defaultParamMap")
        if not section:
            return False
        name = sorted(section)[0]
        section[name] = _wrong_value(section[name])
        meta.write_text(json.dumps(obj))
    elif kind == "payload_swapped":
        payloads = sorted(folder.glob("*/*.bin"))
        if payloads and donor is not None and sorted(donor.glob("*/*.bin")):
            shutil.copyfile(sorted(donor.glob("*/*.bin"))[0], payloads[0])
        elif payloads:
            payloads[0].write_bytes(b"\x08\x07" + os.urandom(64))
        else:
            nested = sorted(p for p in folder.glob("*/*") if (p / "metadata").exists())
            if not nested or donor is None:
                return False
            shutil.rmtree(nested[0])
            shutil.copytree(donor, nested[0])
    return True


def _plant_evil_module(root: pathlib.Path) -> Tuple[pathlib.Path, pathlib.Path]:
    """A package beside the saved folders that would leave a marker file if it were ever imported."""
    package = root / EVIL_PACKAGE
    package.mkdir(exist_ok=True)
    marker = root / "IMPORTED"
    (package / "__init__.py").write_text("")
    (package / "payload.py").write_text(f"open({str(marker)!r}, 'w').write('pwned')\n")
    return package, marker


class _Recorder:
    """Paths that loading touched: through mmlspark_py's filesystem and Python's own ``open`` for writing."""

    installed = False
    active: Optional[_Recorder] = None
    lock = threading.Lock()

    def __init__(self) -> None:
        self.paths: List[Tuple[str, str]] = []

    @classmethod
    def _audit(cls, event: str, args: Tuple[Any, ...]) -> None:
        recorder = cls.active
        if recorder is None or event != "open" or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
            return
        mode = args[1] if len(args) > 1 and isinstance(args[1], str) else "r"
        if any(flag in mode for flag in "wax+"):
            recorder.paths.append(("write", os.fsdecode(args[0])))

    def __enter__(self) -> _Recorder:
        with _Recorder.lock:
            if not _Recorder.installed:
                sys.addaudithook(_Recorder._audit)
                _Recorder.installed = True
        _Recorder.active = self
        self._stop = filesystem.observe(lambda op, path: self.paths.append((op, path)))
        return self

    def __exit__(self, *exc: Any) -> None:
        _Recorder.active = None
        self._stop()


def _local(path: str) -> str:
    parsed = urlparse(path)
    return os.path.abspath(parsed.path if parsed.scheme == "file" else path)


def fuzz_stage(
    stage: Any, root: pathlib.Path, donor: Optional[pathlib.Path], load: Callable[[str], Any]
) -> List[Outcome]:
    """Save ``stage`` under ``root``, then try every corruption on a fresh copy; returns the outcomes.

    :param donor: another stage's saved folder (payload and nested-stage swaps come from it).
    :param load: how a user loads it (``type(stage).load``).
    :raises AssertionError: for an unclear error, an import outside the package, or a file touched outside.
    """
    name = type(stage).__name__
    original = root / "original"
    stage.write().overwrite().save(str(original))
    _, marker = _plant_evil_module(root)
    sys.path.insert(0, str(root))
    outcomes: List[Outcome] = []
    try:
        for kind in CORRUPTIONS:
            folder = root / kind
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(original, folder)
            if not _corrupt(kind, folder, donor):
                outcomes.append(Outcome(name, kind, "not applicable"))
                continue
            modules_before = set(sys.modules)
            with _Recorder() as recorder:
                try:
                    load(str(folder))
                    outcome = Outcome(name, kind, "loaded correctly")
                except Exception as e:
                    text = str(e)
                    clear = isinstance(e, PersistenceError) or str(folder) in text
                    assert clear, f"{name}/{kind}: unclear error {type(e).__name__}: {text[:500]}"
                    assert str(folder) in text or kind == "foreign_class" and EVIL_PACKAGE in text, (
                        f"{name}/{kind}: the error does not name the saved folder: {text[:500]}"
                    )
                    outcome = Outcome(name, kind, "clear error", text.splitlines()[0][:200])
            new_modules = {
                m for m in set(sys.modules) - modules_before if not m.startswith(("mmlspark_py", "pyspark", "py4j"))
            }
            assert not any(m.startswith(EVIL_PACKAGE) for m in new_modules) and not marker.exists(), (
                f"{name}/{kind}: loading imported the planted module"
            )
            assert not new_modules or all(not m.startswith(EVIL_PACKAGE) for m in new_modules)
            outside = [
                (op, p)
                for op, p in recorder.paths
                if not _local(p).startswith(str(folder)) and not (op == "exists" and str(folder).startswith(_local(p)))
            ]
            assert not outside, f"{name}/{kind}: loading touched files outside the folder: {outside[:5]}"
            outcomes.append(outcome)
    finally:
        sys.path.remove(str(root))
        for module in [m for m in sys.modules if m.startswith(EVIL_PACKAGE)]:
            del sys.modules[module]
    return outcomes


def summarize(outcomes: List[Outcome]) -> Dict[str, Any]:
    """Counts for RESULTS.md: stages fuzzed, corruptions tried, outcomes."""
    tried = [o for o in outcomes if o.result != "not applicable"]
    by_result: Dict[str, int] = {}
    for o in tried:
        by_result[o.result] = by_result.get(o.result, 0) + 1
    return {
        "stages": len({o.stage for o in outcomes}),
        "corruptions_tried": len(tried),
        "outcomes": by_result,
        "by_corruption": {
            k: {
                r: sum(1 for o in tried if o.corruption == k and o.result == r)
                for r in ("clear error", "loaded correctly")
            }
            for k in CORRUPTIONS
        },
    }
