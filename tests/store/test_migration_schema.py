"""A database migrated from schema 1 has exactly the schema of a new one: the same tables,
columns (type, nullability, default, collation), indexes, constraints and triggers, on SQLite
and on PostgreSQL. Column order is left out: ``ALTER TABLE … ADD COLUMN`` can only append."""

from __future__ import annotations

import re
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from tagtui.store import Store
from tests.conftest import PG_URL, _pg_conninfo, new_pg_database, pg_schema_url

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _flat(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


def sqlite_schema(path: Path) -> dict[str, Any]:
    """Everything that makes up the schema of the SQLite file at ``path``, comparable."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables: dict[str, Any] = {}
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
            indexes = {}
            for _, index, unique, origin, partial in conn.execute(f"PRAGMA index_list({name})"):
                columns = [r[2] for r in conn.execute(f"PRAGMA index_xinfo({index})") if r[5]]
                made = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (index,)).fetchone()
                key = f"(automatic) {columns}" if index.startswith("sqlite_autoindex_") else index
                indexes[key] = (unique, origin, partial, columns, _flat(made and made[0]))
            tables[name] = {
                "columns": {
                    r[1]: (r[2].upper(), r[3], r[4], r[5]) for r in conn.execute(f"PRAGMA table_info({name})")
                },
                "foreign keys": sorted(
                    tuple(r[2:]) for r in conn.execute(f"PRAGMA foreign_key_list({name})")
                ),
                "indexes": indexes,
                "checks": sorted(re.findall(r"CONSTRAINT (\w+) CHECK \(([^)]*)\)", sql or "")),
                "autoincrement": "AUTOINCREMENT" in (sql or ""),
            }
        triggers = {
            name: _flat(sql)
            for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        }
        return {"tables": tables, "triggers": triggers}
    finally:
        conn.close()


def pg_schema(conn: Any, schema: str) -> dict[str, Any]:
    """Everything that makes up the PostgreSQL schema ``schema``, comparable (its own name
    written as ``S``)."""

    def rows(sql: str) -> list[tuple[Any, ...]]:
        found = conn.execute(sql, {"s": schema}).fetchall()
        return sorted(
            tuple(str(v).replace(f"{schema}.", "S.") if isinstance(v, str) else v for v in r) for r in found
        )

    return {
        "columns": rows(
            "SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision,"
            " is_nullable, column_default, collation_name FROM information_schema.columns"
            " WHERE table_schema = %(s)s"
        ),
        "indexes": rows("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %(s)s"),
        "constraints": rows(
            "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid) FROM pg_constraint k"
            " JOIN pg_class c ON c.oid = k.conrelid WHERE k.connamespace = %(s)s::regnamespace"
        ),
        "triggers": rows(
            "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE c.relnamespace = %(s)s::regnamespace AND NOT t.tgisinternal"
        ),
        "functions": rows("SELECT proname, prosrc FROM pg_proc WHERE pronamespace = %(s)s::regnamespace"),
        "sequences": rows(
            "SELECT sequence_name, data_type FROM information_schema.sequences WHERE sequence_schema = %(s)s"
        ),
    }


def _differences(migrated: dict[str, Any], fresh: dict[str, Any], path: str = "") -> list[str]:
    """Where two schema descriptions differ, as readable lines (empty: the same)."""
    if isinstance(migrated, dict) and isinstance(fresh, dict):
        out: list[str] = []
        for key in sorted(set(migrated) | set(fresh), key=str):
            if key not in fresh:
                out.append(f"{path}/{key}: only migrated: {migrated[key]}")
            elif key not in migrated:
                out.append(f"{path}/{key}: only new: {fresh[key]}")
            else:
                out += _differences(migrated[key], fresh[key], f"{path}/{key}")
        return out
    if isinstance(migrated, list) and isinstance(fresh, list) and migrated != fresh:
        return [f"{path}: only migrated: {r}" for r in migrated if r not in fresh] + [
            f"{path}: only new: {r}" for r in fresh if r not in migrated
        ]
    return [] if migrated == fresh else [f"{path}: migrated {migrated!r}, new {fresh!r}"]


def test_the_comparison_sees_a_difference(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    Store.open(str(a)).close()
    Store.open(str(b)).close()
    assert _differences(sqlite_schema(a), sqlite_schema(b)) == []
    conn = sqlite3.connect(b)
    conn.execute("CREATE INDEX ix_extra ON tag (name)")
    conn.execute("ALTER TABLE tag ADD COLUMN extra INTEGER DEFAULT 0")
    conn.commit()
    conn.close()
    found = _differences(sqlite_schema(a), sqlite_schema(b))
    assert any("/tables/tag/indexes/ix_extra: only new" in line for line in found), found
    assert any("/tables/tag/columns/extra: only new" in line for line in found), found


@pytest.mark.skipif(PG_URL is not None, reason="the SQLite file of schema 1; PostgreSQL's is the next test")
def test_sqlite_schema_1_migrated_is_the_schema_of_a_new_database(tmp_path: Path) -> None:
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    shutil.copyfile(FIXTURES / "schema_v1.db", old)
    Store.open(str(old)).close()
    Store.open(str(new)).close()
    fresh = sqlite_schema(new)
    assert len(fresh["tables"]) > 15 and len(fresh["triggers"]) >= 7
    assert _differences(sqlite_schema(old), fresh) == []


@pytest.mark.skipif(PG_URL is None, reason="needs TAGTUI_TEST_PG_URL (a PostgreSQL server)")
def test_postgresql_schema_1_migrated_is_the_schema_of_a_new_database() -> None:
    import psycopg

    statements = [
        line
        for line in (FIXTURES / "schema_v1_postgresql.sql").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("--")
    ]
    old = f"t_v1_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{old}"')
        try:
            conn.execute(f'SET search_path = "{old}"')
            for statement in statements:
                conn.execute(statement.rstrip(";"))
            conn.execute(
                "INSERT INTO tagtui_meta (key, value) VALUES ('schema_version', '1'),"
                " ('created_at', '2026-11-23T12:00:00.000000Z')"
            )
            conn.execute("RESET search_path")
            Store.open(pg_schema_url(old)).close()  # migrates it
            with new_pg_database() as url:
                new = re.search(r"search_path%3D([\w]+)", url)
                assert new is not None, url
                fresh = pg_schema(conn, new[1])
                differences = _differences(pg_schema(conn, old), fresh)
        finally:
            conn.execute(f'DROP SCHEMA "{old}" CASCADE')
    assert len(fresh["columns"]) > 100 and len(fresh["triggers"]) >= 7 and fresh["functions"]
    assert differences == []
