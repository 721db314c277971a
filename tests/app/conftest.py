"""App fixtures: a small seeded workspace, an app factory on it, and a helper that waits for workers."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from tagtui.app.app import TagtuiApp
from tagtui.app.screens.contacts import DEBOUNCE
from tagtui.store import Store

SIZE = (120, 34)

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
    """Three tags, three statuses and ten contacts, through the store's API."""
    store.create_tag("VIP", color="amber", emoji="⭐", description="our best contacts")
    store.create_tag("Partner", color="blue")
    store.create_tag("Cold", color="slate")
    for name in ("New", "Qualified", "Won"):
        store.create_status(name)
    for name, email, company, tags, status in PEOPLE:
        store.add_contact(name, email=email, company=company, tags=list(tags), status=status)


@pytest.fixture
def seeded(store: Store) -> Store:
    seed(store)
    return store


@pytest.fixture
def make_app(store: Store) -> Callable[..., TagtuiApp]:
    """A factory: ``make_app()`` opens TagtuiApp on the test's store."""

    def factory(**kwargs: object) -> TagtuiApp:
        return TagtuiApp(store, **kwargs)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC for the test (event times in snapshots read the same everywhere)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def pin_times(store: Store, at: str = "2024-03-01T10:02:00.000000Z") -> None:
    """Every event and contact of ``store`` happened at ``at``, and every step was ada's."""
    store._write(
        lambda tx: (
            tx.execute(f"UPDATE event SET at = '{at}'"),
            tx.execute(f"UPDATE contact SET created_at = '{at}', updated_at = '{at}'"),
            tx.execute("UPDATE step SET actor = 'ada' WHERE actor NOT IN ('ada', 'bob')"),
        )
    )


async def settle(pilot: Pilot, *, typed: bool = False) -> None:
    """Let timers fire and every worker finish (twice: a result may start another worker)."""
    if typed:
        await pilot.pause(DEBOUNCE + 0.1)
    # A loaded machine may finish a worker whose result starts another: go on until quiet.
    for _ in range(12):
        await pilot.pause()
        # An exclusive worker replaced by a newer one is cancelled: the next round waits for that one.
        # A worker that fails with exit_on_error=False is the app's to report (a notification), not settle's.
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            break
    await pilot.pause()


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` key by key, as a person would."""
    await pilot.press(*text)


def drawn(widget) -> str:
    """What a widget shows on screen, as plain text (lines joined with newlines)."""
    from textual.geometry import Region

    size = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, size.width, size.height)))
