"""A bulk import keeps the trend tables and each contact's ``tags_key`` as the same rows added
one by one would (issue 15): on SQLite the import counts its assignments into ``trend_tag`` in
one statement and writes a new contact's ``tags_key`` with it, instead of by trigger, and puts
the triggers back."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tagtui.errors import TagtuiError
from tagtui.query import parse
from tagtui.store import Store
from tests.conftest import PG_URL, _pg_conninfo

TAGS = ("VIP", "Warm Lead", "Customer", "Partner", "Cold")
STATUSES = ("New", "Contacted", "Won", "Lost")


def _rows() -> list[dict[str, Any]]:
    """New contacts with and without email, tags and a status; later rows naming an earlier
    email (or the contact there before) add tags and move the status."""
    rows = []
    for i in range(240):
        row = {"name": f"Person {i}", "tags": ";".join(TAGS[j] for j in range(5) if (i + j) % (j + 2) == 0)}
        if i % 4:
            row["email"] = f"p{i}@example.com"
        if i % 3:
            row["status"] = STATUSES[i % 4]
        rows.append(row)
    for i in range(1, 240, 7):  # the same people again: more tags, another stage
        if i % 4:
            rows.append({"email": f"P{i}@Example.com", "tags": "Partner;cold", "status": "Won"})
    rows.append({"email": "old@example.com", "tags": "VIP;Customer", "status": "Contacted"})
    return rows


def _prepare(store: Store) -> None:
    store.setup_statuses()
    for tag in TAGS:
        store.create_tag(tag)
    store.add_contact("Old Timer", email="old@example.com", tags=["VIP"])


def _one_by_one(store: Store, rows: list[dict[str, Any]]) -> None:
    by_email: dict[str, int] = {c.email.lower(): c.id for c in store.list_contacts().rows if c.email}
    for row in rows:
        tags = [t for t in row["tags"].split(";") if t]
        email = row.get("email")
        known = by_email.get(email.lower()) if email else None
        if known is None:
            fields = {"email": email} if email else {}
            contact = store.add_contact(row["name"], status=row.get("status"), tags=tags, **fields)
            if email:
                by_email[email.lower()] = contact.id
            continue
        store.change_tags(known, add=tags)
        if row.get("status"):
            store.set_status(known, row["status"])


def _trend_tag_is_the_truth(store: Store) -> None:
    from tagtui.store.models import week_of

    def run(tx: Any) -> tuple[dict, dict]:
        kept = {(t, w): n for t, w, n in tx.all("SELECT tag_id, week, n FROM trend_tag") if n}
        week = week_of(store.db.dialect, "created_at")
        real = {
            (t, w): n
            for t, w, n in tx.all(f"SELECT tag_id, {week} AS w, COUNT(*) FROM contact_tag GROUP BY tag_id, w")
        }
        return kept, real

    kept, real = store._read(run)
    assert kept == real and kept


def test_trends_after_an_import_are_those_of_the_rows_added_one_by_one(store: Store, other: Store) -> None:
    rows = _rows()
    _prepare(store)
    _prepare(other)
    result = store.import_rows(rows)
    assert (result.rows, result.created, result.updated) == (267, 240, 1)  # updated: contacts there before
    _one_by_one(other, rows)
    assert store.count_contacts() == other.count_contacts() == 241

    imported, added = store.trends(weeks=4).to_json(), other.trends(weeks=4).to_json()
    assert imported == added
    assert sum(sum(v) for v in imported["entered"].values()) > 100 and imported["tags"]
    # By the log (a query) too, and trend_tag holds what contact_tag does.
    assert store.trends(parse("followers>=0"), weeks=4).to_json() == imported
    _trend_tag_is_the_truth(store)

    # The trigger is back: assignments after the import are counted as before.
    later = store.add_contact("Later", tags=["VIP", "Cold"])
    store.change_tags(later.id, remove=["Cold"])
    _trend_tag_is_the_truth(store)
    store.undo()  # the contact
    store.undo()  # the import: its assignments leave the counts
    store.undo()  # the contact made before it
    _trend_tag_is_the_truth(store)


def _tags_keys(store: Store) -> dict[tuple[str, str | None], str | None]:
    rows = store._read(
        lambda tx: tx.all(
            "SELECT name, email, tags_key FROM contact WHERE workspace_id = :ws", store._params()
        )
    )
    return {(name, email): key for name, email, key in rows}


def test_tags_key_after_an_import_is_that_of_the_rows_added_one_by_one(store: Store, other: Store) -> None:
    rows = _rows()
    _prepare(store)
    _prepare(other)
    store.import_rows(rows)
    _one_by_one(other, rows)
    imported, added = _tags_keys(store), _tags_keys(other)
    assert imported == added
    assert imported[("Old Timer", "old@example.com")] == "customer\x1fvip"  # there before: refreshed
    assert imported[("Person 1", "p1@example.com")] == "cold\x1fpartner"  # named again, in the same batch
    assert imported[("Person 3", "p3@example.com")] is None and imported[("Person 0", None)]

    # The trigger is back: a tag given after the import changes the key.
    store.change_tags(store.get_contact("p3@example.com").id, add=["VIP"])
    assert _tags_keys(store)[("Person 3", "p3@example.com")] == "vip"


def test_a_refused_import_leaves_the_tags_key_trigger_on(store: Store) -> None:
    """The import pauses the trigger of an added tag for its own transaction (PostgreSQL: a
    setting of that transaction; SQLite: dropped and made again): once an import is refused
    and rolled back, a tag given on the same connection still moves the contact's key."""
    _prepare(store)
    try:
        store.import_rows(
            [{"name": "Fine", "email": "fine@example.com", "tags": "VIP"}, {"email": "not an email"}]
        )
    except TagtuiError:
        pass
    else:
        raise AssertionError("the import should have been refused")
    assert store.count_contacts() == 1
    store.change_tags(store.get_contact("old@example.com").id, add=["Cold"])
    assert _tags_keys(store)[("Old Timer", "old@example.com")] == "cold\x1fvip"


@pytest.mark.skipif(PG_URL is None, reason="needs TAGTUI_TEST_PG_URL (a PostgreSQL server)")
def test_a_schema_8_postgresql_database_gets_the_new_tags_key_triggers(db_url: str) -> None:
    """Schema 9 replaces PostgreSQL's tags_key trigger functions of schema 8 (an UPDATE with a
    subquery per contact, cached plan, every contact rewritten) by the new ones: after the
    upgrade they are those of a new database, and keep the Tags order as they did."""
    import psycopg

    from tagtui.store.engines import PostgresEngine

    schema = re.search(r"search_path%3D(\w+)", db_url)
    assert schema is not None
    old_refresh = (
        "UPDATE contact SET tags_key = (SELECT string_agg(t.name_key, chr(31) ORDER BY t.name_key, t.id)"
        " FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id = contact.id)"
        " WHERE id IN (SELECT contact_id FROM {t});"
    )
    functions = (
        "SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'contact_tags_key_%'"
        " AND pronamespace = current_schema()::regnamespace"
    )
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'SET search_path = "{schema[1]}"')
        new = dict(conn.execute(functions).fetchall())
        for name, table in (("added", "key_new"), ("removed", "key_old"), ("changed", "key_new")):
            conn.execute(
                f"CREATE OR REPLACE FUNCTION contact_tags_key_{name}() RETURNS trigger LANGUAGE plpgsql AS"
                f" $body$ BEGIN {old_refresh.format(t=table)} RETURN NULL; END $body$"
            )
        conn.execute("UPDATE tagtui_meta SET value = '8' WHERE key = 'schema_version'")
        store = Store.open(db_url)  # upgrades it
        try:
            after = dict(conn.execute(functions).fetchall())
            assert after == new and "IS DISTINCT FROM" in after["contact_tags_key_added"]
            assert len([d for d in PostgresEngine().tags_key_triggers() if "CREATE FUNCTION" in d]) == len(
                new
            )
            _prepare(store)
            old = store.get_contact("old@example.com").id
            store.change_tags(old, add=["Cold", "Partner"])
            store.change_tags(old, remove=["VIP"])
            assert _tags_keys(store)[("Old Timer", "old@example.com")] == "cold\x1fpartner"
        finally:
            store.close()


def test_an_import_keeps_the_deleted_contacts_noted_and_the_trigger_that_forgets_them(store: Store) -> None:
    """SQLite's import turns ``trend_gone_back`` off while it writes (its contacts take new ids,
    which no deleted contact had): a deleted contact stays noted, and once it is back (undo)
    the trigger, there again, forgets it."""

    def gone() -> list[int]:
        return [r[0] for r in store._read(lambda tx: tx.all("SELECT contact_id FROM trend_gone ORDER BY 1"))]

    _prepare(store)
    left = store.add_contact("Left Soon", email="left@example.com", status="Won")
    store.delete_contacts([left.id])
    assert gone() == [left.id]
    result = store.import_rows(_rows())
    assert result.created == 240 and gone() == [left.id]
    store.undo()  # the import (its contacts go, and are noted in turn)
    store.undo()  # the delete: the contact is back, under its id
    assert store.get_contact(left.id).name == "Left Soon"
    assert left.id not in gone() and len(gone()) == 240
