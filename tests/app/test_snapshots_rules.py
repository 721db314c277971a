"""How the Rules screen looks, with a preview of the highlighted rule (pytest-textual-snapshot).

Regenerate after a deliberate change of look with
``pytest tests/app/test_snapshots_rules.py --snapshot-update``.
"""

from __future__ import annotations

from tests.app.helpers import settle

SNAP_SIZE = (120, 34)


def test_rules_screen(seeded, make_app, snap_compare):
    for email, n in (("ada@example.com", 250_000), ("alan@example.com", 120_000)):
        seeded.update_contact(email, followers=n)
    seeded.add_rule("Influencers", "followers>100000", add=["Influencer"], remove=["Cold"])
    seeded.add_rule("Quiet partners", "tag:partner -status:won", status="Qualified")

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SNAP_SIZE)
