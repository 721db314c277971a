"""The export dialog: its formats and default folder; it asks before replacing a file, and
writes devices and links in place."""

from __future__ import annotations

import csv
import os
import stat

import pytest
from textual.widgets import Input

from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.export import ExportDialog
from tagtui.app.widgets.dialogs import ConfirmDialog
from tests.app.helpers import SIZE, settle, type_text


async def _open_dialog(pilot) -> ExportDialog:
    await settle(pilot)
    await pilot.press("X")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ExportDialog)
    return pilot.app.screen


async def _export_to(pilot, path: str) -> None:
    await pilot.press("ctrl+u")
    await type_text(pilot, path)
    await pilot.press("ctrl+s")
    await settle(pilot)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home of the test's own (no user-dirs.dirs); the process runs in another folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return home


def _names(path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as f:
        return sorted(row["name"] for row in csv.DictReader(f))


async def test_replacing_a_file_asks_first(seeded, make_app, home):
    existing = home / "old.csv"
    existing.write_text("keep me\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_dialog(pilot)
        await _export_to(pilot, "old.csv")
        assert isinstance(app.screen, ConfirmDialog)
        assert "old.csv exists" in str(app.screen.query_one("#question").render())
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is dialog and existing.read_text() == "keep me\n"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
    assert len(_names(existing)) == seeded.count_contacts()


async def test_a_link_and_a_device_are_written_in_place(seeded, make_app, home):
    tmp_path = home
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_dialog(pilot)
        await _export_to(pilot, "link.csv")  # a new file behind a link: nothing to ask
        assert isinstance(app.screen, ContactsScreen)
        await _open_dialog(pilot)
        await _export_to(pilot, os.devnull)  # not a file that could be lost: nothing to ask
        assert isinstance(app.screen, ContactsScreen)
    assert (tmp_path / "link.csv").is_symlink()
    assert len(_names(tmp_path / "real.csv")) == seeded.count_contacts()
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tagtui")] == []


async def test_the_default_file_is_in_documents_or_home_never_the_current_folder(seeded, make_app, home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_dialog(pilot)
        assert dialog.query_one("#path", Input).value == str(home / "contacts.csv")
        await pilot.press("escape")
        await settle(pilot)
        (home / "Documents").mkdir()
        dialog = await _open_dialog(pilot)
        assert dialog.query_one("#path", Input).value == str(home / "Documents" / "contacts.csv")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert len(_names(home / "Documents" / "contacts.csv")) == seeded.count_contacts()
    assert os.listdir(os.getcwd()) == []


async def test_exports_for_google_and_outlook(seeded, make_app, home):
    seeded.add_contact("Radia Perlman", email="radia@example.com", phone="+1 202 555 0100")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_dialog(pilot)
        path = dialog.query_one("#path", Input)
        await pilot.press("shift+tab", "down", "enter")  # the format list: CSV for Google Contacts
        await settle(pilot)
        assert path.value == str(home / "contacts-google.csv")
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = await _open_dialog(pilot)
        path = dialog.query_one("#path", Input)
        await pilot.press("shift+tab", "down", "down", "enter")  # CSV for Outlook
        await settle(pilot)
        assert path.value == str(home / "contacts-outlook.csv")
        await pilot.press("ctrl+s")
        await settle(pilot)
    google = (home / "contacts-google.csv").read_text(encoding="utf-8")
    assert google.startswith("Name,Given Name,Family Name,")
    outlook = (home / "contacts-outlook.csv").read_text(encoding="utf-8")
    assert outlook.startswith("\ufeffFirst Name,Last Name,")
    assert ",+1 202 555 0100," in google and ",+1 202 555 0100," in outlook  # no ' before them
    rows = list(csv.DictReader(outlook.lstrip("\ufeff").splitlines()))
    assert len(rows) == seeded.count_contacts()


def test_snapshot_of_the_dialog_at_80x24(seeded, make_app, snap_compare, monkeypatch):
    monkeypatch.setenv("HOME", "/home/ada")  # the default path shown, the same on every machine
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")

    async def run_before(pilot) -> None:
        await _open_dialog(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.press("shift+tab", "down", "enter")  # Google CSV
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(80, 24))
