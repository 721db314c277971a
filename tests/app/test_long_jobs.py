"""Long jobs in the UI show rows done, rate and time left, and escape cancels them (issue 12.7).

Bulk changes over all matches (tag, untag, status: the staged flow; delete), export and demo
data each run on enough contacts to report several times (their chunks made small). A gate
holds the job after its first report so the test sees the progress line, presses escape,
then lets it go on: the job stops at its next report and the database (or the export's
folder) is as it was. Each also runs to completion.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.export import ExportDialog
from tagtui.app.screens.welcome import WelcomeScreen
from tagtui.app.widgets import job_progress
from tagtui.app.widgets.job_progress import JobProgress
from tagtui.query import parse
from tagtui.store import Store, jobs
from tests.app.helpers import SIZE, drawn, settle, type_text
from tests.store.conftest import many_contacts, snapshot

CONTACTS = 300


class Gate:
    """Wraps a job so that, after its first report of rows done, it waits for ``release``."""

    def __init__(self) -> None:
        self.reported = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def wrap(self, job: Callable[..., Any]) -> Callable[..., Any]:
        def gated(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
            def tell(done: int, total: int) -> None:
                self.calls += 1
                progress(done, total)  # the UI's: shows it, or raises once cancelled
                if done and not self.reported.is_set():
                    self.reported.set()
                    self.release.wait(30)

            return job(*args, progress=tell, **kwargs)

        return gated

    async def reached(self, pilot: Any) -> None:
        for _ in range(600):
            if self.reported.is_set():
                await pilot.pause(0.05)
                return
            await pilot.pause(0.05)
        raise AssertionError("the job never reported progress")


@pytest.fixture
def many(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """300 contacts, 100 of them Cold; bulk changes report every 50 contacts, every redraw shown."""
    monkeypatch.setattr(jobs, "CHUNK", 50)
    monkeypatch.setattr(job_progress, "REDRAW_S", 0.0)
    return many_contacts(store, CONTACTS)


async def _tag_all(pilot: Any) -> None:
    await pilot.press("ctrl+a", "t")
    await settle(pilot)
    await type_text(pilot, "vip")
    await pilot.press("enter", "enter")  # choose VIP, then apply
    await settle(pilot)
    await pilot.press("y")  # the staged change's question


async def _untag_all(pilot: Any) -> None:
    await pilot.press("ctrl+a", "T")
    await settle(pilot)
    await type_text(pilot, "cold")
    await pilot.press("enter", "enter")
    await settle(pilot)
    await pilot.press("y")


async def _status_all(pilot: Any) -> None:
    await pilot.press("ctrl+a", "s")
    await settle(pilot)
    await type_text(pilot, "won")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("y")


async def _delete_all(pilot: Any) -> None:
    await pilot.press("ctrl+a", "d")
    await settle(pilot)
    await pilot.press("y")


#: name -> (the store method the UI calls, the keys that start it, what is true once it ran)
BULK: dict[str, tuple[str, Callable[[Any], Any], Callable[[Store], bool]]] = {
    "tag": ("apply_bulk_change", _tag_all, lambda s: s.count_contacts(parse("tag:vip")) == CONTACTS),
    "untag": ("apply_bulk_change", _untag_all, lambda s: s.count_contacts(parse("tag:cold")) == 0),
    "status": ("apply_bulk_change", _status_all, lambda s: s.count_contacts(parse("status:won")) == CONTACTS),
    "delete": ("bulk_delete_contacts", _delete_all, lambda s: s.count_contacts() == 0),
}


@pytest.mark.parametrize("name", list(BULK))
async def test_a_bulk_change_shows_progress_and_escape_cancels_it(
    name: str, many: Store, make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    method, keys, _ran = BULK[name]
    gate = Gate()
    monkeypatch.setattr(many, method, gate.wrap(getattr(many, method)))
    before = snapshot(many)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await keys(pilot)
        await gate.reached(pilot)
        line = drawn(app.screen.query_one("#bulk-progress #job-line"))
        assert "50 contacts" in line and "contacts/s" in line and "left" in line, line
        assert "(escape cancels)" in line
        await pilot.press("escape")
        assert "Cancelling" in drawn(app.screen.query_one("#bulk-progress #job-line"))
        gate.release.set()
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert not app.screen.query_one("#bulk-progress", JobProgress).running
        assert snapshot(many) == before  # nothing changed, not even an event
        assert any("Cancelled: nothing was changed." in n.message for n in app._notifications)


@pytest.mark.parametrize("name", list(BULK))
async def test_a_bulk_change_runs_to_completion_with_progress(
    name: str, many: Store, make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    method, keys, ran = BULK[name]
    seen: list[tuple[int, int]] = []
    job = getattr(many, method)

    def counted(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        def tell(done: int, total: int) -> None:
            seen.append((done, total))
            progress(done, total)

        return job(*args, progress=tell, **kwargs)

    monkeypatch.setattr(many, method, counted)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await keys(pilot)
        await settle(pilot)
        assert not app.screen.query_one("#bulk-progress", JobProgress).running
    assert ran(many)
    assert len(seen) >= 5 and seen[-1][0] == seen[-1][1]


async def test_an_export_shows_progress_and_a_cancel_leaves_no_file(
    many: Store, make_app, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from tagtui.io import export as export_module

    monkeypatch.setattr(export_module, "BATCH", 50)
    gate = Gate()
    monkeypatch.setattr(export_module, "export_contacts", gate.wrap(export_module.export_contacts))
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "contacts.csv"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("X")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#path").value = str(path)
        await pilot.press("ctrl+s")
        await gate.reached(pilot)
        line = drawn(dialog.query_one("#job-line"))
        assert "Exporting… 50 contacts" in line and "left" in line, line
        await pilot.press("escape")  # cancels the export, not the dialog
        gate.release.set()
        await settle(pilot)
        assert app.screen is dialog
        assert "Export cancelled: no file was written." in drawn(dialog.query_one("#error"))
        assert os.listdir(folder) == []

        # Again, to the end: the file has every contact.
        gate.reported.set()  # the gate lets this run through
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)
    assert len(path.read_text(encoding="utf-8").splitlines()) == CONTACTS + 1


async def test_demo_data_shows_progress_and_a_cancel_adds_nothing(
    store: Store, make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tagtui.io import demo

    monkeypatch.setattr(job_progress, "REDRAW_S", 0.0)
    gate = Gate()
    monkeypatch.setattr(demo, "generate", gate.wrap(demo.generate))
    before = snapshot(store)
    app = make_app(demo_contacts=3000)  # reports every 500 contacts
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):  # the welcome screen of an empty workspace
            await pilot.pause(0.05)
            if isinstance(app.screen, WelcomeScreen):
                break
        welcome = app.screen
        assert isinstance(welcome, WelcomeScreen)
        await pilot.press("d")
        await gate.reached(pilot)
        line = drawn(welcome.query_one("#job-line"))
        assert "Generating demo data… 500 contacts" in line and "left" in line, line
        await pilot.press("escape")  # cancels the demo data, not the welcome screen
        gate.release.set()
        await settle(pilot)
        assert app.screen is welcome
        assert "nothing was added" in drawn(welcome.query_one("#welcome-status"))
        assert snapshot(store) == before

        await pilot.press("d")  # and again, to the end
        await settle(pilot)
        assert "Added 3,000 demo contacts." in drawn(welcome.query_one("#welcome-status"))
    assert store.count_contacts() == 3000
