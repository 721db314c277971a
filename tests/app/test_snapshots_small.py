"""Every screen and dialog at 80×24 (issue 12.3), beside the larger snapshots of the other files.

Regenerate with ``pytest tests/app/test_snapshots_small.py --snapshot-update`` after looking at them.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from tagtui.query import parse
from tagtui.store import Store
from tests.app.helpers import pin_times, settle
from tests.app.test_trends import history  # noqa: F401 (the fixture: stage moves on fixed dates)

SMALL = (80, 24)


@pytest.fixture
def workspace(store: Store) -> Store:
    """The standard tags and pipeline, a tag whose emoji carries U+FE0F, and a dozen contacts."""
    store.setup_statuses()
    store.setup_tags()
    store.create_tag("VIP", color="amber", emoji="⭐")
    store.create_tag("Churn risk", color="red", emoji="⚠️", description="usage dropped")
    people = [
        (
            "Ada Lovelace",
            "ada@analytical-engines.example",
            "Analytical Engines",
            "new",
            ["vip", "churn-risk"],
        ),
        ("Alan Turing", "alan@bletchley.example", "Bletchley Park", "qualified", ["partner"]),
        ("Barbara Liskov", "barbara@mit.example", "MIT", None, []),
        ("Edsger Dijkstra", "edsger@tue.example", "TU Eindhoven", "won", ["customer"]),
        ("Grace Hopper", "grace@navy.example", "US Navy", "contacted", ["hot-lead", "churn-risk"]),
        ("Ken Thompson", "ken@bell-labs.example", "Bell Labs", "lost", ["cold-lead"]),
    ]
    for name, email, company, status, tags in people:
        contact = store.add_contact(name, email=email, company=company, tags=tags)
        if status:
            store.set_status(contact.id, status)
    return store


#: name -> keys pressed after the app opens on the contacts screen. (The contact detail and
#: History, which show times, are below: with the times pinned.)
SCREENS: dict[str, tuple[str, ...]] = {
    "contacts": (),
    "contacts_with_panel": ("ctrl+b",),
    "triage": ("g",),
    "help": ("question_mark",),
    "tags": ("2",),
    "statuses": ("3",),
    "board": ("4",),
    "rules": ("R",),
    "new_contact": ("n",),
    "tag_form": ("2", "n"),
    "status_form": ("3", "n"),
    "board_funnel": ("4", "i"),
    "views": ("V",),
    "duplicates": ("D",),
    "rule_form": ("R", "a"),
    "tag_insight": ("2", "i"),
    "tag_picker": ("t",),
    "status_picker": ("s",),
    "export": ("X",),
    "import": ("I",),
    "column_chooser": ("c",),
    "sync": ("S",),
    "sync_form": ("S", "a"),
}


@pytest.mark.parametrize("name", list(SCREENS))
def test_screen_at_80x24(name: str, workspace: Store, make_app, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for key in SCREENS[name]:
            await pilot.press(key)
            await settle(pilot)
        # A blinking cursor would make the picture depend on timing.
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        for widget in pilot.app.screen.query(TextArea):
            widget.cursor_blink = False
        await pilot.pause(0.2)
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SMALL)


def test_welcome_at_80x24(store: Store, make_app, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SMALL)


def _history(store: Store) -> None:
    """Ada Lovelace's status changed, her company edited (long), and an undone tag change."""
    store.actor = "ada"
    ada = store.list_contacts(parse("Ada")).rows[0]
    store.set_status(ada.id, "qualified")
    store.update_contact(ada.id, company="Analytical Engines and Difference Machines Limited")
    store.change_tags(ada.id, add=["partner"])
    store.undo(by="actor")


@pytest.mark.parametrize("keys", [("enter",), ("H",)], ids=["detail", "history"])
def test_times_at_80x24(  # type: ignore[no-untyped-def]
    keys: tuple[str, ...], workspace: Store, make_app, snap_compare, fixed_clock
) -> None:
    """The contact detail (fields beside a capped tag list) and History (what and about as two
    lines, the highlighted change in full below), with every time pinned to 2024-03-01."""
    _history(workspace)
    pin_times(workspace)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause(0.2)
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SMALL)


def test_trends_at_80x24(history: Store, make_app, snap_compare) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The legend on its own line above the chart (plotext's own legend covered the lines)."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for key in ("4", "T"):
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=SMALL)
