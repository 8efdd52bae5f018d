"""Progress of long driver-side work (downloads, synthesis, training epochs, CLI jobs), and how to silence it.

Two shapes cover every use:

* :func:`progress` wraps an iterable (or counts to ``total`` through :meth:`Progress.update`): a tqdm bar when
  tqdm is installed (a widget in Jupyter when ipywidgets is there too, else a text bar, which notebooks show as
  well), otherwise one plain line per 10 % on stderr;
* :func:`step` prints one status line (``[mmlspark-py] reading images ...``) for a stage of a job, to stderr so
  a job's own output on stdout stays clean for pipes.

Everything goes to stderr and is off when ``MMLSPARK_PY_PROGRESS=0`` (also ``false``/``no``/``off``) is set, or
after :func:`disable` (:func:`enable` turns it back on). Progress never runs inside Spark tasks: executors have
no console a user sees.

Example::

    from mmlspark_py.core.progress import progress, step
    step("downloading ResNet50")
    for chunk in progress(chunks, total=n, desc="download", unit="B"):
        ...
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Any, Iterable, Iterator, Optional, TypeVar

__all__ = ["progress", "step", "enabled", "enable", "disable", "silenced", "Progress"]

T = TypeVar("T")
ENV = "MMLSPARK_PY_PROGRESS"
PREFIX = "[mmlspark-py]"
_forced: Optional[bool] = None


def enabled() -> bool:
    """Whether progress is shown: :func:`enable`/:func:`disable` win, else ``MMLSPARK_PY_PROGRESS`` (default on)."""
    if _forced is not None:
        return _forced
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def enable() -> None:
    """Show progress from now on (overrides ``MMLSPARK_PY_PROGRESS``)."""
    global _forced
    _forced = True


def disable() -> None:
    """Show no progress from now on (overrides ``MMLSPARK_PY_PROGRESS``)."""
    global _forced
    _forced = False


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """No progress inside the ``with`` block; the previous setting afterwards."""
    global _forced
    previous, _forced = _forced, False
    try:
        yield
    finally:
        _forced = previous


def step(message: str) -> None:
    """One status line on stderr (``[mmlspark-py] <message>``), unless progress is off."""
    if enabled():
        print(f"{PREFIX} {message}", file=sys.stderr, flush=True)


class Progress:
    """A counter shown while work runs; use as a context manager, call :meth:`update` per unit of work.

    :param total: how many units the work has (None: unknown; the count is shown without a percentage).
    :param desc: what is being done, e.g. ``"epoch"`` or ``"download resnet50"``.
    :param unit: the unit's name (``"B"`` is scaled to kB/MB/GB by tqdm).
    """

    def __init__(self, total: Optional[float] = None, desc: str = "", unit: str = "it") -> None:
        self.total, self.desc, self.unit = total, desc, unit
        self.count = 0.0
        self._bar: Any = None
        self._next_line = 0.1
        self._started = time.monotonic()
        if not enabled():
            return
        bar_class = _tqdm_class()
        if bar_class is not None:
            self._bar = bar_class(
                total=total,
                desc=f"{PREFIX} {desc}".strip(),
                unit=unit,
                file=sys.stderr,
                unit_scale=unit == "B",
                leave=True,
                dynamic_ncols=True,
            )

    def update(self, n: float = 1) -> None:
        """Add ``n`` finished units."""
        self.count += n
        if self._bar is not None:
            self._bar.update(n)
        elif enabled() and self.total and self.count / self.total >= self._next_line:
            # Plain fallback: one line per 10 %, so logs stay short.
            self._next_line = (int(self.count / self.total * 10) + 1) / 10
            step(
                f"{self.desc}: {self.count:g}/{self.total:g} {self.unit} "
                f"({100 * self.count / self.total:.0f} %, {time.monotonic() - self._started:.1f} s)"
            )

    def close(self) -> None:
        """Finish the display (the bar stays visible with its final count)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def progress(iterable: Iterable[T], total: Optional[float] = None, desc: str = "", unit: str = "it") -> Iterator[T]:
    """Yield ``iterable``'s items while showing how many are done (of ``total``, or ``len(iterable)``)."""
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    with Progress(total=total, desc=desc, unit=unit) as bar:
        for item in iterable:
            yield item
            bar.update(1)


def _tqdm_class() -> Any:
    """tqdm's notebook widget in a Jupyter kernel with ipywidgets, its text bar elsewhere, None without tqdm."""
    try:
        from tqdm import std
    except ImportError:
        return None
    if "ipykernel" in sys.modules:
        try:
            import ipywidgets  # noqa: F401 - the widget bar needs it; without it tqdm.notebook only warns
            from tqdm import notebook

            return notebook.tqdm
        except ImportError:
            pass
    return std.tqdm
