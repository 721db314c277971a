"""An import is a bulk load (issue 15): on SQLite its transaction does not look up each row's
foreign keys, and every connection has its checks back afterwards, whether the import was
kept or refused. A new SQLite file has 16 KiB pages; a file made with others keeps them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tagtui.store import Store
from tagtui.store.engines import PAGE_SIZE
from tagtui.store.errors import ValidationError
from tests.conftest import PG_URL


def _rows(n: int, *, bad_at: int | None = None) -> list[dict[str, Any]]:
    rows = [
        {
            "name": f"Person {i}",
            "email": f"p{i}@example.com",
            "status": "Lead" if i % 2 else "Won",
            "tags": f"t{i % 3};vip",
        }
        for i in range(n)
    ]
    if bad_at is not None:
        rows[bad_at] = {"name": "Bad", "email": "not an email"}
    return rows


def _checks_on(store: Store) -> list[int]:
    """``PRAGMA foreign_keys`` on each idle connection of the store's pool (SQLite)."""
    return [conn.execute("PRAGMA foreign_keys").fetchone()[0] for conn in store.db._idle]


def _sqlite_only() -> None:
    if PG_URL:
        pytest.skip("SQLite's foreign-key checks are a connection's setting (PostgreSQL keeps its own)")


def test_an_import_writes_no_row_without_what_it_points_at(store: Store) -> None:
    _sqlite_only()
    done = store.import_rows(_rows(2500))
    assert done.created == 2500 and done.tags_created == 4 and done.statuses_created == 2
    assert store._read(lambda tx: tx.all("PRAGMA foreign_key_check")) == []
    assert store._read(lambda tx: tx.scalar("PRAGMA integrity_check")) == "ok"
    assert _checks_on(store) and all(on == 1 for on in _checks_on(store))


def test_the_checks_are_back_after_an_import_and_after_a_refused_one(store: Store) -> None:
    _sqlite_only()
    with pytest.raises(ValidationError):
        store.import_rows(_rows(1500, bad_at=1400))
    assert store.count_contacts() == 0
    assert all(on == 1 for on in _checks_on(store))
    store.import_rows(_rows(10))
    assert all(on == 1 for on in _checks_on(store))
    # The checks do their work again: a link to no contact is refused, and a tag deleted
    # takes its links with it (ON DELETE CASCADE needs foreign keys on).
    with pytest.raises(Exception, match="FOREIGN KEY"):
        store._write(
            lambda tx: tx.execute(
                "INSERT INTO contact_tag (contact_id, tag_id, created_at)"
                " VALUES (999, 1, '2026-01-01T00:00:00Z')"
            )
        )
    vip = store.get_tag("vip")
    store.delete_tag(vip.id, force=True)
    assert (
        store._read(lambda tx: tx.scalar("SELECT COUNT(*) FROM contact_tag WHERE tag_id = :t", {"t": vip.id}))
        == 0
    )


def test_a_write_outside_an_import_keeps_its_checks(store: Store) -> None:
    """Only a transaction begun inside ``Database.bulk`` leaves them off; one that joins an
    open transaction changes nothing."""
    _sqlite_only()
    seen: list[int] = []
    with store.db.bulk():
        store._read(lambda tx: seen.append(tx.scalar("PRAGMA foreign_keys")))  # a read: checks on
        store._write(lambda tx: seen.append(tx.scalar("PRAGMA foreign_keys")))
    store._write(lambda tx: seen.append(tx.scalar("PRAGMA foreign_keys")))
    assert seen == [1, 0, 1]


def test_a_new_database_has_16_kib_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    new = tmp_path / "new.db"
    Store.open(str(new)).close()
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("CREATE TABLE t (x)")  # a file of 4 KiB pages, not yet tagtui's
    conn.execute("DROP TABLE t")
    conn.close()
    with Store.open(str(old)) as store:
        store.add_contact("Ada")
        assert store.count_contacts() == 1
    for path, size in ((new, PAGE_SIZE), (old, 4096)):
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA page_size").fetchone() == (size,)
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            conn.close()
    assert PAGE_SIZE == 16384
