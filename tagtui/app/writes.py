"""Store writes that must land in the order their keys were pressed, run off the UI thread.

Triage toggles a tag with one key; pressing it twice quickly must add then remove,
never the other way round. Each key queues one write; one thread worker at a time
drains the queue, so the store sees them in key order.

A screen shows its own changes at once (ahead of the store) and reads the store back
when the queue is idle. A read that started before the newest change is stale, even if
it ends after the queue drained: ``version`` (taken when a read starts) and
``current(version)`` (when its result arrives) tell the screen to drop it, so a late
read never puts a moved row back or a toggled tag off under the next key.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode

Write = Callable[[], Any]
Done = Callable[[Any], None]


class WriteQueue:
    """``submit(write, done)``: ``write`` runs in a thread; ``done(result)`` runs on the UI thread.

    ``on_error(exc)`` and ``idle()`` (when the queue has drained, after a failure too) run on
    the UI thread.
    """

    def __init__(
        self,
        owner: DOMNode,
        on_error: Callable[[Exception], None],
        group: str,
        *,
        idle: Callable[[], None] | None = None,
    ) -> None:
        self._owner = owner
        self._on_error = on_error
        self._group = group
        self._idle = idle
        self._queue: deque[tuple[Write, Done | None]] = deque()
        self._lock = threading.Lock()
        self._running = False
        self._submitted = 0

    @property
    def version(self) -> int:
        """How many writes were submitted so far: take it when a read of the store starts."""
        return self._submitted

    def current(self, version: int) -> bool:
        """True if a read started at ``version`` saw every change the screen shows."""
        return version == self._submitted and not self.busy

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._running or bool(self._queue)

    def submit(self, write: Write, done: Done | None = None) -> None:
        self._submitted += 1
        with self._lock:
            self._queue.append((write, done))
            start = not self._running
            self._running = True
        if start:
            self._owner.run_worker(self._drain, thread=True, group=self._group, exit_on_error=False)

    def _next(self) -> tuple[Write, Done | None] | None:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            self._running = False
            return None

    def _drain(self) -> None:
        # Not post_result: the drain waits for each answer to be applied on the UI thread
        # before the next write, and the screen sees the queue busy while it applies one.
        app = self._owner.app
        while (item := self._next()) is not None:
            write, done = item
            try:
                result = write()
            except Exception as exc:
                # Later writes assumed this one worked: drop them, and let the owner resync.
                with self._lock:
                    self._queue.clear()
                app.call_from_thread(self._on_error, exc)
                continue
            if done is not None:
                app.call_from_thread(done, result)
        if self._idle is not None:
            app.call_from_thread(self._idle)
