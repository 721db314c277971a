"""Keys pressed in one burst act on what the screen showed when each key arrived (issue 12.1).

Each test sends the keys twice over: with ``burst`` (all queued before the first is
handled, as ssh and ``tmux send-keys`` deliver them) and with ``Pilot.press`` (no pause
between keys), then checks the database: the right contact, the right number of steps.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from collections.abc import Callable
from typing import Any

import pytest
from textual.screen import ModalScreen
from textual.widgets import DataTable
from textual.worker import NoActiveWorker, WorkerCancelled, WorkerFailed, get_current_worker

from tagtui.app.app import TagtuiApp
from tagtui.app.screens.board import BoardScreen
from tagtui.store import Store
from tests.app.helpers import go, open_tag_insight, seed_standard, settle, table_rows
from tests.app.keys_burst import burst, press, slow_next_call

SIZE = (140, 40)


@pytest.fixture
def app(store: Store, make_app: Callable[..., TagtuiApp]) -> TagtuiApp:
    seed_standard(store)
    return make_app()


def status_of(store: Store, contact_id: int) -> str | None:
    return store.get_contact(contact_id).status


def status_changes(store: Store, contact_id: int) -> int:
    return sum(1 for e in store.history(contact=contact_id) if e.kind == "contact.status_changed")


# -- the board ---------------------------------------------------------------------------


def _board_people(store: Store) -> dict[str, int]:
    ids = {}
    for name, status in (("Ann", "new"), ("Bob", "new"), ("Cat", "new"), ("Dan", "contacted")):
        ids[name] = store.add_contact(name).id
        store.set_status(ids[name], status)
    return ids


def _board_card(app: TagtuiApp) -> tuple[str | None, int | None]:
    screen = app.screen
    assert isinstance(screen, BoardScreen)
    column = screen.columns[screen.focused_column_index()]
    card = column.current_card()
    return (column.status.slug if column.status else None), (card.id if card else None)


@pytest.mark.parametrize("send", ["burst", "press"])
async def test_board_moves_one_card_as_many_columns_as_keys(app: TagtuiApp, store: Store, send: str) -> None:
    ids = _board_people(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "4")

        async def keys(*names: str) -> None:
            if send == "burst":
                await burst(pilot, *names)
            else:
                await press(pilot, *names)

        await keys("shift+right", "shift+right")
        assert _board_card(app) == ("qualified", ids["Ann"])  # the cursor followed Ann at once
        await settle(pilot)
        assert status_of(store, ids["Ann"]) == "Qualified"
        assert status_changes(store, ids["Ann"]) == 3  # set to New by the test, then two moves
        assert [status_of(store, ids[n]) for n in ("Bob", "Cat", "Dan")] == ["New", "New", "Contacted"]

        # four more to the right, past Lost to "No status"; then back three
        await keys("shift+right", "shift+right", "shift+right", "shift+right", "shift+right")
        await keys("shift+left", "shift+left", "shift+left")
        assert _board_card(app) == ("proposal", ids["Ann"])
        await settle(pilot)
        assert status_of(store, ids["Ann"]) == "Proposal"
        assert [status_of(store, ids[n]) for n in ("Bob", "Cat", "Dan")] == ["New", "New", "Contacted"]

        # a column change and a move in one burst: the move acts on the new column's card
        await keys("left", "left", "left", "shift+right")
        assert _board_card(app) == ("qualified", ids["Dan"])
        # and the cursor moves to the next card of a column before the move
        await keys("left", "left", "down", "shift+right", "shift+right", "shift+left")
        assert _board_card(app) == ("contacted", ids["Cat"])
        await settle(pilot)
        assert status_of(store, ids["Dan"]) == "Qualified"
        assert status_of(store, ids["Cat"]) == "Contacted"
        assert status_changes(store, ids["Cat"]) == 4
        assert status_of(store, ids["Bob"]) == "New"
        assert status_changes(store, ids["Bob"]) == 1


async def test_board_moves_during_refreshes_act_on_the_highlighted_card(app: TagtuiApp, store: Store) -> None:
    """A refresh on its way while cards move must not put a moved card back under the cursor."""
    ids = _board_people(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "4")
        for _ in range(3):
            await burst(pilot, "r", "shift+right", "r", "shift+left", "r", "shift+right")
        await settle(pilot)
        assert status_of(store, ids["Ann"]) == "Demo"  # three steps right, in all
        assert [status_of(store, ids[n]) for n in ("Bob", "Cat")] == ["New", "New"]
        assert _board_card(app) == ("demo", ids["Ann"])


async def test_board_a_reload_while_the_next_move_is_written_keeps_the_card(
    app: TagtuiApp, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The columns are read back when a move's write is done; by then the next key may have moved
    the card on, its write still on its way. A read now would not see that move: it would take the
    card from under the cursor, and the next key would act on nothing (or on another card).

    Deterministic: the first move's "writes done" call is held until the second move is queued,
    and the second move's write is held until the board has handled that call.
    """
    ids = _board_people(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "4")
        screen = app.screen
        assert isinstance(screen, BoardScreen)

        idle_held, release_idle = threading.Event(), threading.Event()
        call_from_thread = app.call_from_thread

        def held_call_from_thread(callback: Callable[..., object], *args: object, **kwargs: object) -> object:
            try:
                group = get_current_worker().group
            except NoActiveWorker:
                group = ""
            if group == "board-moves" and not release_idle.is_set():
                idle_held.set()
                release_idle.wait(30)
            return call_from_thread(callback, *args, **kwargs)

        monkeypatch.setattr(app, "call_from_thread", held_call_from_thread)
        write_held, release_write = threading.Event(), threading.Event()
        set_status = store.set_status

        def held_set_status(*args: object, **kwargs: object) -> object:
            if idle_held.is_set() and not release_write.is_set():
                write_held.set()
                release_write.wait(30)
            return set_status(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(store, "set_status", held_set_status)

        async def until(event: threading.Event) -> None:
            for _ in range(3000):
                if event.is_set():
                    return
                await asyncio.sleep(0.01)
            raise AssertionError("timed out")

        try:
            await burst(pilot, "shift+right")  # Ann: New -> Contacted, written; the "done" call is held
            await until(idle_held)
            await burst(pilot, "shift+right")  # Ann: Contacted -> Qualified, its write is held
            await until(write_held)
            assert _board_card(app) == ("qualified", ids["Ann"])
            release_idle.set()  # the first move's "done" arrives: the board must not read Qualified yet
            for _ in range(3):
                await pilot.pause()
                with contextlib.suppress(WorkerCancelled, WorkerFailed):
                    await asyncio.gather(*(w.wait() for w in app.workers if w.group == "board-column"))
            await pilot.pause()
            assert _board_card(app) == ("qualified", ids["Ann"])
            await burst(pilot, "shift+right")  # the next key moves Ann on
            assert _board_card(app) == ("demo", ids["Ann"])
            release_write.set()
            await settle(pilot)
            assert status_of(store, ids["Ann"]) == "Demo"
            assert status_changes(store, ids["Ann"]) == 4  # set to New by the test, then three moves
            assert [status_of(store, ids[n]) for n in ("Bob", "Cat")] == ["New", "New"]
            assert _board_card(app) == ("demo", ids["Ann"])
        finally:
            release_idle.set()
            release_write.set()


# -- statuses: reorder -------------------------------------------------------------------


def pipeline(store: Store) -> list[str]:
    return [s.slug for s in store.list_statuses(counts=False)]


@pytest.mark.parametrize("send", ["burst", "press"])
async def test_statuses_reorder_moves_the_highlighted_status(app: TagtuiApp, store: Store, send: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "3")

        async def keys(*names: str) -> None:
            await (burst(pilot, *names) if send == "burst" else press(pilot, *names))

        await keys("down", "down", "down")  # Demo
        await settle(pilot)
        await keys("K", "K")
        await settle(pilot)
        assert pipeline(store) == ["new", "demo", "contacted", "qualified", "proposal", "won", "lost"]
        await keys("J", "J", "J", "J", "r", "J", "K", "r", "shift+down")
        await settle(pilot)
        assert pipeline(store) == ["new", "contacted", "qualified", "proposal", "won", "lost", "demo"]
        screen = app.screen
        assert screen.current_item().slug == "demo"  # type: ignore[attr-defined]
        await keys("K", "up", "K", "K", "down", "J")  # Demo up; Won up twice; Qualified down
        await settle(pilot)
        # Lost stays last; Won goes up two, Qualified down one (the cursor moved between)
        assert pipeline(store) == ["new", "contacted", "won", "proposal", "qualified", "demo", "lost"]
        assert screen.current_item().slug == "qualified"  # type: ignore[attr-defined]


# -- contact detail: tag toggles ---------------------------------------------------------


@pytest.mark.parametrize("send", ["burst", "press"])
async def test_detail_tag_toggles_in_a_burst(app: TagtuiApp, store: Store, send: str) -> None:
    from tagtui.app.screens.detail import ContactDetailScreen

    ann = store.add_contact("Ann")
    tags = [t.slug for t in store.list_tags()]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "enter")
        assert isinstance(app.screen, ContactDetailScreen)

        async def keys(*names: str) -> None:
            await (burst(pilot, *names) if send == "burst" else press(pilot, *names))

        def have() -> list[str]:
            return sorted(t.slug for t in store.get_contact(ann.id).tags)

        await keys("space", "space")  # twice: back to the original
        await settle(pilot)
        assert have() == []
        changes = [e for e in store.history(contact=ann.id) if e.kind == "contact.tags_changed"]
        assert len(changes) == 2

        await keys("space", "r", "space", "r", "space", "down", "down", "space", "r", "space", "space")
        await settle(pilot)
        assert have() == sorted([tags[0], tags[2]])
        # what the screen shows is what the store holds
        assert app.screen.tag_ids == {t.id for t in store.get_contact(ann.id).tags}  # type: ignore[attr-defined]
        await keys("up", "up", "space", "down", "down", "space", "space", "space")
        await settle(pilot)
        assert have() == []


async def test_detail_a_slow_read_never_turns_a_toggled_tag_back(app: TagtuiApp, store: Store) -> None:
    from tagtui.app.screens.detail import ContactDetailScreen

    ann = store.add_contact("Ann")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, ContactDetailScreen)
        # the refresh reads Ann before the toggle...
        slow_next_call(store, "get_contact", 0.5, caller="_fetch")
        await burst(pilot, "r", "space")  # ...and answers after the toggle's own read-back
        await pilot.pause(0.7)
        await settle(pilot)
        assert len(store.get_contact(ann.id).tags) == 1
        assert len(screen.tag_ids) == 1  # the screen still shows the tag on
        await burst(pilot, "space")
        await settle(pilot)
        assert store.get_contact(ann.id).tags == ()


async def test_statuses_a_slow_read_never_undoes_a_reorder_on_screen(app: TagtuiApp, store: Store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "3")
        await burst(pilot, "down", "down")
        await settle(pilot)
        slow_next_call(store, "list_statuses", 0.5, caller="_fetch")
        await burst(pilot, "r", "K")
        await pilot.pause(0.7)  # the slow read's answer arrives (a cancelled worker is not waited for)
        await settle(pilot)
        assert pipeline(store)[:3] == ["new", "qualified", "contacted"]
        assert app.screen.current_item().slug == "qualified"  # type: ignore[attr-defined]
        await burst(pilot, "K")
        await settle(pilot)
        assert pipeline(store)[:3] == ["qualified", "new", "contacted"]
        assert [s.slug for s in app.screen.statuses] == pipeline(store)  # type: ignore[attr-defined]


async def test_board_a_slow_read_of_the_pipeline_never_brings_back_its_old_columns(
    app: TagtuiApp, store: Store
) -> None:
    """A refresh whose read of the pipeline answers after a later refresh's answer is not shown:
    its columns are the pipeline as it was before (here: without a stage added in between)."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "4")
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        stages = len(store.list_statuses())
        shown = _record_after(screen, "_apply_statuses", lambda: len(screen.columns))
        slow_next_call(store, "list_statuses", 0.6, caller="_fetch_statuses")
        await burst(pilot, "r")  # reads the pipeline as it is, and answers 0.6 s late
        store.create_status("Hot")
        await burst(pilot, "r")  # reads the pipeline with Hot, and answers at once
        await pilot.pause(0.9)  # the slow read's answer arrives (a cancelled worker is not waited for)
        await settle(pilot)
        assert [c.status.name if c.status else None for c in screen.columns][-2:] == ["Hot", None]
        assert _ends_showing(shown, stages + 2)  # every stage, Hot, and "No status"


async def test_insight_a_slow_read_never_shows_older_counts(app: TagtuiApp, store: Store) -> None:
    """As on the board: the tag insight shows the answer of its latest read only."""
    store.create_tag("VIP")
    ann = store.add_contact("Ann", tags=["VIP"]).id  # the standard tags have Partner
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_tag_insight(pilot)
        slow_next_call(store, "tag_pairs", 0.6, caller="_load")
        await burst(pilot, "r")  # counts Ann with one tag; its pairs answer 0.6 s late
        store.change_tags(ann, add=["Partner"])
        await burst(pilot, "r")  # counts her with two
        await pilot.pause(0.9)
        await settle(pilot)
        pairs = screen.query_one("#insight-pairs", DataTable)
        assert table_rows(pairs) == [["Partner", "VIP", "1", "100%"]]


async def test_trends_a_slow_read_never_shows_an_earlier_window(app: TagtuiApp, store: Store) -> None:
    """``w`` twice: the 26-week read answers after the 52-week one, and is not shown."""
    from tagtui.app.screens.trends import TrendsScreen

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "4")
        await go(pilot, "T")
        screen = app.screen
        assert isinstance(screen, TrendsScreen)
        assert screen.trends is not None and len(screen.trends.weeks) == 12
        slow_next_call(store, "trends", 0.6, caller="_load")
        await burst(pilot, "w")  # 26 weeks, answered 0.6 s late
        await burst(pilot, "w")  # 52 weeks, at once
        await pilot.pause(0.9)  # the slow read's answer arrives (a cancelled worker is not waited for)
        await settle(pilot)
        assert screen.weeks == 52
        assert len(screen.trends.weeks) == 52
        assert "in the last 52 weeks" in str(screen.query_one("#trends-scope").render())


async def test_sync_a_slow_read_never_shows_a_removed_address_book_again(
    app: TagtuiApp, store: Store, tmp_path: Any
) -> None:
    """A refresh's read that answers after a removal's own read-back is not shown: it holds the
    address book the removal took away."""
    from tagtui.app.screens.sync import SyncScreen

    store.add_sync_source("phone", str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "S")
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        table = screen.query_one("#sync-sources", DataTable)
        assert table.row_count == 1
        shown = _record_after(screen, "_show", lambda: table.row_count)
        slow_next_call(store, "sync_sources", 0.6, caller="_load")
        await burst(pilot, "r", "d", "y")  # a read with the book, answered 0.6 s late; the removal
        await pilot.pause(0.9)  # the slow read's answer arrives (a cancelled worker is not waited for)
        await settle(pilot)
        assert store.sync_sources() == []
        assert table.row_count == 0
        assert _ends_showing(shown, 0)


async def test_contacts_a_slow_count_never_shows_an_older_workspace_total(
    app: TagtuiApp, store: Store
) -> None:
    """The workspace's total (the "of N" beside a filter's count) is the latest count's."""
    from tagtui.app.screens.contacts import ContactsScreen

    _four(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        assert screen._workspace_total == 4
        shown = _record_after(screen, "_counted", lambda: screen._workspace_total or 0)
        slow_next_call(store, "count_contacts", 0.6, caller="_run_workspace_count")
        await burst(pilot, "r")  # counts 4, answered 0.6 s late
        store.add_contact("Eve")
        await burst(pilot, "r")  # counts 5
        await pilot.pause(0.9)  # the slow count's answer arrives (a cancelled worker is not waited for)
        await settle(pilot)
        assert screen._workspace_total == 5
        assert _ends_showing(shown, 5)


# -- triage: hint keys and stage keys ----------------------------------------------------


@pytest.mark.parametrize("send", ["burst", "press"])
async def test_triage_keys_typed_ahead_act_on_the_contact_they_reach(
    app: TagtuiApp, store: Store, send: str
) -> None:
    from tagtui.app.screens.triage import TriageScreen
    from tests.app.test_triage import hints_for

    ann, bob, cat, dan = (store.add_contact(n).id for n in ("Ann", "Bob", "Cat", "Dan"))
    tag, stage = hints_for(store)
    c, won, new = tag["customer"], stage["won"], stage["new"]

    def state(contact_id: int) -> tuple[list[str], str | None]:
        contact = store.get_contact(contact_id)
        return sorted(t.slug for t in contact.tags), contact.status

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        keys = (*c, "right", *c, *won, "right", "right", *c, *c, *won, *won)
        # the keys may arrive before triage has read its first contact
        await (burst(pilot, *keys) if send == "burst" else press(pilot, *keys))
        await settle(pilot)
        assert isinstance(app.screen, TriageScreen)
        assert app.screen.contact is not None and app.screen.contact.id == dan
        assert state(ann) == (["customer"], None)
        assert state(bob) == (["customer"], "Won")
        assert state(cat) == ([], None)  # passed by
        assert state(dan) == ([], None)  # toggled twice, stage set and cleared
        tag_changes = [e for e in store.history(contact=dan) if e.kind == "contact.tags_changed"]
        assert len(tag_changes) == 2

        # back twice and change Bob again; the changes just made show when going back
        keys = ("left", "left", *c, *new, "left", "right", "right", "right")
        await (burst(pilot, *keys) if send == "burst" else press(pilot, *keys))
        await settle(pilot)
        assert state(bob) == ([], "New")
        assert app.screen.contact is not None and app.screen.contact.id == dan
        # a slow read of the next contact: the keys typed meanwhile wait for it
        slow_next_call(store, "get_contact", 0.4, caller="_read_contact")
        keys = ("left", *c, "left", *c)
        await (burst(pilot, *keys) if send == "burst" else press(pilot, *keys))
        await settle(pilot)
        assert state(cat) == (["customer"], None)
        assert state(bob) == (["customer"], "New")
        assert state(dan) == ([], None)


# -- contacts: marks, bulk changes, the hint keys over marked contacts ---------------------


def _four(store: Store) -> list[int]:
    return [store.add_contact(n).id for n in ("Ann", "Bob", "Cat", "Dan")]


@pytest.mark.parametrize("send", ["burst", "press"])
async def test_contacts_marks_and_a_bulk_status_act_on_the_rows_marked(
    app: TagtuiApp, store: Store, send: str
) -> None:
    from tagtui.app.screens.contacts import ContactsScreen
    from tagtui.app.widgets.dialogs import ConfirmDialog

    ann, bob, cat, dan = _four(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)

        async def keys(*names: str) -> None:
            await (burst(pilot, *names) if send == "burst" else press(pilot, *names))

        await keys("x", "x", "down", "x")  # x marks the row and moves down
        assert screen.table.selected == {ann, bob, dan}
        await keys("x", "up", "up", "x", "x")  # Dan (the last row) unmarked; Bob unmarked, Cat marked
        await settle(pilot)
        assert screen.table.selected == {ann, cat}
        await keys("s")
        await settle(pilot)
        await pilot.press(*"won", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await go(pilot, "y")
        assert [status_of(store, i) for i in (ann, bob, cat, dan)] == ["Won", None, "Won", None]


@pytest.mark.parametrize("send", ["burst", "press"])
async def test_hint_keys_over_marked_contacts_in_a_burst(app: TagtuiApp, store: Store, send: str) -> None:
    from tagtui.app.screens.hint_overlay import HintOverlay
    from tests.app.test_triage import hints_for

    ann, bob, cat, dan = _four(store)
    tag, stage = hints_for(store)
    c, won = tag["customer"], stage["won"]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x", "x")
        await settle(pilot)
        # the marks are counted slowly: the keys typed meanwhile act on what they showed
        slow_next_call(store, "get_contact", 0.5, caller="_fetch_marks")
        await pilot.press("semicolon")
        keys = (*c, *c, *c, *won, "minus", *won)
        await (burst(pilot, *keys) if send == "burst" else press(pilot, *keys))
        await pilot.pause(0.7)
        await settle(pilot)
        overlay = app.screen
        assert isinstance(overlay, HintOverlay)
        customer = store.get_tag("customer").id
        assert overlay.marks[f"tag-{customer}"] == "all"
        await (burst(pilot, *c) if send == "burst" else press(pilot, *c))  # all have it: removed
        await settle(pilot)
        await go(pilot, "escape")

    def tags(i: int) -> list[str]:
        return [t.slug for t in store.get_contact(i).tags]

    assert [tags(i) for i in (ann, bob, cat, dan)] == [[], [], [], []]
    assert [status_of(store, i) for i in (ann, bob, cat, dan)] == ["Won", "Won", None, None]
    changes = [e for e in store.history(contact=ann) if e.kind == "contact.tags_changed"]
    assert len(changes) == 4  # added, removed, added, removed


async def test_contacts_cursor_stays_on_its_contact_when_rows_above_go(app: TagtuiApp, store: Store) -> None:
    from tagtui.app.screens.contacts import ContactsScreen

    ann, _bob, cat, _dan = _four(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        await pilot.press("down", "down")
        assert screen.table.current is not None and screen.table.current.id == cat
        store.delete_contacts([ann])  # another terminal
        await go(pilot, "r")
        assert screen.table.current is not None and screen.table.current.id == cat
        await burst(pilot, "x")
        assert screen.table.selected == {cat}


# -- deleting contacts (12.7) ------------------------------------------------------------


async def test_delete_the_contact_under_the_cursor_or_the_marked_ones(app: TagtuiApp, store: Store) -> None:
    from tagtui.app.screens.contacts import ContactsScreen
    from tests.app.helpers import confirm_question

    ann, _bob, cat, dan = _four(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        await go(pilot, "down")
        await go(pilot, "d")
        assert confirm_question(app) == "Delete contact 'Bob'? ctrl+z puts it back."
        await go(pilot, "n")
        assert store.count_contacts() == 4
        await go(pilot, "d")
        await go(pilot, "y")
        assert [r.id for r in store.list_contacts().rows] == [ann, cat, dan]
        assert [r.id for r in screen.table.rows_in_window] == [ann, cat, dan]

        await pilot.press("up", "x", "down", "x")  # Ann and Dan
        await go(pilot, "d")
        assert confirm_question(app) == "Delete 2 marked contacts? ctrl+z puts them back."
        await go(pilot, "y")
        assert [r.id for r in store.list_contacts().rows] == [cat]
        assert not screen.table.selected
        await go(pilot, "ctrl+z")  # one step: both come back
        assert [r.id for r in store.list_contacts().rows] == [ann, cat, dan]

        await go(pilot, "ctrl+a")
        await go(pilot, "d")
        assert confirm_question(app) == "Delete all 3 matching contacts? ctrl+z puts them back."
        await go(pilot, "y")
        assert store.count_contacts() == 0
        await go(pilot, "ctrl+z")
        assert store.count_contacts() == 3
        assert store.get_contact(ann).name == "Ann"


async def _confirm_a_delete_racing_a_slow_read(
    pilot: Any, store: Store, screen: Any, table: Any, *, delete: str, read: str, shows: str
) -> list[int]:
    """Answer "y" to the delete dialog open on ``screen`` while the screen's reload as the
    dialog closes reads (``store.<read>``, slowed by 0.6 s) before the delete is made
    (``store.<delete>``, 0.2 s late), so that its answer comes after the delete's own reload.
    Returns the table's rows after each answer the screen showed (``screen.<shows>``)."""
    import time

    original_delete = getattr(store, delete)

    def late_delete(*args: object, **kwargs: object) -> object:
        time.sleep(0.2)
        return original_delete(*args, **kwargs)

    setattr(store, delete, late_delete)
    shown = _record_after(screen, shows, lambda: table.row_count)
    slow_next_call(store, read, 0.6, caller="_fetch")
    await burst(pilot, "y")
    await pilot.pause(0.9)  # the slow read's answer arrives (a cancelled worker is not waited for)
    await settle(pilot)
    return shown


def _record_after(screen: Any, method: str, measure: Callable[[], int]) -> list[int]:
    """What ``measure()`` gives after each call of ``screen.<method>`` (a screen's handler of a
    read's answer, plain or async), in order: a later poll would mend a stale screen, so each
    answer the screen took is recorded."""
    original = getattr(screen, method)
    shown: list[int] = []

    if inspect.iscoroutinefunction(original):

        async def recorded(*args: Any) -> None:
            await original(*args)
            shown.append(measure())

    else:

        def recorded(*args: Any) -> None:  # type: ignore[misc]
            original(*args)
            shown.append(measure())

    setattr(screen, method, recorded)
    return shown


def _ends_showing(shown: list[int], rows: int) -> bool:
    """The table showed ``rows`` rows and nothing else after it first did."""
    return rows in shown and shown[shown.index(rows) :] == [rows] * (len(shown) - shown.index(rows))


async def test_statuses_a_slow_read_never_shows_a_deleted_status_again(app: TagtuiApp, store: Store) -> None:
    """As for rules (below): a read begun before the delete and answering after the delete's
    own reload is not shown (a fresh-clone run once showed the deleted status after the delete)."""
    from textual.widgets import DataTable

    from tagtui.app.screens.statuses import StatusesScreen

    names = [s.name for s in store.list_statuses()]  # the standard pipeline
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "3")
        screen = app.screen
        assert isinstance(screen, StatusesScreen)
        table = screen.query_one("#statuses-table", DataTable)
        assert table.row_count == len(names)
        await go(pilot, "end")
        await go(pilot, "d")
        shown = await _confirm_a_delete_racing_a_slow_read(
            pilot, store, screen, table, delete="delete_status", read="list_statuses", shows="_apply"
        )
        left = len(names) - 1
        assert [s.name for s in store.list_statuses()] == names[:-1]
        assert table.row_count == left
        assert _ends_showing(shown, left)


async def test_rules_a_slow_read_never_shows_a_deleted_rule_again(app: TagtuiApp, store: Store) -> None:
    from textual.widgets import DataTable

    from tagtui.app.screens.rules import RulesScreen

    store.create_tag("VIP")
    store.add_rule("Promote", "tag:vip", add=["VIP"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "R")
        screen = app.screen
        assert isinstance(screen, RulesScreen)
        table = screen.query_one("#rules-table", DataTable)
        assert table.row_count == 1
        await go(pilot, "d")
        shown = await _confirm_a_delete_racing_a_slow_read(
            pilot, store, screen, table, delete="delete_rule", read="list_rules", shows="_show"
        )
        assert store.list_rules() == []
        assert table.row_count == 0
        assert _ends_showing(shown, 0)


async def test_keys_typed_right_after_slash_never_act_on_the_rows(seeded, make_app):
    """`tag:vip` typed in one burst after `/`: the letters go into the bar, none is the
    screen's key (`s` opened the status picker over the row under the cursor, and the rest
    picked a status in it; then the letters were dropped), and `enter` runs the query."""
    from tagtui.app.screens.contacts import ContactsScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        statuses = {r.id: r.status for r in screen.table.rows_in_window}
        await burst(pilot, "slash", *"tag:vip", "enter")
        assert app.screen is screen and isinstance(screen, ContactsScreen)
        assert screen.query_input.value == "tag:vip"
        assert not screen.table.selected
        await settle(pilot)
        assert str(screen.query_one("#count").render()) == "4 of 10 contacts"
        assert all(statuses[r.id] == r.status for r in screen.table.rows_in_window)


async def test_slash_and_a_query_in_one_burst_from_another_section(seeded, make_app):
    """From the board, `/tag:vip⏎` in one burst opens the contacts on that query; the board's
    keys among the letters (`r` refreshes it, `t` opens trends) do nothing there."""
    from tagtui.app.screens.contacts import ContactsScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        board = app.screen
        await burst(pilot, "slash", *"tag:vip", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen) and board is not screen
        assert screen.query_input.value == "tag:vip"
        assert str(screen.query_one("#count").render()) == "4 of 10 contacts"
        assert len(app.screen_stack) == 1


async def test_slash_is_typed_in_a_text_field_and_searches_the_tags_on_their_screen(seeded, make_app):
    """`/` is the query's key everywhere but where it means something else: in the query bar
    it is a character of the query, on the tags screen it searches the tags, and a dialog
    keeps it."""
    from tagtui.app.screens.contacts import ContactsScreen
    from tagtui.app.screens.tags import TagsScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await burst(pilot, "slash", "a", "slash", "b")
        assert app.screen.query_input.value == "a/b"
        await pilot.press("escape", "2")
        await settle(pilot)
        assert isinstance(app.screen, TagsScreen)
        await burst(pilot, "slash", *"vi")
        assert isinstance(app.screen, TagsScreen)
        assert app.focused is app.screen.query_one("#tags-search")
        assert app.focused.value == "vi"
        await pilot.press("escape", "n")  # a new tag's form: a dialog
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ModalScreen)
        await burst(pilot, "slash")
        assert app.screen is dialog
        assert app.focused.value == "/"
        app.set_focus(None)  # no text field: `/` still leaves the dialog alone
        await burst(pilot, "slash")
        assert app.screen is dialog
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TagsScreen)
        await burst(pilot, "slash")  # the tags' search, still
        assert app.focused is app.screen.query_one("#tags-search")
        assert not isinstance(app.screen, ContactsScreen)


async def test_keys_typed_right_after_f_go_to_the_side_panel(seeded, make_app):
    """`f` then `down` in one burst moves the panel's highlight, not the table's cursor."""
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        table = app.screen.table
        tags = app.screen.query_one("#panel-tags")
        before = tags.highlighted
        await burst(pilot, "f", "down", "down")
        assert table.cursor_row == 0
        assert tags.highlighted == (before or 0) + 2
