"""Connections and transactions: a small pool per database, one transaction per operation,
retried whole on a transient failure, and every driver error said in a user's words.

SQL elsewhere in the store is written once, in the subset both engines share, with
``:name`` parameters; what differs between SQLite and PostgreSQL is the engine's
(``tagtui.store.engines``): ``Database.engine`` adapts the SQL to its driver.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import Any, TypeVar

from tagtui.store.engines import Disconnected, Engine, engine_for
from tagtui.store.engines import IntegrityViolation as IntegrityViolation
from tagtui.store.engines import LockTimeout as LockTimeout
from tagtui.store.engines import TransientError as TransientError
from tagtui.store.errors import (
    ConnectionLost,
    DatabaseBusy,
    DiskFull,
    QueryTimeout,
    ValidationError,
)
from tagtui.store.urls import redact_url as redact_url  # where the CLI and the app look for them
from tagtui.store.urls import scrub as scrub
from tagtui.store.urls import url_secrets as url_secrets

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


class Tx:
    """One open transaction on one connection."""

    #: The undo step the store's changes in this transaction join (the store sets it while an
    #: operation runs; ``None``: none).
    undo_step: int | None = None

    def __init__(self, db: Database, conn: Any, *, rehearsal: bool = False) -> None:
        self.db = db
        self._conn = conn
        #: A rehearsal's transaction is always rolled back; each operation inside it gets a savepoint.
        self.rehearsal = rehearsal
        self._names = 0
        #: What a part of the store keeps for the rest of this transaction, by name (trends:
        #: the size of its selection, the workspace's contacts, whether its REST table is used).
        self.memo: dict[str, Any] = {}
        #: Seconds each statement may take (SQLite; PostgreSQL's server counts them itself).
        self.budget = math.inf if getattr(db._local, "unbounded", False) else db.query_timeout

    @property
    def connection(self) -> Any:
        """The driver's connection (for the engine)."""
        return self._conn

    def fresh_name(self, prefix: str) -> str:
        """A name no savepoint or cursor of this transaction has had: ``prefix`` and a number."""
        self._names += 1
        return f"{prefix}{self._names}"

    def _engine(self, method: Callable[..., T], *args: Any) -> T:
        """``method`` of the engine on this transaction's connection and time bound, its
        errors translated (``Database.translate``)."""
        try:
            return method(self._conn, *args, self.budget)
        except Exception as exc:
            raise self.db.translate(exc) from exc

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        return self._engine(self.db.engine.execute, sql, params)

    def executemany(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self._engine(self.db.engine.executemany, sql, rows)

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
        if rows:
            self._engine(self.db.engine.insert_many, table, columns, rows, suffix)

    def update_many(
        self,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Sequence[Any]],
        also: str = "",
    ) -> None:
        """Update rows of ``table`` by id: ``rows`` are tuples in the order of ``columns``
        (``("id", "bigint")`` first, then each column set, with the type of its PostgreSQL
        array), ``also`` more of the SET clause (``", rev = rev + 1"``). One statement on
        PostgreSQL (``UPDATE … FROM unnest``), so no id may come twice; one ``executemany`` on
        SQLite."""
        if columns[0][0] != "id":
            raise ValueError("update_many's first column is the id")
        if rows:
            self._engine(self.db.engine.update_many, table, columns, rows, also)

    def insert_pairs(
        self,
        table: str,
        columns: tuple[str, str],
        pairs: Sequence[tuple[int, int]],
        same: Mapping[str, Any],
        suffix: str = "",
    ) -> None:
        """Insert a row for each pair of ids (``columns``), with the values of ``same`` (by
        column) in every row, in one statement: as ``insert_many`` does, but SQLite reads
        the ids from one packed array instead of binding them row by row (an import's tags)."""
        if pairs:
            self._engine(self.db.engine.insert_pairs, table, columns, pairs, same, suffix)

    def fetch(self, cursor: Any, how: Callable[[Any], T]) -> T:
        """Fetch from ``cursor`` (SQLite runs the statement on as rows are fetched)."""
        try:
            return how(cursor)
        except Exception as exc:
            raise self.db.translate(exc) from exc

    def all(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.fetch(self.execute(sql, params), lambda cur: list(cur.fetchall()))

    def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.fetch(self.execute(sql, params), lambda cur: cur.fetchone())
        return row

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
        self.db.engine.lock_rows(self, table, condition, params)

    def stream(
        self, sql: str, params: dict[str, Any] | None = None, *, batch: int = 2000
    ) -> Iterator[tuple[Any, ...]]:
        """Rows one batch at a time, never the whole result in memory (on PostgreSQL through a
        server-side cursor: a plain one would fetch every row first)."""
        return self.db.engine.stream(self, sql, params, batch)


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
        #: SQLite or PostgreSQL (see ``tagtui.store.engines``), and what its driver connects to.
        self.engine: Engine
        self.engine, arg = engine_for(target)
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        #: Why changes are refused (a read-only file or folder, ``?mode=ro``), or None.
        self.read_only: str | None
        self.connect_arg, self.read_only = self.engine.open_target(arg, target)

    @property
    def dialect(self) -> str:
        """The engine's name, as SQLAlchemy spells it: ``sqlite`` or ``postgresql``."""
        return self.engine.name

    # -- connections -------------------------------------------------------------

    def _connect(self) -> Any:
        return self.engine.connect(self)

    def _acquire(self) -> Any:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def _release(self, conn: Any) -> None:
        with self._lock:
            self._idle.append(conn)

    @contextmanager
    def borrowed(self) -> Iterator[Any]:
        """A connection of the pool, outside any transaction, given back after."""
        conn = self._acquire()
        try:
            yield conn
        finally:
            self._release(conn)

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
        bulk = write and getattr(self._local, "bulk", False)
        try:
            if bulk:
                self.engine.bulk_load(conn, True)
            self._begin(tx, write=write)
            self._local.tx = tx
            yield tx
            try:
                tx.execute("COMMIT")
            except Disconnected as exc:
                raise self._lost(committing=True) from exc
            committed = True
        except Disconnected:
            self._drop_idle()  # the server went away: every idle connection is dead too
            raise
        finally:
            self._local.tx = None
            if not committed:
                with suppress(Exception):
                    conn.execute("ROLLBACK")
            usable = self.engine.healthy(conn)
            if bulk:
                try:
                    self.engine.bulk_load(conn, False)
                except Exception:
                    usable = False  # never back in the pool without its checks
            if usable:
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
            if self.engine.healthy(conn):
                self._release(conn)
            else:
                conn.close()

    def unbounded(self) -> AbstractContextManager[None]:
        """Statements of transactions begun in this thread inside this block have no time bound
        (a whole-workspace job, not a query from a user: see ``QUERY_TIMEOUT_S`` for which)."""
        return self._flag("unbounded")

    def bulk(self) -> AbstractContextManager[None]:
        """A write transaction begun in this thread inside this block is a bulk load: on SQLite
        its rows' foreign keys are not looked up (an import of 100,000 rows made 300,000
        lookups of the contacts and tags it had itself just written or found: 0.11 s of its
        links' 0.36 s). Only for writes whose rows point at rows they wrote or read in the same
        transaction (which its write lock keeps as they were); the connection has its checks
        back before it serves anything else. Joining a transaction already open changes
        nothing (a ``--dry-run``'s rehearsal)."""
        return self._flag("bulk")

    @contextmanager
    def _flag(self, name: str) -> Iterator[None]:
        """``name`` set for this thread inside the block (as it was again after it)."""
        before = getattr(self._local, name, False)
        setattr(self._local, name, True)
        try:
            yield
        finally:
            setattr(self._local, name, before)

    def _begin(self, tx: Tx, *, write: bool) -> None:
        """BEGIN; an SQLite writer takes the write lock here, waiting up to the busy timeout
        (and saying so through ``on_wait`` after a few seconds)."""
        self.engine.begin(self, tx, write=write)

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

    def busy(self) -> DatabaseBusy:
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
        if self.in_transaction:
            return
        self.engine.checkpoint(self)

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
            except Disconnected as exc:
                # Nothing was committed (a loss during COMMIT is reported, not retried): try
                # once more on a fresh connection, then say so.
                if reconnected:
                    raise self._lost() from exc
                reconnected = True
            except LockTimeout as exc:
                if time.monotonic() - began >= self.busy_timeout / 2 or attempt == attempts - 1:
                    raise self.busy() from exc  # SQLite already waited: waiting again is no cure
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
        return self.engine.translate(self, exc)

    def disk_full(self) -> DiskFull:
        return DiskFull(f"cannot write {self.shown}: the disk is full; nothing was changed (free some space)")

    def too_long(self) -> QueryTimeout:
        return QueryTimeout(
            f"the query took more than {self.query_timeout:g} s and was stopped"
            " (TAGTUI_QUERY_TIMEOUT sets the limit)"
        )

    # -- engine differences ------------------------------------------------------

    def in_list(self, column: str, name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
        """``column IN (...)`` for a list of any length, as SQL and parameters."""
        return self.engine.in_list(column, name, values)

    def snapshot(self, tx: Tx, name: str, select_sql: str, params: dict[str, Any]) -> str:
        """Fill the temporary table ``name`` with the ids ``select_sql`` returns; a condition on ``c``.

        A change in several statements (tags, then status) over a query that looks at what the
        change edits must act on the contacts selected before its first statement.
        """
        if not re.fullmatch(r"[a-z_]+", name):
            raise ValueError(f"bad temporary table name {name!r}")
        tx.execute(self.engine.temp_ids_table(name))
        tx.execute(f"DELETE FROM {name}")
        tx.execute(f"INSERT INTO {name} (id) {select_sql}", params)
        return f"c.id IN (SELECT id FROM {name})"

    def group_concat(self, expr: str, separator_param: str) -> str:
        return self.engine.group_concat(expr, separator_param)

    def first_code(self, expr: str) -> str:
        """The code point of the first character of text ``expr`` (NULL or 0 when empty)."""
        return self.engine.first_code(expr)

    def joined_text(self, exprs: Sequence[str], separator: str) -> str:
        """One text of the SQL expressions ``exprs``, each followed by ``separator`` (a NULL
        is empty text): one function call per row (SQLite ``printf``, PostgreSQL ``format``)
        instead of a ``COALESCE`` and two ``||`` per value."""
        if "%" in separator or "'" in separator:
            raise ValueError(f"separator {separator!r}: no % or ' here")
        return self.formatted_text("".join(f"%s{separator}" for _ in exprs), exprs)

    def formatted_text(self, template: str, exprs: Sequence[str]) -> str:
        """One text per row: ``template`` with each ``%s`` replaced by the next of the SQL
        expressions ``exprs`` (a NULL is empty text), in one function call (as ``joined_text``)."""
        holes = template.count("%s")
        if "'" in template or template.count("%") != holes or holes != len(exprs):
            raise ValueError(f"template {template!r}: one %s per expression, no other % or '")
        return f"{self.engine.format_function()}('{template}', {', '.join(exprs)})"

    def json_text(self, expr: str) -> str:
        """The SQL value ``expr`` as JSON text, as ``json.dumps(value, ensure_ascii=False)``
        writes it: text quoted and escaped, a whole number in digits, NULL as ``null``."""
        return self.engine.json_text(expr)

    def json_object(self, pairs: Sequence[tuple[str, str]], *, drop_nulls: bool = False) -> str:
        """A JSON object as text, from ``(key, SQL expression)`` pairs in order; with
        ``drop_nulls`` a key whose value is NULL is left out (as an event payload leaves it)."""
        for key, _ in pairs:
            if not re.fullmatch(r"[a-z_]+", key):
                raise ValueError(f"bad JSON key {key!r}")
        args = ", ".join(f"'{key}', {expr}" for key, expr in pairs)
        return self.engine.json_object(args, drop_nulls=drop_nulls)

    def json_int(self, expr: str, key: str) -> str:
        """The whole number under ``key`` of the JSON text ``expr`` (NULL if absent or null)."""
        if not re.fullmatch(r"[a-z_]+", key):
            raise ValueError(f"bad JSON key {key!r}")
        return self.engine.json_int(expr, key)

    def days_between(self, later: str, earlier: str) -> str:
        """Days (with fraction) from the stored timestamp ``earlier`` to ``later``."""
        return self.engine.days_between(later, earlier)

    def floor_int(self, expr: str) -> str:
        """The whole part of a number that is not negative."""
        return self.engine.floor_int(expr)


@contextmanager
def _savepoint(tx: Tx) -> Iterator[None]:
    """One operation inside a rehearsal: undone on its own if it fails."""
    name = tx.fresh_name("tagtui_sp")
    tx.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        with suppress(Exception):
            tx.execute(f"ROLLBACK TO SAVEPOINT {name}")
            tx.execute(f"RELEASE SAVEPOINT {name}")
        raise
    tx.execute(f"RELEASE SAVEPOINT {name}")
