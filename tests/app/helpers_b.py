"""Helpers of the tags, statuses, board and detail tests: seed a workspace, settle the app, read cells."""

from __future__ import annotations

import contextlib
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Label
from textual.worker import WorkerCancelled, WorkerFailed

from tagtui.app.widgets.dialogs import ConfirmDialog
from tagtui.query import EVERYTHING
from tagtui.store import Store


def seed(store: Store) -> None:
    """The standard pipeline and tags, so the app opens on its screens (not the welcome screen)."""
    store.setup_statuses()
    store.setup_tags()


async def settle(pilot: Pilot, rounds: int = 8) -> None:
    """Wait until no worker runs and every callback they scheduled has run."""
    app = pilot.app
    for _ in range(rounds):
        # An exclusive worker replaced by a newer one is cancelled: the next round waits for that one.
        # A worker that fails with exit_on_error=False is the app's to report (a notification), not settle's.
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()  # callbacks the workers scheduled run here (and may start workers)
        if not any(w.is_running for w in app.workers):
            return


async def go(pilot: Pilot, key: str) -> None:
    """Press a key and settle."""
    await pilot.press(key)
    await settle(pilot)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` a character at a time (Pilot names the keys of ``#``, `` `` …)."""
    await pilot.press(*text)


def plain(cell: Any) -> str:
    return getattr(cell, "plain", str(cell))


def column_texts(table: DataTable, column: str) -> list[str]:
    return [plain(c) for c in table.get_column(column)]


def row_texts(table: DataTable, key: str) -> list[str]:
    return [plain(c) for c in table.get_row(key)]


async def cursor_to(pilot: Pilot, table: DataTable, key: str) -> None:
    """Move the table's cursor to a row by pressing up/down."""
    target = table.get_row_index(key)
    while table.cursor_row < target:
        await pilot.press("down")
    while table.cursor_row > target:
        await pilot.press("up")
    await settle(pilot)


def confirm_question(app: App) -> str:
    """The question of the confirmation dialog that must be open now."""
    assert isinstance(app.screen, ConfirmDialog), app.screen
    return str(app.screen.query_one("#question", Label).render())


def record_list_contacts(store: Store) -> list[dict[str, Any]]:
    """Record every ``store.list_contacts`` call (its ``query`` and keyword arguments) from now on."""
    calls: list[dict[str, Any]] = []
    original = store.list_contacts

    def spy(query: Any = EVERYTHING, **kwargs: Any) -> Any:
        calls.append({"query": query, **kwargs})
        return original(query, **kwargs)

    store.list_contacts = spy  # type: ignore[method-assign]
    return calls
