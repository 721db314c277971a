"""Connections, transactions and engine differences: the one place that knows SQLite from PostgreSQL.

SQL elsewhere in the store is written once, in the subset both engines share, with
``:name`` parameters; this module adapts it to the driver. SQLite connections run in
WAL mode with foreign keys on and a busy timeout; writers take the lock up front
(``BEGIN IMMEDIATE``) so two processes queue instead of failing mid-transaction.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from tagtui.store.errors import DatabaseRefused

T = TypeVar("T")

BUSY_TIMEOUT_MS = 30_000
#: SQLite's page cache per connection, in KiB. Each connection of the pool (the app keeps
#: three or four: the screen's and its workers') fills its own cache up to this as it reads,
#: so this times the pool is what the data's size adds to the process's memory: at 64 MiB
#: the app grew from 47 MB (10,000 contacts) to 272 MB (a million); at 4 MiB, to 58 MB.
#: Pages past it come from the OS's file cache, which costs the filter and count queries
#: nothing measurable at a million contacts. (No mmap either: mapped pages count as the
#: process's memory too.)
CACHE_KIB = 4096
SQLITE_MAGIC = b"SQLite format 3\x00"


class IntegrityViolation(Exception):
    """A constraint failed (a unique key, most often); the store turns it into a Conflict."""


class TransientError(Exception):
    """A lock, deadlock or serialization failure: the whole operation may simply be retried."""


@functools.lru_cache(maxsize=1024)
def _to_pyformat(sql: str) -> str:
    """``:name`` parameters -> psycopg's ``%(name)s``; literal ``%`` doubled."""
    sql = sql.replace("%", "%%")
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)


class Tx:
    """One open transaction on one connection."""

    def __init__(self, db: Database, conn: Any, *, rehearsal: bool = False) -> None:
        self.db = db
        self._conn = conn
        #: A rehearsal's transaction is always rolled back; each operation inside it gets a savepoint.
        self.rehearsal = rehearsal
        self._savepoints = 0

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        try:
            if self.db.dialect == "postgresql":
                cur = self._conn.cursor()
                cur.execute(_to_pyformat(sql) if params else sql, params or None)
                return cur
            return self._conn.execute(sql, params or {})
        except Exception as exc:
            raise self.db.translate(exc) from exc

    def executemany(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        try:
            if self.db.dialect == "postgresql":
                with self._conn.cursor() as cur:
                    cur.executemany(_to_pyformat(sql), rows)
            else:
                self._conn.executemany(sql, rows)
        except Exception as exc:
            raise self.db.translate(exc) from exc

    def all(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        return list(self.execute(sql, params).fetchall())

    def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple | None:
        return self.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def lock(self, table: str, condition: str, params: dict[str, Any] | None = None) -> None:
        """Hold the write lock of the rows of ``table`` (e.g. ``"contact c"``) that ``condition``
        selects until the transaction ends, so that what it reads next is what it writes over.

        PostgreSQL runs writers side by side (READ COMMITTED): without the lock two edits of one
        row both read the old row and the second silently undoes the first. SQLite needs
        nothing: its writers already run one at a time (``BEGIN IMMEDIATE``).
        """
        if self.db.dialect == "postgresql":
            alias = table.split()[-1]
            self.execute(f"SELECT 1 FROM {table} WHERE {condition} ORDER BY {alias}.id FOR UPDATE", params)

    def stream(self, sql: str, params: dict[str, Any] | None = None, *, batch: int = 2000) -> Iterator[tuple]:
        """Rows one batch at a time, never the whole result in memory (on PostgreSQL through a
        server-side cursor: a plain one would fetch every row first)."""
        if self.db.dialect == "postgresql":
            self._savepoints += 1
            try:
                with self._conn.cursor(name=f"tagtui_stream{self._savepoints}") as cur:
                    cur.itersize = batch
                    cur.execute(_to_pyformat(sql) if params else sql, params or None)
                    while True:
                        rows = cur.fetchmany(batch)
                        if not rows:
                            return
                        yield from rows
            except Exception as exc:
                raise self.db.translate(exc) from exc
        cur = self.execute(sql, params)
        while True:
            rows = cur.fetchmany(batch)
            if not rows:
                return
            yield from rows


class Database:
    """A database at a path or URL, with a small pool of long-lived connections."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.dialect, self._connect_arg = _parse_target(target)
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        if self.dialect == "sqlite":
            _check_sqlite_file(self._connect_arg)

    # -- connections -------------------------------------------------------------

    def _connect(self) -> Any:
        if self.dialect == "postgresql":
            import psycopg

            try:
                return psycopg.connect(self._connect_arg, autocommit=True)
            except psycopg.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise DatabaseRefused(f"cannot connect to {_redact(self.target)}: {first}") from exc
        path = self._connect_arg
        if path != ":memory:":
            _create_private(Path(path))
        try:
            conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute("PRAGMA temp_store = MEMORY")
        except sqlite3.DatabaseError as exc:
            raise DatabaseRefused(f"cannot open {path}: {exc}") from exc
        return conn

    def _acquire(self) -> Any:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def _release(self, conn: Any) -> None:
        with self._lock:
            self._idle.append(conn)

    def close(self) -> None:
        with self._lock:
            conns, self._idle = self._idle, []
        for conn in conns:
            with suppress(Exception):
                conn.close()

    # -- transactions ------------------------------------------------------------

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Tx]:
        """A transaction; nested calls in one thread join the outer one."""
        current: Tx | None = getattr(self._local, "tx", None)
        if current is not None:
            if current.rehearsal:
                with _savepoint(current):
                    yield current
            else:
                yield current
            return
        conn = self._acquire()
        tx = Tx(self, conn)
        committed = False
        try:
            tx.execute("BEGIN IMMEDIATE" if write and self.dialect == "sqlite" else "BEGIN")
            self._local.tx = tx
            yield tx
            tx.execute("COMMIT")
            committed = True
        finally:
            self._local.tx = None
            if not committed:
                with suppress(Exception):
                    conn.execute("ROLLBACK")
            if _healthy(conn, self.dialect):
                self._release(conn)
            else:
                conn.close()

    @contextmanager
    def rehearsal(self) -> Iterator[Tx]:
        """A transaction that every store call in this thread joins and that is always rolled back.

        ``--dry-run`` runs a whole command inside one: the command sees its own changes (the
        summary it prints is the real one) and nothing is kept. Each operation inside gets a
        savepoint, so a failed operation is undone on its own as it would be outside, and
        a transient failure (a PostgreSQL deadlock) retries that operation alone. On SQLite
        the write lock is taken up front, as for any writer.
        """
        if getattr(self._local, "tx", None) is not None:
            raise RuntimeError("a rehearsal cannot start inside a transaction")
        conn = self._acquire()
        tx = Tx(self, conn, rehearsal=True)
        try:
            tx.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
            self._local.tx = tx
            yield tx
        finally:
            self._local.tx = None
            with suppress(Exception):
                conn.execute("ROLLBACK")
            if _healthy(conn, self.dialect):
                self._release(conn)
            else:
                conn.close()

    @property
    def in_rehearsal(self) -> bool:
        tx: Tx | None = getattr(self._local, "tx", None)
        return tx is not None and tx.rehearsal

    @property
    def in_transaction(self) -> bool:
        """True inside ``run`` / ``transaction`` in this thread (a nested call joins it)."""
        return getattr(self._local, "tx", None) is not None

    def run(self, fn: Callable[[Tx], T], *, write: bool, attempts: int = 8) -> T:
        """Run ``fn`` in one transaction, retrying the whole of it on a transient failure."""
        current: Tx | None = getattr(self._local, "tx", None)
        if current is not None and not current.rehearsal:
            return fn(current)
        delay = 0.02
        for attempt in range(attempts):
            try:
                with self.transaction(write=write) as tx:
                    return fn(tx)
            except TransientError:
                if attempt == attempts - 1:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        raise AssertionError("unreachable")

    # -- errors ------------------------------------------------------------------

    def translate(self, exc: Exception) -> Exception:
        """Map a driver error onto IntegrityViolation / TransientError, or keep it."""
        if self.dialect == "sqlite":
            if isinstance(exc, sqlite3.IntegrityError):
                return IntegrityViolation(str(exc))
            if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
                return TransientError(str(exc))
            return exc
        import psycopg.errors as pe

        if isinstance(exc, pe.IntegrityError):
            return IntegrityViolation(str(exc))
        if isinstance(exc, pe.SerializationFailure | pe.DeadlockDetected | pe.LockNotAvailable):
            return TransientError(str(exc))
        return exc

    # -- engine differences ------------------------------------------------------

    def in_list(self, column: str, name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
        """``column IN (...)`` for a list of any length, as SQL and parameters."""
        if self.dialect == "postgresql":
            return f"{column} = ANY(:{name})", {name: list(values)}
        # json_each takes any number of values in one parameter (no 32k-variable limit).
        import json

        return (
            f"{column} IN (SELECT value FROM json_each(:{name}))",
            {name: json.dumps(list(values))},
        )

    def snapshot(self, tx: Tx, name: str, select_sql: str, params: dict[str, Any]) -> str:
        """Fill the temporary table ``name`` with the ids ``select_sql`` returns; a condition on ``c``.

        A change in several statements (tags, then status) over a query that looks at what the
        change edits must act on the contacts selected before its first statement.
        """
        if not re.fullmatch(r"[a-z_]+", name):
            raise ValueError(f"bad temporary table name {name!r}")
        if self.dialect == "postgresql":
            tx.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (id BIGINT PRIMARY KEY) ON COMMIT DROP")
        else:
            tx.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (id INTEGER PRIMARY KEY)")
        tx.execute(f"DELETE FROM {name}")
        tx.execute(f"INSERT INTO {name} (id) {select_sql}", params)
        return f"c.id IN (SELECT id FROM {name})"

    def group_concat(self, expr: str, separator_param: str) -> str:
        if self.dialect == "postgresql":
            return f"string_agg({expr}, :{separator_param})"
        return f"group_concat({expr}, :{separator_param})"

    def data_version(self) -> int | None:
        """A number that changes when another connection commits (SQLite only)."""
        if self.dialect != "sqlite":
            return None
        with self.transaction(write=False) as tx:
            return int(tx.scalar("PRAGMA data_version"))


@contextmanager
def _savepoint(tx: Tx) -> Iterator[None]:
    """One operation inside a rehearsal: undone on its own if it fails."""
    tx._savepoints += 1
    name = f"tagtui_sp{tx._savepoints}"
    tx.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        with suppress(Exception):
            tx.execute(f"ROLLBACK TO SAVEPOINT {name}")
            tx.execute(f"RELEASE SAVEPOINT {name}")
        raise
    tx.execute(f"RELEASE SAVEPOINT {name}")


def _healthy(conn: Any, dialect: str) -> bool:
    try:
        if dialect == "sqlite":
            return not conn.in_transaction
        return not conn.closed and conn.info.transaction_status == 0
    except Exception:
        return False


def _parse_target(target: str) -> tuple[str, str]:
    """A file path or SQLAlchemy-style URL -> (dialect, driver connect argument)."""
    if "://" not in target:
        return "sqlite", str(Path(target).expanduser())
    scheme, rest = target.split("://", 1)
    base = scheme.split("+", 1)[0].lower()
    if base == "sqlite":
        # sqlite:///relative.db, sqlite:////absolute.db, sqlite:// (in memory)
        path = rest[1:] if rest.startswith("/") else rest
        return "sqlite", path or ":memory:"
    if base in ("postgresql", "postgres"):
        return "postgresql", "postgresql://" + rest
    raise DatabaseRefused(
        f"unsupported database URL scheme {scheme!r}: use a file path, sqlite:///PATH"
        " or postgresql+psycopg://USER@HOST/DB"
    )


def _redact(target: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", target)


def _create_private(path: Path) -> None:
    """Create a new database file (and its folder) readable by the user alone."""
    if path.exists():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError as exc:
        raise DatabaseRefused(f"cannot create database {path}: {exc.strerror}") from exc


def _check_sqlite_file(path: str) -> None:
    """Refuse, before anything writes to it, a file that is not an SQLite database."""
    if path == ":memory:":
        return
    p = Path(path)
    if p.is_dir():
        raise DatabaseRefused(f"{path} is a folder, not a database file")
    if not p.exists() or p.stat().st_size == 0:
        return
    try:
        with p.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise DatabaseRefused(f"cannot read {path}: {exc.strerror}") from exc
    if head != SQLITE_MAGIC:
        raise DatabaseRefused(f"{path} is not an SQLite database; refusing to touch it")


def sqlite_readonly_uri(path: str) -> str:
    return "file:" + quote(str(Path(path).resolve())) + "?mode=ro"
