"""The app as a whole: shared keys, headers, help, the palette, the welcome screen, errors."""

from __future__ import annotations

import pytest
from textual.widgets import Header

from tagtui.app.app import TagtuiApp
from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.help import HelpScreen
from tagtui.app.screens.picker import TagPicker
from tagtui.app.screens.welcome import WelcomeScreen
from tagtui.store import NotFound, ValidationError
from tests.app.helpers import SIZE, drawn, settle


def header_text(app) -> str:
    return drawn(app.screen.query_one(Header).query_one("HeaderTitle"))


async def test_shared_keys_switch_screens_and_headers_name_them(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Contacts" in header_text(app)
        for key, title in (("2", "Tags"), ("3", "Statuses"), ("4", "Board"), ("1", "Contacts")):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen.title == title
            assert title in header_text(app)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Help" in header_text(app)
        help_text = "\n".join(drawn(box) for box in app.screen.query(".help-group"))
        wanted = ("Mark every contact", "one by one", "Focus the query", "Command palette", "Toggle the tag")
        for words in wanted:
            assert words.lower() in help_text.lower(), words
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        # Help from another section closes back to it; a section key from help goes there.
        await pilot.press("2", "question_mark")
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert app.screen.title == "Statuses"
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.title == "Tags"  # help was closed, not left on top


async def test_slash_focuses_the_query_from_anywhere(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert app.focused is app.screen.query_one("#query")


async def test_switching_sections_keeps_the_contacts_state(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"tag:vip", "enter")
        await settle(pilot, typed=True)
        await pilot.press("down", "x")
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert app.screen.query_one("#query").value == "tag:vip"
        assert str(app.screen.query_one("#count").render()) == "4 of 10 contacts"
        assert "1 marked" in str(app.screen.query_one("#selection").render())


async def test_escape_closes_a_dialog(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagPicker)
        await pilot.press("1")  # typed into the search box: dialogs keep their keys
        assert isinstance(app.screen, TagPicker)
        await pilot.press("escape")
        assert isinstance(app.screen, ContactsScreen)


async def test_command_palette_offers_screens_and_actions(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"go to board")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.title == "Board"
        await pilot.press("ctrl+p")
        await pilot.press(*"contacts: new")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        from tagtui.app.screens.contact_form import ContactForm

        assert isinstance(app.screen, ContactForm)


async def test_errors_become_notifications_never_crashes(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.notify_error(ValidationError("name must not be blank", field="name"))
        app.notify_error(RuntimeError("boom\nwith a second line"))

        def fail() -> None:
            raise NotFound("no tag 'x' in workspace 'default'")

        app.screen.run_worker(fail, thread=True, exit_on_error=False)
        await settle(pilot)
        messages = [(n.title, n.message) for n in app._notifications]
        assert ("Invalid", "name must not be blank") in messages
        assert ("Unexpected error", "RuntimeError: boom") in messages
        assert ("Not found", "no tag 'x' in workspace 'default'") in messages
        assert app.is_running


async def test_welcome_on_an_empty_workspace(store, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("t")
        await settle(pilot)
        assert len(store.list_tags()) >= 5
        await pilot.press("p")
        await settle(pilot)
        assert [s.name for s in store.list_statuses()][:2] == ["New", "Contacted"]
        assert "done" in drawn(app.screen.query_one("#welcome-choices"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert len(app.screen.query_one("FilterPanel").tags) >= 5


async def test_welcome_demo_data(store, make_app):
    pytest.importorskip("tagtui.io.demo")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.demo_contacts = 40
        await pilot.press("d")
        await settle(pilot)
        assert store.count_contacts() == 40
        await pilot.press("escape")
        await settle(pilot)
        assert str(app.screen.query_one("#count").render()) == "40 contacts"


async def test_no_welcome_once_there_is_something(store, make_app):
    store.create_status("New")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)


def test_run_refuses_a_file_that_is_not_a_database(tmp_path, capsys):
    from tagtui.app import run

    bad = tmp_path / "notes.txt"
    bad.write_text("hello, not a database\n" * 10)
    assert run(str(bad), "default") == 1
    err = capsys.readouterr().err
    assert err.startswith("tagtui: ") and err.count("\n") == 1
    assert bad.read_text().startswith("hello")


def test_importing_the_package_does_not_import_textual():
    import subprocess
    import sys

    code = "import sys, tagtui.app; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_binding_has_an_id_and_a_description():
    from tagtui.app.commands import screen_bindings
    from tagtui.app.screens.contact_form import ContactForm
    from tagtui.app.screens.export import ExportDialog
    from tagtui.app.screens.hint_overlay import HintOverlay
    from tagtui.app.screens.picker import SearchPicker, TextPrompt, ViewPicker
    from tagtui.app.screens.triage import TriageScreen
    from tagtui.app.widgets.contact_table import ContactTable
    from tagtui.app.widgets.filter_panel import LabelList

    classes = (TagtuiApp, ContactsScreen, ContactTable, LabelList, TriageScreen, HelpScreen, WelcomeScreen)
    classes += (SearchPicker, ViewPicker, TextPrompt, ContactForm, ExportDialog, HintOverlay)
    ids = []
    for cls in classes:
        for binding in cls.BINDINGS:
            assert binding.id, (cls.__name__, binding.key)
            assert binding.description, (cls.__name__, binding.key)
            ids.append(binding.id)
        assert screen_bindings(cls) or cls is HelpScreen
    assert len(ids) == len(set(ids))
