"""What keeps the UI answering on a big database: the row renderer, the idle collector,
the worker threads' priority, and the stall probe (``python -m tagtui.bench.stall``)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading

import pytest
from textual.coordinate import Coordinate

from tagtui.app import collector as collector_module
from tagtui.app.collector import IdleCollector
from tagtui.app.threads import NICENESS, worker_pool
from tagtui.app.widgets.contact_table import ContactTable
from tests.app.helpers import PEOPLE, SIZE, drawn, settle


async def test_rows_are_drawn_cell_by_cell_in_their_columns(seeded, make_app):
    """The one-pass row renderer puts each cell's text at its column's left edge."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        lines = drawn(table).splitlines()
        header, first = lines[0], lines[1]
        for label in ("Name", "Email", "Company", "Status", "Tags"):
            assert label in header
        name, email, company, _tags, _status = PEOPLE[0]
        # Each value starts where its column's label starts.
        for label, value in (("Name", name), ("Email", email), ("Company", company)):
            assert first.index(value) == header.index(label), (label, first)
        assert first.index("Qualified") > header.index("Status")


async def test_a_click_on_any_cell_moves_the_cursor_to_its_row(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        header = drawn(table).splitlines()[0]
        for row, column in ((3, "Email"), (5, "Company"), (1, "Tags")):
            await pilot.click(ContactTable, offset=(header.index(column) + 1, row + 1))
            await settle(pilot)
            assert table.cursor_row == row
            assert table.get_cell_at(Coordinate(row, 1)).plain == PEOPLE[row][0]


async def test_the_collector_is_handed_back_when_the_app_exits(seeded, make_app):
    before = gc.get_threshold()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The first rows showed: start-up objects are frozen, no automatic full collection.
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[2] == collector_module.NEVER
        assert gc.get_threshold()[:2] == before[:2]
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(collector_module.time, "monotonic", clock)
    return clock


def test_the_idle_collector_waits_for_quiet(clock, monkeypatch):
    calls: list[str] = []
    gc_module = collector_module.gc
    monkeypatch.setattr(gc_module, "collect", lambda generation=2: calls.append(f"collect{generation}"))
    monkeypatch.setattr(gc_module, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc_module, "unfreeze", lambda: calls.append("unfreeze"))
    before = gc.get_threshold()
    collector = IdleCollector()
    collector.tick()
    assert calls == []  # not started: nothing to do
    collector.start()
    try:
        assert calls == ["freeze"]  # what start-up made
        calls.clear()
        collector.input_seen()
        clock.now += collector_module.PAUSE / 2
        collector.tick()
        assert calls == []  # the user is typing
        clock.now += collector_module.FULL_EVERY
        collector.tick()
        assert calls == ["collect2", "freeze"]  # a pause: the unfrozen, then freeze what survived
        collector.input_seen()
        clock.now += collector_module.PAUSE
        collector.tick()
        assert calls == ["collect2", "freeze"]  # too soon for another
        calls.clear()
        clock.now += collector_module.DEEP_EVERY
        collector.tick()
        assert calls == ["unfreeze", "collect2", "freeze"]  # away: everything
    finally:
        collector.stop()
    assert gc.get_threshold() == before


def test_a_busy_user_still_gets_a_full_collection_now_and_then(clock, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(collector_module.gc, "collect", lambda generation=2: calls.append(generation))
    collector = IdleCollector()
    collector.start()
    try:
        pause = collector_module.QUIET * 1.25  # never quiet for long
        for _ in range(int(collector_module.OVERDUE / pause) + 2):
            collector.input_seen()
            clock.now += pause
            collector.tick()
        assert calls == [2]
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0


def _priority() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is a Linux feature")
def test_worker_threads_run_below_the_ui_thread():
    ui = _priority()
    with worker_pool() as pool:
        assert pool.submit(_priority).result() == min(ui + NICENESS, 19)
    assert _priority() == ui  # the calling thread is untouched


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is a Linux feature")
def test_worker_threads_stay_below_a_ui_thread_that_runs_under_nice():
    """``nice -n 3 tagtui`` (or a test run under ``nice``): the workers are still NICENESS below."""
    seen: dict[str, int] = {}

    def ui_thread() -> None:  # a thread of its own: raising its nice value cannot be undone
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(_priority() + 3, 19))
        seen["ui"] = _priority()
        with worker_pool() as pool:
            seen["worker"] = pool.submit(_priority).result()

    thread = threading.Thread(target=ui_thread)
    thread.start()
    thread.join()
    assert seen["worker"] == min(seen["ui"] + NICENESS, 19), seen


def test_the_stall_probe_reports_each_change(tmp_path, capsys):
    from tagtui.cli.main import main

    db = tmp_path / "probe.db"
    assert main(["--db", str(db), "demo", "--contacts", "300"]) == 0
    capsys.readouterr()
    # The probe itself runs as the command a person types. Its waits are generous (a loaded
    # machine is slow, never wrong) and its pauses between changes short: this checks the
    # report, not the timings in it.
    probe = ["-m", "tagtui.bench.stall", str(db), "--step", "tag:vip", "--step", "panel:2"]
    out = subprocess.run(
        [sys.executable, *probe, "--think", "0.2", "--timeout", "180"],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    result = json.loads(out.stdout)
    assert [c["step"] for c in result["changes"]] == ["tag:vip", "panel:2"]
    vip = result["changes"][0]
    assert 0 < vip["matches"] < 300
    for change in result["changes"]:
        assert change["rows_ms"] > 0 and change["longest_block_ms"] >= 0
    assert result["max_longest_block_ms"] == max(c["longest_block_ms"] for c in result["changes"])
