"""Per-epoch training checkpoints in a folder every worker can read (local disk, NFS, HDFS, S3, ...).

A checkpoint is one ``.npz`` file, ``epoch-000003.npz`` after the third epoch, holding the training state as
numbered arrays (``state/0``, ``state/1``, ...: model, extra and optimizer variables in a fixed order) and a
JSON document (``meta``: the epoch, the metrics history and a *fingerprint* of the model configuration).
Arrays are read back with ``allow_pickle=False``: loading a checkpoint never runs code.

Files go through ``pyarrow.fs`` (a plain path is the local file system; a URI such as ``hdfs://...`` or
``s3://...`` picks that file system). Writes are atomic: a hidden temporary file renamed into place, so a
worker killed while saving leaves the previous checkpoint intact. The two newest checkpoints are kept.

A folder holding checkpoints of another configuration (another architecture, class count, input size) is an
error naming both fingerprints' sources, never silently loaded.

Example::

    store = CheckpointStore("/shared/ckpt", fingerprint="cnn-28x28x1-10")
    store.save(3, [w1, w2], {"history": [...]})
    latest = store.latest()            # Checkpoint(epoch=3, arrays=[...], meta={...}) or None
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pyarrow.fs as pafs

_NAME = re.compile(r"^epoch-(\d{6})\.npz$")
KEEP = 2


class CheckpointMismatchError(ValueError):
    """``checkpointDir`` holds a checkpoint written for another model configuration."""


@dataclass(frozen=True)
class Checkpoint:
    """One saved training state: ``epoch`` epochs done, the state arrays in order, and the metadata."""

    epoch: int
    arrays: List[np.ndarray]
    meta: Dict[str, Any]


def _filesystem(directory: str) -> Tuple[pafs.FileSystem, str]:
    if "://" in directory:
        return pafs.FileSystem.from_uri(directory)
    import os

    return pafs.LocalFileSystem(), os.path.abspath(directory)


class CheckpointStore:
    """The checkpoints of one training configuration in ``directory`` (see the module docstring)."""

    def __init__(self, directory: str, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self._fs, self._root = _filesystem(directory)

    def _epochs(self) -> List[int]:
        info = self._fs.get_file_info(self._root)
        if info.type == pafs.FileType.NotFound:
            return []
        selector = pafs.FileSelector(self._root, recursive=False)
        found = [_NAME.match(posixpath.basename(f.path)) for f in self._fs.get_file_info(selector)]
        return sorted(int(m.group(1)) for m in found if m)

    def _path(self, epoch: int) -> str:
        return posixpath.join(self._root, f"epoch-{epoch:06d}.npz")

    def latest(self) -> Optional[Checkpoint]:
        """The newest checkpoint, or None when there is none.

        :raises CheckpointMismatchError: it was written for another configuration.
        """
        epochs = self._epochs()
        if not epochs:
            return None
        epoch = epochs[-1]
        with self._fs.open_input_file(self._path(epoch)) as f:
            data = f.read()
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            meta = json.loads(str(archive["meta"]))
            count = int(meta["arrays"])
            arrays = [archive[f"state/{i}"] for i in range(count)]
        if meta.get("fingerprint") != self.fingerprint:
            raise CheckpointMismatchError(
                f"checkpointDir {self.directory!r} holds a checkpoint (epoch {epoch}) of another model "
                f"configuration ({meta.get('fingerprint')!r}, this one is {self.fingerprint!r}); use an empty "
                "folder for a new model, or the same parameters to resume"
            )
        return Checkpoint(epoch, arrays, meta)

    def save(self, epoch: int, arrays: Sequence[np.ndarray], meta: Dict[str, Any]) -> str:
        """Write the checkpoint after ``epoch`` epochs atomically; drop older ones beyond the newest two."""
        doc = dict(meta, epoch=epoch, fingerprint=self.fingerprint, arrays=len(arrays))
        buffer = io.BytesIO()
        named: Dict[str, Any] = {f"state/{i}": np.asarray(a) for i, a in enumerate(arrays)}
        np.savez(buffer, meta=np.array(json.dumps(doc)), **named)
        self._fs.create_dir(self._root, recursive=True)
        final = self._path(epoch)
        tmp = posixpath.join(self._root, f".epoch-{epoch:06d}.{uuid.uuid4().hex}.tmp")
        with self._fs.open_output_stream(tmp) as out:
            out.write(buffer.getvalue())
        self._fs.move(tmp, final)
        for old in self._epochs()[:-KEEP]:
            self._fs.delete_file(self._path(old))
        return final
