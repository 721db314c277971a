"""Python's cycle collector, moved to the moments the user is not waiting.

Left to itself the collector starts whenever enough objects have been made, which in
this app is in the middle of a filter change: a full collection held the event loop
for 100–240 ms at a time on the million-contact database (``python -m
tagtui.bench.stall``). So while the app runs:

- what start-up made (modules, widgets, styles) is frozen once the first rows show:
  it lives as long as the app, and a full collection no longer scans it;
- automatic collection is off. A timer collects the young generations once no key or
  mouse event has come for ``QUIET`` seconds (a few milliseconds), and everything
  only after ``LONG_QUIET`` seconds of quiet (that one takes 100–200 ms at a million
  contacts), at most every ``FULL_EVERY`` seconds; or sooner if a great many objects
  piled up anyway.

Reference counting frees almost everything as before; this only moves when cycles go.
Everything is handed back (collector on, nothing frozen) when the app exits.
"""

from __future__ import annotations

import gc
import time

#: Collect the young generations once the user has been quiet this long (seconds) ...
QUIET = 0.8
#: ... and all of them after this long a quiet, ...
LONG_QUIET = 5.0
#: ... at most this often (seconds), unless a full collection is overdue by ``OVERDUE``.
FULL_EVERY = 30.0
OVERDUE = 600.0
#: Whatever the user does, collect the young once this many objects piled up since the last time.
PILED_UP = 200_000


class IdleCollector:
    def __init__(self) -> None:
        self._running = False
        self._was_enabled = True
        self._last_input = self._last_full = time.monotonic()
        self._dirty = False

    def start(self) -> None:
        """Freeze what exists now and turn automatic collection off (idempotent)."""
        if self._running:
            return
        self._running = True
        self._was_enabled = gc.isenabled()
        gc.freeze()
        gc.disable()

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        gc.unfreeze()
        if self._was_enabled:
            gc.enable()

    def input_seen(self) -> None:
        """A key or mouse event arrived: the user may be waiting for the screen."""
        self._last_input = time.monotonic()
        self._dirty = True

    def tick(self) -> None:
        """Called by a timer: collect what the user's quiet allows (see the module's notes)."""
        if not self._running:
            return
        now = time.monotonic()
        quiet = now - self._last_input
        since_full = now - self._last_full
        if (quiet >= LONG_QUIET and since_full >= FULL_EVERY) or (quiet >= QUIET and since_full >= OVERDUE):
            self._last_full = now
            self._dirty = False
            gc.collect()
        elif gc.get_count()[0] >= PILED_UP or (quiet >= QUIET and self._dirty):
            self._dirty = False
            gc.collect(1)
