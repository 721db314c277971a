"""``python -m tagtui.bench.stall DB``: how the contacts screen answers filter changes.

The app runs headless on DB at a real terminal's size. For each query in turn the probe
does what a typed query does once its debounce has passed (``set_query``), then waits
until the new rows are painted and the match count has arrived. Meanwhile a task on the
event loop wakes every millisecond: the longest gap between its wake-ups is the longest
time the loop could not answer a key press. It prints one JSON object (times in ms)::

    {"changes": [{"query", "rows_ms", "rows_cpu_ms", "count_ms", "longest_block_ms", "paint_ms"}...],
     "median_longest_block_ms", "max_longest_block_ms", "median_rows_ms", "median_rows_cpu_ms",
     "median_paint_ms"}

``rows_ms`` runs from the key press (enter, or space in the panel) to the end of the first
paint of the table that drew the new rows, ``rows_cpu_ms`` is the event loop thread's CPU
time over the same span (the UI's own work, not the queries' threads); ``paint_ms`` is the longest single
``render_lines`` call of the contacts table during the change. It runs in its own
process, like the user's app.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time

DEFAULT_STEPS = (
    "tag:vip",
    "tag:vip -tag:cold-lead",
    "tag:vip -tag:cold-lead status:qualified",
    "tag:partner,newsletter",
    "",
    "status:won",
    "-tag:cold-lead",
    "tag:vip tag:partner",
    "acme",
    "panel:2",
    "panel:3",
)


class _LoopProbe:
    """Wakes every millisecond and keeps the longest gap since ``reset``."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - 0.001)
            last = now

    def reset(self) -> None:
        self.longest = 0.0

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


#: Seconds between two key presses: a quick typist.
KEY_GAP = 0.06


def _key_name(char: str) -> str:
    """Textual's name of the key that types ``char`` (``:`` -> ``colon``, ``-`` -> ``minus``)."""
    import unicodedata

    from textual.keys import KEY_NAME_REPLACEMENTS

    if char.isalnum():
        return char
    name = unicodedata.name(char, char).lower().replace("-", "_").replace(" ", "_")
    return KEY_NAME_REPLACEMENTS.get(name, name)


async def _type(app, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Post key presses to the app as the terminal driver does, ``KEY_GAP`` apart. (Pilot.press
    waits for the event loop to be idle after each key, which the probe never lets it be.)"""
    from textual import events

    for key in keys:
        char = key if len(key) == 1 else {"space": " ", "slash": "/"}.get(key)
        name = _key_name(key) if len(key) == 1 else key
        event = events.Key(name, char)
        event.set_sender(app)
        app.post_message(event)
        await asyncio.sleep(KEY_GAP)


async def _measure(
    target: str, steps: tuple[str, ...], size: tuple[int, int], timeout: float, think: float = 1.0
) -> dict:
    from tagtui.app.app import TagtuiApp
    from tagtui.app.screens.contacts import ContactsScreen
    from tagtui.app.widgets.contact_table import ContactTable
    from tagtui.app.widgets.filter_panel import FilterPanel
    from tagtui.store import Store

    store = Store.open(target)
    paints: list[float] = []
    #: When each paint of the table ended (wall and the event loop thread's CPU clock), and the
    #: rows it drew (the table's generation, whether a fetch was still pending).
    painted_at: list[tuple[float, float, int, bool]] = []
    original = ContactTable.render_lines

    def timed(self, crop):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return original(self, crop)
        finally:
            ended = time.perf_counter()
            paints.append(ended - started)
            painted_at.append((ended, time.thread_time(), self._generation, self._busy))

    ContactTable.render_lines = timed  # type: ignore[method-assign]
    changes = []
    try:
        app = TagtuiApp(store)
        async with app.run_test(size=size) as pilot:

            async def until(done, what: str) -> float:  # type: ignore[no-untyped-def]
                started = time.perf_counter()
                while not done():
                    if time.perf_counter() - started > timeout:
                        raise SystemExit(f"gave up waiting for {what}")
                    await asyncio.sleep(0.001)
                return time.perf_counter()

            # On a loaded machine the first screen may not be up yet when the test starts.
            await until(
                lambda: isinstance(app.screen, ContactsScreen) and app.screen.query(ContactTable),
                "the contacts screen",
            )
            screen = app.screen
            assert isinstance(screen, ContactsScreen)
            table = screen.query_one(ContactTable)
            panel = screen.query_one(FilterPanel)

            await until(lambda: table.row_count and table.total is not None, "the first page")
            await app.workers.wait_for_complete()
            await pilot.pause(1.0)
            probe = _LoopProbe()
            probe.start()
            for step in steps:
                await pilot.pause(think)  # a person reads the screen before the next change
                generation = table._generation
                probe.reset()
                typing = time.perf_counter()
                if step.startswith("panel:"):
                    # Cycle a tag of the side panel: the filter changes on the key press. The
                    # panel's tags load after the first rows; on a busy machine they may not be
                    # there yet, and keys pressed on an empty list would change nothing.
                    nth = int(step[6:])
                    await until(lambda: len(panel.tag_slugs) > nth, "the side panel's tags")  # noqa: B023
                    await _type(app, ["f", *(["down"] * nth)])
                    typing_block = probe.longest
                    probe.reset()
                    started, started_cpu = time.perf_counter(), time.thread_time()
                    await _type(app, ["space"])
                else:
                    # Type the query into the bar, as a person does, then press enter.
                    await _type(app, ["slash", "end", "ctrl+u", *step])
                    typing_block = probe.longest
                    probe.reset()
                    started, started_cpu = time.perf_counter(), time.thread_time()
                    await _type(app, ["enter"])
                painted_at.clear()
                shown = await until(lambda: table._generation > generation and not table._busy, "the rows")  # noqa: B023

                def new_rows_painted() -> tuple[float, float] | None:
                    return next(
                        ((t, cpu) for t, cpu, g, busy in painted_at if g > generation and not busy),  # noqa: B023
                        None,
                    )

                # The rows are in the table: the first paint that drew them (it may have come
                # before this loop woke up), waiting briefly for it.
                before = len(paints)
                while new_rows_painted() is None and time.perf_counter() - shown < 1.0:
                    await asyncio.sleep(0.001)
                painted, painted_cpu = new_rows_painted() or (time.perf_counter(), time.thread_time())
                counted = await until(lambda: table.total is not None, "the count")
                await app.workers.wait_for_complete()
                await pilot.pause(0.05)
                changes.append(
                    {
                        "step": step,
                        "matches": table.total,
                        "typing_ms": round((started - typing) * 1000, 1),
                        "typing_block_ms": round(typing_block * 1000, 1),
                        "rows_ms": round((painted - started) * 1000, 1),
                        "rows_cpu_ms": round((painted_cpu - started_cpu) * 1000, 1),
                        "count_ms": round((counted - started) * 1000, 1),
                        "longest_block_ms": round(probe.longest * 1000, 1),
                        "paint_ms": round(max(paints[before - 1 :] or [0.0]) * 1000, 1),
                    }
                )
            probe.stop()
    finally:
        ContactTable.render_lines = original  # type: ignore[method-assign]
        store.close()
    blocks = [c["longest_block_ms"] for c in changes]
    return {
        "size": f"{size[0]}x{size[1]}",
        "changes": changes,
        "median_longest_block_ms": round(statistics.median(blocks), 1),
        "max_longest_block_ms": max(blocks),
        "median_rows_ms": round(statistics.median(c["rows_ms"] for c in changes), 1),
        "median_rows_cpu_ms": round(statistics.median(c["rows_cpu_ms"] for c in changes), 1),
        "median_paint_ms": round(statistics.median(c["paint_ms"] for c in changes), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tagtui.bench.stall", description=__doc__.splitlines()[0])
    parser.add_argument("db", help="a database file or URL (e.g. made by `tagtui demo --contacts 1000000`)")
    parser.add_argument("--size", default="160x48", help="terminal size, COLUMNSxLINES (default 160x48)")
    parser.add_argument(
        "--step", action="append", help="a query to type, or panel:N to cycle the Nth tag (repeatable)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="go through the queries this many times")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between changes (default 1)")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    columns, _, lines = args.size.partition("x")
    steps = tuple(args.step or DEFAULT_STEPS) * max(args.rounds, 1)
    result = asyncio.run(_measure(args.db, steps, (int(columns), int(lines)), args.timeout, args.think))
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
