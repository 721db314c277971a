"""The database engines, SQLite and PostgreSQL, each behind one interface (``Engine``).

Everything that differs between the two lives here, once: how to connect and begin, how a
statement reaches the driver, what a driver's error means, how rows are locked, inserted in
bulk and streamed, the catalog, and the few SQL spellings the two do not share. The rest of
the store writes SQL once, in the subset both engines share, and asks ``db.engine`` (or the
``Database`` methods that hand on to it) for the rest. Nothing outside this module looks at
which engine it has.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import quote

from tagtui.store.errors import DatabaseRefused, ReadOnlyDatabase

if TYPE_CHECKING:
    from tagtui.store.db import Database, Tx

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
#: At most this many helper threads sort a deferred index (``SqliteEngine.build_indexes``).
SORT_THREADS = 4
#: The page cache of each connection's temporary database (temporary tables, in KiB), which
#: lives in a file SQLite makes and deletes itself (``temp_store`` is left at its default).
#: Up to this much stays in memory; past it, pages go to that file. A sort larger than the
#: main page cache (a GROUP BY over many rows, an index built) spills to temporary files the
#: same way. With ``temp_store = MEMORY`` those spills went to SQLite's in-memory journals,
#: which read back slowly: at a million contacts the tag counts within ``-tag:vip`` took
#: 2.4-3.3 s against 0.85 s, within ``status:qualified`` 250-340 ms against 120-130 ms. At
#: 16 MiB the trends of the most used tag were up to 30% slower than at 64 MiB (its temporary
#: tables passed the cache); at 64 MiB they are as fast as in memory. The cache fills only as
#: temporary tables grow, and where they were unbounded in memory, this bounds them.
TEMP_CACHE_KIB = 65536
#: The size SQLite cuts the WAL back to after a checkpoint (it reuses the file below it).
WAL_LIMIT_BYTES = 64 * 1024 * 1024
#: The page size of a new database file (an existing file keeps its own). At 4 KiB (SQLite's
#: default) an import of 100,000 rows into a new database took 2.99-3.08 s, at 16 KiB
#: 2.73-2.89 s (alternating, five each): fewer pages to split, link and write for the same
#: rows, and its tables and indexes are as big either way (~106 MB).
PAGE_SIZE = 16384
SQLITE_MAGIC = b"SQLite format 3\x00"
#: 2000-01-03 (a Monday, the trend tables' week 0) as a Julian day, for SQLite's julianday().
EPOCH_JULIAN = 2451546.5


class IntegrityViolation(Exception):
    """A constraint failed (a unique key, most often); the store turns it into a Conflict."""


class TransientError(Exception):
    """A lock, deadlock or serialization failure: the whole operation may simply be retried."""


class LockTimeout(TransientError):
    """SQLite's busy timeout ran out: another connection held the lock all along."""


class Disconnected(Exception):
    """The server closed the connection (a restart, an administrator): a fresh one may work."""


class Engine(Protocol):
    """What the store needs of a database engine (as Harlequin's adapter protocol is to its
    engines). ``name`` is SQLAlchemy's dialect name, for messages and the schema module."""

    name: str
    #: Triggers run once a row (SQLite), not once a statement (PostgreSQL).
    row_triggers: bool
    #: A database that holds tables of another program is refused (an SQLite file is one
    #: program's; a PostgreSQL schema may be shared).
    refuses_foreign_tables: bool
    #: A bulk load into an empty table drops its indexes and builds them at the end (a sort
    #: each), which SQLite gains from; PostgreSQL's import does not do it.
    defers_indexes: bool

    # -- connections and transactions --
    def open_target(self, arg: str, target: str) -> tuple[str, str | None]: ...
    def connect(self, db: Database) -> Any: ...
    def healthy(self, conn: Any) -> bool: ...
    def begin(self, db: Database, tx: Tx, *, write: bool) -> None: ...
    def bulk_load(self, conn: Any, on: bool) -> None: ...
    def checkpoint(self, db: Database) -> None: ...
    def translate(self, db: Database, exc: Exception) -> Exception: ...
    def held(
        self, db: Database, kind: str, key: str, busy: Exception
    ) -> contextlib.AbstractContextManager[None]: ...
    def peek(self, db: Database) -> tuple[set[str], str | None] | None: ...

    # -- statements --
    def execute(self, conn: Any, sql: str, params: dict[str, Any] | None, budget: float) -> Any: ...
    def executemany(self, conn: Any, sql: str, rows: Sequence[dict[str, Any]], budget: float) -> None: ...
    def insert_many(
        self,
        conn: Any,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Sequence[Any]],
        suffix: str,
        budget: float,
    ) -> None: ...
    def update_many(
        self,
        conn: Any,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Sequence[Any]],
        also: str,
        budget: float,
    ) -> None: ...
    def insert_pairs(
        self,
        conn: Any,
        table: str,
        columns: tuple[str, str],
        pairs: Sequence[tuple[int, int]],
        same: Mapping[str, Any],
        suffix: str,
        budget: float,
    ) -> None: ...
    def stream(
        self, tx: Tx, sql: str, params: dict[str, Any] | None, batch: int
    ) -> Iterator[tuple[Any, ...]]: ...
    def lock_rows(self, tx: Tx, table: str, condition: str, params: dict[str, Any] | None) -> None: ...
    def analyze_temp(self, tx: Tx, name: str) -> None: ...
    def drop_temp(self, tx: Tx, name: str) -> None: ...
    def counts_by(
        self, tx: Tx, key: str, source: str, params: dict[str, Any] | None
    ) -> list[tuple[int, int]]: ...
    def prefer_custom_plans(self, tx: Tx) -> None: ...
    def reserve_ids(self, tx: Tx, table: str, n: int) -> int: ...
    def fresh_ids(self, tx: Tx, table: str, n: int, after: int | None) -> list[int]: ...

    # -- the catalog --
    def table_names(self, tx: Tx) -> set[str]: ...
    def column_names(self, tx: Tx, table: str) -> set[str]: ...
    def trigger_names(self, tx: Tx) -> set[str]: ...
    def index_definitions(self, tx: Tx, table: str, but: str) -> list[tuple[str, str]]: ...
    def build_indexes(self, tx: Tx, creates: Sequence[str]) -> None: ...

    # -- SQL spellings --
    def in_list(self, column: str, name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]: ...
    def temp_ids_table(self, name: str) -> str: ...
    def group_concat(self, expr: str, separator_param: str) -> str: ...
    def first_code(self, expr: str) -> str: ...
    def format_function(self) -> str: ...
    def json_object(self, args: str, *, drop_nulls: bool) -> str: ...
    def json_text(self, expr: str) -> str: ...
    def json_int(self, expr: str, key: str) -> str: ...
    def days_between(self, later: str, earlier: str) -> str: ...
    def floor_int(self, expr: str) -> str: ...
    def week_of(self, stamp: str) -> str: ...
    def key_type(self) -> str: ...
    def tags_keys(self) -> str: ...
    def tags_key_of(self, contact_id: str) -> str: ...
    def trend_tag_triggers(self) -> list[str]: ...
    def trend_pair_triggers(self) -> list[str]: ...
    def tags_key_triggers(self) -> list[str]: ...
    def pause_tags_key_added(self, tx: Tx) -> bool: ...
    def resume_tags_key_added(self, tx: Tx) -> None: ...
    def sqlalchemy_dialect(self) -> Any: ...


# -- SQLite ----------------------------------------------------------------------------------


#: ``insert_pairs`` packs a pair of ids as first * _PACK + second (first below _PACK_FIRST).
_PACK = 2**32
_PACK_FIRST = 2**31


#: Whether the last statement SQLite stopped in this thread ("interrupted") was stopped by its
#: connection's deadline. The other way a statement is stopped is ctrl+c: Python raises it in the
#: progress handler (the only Python code that runs while SQLite works), and the sqlite3 module
#: swallows an exception there and stops the statement; ``translate`` raises it again.
_stopped = threading.local()


class _SqliteConnection(sqlite3.Connection):
    """An SQLite connection that stops a statement past its ``deadline`` (monotonic seconds)."""

    deadline = math.inf

    def past_deadline(self) -> int:
        late = time.monotonic() > self.deadline
        _stopped.by_deadline = late
        return 1 if late else 0


#: Sync locks held in this process where no lock file can be made (an in-memory database).
_held: set[tuple[int, str, str]] = set()
_held_lock = threading.Lock()


def cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one): how
    many threads sort a deferred index, whether an import reads its file in a second process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class SqliteEngine:
    """SQLite through the standard library: WAL, foreign keys on, a busy timeout and a time
    bound (a progress handler) on every connection; writers take the lock up front
    (``BEGIN IMMEDIATE``) so two processes queue instead of failing mid-transaction."""

    name = "sqlite"
    row_triggers = True
    refuses_foreign_tables = True
    defers_indexes = True

    # -- connections and transactions -------------------------------------------------------

    def open_target(self, arg: str, target: str) -> tuple[str, str | None]:
        """The file to open (a URL's ``?mode=ro`` taken off) and why it must be read-only, or None;
        a file that is not an SQLite database is refused before anything writes to it."""
        forced = False
        if "://" in target and "?" in arg:
            arg, _, query = arg.partition("?")
            forced = "mode=ro" in query.split("&")
        _check_sqlite_file(arg)
        return arg, _read_only_reason(arg, forced)

    def connect(self, db: Database) -> Any:
        path = db.connect_arg
        if path != ":memory:" and db.read_only is None:
            _create_private(Path(path))
        try:
            options: dict[str, Any] = {
                "isolation_level": None,
                "check_same_thread": False,
                "timeout": db.busy_timeout,
                "factory": _SqliteConnection,
            }
            if db.read_only:
                conn = cast("_SqliteConnection", connect_sqlite_readonly(path, **options))
            else:
                conn = cast("_SqliteConnection", sqlite3.connect(path, **options))
            conn.set_progress_handler(conn.past_deadline, PROGRESS_STEPS)
            conn.execute(f"PRAGMA busy_timeout = {round(db.busy_timeout * 1000)}")
            if db.read_only is None:
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before the first page is written
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute(f"PRAGMA temp.cache_size = -{TEMP_CACHE_KIB}")
            # Once checkpointed, a WAL that a large write grew is cut back to this size.
            conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")
        except sqlite3.DatabaseError as exc:
            raise DatabaseRefused(f"cannot open {path}: {exc}") from exc
        return conn

    def healthy(self, conn: Any) -> bool:
        try:
            return not conn.in_transaction
        except Exception:
            return False

    def bulk_load(self, conn: Any, on: bool) -> None:
        """Outside a transaction: stop (``on``) or start again looking up each row's foreign
        keys (see ``Database.bulk``)."""
        conn.execute(f"PRAGMA foreign_keys = {'OFF' if on else 'ON'}")

    def begin(self, db: Database, tx: Tx, *, write: bool) -> None:
        """A writer takes the write lock here, waiting up to the busy timeout (and saying so
        through ``on_wait`` after a few seconds)."""
        if not write:
            tx.execute("BEGIN")
            return
        if db.read_only is not None:
            raise ReadOnlyDatabase(f"cannot change {db.shown}: {db.read_only}")
        timer = None
        if db.on_wait is not None:
            timer = threading.Timer(min(WAIT_NOTICE_S, db.busy_timeout / 2), db.on_wait)
            timer.daemon = True
            timer.start()
        try:
            tx.execute("BEGIN IMMEDIATE")
        except LockTimeout as exc:
            raise db.busy() from exc
        finally:
            if timer is not None:
                timer.cancel()

    def checkpoint(self, db: Database) -> None:
        """Copy the WAL into the database and cut it to nothing; wait a second at most for
        readers, else leave it to a later checkpoint."""
        with db.borrowed() as conn:
            try:
                conn.execute("PRAGMA busy_timeout = 1000")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass  # a reader still needs the WAL: SQLite's own checkpoints reuse it later
            finally:
                conn.execute(f"PRAGMA busy_timeout = {round(db.busy_timeout * 1000)}")

    def translate(self, db: Database, exc: Exception) -> Exception:
        if isinstance(exc, sqlite3.IntegrityError):
            return IntegrityViolation(str(exc))
        if isinstance(exc, sqlite3.OperationalError) and str(exc) == "interrupted":
            if getattr(_stopped, "by_deadline", False):
                _stopped.by_deadline = False
                return db.too_long()  # the progress handler stopped it for its deadline
            # ctrl+c, raised in the progress handler and swallowed there (see ``_stopped``): a
            # 1,000,000-row import stopped so said "the query took more than 30 s".
            raise KeyboardInterrupt from exc
        if isinstance(exc, sqlite3.OperationalError) and "readonly database" in str(exc):
            return ReadOnlyDatabase(f"cannot change {db.shown}: {_unwritable(db.connect_arg)}")
        if isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc):
            return db.disk_full()
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
            return LockTimeout(str(exc))
        return exc

    @contextlib.contextmanager
    def held(self, db: Database, kind: str, key: str, busy: Exception) -> Iterator[None]:
        """An exclusive ``flock`` on a file beside the database (``<db>-<kind>-<key>.lock``),
        which goes with the process if it dies; ``busy`` is raised at once if another holds it."""
        path = db.connect_arg
        fd: int | None = None
        if path != ":memory:":
            with contextlib.suppress(OSError):  # a read-only folder: the work fails on its writes
                fd = os.open(f"{path}-{kind}-{key}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        if fd is None:
            token = (id(db), kind, key)
            with _held_lock:
                if token in _held:
                    raise busy
                _held.add(token)
            try:
                yield
            finally:
                with _held_lock:
                    _held.discard(token)
            return
        import fcntl

        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise busy from None
            yield
        finally:
            os.close(fd)  # releases the lock

    def peek(self, db: Database) -> tuple[set[str], str | None] | None:
        """The tables and the schema version of an existing file, read without writing to it
        (not even the WAL switch); None for a new or in-memory database."""
        path = db.connect_arg
        if path == ":memory:":
            return None
        p = Path(path)
        if not p.exists() or p.stat().st_size == 0:
            return None
        try:
            conn = connect_sqlite_readonly(path)
            try:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                version = None
                if "tagtui_meta" in tables:
                    row = conn.execute(
                        "SELECT value FROM tagtui_meta WHERE \"key\" = 'schema_version'"
                    ).fetchone()
                    version = row[0] if row else None
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise DatabaseRefused(f"{db.shown} is not a usable SQLite database ({exc}); refusing it") from exc
        return tables, version

    # -- statements -------------------------------------------------------------------------

    def execute(self, conn: Any, sql: str, params: dict[str, Any] | None, budget: float) -> Any:
        conn.deadline = time.monotonic() + budget
        return conn.execute(sql, params or {})

    def executemany(self, conn: Any, sql: str, rows: Sequence[Any], budget: float) -> None:
        """Rows of named parameters (dicts), or of ``?`` parameters in order (tuples)."""
        conn.deadline = time.monotonic() + budget
        conn.executemany(sql, rows)

    def insert_many(
        self,
        conn: Any,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Sequence[Any]],
        suffix: str,
        budget: float,
    ) -> None:
        """One ``executemany``."""
        names = ", ".join(name for name, _ in columns)
        marks = ", ".join("?" * len(columns))
        self.executemany(conn, f"INSERT INTO {table} ({names}) VALUES ({marks}) {suffix}", rows, budget)

    def update_many(
        self,
        conn: Any,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Sequence[Any]],
        also: str,
        budget: float,
    ) -> None:
        """One ``executemany`` (the id last: ``WHERE id = ?``)."""
        sets = ", ".join(f"{name} = ?" for name, _ in columns[1:])
        self.executemany(
            conn,
            f"UPDATE {table} SET {sets}{also} WHERE id = ?",
            [(*row[1:], row[0]) for row in rows],
            budget,
        )

    def insert_pairs(
        self,
        conn: Any,
        table: str,
        columns: tuple[str, str],
        pairs: Sequence[tuple[int, int]],
        same: Mapping[str, Any],
        suffix: str,
        budget: float,
    ) -> None:
        """One ``INSERT … SELECT`` over ``json_each`` of the pairs packed one in an integer
        (first * 2**32 + second): SQLite reads the array in C, where ``executemany`` binds
        and resets the statement per row (a third of the time of an import's tag links). A
        pair that does not pack (an id past 2**31 or 2**32, or below 0) makes it an
        ``executemany``, in the same order either way."""
        first, second = itemgetter(0), itemgetter(1)
        if not (
            min(map(first, pairs)) >= 0
            and max(map(first, pairs)) < _PACK_FIRST
            and min(map(second, pairs)) >= 0
            and max(map(second, pairs)) < _PACK
        ):
            rows = [(a, b, *same.values()) for a, b in pairs]
            self.insert_many(conn, table, [(c, "") for c in (*columns, *same)], rows, suffix, budget)
            return
        names = ", ".join((*columns, *same))
        marks = "".join(f", :{c}" for c in same)
        packed = json.dumps([a * _PACK + b for a, b in pairs])
        conn.deadline = time.monotonic() + budget
        conn.execute(
            f"INSERT INTO {table} ({names}) SELECT value >> 32, value & {_PACK - 1}{marks}"
            f" FROM json_each(:pairs) WHERE true {suffix}",
            {**same, "pairs": packed},
        )

    def stream(
        self, tx: Tx, sql: str, params: dict[str, Any] | None, batch: int
    ) -> Iterator[tuple[Any, ...]]:
        cur = tx.execute(sql, params)
        while True:
            # The time bound is per batch: a long stream is not one query.
            tx.connection.deadline = time.monotonic() + tx.budget
            rows = tx.fetch(cur, lambda c: c.fetchmany(batch))
            if not rows:
                return
            yield from rows

    def lock_rows(self, tx: Tx, table: str, condition: str, params: dict[str, Any] | None) -> None:
        """Nothing: SQLite's writers already run one at a time (``BEGIN IMMEDIATE``)."""

    def analyze_temp(self, tx: Tx, name: str) -> None:
        """Nothing: SQLite plans a temporary table of ids well without statistics."""

    def drop_temp(self, tx: Tx, name: str) -> None:
        """SQLite keeps a temporary table as long as the connection: free its memory now."""
        tx.execute(f"DROP TABLE IF EXISTS temp.{name}")

    def counts_by(
        self, tx: Tx, key: str, source: str, params: dict[str, Any] | None
    ) -> list[tuple[int, int]]:
        """``(key, rows)`` for each integer ``key`` of the rows of ``source`` (``FROM … WHERE …``),
        counted into a temporary table as they are read: GROUP BY would sort them all first,
        which at hundreds of thousands of rows costs SQLite more than reading them."""
        tx.execute("CREATE TEMP TABLE IF NOT EXISTS counted (k INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        tx.execute("DELETE FROM temp.counted")
        # ``AND 1``: an INSERT … SELECT with ON CONFLICT needs the SELECT to end in a WHERE term.
        tx.execute(
            f"INSERT INTO temp.counted (k, n) SELECT {key}, 1 {source} AND 1"
            " ON CONFLICT (k) DO UPDATE SET n = n + 1",
            params,
        )
        rows = [(int(k), int(n)) for k, n in tx.all("SELECT k, n FROM temp.counted")]
        tx.execute("DROP TABLE temp.counted")
        return rows

    def prefer_custom_plans(self, tx: Tx) -> None:
        """Nothing: SQLite plans each statement with its parameters."""

    def _highest_id(self, tx: Tx, table: str) -> int:
        """The highest id ``table`` ever handed out: AUTOINCREMENT never reuses an id below
        ``sqlite_sequence``, and moves it past explicit ids inserted above it."""
        return int(
            tx.scalar(
                f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0),"
                f" COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0))"
            )
        )

    def reserve_ids(self, tx: Tx, table: str, n: int) -> int:
        """The id before ``n`` that are this transaction's alone: the write lock is ours
        (``BEGIN IMMEDIATE``) until it commits."""
        return self._highest_id(tx, table)

    def fresh_ids(self, tx: Tx, table: str, n: int, after: int | None) -> list[int]:
        """``n`` ids for new rows, after ``after`` (the last one handed out in this
        transaction) or after the highest the table ever had (the write lock is ours)."""
        start = (self._highest_id(tx, table) if after is None else after) + 1
        return list(range(start, start + n))

    # -- the catalog ------------------------------------------------------------------------

    def table_names(self, tx: Tx) -> set[str]:
        return {r[0] for r in tx.all("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def column_names(self, tx: Tx, table: str) -> set[str]:
        return {r[1] for r in tx.all(f"PRAGMA table_info({table})")}

    def trigger_names(self, tx: Tx) -> set[str]:
        return {r[0] for r in tx.all("SELECT name FROM sqlite_master WHERE type = 'trigger'")}

    def index_definitions(self, tx: Tx, table: str, but: str) -> list[tuple[str, str]]:
        """``(name, CREATE INDEX statement)`` of the indexes made on ``table`` (not those of its
        keys) but ``but``, by name."""
        return [
            (r[0], r[1])
            for r in tx.all(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
                " AND sql IS NOT NULL AND name != :kept ORDER BY name",
                {"t": table, "kept": but},
            )
        ]

    def build_indexes(self, tx: Tx, creates: Sequence[str]) -> None:
        """Run the ``CREATE INDEX`` statements ``creates`` (a bulk load's deferred indexes), their
        sorts on the machine's cores: SQLite's sorter then sorts and merges the runs it spills in
        helper threads (``PRAGMA threads``, this connection's; back to 0 after). An index of a
        few hundred thousand entries is sorted in one run, where threads change nothing; at
        1,000,000 contacts the eight indexes of an import took 4.2-5.0 s with two threads
        against 5.4-6.1 s without (alternating on one copy)."""
        threads = min(cores(), SORT_THREADS)
        if threads > 1:
            tx.execute(f"PRAGMA threads = {threads}")
        try:
            for create in creates:
                tx.execute(create)
        finally:
            if threads > 1:
                tx.execute("PRAGMA threads = 0")

    # -- SQL spellings ----------------------------------------------------------------------

    def in_list(self, column: str, name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
        # json_each takes any number of values in one parameter (no 32k-variable limit).
        import json

        return (
            f"{column} IN (SELECT value FROM json_each(:{name}))",
            {name: json.dumps(list(values))},
        )

    def temp_ids_table(self, name: str) -> str:
        return f"CREATE TEMP TABLE IF NOT EXISTS {name} (id INTEGER PRIMARY KEY)"

    def group_concat(self, expr: str, separator_param: str) -> str:
        return f"group_concat({expr}, :{separator_param})"

    def first_code(self, expr: str) -> str:
        return f"unicode({expr})"

    def format_function(self) -> str:
        return "printf"

    def json_object(self, args: str, *, drop_nulls: bool) -> str:
        # json_patch drops the members of its patch that are null (RFC 7396).
        return f"json_patch('{{}}', json_object({args}))" if drop_nulls else f"json_object({args})"

    def json_text(self, expr: str) -> str:
        return f"json_quote({expr})"  # NULL is null

    def json_int(self, expr: str, key: str) -> str:
        return f"json_extract({expr}, '$.{key}')"

    def days_between(self, later: str, earlier: str) -> str:
        return f"(julianday({later}) - julianday({earlier}))"

    def floor_int(self, expr: str) -> str:
        return f"CAST({expr} AS INTEGER)"

    def week_of(self, stamp: str) -> str:
        return f"CAST((julianday({stamp}) - {EPOCH_JULIAN}) / 7 AS INTEGER)"

    def key_type(self) -> str:
        return "VARCHAR"

    def tags_keys(self) -> str:
        """Each contact's ``tags_key`` in one pass over the links in (contact, name) order,
        grouped: not a subquery per contact (``contact_id, key``)."""
        links = (
            "SELECT ct.contact_id, t.name_key FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id"
            " ORDER BY ct.contact_id, t.name_key, t.id"
        )
        joined = "group_concat(name_key, char(31))"
        return f"SELECT contact_id, {joined} AS key FROM ({links}) GROUP BY contact_id"

    def tags_key_of(self, contact_id: str) -> str:
        # SQLite (3.40) has no ORDER BY inside group_concat: it joins in the order of the subquery.
        return (
            "(SELECT group_concat(k, char(31)) FROM (SELECT t.name_key AS k FROM contact_tag ct"
            f" JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id = {contact_id} ORDER BY t.name_key, t.id))"
        )

    def trend_tag_triggers(self) -> list[str]:
        """Row triggers."""
        add = (
            "INSERT INTO trend_tag (tag_id, week, n) VALUES (NEW.tag_id, {w}, 1)"
            " ON CONFLICT (tag_id, week) DO UPDATE SET n = n + 1;"
        ).format(w=self.week_of("NEW.created_at"))
        take = "UPDATE trend_tag SET n = n - 1 WHERE tag_id = OLD.tag_id AND week = {w};".format(
            w=self.week_of("OLD.created_at")
        )
        return [
            f"CREATE TRIGGER trend_tag_added AFTER INSERT ON contact_tag BEGIN {add} END",
            f"CREATE TRIGGER trend_tag_removed AFTER DELETE ON contact_tag BEGIN {take} END",
            "CREATE TRIGGER trend_tag_changed AFTER UPDATE OF tag_id, created_at ON contact_tag"
            f" BEGIN {take} {add} END",
        ]

    def trend_pair_triggers(self) -> list[str]:
        """Row triggers. An assignment made pairs its tag with each other tag its contact has,
        both ways (each pair in the week of the assignment of its second tag); one taken away
        unpairs them (its contact's other tags are those left: the row is gone). An update is
        a removal (of the old row, against the contact's tags but the new row) and an addition.
        A count that falls to 0 goes. A deleted contact is noted in ``trend_gone`` (unless its
        workspace goes with it), and forgotten when it is there again."""
        w = self.week_of

        def add(row: str) -> str:
            partners = (
                f"FROM contact_tag ct WHERE ct.contact_id = {row}.contact_id AND ct.tag_id <> {row}.tag_id"
            )
            return (
                f"INSERT INTO trend_pair (tag_id, other_id, week, n) SELECT ct.tag_id, {row}.tag_id,"
                f" {w(row + '.created_at')}, 1 {partners} UNION ALL SELECT {row}.tag_id, ct.tag_id,"
                f" {w('ct.created_at')}, 1 {partners}"
                " ON CONFLICT (tag_id, other_id, week) DO UPDATE SET n = n + 1;"
            )

        def take(row: str, but: str = "") -> str:
            partners = (
                f"FROM contact_tag ct WHERE ct.contact_id = {row}.contact_id AND ct.tag_id <> {row}.tag_id"
                + but
            )
            return (
                f"UPDATE trend_pair SET n = n - 1 WHERE other_id = {row}.tag_id"
                f" AND week = {w(row + '.created_at')} AND tag_id IN (SELECT ct.tag_id {partners});"
                f" UPDATE trend_pair SET n = n - 1 WHERE tag_id = {row}.tag_id"
                f" AND (other_id, week) IN (SELECT ct.tag_id, {w('ct.created_at')} {partners});"
                " DELETE FROM trend_pair WHERE n = 0;"
            )

        new_row = " AND NOT (ct.contact_id = NEW.contact_id AND ct.tag_id = NEW.tag_id)"
        return [
            f"CREATE TRIGGER trend_pair_added AFTER INSERT ON contact_tag BEGIN {add('NEW')} END",
            f"CREATE TRIGGER trend_pair_removed AFTER DELETE ON contact_tag BEGIN {take('OLD')} END",
            "CREATE TRIGGER trend_pair_changed AFTER UPDATE OF contact_id, tag_id, created_at ON contact_tag"
            f" BEGIN {take('OLD', new_row)} {add('NEW')} END",
            "CREATE TRIGGER trend_gone_noted AFTER DELETE ON contact BEGIN"
            " INSERT INTO trend_gone (workspace_id, contact_id) SELECT OLD.workspace_id, OLD.id"
            " WHERE EXISTS (SELECT 1 FROM workspace w WHERE w.id = OLD.workspace_id)"
            " ON CONFLICT (workspace_id, contact_id) DO NOTHING; END",
            "CREATE TRIGGER trend_gone_back AFTER INSERT ON contact WHEN EXISTS (SELECT 1 FROM trend_gone)"
            " BEGIN DELETE FROM trend_gone WHERE workspace_id = NEW.workspace_id"
            " AND contact_id = NEW.id; END",
        ]

    def tags_key_triggers(self) -> list[str]:
        renamed = (
            f"UPDATE contact SET tags_key = {self.tags_key_of('contact.id')}"
            " WHERE id IN (SELECT contact_id FROM contact_tag WHERE tag_id = NEW.id);"
        )

        def refresh_one(row: str) -> str:
            return f"UPDATE contact SET tags_key = {self.tags_key_of(row)} WHERE id = {row};"

        return [
            "CREATE TRIGGER contact_tags_key_added AFTER INSERT ON contact_tag"
            f" BEGIN {refresh_one('NEW.contact_id')} END",
            "CREATE TRIGGER contact_tags_key_removed AFTER DELETE ON contact_tag"
            f" BEGIN {refresh_one('OLD.contact_id')} END",
            "CREATE TRIGGER contact_tags_key_changed AFTER UPDATE OF contact_id, tag_id ON contact_tag"
            f" BEGIN {refresh_one('OLD.contact_id')} {refresh_one('NEW.contact_id')} END",
            "CREATE TRIGGER contact_tags_key_renamed AFTER UPDATE OF name_key ON tag"
            f" WHEN OLD.name_key IS NOT NEW.name_key BEGIN {renamed} END",
        ]

    def pause_tags_key_added(self, tx: Tx) -> bool:
        """Turn off, until ``resume_tags_key_added`` in the same transaction, the trigger that
        rewrites a contact's ``tags_key`` at each tag it is given: for a bulk write that writes
        each new contact's ``tags_key`` with it and gives tags to those contacts only. SQLite:
        the row trigger is dropped (no other connection sees it gone: the write lock is ours).
        Whether it was on."""
        if "contact_tags_key_added" not in self.trigger_names(tx):
            return False
        tx.execute("DROP TRIGGER contact_tags_key_added")
        return True

    def resume_tags_key_added(self, tx: Tx) -> None:
        (create,) = (
            d for d in self.tags_key_triggers() if d.startswith("CREATE TRIGGER contact_tags_key_added ")
        )
        tx.execute(create)

    def sqlalchemy_dialect(self) -> Any:
        from sqlalchemy.dialects import sqlite

        return sqlite.dialect()


# -- PostgreSQL ------------------------------------------------------------------------------


#: The setting that pauses PostgreSQL's trigger of an added tag (``pause_tags_key_added``).
_KEYS_PAUSED = "tagtui.tags_key_paused"


@functools.lru_cache(maxsize=1024)
def _to_pyformat(sql: str) -> str:
    """``:name`` parameters -> psycopg's ``%(name)s``; literal ``%`` doubled."""
    sql = sql.replace("%", "%%")
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)


class PostgresEngine:
    """PostgreSQL through psycopg (imported on first connection): autocommit connections on
    which the store begins its own transactions, each statement bounded by the server's
    ``statement_timeout``; writers run side by side (READ COMMITTED) and lock the rows they
    read to write over."""

    name = "postgresql"
    row_triggers = False
    refuses_foreign_tables = False
    defers_indexes = False

    # -- connections and transactions -------------------------------------------------------

    def open_target(self, arg: str, target: str) -> tuple[str, str | None]:
        return arg, None

    def connect(self, db: Database) -> Any:
        import psycopg

        from tagtui.store.urls import scrub

        options: dict[str, Any] = {}
        if "connect_timeout=" not in db.connect_arg.partition("?")[2]:
            # libpq counts whole seconds, and treats anything below 2 as 2.
            options["connect_timeout"] = max(1, math.ceil(db.connect_timeout))
        try:
            conn = psycopg.connect(db.connect_arg, autocommit=True, **options)
            # No JIT: tagtui's statements are a screen's page, a count, or one set-based write;
            # compiling one took longer than running it (tests/store/test_query_limits.py,
            # bulk changes of 10,000 contacts: 58 -> 38 s for the set of tests in the commit).
            conn.execute(
                f"SET statement_timeout = {max(1, math.ceil(db.query_timeout * 1000))}; SET jit = off"
            )
            return conn
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if "timeout expired" in first:
                waited = options.get("connect_timeout")
                first = (
                    f"the server did not answer{f' within {waited} s' if waited else ''}"
                    " (TAGTUI_CONNECT_TIMEOUT, or connect_timeout in the URL, sets how long to wait)"
                )
            raise DatabaseRefused(f"cannot connect to {db.shown}: {scrub(first, db.target)}") from exc

    def healthy(self, conn: Any) -> bool:
        try:
            return not conn.closed and conn.info.transaction_status == 0
        except Exception:
            return False

    def bulk_load(self, conn: Any, on: bool) -> None:
        """Nothing: PostgreSQL keeps its checks (turning them off takes a superuser's rights)."""

    def begin(self, db: Database, tx: Tx, *, write: bool) -> None:
        tx.execute("BEGIN; SET LOCAL statement_timeout = 0" if tx.budget == math.inf else "BEGIN")

    def checkpoint(self, db: Database) -> None:
        """Nothing to do."""

    def translate(self, db: Database, exc: Exception) -> Exception:
        import psycopg.errors as pe

        if isinstance(exc, pe.IntegrityError):
            return IntegrityViolation(str(exc))
        if isinstance(exc, pe.SerializationFailure | pe.DeadlockDetected | pe.LockNotAvailable):
            return TransientError(str(exc))
        if isinstance(exc, pe.QueryCanceled) and "statement timeout" in str(exc):
            return db.too_long()
        if isinstance(exc, pe.DiskFull):
            return db.disk_full()
        if isinstance(exc, pe.ReadOnlySqlTransaction):
            return ReadOnlyDatabase(f"cannot change {db.shown}: the server is read-only (a standby?)")
        if isinstance(exc, pe.AdminShutdown | pe.CrashShutdown | pe.OperationalError) and (
            isinstance(exc, pe.AdminShutdown | pe.CrashShutdown) or _connection_gone(exc)
        ):
            return Disconnected(str(exc))
        return exc

    @contextlib.contextmanager
    def held(self, db: Database, kind: str, key: str, busy: Exception) -> Iterator[None]:
        """A session advisory lock, keyed by the schema, ``kind`` and ``key``, on a connection
        of its own (two schemas of one database each have their own address book 1). ``busy``
        is raised at once if another holds it. The lock is given back before the connection
        closes: a closed connection's server process lets go of it only as it exits, after
        ``close`` has returned, and a sync started at once would find it still held.
        A process that dies loses the connection and, with it, the lock."""
        lock_key = f"hashtextextended(current_schema() || ':tagtui-{kind}:' || %s, 0)"
        conn = self.connect(db)
        got = False
        try:
            row = conn.execute(f"SELECT pg_try_advisory_lock({lock_key})", (key,)).fetchone()
            got = bool(row and row[0])
            if not got:
                raise busy
            yield
        finally:
            with contextlib.suppress(Exception):
                if got:
                    conn.execute(f"SELECT pg_advisory_unlock({lock_key})", (key,))
            with contextlib.suppress(Exception):
                conn.close()

    def peek(self, db: Database) -> tuple[set[str], str | None] | None:
        """Nothing to look at before connecting: a server refuses what is not allowed."""
        return None

    # -- statements -------------------------------------------------------------------------

    def execute(self, conn: Any, sql: str, params: dict[str, Any] | None, budget: float) -> Any:
        cur = conn.cursor()
        cur.execute(_to_pyformat(sql) if params else sql, params or None)
        return cur

    def executemany(self, conn: Any, sql: str, rows: Sequence[dict[str, Any]], budget: float) -> None:
        with conn.cursor() as cur:
            cur.executemany(_to_pyformat(sql), rows)

    def insert_many(
        self,
        conn: Any,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Sequence[Any]],
        suffix: str,
        budget: float,
    ) -> None:
        """One statement: ``unnest`` of one array per column (one round trip, and a statement
        trigger fires once)."""
        names, arrays, values = _unnest(columns, rows)
        with conn.cursor() as cur:
            cur.execute(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {suffix}", values)

    def update_many(
        self,
        conn: Any,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Sequence[Any]],
        also: str,
        budget: float,
    ) -> None:
        """One statement: ``UPDATE … FROM unnest`` of one array per column, joined by id (which
        the rows must not repeat: a row of the table is updated once by one statement)."""
        names, arrays, values = _unnest(columns, rows)
        sets = ", ".join(f"{name} = v.{name}" for name, _ in columns[1:])
        with conn.cursor() as cur:
            cur.execute(
                f"UPDATE {table} SET {sets}{also} FROM unnest({arrays}) AS v({names})"
                f" WHERE {table}.id = v.id",
                values,
            )

    def insert_pairs(
        self,
        conn: Any,
        table: str,
        columns: tuple[str, str],
        pairs: Sequence[tuple[int, int]],
        same: Mapping[str, Any],
        suffix: str,
        budget: float,
    ) -> None:
        """As ``insert_many``: ``unnest`` of the two columns, ``same`` a parameter each."""
        names = ", ".join((*columns, *same))
        marks = "".join(", %s" for _ in same)
        with conn.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} ({names}) SELECT u.a, u.b{marks}"
                f" FROM unnest(%s::bigint[], %s::bigint[]) AS u(a, b) {suffix}",
                [*same.values(), [a for a, _ in pairs], [b for _, b in pairs]],
            )

    def stream(
        self, tx: Tx, sql: str, params: dict[str, Any] | None, batch: int
    ) -> Iterator[tuple[Any, ...]]:
        """Through a server-side cursor: a plain one would fetch every row first."""
        try:
            with tx.connection.cursor(name=tx.fresh_name("tagtui_stream")) as cur:
                cur.itersize = batch
                cur.execute(_to_pyformat(sql) if params else sql, params or None)
                while True:
                    rows = cur.fetchmany(batch)
                    if not rows:
                        return
                    yield from rows
        except Exception as exc:
            raise tx.db.translate(exc) from exc

    def lock_rows(self, tx: Tx, table: str, condition: str, params: dict[str, Any] | None) -> None:
        alias = table.split()[-1]
        tx.execute(f"SELECT 1 FROM {table} WHERE {condition} ORDER BY {alias}.id FOR UPDATE", params)

    def analyze_temp(self, tx: Tx, name: str) -> None:
        tx.execute(f"ANALYZE {name}")  # a fresh temporary table has no statistics

    def drop_temp(self, tx: Tx, name: str) -> None:
        """Nothing: the table goes at the end of the transaction (``ON COMMIT DROP``)."""

    def counts_by(
        self, tx: Tx, key: str, source: str, params: dict[str, Any] | None
    ) -> list[tuple[int, int]]:
        """``(key, rows)`` for each integer ``key`` of the rows of ``source`` (``FROM … WHERE …``):
        GROUP BY, which PostgreSQL counts in a hash table."""
        return [
            (int(k), int(n)) for k, n in tx.all(f"SELECT {key}, COUNT(*) {source} GROUP BY {key}", params)
        ]

    def prefer_custom_plans(self, tx: Tx) -> None:
        # psycopg prepares a statement run five times, and the server may then keep one
        # generic plan: made while a bulk write's first rows were all the table held, a
        # sequential scan that each later batch pays over every row written before it.
        tx.execute("SET LOCAL plan_cache_mode = force_custom_plan")

    def reserve_ids(self, tx: Tx, table: str, n: int) -> int:
        """Keep other writers out of the id range while it is reserved and filled."""
        tx.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        seq = f"pg_get_serial_sequence('{table}', 'id')"
        return int(
            tx.scalar(
                f"SELECT setval({seq}, GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}),"
                f" nextval({seq}) - 1) + {n}) - {n}"
            )
        )

    def fresh_ids(self, tx: Tx, table: str, n: int, after: int | None) -> list[int]:
        """The sequence hands out ids no other writer gets (unused ones are gaps)."""
        return [
            r[0]
            for r in tx.all(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, {n})"
            )
        ]

    # -- the catalog ------------------------------------------------------------------------

    def table_names(self, tx: Tx) -> set[str]:
        rows = tx.all(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        return {r[0] for r in rows}

    def column_names(self, tx: Tx, table: str) -> set[str]:
        rows = tx.all(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = :t",
            {"t": table},
        )
        return {r[0] for r in rows}

    def trigger_names(self, tx: Tx) -> set[str]:
        return {
            r[0]
            for r in tx.all(
                "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
            )
        }

    def index_definitions(self, tx: Tx, table: str, but: str) -> list[tuple[str, str]]:
        """``(name, CREATE INDEX statement)`` of the indexes of ``table`` that no constraint
        owns, but ``but``, by name."""
        return [
            (r[0], r[1])
            for r in tx.all(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema()"
                " AND i.tablename = :t AND i.indexname != :kept AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
                " WHERE k.conname = i.indexname AND k.connamespace = current_schema()::regnamespace)"
                " ORDER BY i.indexname",
                {"t": table, "kept": but},
            )
        ]

    def build_indexes(self, tx: Tx, creates: Sequence[str]) -> None:
        """Run the ``CREATE INDEX`` statements ``creates`` (PostgreSQL builds with its own workers)."""
        for create in creates:
            tx.execute(create)

    # -- SQL spellings ----------------------------------------------------------------------

    def in_list(self, column: str, name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
        return f"{column} = ANY(:{name})", {name: list(values)}

    def temp_ids_table(self, name: str) -> str:
        return f"CREATE TEMP TABLE IF NOT EXISTS {name} (id BIGINT PRIMARY KEY) ON COMMIT DROP"

    def group_concat(self, expr: str, separator_param: str) -> str:
        return f"string_agg({expr}, :{separator_param})"

    def first_code(self, expr: str) -> str:
        return f"ascii({expr})"

    def format_function(self) -> str:
        return "format"

    def json_object(self, args: str, *, drop_nulls: bool) -> str:
        built = f"json_build_object({args})"
        return f"CAST({'json_strip_nulls(' + built + ')' if drop_nulls else built} AS TEXT)"

    def json_text(self, expr: str) -> str:
        return f"COALESCE(CAST(to_json({expr}) AS TEXT), 'null')"

    def json_int(self, expr: str, key: str) -> str:
        return f"CAST(CAST({expr} AS JSON) ->> '{key}' AS BIGINT)"

    def days_between(self, later: str, earlier: str) -> str:
        return (
            f"(EXTRACT(EPOCH FROM (CAST({later} AS TIMESTAMPTZ) - CAST({earlier} AS TIMESTAMPTZ))) / 86400.0)"
        )

    def floor_int(self, expr: str) -> str:
        return f"CAST(FLOOR({expr}) AS INTEGER)"

    def week_of(self, stamp: str) -> str:
        return (
            f"CAST(FLOOR(EXTRACT(EPOCH FROM (CAST({stamp} AS TIMESTAMPTZ)"
            " - CAST('2000-01-03T00:00:00Z' AS TIMESTAMPTZ))) / 604800) AS INTEGER)"
        )

    def key_type(self) -> str:
        return 'VARCHAR COLLATE "C"'

    def tags_keys(self) -> str:
        joined = "string_agg(t.name_key, chr(31) ORDER BY t.name_key, t.id)"
        source = "contact_tag ct JOIN tag t ON t.id = ct.tag_id GROUP BY ct.contact_id"
        return f"SELECT ct.contact_id, {joined} AS key FROM {source}"

    def tags_key_of(self, contact_id: str) -> str:
        return (
            "(SELECT string_agg(t.name_key, chr(31) ORDER BY t.name_key, t.id) FROM contact_tag ct"
            f" JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id = {contact_id})"
        )

    def trend_tag_triggers(self) -> list[str]:
        """Statement triggers over transition tables, one upsert a statement."""
        week = self.week_of("created_at")
        add = (
            f"INSERT INTO trend_tag (tag_id, week, n) SELECT tag_id, {week}, COUNT(*) FROM {{t}}"
            " GROUP BY 1, 2 ON CONFLICT (tag_id, week) DO UPDATE SET n = trend_tag.n + excluded.n;"
        )
        take = (
            f"UPDATE trend_tag SET n = trend_tag.n - r.c FROM (SELECT tag_id, {week} AS week, COUNT(*) AS c"
            " FROM {t} GROUP BY 1, 2) r WHERE trend_tag.tag_id = r.tag_id AND trend_tag.week = r.week;"
        )
        out = []
        for name, event, refs, body in (
            ("added", "INSERT", "NEW TABLE AS trend_new", add.format(t="trend_new")),
            ("removed", "DELETE", "OLD TABLE AS trend_old", take.format(t="trend_old")),
            (
                "changed",
                "UPDATE",
                "OLD TABLE AS trend_old NEW TABLE AS trend_new",
                take.format(t="trend_old") + " " + add.format(t="trend_new"),
            ),
        ):
            out.append(
                f"CREATE FUNCTION trend_tag_{name}() RETURNS trigger LANGUAGE plpgsql AS"
                f" $body$ BEGIN {body} RETURN NULL; END $body$"
            )
            out.append(
                f"CREATE TRIGGER trend_tag_{name} AFTER {event} ON contact_tag REFERENCING {refs}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION trend_tag_{name}()"
            )
        return out

    def trend_pair_triggers(self) -> list[str]:
        """Statement triggers over transition tables, one upsert a statement: the pairs a set
        of assignments ``d`` forms with the tags of their contacts ``s`` (``d`` among them) are
        (a tag of ``s``, a tag of ``d``) and (a tag of ``d``, a tag of ``s`` not in ``d``); made
        when ``d`` comes (``s``: the table after), taken when it goes (``s``: the table after,
        and ``d``). An update takes the old rows from the table but the new ones, then adds
        the new; a count that falls to 0 goes. A deleted contact is noted in ``trend_gone``, and
        forgotten when it is there again."""
        week = self.week_of

        def pairs(d: str, s: str, sign: str) -> str:
            others = f"{d} d JOIN {s} a ON a.contact_id = d.contact_id AND a.tag_id <> d.tag_id"
            return (
                "INSERT INTO trend_pair (tag_id, other_id, week, n) SELECT tag_id, other_id, week, SUM(n)"
                f" FROM (SELECT a.tag_id, d.tag_id AS other_id, {week('d.created_at')} AS week, {sign} AS n"
                f" FROM {others} UNION ALL SELECT d.tag_id, a.tag_id, {week('a.created_at')}, {sign} FROM"
                f" {others} WHERE NOT EXISTS (SELECT 1 FROM {d} x WHERE x.contact_id = a.contact_id"
                " AND x.tag_id = a.tag_id)) p GROUP BY tag_id, other_id, week"
                " ON CONFLICT (tag_id, other_id, week) DO UPDATE SET n = trend_pair.n + excluded.n;"
            )

        # The table as it was before an update's new rows came (and with the old ones, gone).
        but_new = (
            "(SELECT y.* FROM contact_tag y WHERE NOT EXISTS (SELECT 1 FROM pair_new x"
            " WHERE x.contact_id = y.contact_id AND x.tag_id = y.tag_id) UNION ALL SELECT * FROM pair_old)"
        )
        gone = "(SELECT * FROM contact_tag UNION ALL SELECT * FROM pair_old)"
        emptied = " DELETE FROM trend_pair WHERE n = 0;"
        out = []
        for name, event, refs, body in (
            ("added", "INSERT", "NEW TABLE AS pair_new", pairs("pair_new", "contact_tag", "1")),
            ("removed", "DELETE", "OLD TABLE AS pair_old", pairs("pair_old", gone, "-1") + emptied),
            (
                "changed",
                "UPDATE",
                "OLD TABLE AS pair_old NEW TABLE AS pair_new",
                pairs("pair_old", but_new, "-1") + " " + pairs("pair_new", "contact_tag", "1") + emptied,
            ),
        ):
            out.append(
                f"CREATE FUNCTION trend_pair_{name}() RETURNS trigger LANGUAGE plpgsql AS"
                f" $body$ BEGIN {body} RETURN NULL; END $body$"
            )
            out.append(
                f"CREATE TRIGGER trend_pair_{name} AFTER {event} ON contact_tag REFERENCING {refs}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION trend_pair_{name}()"
            )
        out.append(
            "CREATE FUNCTION trend_gone_noted() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN"
            " INSERT INTO trend_gone (workspace_id, contact_id)"
            " SELECT g.workspace_id, g.id FROM gone_contact g"
            " WHERE EXISTS (SELECT 1 FROM workspace w WHERE w.id = g.workspace_id)"
            " ON CONFLICT (workspace_id, contact_id) DO NOTHING; RETURN NULL; END $body$"
        )
        out.append(
            "CREATE TRIGGER trend_gone_noted AFTER DELETE ON contact REFERENCING OLD TABLE AS gone_contact"
            " FOR EACH STATEMENT EXECUTE FUNCTION trend_gone_noted()"
        )
        out.append(
            "CREATE FUNCTION trend_gone_back() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN"
            " IF EXISTS (SELECT 1 FROM trend_gone) THEN DELETE FROM trend_gone g USING back_contact b"
            " WHERE g.workspace_id = b.workspace_id AND g.contact_id = b.id; END IF; RETURN NULL; END $body$"
        )
        out.append(
            "CREATE TRIGGER trend_gone_back AFTER INSERT ON contact REFERENCING NEW TABLE AS back_contact"
            " FOR EACH STATEMENT EXECUTE FUNCTION trend_gone_back()"
        )
        return out

    def tags_key_triggers(self) -> list[str]:
        """Statement triggers over transition tables. A statement's contacts are refreshed by
        one ``EXECUTE``d UPDATE: planned at each run with the sizes of that moment (a plan
        plpgsql cached at its first run, made while the table was small, scanned every contact
        at each later run), their keys made in one grouped join (not a subquery per contact,
        run twice when compared), writing only the contacts whose key changed; without JIT
        (compiling it took longer than a batch's refresh). The trigger of an
        added tag does nothing while a bulk write that keys its contacts itself has paused it
        (``pause_tags_key_added``: a setting of its own transaction)."""
        renamed = (
            f"UPDATE contact SET tags_key = {self.tags_key_of('contact.id')}"
            " WHERE id IN (SELECT contact_id FROM contact_tag WHERE tag_id = NEW.id);"
        )
        keys = (
            "SELECT n.contact_id, string_agg(t.name_key, chr(31) ORDER BY t.name_key, t.id) AS key"
            " FROM (SELECT DISTINCT contact_id FROM {t}) n"
            " LEFT JOIN contact_tag ct ON ct.contact_id = n.contact_id"
            " LEFT JOIN tag t ON t.id = ct.tag_id GROUP BY n.contact_id"
        )
        refresh = (
            f"EXECUTE 'UPDATE contact SET tags_key = k.key FROM ({keys}) k"
            " WHERE contact.id = k.contact_id AND contact.tags_key IS DISTINCT FROM k.key';"
        )
        paused = f"IF current_setting('{_KEYS_PAUSED}', true) = 'on' THEN RETURN NULL; END IF; "
        out = []
        for name, event, refs, body in (
            ("added", "INSERT", "NEW TABLE AS key_new", paused + refresh.format(t="key_new")),
            ("removed", "DELETE", "OLD TABLE AS key_old", refresh.format(t="key_old")),
            (
                "changed",
                "UPDATE",
                "OLD TABLE AS key_old NEW TABLE AS key_new",
                refresh.format(
                    t="(SELECT contact_id FROM key_old UNION ALL SELECT contact_id FROM key_new) x"
                ),
            ),
        ):
            out.append(
                f"CREATE FUNCTION contact_tags_key_{name}() RETURNS trigger LANGUAGE plpgsql"
                " SET jit = off AS"
                f" $body$ BEGIN {body} RETURN NULL; END $body$"
            )
            out.append(
                f"CREATE TRIGGER contact_tags_key_{name} AFTER {event} ON contact_tag REFERENCING {refs}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION contact_tags_key_{name}()"
            )
        out.append(
            "CREATE FUNCTION contact_tags_key_renamed() RETURNS trigger LANGUAGE plpgsql AS"
            f" $body$ BEGIN {renamed} RETURN NULL; END $body$"
        )
        out.append(
            "CREATE TRIGGER contact_tags_key_renamed AFTER UPDATE OF name_key ON tag FOR EACH ROW"
            " WHEN (OLD.name_key IS DISTINCT FROM NEW.name_key) EXECUTE FUNCTION contact_tags_key_renamed()"
        )
        return out

    def pause_tags_key_added(self, tx: Tx) -> bool:
        """A setting of this transaction alone that the trigger reads (``tags_key_triggers``):
        other connections' writes keep their trigger, and no lock is taken."""
        tx.execute(f"SELECT set_config('{_KEYS_PAUSED}', 'on', true)")
        return True

    def resume_tags_key_added(self, tx: Tx) -> None:
        tx.execute(f"SELECT set_config('{_KEYS_PAUSED}', 'off', true)")

    def sqlalchemy_dialect(self) -> Any:
        from sqlalchemy.dialects import postgresql

        make: Any = postgresql.dialect  # untyped
        return make()


SQLITE = SqliteEngine()
POSTGRES = PostgresEngine()
ENGINES: dict[str, Engine] = {engine.name: engine for engine in (SQLITE, POSTGRES)}


def engine_named(name: str) -> Engine:
    """The engine of SQLAlchemy's dialect name ``name`` (``sqlite``, ``postgresql``)."""
    return ENGINES[name]


def engine_for(target: str) -> tuple[Engine, str]:
    """A file path or SQLAlchemy-style URL -> (engine, driver connect argument)."""
    if "://" not in target:
        return SQLITE, str(Path(target).expanduser())
    scheme, rest = target.split("://", 1)
    base = scheme.split("+", 1)[0].lower()
    if base == "sqlite":
        # sqlite:///relative.db, sqlite:////absolute.db, sqlite:// (in memory)
        path = rest[1:] if rest.startswith("/") else rest
        return SQLITE, path or ":memory:"
    if base in ("postgresql", "postgres"):
        return POSTGRES, _pg_conninfo(rest)
    raise DatabaseRefused(
        f"unsupported database URL scheme {scheme!r}: use a file path, sqlite:///PATH"
        " or postgresql+psycopg://USER@HOST/DB"
    )


# -- SQLite files ----------------------------------------------------------------------------


def _writable(path: Path) -> bool:
    """Whether this process (its effective user) may write ``path``."""
    if os.access in os.supports_effective_ids:
        return os.access(path, os.W_OK, effective_ids=True)
    return os.access(path, os.W_OK)


def _unwritable(connect_arg: str) -> str:
    """Which file beside an SQLite database refuses writes, and how to fix it."""
    path = Path(connect_arg)
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
    conn: sqlite3.Connection = sqlite3.connect(sqlite_readonly_uri(path), uri=True, **options)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc) and "unable to open" not in str(exc):
            conn.close()
            raise
    conn.close()
    immutable: sqlite3.Connection = sqlite3.connect(
        sqlite_readonly_uri(path, immutable=True), uri=True, **options
    )
    return immutable


def _unnest(
    columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]
) -> tuple[str, str, list[list[Any]]]:
    """PostgreSQL: the column names, an ``unnest`` argument per column (``%s::type[]``) and
    its array of values, for ``rows`` in the order of ``columns``."""
    names = ", ".join(name for name, _ in columns)
    arrays = ", ".join(f"%s::{kind}[]" for _, kind in columns)
    return names, arrays, [list(values) for values in zip(*rows, strict=True)]


# -- PostgreSQL URLs and errors --------------------------------------------------------------


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


def _pg_conninfo(rest: str) -> str:
    """The URL psycopg gets: a raw ``@`` in the user or password percent-encoded, since libpq
    takes the FIRST ``@`` as the end of the password (and would then try to reach a host
    named after the rest of it)."""
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    end = authority.rfind("@")
    if end > 0 and "@" in rest[:end]:
        rest = rest[:end].replace("@", "%40") + rest[end:]
    return "postgresql://" + rest
