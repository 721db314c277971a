"""Helpers shared by the tags, statuses, board and detail screens: store access, errors, ordered writes."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode

from tagtui.app.messages import DataChanged
from tagtui.store import Store, TagtuiError


def store_of(node: DOMNode) -> Store:
    return node.app.store  # type: ignore[attr-defined]


def show_error(node: DOMNode, exc: BaseException) -> None:
    """Show a store error the app's way (``notify_error``), or as a plain notification."""
    notify_error = getattr(node.app, "notify_error", None)
    if callable(notify_error):
        notify_error(exc)
        return
    title = getattr(exc, "kind", "error").capitalize() if isinstance(exc, TagtuiError) else "Error"
    node.app.notify(str(exc), title=title, severity="error", markup=False)


def data_changed(node: DOMNode, what: str) -> None:
    """Tell the app that the store changed (screens showing ``what`` reload when next shown)."""
    node.app.post_message(DataChanged(what))


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


class SerialWrites:
    """Runs store writes one after another, in the order they were asked for, off the UI thread.

    Keys pressed quickly (``J J J``, ``shift+right`` twice) each queue one write; a single
    thread worker drains the queue, so the writes reach the store in key order.
    ``start_worker`` is called (on the UI thread) when no drain is running.
    """

    def __init__(self, start_worker: Callable[[], Any]) -> None:
        self._queue: deque[Callable[[], Any]] = deque()
        self._lock = threading.Lock()
        self._running = False
        self._start_worker = start_worker

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._running or bool(self._queue)

    def submit(self, write: Callable[[], Any]) -> None:
        with self._lock:
            self._queue.append(write)
            start = not self._running
            self._running = True
        if start:
            self._start_worker()

    def next(self) -> Callable[[], Any] | None:
        """The next write, or None (and the drain ends) when the queue is empty."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            self._running = False
            return None

    def drop_pending(self) -> None:
        with self._lock:
            self._queue.clear()

    def drain(self, on_error: Callable[[Exception], Any]) -> None:
        """Run queued writes until none is left (call from the worker thread).

        A failed write drops the writes queued after it (they assumed it worked).
        """
        while (write := self.next()) is not None:
            try:
                write()
            except Exception as exc:
                self.drop_pending()
                on_error(exc)
