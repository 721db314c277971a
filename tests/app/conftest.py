"""App fixtures: a small seeded workspace, an app factory on it, a fixed local time zone.
The helpers the tests call (seed, settle, type_text, drawn, …) are in ``tests/app/helpers.py``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tagtui.app.app import TagtuiApp
from tagtui.store import Store
from tests.app.helpers import seed


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
