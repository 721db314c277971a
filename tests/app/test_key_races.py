"""Keys pressed in one burst act on what the screen showed when each key arrived (issue 12.1).

Each test sends the keys twice over: with ``burst`` (all queued before the first is
handled, as ssh and ``tmux send-keys`` deliver them) and with ``Pilot.press`` (no pause
between keys), then checks the database: the right contact, the right number of steps.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tagtui.app.app import TagtuiApp
from tagtui.app.screens.board import BoardScreen
from tagtui.store import Store
from tests.app.helpers_b import go, seed, settle
from tests.app.keys_burst import burst

SIZE = (140, 40)


@pytest.fixture
def app(store: Store, make_app: Callable[..., TagtuiApp]) -> TagtuiApp:
    seed(store)
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
                await pilot.press(*names)

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
