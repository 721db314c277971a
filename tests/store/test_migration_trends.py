"""Schema 4 adds the trend tables: a schema-3 database gains them, its assignments counted in
``trend_tag`` and the triggers that keep it; so does a schema-4 database made before them."""

from __future__ import annotations

import pytest

from tagtui.store import Store
from tagtui.store.schema import SCHEMA_VERSION
from tests.store.test_migration_sync import _run, _tables

TREND_TABLES = ("trend_stay", "trend_state", "trend_tag", "trend_week")
TRIGGERS = ("trend_tag_added", "trend_tag_removed", "trend_tag_changed")


def _drop_trends(db_url: str, backend: str) -> None:
    for name in TRIGGERS:
        if backend == "sqlite":
            _run(db_url, f"DROP TRIGGER {name}")
        else:
            _run(db_url, f"DROP TRIGGER {name} ON contact_tag")
            _run(db_url, f"DROP FUNCTION {name}()")
    for table in TREND_TABLES:
        _run(db_url, f"DROP TABLE {table}")


@pytest.mark.parametrize("version", ["3", "4"])
def test_the_trend_tables_come_with_the_assignments_counted(db_url: str, backend: str, version: str) -> None:
    with Store.open(db_url) as store:
        store.create_tag("VIP")
        store.create_tag("Cold")
        for name in ("Ann", "Bob", "Cy"):
            store.add_contact(name, tags=["VIP"])
        store.setup_statuses()
        store.add_contact("Dee", tags=["Cold"], status="New")
        expected = store.trends().to_json()
    _drop_trends(db_url, backend)
    _run(db_url, f"UPDATE tagtui_meta SET value = '{version}' WHERE \"key\" = 'schema_version'")
    assert not set(TREND_TABLES) & _tables(db_url, backend)

    with Store.open(db_url) as store:
        assert set(TREND_TABLES) <= _tables(db_url, backend)
        assert store.trends().to_json() == expected
        assert expected["tags"]["VIP"][-1] == 3
        # The triggers are back: a new assignment counts.
        store.change_tags(store.list_contacts().rows[0].id, add=["Cold"])
        assert store.trends().tags["Cold"][-1] == 2


def _trend_entry_indexes(db_url: str, backend: str) -> set[str]:
    if backend == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'trend_entry'"
    else:
        sql = (
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename = 'trend_entry'"
        )
    return {r[0] for r in _run(db_url, sql) if not r[0].startswith(("sqlite_autoindex", "trend_entry_pkey"))}


def test_schema_7_gains_the_trend_entry_index_in_group_order(db_url: str, backend: str) -> None:
    """Schema 8: ``ix_trend_entry_cell`` (week, status, days: the order a query's trends group
    the window's rows) takes the place of schema 7's ``ix_trend_entry_week``; the numbers stay."""
    from tagtui.io.demo import generate
    from tagtui.query import parse

    with Store.open(db_url) as store:
        generate(store, contacts=300, seed=7)
        expected = {q: store.trends(parse(q), weeks=52).to_json() for q in ("tag:vip", "-status:lost")}
    _run(db_url, "DROP INDEX ix_trend_entry_cell")
    _run(
        db_url,
        "CREATE INDEX ix_trend_entry_week"
        " ON trend_entry (workspace_id, week, contact_id, status_id, moved, days)",
    )
    _run(db_url, "UPDATE tagtui_meta SET value = '7' WHERE \"key\" = 'schema_version'")
    assert _trend_entry_indexes(db_url, backend) == {"ix_trend_entry_week"}

    with Store.open(db_url) as store:
        assert _trend_entry_indexes(db_url, backend) == {"ix_trend_entry_cell"}
        version = _run(db_url, "SELECT value FROM tagtui_meta WHERE \"key\" = 'schema_version'")
        assert version == [(str(SCHEMA_VERSION),)]
        for query, numbers in expected.items():
            assert store.trends(parse(query), weeks=52).to_json() == numbers, query
        assert sum(sum(v) for v in expected["tag:vip"]["entered"].values()) > 0


def test_a_rebuild_of_the_trend_tables_makes_the_cell_index_again(db_url: str, backend: str) -> None:
    """A rebuild drops ``ix_trend_entry_cell`` while ``trend_entry`` is refilled and makes it
    again: the same index as a new database's, and the same numbers as before the rebuild."""
    from tagtui.io.demo import generate
    from tagtui.query import parse

    with Store.open(db_url) as store:
        generate(store, contacts=300, seed=7)
        before = store.trends(parse("tag:vip"), weeks=52).to_json()
        _run(db_url, "DELETE FROM trend_state")  # the next call rebuilds the tables
        assert store.trends(parse("tag:vip"), weeks=52).to_json() == before
        assert _trend_entry_indexes(db_url, backend) == {"ix_trend_entry_cell"}
        store.create_status("Parked")  # a new pipeline: rebuilt again
        after = store.trends(parse("tag:vip"), weeks=52).to_json()
        assert after["entered"]["Parked"] == [0] * 52 and after["tags"] == before["tags"]
        assert _trend_entry_indexes(db_url, backend) == {"ix_trend_entry_cell"}
