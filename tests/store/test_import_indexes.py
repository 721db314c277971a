"""An import into a database without contacts builds the indexes of contact and contact_tag
(but their keys) once, at its end (issue 15): afterwards every index is there as the schema
declares it, and an import that is refused leaves them as they were."""

from __future__ import annotations

from typing import Any

import pytest

from tagtui.query import parse
from tagtui.store import Store
from tagtui.store.errors import ValidationError


def _indexes(store: Store) -> dict[str, str]:
    if store.db.dialect == "sqlite":
        sql = (
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name IN ('contact', 'contact_tag')"
        )
    else:
        sql = (
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename IN ('contact', 'contact_tag') AND schemaname = current_schema()"
        )
    return dict(store._read(lambda tx: tx.all(sql)))


def _rows(n: int) -> list[dict[str, Any]]:
    return [
        {"name": f"Person {i:03}", "email": f"p{i}@example.com", "company": f"Co {i % 7}", "tags": "VIP;Cold"}
        for i in range(n)
    ]


def test_an_import_into_an_empty_database_leaves_every_index_as_declared(store: Store) -> None:
    before = _indexes(store)
    assert len(before) >= 10
    store.import_rows(_rows(1200))  # two batches
    assert _indexes(store) == before
    # And they hold the rows: a search through the name index finds them in order.
    page = store.list_contacts(limit=3)
    assert [c.name for c in page.rows] == ["Person 000", "Person 001", "Person 002"] and page.total == 1200
    if store.db.dialect == "sqlite":
        assert store._read(lambda tx: tx.scalar("PRAGMA integrity_check")) == "ok"
        plan = store._read(
            lambda tx: tx.all(
                "EXPLAIN QUERY PLAN SELECT id FROM contact WHERE workspace_id = :ws ORDER BY name_key, id",
                store._params(),
            )
        )
        assert "ix_contact_name" in " ".join(str(r) for r in plan)
        by_tag = store._read(
            lambda tx: tx.all(
                "EXPLAIN QUERY PLAN SELECT contact_id FROM contact_tag WHERE tag_id = 1 ORDER BY contact_id"
            )
        )
        assert "ix_contact_tag_tag" in " ".join(str(r) for r in by_tag)
    # The tag indexes hold the links: a filter by tag reads them.
    assert store.list_contacts(parse("tag:vip"), limit=1).total == 1200


def test_a_refused_import_into_an_empty_database_leaves_the_indexes(store: Store) -> None:
    before = _indexes(store)
    rows = [*_rows(1500), {"name": "Bad", "email": "not an email"}]
    with pytest.raises(ValidationError):
        store.import_rows(rows)
    assert _indexes(store) == before
    assert store.count_contacts() == 0


def _threads(store: Store) -> list[int]:
    """``PRAGMA threads`` of each idle connection of the store's pool (SQLite)."""
    return [conn.execute("PRAGMA threads").fetchone()[0] for conn in store.db._idle]


def test_the_deferred_indexes_are_sorted_on_helper_threads_and_the_connection_gets_none_after(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite an import builds its deferred indexes with ``PRAGMA threads`` set to the cores
    (at most ``SORT_THREADS``), on its own connection only, and sets it back to 0 after, when
    the import is kept and when it is refused."""
    if store.db.dialect != "sqlite":
        pytest.skip("PRAGMA threads is SQLite's sorter (PostgreSQL builds its indexes its own way)")
    from tagtui.store import engines

    monkeypatch.setattr(engines, "cores", lambda: 8)
    seen: list[str] = []
    execute = engines.SqliteEngine.execute

    def spy(self: Any, conn: Any, sql: str, params: Any, budget: float) -> Any:
        seen.append(sql)
        return execute(self, conn, sql, params, budget)

    monkeypatch.setattr(engines.SqliteEngine, "execute", spy)
    store.import_rows(_rows(1200))
    creates = [i for i, sql in enumerate(seen) if sql.startswith("CREATE INDEX")]
    on = seen.index(f"PRAGMA threads = {engines.SORT_THREADS}")
    off = seen.index("PRAGMA threads = 0")
    assert len(creates) == 8 and on < min(creates) and max(creates) < off
    assert _threads(store) and set(_threads(store)) == {0}

    # A CREATE INDEX that fails (here: one the store never declared, on a column that is not
    # there) still leaves the connection without helper threads, and the transaction rolled back.
    with pytest.raises(Exception, match="no such column"):
        store._write(lambda tx: tx.db.engine.build_indexes(tx, ["CREATE INDEX ix_bad ON contact (nope)"]))
    assert set(_threads(store)) == {0}
    assert "ix_bad" not in _indexes(store)


def test_one_core_builds_the_indexes_without_helper_threads(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store.db.dialect != "sqlite":
        pytest.skip("PRAGMA threads is SQLite's sorter (PostgreSQL builds its indexes its own way)")
    from tagtui.store import engines

    monkeypatch.setattr(engines, "cores", lambda: 1)
    seen: list[str] = []
    execute = engines.SqliteEngine.execute
    monkeypatch.setattr(
        engines.SqliteEngine,
        "execute",
        lambda self, conn, sql, params, budget: seen.append(sql) or execute(self, conn, sql, params, budget),
    )
    store.import_rows(_rows(1200))
    assert not [sql for sql in seen if sql.startswith("PRAGMA threads")]
    assert sum(sql.startswith("CREATE INDEX") for sql in seen) == 8
    assert store.count_contacts() == 1200
