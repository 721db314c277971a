"""Progress of long commands on stderr: one line, redrawn in place, only at a terminal.

``Progress`` shows what is done, the rate and the time left (``import: 12,500 rows ·
8,300 rows/s · about 4 s left``); a command whose work is one statement has no count to
show, and ``Working`` shows how long it has run instead. Piped or redirected, stderr gets
nothing from either (the caller asks ``wants_progress`` first).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from types import TracebackType
from typing import Any, TextIO

from tagtui.cli.output import is_tty
from tagtui.textsafe import visible

#: The line is redrawn at most this often (seconds).
REDRAW = 0.1
#: ``Working`` says nothing for a command that ends sooner than this (seconds).
QUIET_FOR = 1.0
CLEAR = "\r\x1b[2K"


def wants_progress(stream: Any = None) -> bool:
    """Whether progress is shown: only when stderr is a terminal."""
    return is_tty(sys.stderr if stream is None else stream)


def progress_text(
    label: str, done: int, total: int | None, seconds: float, unit: str, share: float | None = None
) -> str:
    """``label: 12,500 rows · 8,300 rows/s · about 4 s left`` (the time left from ``share``,
    the part done, when given; else from ``done`` of ``total``)."""
    parts = [f"{label}: {done:,} {unit}" + (f" of {total:,}" if total else "")]
    if seconds > 0 and done:
        parts.append(f"{done / seconds:,.0f} {unit}/s")
    if share is None and total:
        share = done / total
    if share and 0 < share < 1 and seconds > 0:
        left = seconds * (1 - share) / share
        parts.append(f"about {left:,.0f} s left" if left < 120 else f"about {left / 60:,.0f} min left")
    return " · ".join(parts)


def working(label: str) -> contextlib.AbstractContextManager[Any]:
    """``Working(label)`` at a terminal (a block that may take seconds), else nothing."""
    return Working(label) if wants_progress() else contextlib.nullcontext()


class Progress:
    """A one-line progress report on stderr, rewritten in place (``\\r``).

    ``update(done, total)`` with counts in ``unit`` (``total`` may be unknown), and ``share``
    (0–1) when the part done is known better otherwise (an import knows how much of the file
    it has read). Calling the object is ``update``, so it can be passed as a callback.
    """

    def __init__(self, label: str, unit: str = "rows", stream: TextIO | None = None) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int | None = None, *, share: float | None = None) -> None:
        self.update(done, total, share=share)

    def update(self, done: int, total: int | None = None, *, share: float | None = None) -> None:
        now = time.monotonic()
        if now - self._last < REDRAW:
            return
        self._last = now
        line = progress_text(visible(self.label), done, total, now - self.started, self.unit, share)
        self.stream.write(CLEAR + line[:200])
        self.stream.flush()
        self._shown = True

    def done(self) -> None:
        """Take the line away (the command's own output follows)."""
        if self._shown:
            self.stream.write(CLEAR)
            self.stream.flush()
            self._shown = False


class Working:
    """``label: 3 s`` on stderr while a block runs (after ``QUIET_FOR`` seconds), for work that
    has no count to report; the line is taken away when the block ends."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = visible(label)
        self.stream = stream or sys.stderr
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tagtui-working", daemon=True)
        self._shown = False
        self._lock = threading.Lock()

    def __enter__(self) -> Working:
        self.started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        with self._lock:
            if self._shown:
                self.stream.write(CLEAR)
                self.stream.flush()

    def _run(self) -> None:
        if self._stop.wait(QUIET_FOR):
            return
        while True:
            with self._lock:
                self._draw(time.monotonic())
            if self._stop.wait(0.5):
                return

    def _draw(self, now: float) -> None:
        """Write the line (the lock is held)."""
        self.stream.write(f"{CLEAR}{self._line(now)}"[:200])
        self.stream.flush()
        self._shown = True

    def _line(self, now: float) -> str:
        return f"{self.label}: {now - self.started:,.0f} s"


class Phases(Working):
    """``Working`` for a job that counts its work in phases, each with its own total: called as
    ``phases(phase, done, total)`` (``sync``'s and ``duplicates``' progress). Until the first
    count the line is ``label: 3 s``; then ``label, fetching: 1,200 cards of 5,000 · 800
    cards/s · about 5 s left``, the rate and time left of the phase under way (``words`` names
    the phases, ``units`` what a phase counts if not ``unit``); a phase told only its size (0
    done) shows that and its time so far, one told no total its count and rate. As with
    ``Working``, a job that ends within ``QUIET_FOR`` shows nothing."""

    def __init__(
        self,
        label: str,
        unit: str,
        words: dict[str, str],
        stream: TextIO | None = None,
        *,
        units: dict[str, str] | None = None,
    ) -> None:
        super().__init__(label, stream)
        self.unit = unit
        self.words = words
        #: A phase that counts something else than ``unit`` (a duplicates scan reads contacts,
        #: then compares blocks of them).
        self.units = units or {}
        self._count: tuple[str, int, int, float] | None = None  # phase, done, total, its start
        self._told = 0.0  # when the last count came
        self._drawn = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        with self._lock:
            if self._count is not None and self._count[0] == phase:
                since = self._count[3]
            else:  # a phase starts when the one before it last told (the first, with the job)
                since = self._told or self.started
            self._count = (phase, done, total, since)
            self._told = now
            if self._shown and now - self._drawn >= REDRAW:  # (drawn once QUIET_FOR is over)
                self._draw(now)

    def _draw(self, now: float) -> None:
        super()._draw(now)
        self._drawn = now

    def _line(self, now: float) -> str:
        if self._count is None:
            return super()._line(now)
        phase, done, total, since = self._count
        label = f"{self.label}, {visible(self.words.get(phase, phase))}"
        unit = self.units.get(phase, self.unit)
        if not done:  # a phase that tells no count while it runs: its size and its time so far
            return f"{label}: {total:,} {unit} · {now - since:,.0f} s"
        return progress_text(label, done, total, now - since, unit)


class Stages(Working):
    """``Working`` whose label each stage of a job replaces (``stages("step 2 of 3")``); the
    line starts with the first stage. For a database migration: ``Store.open(on_upgrade=...)``.
    Used as a context manager around the job; calling it outside one does nothing."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__("", stream)
        self._started = False

    def __enter__(self) -> Stages:
        self.started = time.monotonic()
        return self

    def __call__(self, label: str) -> None:
        with self._lock:
            self.label = visible(label)
        if not self._started:
            self._started = True
            self.started = time.monotonic()
            self._thread.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._started:
            super().__exit__(kind, exc, tb)


def upgrade_progress(stream: Any = None) -> contextlib.AbstractContextManager[Any]:
    """A ``Stages`` line for a database migration at a terminal, else nothing (``None``)."""
    return Stages(stream) if wants_progress(stream) else contextlib.nullcontext()
