"""Schema 4 adds the sync tables: a schema-3 database (made by opening one at the current
schema, dropping them and setting its version back to 3) gains them with every row kept."""

from __future__ import annotations

from typing import Any

from tagtui.store import Store
from tagtui.store.db import Database
from tagtui.store.schema import SCHEMA_VERSION

SYNC_TABLES = ("sync_item", "sync_source")
KEPT = ("workspace", "tag", "status", "contact", "contact_tag", "event", "step", "saved_view", "rule")


def _run(db_url: str, statement: str) -> list[tuple[Any, ...]]:
    db = Database(db_url)
    try:
        with db.transaction(write=True) as tx:
            if statement.lstrip().upper().startswith("SELECT"):
                return [tuple(r) for r in tx.all(statement)]
            tx.execute(statement)
            return []
    finally:
        db.close()


def _rows(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    return {t: sorted(_run(db_url, f"SELECT * FROM {t}"), key=repr) for t in KEPT}


def _tables(db_url: str, backend: str) -> set[str]:
    if backend == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    return {r[0] for r in _run(db_url, sql)}


def test_schema_3_gains_the_sync_tables_with_every_row_kept(db_url: str, backend: str) -> None:
    with Store.open(db_url) as store:
        vip = store.create_tag("VIP")
        store.create_status("Lead")
        jane = store.add_contact("Jane", email="jane@example.com", status="Lead", tags=["VIP"])
        store.save_view("vips", "tag:vip")
    for table in SYNC_TABLES:
        _run(db_url, f"DROP TABLE {table}")
    _run(db_url, "UPDATE tagtui_meta SET value = '3' WHERE \"key\" = 'schema_version'")
    assert not set(SYNC_TABLES) & _tables(db_url, backend)
    before = _rows(db_url)

    with Store.open(db_url) as store:
        assert set(SYNC_TABLES) <= _tables(db_url, backend)
        assert _run(db_url, "SELECT value FROM tagtui_meta WHERE \"key\" = 'schema_version'") == [
            (str(SCHEMA_VERSION),)
        ]
        assert _rows(db_url) == before
        assert [t.name for t in store.get_contact(jane.id).tags] == [vip.name]
        # The new tables take rows, and a second source of one name is refused by the index.
        source = store.add_sync_source("phone", "/tmp/vdir-of-the-test")
        assert [s.name for s in store.sync_sources()] == [source.name]
    with Store.open(db_url) as store:  # opens again at schema 4 without migrating
        assert [s.name for s in store.sync_sources()] == ["phone"]
