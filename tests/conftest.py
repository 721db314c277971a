"""Shared fixtures: a fresh database per test, on SQLite, or on PostgreSQL when
``TAGTUI_TEST_PG_URL`` is set (each test then gets a schema of its own).

Building the schema costs ~50 ms on SQLite and ~100 ms of DDL on PostgreSQL, more than most
tests themselves, so it is built once per process (each xdist worker is one) and handed out
as copies: on SQLite the bytes of a template file, written to the test's own path; on
PostgreSQL a schema of a per-process pool, emptied after each test (rows deleted, sequences
restarted: ~5 ms against ~150 ms for create + drop). A copy is what ``Store.open`` would
have made of a new database: the current schema, its version, no workspace and no rows.
"""

from __future__ import annotations

import gc
import inspect
import os
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import settings

from tagtui.store import Store
from tagtui.store.db import Database
from tagtui.store.engines import cores
from tagtui.store.schema import prepare
from tests import css_cache, pilot_wait

PG_URL = os.environ.get("TAGTUI_TEST_PG_URL")

# Examples are what the property tests are about, not how long one takes: on a shared machine
# under load an example may take seconds, and Hypothesis's 200 ms deadline would fail it.
settings.register_profile("tagtui", deadline=None)
settings.load_profile("tagtui")

# Pilot's waits end when the app has nothing left to do (tests/pilot_wait.py), not after a 20 ms
# step of quiet CPU: the app tests ran ~60% asleep.
pilot_wait.install()
# Each app's stylesheet reuses the rules an earlier app of the process parsed from the same CSS
# (tests/css_cache.py), instead of tokenizing and parsing every widget's CSS again.
css_cache.install()

# Textual's ``StylesCache.get_inner_outer`` is an ``lru_cache`` of 1,024 entries on a method: each
# key holds a widget's StylesCache, with the strips it cached, after the widget and its app are
# gone. Between tests that is garbage no test can reach, but alive: after a full collection a
# worker held ~250,000 objects after the 22 tests of tests/app/test_contacts.py, ~95,000 with the
# cache cleared after each test, and every full collection walks all of them.
try:
    from textual._styles_cache import StylesCache

    _clear_inner_outer = StylesCache.get_inner_outer.cache_clear
    _inner_outer_problem = None
except (ImportError, AttributeError) as exc:
    _clear_inner_outer = None
    _inner_outer_problem = repr(exc)

# A young generation of 700 objects (Python's default) is outgrown many times by each app a test
# starts: in a full -n 2 run the two workers collected ~48,000 times, 144 of them full collections
# (~39 s of CPU). A larger young generation collects less often but keeps more garbage alive
# between full collections: (2000, 10, 10) doubled one process's max RSS on 39 app tests
# (108 -> 203 MB); 1000 took it to 132 MB, and the full run's peak worker RSS from 403 to 596 MB.
# Figures in the commit that set it.
GC_THRESHOLD = (1000, 10, 10)
gc.set_threshold(*GC_THRESHOLD)


#: Where the tests' files go when no --basetemp is given: a RAM disk, when there is one with room.
#: A test's database, WAL and exports are written, synced and closed there as on a disk, but a
#: commit's or a checkpoint's fsync does not wait for one (the suite's SQLite pass: ~1,300
#: databases, each checkpointed when its last connection closes). Nothing a test checks depends
#: on the disk: a test that wants a file system of its own kind makes it.
RAM_DISK = Path("/dev/shm")
RAM_DISK_ROOM = 4 * 1024**3


def pytest_configure(config: pytest.Config) -> None:
    """Put pytest's temporary folders (``tmp_path``) on ``RAM_DISK`` (see there); the xdist
    workers' folders are made under the controller's, so it is decided once, here."""
    if config.option.basetemp or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    try:
        if not (RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK | os.X_OK)):
            return
        disk = os.statvfs(RAM_DISK)
    except OSError:
        return
    if disk.f_bavail * disk.f_frsize >= RAM_DISK_ROOM:
        tempfile.tempdir = str(RAM_DISK)


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    if pilot_wait.problem:
        lines.append(f"tests/pilot_wait.py not installed ({pilot_wait.problem}): Pilot waits as Textual does")
    if css_cache.problem:
        lines.append(f"tests/css_cache.py not installed ({css_cache.problem}): each app parses its CSS")
    if _inner_outer_problem:
        lines.append(f"StylesCache.get_inner_outer not cleared between tests ({_inner_outer_problem})")
    if tempfile.tempdir == str(RAM_DISK):
        lines.append(f"test files under {RAM_DISK} (a RAM disk)")
    return lines


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, the tests whose outcome cannot depend on the backend are not collected.

    Snapshot tests (those taking ``snap_compare``) check how a screen looks: the SVG of the
    terminal, the same bytes on either backend. What the keys of such a test do to the data goes
    through the same store calls as the Pilot tests of that screen, and those run on both backends.

    Tests that never reach the database under test (``reaches_backend`` is false: no ``db_url``,
    ``store`` or ``backend`` fixture, no fixture or module that makes a test database or reads
    ``TAGTUI_TEST_PG_URL``) run the very same code on either pass: parsers, mypy, the layering
    check, CardDAV servers, SQLite files of their own. A second run on the PostgreSQL pass would
    only repeat the first. Every test that reaches the store runs on both backends. The PostgreSQL
    pass says what it left out: pytest counts these as "deselected", never as passed or skipped.
    """
    if not PG_URL:
        return
    same = [
        item
        for item in items
        if "snap_compare" in getattr(item, "fixturenames", ()) or not reaches_backend(item)
    ]
    if same:
        config.hook.pytest_deselected(items=same)
        kept = set(map(id, same))
        items[:] = [item for item in items if id(item) not in kept]


#: Fixtures that are the database under test, and the names by which code makes or finds one.
_BACKEND_FIXTURES = frozenset({"db_url", "store", "backend"})
_BACKEND_NAMES = (
    "new_database",
    "new_pg_database",
    "pg_schema_url",
    "PG_URL",
    "TAGTUI_TEST_PG_URL",
    "db_url",
)
_mentions_backend: dict[Any, bool] = {}


def _mentions(obj: Any) -> bool:
    """Whether the source of ``obj`` (a fixture's function, a test module) names the backend.
    Whatever has no source to read counts as naming it."""
    key = getattr(obj, "__wrapped__", obj)
    if key not in _mentions_backend:
        try:
            source = inspect.getsource(key)
        except (OSError, TypeError):
            _mentions_backend[key] = True
        else:
            _mentions_backend[key] = any(name in source for name in _BACKEND_NAMES)
    return _mentions_backend[key]


def reaches_backend(item: pytest.Item) -> bool:
    """Whether the test ``item`` may reach the database of the pass (a schema on PostgreSQL).

    It does if it takes ``db_url``, ``store`` or ``backend`` (itself or through its fixtures), if a
    fixture it takes that is not pytest's or a plugin's names a way to make a test database, or if
    its module does. Anything else (a test of a parser, of a file format, of a command on an SQLite
    file of its own) runs the same on either backend.
    """
    names = set(getattr(item, "fixturenames", ()))
    if names & _BACKEND_FIXTURES:
        return True
    module = getattr(item, "module", None)
    if module is None or _mentions(module):
        return True
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return True
    for definitions in info.name2fixturedefs.values():
        for definition in definitions:
            func = definition.func
            where = getattr(func, "__module__", "")
            # This file's fixtures are the three above and two that every test has (the user's
            # config kept out; the pool's clean-up on PostgreSQL, which names PG_URL).
            if where.startswith("tests.") and where != __name__ and _mentions(func):
                return True
    return False


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` starts two workers more than the machine has cores on SQLite, one more on
    PostgreSQL.

    A UI test spends part of its time waiting (a debounce, a poll, a worker thread, a subprocess
    test's child): in a worker per core, that core then idles. On the SQLite pass extra workers fill
    those waits: the README's command took 261 s with 2 workers and 191 s with 3 on stop 23's
    2-core machine; on stop 37's, 194.9 / 195.0 s with 3, 181.9 / 183.9 s with 4, 201.5 s with 5
    (more CPU spent switching). The PostgreSQL pass keeps the server busy too: 299 s with 3 workers,
    302 s with 4, so it stays at one more than the cores. ``PYTEST_XDIST_AUTO_NUM_WORKERS``, when
    set, wins as xdist documents (None here lets xdist's own hook read it).
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return cores() + (1 if PG_URL else 2)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``-n`` (pytest-xdist), tests are handed out by work stealing.

    xdist's default (``load``) gives each worker a first batch of a quarter of its share in
    collection order and never takes it back: a worker whose batch is the slow UI tests works
    through them while the other, done with everything else, sits idle (a full run here ended
    with one worker alone for ~200 s of 1,358). With ``worksteal`` a worker that runs out takes
    half of what another still has queued. A ``--dist`` other than ``load`` given on the command
    line is kept.
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import WorkStealingScheduling

    return WorkStealingScheduling(config, log)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After each test and its fixtures' teardown, ``get_inner_outer`` lets go of the test's
    StylesCaches (above)."""
    if _clear_inner_outer is not None:
        _clear_inner_outer()


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """The machine's own config file never reaches a test: each test has its own (absent) one."""
    monkeypatch.setenv("TAGTUI_CONFIG", str(tmp_path / "config" / "config.toml"))


#: Settings of every test connection to PostgreSQL. A commit does not wait for its WAL to reach
#: the disk (``synchronous_commit = off``): a test's data need not outlive a crash of the server,
#: and the wait was ~1.5-4 ms a commit here, of thousands a test file. Visibility and locking
#: are as before; only durability after a server crash goes.
_PG_SESSION = "-csynchronous_commit=off"

#: The server of CI runs without autovacuum (/etc/postgresql/*/main/conf.d/90-ci.conf), and every
#: schema built or dropped, every temporary table the store makes, leaves dead rows in the system
#: catalogs: after some hours of runs pg_attribute held 1,797 live rows and 490,679 dead ones
#: (99 MB), and a lookup by namespace (the pool's shape check) took 28 ms where it takes 2 ms on
#: the same catalogs vacuumed. Each test process vacuums the catalogs when it starts and after
#: every so many tests (a plain VACUUM, which blocks nobody; SKIP_LOCKED passes over a catalog
#: another process is vacuuming).
_VACUUM_EVERY = 100

# The pool's own schemas are not vacuumed between tests. Tried (VACUUM of a schema left over
# 1 MB by its test): a full run then had two of test_query_limits' tests fail, one of them at
# 19 s where it takes ~1 s, likely the planner misled by the statistics VACUUM leaves on
# emptied tables whose indexes keep their pages (not looked into further).


def _pg_conninfo() -> str:
    return "postgresql://" + PG_URL.split("://", 1)[1]  # type: ignore[union-attr]


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(sql)


def pg_schema_url(schema: str) -> str:
    """``TAGTUI_TEST_PG_URL`` with ``schema`` as the search path (and as the connections'
    ``application_name``, so the pool can find what is still connected to it)."""
    sep = "&" if "?" in PG_URL else "?"  # type: ignore[operator]
    options = quote(f"-csearch_path={schema} {_PG_SESSION}")
    return f"{PG_URL}{sep}options={options}&application_name={schema}"


# -- SQLite: a template file, copied ---------------------------------------------------------

_sqlite_template: bytes | None = None

#: The template's page size: SQLite's default, which every database tagtui made before stop 39
#: has (tagtui makes new files with ``PAGE_SIZE``, 16 KiB). So most tests run on a file of the
#: kind users already have, and the tests that make a new file (``Store.open`` of a new path,
#: the CLI's) on the new kind; an empty file is 256 KiB, not 1 MiB (the suite, alternating
#: twice: 190.3 / 180.7 s with 4 KiB pages, 198.7 / 188.3 s with 16 KiB).
TEMPLATE_PAGE_SIZE = 4096


def _sqlite_template_bytes(folder: Path) -> bytes:
    global _sqlite_template
    if _sqlite_template is None:
        path = folder / f"template-{uuid.uuid4().hex}.db"
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA page_size = {TEMPLATE_PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = WAL")  # writes the first page: the size is the file's
        conn.close()
        db = Database(str(path))
        try:
            prepare(db)
        finally:
            db.close()  # the last connection checkpoints the WAL into the file and deletes it
        assert not Path(f"{path}-wal").exists(), "the template's WAL was not folded into it"
        _sqlite_template = path.read_bytes()
        assert int.from_bytes(_sqlite_template[16:18], "big") == TEMPLATE_PAGE_SIZE
        path.unlink()
    return _sqlite_template


def new_sqlite_database(path: Path) -> str:
    """Write a new tagtui database at ``path`` (readable by its owner alone, as tagtui makes it)."""
    data = _sqlite_template_bytes(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return str(path)


# -- PostgreSQL: a pool of schemas, emptied between tests -------------------------------------


class _SchemaPool:
    """Schemas of this process that hold the tagtui schema and nothing else, ready for a test."""

    def __init__(self) -> None:
        self._conn: Any = None
        self._lock = threading.Lock()
        self._free: list[str] = []
        self._all: list[str] = []
        self._tables: list[str] = []
        self._sequences: list[str] = []
        self._shape: tuple[Any, ...] | None = None
        #: The ``tagtui_meta`` keys a new database has: any other (a sync source's change mark,
        #: ``store/sync.py``) is a row a test wrote, emptied with the rest, not a change of shape.
        self._meta_keys: list[str] = []
        self._reusable = True
        self._catalogs: str | None = None
        self._given_back = 0

    def _admin(self) -> Any:
        import psycopg

        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(_pg_conninfo(), autocommit=True, options=_PG_SESSION)
            if self._catalogs is None:
                self._catalogs = ", ".join(
                    r[0]
                    for r in self._conn.execute(
                        "SELECT oid::regclass::text FROM pg_class"
                        " WHERE relnamespace = 'pg_catalog'::regnamespace"
                        " AND relkind = 'r' AND NOT relisshared"
                    )
                )
                self._vacuum_catalogs()
        return self._conn

    def _vacuum_catalogs(self) -> None:
        """VACUUM the database's own system catalogs (a user that owns none is warned, no more)."""
        with suppress(Exception):
            self._admin().execute(f"VACUUM (SKIP_LOCKED) {self._catalogs}")

    def _shape_of(self, schema: str) -> tuple[Any, ...]:
        """What a test may have changed besides rows: tables, columns, constraints, indexes, the
        schema version. Equal shapes (and the rows deleted) make the schema as good as new."""
        return self._admin().execute(
            """
            SELECT
              (SELECT count(*) || ':' || sum(hashtext(c.relname || ':' || c.relkind::text || ':'
                      || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':'
                      || a.attnotnull::text || ':' || a.attnum::text))
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                WHERE c.relnamespace = %(s)s::regnamespace AND a.attnum > 0 AND NOT a.attisdropped),
              (SELECT count(*) || ':' || sum(hashtext(conname || ':' || contype::text))
                 FROM pg_constraint WHERE connamespace = %(s)s::regnamespace),
              (SELECT count(*) FROM pg_proc WHERE pronamespace = %(s)s::regnamespace),
              (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE c.relnamespace = %(s)s::regnamespace)
            """,
            {"s": f'"{schema}"'},
        ).fetchone() + tuple(
            self._admin()
            .execute(
                f'SELECT "key", value FROM "{schema}".tagtui_meta'
                ' WHERE "key" <> \'created_at\' AND "key" = ANY(%s) ORDER BY "key"',
                (self._meta_keys,),
            )
            .fetchall()
        )

    def _build(self) -> str:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        self._admin().execute(f'CREATE SCHEMA "{schema}"')
        self._all.append(schema)
        db = Database(pg_schema_url(schema))
        try:
            prepare(db)
        finally:
            db.close()
        if self._shape is None:
            conn = self._admin()
            self._meta_keys = [r[0] for r in conn.execute(f'SELECT "key" FROM "{schema}".tagtui_meta')]
            self._tables = [
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = %s AND table_name <> 'tagtui_meta'",
                    (schema,),
                )
            ]
            self._sequences = [
                r[0]
                for r in conn.execute(
                    "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = %s",
                    (schema,),
                )
            ]
            self._shape = self._shape_of(schema)
            # Emptying is only "as new" while a new database has rows in tagtui_meta alone.
            seeded = [
                t for t in self._tables if conn.execute(f'SELECT 1 FROM "{schema}"."{t}" LIMIT 1').fetchone()
            ]
            self._reusable = not seeded
        return schema

    def take(self) -> str:
        with self._lock:
            if self._free:
                return self._free.pop()
            return self._build()

    def _retire_name(self, schema: str) -> str:
        """Cut ``schema`` off from the test that had it; returns its new name.

        A test may leave work behind that still reaches its database after the test: a worker
        thread of an app that has exited finishing a load or a write (a closed ``Database`` opens
        a new connection when asked). With the schema handed to the next test under the same
        name, such a late write would land in the next test's data (on SQLite every test has a
        file of its own): a failure that shows on PostgreSQL under xdist alone, as
        test_history_screen_snapshot's once did. So the connections still open to the schema are
        ended, and the schema gets a new name: whatever the old test still runs finds no tables
        under the old name."""
        conn = self._admin()
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s AND pid <> pg_backend_pid()",
            (schema,),
        )
        fresh = f"t_{uuid.uuid4().hex[:16]}"
        conn.execute(f'ALTER SCHEMA "{schema}" RENAME TO "{fresh}"')
        self._all[self._all.index(schema)] = fresh
        return fresh

    def give_back(self, schema: str) -> None:
        """Empty ``schema`` for the next test, or drop it if the test changed more than rows."""
        with self._lock:
            try:
                schema = self._retire_name(schema)
                if self._reusable and self._shape_of(schema) == self._shape:
                    deletes = "; ".join(f'DELETE FROM "{schema}"."{t}"' for t in self._tables)
                    kept = ", ".join("'" + k.replace("'", "''") + "'" for k in self._meta_keys)
                    meta = f'"{schema}".tagtui_meta'
                    deletes += f'; DELETE FROM {meta} WHERE NOT "key" = ANY(ARRAY[{kept}]::text[])'
                    restarts = "; ".join(f'ALTER SEQUENCE "{schema}"."{q}" RESTART' for q in self._sequences)
                    # Rows go without foreign-key checks (every table is emptied), in one transaction.
                    conn = self._admin()
                    conn.execute(
                        f"BEGIN; SET LOCAL session_replication_role = replica; {deletes}; {restarts}; COMMIT"
                    )
                    self._free.append(schema)
                    self._given_back += 1
                    if self._given_back % _VACUUM_EVERY == 0:
                        self._vacuum_catalogs()
                    return
            except Exception:
                with suppress(Exception):
                    self._conn.execute("ROLLBACK")
            self._drop(schema)

    def _drop(self, schema: str) -> None:
        self._admin().execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        self._all.remove(schema)

    def close(self) -> None:
        with self._lock:
            for schema in list(self._all):
                self._drop(schema)
            if self._conn is not None:
                self._conn.close()


_pool: _SchemaPool | None = None


@pytest.fixture(scope="session", autouse=PG_URL is not None)
def _pg_schema_pool() -> Iterator[None]:
    """Drops this process's schemas when the session ends."""
    yield
    if _pool is not None:
        _pool.close()


@contextmanager
def new_pg_database() -> Iterator[str]:
    """A schema holding a new tagtui database, for the block's duration (a URL to it)."""
    global _pool
    if _pool is None:
        _pool = _SchemaPool()
    schema = _pool.take()
    try:
        yield pg_schema_url(schema)
    finally:
        _pool.give_back(schema)


@contextmanager
def new_database(path: Path) -> Iterator[str]:
    """A new tagtui database: a file at ``path`` on SQLite, a schema of its own on PostgreSQL."""
    if not PG_URL:
        yield new_sqlite_database(path)
        return
    with new_pg_database() as url:
        yield url


@pytest.fixture
def db_url(tmp_path) -> Iterator[str]:
    """A database of this test alone, with the current schema and nothing in it yet: a file path,
    or a PostgreSQL URL with its own schema."""
    with new_database(tmp_path / "tagtui.db") as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def backend() -> str:
    return "postgresql" if PG_URL else "sqlite"
