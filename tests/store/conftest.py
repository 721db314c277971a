"""Store test helpers: a second workspace on the same database, and a snapshot of every row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tagtui.store import Store

TABLES = ("workspace", "tag", "status", "contact", "contact_tag", "event", "saved_view")


@pytest.fixture
def other(db_url: str, store: Store) -> Iterator[Store]:
    """The workspace "other" of the same database as ``store``."""
    s = Store.open(db_url, workspace="other")
    try:
        yield s
    finally:
        s.close()


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the database, in a stable order: "nothing changed" means equal."""

    def run(tx: Any) -> dict[str, list[tuple[Any, ...]]]:
        return {
            table: sorted((tuple(r) for r in tx.all(f"SELECT * FROM {table}")), key=repr) for table in TABLES
        }

    return store._read(run)


def row_count(store: Store, table: str) -> int:
    return store._read(lambda tx: tx.scalar(f"SELECT COUNT(*) FROM {table}"))


def many_contacts(store: Store, count: int) -> Store:
    """Tags VIP and Cold, statuses New and Won, and ``count`` contacts (every third one Cold)."""
    store.create_tag("VIP")
    store.create_tag("Cold")
    store.create_status("New")
    store.create_status("Won")
    # One import (set-based), not an add_contact each: on PostgreSQL a round trip per statement.
    store.import_rows(
        [
            {"name": f"Person {i:03}", "email": f"p{i}@example.com", "tags": "Cold" if i % 3 == 0 else ""}
            for i in range(count)
        ]
    )
    return store
