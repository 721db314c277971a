"""Trust tests: the CLI and app fixtures, and a dump of every row of every table."""

from __future__ import annotations

from pathlib import Path

from tagtui.store import Store
from tests.app.conftest import make_app, seeded  # noqa: F401  (fixtures)
from tests.cli.conftest import cli, ok, quiet_environment, run  # noqa: F401  (fixtures)
from tests.helpers import dump  # noqa: F401  (the trust tests import it from here)


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
