"""How the contacts, help, triage and welcome screens look (pytest-textual-snapshot).

Regenerate after a deliberate change of look with ``pytest tests/app/test_snapshots.py --snapshot-update``
and review the SVGs under ``tests/app/__snapshots__``.
"""

from __future__ import annotations

from textual.widgets import Input

from tests.app.helpers import settle, type_text

SNAP_SIZE = (120, 34)


def test_contacts_with_a_filter(seeded, make_app, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "tag:vip,partner")
        await pilot.press("enter")
        await settle(pilot, typed=True)
        await pilot.press("down", "x", "x")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)


def test_contacts_with_a_query_error(seeded, make_app, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash")
        # The bar keeps focus here: a blinking cursor would make the picture depend on timing.
        for bar in pilot.app.screen.query(Input):
            bar.cursor_blink = False
        await type_text(pilot, "tag:vip or (cold")
        await settle(pilot, typed=True)
        for _ in range(50):  # a loaded machine may fire the debounce late
            if pilot.app.screen.query_one("#query-error").has_class("-shown"):
                break
            await pilot.pause(0.05)
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)


def test_help(seeded, make_app, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)


def test_triage(seeded, make_app, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "g")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)


def test_welcome(store, make_app, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)
