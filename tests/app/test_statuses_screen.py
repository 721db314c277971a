"""The Statuses screen: the pipeline in order, reorder by keys, create / edit / delete."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import DataTable, Input, Label

from tagtui.app.app import TagtuiApp
from tagtui.app.screens.status_form import StatusForm
from tagtui.app.screens.statuses import StatusesScreen
from tagtui.app.widgets.dialogs import ConfirmDialog
from tagtui.query.filter import NoStatus
from tagtui.store import NotFound, Store
from tests.app.helpers import column_texts, cursor_to, go, plain, seed_standard, settle, type_text

SIZE = (140, 40)
PIPELINE = ["New", "Contacted", "Qualified", "Demo", "Proposal", "Won", "Lost"]


@pytest.fixture
def app(store: Store, make_app: Callable[..., TagtuiApp]) -> TagtuiApp:
    seed_standard(store)
    return make_app()


def table_of(app: TagtuiApp) -> DataTable:
    assert isinstance(app.screen, StatusesScreen)
    return app.screen.query_one("#statuses-table", DataTable)


def store_order(store: Store) -> list[str]:
    statuses = store.list_statuses()
    assert [s.position for s in statuses] == list(range(1, len(statuses) + 1))
    return [s.name for s in statuses]


async def test_reorder_by_keys_moves_the_row_and_the_store(app: TagtuiApp, store: Store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "3")
        assert app.screen.title == "Statuses"
        table = table_of(app)
        assert column_texts(table, "name") == PIPELINE
        assert column_texts(table, "position") == [str(i) for i in range(1, 8)]

        await pilot.press("J", "J")  # New: 1 -> 3
        await settle(pilot)
        assert store_order(store)[:3] == ["Contacted", "Qualified", "New"]
        assert table.cursor_row == 2  # the cursor followed the moved row
        assert column_texts(table, "name") == store_order(store)

        await pilot.press("shift+down", "alt+down")  # 3 -> 5
        await settle(pilot)
        assert store_order(store).index("New") == 4
        assert table.cursor_row == 4

        await pilot.press("K", "shift+up", "alt+up", "K", "K")  # back to the top, and once more (no-op)
        await settle(pilot)
        assert store_order(store) == PIPELINE
        assert table.cursor_row == 0
        assert column_texts(table, "name") == PIPELINE

        await go(pilot, "down")
        await pilot.press("J")
        await settle(pilot)
        assert store_order(store)[1:3] == ["Qualified", "Contacted"]
        assert table.cursor_row == 2


async def test_create_edit_and_delete_with_the_count_it_clears(app: TagtuiApp, store: Store) -> None:
    won = store.get_status("won")
    for i in range(3):
        store.set_status(store.add_contact(f"C{i}").id, won.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "3")
        table = table_of(app)
        assert table.get_row(str(won.id))[-1].plain == "3"

        # create: a taken name is shown under the name, then a good one is appended last
        await go(pilot, "n")
        assert isinstance(app.screen, StatusForm)
        await type_text(pilot, "WON")
        await go(pilot, "enter")
        label = app.screen.query_one("#name-error", Label)
        assert "already has the slug 'won'" in plain(label.render())
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, "Nurture")
        await pilot.press("tab")
        await type_text(pilot, "teal")
        await go(pilot, "enter")
        assert isinstance(app.screen, StatusesScreen)
        nurture = store.get_status("nurture")
        assert (nurture.position, nurture.color) == (8, "#14b8a6")
        assert column_texts(table, "name")[-1] == "Nurture"
        assert table.cursor_row == 7

        # edit: rename it
        await go(pilot, "e")
        assert app.screen.query_one("#name", Input).value == "Nurture"
        await pilot.press("end")
        await type_text(pilot, "d")
        await go(pilot, "ctrl+s")
        assert store.get_status(nurture.id).name == "Nurtured"
        assert column_texts(table, "name")[-1] == "Nurtured"

        # delete: the question says how many contacts it clears; "n" keeps it
        await cursor_to(pilot, table, str(won.id))
        await go(pilot, "d")
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == "Delete status 'Won'? It clears the status of 3 contacts."
        await go(pilot, "n")
        assert store.get_status(won.id).contacts == 3
        await go(pilot, "d")
        await go(pilot, "y")
        assert isinstance(app.screen, StatusesScreen)
        with pytest.raises(NotFound):
            store.get_status(won.id)
        assert store.count_contacts(NoStatus()) == 3
        assert "Won" not in column_texts(table, "name")
        assert column_texts(table, "position") == [str(i) for i in range(1, 8)]
