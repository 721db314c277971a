"""One key means one thing across screens (issue 12.7): the clashes found are gone.

The scheme: ``h``/``j``/``k``/``l`` and the arrows only move (Duplicates keeps the other contact
with ``o``); ``f`` is the filter panel;
``x``/``space`` mark; ``i`` shows a screen's insight (tag insight, the board's funnel);
``;`` opens the hint keys; ``[``/``]`` step a value back and forth (a contact's status,
an import column's field, a merged field's value); ``enter`` opens or applies the highlighted row.
"""

from __future__ import annotations

import pytest

from tagtui.app.keymap import all_bindings


def _meanings(key: str) -> set[str]:
    return {b.action for b in all_bindings() if key in [k.strip() for k in b.key.split(",")]}


@pytest.mark.parametrize(
    ("key", "actions"),
    [
        ("f", {"focus_panel"}),
        ("h", {"focus_column(-1)", "step(-1)"}),  # a column or a color to the left: moving left
        ("l", {"focus_column(1)", "step(1)"}),
        ("x", {"toggle_select"}),
        ("j", {"cursor_down"}),
        ("k", {"cursor_up"}),  # Duplicates' "keep the other contact" is o (issue 14)
        ("o", {"keep"}),
        ("b", {"sort_next"}),  # the contacts' sort (b/B) is not Duplicates' keep (o)
        ("semicolon", {"hints"}),
        ("i", {"insight", "toggle_funnel"}),
        ("left_square_bracket", {"step_status(-1)", "previous_field", "choose(-1)"}),
        ("right_square_bracket", {"step_status(1)", "next_field", "choose(1)"}),
    ],
)
def test_a_key_means_one_thing(key: str, actions: set[str]) -> None:
    assert _meanings(key) == actions


async def test_home_and_end_in_every_list(seeded, make_app) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import DataTable, OptionList

    from tagtui.app.screens.board import BoardScreen
    from tagtui.app.screens.picker import SearchPicker
    from tagtui.app.widgets.contact_table import ContactTable
    from tests.app.helpers import PEOPLE, SIZE, settle

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        contacts = app.screen.query_one("#contacts", ContactTable)
        for key, row in (
            ("end", len(PEOPLE) - 1),
            ("home", 0),
            ("ctrl+end", len(PEOPLE) - 1),
            ("ctrl+home", 0),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert contacts.cursor_row == row, key
        await pilot.press("pagedown")
        assert contacts.cursor_row > 0

        for section, table_id in (("2", "#tags-table"), ("3", "#statuses-table")):
            await pilot.press(section)
            await settle(pilot)
            table = app.screen.query_one(table_id, DataTable)
            assert table.has_focus
            await pilot.press("end")
            assert table.cursor_row == table.row_count - 1 > 0
            await pilot.press("home")
            assert table.cursor_row == 0

        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        column = next(c for c in app.screen.columns if c.status is None)  # "No status": five cards
        column.table.focus()
        await settle(pilot)
        await pilot.press("end")
        assert column.table.cursor_row == column.table.row_count - 1 > 0
        await pilot.press("home")
        assert column.table.cursor_row == 0

        await pilot.press("1")
        await settle(pilot)
        await pilot.press("s")  # the status picker
        await settle(pilot)
        assert isinstance(app.screen, SearchPicker)
        options = app.screen.query_one(OptionList)
        await pilot.press("ctrl+end")
        assert options.highlighted == options.option_count - 1
        await pilot.press("ctrl+home")
        assert options.highlighted == 0


async def test_list_keys_on_duplicates_and_history(seeded, make_app) -> None:  # type: ignore[no-untyped-def]
    """Duplicates: home/end the first/last field of the compared contacts, the page keys and
    ctrl+home/ctrl+end step through the groups. History: the keys of every list."""
    from textual.widgets import DataTable

    from tagtui.app.screens.duplicates import FIELDS, DuplicatesScreen
    from tagtui.app.screens.history import HistoryScreen
    from tests.app.helpers import SIZE, settle

    for name, company in (("A. Turing", "Bletchley"), ("D. Knuth", "Stanford"), ("H. Lamarr", "MGM")):
        seeded.add_contact(name, company=company)
    for n in range(60):
        seeded.create_tag(f"Batch {n:02}")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DuplicatesScreen)
        assert len(screen.groups) == 3
        groups = screen.query_one("#dup-groups", DataTable)
        compare = screen.query_one("#dup-compare", DataTable)
        assert compare.has_focus
        for key, index in (("ctrl+end", 2), ("ctrl+home", 0), ("pagedown", 1), ("pageup", 0), ("pageup", 2)):
            await pilot.press(key)
            await settle(pilot)
            assert (screen.index, groups.cursor_row) == (index, index), key
            assert screen.contacts and screen.contacts[0].id == screen.groups[index].ids[0], key
        await pilot.press("end")
        assert compare.cursor_row == len(FIELDS) - 1
        await pilot.press("home")
        assert compare.cursor_row == 0
        assert screen.index == 2  # the field keys left the group alone

        groups.focus()  # the group list itself answers every list key
        await settle(pilot)
        for key, row in (("end", 2), ("home", 0), ("ctrl+end", 2), ("ctrl+home", 0)):
            await pilot.press(key)
            await settle(pilot)
            assert (groups.cursor_row, screen.index) == (row, row), key

        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#history-table", DataTable)
        table.focus()
        await settle(pilot)
        last = table.row_count - 1
        assert last > 60
        for key, row in (("end", last), ("home", 0), ("ctrl+end", last), ("ctrl+home", 0)):
            await pilot.press(key)
            assert table.cursor_row == row, key
        await pilot.press("pagedown")
        paged = table.cursor_row
        assert 10 < paged < last
        await pilot.press("pageup")
        assert table.cursor_row == 0
