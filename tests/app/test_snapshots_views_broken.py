"""How the Rules screen shows a broken rule: "broken" in its count, the reason under the
table (issue 12.2).

Regenerate after a deliberate change of look with
``pytest tests/app/test_snapshots_views_broken.py --snapshot-update``.
"""

from __future__ import annotations

from tests.app.helpers import settle

SNAP_SIZE = (120, 34)


def test_rules_with_a_broken_rule(seeded, make_app, snap_compare):
    seeded.add_rule("Promote partners", "tag:partner -status:won", status="Qualified")
    seeded.add_rule("Cool off", "tag:cold", add=["Nurture"])
    seeded.delete_tag("Cold", force=True)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)
