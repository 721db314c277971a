"""Connections, transactions and engine differences: the one place that knows SQLite from PostgreSQL.

SQL elsewhere in the store is written once, in the subset both engines share, with
``:name`` parameters; this module adapts it to the driver. SQLite connections run in
WAL mode with foreign keys on and a busy timeout; writers take the lock up front
(``BEGIN IMMEDIATE``) so two processes queue instead of failing mid-transaction.
"""

from __future__ import annotations

import functools
import math
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, unquote, unquote_plus

from tagtui.store.errors import (
    ConnectionLost,
    DatabaseBusy,
    DatabaseRefused,
    DiskFull,
    QueryTimeout,
    ReadOnlyDatabase,
    ValidationError,
)

T = TypeVar("T")

#: How long, in seconds, to wait (each overridable by an environment variable, in seconds):
#: for a PostgreSQL server to accept a connection (the URL's own ``connect_timeout`` wins),
#: for another SQLite writer to let go of the database, and for one query to answer.
CONNECT_TIMEOUT_S = 10.0
BUSY_TIMEOUT_S = 30.0
#: ... and for any one statement to finish (PostgreSQL ``statement_timeout``; an SQLite
#: progress handler), so that no query holds a shared server for minutes.
#:
#: The budget is for what a user asks of a part of the data (a list, a filter, a count, the
#: board): those answer in well under a second, and one that does not is stopped and said.
#: Exempt (``Database.unbounded``) are the jobs whose work grows with the whole workspace
#: rather than with the question, that a user starts on purpose, and that run in a worker
#: or a command with progress: a schema migration, demo generation (one INSERT … SELECT per
#: 100,000 contacts), trends (a pass over the event log) and an import (a batch a statement,
#: but its closing count reads every event it wrote: a million-row import under load failed).
#: On a loaded machine such a statement can pass 30 s, and failing it halfway would only make
#: the user start it over.
#: Streamed reads (the duplicates scan, exports) are bounded per batch instead (``Tx.stream``
#: restarts the clock; on PostgreSQL each FETCH is its own statement), so they need no exemption.
QUERY_TIMEOUT_S = 30.0
#: SQLite virtual-machine steps between two looks at the clock (a few hundred microseconds).
PROGRESS_STEPS = 10_000
#: A writer kept waiting this long (or half the busy timeout, if shorter) is told why.
WAIT_NOTICE_S = 3.0
#: SQLite's page cache per connection, in KiB. Each connection of the pool (the app keeps
#: three or four: the screen's and its workers') fills its own cache up to this as it reads,
#: so this times the pool is what the data's size adds to the process's memory: at 64 MiB
#: the app grew from 47 MB (10,000 contacts) to 272 MB (a million); at 4 MiB, to 58 MB.
#: Pages past it come from the OS's file cache, which costs the filter and count queries
#: nothing measurable at a million contacts. (No mmap either: mapped pages count as the
#: process's memory too.)
CACHE_KIB = 4096
#: The size SQLite cuts the WAL back to after a checkpoint (it reuses the file below it).
WAL_LIMIT_BYTES = 64 * 1024 * 1024
SQLITE_MAGIC = b"SQLite format 3\x00"


class IntegrityViolation(Exception):
    """A constraint failed (a unique key, most often); the store turns it into a Conflict."""


class TransientError(Exception):
    """A lock, deadlock or serialization failure: the whole operation may simply be retried."""


class LockTimeout(TransientError):
    """SQLite's busy timeout ran out: another connection held the lock all along."""


class _Disconnected(Exception):
    """The server closed the connection (a restart, an administrator): a fresh one may work."""


def seconds_setting(name: str, default: float) -> float:
    """A positive number of seconds from the environment variable ``name``, else ``default``."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e9:
        raise ValidationError(f"{name}={text!r}: expected a positive number of seconds", field=name)
    return value


@functools.lru_cache(maxsize=1024)
def _to_pyformat(sql: str) -> str:
    """``:name`` parameters -> psycopg's ``%(name)s``; literal ``%`` doubled."""
    sql = sql.replace("%", "%%")
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)


class _SqliteConnection(sqlite3.Connection):
    """An SQLite connection that stops a statement past its ``deadline`` (monotonic seconds)."""

    deadline = math.inf

    def past_deadline(self) -> int:
        return 1 if time.monotonic() > self.deadline else 0


class Tx:
    """One open transaction on one connection."""

    def __init__(self, db: Database, conn: Any, *, rehearsal: bool = False) -> None:
        self.db = db
        self._conn = conn
        #: A rehearsal's transaction is always rolled back; each operation inside it gets a savepoint.
        self.rehearsal = rehearsal
        self._savepoints = 0
        #: Seconds each statement may take (SQLite; PostgreSQL's server counts them itself).
        self._budget = math.inf if getattr(db._local, "unbounded", False) else db.query_timeout

    def _start_clock(self) -> None:
        if self.db.dialect == "sqlite":
            self._conn.deadline = time.monotonic() + self._budget

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        try:
            if self.db.dialect == "postgresql":
                cur = self._conn.cursor()
                cur.execute(_to_pyformat(sql) if params else sql, params or None)
                return cur
            self._start_clock()
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
                self._start_clock()
                self._conn.executemany(sql, rows)
        except Exception as exc:
            raise self.db.translate(exc) from exc

    def insert_many(
        self,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Sequence[Any]],
        suffix: str = "",
    ) -> None:
        """Insert ``rows`` (tuples in the order of ``columns``, each ``(name, PostgreSQL type)``)
        into ``table`` in one statement on PostgreSQL (``unnest`` of one array per column: one
        round trip, and a statement trigger fires once) and one ``executemany`` on SQLite.
        ``suffix`` follows the rows (``ON CONFLICT DO NOTHING``)."""
        if not rows:
            return
        names = ", ".join(name for name, _ in columns)
        try:
            if self.db.dialect == "postgresql":
                arrays = ", ".join(f"%s::{kind}[]" for _, kind in columns)
                with self._conn.cursor() as cur:
                    cur.execute(
                        f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {suffix}",
                        [list(values) for values in zip(*rows, strict=True)],
                    )
            else:
                self._start_clock()
                marks = ", ".join("?" * len(columns))
                self._conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) {suffix}", rows)
        except Exception as exc:
            raise self.db.translate(exc) from exc

    def _fetch(self, cursor: Any, how: Callable[[Any], T]) -> T:
        """Fetch from ``cursor`` (SQLite runs the statement on as rows are fetched)."""
        try:
            return how(cursor)
        except Exception as exc:
            raise self.db.translate(exc) from exc

    def all(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        return self._fetch(self.execute(sql, params), lambda cur: list(cur.fetchall()))

    def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple | None:
        return self._fetch(self.execute(sql, params), lambda cur: cur.fetchone())

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
            self._start_clock()  # the time bound is per batch: a long stream is not one query
            rows = self._fetch(cur, lambda c: c.fetchmany(batch))
            if not rows:
                return
            yield from rows


class Database:
    """A database at a path or URL, with a small pool of long-lived connections."""

    def __init__(self, target: str, *, on_wait: Callable[[], None] | None = None) -> None:
        self.target = target
        #: The target fit to print (no password): every message that names the database uses it.
        self.shown = redact_url(target)
        self.connect_timeout = seconds_setting("TAGTUI_CONNECT_TIMEOUT", CONNECT_TIMEOUT_S)
        self.busy_timeout = seconds_setting("TAGTUI_BUSY_TIMEOUT", BUSY_TIMEOUT_S)
        self.query_timeout = seconds_setting("TAGTUI_QUERY_TIMEOUT", QUERY_TIMEOUT_S)
        #: Called (from another thread) when a writer has waited a few seconds for the lock.
        self.on_wait = on_wait
        self.dialect, self._connect_arg = _parse_target(target)
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        #: Why changes are refused (a read-only file or folder, ``?mode=ro``), or None.
        self.read_only: str | None = None
        if self.dialect == "sqlite":
            forced = False
            if "://" in target and "?" in self._connect_arg:
                self._connect_arg, _, query = self._connect_arg.partition("?")
                forced = "mode=ro" in query.split("&")
            _check_sqlite_file(self._connect_arg)
            self.read_only = _read_only_reason(self._connect_arg, forced)

    # -- connections -------------------------------------------------------------

    def _connect(self) -> Any:
        if self.dialect == "postgresql":
            import psycopg

            options: dict[str, Any] = {}
            if "connect_timeout=" not in self._connect_arg.partition("?")[2]:
                # libpq counts whole seconds, and treats anything below 2 as 2.
                options["connect_timeout"] = max(1, math.ceil(self.connect_timeout))
            try:
                conn = psycopg.connect(self._connect_arg, autocommit=True, **options)
                conn.execute(f"SET statement_timeout = {max(1, math.ceil(self.query_timeout * 1000))}")
                return conn
            except psycopg.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                if "timeout expired" in first:
                    waited = options.get("connect_timeout")
                    first = (
                        f"the server did not answer{f' within {waited} s' if waited else ''}"
                        " (TAGTUI_CONNECT_TIMEOUT, or connect_timeout in the URL, sets how long to wait)"
                    )
                raise DatabaseRefused(f"cannot connect to {self.shown}: {scrub(first, self.target)}") from exc
        path = self._connect_arg
        if path != ":memory:" and self.read_only is None:
            _create_private(Path(path))
        try:
            options: dict[str, Any] = {
                "isolation_level": None,
                "check_same_thread": False,
                "timeout": self.busy_timeout,
                "factory": _SqliteConnection,
            }
            if self.read_only:
                conn = connect_sqlite_readonly(path, **options)
            else:
                conn = sqlite3.connect(path, **options)
            conn.set_progress_handler(conn.past_deadline, PROGRESS_STEPS)
            conn.execute(f"PRAGMA busy_timeout = {round(self.busy_timeout * 1000)}")
            if self.read_only is None:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute("PRAGMA temp_store = MEMORY")
            # Once checkpointed, a WAL that a large write grew is cut back to this size.
            conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")
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
            self._begin(tx, write=write)
            self._local.tx = tx
            yield tx
            try:
                tx.execute("COMMIT")
            except _Disconnected as exc:
                raise self._lost(committing=True) from exc
            committed = True
        except _Disconnected:
            self._drop_idle()  # the server went away: every idle connection is dead too
            raise
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
            self._begin(tx, write=True)
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

    @contextmanager
    def unbounded(self) -> Iterator[None]:
        """Statements of transactions begun in this thread inside this block have no time bound
        (a whole-workspace job, not a query from a user: see ``QUERY_TIMEOUT_S`` for which)."""
        before = getattr(self._local, "unbounded", False)
        self._local.unbounded = True
        try:
            yield
        finally:
            self._local.unbounded = before

    def _begin(self, tx: Tx, *, write: bool) -> None:
        """BEGIN; an SQLite writer takes the write lock here, waiting up to the busy timeout
        (and saying so through ``on_wait`` after a few seconds)."""
        if self.dialect == "postgresql":
            tx.execute("BEGIN; SET LOCAL statement_timeout = 0" if tx._budget == math.inf else "BEGIN")
            return
        if not write:
            tx.execute("BEGIN")
            return
        if self.read_only is not None:
            raise ReadOnlyDatabase(f"cannot change {self.shown}: {self.read_only}")
        timer = None
        if self.on_wait is not None:
            timer = threading.Timer(min(WAIT_NOTICE_S, self.busy_timeout / 2), self.on_wait)
            timer.daemon = True
            timer.start()
        try:
            tx.execute("BEGIN IMMEDIATE")
        except LockTimeout as exc:
            raise self._busy() from exc
        finally:
            if timer is not None:
                timer.cancel()

    def _drop_idle(self) -> None:
        with self._lock:
            conns, self._idle = self._idle, []
        for conn in conns:
            with suppress(Exception):
                conn.close()

    def _lost(self, *, committing: bool = False) -> ConnectionLost:
        if committing:
            return ConnectionLost(
                f"the connection to {self.shown} was lost while saving: the change may or may not"
                " have been kept; look before trying again"
            )
        return ConnectionLost(
            f"the connection to {self.shown} was lost (the server closed it) and a fresh one failed"
            " too; nothing was changed"
        )

    def _busy(self) -> DatabaseBusy:
        return DatabaseBusy(
            f"the database is busy: another tagtui or program holds it (waited {self.busy_timeout:g} s;"
            " TAGTUI_BUSY_TIMEOUT sets how long)"
        )

    @property
    def in_transaction(self) -> bool:
        """True inside ``run`` / ``transaction`` in this thread (a nested call joins it)."""
        return getattr(self._local, "tx", None) is not None

    def checkpoint(self) -> None:
        """SQLite: copy the WAL into the database and cut it to nothing, after a write large
        enough to have grown it (an import); waits a second at most for readers, else leaves
        it to a later checkpoint. PostgreSQL: nothing to do."""
        if self.dialect != "sqlite" or self.in_transaction:
            return
        conn = self._acquire()
        try:
            conn.execute("PRAGMA busy_timeout = 1000")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass  # a reader still needs the WAL: SQLite's own checkpoints reuse it later
        finally:
            try:
                conn.execute(f"PRAGMA busy_timeout = {round(self.busy_timeout * 1000)}")
            finally:
                self._release(conn)

    def run(self, fn: Callable[[Tx], T], *, write: bool, attempts: int = 8) -> T:
        """Run ``fn`` in one transaction, retrying the whole of it on a transient failure."""
        current: Tx | None = getattr(self._local, "tx", None)
        if current is not None and not current.rehearsal:
            return fn(current)
        delay = 0.02
        reconnected = False
        for attempt in range(attempts):
            began = time.monotonic()
            try:
                with self.transaction(write=write) as tx:
                    return fn(tx)
            except _Disconnected as exc:
                # Nothing was committed (a loss during COMMIT is reported, not retried): try
                # once more on a fresh connection, then say so.
                if reconnected:
                    raise self._lost() from exc
                reconnected = True
            except LockTimeout as exc:
                if time.monotonic() - began >= self.busy_timeout / 2 or attempt == attempts - 1:
                    raise self._busy() from exc  # SQLite already waited: waiting again is no cure
                time.sleep(delay)
            except TransientError as exc:
                if attempt == attempts - 1:
                    raise DatabaseBusy(
                        f"the database is busy: other changes kept getting in the way ({attempts} attempts);"
                        " try again"
                    ) from exc
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        raise AssertionError("unreachable")

    # -- errors ------------------------------------------------------------------

    def translate(self, exc: Exception) -> Exception:
        """Map a driver error onto IntegrityViolation / TransientError, or keep it."""
        if self.dialect == "sqlite":
            if isinstance(exc, sqlite3.IntegrityError):
                return IntegrityViolation(str(exc))
            if isinstance(exc, sqlite3.OperationalError) and str(exc) == "interrupted":
                return self._too_long()  # the progress handler stopped it: nothing else interrupts
            if isinstance(exc, sqlite3.OperationalError) and "readonly database" in str(exc):
                return ReadOnlyDatabase(f"cannot change {self.shown}: {self._unwritable()}")
            if isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc):
                return self._disk_full()
            if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
                return LockTimeout(str(exc))
            return exc
        import psycopg.errors as pe

        if isinstance(exc, pe.IntegrityError):
            return IntegrityViolation(str(exc))
        if isinstance(exc, pe.SerializationFailure | pe.DeadlockDetected | pe.LockNotAvailable):
            return TransientError(str(exc))
        if isinstance(exc, pe.QueryCanceled) and "statement timeout" in str(exc):
            return self._too_long()
        if isinstance(exc, pe.DiskFull):
            return self._disk_full()
        if isinstance(exc, pe.ReadOnlySqlTransaction):
            return ReadOnlyDatabase(f"cannot change {self.shown}: the server is read-only (a standby?)")
        if isinstance(exc, pe.AdminShutdown | pe.CrashShutdown | pe.OperationalError) and (
            isinstance(exc, pe.AdminShutdown | pe.CrashShutdown) or _connection_gone(exc)
        ):
            return _Disconnected(str(exc))
        return exc

    def _disk_full(self) -> DiskFull:
        return DiskFull(f"cannot write {self.shown}: the disk is full; nothing was changed (free some space)")

    def _unwritable(self) -> str:
        """Which file beside an SQLite database refuses writes, and how to fix it."""
        path = Path(self._connect_arg)
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if p.exists() and not _writable(p):
                return (
                    f"{p} is read-only for this user (chmod u+w {p}, or remove a leftover -wal/-shm"
                    " when no tagtui runs)"
                )
        if not _writable(path.parent):
            return f"its folder {path.parent} is read-only (chmod u+w {path.parent})"
        return (
            "SQLite says the database is read-only (a leftover -shm or -wal file of another user"
            " beside it? remove them when no tagtui runs)"
        )

    def _too_long(self) -> QueryTimeout:
        return QueryTimeout(
            f"the query took more than {self.query_timeout:g} s and was stopped"
            " (TAGTUI_QUERY_TIMEOUT sets the limit)"
        )

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

    def first_code(self, expr: str) -> str:
        """The code point of the first character of text ``expr`` (NULL or 0 when empty)."""
        return f"ascii({expr})" if self.dialect == "postgresql" else f"unicode({expr})"

    def joined_text(self, exprs: Sequence[str], separator: str) -> str:
        """One text of the SQL expressions ``exprs``, each followed by ``separator`` (a NULL
        is empty text): one function call per row (SQLite ``printf``, PostgreSQL ``format``)
        instead of a ``COALESCE`` and two ``||`` per value."""
        if "%" in separator or "'" in separator:
            raise ValueError(f"separator {separator!r}: no % or ' here")
        template = "".join(f"%s{separator}" for _ in exprs)
        function = "format" if self.dialect == "postgresql" else "printf"
        return f"{function}('{template}', {', '.join(exprs)})"

    def json_object(self, pairs: Sequence[tuple[str, str]], *, drop_nulls: bool = False) -> str:
        """A JSON object as text, from ``(key, SQL expression)`` pairs in order; with
        ``drop_nulls`` a key whose value is NULL is left out (as an event payload leaves it)."""
        for key, _ in pairs:
            if not re.fullmatch(r"[a-z_]+", key):
                raise ValueError(f"bad JSON key {key!r}")
        args = ", ".join(f"'{key}', {expr}" for key, expr in pairs)
        if self.dialect == "postgresql":
            built = f"json_build_object({args})"
            return f"CAST({'json_strip_nulls(' + built + ')' if drop_nulls else built} AS TEXT)"
        # json_patch drops the members of its patch that are null (RFC 7396).
        return f"json_patch('{{}}', json_object({args}))" if drop_nulls else f"json_object({args})"

    def json_int(self, expr: str, key: str) -> str:
        """The whole number under ``key`` of the JSON text ``expr`` (NULL if absent or null)."""
        if not re.fullmatch(r"[a-z_]+", key):
            raise ValueError(f"bad JSON key {key!r}")
        if self.dialect == "postgresql":
            return f"CAST(CAST({expr} AS JSON) ->> '{key}' AS BIGINT)"
        return f"json_extract({expr}, '$.{key}')"

    def days_between(self, later: str, earlier: str) -> str:
        """Days (with fraction) from the stored timestamp ``earlier`` to ``later``."""
        if self.dialect == "postgresql":
            return (
                f"(EXTRACT(EPOCH FROM (CAST({later} AS TIMESTAMPTZ) - CAST({earlier} AS TIMESTAMPTZ)))"
                " / 86400.0)"
            )
        return f"(julianday({later}) - julianday({earlier}))"

    def floor_int(self, expr: str) -> str:
        """The whole part of a number that is not negative."""
        if self.dialect == "postgresql":
            return f"CAST(FLOOR({expr}) AS INTEGER)"
        return f"CAST({expr} AS INTEGER)"


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


def _connection_gone(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(
        phrase in text
        for phrase in (
            "terminating connection",
            "server closed the connection",
            "connection is closed",
            "consuming input failed",
            "connection has been closed",
            "ssl syscall",
            "connection already closed",
        )
    )


def _writable(path: Path) -> bool:
    """Whether this process (its effective user) may write ``path``."""
    if os.access in os.supports_effective_ids:
        return os.access(path, os.W_OK, effective_ids=True)
    return os.access(path, os.W_OK)


def _read_only_reason(path: str, forced: bool) -> str | None:
    """Why an existing SQLite database must be opened read-only, or None."""
    if path == ":memory:":
        return None
    if forced:
        return "it was opened read-only (mode=ro)"
    p = Path(path)
    if not p.exists():
        return None
    if not _writable(p):
        return f"the file is read-only (chmod u+w {path} to change it)"
    if not _writable(p.parent):
        return f"its folder {p.parent} is read-only (chmod u+w {p.parent} to change it)"
    return None


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
        return "postgresql", _pg_conninfo(rest)
    raise DatabaseRefused(
        f"unsupported database URL scheme {scheme!r}: use a file path, sqlite:///PATH"
        " or postgresql+psycopg://USER@HOST/DB"
    )


def _create_private(path: Path) -> None:
    """Create a new database file readable by the user alone, in a folder that exists.

    A missing folder is refused, never created: ``--db ~/wrk/leads.db`` is a typo far more
    often than a wish for a new folder. (The command line creates the default data folder.)
    """
    if path.exists():
        return
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise DatabaseRefused(f"cannot create database {path}: the folder {folder} {what}")
    try:
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


def sqlite_readonly_uri(path: str, *, immutable: bool = False) -> str:
    return "file:" + quote(str(Path(path).resolve())) + "?mode=ro" + ("&immutable=1" if immutable else "")


def connect_sqlite_readonly(path: str, **options: Any) -> sqlite3.Connection:
    """A connection that only reads ``path``, even where SQLite cannot write its shared-memory
    file (a read-only file or folder with no ``-shm`` beside it): then the file is opened as
    immutable, which reads the database file alone (a checkpointed database loses nothing)."""
    conn = sqlite3.connect(sqlite_readonly_uri(path), uri=True, **options)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc) and "unable to open" not in str(exc):
            conn.close()
            raise
    conn.close()
    return sqlite3.connect(sqlite_readonly_uri(path, immutable=True), uri=True, **options)


# -- showing a database ----------------------------------------------------------------

_PASSWORD_PARAM = re.compile(r"(?i)([?&;\s]|^)(\w*password)=([^&#;\s]*)")


def _userinfo_end(rest: str) -> int:
    """Where the ``user:password`` part of a URL (after ``//``) ends (its ``@``), or -1.

    The host is what follows the LAST ``@`` before the path, so a raw ``@`` in a password
    counts as the password's. A password holding a raw ``/`` or ``?`` (which should have been
    written ``%2F``, ``%3F``) still ends at the last ``@`` that no query parameter precedes.
    """
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        return authority.rfind("@")
    at = rest.rfind("@")
    while at > 0:
        if "=" not in rest[:at] and ":" in rest[:at]:
            return at
        at = rest.rfind("@", 0, at)
    return -1


def redact_url(target: str) -> str:
    """A database path or URL fit to print: every password replaced by ``***``.

    Covers ``user:pass@``, ``:pass@``, a password holding ``@`` (raw or ``%40``), and
    ``password=`` query parameters (``sslpassword=`` too). A file path is returned as is.
    Everything that shows a database (messages, ``tagtui locate``, sync) goes through here.
    """
    if "://" not in target:
        return target
    scheme, rest = target.split("://", 1)
    end = _userinfo_end(rest)
    if end >= 0:
        userinfo, tail = rest[:end], rest[end:]
        if ":" in userinfo:
            rest = userinfo.split(":", 1)[0] + ":***" + tail
    rest = _PASSWORD_PARAM.sub(lambda m: f"{m[1]}{m[2]}=***", rest)
    return f"{scheme}://{rest}"


def url_secrets(target: str) -> list[str]:
    """The passwords written in ``target`` (raw and percent-decoded), longest first."""
    if "://" not in target:
        return []
    rest = target.split("://", 1)[1]
    found: list[str] = []
    end = _userinfo_end(rest)
    if end >= 0 and ":" in rest[:end]:
        found.append(rest[:end].split(":", 1)[1])
    found += [m[3] for m in _PASSWORD_PARAM.finditer(rest)]
    every = {s for f in found for s in (f, unquote(f), unquote_plus(f)) if s}
    return sorted(every, key=len, reverse=True)


def scrub(text: str, target: str) -> str:
    """``text`` (a driver's message, say) with the URL shown redacted and no password of
    ``target`` left in it, however the driver quoted it."""
    text = text.replace(target, redact_url(target))
    for secret in url_secrets(target):
        text = text.replace(secret, "***")
    return text


def _pg_conninfo(rest: str) -> str:
    """The URL psycopg gets: a raw ``@`` in the user or password percent-encoded, since libpq
    takes the FIRST ``@`` as the end of the password (and would then try to reach a host
    named after the rest of it)."""
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    end = authority.rfind("@")
    if end > 0 and "@" in rest[:end]:
        rest = rest[:end].replace("@", "%40") + rest[end:]
    return "postgresql://" + rest
