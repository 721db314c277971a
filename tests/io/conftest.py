"""Helpers for the import/export/demo tests: a second database, a whole-database snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tagtui.store import Store
from tests.conftest import new_database

TABLES = ("workspace", "tag", "status", "contact", "contact_tag", "event", "saved_view")


@pytest.fixture
def second_store(tmp_path) -> Iterator[Store]:
    """A store on a database of its own (a second schema on PostgreSQL)."""
    with new_database(tmp_path / "second.db") as url:
        s = Store.open(url)
        try:
            yield s
        finally:
            s.close()


@pytest.fixture
def other(db_url: str, store: Store) -> Iterator[Store]:
    """The workspace "other" of the same database as ``store``."""
    s = Store.open(db_url, workspace="other")
    try:
        yield s
    finally:
        s.close()


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: "nothing changed" means equal snapshots."""
    with store.db.transaction(write=False) as tx:
        return {t: sorted((tuple(r) for r in tx.all(f"SELECT * FROM {t}")), key=repr) for t in TABLES}


def sql(store: Store, query: str, **params: Any) -> list[tuple[Any, ...]]:
    with store.db.transaction(write=False) as tx:
        return [tuple(r) for r in tx.all(query, {"ws": store.workspace_id, **params})]
