"""The import screen: a path, the detected mapping, a field changed, the import and its report."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.import_file import ImportScreen
from tests.app.helpers import SIZE, drawn, settle, type_text
from tests.app.helpers import table_rows as cells

SAMPLES = Path(__file__).parent.parent / "io" / "samples"


async def start(pilot) -> None:
    """Past the welcome an empty workspace shows, on the contacts screen."""
    await settle(pilot)
    if not isinstance(pilot.app.screen, ContactsScreen):
        await pilot.press("escape")
        await settle(pilot)
    assert isinstance(pilot.app.screen, ContactsScreen)


async def test_import_with_a_changed_mapping(store, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("I")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ImportScreen)
        await type_text(pilot, str(SAMPLES / "hubspot.csv"))
        await pilot.press("enter")
        await settle(pilot)
        table = dialog.query_one("#mapping", DataTable)
        rows = cells(table)
        assert rows[0] == ["Record ID", "—", "1501"]
        assert ["Email", "email", "grace@navy-labs.example"] in rows
        assert ["Lifecycle Stage", "status", "Customer"] in rows
        assert ["Lead Status", "status", "Connected"] in rows
        assert app.focused is table
        # "Lifecycle Stage" → ignored; "Lead Status" is then the status.
        table.move_cursor(row=8)
        await pilot.press("delete")
        await settle(pilot)
        assert cells(table)[8] == ["Lifecycle Stage", "—", "Customer"]
        # "Create Date" → f cycles from ignored to the first field, then on to first_name.
        table.move_cursor(row=10)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert cells(table)[10][:2] == ["Create Date", "first_name"]
        await pilot.press("left_square_bracket", "left_square_bracket")  # back to ignored
        await settle(pilot)
        assert cells(table)[10][:2] == ["Create Date", "—"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        summary = str(dialog.query_one("#summary").render())
        assert "Imported 3 rows: 3 created, 0 updated; 0 new tags, 2 new statuses · 1 skipped" in summary
        assert "line 5: no name and no email" in drawn(dialog.query_one("#skipped"))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert app.screen.table.total == 3  # the list shows what was imported
    grace = store.get_contact("grace@navy-labs.example")
    assert (grace.name, grace.status, grace.assignee) == ("Grace Hopper", "Connected", "Sam Rivera")
    assert store.get_contact("alan@bletchley.example").status == "New"
    assert store.count_contacts() == 3


async def test_a_vcard_and_a_bad_path(store, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("I")
        await settle(pilot)
        dialog = app.screen
        await type_text(pilot, str(SAMPLES / "nope.csv"))
        await pilot.press("enter")
        await settle(pilot)
        assert "does not exist" in str(dialog.query_one("#error").render())
        dialog.query_one("#path", Input).value = str(SAMPLES / "vcard4.vcf")
        await pilot.press("ctrl+s")  # reads the file first: nothing is imported before it is seen
        await settle(pilot)
        assert store.count_contacts() == 0
        assert not dialog.query_one("#mapping", DataTable).display
        assert "vCard" in str(dialog.query_one("#summary").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "2 created" in str(dialog.query_one("#summary").render())
        skipped = drawn(dialog.query_one("#skipped"))
        assert "line 21: invalid email 'not-an-email'" in skipped and "line 26:" in skipped
    assert store.get_contact("ada@engines.example").followers == 1843


async def test_a_file_without_name_or_email_column_is_refused_inline(store, make_app, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Shoe,Size\nred,42\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.push_screen(ImportScreen(str(path)))
        await settle(pilot)
        assert "no 'name' or 'email' column" in str(app.screen.query_one("#error").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert store.count_contacts() == 0


async def test_palette_and_help_list_the_import(store, make_app):
    from tagtui.app.commands import TagtuiCommands
    from tagtui.app.keymap import groups

    assert any(g.title.startswith("Import a file") for g in groups())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        provider = TagtuiCommands(app.screen)
        commands = [c.text for c in provider._commands()]
        assert "Contacts: Import" in commands


def _big_csv(path: Path, rows: int) -> Path:
    lines = ["name,email,tags"] + [f"Person {i:05d},p{i}@example.com,imported" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def test_import_shows_rows_rate_and_time_left(store, make_app, tmp_path):
    from tagtui.app.widgets import job_progress as screen_module

    path = _big_csv(tmp_path / "big.csv", 3000)
    lines: list[str] = []
    original = screen_module.progress_line

    def spy(*args):  # type: ignore[no-untyped-def]
        lines.append(original(*args))
        return lines[-1]

    screen_module.progress_line = spy  # type: ignore[assignment]
    try:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await start(pilot)
            await pilot.press("I")
            await settle(pilot)
            await type_text(pilot, str(path))
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
    finally:
        screen_module.progress_line = original  # type: ignore[assignment]
    assert store.count_contacts() == 3000
    assert lines and lines[0].startswith("Importing… 500 rows · ")
    assert "rows/s" in lines[0] and "left" in lines[0]


def test_progress_line_in_words():
    from tagtui.app.widgets.job_progress import progress_line

    assert progress_line("Importing", 12_500, 250, 1000, 2.0) == (
        "Importing… 12,500 rows · 6,250 rows/s · about 6 s left  (escape cancels)"
    )
    assert "about 5 min left" in progress_line("Importing", 500, 10, 1000, 3.0)
    assert progress_line("Tagging", 400, 400, 1000, 2.0, "contacts") == (
        "Tagging… 400 contacts · 200 contacts/s · about 3 s left  (escape cancels)"
    )


async def test_a_cancelled_import_imports_nothing(store, make_app, tmp_path):
    from tests.app.keys_burst import burst

    path = _big_csv(tmp_path / "big.csv", 20_000)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("I")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ImportScreen)
        await type_text(pilot, str(path))
        await pilot.press("enter")
        await settle(pilot)
        await burst(pilot, "ctrl+s", "escape")  # cancel at once: escape stops the import, not the dialog
        await settle(pilot)
        assert app.screen is dialog
        assert "Import cancelled: nothing was imported." in drawn(dialog.query_one("#summary"))
        assert store.count_contacts() == 0
        assert store.list_tags() == []
        await pilot.press("escape")  # now escape closes the dialog
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
