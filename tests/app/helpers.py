"""The helpers of the app tests, in one place: seed a workspace, settle the app after keys, read
what the screen shows. The fixtures built on them (``seeded``, ``make_app``, ``fixed_clock``) are
in ``tests/app/conftest.py``."""

from __future__ import annotations

import contextlib
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Label
from textual.worker import WorkerCancelled, WorkerFailed

from tagtui.app.screens.contacts import DEBOUNCE
from tagtui.app.widgets.dialogs import ConfirmDialog
from tagtui.app.widgets.footer import AppFooter
from tagtui.query import EVERYTHING
from tagtui.store import Store

SIZE = (120, 34)

# -- seeding ----------------------------------------------------------------------------------

#: (name, email, company, tags, status) — sorted by name on screen.
PEOPLE: tuple[tuple[str, str, str, tuple[str, ...], str | None], ...] = (
    ("Ada Lovelace", "ada@example.com", "Analytical", ("vip",), "qualified"),
    ("Alan Turing", "alan@example.com", "Bletchley", ("vip", "partner"), "new"),
    ("Barbara Liskov", "barbara@example.com", "MIT", ("partner",), None),
    ("Claude Shannon", "claude@example.com", "Bell Labs", (), "new"),
    ("Donald Knuth", "don@example.com", "Stanford", ("cold",), None),
    ("Edsger Dijkstra", "edsger@example.com", "Eindhoven", ("vip",), "won"),
    ("Frances Allen", "fran@example.com", "IBM", (), None),
    ("Grace Hopper", "grace@example.com", "Navy", ("partner", "cold"), "qualified"),
    ("Hedy Lamarr", "hedy@example.com", "MGM", (), None),
    ("Ivan Sutherland", "ivan@example.com", "Utah", ("vip",), None),
)


def seed(store: Store) -> None:
    """Three tags, three statuses and the ten ``PEOPLE``, through the store's API."""
    store.create_tag("VIP", color="amber", emoji="⭐", description="our best contacts")
    store.create_tag("Partner", color="blue")
    store.create_tag("Cold", color="slate")
    for name in ("New", "Qualified", "Won"):
        store.create_status(name)
    for name, email, company, tags, status in PEOPLE:
        store.add_contact(name, email=email, company=company, tags=list(tags), status=status)


def seed_standard(store: Store) -> None:
    """The standard pipeline and tags and no contact, so the app opens on its screens (not the
    welcome screen)."""
    store.setup_statuses()
    store.setup_tags()


def pin_times(store: Store, at: str = "2024-03-01T10:02:00.000000Z") -> None:
    """Every event and contact of ``store`` happened at ``at``, and every step was ada's."""
    store._write(
        lambda tx: (
            tx.execute(f"UPDATE event SET at = '{at}'"),
            tx.execute(f"UPDATE contact SET created_at = '{at}', updated_at = '{at}'"),
            tx.execute("UPDATE step SET actor = 'ada' WHERE actor NOT IN ('ada', 'bob')"),
        )
    )


# -- driving the app --------------------------------------------------------------------------


async def settle(pilot: Pilot, *, typed: bool = False) -> None:
    """Let timers fire and every worker finish (``typed``: wait out the query bar's debounce first)."""
    if typed:
        await pilot.pause(DEBOUNCE + 0.1)
    # A loaded machine may finish a worker whose result starts another: go on until quiet.
    for _ in range(12):
        await pilot.pause()
        # An exclusive worker replaced by a newer one is cancelled: the next round waits for that one.
        # A worker that fails with exit_on_error=False is the app's to report (a notification), not settle's.
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()  # callbacks the workers scheduled run here (and may start workers)
        if not any(w.is_running for w in pilot.app.workers):
            break
    await pilot.pause()
    # The footer hides the keys that do not fit once they are laid out, frames later on a
    # loaded machine: what is on screen is final when it has.
    for _ in range(100):
        if all(footer.fitted for footer in pilot.app.screen.query(AppFooter)):
            break
        await pilot.pause(0.02)


async def go(pilot: Pilot, key: str) -> None:
    """Press a key and settle."""
    await pilot.press(key)
    await settle(pilot)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` key by key, as a person would (Pilot names the keys of ``#``, `` `` …)."""
    await pilot.press(*text)


async def open_tag_insight(pilot: Pilot) -> Any:
    """From the contacts screen, ``2`` (the tags) then ``i``: the tag insight, settled."""
    from tagtui.app.screens.insight import InsightScreen

    await pilot.press("2", "i")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, InsightScreen)
    return screen


async def cursor_to(pilot: Pilot, table: DataTable, key: str) -> None:
    """Move the table's cursor to a row by pressing up/down."""
    target = table.get_row_index(key)
    while table.cursor_row < target:
        await pilot.press("down")
    while table.cursor_row > target:
        await pilot.press("up")
    await settle(pilot)


# -- reading the screen -----------------------------------------------------------------------


def drawn(widget) -> str:  # type: ignore[no-untyped-def]
    """What a widget shows on screen, as plain text (lines joined with newlines)."""
    from textual.geometry import Region

    size = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, size.width, size.height)))


def plain(cell: Any) -> str:
    return getattr(cell, "plain", str(cell))


def column_texts(table: DataTable, column: str) -> list[str]:
    return [plain(c) for c in table.get_column(column)]


def row_texts(table: DataTable, key: str) -> list[str]:
    return [plain(c) for c in table.get_row(key)]


def table_rows(table: DataTable) -> list[list[str]]:
    """Every row of a table, top to bottom, each cell as ``str``."""
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(app: App, selector: str) -> str:
    """What the widget ``selector`` of the current screen renders, as text."""
    return str(app.screen.query_one(selector).render())


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
