"""A hook point: stages announce what they did (a fit, metrics, a plot) and listeners may record it.

Core and the areas call :func:`emit`; :mod:`mmlspark_py.tracking` subscribes while a run is active and logs
to MLflow. Core must not import the areas, so this small registry is how the layers below tracking reach it.

Events (the keyword data each carries):

- ``"fit"``: ``stage`` (the estimator, with the params it was fitted with), ``dataset`` (the training
  DataFrame), ``model`` (the fitted model), ``seconds`` (wall time of the fit).
- ``"metrics"``: ``stage`` (the evaluator), ``metrics`` (a dict of name -> value; non-numbers are ignored
  by listeners that only log numbers).
- ``"artifact"``: ``path`` (a local file just written, e.g. a plot PNG), ``kind`` (e.g. ``"plot"``).

A listener is called synchronously in the emitting thread. It must not raise: an exception from a listener is
logged and swallowed, because recording must never break the work it records. With no listener, ``emit`` costs
one lookup.

Example::

    def show(event, **data):
        print(event, sorted(data))

    subscribe(show)
    ...
    unsubscribe(show)
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, List

Listener = Callable[..., None]

_listeners: List[Listener] = []
_lock = threading.Lock()
_log = logging.getLogger(__name__)


def subscribe(listener: Listener) -> Listener:
    """Calls ``listener(event, **data)`` for every later :func:`emit`; returns ``listener``."""
    global _listeners
    with _lock:
        if listener not in _listeners:
            _listeners = _listeners + [listener]  # copy on write: emit iterates without the lock
    return listener


def unsubscribe(listener: Listener) -> None:
    """Stops calling ``listener``; unknown listeners are ignored."""
    global _listeners
    with _lock:
        _listeners = [x for x in _listeners if x is not listener]


def emit(event: str, **data: Any) -> None:
    """Tells every subscribed listener that ``event`` happened, with ``data``."""
    for listener in _listeners:
        try:
            listener(event, **data)
        except Exception:  # noqa: BLE001 - a failing recorder must not fail the fit it records
            _log.warning("event listener %r failed on %r", listener, event, exc_info=True)
