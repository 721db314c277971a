"""Pilot's waits, ended by what the app still has to do rather than by the CPU clock alone.

Test code only: ``install()`` is called by ``tests/conftest.py``; the app never imports this.

Textual's Pilot waits after every key (``App._press_keys``, twice) and in ``Pilot.pause()`` with
``textual._wait.wait_for_idle``: it sleeps 20 ms at a time until a 20 ms step in which the
process used under 1 ms of CPU. Those sleeps were over half of the suite's time (a full -n 2 run:
~960 s of test time, ~320 s of it CPU). A finer step alone is not safe: on a loaded machine
(both CI passes side by side) a process the OS did not run for 2 ms used no CPU either, and
looks idle with a key still queued.

The app runs in the test's own event loop (``App.run_test``), so when this wait runs, no handler
of the app is half-way through, and what the app has left to do is in plain sight (``_work``):

- a message queued on the app or on any node of the screen stack (a key on its way from node to
  node, ``call_later``/``call_next``, a worker's state change, a mount);
- an update of the current screen due (layout, repaint, recompose, scroll) or a callback
  waiting for it (``call_after_refresh``), or an animation running;
- a DataTable of the current screen that has not yet measured what it was given (it does on
  its Idle, which the wait prompts).

Then, in steps of ``STEP`` (2 ms): the wait ends after a step when none of these holds, no
worker is running and the step's CPU stayed under ``QUIET`` (1 ms, Textual's bound). Starved of
the CPU, the app still holds its queued messages: the wait goes on. While a worker runs, its
thread is out of sight (a starved thread's quiet CPU proves nothing, as above), so the step is
Textual's own, 20 ms, and the rule is Textual's (under 1 ms of CPU in the step): no weaker than
before. A worker's result comes back to the event loop as a message (its state change), so
once it has finished the fine steps see it. ``min_sleep`` and ``max_sleep`` mean what they
mean to Textual (at most 1 s by default).

Outside ``run_test`` (no active app, an app exiting), Textual's own wait runs unchanged.

The internals this reads (``textual._wait``, the ``wait_for_idle`` names bound in
``textual.app`` and ``textual.pilot``, ``textual._context.active_app``, the screen's update
flags, ``MessagePump._next_callbacks``, the animator's ``_animations``) were read in Textual
8.2.8; ``install`` checks they are all there and, on a Textual where one is not, leaves
Textual's wait in place and says so in pytest's header: the suite is then slower, not wrong.
The ``test`` extra (pyproject.toml) pins the Textual minor series this was checked on.
"""

from __future__ import annotations

import asyncio
from time import monotonic, process_time
from typing import Any

#: The fine step of the wait (seconds), and the CPU a step may use and count as quiet.
STEP = 0.002
QUIET = 0.001
#: Textual's step, used while a worker runs.
COARSE = 0.02

_SCREEN_FLAGS = (
    "_layout_required",
    "_scroll_required",
    "_repaint_required",
    "_recompose_required",
    "_dirty_widgets",
    "_callbacks",
)

#: Why the wait was not installed (None: installed), for pytest's header.
problem: str | None = None


def _work(app: Any) -> bool:
    """Whether the app has something queued or due (see the module's docstring)."""
    if app.message_queue_size or app._next_callbacks:
        return True
    if app.animator._animations:
        return True
    screen = app.screen
    if any(getattr(screen, flag) for flag in _SCREEN_FLAGS):
        return True
    for base in app.screen_stack:
        for node in base.walk_children(with_self=True):
            if node.message_queue_size or node._next_callbacks:
                return True
    for node in screen.walk_children():
        # A DataTable measures the rows and cells it was given on its next Idle (column widths,
        # row heights): until then it paints them in the widths it had. A table filled by a
        # handler whose last message was the table's own may wait for that Idle with nothing
        # queued anywhere: prompt it, and wait for it.
        if getattr(node, "_require_update_dimensions", False) or getattr(node, "_updated_cells", None):
            node.check_idle()
            return True
    return False


def _worker_running(app: Any) -> bool:
    return any(not worker.is_finished for worker in app.workers)


def install() -> None:
    """Put ``wait_for_idle`` below in the places Textual's Pilot calls its own."""
    global problem
    import textual
    import textual.app
    import textual.pilot
    from textual import _wait
    from textual.screen import Screen

    try:
        from textual._context import active_app
        from textual.app import App
        from textual.message_pump import MessagePump

        missing = [
            name
            for owner, name in (
                (_wait, "wait_for_idle"),
                (textual.app, "wait_for_idle"),
                (textual.pilot, "wait_for_idle"),
                (MessagePump, "message_queue_size"),
                (App, "screen_stack"),
                (App, "workers"),
                (App, "animator"),
            )
            if not hasattr(owner, name)
        ]
        probe = Screen()
        missing += [name for name in (*_SCREEN_FLAGS, "_next_callbacks") if not hasattr(probe, name)]
    except Exception as exc:  # a Textual laid out otherwise
        missing = [repr(exc)]
    if missing or textual.app.wait_for_idle is not _wait.wait_for_idle:
        problem = f"Textual {textual.__version__}: no {', '.join(missing) or 'wait_for_idle'}"
        return
    textual_wait = _wait.wait_for_idle

    async def wait_for_idle(min_sleep: float = _wait.SLEEP_GRANULARITY, max_sleep: float = 1) -> None:
        try:
            app = active_app.get()
        except LookupError:
            app = None
        if app is None or not app.is_running or getattr(app, "_exit", True):
            await textual_wait(min_sleep, max_sleep)
            return
        start = monotonic()
        while True:
            coarse = _worker_running(app)
            cpu = process_time()
            await asyncio.sleep(COARSE if coarse else STEP)
            cpu = process_time() - cpu
            elapsed = monotonic() - start
            if elapsed >= max_sleep or not app.is_running:
                break
            if elapsed <= min_sleep or cpu >= QUIET or _work(app):
                continue
            # A worker that started during a fine step has had no coarse step yet.
            if coarse or not _worker_running(app):
                break

    _wait.wait_for_idle = wait_for_idle  # type: ignore[assignment]
    textual.app.wait_for_idle = wait_for_idle  # type: ignore[attr-defined]
    textual.pilot.wait_for_idle = wait_for_idle  # type: ignore[attr-defined]
