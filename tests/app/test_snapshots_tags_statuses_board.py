"""Snapshots of the Tags, Statuses, Board and detail screens, and of the tag form showing an error.

Regenerate with ``pytest tests/app/test_snapshots_tags_statuses_board.py --snapshot-update``
after looking at them.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tagtui.app.app import TagtuiApp
from tagtui.app.screens import detail
from tagtui.store import Store
from tests.app.helpers import seed_standard, settle

SIZE = (140, 40)


@pytest.fixture
def demo(store: Store) -> Store:
    """A small, fixed workspace: the standard pipeline and tags, a few contacts."""
    seed_standard(store)
    store.create_tag("VIP", color="amber", emoji="⭐", description="Our best customers")
    store.create_tag("[red]x[/]", color="#0ea5e9", description="markup stays [b]literal[/b]")
    people = [
        ("Ada Lovelace", "Analytical Engines", "new", ["vip", "customer"]),
        ("Grace Hopper", "US Navy", "new", ["hot-lead"]),
        ("Alan Turing", None, "qualified", ["partner", "red-x"]),
        ("Edsger Dijkstra", "TU Eindhoven", "won", ["customer"]),
        ("Barbara Liskov", "MIT", None, []),
        ("Ken Thompson", "Bell Labs", "lost", ["cold-lead"]),
    ]
    for name, company, status, tags in people:
        contact = store.add_contact(name, company=company)
        if status:
            store.set_status(contact.id, status)
        if tags:
            store.change_tags(contact.id, add=tags)
    return store


def _keys(*keys: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        # A blinking cursor (the tag form's focused field) would make the picture depend on timing.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await settle(pilot)

    return run_before


def test_tags_screen(snap_compare, demo: Store) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(TagtuiApp(demo), terminal_size=SIZE, run_before=_keys("2"))


def test_tag_form_with_a_validation_error(snap_compare, demo: Store) -> None:  # type: ignore[no-untyped-def]
    keys = ("2", "n", *"Prospect", "tab", *"nope", "ctrl+s")
    assert snap_compare(TagtuiApp(demo), terminal_size=SIZE, run_before=_keys(*keys))


def test_statuses_screen(snap_compare, demo: Store) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(TagtuiApp(demo), terminal_size=SIZE, run_before=_keys("3", "J"))


def test_board(snap_compare, demo: Store) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(TagtuiApp(demo), terminal_size=SIZE, run_before=_keys("4", "down"))


def test_detail(snap_compare, demo: Store, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # Event times are "now": pin how they read so the picture does not change by the minute.
    monkeypatch.setattr(detail, "format_when", lambda at, today=None, short=False: "10:02")
    keys = ("enter", "right_square_bracket", "down", "space")  # the first contact, from the contacts screen
    assert snap_compare(TagtuiApp(demo), terminal_size=SIZE, run_before=_keys(*keys))


def test_tag_merge_picker(snap_compare, demo: Store) -> None:  # type: ignore[no-untyped-def]
    """The merge picker: a plain list with counts (no check boxes), its help line saying enter merges."""
    keys = ("2", "m", "down")  # merge the first tag: the picker lists the others, the second highlighted
    assert snap_compare(TagtuiApp(demo), terminal_size=SIZE, run_before=_keys(*keys))
