"""Snapshots of the explain line, the board's funnel and the Tag insight screen.

Regenerate with ``pytest tests/app/test_snapshots_insight.py --snapshot-update`` after looking at them.
"""

from __future__ import annotations

from tests.app.helpers import settle, type_text

SNAP_SIZE = (120, 34)


def test_explain_line(seeded, make_app, snap_compare):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "tag:vip -tag:cold status:qualified,won tag:partner")
        await pilot.press("enter")
        await settle(pilot, typed=True)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)


def test_board_funnel(seeded, make_app, snap_compare):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)


def test_tag_insight(seeded, make_app, snap_compare):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("2", "i")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)
