"""Python's cycle collector, moved to the moments the user is not waiting.

Left to itself the collector starts whenever enough objects have been made, which in
this app is in the middle of a filter change: a full collection held the event loop
for 100–240 ms at a time on the million-contact database (``python -m
tagtui.bench.stall``). Much of what it finds is Textual's: every rebuild of the footer
leaves its old key widgets behind as cycles. So while the app runs:

- what start-up made (modules, widgets, styles) is frozen once the first rows show: it
  lives as long as the app, and a full collection no longer scans it;
- the young generations are collected automatically as before (each takes a millisecond
  or two), but the whole heap never is: that waits until no key or mouse event has come
  for ``PAUSE`` seconds, then collects everything not frozen and freezes what survived,
  so the next full collection scans only what came since (tens of milliseconds);
- after ``AWAY`` seconds of quiet, at most every ``DEEP_EVERY`` seconds, it unfreezes,
  collects everything and freezes again, so cycles among frozen objects that died since
  (screens closed, footers rebuilt) are freed too.

Reference counting frees almost everything as before; this only moves when cycles go.
Everything is handed back (collector on, nothing frozen) when the app exits.
"""

from __future__ import annotations

import gc
import time

#: A short quiet (seconds): enough for an overdue full collection.
QUIET = 0.8
#: Collect and freeze what is not frozen after this long a quiet, at most every ``FULL_EVERY``.
PAUSE = 3.0
FULL_EVERY = 10.0
#: Unfreeze and collect everything after this long a quiet, at most every ``DEEP_EVERY``.
AWAY = 60.0
DEEP_EVERY = 300.0
#: A full collection is overdue after this long; it then runs at the next short quiet.
OVERDUE = 30.0
#: The third threshold of ``gc.set_threshold`` while the app runs: never reached.
NEVER = 1_000_000_000


class IdleCollector:
    def __init__(self) -> None:
        self._running = False
        self._thresholds = gc.get_threshold()
        self._last_input = self._last_full = self._last_deep = time.monotonic()

    def start(self) -> None:
        """Freeze what exists now and stop automatic full collections (idempotent)."""
        if self._running:
            return
        self._running = True
        self._thresholds = gc.get_threshold()
        young, middle, _ = self._thresholds
        gc.freeze()
        gc.set_threshold(young, middle, NEVER)

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        gc.unfreeze()
        gc.set_threshold(*self._thresholds)

    def input_seen(self) -> None:
        """A key or mouse event arrived: the user may be waiting for the screen."""
        self._last_input = time.monotonic()

    def tick(self) -> None:
        """Called by a timer: collect what the user's quiet allows (see the module's notes)."""
        if not self._running:
            return
        now = time.monotonic()
        quiet = now - self._last_input
        if quiet >= AWAY and now - self._last_deep >= DEEP_EVERY:
            self._last_deep = self._last_full = now
            gc.unfreeze()
            gc.collect()
            gc.freeze()
        elif (quiet >= PAUSE and now - self._last_full >= FULL_EVERY) or (
            quiet >= QUIET and now - self._last_full >= OVERDUE
        ):
            self._last_full = now
            gc.collect()
            gc.freeze()
