"""Shared fixtures: a fresh database per test, on SQLite, or on PostgreSQL when
``TAGTUI_TEST_PG_URL`` is set (each test then gets a schema of its own)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import settings

from tagtui.store import Store

PG_URL = os.environ.get("TAGTUI_TEST_PG_URL")

# Examples are what the property tests are about, not how long one takes: on a shared machine
# under load an example may take seconds, and Hypothesis's 200 ms deadline would fail it.
settings.register_profile("tagtui", deadline=None)
settings.load_profile("tagtui")


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """The machine's own config file never reaches a test: each test has its own (absent) one."""
    monkeypatch.setenv("TAGTUI_CONFIG", str(tmp_path / "config" / "config.toml"))


def _pg_admin(sql: str) -> None:
    import psycopg

    conninfo = "postgresql://" + PG_URL.split("://", 1)[1]  # type: ignore[union-attr]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def db_url(tmp_path) -> Iterator[str]:
    """A database nobody has used yet: a file path, or a PostgreSQL URL with its own schema."""
    if not PG_URL:
        yield str(tmp_path / "tagtui.db")
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    _pg_admin(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        _pg_admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def backend() -> str:
    return "postgresql" if PG_URL else "sqlite"
