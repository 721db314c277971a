"""How the contacts screen looks while the query bar holds a malformed query: the last
results dimmed and called stale in the count line (issue 12.5).

Regenerate after a deliberate change of look with
``pytest tests/app/test_snapshots_query_bar.py --snapshot-update``.
"""

from __future__ import annotations

from textual.widgets import Input

from tests.app.helpers import settle, type_text

SNAP_SIZE = (120, 34)


def test_contacts_with_stale_results(seeded, make_app, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash")
        for bar in pilot.app.screen.query(Input):
            bar.cursor_blink = False
        await type_text(pilot, "tag:vip")
        await settle(pilot, typed=True)
        await type_text(pilot, " status:")
        await settle(pilot, typed=True)
        for _ in range(50):  # a loaded machine may fire the debounce late
            if pilot.app.screen.query_one("#query-error").has_class("-shown"):
                break
            await pilot.pause(0.05)
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)
