"""The Trends screen: opened with T on the Board or from the palette, drawn from hand-made
status events on a fixed date; and its snapshot."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tagtui.app.screens.board import BoardScreen
from tagtui.app.screens.trends import TrendsScreen
from tagtui.store import Store
from tagtui.store.trends import week_starts
from tests.app.helpers import drawn, settle

SIZE = (120, 34)
TODAY = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def history(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """On 2026-06-10: three contacts entered New, two moved on to Contacted, one to Won."""
    monkeypatch.setattr("tagtui.store.trends._now", lambda: TODAY)
    store.setup_statuses()
    ids = {
        name: store._read(
            lambda tx, n=name: tx.scalar(
                "SELECT id FROM status WHERE workspace_id = :ws AND name = :n", store._params(n=n)
            )
        )
        for name in ("New", "Contacted", "Won")
    }
    w = week_starts(12, TODAY)
    day = timedelta(days=1)
    moves = {
        "Ann": [(w[2], "New"), (w[3] + 2 * day, "Contacted"), (w[6], "Won")],
        "Bob": [(w[4], "New"), (w[8] + day, "Contacted")],
        "Cy": [(w[9], "New")],
    }
    for name, steps in moves.items():
        cid = store.add_contact(name).id
        before = None
        for at, status in steps:
            payload = json.dumps({"before": before, "after": ids[status]})
            store._write(
                lambda tx, at=at, payload=payload, cid=cid: tx.execute(
                    "INSERT INTO event (workspace_id, at, kind, subject_type, subject_id, payload)"
                    " VALUES (:ws, :at, 'contact.status_changed', 'contact', :cid, :p)",
                    store._params(at=at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), cid=cid, p=payload),
                )
            )
            before = ids[status]
    return store


async def test_t_on_the_board_opens_trends(history: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("T")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrendsScreen)
        assert screen.trends is not None
        assert screen.trends.entered["New"] == [0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]
        assert screen.trends.time_in_stage["New"].median_days == 19.0  # Ann 9 days, Bob 29
        scope = str(screen.query_one("#trends-scope").render())
        assert scope.startswith("6 stage entries in the last 12 weeks (from 2026-03-23)")
        chart = drawn(screen.query_one("#trends-entered"))
        assert "Contacts entering each stage per week" in chart
        # The legend is its own line, not drawn over the chart: the stages that had entries.
        legend = str(screen.query_one("#trends-legend").render())
        assert legend.split() == ["━━", "New", "━━", "Contacted", "━━", "Won"]
        assert "Contacted" not in chart
        assert "Median days in stage" in drawn(screen.query_one("#trends-time"))
        await pilot.press("w")
        await settle(pilot)
        assert screen.trends is not None and len(screen.trends.weeks) == 26
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)


async def test_palette_opens_trends(history: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"board: trends")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TrendsScreen)


def test_trends_snapshot(history, make_app, snap_compare):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SIZE)
