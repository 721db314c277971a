"""How the Duplicates screen looks: a group's contacts side by side, a value chosen, the merge staged
(pytest-textual-snapshot).

Regenerate after a deliberate change of look with
``pytest tests/app/test_snapshots_duplicates.py --snapshot-update``.
"""

from __future__ import annotations

from tests.app.helpers import settle
from tests.app.test_duplicates import plant

SNAP_SIZE = (120, 34)


def test_duplicates_screen(seeded, make_app, snap_compare):
    plant(seeded)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        await pilot.press("down", "down", "right_square_bracket")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)
