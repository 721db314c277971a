"""Helpers for the import/export/demo tests: a second database, a whole-database snapshot."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tagtui.store import Store
from tests.conftest import PG_URL, _pg_admin

TABLES = ("workspace", "tag", "status", "contact", "contact_tag", "event", "saved_view")


@pytest.fixture
def second_store(tmp_path) -> Iterator[Store]:
    """A store on a database of its own (a second schema on PostgreSQL)."""
    if not PG_URL:
        s = Store.open(str(tmp_path / "second.db"))
        try:
            yield s
        finally:
            s.close()
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    _pg_admin(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    s = Store.open(f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}")
    try:
        yield s
    finally:
        s.close()
        _pg_admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


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
