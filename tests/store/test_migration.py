"""A database written by the first release (schema 1) opens in this one with every row kept."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from tagtui.query.parse import parse
from tagtui.store import Store
from tagtui.store.errors import DatabaseRefused
from tagtui.store.schema import SCHEMA_VERSION

FIXTURE = Path(__file__).parent.parent / "fixtures" / "schema_v1.db"
V1_TABLES = ("workspace", "status", "tag", "contact", "contact_tag", "event", "saved_view")


def _v1_columns(table: str) -> list[str]:
    """The columns ``table`` had in schema 1 (later schemas add columns; these rows must stay)."""
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def _rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        out = {}
        for table in V1_TABLES:
            cols = _v1_columns(table)
            out[table] = sorted(conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
        return out
    finally:
        conn.close()


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURE, path)
    return path


def test_the_fixture_is_schema_1() -> None:
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        version = conn.execute("SELECT value FROM tagtui_meta WHERE key = 'schema_version'").fetchone()
    finally:
        conn.close()
    assert version == ("1",)


def test_schema_1_is_migrated_with_every_row_kept(old_db: Path) -> None:
    before = _rows(old_db)
    assert len(before["contact"]) == 301 and len(before["contact_tag"]) > 800
    with Store.open(str(old_db)) as store:
        assert store.count_contacts(parse("")) == 301
        assert store.count_contacts(parse("tag:vip status:qualified")) == store.count_contacts(
            parse(store.get_view("vip qualified").query)
        )
        tag = store.get_tag("Ünïcode ✨")
        assert (tag.emoji, tag.color, tag.description) == ("✨", "#123abc", "kept across migrations")
        contact = store.get_contact("mig@example.com")
        assert sorted(t.name for t in contact.tags) == ["VIP", "Ünïcode ✨"]
        # The migrated database takes new writes.
        store.add_contact("After Migration", email="after@example.com")
    after = _rows(old_db)
    for table in V1_TABLES:
        missing = set(before[table]) - set(after[table])
        assert not missing, f"{table} lost rows: {sorted(missing, key=repr)[:3]}"
    conn = sqlite3.connect(old_db)
    try:
        assert conn.execute("SELECT value FROM tagtui_meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    with Store.open(str(old_db), workspace="other") as other:
        assert [t.name for t in other.list_tags()] == ["Second"]


def test_a_migrated_database_opens_again_unchanged(old_db: Path) -> None:
    Store.open(str(old_db)).close()
    digest = hashlib.sha256(old_db.read_bytes()).hexdigest()
    Store.open(str(old_db)).close()
    assert hashlib.sha256(old_db.read_bytes()).hexdigest() == digest


def test_a_newer_schema_is_refused_untouched(old_db: Path) -> None:
    conn = sqlite3.connect(old_db)
    conn.execute("UPDATE tagtui_meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    digest = hashlib.sha256(old_db.read_bytes()).hexdigest()
    with pytest.raises(DatabaseRefused, match="newer tagtui"):
        Store.open(str(old_db))
    assert hashlib.sha256(old_db.read_bytes()).hexdigest() == digest
    assert not Path(f"{old_db}-wal").exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, not a database at all\n" * 10, b"SQLite format 3\x00" + b"\x00" * 200],
    ids=["empty-is-created", "text", "truncated-sqlite"],
)
def test_files_that_are_not_tagtui_databases(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(content)
    if not content:
        Store.open(str(path)).close()  # an empty file is a new database
        return
    with pytest.raises(DatabaseRefused):
        Store.open(str(path))
    assert path.read_bytes() == content


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    conn.commit()
    conn.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DatabaseRefused, match="another program"):
        Store.open(str(path))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
