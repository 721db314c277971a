"""ctrl+z / ctrl+y and the tags palette's merge, driven by keys; checked on screen and in the store."""

from __future__ import annotations

from textual.coordinate import Coordinate
from textual.widgets import DataTable

from tagtui.app.app import TagtuiApp
from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.picker import TagPicker
from tagtui.app.screens.tags import MergeTargetPicker, TagsScreen
from tagtui.app.widgets.contact_table import ContactTable
from tagtui.app.widgets.dialogs import ConfirmDialog
from tagtui.query import parse
from tagtui.store import Store
from tests.app.helpers import SIZE, confirm_question, settle, type_text


def cell(app, row: int, column: str) -> str:
    table = app.screen.query_one(ContactTable)
    return table.get_cell_at(Coordinate(row, table.get_column_index(column))).plain


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_bulk_tag_then_ctrl_z_then_ctrl_y(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Claude Shannon (row 3) has no tags; mark him and Barbara, tag them VIP.
        await pilot.press("down", "down", "x", "x")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagPicker)
        await type_text(pilot, "vi")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert seeded.count_contacts(parse("tag:vip")) == 6
        assert "VIP" in cell(app, 3, "tags")

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert seeded.count_contacts(parse("tag:vip")) == 4
        assert "Undid: +VIP on 2 contacts" in messages(app)
        assert isinstance(app.screen, ContactsScreen)
        assert "VIP" not in cell(app, 3, "tags")

        await pilot.press("ctrl+y")
        await settle(pilot)
        assert seeded.count_contacts(parse("tag:vip")) == 6
        assert "Redid: +VIP on 2 contacts" in messages(app)
        assert "VIP" in cell(app, 3, "tags")


async def test_nothing_to_redo_is_a_warning_not_an_error(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+y")
        await settle(pilot)
        notes = [(n.severity, n.message) for n in app._notifications]
        assert notes == [("warning", "Nothing to redo in this window.")]
        assert seeded.count_contacts() == 10
        # The seeding steps were made outside this window: ctrl+z does not take them back.
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert seeded.count_contacts() == 10
        assert messages(app)[-1] == "Nothing to undo in this window."


async def test_ctrl_z_takes_back_this_windows_step_not_a_later_one_from_elsewhere(
    seeded, make_app, db_url, monkeypatch, capsys
):
    from tagtui.cli.main import main

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "x", "x", "t")  # Barbara and Claude get VIP
        await settle(pilot)
        await type_text(pilot, "vi")
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert seeded.count_contacts(parse("tag:vip")) == 6
        # Meanwhile someone else, on the command line, makes a newer change.
        monkeypatch.setenv("TAGTUI_ACTOR", "bob")
        assert main(["tags", "create", "Elsewhere", "--db", db_url]) == 0

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "Undid: +VIP on 2 contacts" in messages(app)
        assert seeded.count_contacts(parse("tag:vip")) == 4
        assert [t.name for t in seeded.list_tags() if t.name == "Elsewhere"] == ["Elsewhere"]
        # A second window (its own store, as another process) has only its own steps.
        with Store.open(db_url) as second:
            other = TagtuiApp(second)
            async with other.run_test(size=SIZE) as pilot2:
                await settle(pilot2)
                await pilot2.press("ctrl+y")
                await settle(pilot2)
                assert messages(other)[-1] == "Nothing to redo in this window."
        assert seeded.count_contacts(parse("tag:vip")) == 4
        await pilot.press("ctrl+y")  # the first window's redo is still there
        await settle(pilot)
        assert seeded.count_contacts(parse("tag:vip")) == 6


async def test_merge_in_the_tags_palette_then_undo(seeded, make_app):
    cold = seeded.get_tag("Cold")
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, TagsScreen)
        table = app.screen.query_one("#tags-table", DataTable)
        table.move_cursor(row=table.get_row_index(str(cold.id)))
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MergeTargetPicker)
        await type_text(pilot, "partner")
        await pilot.press("enter")
        await settle(pilot)
        question = confirm_question(app)
        assert "Merge tag 'Cold' into 'Partner'? 2 contacts move." in question
        # Under a dialog, ctrl+z does not change what the dialog is about.
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert seeded.count_contacts() == 10
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, TagsScreen)
        assert [t.name for t in seeded.list_tags()] == ["Partner", "VIP"]
        assert seeded.get_tag("Partner").contacts == 4  # Grace had both
        assert str(cold.id) not in [row.value for row in table.rows]

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert seeded.get_tag(cold.id).contacts == 2
        assert seeded.get_tag("Partner").contacts == 3
        assert str(cold.id) in [row.value for row in table.rows]
        assert any(m.startswith("Undid: Merged tag Cold into Partner") for m in messages(app))


def test_detail_history_reads_bulk_and_undone_changes(seeded):
    from tagtui.app.screens.detail import describe_event
    from tagtui.query import EVERYTHING

    claude = seeded.get_contact("claude@example.com")
    seeded.bulk_change_tags(EVERYTHING, add=["Cold"])
    seeded.bulk_set_status([claude.id], "Won")
    seeded.undo()
    tags = {t.id: t.name for t in seeded.list_tags()}
    statuses = {s.id: s.name for s in seeded.list_statuses()}
    lines = [describe_event(e, tags, statuses).plain for e in seeded.history(contact=claude.id, limit=3)]
    assert lines[0] == "status: New → Won  · Status Won on 1 contact  (undone)"
    assert lines[1] == "tags: +Cold  · +Cold on 8 contacts"
