"""Schema 3 derives an older database's keys again (SPEC §7) and refuses, unchanged, a database
where two names would become one. The old database is made by opening one at the current
schema, writing rows as schema 2 wrote them (keys lower-cased, no normalisation) and setting
its version back to 2."""

from __future__ import annotations

from typing import Any

import pytest

from tagtui.query.parse import parse
from tagtui.store import Conflict, Store
from tagtui.store.db import Database
from tagtui.store.errors import DatabaseRefused
from tagtui.store.schema import SCHEMA_VERSION

NFD = "Cafe\u0301"
NFC = "Caf\u00e9"


def sql(store: Store, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    with store.db.transaction(write=True) as tx:
        if statement.lstrip().upper().startswith("SELECT"):
            return [tuple(r) for r in tx.all(statement, params)]
        tx.execute(statement, params)
        return []


def as_schema_2(store: Store, table: str, ident: int, **values: Any) -> None:
    """Write ``values`` into a row as schema 2 would have (its keys ``lower()``, its slug raw)."""
    sets = ", ".join(f"{k} = :{k}" for k in values)
    sql(store, f"UPDATE {table} SET {sets} WHERE id = :id", id=ident, **values)


def back_to_schema_2(store: Store) -> None:
    sql(store, "UPDATE tagtui_meta SET value = '2' WHERE \"key\" = 'schema_version'")
    store.close()


def everything(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables the migration reads, read without opening (migrating) the store."""
    tables = ("workspace", "tag", "status", "contact", "contact_tag", "rule", "tagtui_meta")
    db = Database(db_url)
    try:
        with db.transaction(write=False) as tx:
            return {t: sorted((tuple(r) for r in tx.all(f"SELECT * FROM {t}")), key=repr) for t in tables}
    finally:
        db.close()


def test_keys_are_derived_again(db_url: str) -> None:
    store = Store.open(db_url)
    cafe = store.create_tag("Cafe")
    star = store.create_tag("Star")
    status = store.create_status("Strasse")
    jane = store.add_contact("Jane", email="jane@example.com", assignee="Vera")
    store.sync_tags(contact_id=jane.id, names=["Cafe"])
    rule = store.add_rule("Rule", "tag:none", add=["X"])
    # What schema 2 stored for names written in NFD, with a zero-width space or an emoji.
    as_schema_2(store, "tag", cafe.id, name=NFD, name_key=NFD.lower(), slug=NFD.lower())
    as_schema_2(store, "tag", star.id, name="⭐\ufe0f", name_key="⭐\ufe0f", slug="\ufe0f")
    as_schema_2(store, "status", status.id, name="Straße", slug="straße")
    as_schema_2(
        store,
        "contact",
        jane.id,
        name="Jane\u200b Doe",
        name_key="jane\u200b doe",
        email="Jane\u200b@Bücher.example",
        email_key="jane\u200b@bücher.example",
        assignee="V\u200bera",
        assignee_key="v\u200bera",
        search="jane\u200b doe\x1fjane\u200b@bücher.example\x1f",
    )
    as_schema_2(store, "rule", rule.id, name=NFD, name_key=NFD.lower())
    back_to_schema_2(store)

    with Store.open(db_url) as store:
        assert sql(store, "SELECT value FROM tagtui_meta WHERE \"key\" = 'schema_version'") == [
            (str(SCHEMA_VERSION),)
        ]
        assert sql(store, "SELECT name, name_key, slug FROM tag ORDER BY id")[:2] == [
            (NFD, NFC.lower(), NFC.lower()),  # names kept as they were; keys derived again
            ("⭐\ufe0f", "⭐", "white-medium-star"),
        ]
        assert store.get_status("strasse").name == "Straße"
        assert store.get_contact("jane@xn--bcher-kva.example").id == jane.id
        assert store.get_contact("jane@bücher.example").email == "Jane\u200b@Bücher.example"
        assert store.count_contacts(parse("assignee:vera")) == 1
        assert store.count_contacts(parse('"jane doe"')) == 1
        assert store.count_contacts(parse(f"tag:{NFC}")) == 1
        with pytest.raises(Conflict):
            store.create_tag(NFC)
        with pytest.raises(Conflict):
            store.add_contact("Jane 2", email="jane@xn--bcher-kva.example")
        with pytest.raises(Conflict):
            store.add_rule(NFC, "tag:none", add=["Y"])
        # A new "❤️" is a tag of its own (under schema 2 its slug was U+FE0F, as the star's).
        assert store.create_tag("❤\ufe0f").slug == "heavy-black-heart"
    with Store.open(db_url) as store:  # and it opens again as it is
        assert store.get_tag("white-medium-star").id == star.id


def test_keys_that_swap_are_no_collision(db_url: str) -> None:
    store = Store.open(db_url)
    a, b = store.create_tag("A"), store.create_tag("B")
    # a's stale slug is b's new one and the other way round: the unique index must not trip.
    as_schema_2(store, "tag", a.id, slug="tmp")
    as_schema_2(store, "tag", b.id, slug="a")
    as_schema_2(store, "tag", a.id, slug="b")
    back_to_schema_2(store)
    with Store.open(db_url) as store:
        assert (store.get_tag(a.id).slug, store.get_tag(b.id).slug) == ("a", "b")


def test_look_alikes_refuse_the_migration_and_nothing_changes(db_url: str) -> None:
    store = Store.open(db_url)
    store.create_tag(NFC)
    second = store.create_tag("Cafe")
    store.create_status("VIP")
    vip2 = store.create_status("VIP2")
    store.add_contact("Jane", email="jane@example.com")
    ghost = store.add_contact("Ghost", email="ghost@example.com")
    # Schema 2 let these sit beside the first ones: they look the same.
    as_schema_2(store, "tag", second.id, name=NFD, name_key=NFD.lower(), slug=NFD.lower())
    as_schema_2(store, "status", vip2.id, name="V\u200bIP", slug="v\u200bip")
    as_schema_2(
        store, "contact", ghost.id, email="jane\u200b@example.com", email_key="jane\u200b@example.com"
    )
    back_to_schema_2(store)
    before = everything(db_url)
    with pytest.raises(DatabaseRefused) as refused:
        Store.open(db_url)
    message = str(refused.value)
    assert "3 pair(s) of names look alike" in message
    assert (
        f"tag 'Café' (id 1) and tag 'Cafe\\u0301' (id {second.id}) in workspace 'default' (slug 'café')"
        in message
    )
    assert f"status 'VIP' (id 1) and status 'V\\u200bIP' (id {vip2.id})" in message
    assert (
        f"contact 'Jane' 'jane@example.com' (id 1) and contact 'Ghost' 'jane\\u200b@example.com'"
        f" (id {ghost.id}) in workspace 'default' (email_key 'jane@example.com')"
    ) in message
    assert "tagtui tags merge" in message and "tagtui contacts update ID --email" in message
    assert "Nothing was changed" in message
    assert everything(db_url) == before  # the version is still 2, every key as it was
    # Once the user fixes them (here: a raw rename, as the older tagtui would), it opens.
    with Database(db_url).transaction(write=True) as tx:
        tx.execute(
            "UPDATE tag SET name = 'Cafe 2', name_key = 'cafe 2', slug = 'cafe-2' WHERE id = :id",
            {"id": second.id},
        )
        tx.execute("DELETE FROM status WHERE id = :id", {"id": vip2.id})
        tx.execute("UPDATE contact SET email = NULL, email_key = NULL WHERE id = :id", {"id": ghost.id})
    with Store.open(db_url) as store:
        assert store.get_tag(NFD).name == NFC
