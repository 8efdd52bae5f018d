"""Atomic folder outputs: a job's result appears complete or not at all, and a failed run changes nothing.

:func:`publish_atomically` is the one way mmlspark-py writes a result folder (``write_images``, ``prep run``,
``score``, ...):

1. the output is checked before any work: it must not equal, contain or lie inside one of the job's inputs
   (an ``--overwrite`` would otherwise delete the input), and it must not exist unless ``overwrite`` is set;
2. temporaries a killed earlier run of the *same* output left behind (hidden siblings ``.<name>.tmp-*`` and
   ``.<name>.old-*``) are deleted; two concurrent runs writing the same output are not supported;
3. ``write(tmp)`` writes the whole result into a fresh hidden sibling on the same file system;
4. only then is the result swapped in: an existing output is renamed aside, the new one renamed into place,
   and the old one deleted; if the second rename fails the old output is put back. Readers never see a
   half-written output, and the old output stays until the new one is complete.

Works on every file system :mod:`mmlspark_py.core.filesystem` reaches (Hadoop paths on a classic session,
pyarrow file systems on Spark Connect).

Example::

    publish_atomically(spark, "/data/clean", lambda tmp: df.write.parquet(tmp), overwrite=True,
                       inputs=["/data/raw"])
"""

from __future__ import annotations

import posixpath
from typing import Any, Callable, Iterable, TypeVar

from mmlspark_py.core import filesystem

__all__ = ["publish_atomically", "check_output_path", "OutputPathError"]

T = TypeVar("T")
_LABELS = ("tmp", "old")


class OutputPathError(ValueError):
    """An output path that would destroy an input or an existing result."""


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def check_output_path(spark: Any, output: str, inputs: Iterable[str] = (), overwrite: bool = False) -> str:
    """The qualified ``output`` after checking it against ``inputs`` and existing data.

    :raises OutputPathError: the output equals, contains or lies inside an input.
    :raises FileExistsError: the output exists and ``overwrite`` is false.
    """
    target = filesystem.qualified(spark, output)
    for source in inputs:
        src = filesystem.qualified(spark, source)
        if _within(src, target):
            raise OutputPathError(
                f"output {output!r} {'is' if src == target else 'contains'} the input {source!r}; "
                "choose an output outside the inputs"
            )
        if _within(target, src):
            raise OutputPathError(
                f"output {output!r} lies inside the input {source!r}; choose an output outside the inputs"
            )
    if filesystem.exists(spark, output) and not overwrite:
        raise FileExistsError(f"output {output!r} already exists; pass overwrite to replace it")
    return target


def _clean_stale(spark: Any, output: str) -> None:
    head, name = posixpath.split(output.rstrip("/"))
    if not head or not filesystem.exists(spark, head):
        return
    prefixes = tuple(f".{name}.{label}-" for label in _LABELS)
    for path, _ in filesystem.list_dir(spark, head):
        if posixpath.basename(path.rstrip("/")).startswith(prefixes):
            filesystem.delete(spark, path)


def publish_atomically(
    spark: Any, output: str, write: Callable[[str], T], overwrite: bool = False, inputs: Iterable[str] = ()
) -> T:
    """Run ``write(tmp)`` and move its folder to ``output`` only when it completed (see the module docstring).

    :param write: writes the complete result into the folder path it is given; its return value is returned.
    :raises OutputPathError / FileExistsError: from :func:`check_output_path`, before any work.
    """
    output = output.rstrip("/") or output
    check_output_path(spark, output, inputs, overwrite)
    head = posixpath.dirname(output)
    if head:
        filesystem.make_dirs(spark, head)
    _clean_stale(spark, output)
    tmp = filesystem.sibling(output, "tmp")
    try:
        result = write(tmp)
        if not filesystem.exists(spark, tmp):
            raise RuntimeError(f"the job wrote nothing to its temporary output {tmp}")
        _swap_in(spark, tmp, output, overwrite)
    except BaseException:
        filesystem.delete(spark, tmp)
        raise
    return result


def _swap_in(spark: Any, tmp: str, output: str, overwrite: bool) -> None:
    if not filesystem.exists(spark, output):
        filesystem.rename(spark, tmp, output)
        return
    if not overwrite:
        raise FileExistsError(f"output {output!r} appeared while the job ran; refusing to replace it")
    old = filesystem.sibling(output, "old")
    filesystem.rename(spark, output, old)
    try:
        filesystem.rename(spark, tmp, output)
    except BaseException:
        filesystem.rename(spark, old, output)
        raise
    filesystem.delete(spark, old)
