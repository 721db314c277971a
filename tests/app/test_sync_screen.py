"""The Sync screen: S (or the palette) opens it; an address book is added with the form, synced
with enter (its progress, then the counts), its conflicts listed; the header says when the
workspace last synced; d forgets one. On a vdir folder, checked in the store and the folder."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Label

from tagtui.app.screens.sync import SyncScreen
from tagtui.app.screens.sync_form import SyncSourceForm
from tagtui.store import Store
from tests.app.helpers import settle, type_text
from tests.app.helpers import table_rows as rows

SIZE = (120, 34)
CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nEMAIL:{uid}@example.com\r\n{extra}END:VCARD\r\n"
)


def vdir(tmp_path: Path, **cards: str) -> Path:
    folder = tmp_path / "vdir"
    folder.mkdir(exist_ok=True)
    for uid, extra in cards.items():
        (folder / f"{uid}.vcf").write_text(CARD.format(uid=uid, name=uid.title(), extra=extra), newline="")
    return folder


async def test_add_an_address_book_and_sync_it(store: Store, make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = vdir(tmp_path, ada="TEL:1\r\nCATEGORIES:VIP\r\n")
    store.add_contact("Grace", email="grace@example.com")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert "No address book yet" in str(app.screen.query_one("#sync-summary", Label).render())
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, SyncSourceForm)
        await type_text(pilot, "phone")
        app.screen.query_one("#url", Input).value = str(folder)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        table = app.screen.query_one("#sync-sources", DataTable)
        assert rows(table) == [["phone", "never", "0", str(folder)]]
        await pilot.press("enter")
        await settle(pilot)
        progress = str(app.screen.query_one("#sync-progress", Label).render())
        assert progress == "phone: 1 changed here, 1 there, 0 conflicts"
        assert rows(table)[0][2] == "2"
        assert "synced" in app.sub_title
    assert [c.name for c in store.iter_contacts()] == ["Ada", "Grace"]
    assert len(list(folder.glob("*.vcf"))) == 2


async def test_conflicts_of_the_last_sync_are_listed(store: Store, make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tagtui.sync.engine import sync

    folder = vdir(tmp_path, ada="TEL:1\r\n")
    store.add_sync_source("phone", str(folder))
    sync(store, "phone")
    store.update_contact("ada@example.com", phone="2-here")
    path = folder / "ada.vcf"
    path.write_text(path.read_text().replace("TEL:1", "TEL:3-there"), newline="")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "synced" in app.sub_title  # from the first sync, read at start
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        conflicts = app.screen.query_one("#sync-conflicts", DataTable)
        assert rows(conflicts) == [["phone", "Ada", "phone", "remote", "2-here", "3-there"]]
        assert store.get_contact("ada@example.com").phone == "3-there"
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert rows(app.screen.query_one("#sync-sources", DataTable)) == []
    assert store.sync_sources() == [] and store.count_contacts() == 1


async def test_what_if_changes_nothing_and_p_prefers_local(store: Store, make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tagtui.sync.engine import sync

    folder = vdir(tmp_path, ada="TEL:1\r\n")
    store.add_sync_source("phone", str(folder))
    sync(store, "phone")
    store.update_contact("ada@example.com", phone="2-here")
    path = folder / "ada.vcf"
    path.write_text(path.read_text().replace("TEL:1", "TEL:3-there"), newline="")
    before = path.read_text()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        progress = str(app.screen.query_one("#sync-progress", Label).render())
        assert progress == "phone: 1 would change here, 0 there, 1 conflict (nothing was changed)"
        assert store.get_contact("ada@example.com").phone == "2-here" and path.read_text() == before
        await pilot.press("p")
        await settle(pilot)
        assert "takes the local value" in str(app.screen.query_one("#sync-summary", Label).render())
        await pilot.press("enter")
        await settle(pilot)
        conflicts = app.screen.query_one("#sync-conflicts", DataTable)
        assert rows(conflicts) == [["phone", "Ada", "phone", "local", "2-here", "3-there"]]
    assert store.get_contact("ada@example.com").phone == "2-here"
    assert "TEL:2-here" in path.read_text()


async def test_the_palette_offers_sync(store: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    store.add_contact("Ada Lovelace")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "sync")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)


def test_sync_snapshot(store: Store, make_app, snap_compare):  # type: ignore[no-untyped-def]
    """Two address books never synced, and the conflicts of a last sync (as this window keeps them)."""
    from tagtui.store.sync import SyncConflict
    from tagtui.sync.engine import SyncReport

    store.add_contact("Ada Lovelace", email="ada@example.com")  # not the welcome screen of an empty one
    store.add_sync_source("phone", "https://dav.example.com/dav/addressbooks/ada/contacts/", username="ada")
    store.add_sync_source("work", "https://cloud.example.org/remote.php/dav/", password_env="WORK_DAV")
    app = make_app()
    app.sync_reports = [
        SyncReport(
            "phone",
            conflicts=[
                SyncConflict(1, "Ada Lovelace", "phone", "+44 20 7946 0002", "+44 20 7946 0003", "remote"),
                SyncConflict(2, "Alan Turing", "deleted", "changed", "deleted", "local"),
            ],
        )
    ]

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


async def test_sync_all_goes_past_an_address_book_that_fails(store: Store, make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A syncs every address book: a dead server first does not keep the folder after it from syncing."""
    folder = vdir(tmp_path, ada="")
    store.add_contact("Grace", email="grace@example.com")
    store.add_sync_source("aaa-dead", "http://127.0.0.1:9/")
    store.add_sync_source("phone", str(folder))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        progress = str(app.screen.query_one("#sync-progress", Label).render())
        assert progress == "phone: 1 changed here, 1 there, 0 conflicts"
    assert [c.name for c in store.iter_contacts()] == ["Ada", "Grace"]
    assert store.get_sync_source("aaa-dead").last_sync is None


async def test_a_sync_shows_the_job_progress_and_escape_cancels_it(  # type: ignore[no-untyped-def]
    store: Store, make_app, tmp_path: Path, monkeypatch
) -> None:
    """'Sync now' runs under the one progress widget of long jobs (cards done, rate); escape
    while it reads the cards cancels it with nothing changed, and the screen stays; the next
    escape goes back."""
    import threading

    from tagtui.app.widgets.job_progress import JobProgress
    from tagtui.sync import engine
    from tagtui.sync import vdir as vdir_module

    folder = vdir(tmp_path, **{f"p{i}": "" for i in range(6)})
    store.add_sync_source("phone", str(folder))
    store.add_contact("Grace", email="grace@example.com")
    monkeypatch.setattr(engine, "FETCH_BATCH", 2)
    reading, release = threading.Event(), threading.Event()
    fetch = vdir_module.VdirRemote.fetch

    def slow_fetch(self, hrefs):  # type: ignore[no-untyped-def]
        reading.set()
        release.wait(30)
        return fetch(self, hrefs)

    monkeypatch.setattr(vdir_module.VdirRemote, "fetch", slow_fetch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("enter")
        for _ in range(200):
            if reading.is_set():
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, SyncScreen), app.screen
        job = app.screen.query_one("#sync-job", JobProgress)
        assert job.running
        assert "Syncing phone" in str(job.query_one("#job-line", Label).render())
        await pilot.press("escape")
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen) and not job.running
        progress = str(app.screen.query_one("#sync-progress", Label).render())
        assert progress == "Sync of phone cancelled: nothing was changed."
        assert [c.name for c in store.iter_contacts()] == ["Grace"]
        assert store.get_sync_source("phone").last_sync is None and store.sync_items("phone") == {}
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SyncScreen)
