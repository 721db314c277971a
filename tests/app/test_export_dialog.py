"""The export dialog: it asks before replacing a file, and writes devices and links in place."""

from __future__ import annotations

import csv
import os
import stat

from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.export import ExportDialog
from tagtui.app.widgets.dialogs import ConfirmDialog
from tests.app.conftest import SIZE, settle, type_text


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


def _names(path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as f:
        return sorted(row["name"] for row in csv.DictReader(f))


async def test_replacing_a_file_asks_first(seeded, make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    existing = tmp_path / "old.csv"
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


async def test_a_link_and_a_device_are_written_in_place(seeded, make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
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
