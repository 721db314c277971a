"""A read-only database opens read-only (reads work, a change is one clear line), and the
conditions that used to surface as "unexpected …Error" say what happened: a file, folder or
leftover -shm that refuses writes, a full disk, a connection the server closed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tagtui.store import DiskFull, ReadOnlyDatabase, Store
from tagtui.store.db import Database
from tests.cli.conftest import Cli, assert_one_error_line
from tests.conftest import PG_URL, _pg_admin

NOBODY = 65534


@pytest.fixture
def filled(tmp_path, run: Cli) -> str:
    path = str(tmp_path / "crm.db")
    assert run("tags", "create", "VIP", "--db", path).code == 0
    assert run("contacts", "add", "--name", "Jane", "--tags", "VIP", "--db", path).code == 0
    return path


def _files(folder: str) -> dict[str, bytes]:
    """The files of ``folder`` that hold data (a reader may leave an empty -wal and an index -shm)."""
    out = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as fh:
            data = fh.read()
        if not name.endswith("-shm") and (data or not name.endswith("-wal")):
            out[name] = data
    return out


def test_mode_ro_reads_work_and_changes_are_one_line(run: Cli, filled: str) -> None:
    url = f"sqlite:///{filled}?mode=ro"
    before = _files(os.path.dirname(filled))
    listed = run("tags", "list", "--json", "--db", url)
    assert listed.code == 0, listed.err
    assert [t["name"] for t in listed.json] == ["VIP"]
    assert run("contacts", "list", "--query", "tag:vip", "--db", url).code == 0
    for argv in (("tags", "create", "Cold"), ("contacts", "add", "--name", "Bob"), ("tags", "delete", "VIP")):
        assert_one_error_line(run(*argv, "--db", url), 1, "cannot change", "read-only")
    assert _files(os.path.dirname(filled)) == before


def test_a_new_workspace_in_a_read_only_database_is_refused(run: Cli, filled: str) -> None:
    result = run("tags", "list", "--workspace", "other", "--db", f"sqlite:///{filled}?mode=ro")
    assert_one_error_line(result, 1, "read-only")


# -- a read-only file or folder, for a user that chmod stops ---------------------------------


@contextmanager
def as_nobody() -> Iterator[None]:
    """Act as another user (root ignores file modes: chmod alone stops none of its writes)."""
    if os.getuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def shared(filled: str) -> Iterator[str]:
    """A copy of the database in a folder anyone can read (the test's own may be private)."""
    folder = tempfile.mkdtemp(prefix="tagtui-ro-")
    os.chmod(folder, 0o755)
    path = os.path.join(folder, "crm.db")
    src = sqlite3.connect(filled)
    src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    src.close()
    shutil.copyfile(filled, path)
    os.chmod(path, 0o644)
    os.environ["TAGTUI_CONFIG"] = os.path.join(folder, "no-config.toml")  # readable by nobody
    try:
        yield path
    finally:
        del os.environ["TAGTUI_CONFIG"]
        os.chmod(folder, 0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_read_only_file_opens_read_only(run: Cli, shared: str) -> None:
    if os.getuid() != 0:
        os.chmod(shared, 0o444)
    before = _files(os.path.dirname(shared))
    with as_nobody():
        listed = run("tags", "list", "--db", shared)
        changed = run("tags", "create", "Cold", "--db", shared)
    assert listed.code == 0, listed.err
    assert "VIP" in listed.out
    assert_one_error_line(changed, 1)
    assert changed.err_lines == [
        f"tagtui: error: cannot change {shared}: the file is read-only (chmod u+w {shared} to change it)"
    ]
    assert _files(os.path.dirname(shared)) == before


def test_a_read_only_folder_opens_read_only(run: Cli, shared: str) -> None:
    folder = os.path.dirname(shared)
    if os.getuid() == 0:
        os.chown(shared, NOBODY, NOBODY)  # the file is nobody's; the folder stays root's
    else:
        os.chmod(folder, 0o555)
    with as_nobody():
        listed = run("contacts", "list", "--db", shared)
        changed = run("tags", "create", "Cold", "--db", shared)
    assert listed.code == 0, listed.err
    assert "Jane" in listed.out
    assert_one_error_line(changed, 1, f"its folder {folder} is read-only", f"chmod u+w {folder}")


# -- what SQLite itself refuses ---------------------------------------------------------------


def test_sqlites_readonly_refusal_is_a_clear_error(filled: str) -> None:
    # What a leftover -shm of another user provokes: SQLite refuses the write itself.
    db = Database(f"sqlite:///{filled}?mode=ro")
    try:
        with pytest.raises(ReadOnlyDatabase, match=r"cannot change .*(read-only|-shm)"):
            db.run(lambda tx: tx.execute("DELETE FROM tag"), write=False)
    finally:
        db.close()


def test_a_full_disk_is_a_clear_error_and_changes_nothing(filled: str) -> None:
    with Store.open(filled) as store:
        before = store.count_contacts()
        conn = store.db._acquire()
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # this connection's disk is now full
        store.db._release(conn)
        rows = [
            {"name": f"Person {i}", "email": f"p{i}@example.com", "notes": "x" * 2000} for i in range(500)
        ]
        with pytest.raises(DiskFull, match="the disk is full; nothing was changed"):
            store.import_rows(rows)
        assert store.count_contacts() == before


# -- a connection the server closed -----------------------------------------------------------

needs_pg = pytest.mark.skipif(not PG_URL, reason="needs TAGTUI_TEST_PG_URL (a PostgreSQL server)")


@needs_pg
def test_a_write_after_the_server_closed_the_connection_is_retried(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.create_tag("Before")
        pids = [c.info.backend_pid for c in store.db._idle]
        assert pids
        for pid in pids:
            _pg_admin(f"SELECT pg_terminate_backend({pid})")
        store.create_tag("After")  # the first attempt meets the dead connection; the second a fresh one
        assert sorted(t.name for t in store.list_tags()) == ["After", "Before"]


@needs_pg
def test_a_lost_connection_that_stays_lost_is_one_line(run: Cli, db_url: str, monkeypatch) -> None:
    assert run("tags", "create", "Before", "--db", db_url).code == 0

    from tagtui.store import db as dbmod

    real_begin = dbmod.Database._begin

    def killing_begin(self, tx, *, write):  # the server drops every connection a change uses
        if write:
            _pg_admin(f"SELECT pg_terminate_backend({tx._conn.info.backend_pid})")
        return real_begin(self, tx, write=write)

    monkeypatch.setattr(dbmod.Database, "_begin", killing_begin)
    result = run("tags", "create", "During", "--db", db_url)
    assert_one_error_line(result, 1, "connection to", "was lost")
    assert "unexpected" not in result.err
    monkeypatch.undo()
    assert [t["name"] for t in run("tags", "list", "--json", "--db", db_url).json] == ["Before"]


def test_trends_on_a_read_only_database_read_the_log_and_write_nothing(run: Cli, filled: str) -> None:
    url = f"sqlite:///{filled}?mode=ro"
    before = _files(os.path.dirname(filled))
    behind = run("trends", "--json", "--db", url)  # the trend tables are behind: the log is read
    assert behind.code == 0, behind.err
    assert _files(os.path.dirname(filled)) == before
    assert run("trends", "--json", "--db", filled).code == 0  # folds the log in
    current = run("trends", "--json", "--db", url)  # ... and now they are read
    assert current.code == 0, current.err
    assert current.json == behind.json and current.json["tags"] == {"VIP": [0] * 11 + [1]}
    # A query's contacts go to a temporary table, which a read-only database still allows.
    folded = _files(os.path.dirname(filled))
    queried = run("trends", "--json", "--query", "tag:vip", "--db", url)
    assert queried.code == 0, queried.err
    assert queried.json["tags"] == {"VIP": [0] * 11 + [1]}
    assert _files(os.path.dirname(filled)) == folded
