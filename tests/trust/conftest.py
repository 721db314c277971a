"""Trust tests: the CLI and app fixtures, and a dump of every row of every table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tagtui.store import Store
from tests.app.conftest import make_app, seeded  # noqa: F401  (fixtures)
from tests.cli.conftest import cli, ok, quiet_environment, run  # noqa: F401  (fixtures)


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the database, sorted: "nothing changed" means equal."""

    def read(tx: Any) -> dict[str, list[tuple[Any, ...]]]:
        if store.db.dialect == "sqlite":
            names = [r[0] for r in tx.all("SELECT name FROM sqlite_master WHERE type = 'table'")]
        else:
            names = [
                r[0]
                for r in tx.all(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                )
            ]
        return {
            n: sorted((tuple(r) for r in tx.all(f'SELECT * FROM "{n}"')), key=repr) for n in sorted(names)
        }

    return store._read(read)


def checkpoint(store: Store) -> None:
    """Move an SQLite WAL into the database file, so that the file alone holds every row.

    Then the bytes of the file are what to compare: another process that closes its
    connection last may checkpoint and delete the WAL, which changes no row.
    """
    if store.db.dialect != "sqlite":
        return
    conn = store.db._acquire()
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        store.db._release(conn)


def file_bytes(db_url: str) -> tuple[bytes, bytes] | None:
    """The bytes of an SQLite database file and of its WAL (None on PostgreSQL)."""
    if "://" in db_url:
        return None
    wal = Path(f"{db_url}-wal")
    return Path(db_url).read_bytes(), wal.read_bytes() if wal.exists() else b""
