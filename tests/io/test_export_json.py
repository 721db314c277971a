"""JSON export on hostile text: the objects the engine writes (``Store.iter_contact_json``)
are what ``json.dumps(row.to_json(), ensure_ascii=False)`` writes, byte for byte, on both
engines (``Database.json_text`` escapes as the json module does)."""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagtui.io.export import export_contacts
from tagtui.query.filter import EVERYTHING
from tagtui.store import Store

#: Text with what JSON escapes (quotes, backslashes, control characters), what it does not
#: (U+2028, DEL, non-ASCII) and anything else but NUL (no engine stores it) and surrogates.
HOSTILE = st.text(
    alphabet=st.sampled_from(
        ['"', "\\", "\n", "\r", "\t", "\b", "\f", "\x01", "\x1f", "\x7f", "\u2028", "é", "/"]
    )
    | st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
TAG_NAMES = ['say "hi"', "back\\slash", "tab\there", "Ünï ✓", "plain", "</script>"]
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(text=HOSTILE)
def test_the_engine_writes_json_text_as_the_json_module(store: Store, text: str) -> None:
    with store.db.transaction(write=False) as tx:
        engine = tx.scalar(f"SELECT {store.db.json_text('CAST(:t AS TEXT)')}", {"t": text})
    assert engine == json.dumps(text, ensure_ascii=False)


def test_numbers_and_null_as_the_json_module_writes_them(store: Store) -> None:
    with store.db.transaction(write=False) as tx:
        for value in (0, 7, 2**53 + 1, 9_223_372_036_854_775_807):
            assert tx.scalar(f"SELECT {store.db.json_text('CAST(:n AS BIGINT)')}", {"n": value}) == str(value)
        assert tx.scalar(f"SELECT {store.db.json_text('CAST(NULL AS TEXT)')}") == "null"


def _reference(store: Store) -> str:
    rows = [json.dumps(r.to_json(), ensure_ascii=False) for r in store.iter_contacts(EVERYTHING)]
    return (
        "["
        + "".join(("\n" if i == 0 else ",\n") + text for i, text in enumerate(rows))
        + ("\n]\n" if rows else "]\n")
    )


@SETTINGS
@given(
    people=st.lists(
        st.tuples(
            HOSTILE,
            HOSTILE,
            HOSTILE,
            HOSTILE,
            st.integers(0, 2**62),
            st.lists(st.sampled_from(TAG_NAMES), max_size=3),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_json_export_is_json_dumps_of_each_row(store: Store, people: list) -> None:
    if not store.list_statuses():
        store.create_status('Said "yes" \\ done')
    made = []
    for i, (name, company, phone, assignee, followers, tags) in enumerate(people):
        contact = store.add_contact(
            f"{name}{i}",
            email=f"e{i}@x.com",
            company=company,
            phone=phone,
            assignee=assignee,
            followers=followers,
        )
        store.sync_tags(contact_id=contact.id, names=tags)
        if i % 2:
            store.set_status(contact.id, 'Said "yes" \\ done')
        made.append(contact.id)
    try:
        out = io.StringIO()
        export_contacts(store, EVERYTHING, "json", out)
        assert out.getvalue() == _reference(store)
        assert json.loads(out.getvalue()) == [r.to_json() for r in store.iter_contacts(EVERYTHING)]
    finally:
        store.delete_contacts(made)


def test_objects_come_in_batches_in_name_order(store: Store) -> None:
    for i in range(9):
        contact = store.add_contact(f"Name {8 - i}", email=f"n{i}@x.com", company='a, "b"' if i % 3 else None)
        store.sync_tags(contact_id=contact.id, names=TAG_NAMES[: i % 4])
    rows = list(store.iter_contacts(EVERYTHING))
    for batch in (1, 2, 4, 100):
        pages = list(store.iter_contact_json(batch=batch))
        assert all(len(p) == batch for p in pages[:-1])
        assert [o for p in pages for o in p] == [json.dumps(r.to_json(), ensure_ascii=False) for r in rows]
