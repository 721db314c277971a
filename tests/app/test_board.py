"""The pipeline Board: columns in order with counts, cards moved by keys, lazy loading, opening a card."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Label

from tagtui.app.app import TagtuiApp
from tagtui.app.screens.board import PAGE, BoardColumn, BoardScreen, column_filter
from tagtui.app.screens.detail import ContactDetailScreen
from tagtui.errors import QueryTimeout
from tagtui.query.filter import EVERYTHING, Filter, Tags
from tagtui.store import Store
from tests.app.helpers import go, plain, seed_standard, settle

SIZE = (140, 40)


@pytest.fixture
def app(store: Store, make_app: Callable[..., TagtuiApp]) -> TagtuiApp:
    seed_standard(store)
    return make_app()


def board(app: TagtuiApp) -> BoardScreen:
    assert isinstance(app.screen, BoardScreen)
    return app.screen


def titles(app: TagtuiApp) -> list[str]:
    return [plain(c.query_one(".column-title", Label).render()) for c in board(app).columns]


def focused_column(app: TagtuiApp) -> BoardColumn:
    screen = board(app)
    return screen.columns[screen.focused_column_index()]


def cards(column: BoardColumn) -> list[str]:
    return [row.name for row in column.rows]


def short_pipeline(store: Store) -> None:
    """New, Won, Lost: fewer columns, fewer key presses."""
    for slug in ("contacted", "qualified", "demo", "proposal"):
        store.delete_status(slug)


async def test_the_board_is_built_with_every_columns_first_page_read_at_once(
    app: TagtuiApp, store: Store, make_app: Callable[..., TagtuiApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The columns come with their cards and counts, read in the one worker that read the
    pipeline: no column reads its own first page (one layout and paint, not one per column).
    A column whose read failed there reads it itself; a refresh re-reads each column."""
    short_pipeline(store)
    for name, status in (("Ann", "new"), ("Bob", "new"), ("Dan", "lost"), ("Eve", None)):
        contact = store.add_contact(name)
        if status:
            store.set_status(contact.id, status)
    own_reads: list[str] = []
    real_reload = BoardColumn.reload

    def reload(self: BoardColumn, base: Filter | None = None) -> None:
        own_reads.append(self.id or "")
        real_reload(self, base)

    monkeypatch.setattr(BoardColumn, "reload", reload)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "4")
        assert titles(app) == ["● New 2", "● Won 0", "● Lost 1", "○ No status 1"]
        assert [cards(c) for c in board(app).columns] == [["Ann", "Bob"], [], ["Dan"], ["Eve"]]
        assert own_reads == []
        await go(pilot, "r")  # the same pipeline: each column reads its cards again
        assert len(own_reads) == 4
        assert titles(app) == ["● New 2", "● Won 0", "● Lost 1", "○ No status 1"]

    # A first page the board's worker could not read: that column reads it itself.
    own_reads.clear()
    won = next(s for s in store.list_statuses() if s.slug == "won")
    real_list = Store.list_contacts
    failed: list[Filter] = []

    def list_contacts(self: Store, query: Filter = EVERYTHING, *args: Any, **kwargs: Any) -> Any:
        if query == column_filter(EVERYTHING, won) and not failed:
            failed.append(query)
            raise QueryTimeout("the read took too long")
        return real_list(self, query, *args, **kwargs)

    monkeypatch.setattr(Store, "list_contacts", list_contacts)
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "4")
        assert failed and own_reads == [f"column-status-{won.id}"]
        assert titles(pilot.app) == ["● New 2", "● Won 0", "● Lost 1", "○ No status 1"]


async def test_columns_counts_and_moving_cards_by_keys(app: TagtuiApp, store: Store) -> None:
    short_pipeline(store)
    ann = store.add_contact("Ann", company="Acme")
    bob = store.add_contact("Bob")
    cat = store.add_contact("Cat [red]x[/]")
    dan = store.add_contact("Dan")
    for c in (ann, bob, cat):
        store.set_status(c.id, "new")
    store.set_status(dan.id, "lost")
    store.change_tags(ann.id, add=["customer"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "4")
        assert app.screen.title == "Board"
        assert titles(app) == ["● New 3", "● Won 0", "● Lost 1", "○ No status 0"]
        new = focused_column(app)
        assert new.status is not None and new.status.slug == "new"
        assert cards(new) == ["Ann", "Bob", "Cat [red]x[/]"]  # names shown literally
        assert plain(new.table.get_row_at(0)[0]).splitlines() == ["Ann", "Acme", " Customer "]

        await go(pilot, "shift+right")
        assert store.get_contact(ann.id).status == "Won"
        assert titles(app) == ["● New 2", "● Won 1", "● Lost 1", "○ No status 0"]
        assert focused_column(app).status.slug == "won"  # focus follows the card
        assert focused_column(app).current_card().id == ann.id

        await go(pilot, "L")
        assert store.get_contact(ann.id).status == "Lost"
        await go(pilot, "greater_than_sign")  # past the last stage: "No status"
        assert store.get_contact(ann.id).status is None
        assert titles(app) == ["● New 2", "● Won 0", "● Lost 1", "○ No status 1"]
        await go(pilot, "shift+right")  # nothing after "No status"
        assert store.get_contact(ann.id).status is None

        for key in ("H", "less_than_sign", "shift+left"):
            await pilot.press(key)  # quickly: the writes still land in key order
        await settle(pilot)
        assert store.get_contact(ann.id).status == "New"
        assert titles(app) == ["● New 3", "● Won 0", "● Lost 1", "○ No status 0"]
        assert cards(focused_column(app)) == ["Ann", "Bob", "Cat [red]x[/]"]

        # h / l / left / right change column; up / down (j / k) change card
        await pilot.press("down", "j")
        assert focused_column(app).current_card().id == cat.id
        await pilot.press("k", "l", "right")
        assert focused_column(app).status.slug == "lost"
        await pilot.press("h", "left", "left")
        assert focused_column(app).status.slug == "new"
        assert focused_column(app).current_card().id == bob.id
        assert store.get_contact(dan.id).status == "Lost"

        # the board shows the contacts screen's current filter, when the app has one
        app.current_filter = Tags(("customer",))  # type: ignore[attr-defined]
        await go(pilot, "r")
        assert titles(app) == ["● New 1", "● Won 0", "● Lost 0", "○ No status 0"]
        assert "tag:customer" in plain(board(app).query_one("#board-filter", Label).render())


async def test_columns_load_lazily_and_enter_opens_the_card(app: TagtuiApp, store: Store) -> None:
    total = PAGE * 2 + 7
    for i in range(total):
        store.add_contact(f"Person {i:03d}")
    store.bulk_set_status(EVERYTHING, "new")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "4")
        column = focused_column(app)
        assert column.status.slug == "new"
        assert titles(app)[0] == f"● New {total}"
        assert column.table.row_count == PAGE  # only the first page
        await go(pilot, "ctrl+end")
        assert column.table.row_count == PAGE * 2
        await go(pilot, "ctrl+end")
        await go(pilot, "ctrl+end")
        assert column.table.row_count == total
        assert cards(column) == [f"Person {i:03d}" for i in range(total)]

        await go(pilot, "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.contact_id == column.rows[-1].id
        await go(pilot, "escape")
        assert isinstance(app.screen, BoardScreen)


async def test_the_board_follows_the_query_typed_on_the_contacts_screen(app: TagtuiApp, store: Store) -> None:
    short_pipeline(store)
    ann = store.add_contact("Ann")
    bob = store.add_contact("Bob")
    store.set_status(ann.id, "new")
    store.set_status(bob.id, "new")
    store.change_tags(ann.id, add=["customer"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"tag:customer", "enter")
        await settle(pilot)
        await go(pilot, "4")
        assert titles(app) == ["● New 1", "● Won 0", "● Lost 0", "○ No status 0"]
        assert cards(focused_column(app)) == ["Ann"]
        assert "tag:customer" in plain(board(app).query_one("#board-filter", Label).render())
        # clearing the query on the contacts screen shows everyone on the board again
        await go(pilot, "1")
        await pilot.press("slash", "ctrl+u", "enter")
        await settle(pilot)
        await go(pilot, "4")
        assert titles(app) == ["● New 2", "● Won 0", "● Lost 0", "○ No status 0"]
        assert not board(app).query_one("#board-filter", Label).display
