"""Another process changes the workspace: the change poll makes the open screen show it.

Every screen gets ``reload(polled=True)`` from the app; the second process here is a second
``Store`` on the same database. Screens whose reload scans the whole workspace (duplicates,
tag insight, trends) reload on their own key instead, and a test holds them to that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from textual.pilot import Pilot

from tagtui.app.app import TagtuiApp
from tagtui.store import Store
from tests.app.helpers import SIZE, settle

#: The poll's period in these tests (the app's is a second).
POLL = 0.05


@pytest.fixture(autouse=True)
def fast_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tagtui.app.app.POLL_SECONDS", POLL)


def shown(app: TagtuiApp) -> str:
    """The text on screen (from a screenshot, so it is what a user sees)."""
    svg = app.export_screenshot()
    svg = re.sub(r"<style>.*?</style>", "", svg, flags=re.DOTALL)
    text = unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


async def poll(pilot: Pilot) -> None:
    """Let the poller see the change and the screen reload."""
    for _ in range(3):
        await pilot.pause(POLL * 4)
        await settle(pilot)


def _ada(store: Store) -> int:
    return store.get_contact("ada@example.com").id


async def _open_detail(pilot: Pilot, store: Store) -> None:
    from tagtui.app.screens.detail import ContactDetailScreen

    await pilot.app.push_screen(ContactDetailScreen(_ada(store)))


async def _open_history(pilot: Pilot, store: Store) -> None:
    from tagtui.app.screens.history import HistoryScreen

    await pilot.app.push_screen(HistoryScreen())


async def _section(pilot: Pilot, key: str) -> None:
    await pilot.press(key)


#: screen -> (open it, the other process's change, what the screen then shows)
CASES: dict[str, tuple[Callable, Callable[[Store], object], str]] = {
    "contacts": (
        lambda pilot, store: _section(pilot, "1"),
        lambda other: other.add_contact("Polly Polled", email="polly@example.com"),
        "Polly Polled",
    ),
    "tags": (
        lambda pilot, store: _section(pilot, "2"),
        lambda other: other.create_tag("Polled tag"),
        "Polled tag",
    ),
    "statuses": (
        lambda pilot, store: _section(pilot, "3"),
        lambda other: other.create_status("Polled stage"),
        "Polled stage",
    ),
    "board": (
        lambda pilot, store: _section(pilot, "4"),
        lambda other: other.add_contact("Polly Polled", email="polly@example.com", status="won"),
        "Polly Polled",
    ),
    "detail": (
        _open_detail,
        lambda other: other.update_contact("ada@example.com", company="Polled Engines"),
        "Polled Engines",
    ),
    "history": (
        _open_history,
        lambda other: other.create_tag("Polled tag"),
        "Polled tag",
    ),
    "rules": (
        lambda pilot, store: _section(pilot, "R"),
        lambda other: other.add_rule("Polled rule", "tag:vip", add=["partner"]),
        "Polled rule",
    ),
    "sync": (
        lambda pilot, store: _section(pilot, "S"),
        lambda other: other.add_sync_source("polledbook", "https://dav.example.com/polled/"),
        "polledbook",
    ),
}


@pytest.mark.parametrize("screen", list(CASES))
async def test_a_change_by_another_process_shows_on_the_open_screen(
    screen: str, seeded: Store, db_url: str, make_app: Callable[..., TagtuiApp]
) -> None:
    open_screen, change, expected = CASES[screen]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, seeded)
        await settle(pilot)
        before = type(app.screen).__name__
        assert expected not in shown(app)
        with Store.open(db_url) as other:
            change(other)
        await poll(pilot)
        assert type(app.screen).__name__ == before
        assert expected in shown(app), (screen, shown(app))


async def test_the_contact_detail_reloads_on_poll(
    seeded: Store, db_url: str, make_app: Callable[..., TagtuiApp]
) -> None:
    """The bug this path had: the app compared against "DetailScreen", so an open contact
    never showed another process's change. The screen's own contact, read from its fields."""
    from tagtui.app.screens.detail import ContactDetailScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open_detail(pilot, seeded)
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        with Store.open(db_url) as other:
            other.update_contact("ada@example.com", company="Polled Engines")
        await poll(pilot)
        assert app.screen.contact is not None
        assert app.screen.contact.company == "Polled Engines"


async def test_scanning_screens_wait_for_their_refresh_key(
    seeded: Store, db_url: str, make_app: Callable[..., TagtuiApp]
) -> None:
    """Duplicates scans every contact: another process's change is shown on ``r``, not by the poll."""
    from tagtui.app.screens.duplicates import DuplicatesScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(DuplicatesScreen())
        await settle(pilot)
        with Store.open(db_url) as other:
            other.add_contact("G. Hopper", company="Navy")  # a second Grace at the same company
        await poll(pilot)
        assert "G. Hopper" not in shown(app)
        await pilot.press("r")
        await settle(pilot)
        assert "G. Hopper" in shown(app), shown(app)
