"""A long job's progress and its cancel: one piece for import, export, demo data and bulk changes.

``start`` gives the worker the callback to hand the job (``tagtui.store.jobs``: ``progress(done,
total)``); the widget shows a bar and ``Tagging… 40,000 contacts · 21,000 contacts/s · about 3 s
left  (escape cancels)``. ``cancel`` makes that callback raise ``Cancelled`` at the job's next
report, inside its transaction, so nothing is changed; the worker catches it and says so.
"""

from __future__ import annotations

import threading
import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from tagtui.app.screens.base import TakesResults
from tagtui.store.jobs import Cancelled, Progress

#: The fewest seconds between two redraws of the line (a job may report thousands of times).
REDRAW_S = 0.1


class JobProgress(TakesResults, Horizontal):
    """A bar and a line of words while a job runs; hidden otherwise."""

    DEFAULT_CSS = """
    JobProgress { height: auto; display: none; }
    JobProgress.-running { display: block; }
    JobProgress #job-bar { width: auto; margin-right: 1; }
    JobProgress #job-bar Bar { width: 16; }
    JobProgress #job-line { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._cancel = threading.Event()
        self._verb = ""
        self._unit = "rows"
        self._started = 0.0

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=None, show_eta=False, id="job-bar")
        yield Label("", id="job-line", markup=False)

    @property
    def running(self) -> bool:
        return self.has_class("-running")

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def start(self, verb: str, *, unit: str = "rows", rows_per_call: int | None = None) -> Progress:
        """Show the job as started (``verb``: ``Importing``); returns its progress callback.

        ``done`` counts ``unit``s, unless the job counts something else (an import: bytes of
        the file): then each call is ``rows_per_call`` more rows and ``done/total`` is only
        the share of the way, for the time left.
        """
        cancel = self._cancel = threading.Event()
        self._verb, self._unit, self._started = verb, unit, time.monotonic()
        self.add_class("-running")
        self.query_one("#job-bar", ProgressBar).update(total=None, progress=0)
        self._say(f"{verb}…  (escape cancels)")
        calls = 0
        shown = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal calls, shown
            if cancel.is_set():
                raise Cancelled()
            calls += 1
            now = time.monotonic()
            if now - shown < REDRAW_S and done < total:
                return
            shown = now
            rows = calls * rows_per_call if rows_per_call else done
            self.post_result(self._show, cancel, done, total, rows)

        return progress

    def _show(self, cancel: threading.Event, done: int, total: int, rows: int) -> None:
        if cancel is not self._cancel or cancel.is_set() or not self.running:
            return  # a report of a job that is over, or being cancelled
        self.query_one("#job-bar", ProgressBar).update(total=max(total, 1), progress=done)
        seconds = time.monotonic() - self._started
        self._say(progress_line(self._verb, rows, done, total, seconds, self._unit))

    def cancel(self) -> None:
        """Stop the running job at its next report (it changes nothing)."""
        if self.running and not self._cancel.is_set():
            self._cancel.set()
            self._say("Cancelling…")

    def finish(self) -> None:
        """The job is over (done, failed or cancelled): hide the bar and the line."""
        self.remove_class("-running")

    def _say(self, text: str) -> None:
        self.query_one("#job-line", Label).update(Text(text))


def progress_line(verb: str, rows: int, done: int, total: int, seconds: float, unit: str = "rows") -> str:
    """``Importing… 12,500 rows · 8,300 rows/s · about 4 s left  (escape cancels)``; the time
    left from the share of the way done so far."""
    line = f"{verb}… {rows:,} {unit}"
    if seconds > 0 and rows:
        line += f" · {rows / seconds:,.0f} {unit}/s"
    if done > 0 and total > done and seconds > 0:
        left = seconds * (total - done) / done
        line += f" · about {left:,.0f} s left" if left < 120 else f" · about {left / 60:,.0f} min left"
    return line + "  (escape cancels)"
