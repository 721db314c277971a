"""Finding duplicates through the store: normalised keys, blocking, groups, "not duplicates"."""

from __future__ import annotations

import pytest

from tagtui.query.parse import parse
from tagtui.store import Store, ValidationError
from tagtui.store.duplicates import Lookalikes, ScanCancelled
from tagtui.store.matching import email_key, name_similarity, name_tokens, phone_key


def groups_of(store: Store, **kwargs) -> list[set[int]]:
    return [set(g.ids) for g in store.find_duplicates(**kwargs)]


def test_keys_normalise_emails_phones_and_names() -> None:
    assert email_key("  ZOE@ACME.COM ") == email_key("zoe@acme.com")
    assert email_key("J.Doe+news@gmail.com") != email_key("jdoe@gmail.com")
    assert email_key("J.Doe+news@GMAIL.com", fold_aliases=True) == email_key(
        "jdoe@gmail.com", fold_aliases=True
    )
    assert phone_key("(415) 555-0100", "US") == phone_key("+1 415 555 0100") == "+14155550100"
    assert phone_key("020 7946 0958", "GB") == phone_key("+44 20 7946 0958") == "+442079460958"
    assert phone_key("555-0100") == "#5550100"  # no region: compared as digits
    assert name_tokens("Smith, John") == name_tokens("john  SMITH") == ("john", "smith")
    assert name_tokens("Dr. Seán O'Brien") == ("sean", "obrien")
    assert name_similarity(name_tokens("José Núñez"), name_tokens("Jose Nunez")) == 1.0
    assert name_similarity(name_tokens("Jon Smith"), name_tokens("Jonathan Smith")) > 0.9
    assert name_similarity(name_tokens("J. Smith"), name_tokens("John Smith")) > 0.9
    assert name_similarity(name_tokens("Bill Gates"), name_tokens("William Gates")) > 0.9
    assert name_similarity(name_tokens("John Smith"), name_tokens("Mary Smith")) < 0.5


def test_the_phone_shortcut_agrees_with_phonenumbers() -> None:
    import phonenumbers

    checked = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        example = phonenumbers.example_number(region)
        if example is None:
            continue
        for fmt in (phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164):
            text = phonenumbers.format_number(example, fmt)
            slow = phonenumbers.format_number(
                phonenumbers.parse(text, None), phonenumbers.PhoneNumberFormat.E164
            )
            assert phone_key(text) == slow, text
            checked += 1
    assert checked > 400


def test_a_group_of_three_with_reasons_best_first(store: Store) -> None:
    store.update_settings(phone_region="US", email_folding=True)
    a = store.add_contact("John Smith", email="john@acme.com", phone="(415) 555-0100", company="Acme")
    b = store.add_contact("Smith, Jon", phone="+1 415 555 0100", company="ACME Inc.")
    c = store.add_contact("J. Smith", email="John+crm@Acme.com", company="Acme")
    store.add_contact("Mary Smith", email="mary@home.example", phone="415-555-0100")  # family: same phone
    store.add_contact("John Smith", email="jsmith@globex.example", company="Globex")  # another John Smith
    d = store.add_contact("Zoë Müller", phone="+49 30 1234567")
    e = store.add_contact("Zoe Muller", phone="+49 (30) 123-4567", company="Nordlicht")
    found = store.find_duplicates()
    assert [set(g.ids) for g in found] == [{a.id, b.id, c.id}, {d.id, e.id}] or [
        set(g.ids) for g in found
    ] == [
        {d.id, e.id},
        {a.id, b.id, c.id},
    ]
    first = next(g for g in found if a.id in g.ids)
    assert first.score >= 0.9
    assert "same email" in first.reasons and "same phone +14155550100" in first.reasons
    assert any(r.startswith("similar name") for r in first.reasons)
    assert [g.score for g in found] == sorted((g.score for g in found), reverse=True)
    doc = first.to_json()
    assert set(doc) == {"score", "contacts", "reasons"}
    assert set(doc["contacts"][0]) == {"id", "name", "email", "phone", "company"}


def test_phone_region_decides_national_numbers(store: Store) -> None:
    a = store.add_contact("Ada Lovelace", phone="+44 20 7946 0958")
    b = store.add_contact("Ada Lovelace", phone="020 7946 0958")
    # Without a region the national number is only digits: the names alone (0.75) are not enough.
    assert groups_of(store) == []
    store.update_settings(phone_region="gb")
    assert store.settings().phone_region == "GB"
    assert groups_of(store) == [{a.id, b.id}]
    with pytest.raises(ValidationError, match="unknown phone region"):
        store.update_settings(phone_region="XX")


def test_min_score_query_and_limit(store: Store) -> None:
    store.create_tag("VIP")
    a = store.add_contact("Ann Lee", tags=["VIP"])
    b = store.add_contact("Lee, Ann", tags=["VIP"])
    c = store.add_contact("Bo Chan")
    d = store.add_contact("Bo Chan")
    assert groups_of(store) == []  # names alone: 0.75
    assert sorted(groups_of(store, min_score=0.7), key=min) == [{a.id, b.id}, {c.id, d.id}]
    assert groups_of(store, min_score=0.7, query=parse("tag:vip")) == [{a.id, b.id}]
    assert len(store.find_duplicates(min_score=0.7, limit=1)) == 1
    for bad in (0, 1.5, "x"):
        with pytest.raises(ValidationError):
            store.find_duplicates(min_score=bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        store.find_duplicates(limit=0)


def test_not_duplicates_are_never_suggested_again(store: Store) -> None:
    a = store.add_contact("Kim Park", phone="+1 212 555 0101")
    b = store.add_contact("Kim Park", phone="(212) 555-0101")
    c = store.add_contact("Park, Kim", phone="212.555.0101")
    store.update_settings(phone_region="US")
    assert groups_of(store) == [{a.id, b.id, c.id}]
    assert store.ignore_duplicates([a.id, b.id, c.id]) == 3
    assert groups_of(store) == []
    assert store.ignore_duplicates([a.id, b.id]) == 0  # known already
    # One pair apart: the others still group, but never across that pair.
    d = store.add_contact("Lu Wen", phone="+1 212 555 0199")
    e = store.add_contact("Lu Wen", phone="+1 212 555 0199")
    f = store.add_contact("Wen, Lu", phone="+1 212 555 0199")
    store.ignore_duplicates([d.id, f.id])
    found = groups_of(store)
    assert len(found) == 1 and found[0] < {d.id, e.id, f.id} and not {d.id, f.id} <= found[0]
    with pytest.raises(ValidationError):
        store.ignore_duplicates([a.id])


def test_a_scan_reports_progress_and_can_be_cancelled(store: Store) -> None:
    for i in range(30):
        store.add_contact(f"Person {i}", phone=f"+1 212 555 {1000 + i}")
    seen: list[tuple[str, int, int]] = []
    store.find_duplicates(progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert seen[0] == ("reading", 0, 30) and seen[-1][:2] != ("reading", 0)
    with pytest.raises(ScanCancelled):
        import tagtui.store.duplicates as d

        old = d.BATCH
        d.BATCH = 5
        try:
            store.find_duplicates(cancelled=lambda: True)
        finally:
            d.BATCH = old


def test_large_blocks_are_split_not_compared_pair_by_pair(store: Store) -> None:
    # 200 people share one switchboard number: only those with one name are one person.
    store.update_settings(phone_region="US")
    rows = [{"name": f"Agent {i:03d} Staff{i}", "phone": "+1 800 555 0100"} for i in range(200)]
    store.import_rows(
        [{**r, "email": ""} for r in rows] + [{"name": "Staff7, Agent 007", "phone": "800-555-0100"}]
    )
    found = store.find_duplicates()
    assert len(found) == 1 and len(found[0].contacts) == 2
    assert {c.name for c in found[0].contacts} == {"Agent 007 Staff7", "Staff7, Agent 007"}


def test_lookalikes_after_an_import(store: Store) -> None:
    store.add_contact("Grace Hopper", email="grace@navy.example", company="Navy")
    store.add_contact("Alan Turing", email="alan@npl.example")
    newest = store.newest_contact_id()
    store.import_rows(
        [
            {"name": "Hopper, Grace", "email": "ghopper@home.example", "company": "Navy"},
            {"name": "Ada Lovelace", "email": "ada@example.org"},
        ]
    )
    assert store.count_lookalikes(newest) == Lookalikes(0, True)  # a different email: 0.7, below the default
    store.import_rows([{"name": "Grace Hopper", "company": "NAVY"}])
    assert store.count_lookalikes(newest) == Lookalikes(1, True)
    assert store.count_lookalikes(newest, budget=0.0) == Lookalikes(None, False)  # past its budget
    # Everything after contact 0 is new: there is nothing older to look like (and no read).
    assert store.count_lookalikes(0, budget=0.0) == Lookalikes(0, True)
    # The older contacts were deleted meanwhile: nothing to look like either.
    store.delete_contacts([c.id for c in store.list_contacts(limit=10).rows if c.id <= newest])
    assert store.count_lookalikes(newest) == Lookalikes(0, True)


def test_lookalikes_ask_nothing_of_a_new_workspace_and_walk_down_the_ids_otherwise(
    store: Store, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an import into a new workspace (``since`` 0) there is nothing older to read; after
    one into a workspace with contacts, "anything older?" walks down the ids from ``since`` (on
    SQLite by the rowid, not every entry of the workspace's email index)."""
    from tagtui.store.db import Tx

    store.import_rows([{"name": f"Person {i}", "email": f"p{i}@example.com"} for i in range(50)])
    seen: list[tuple[str, dict]] = []
    real = Tx.execute

    def spy(self: Tx, sql: str, params: dict | None = None) -> object:
        seen.append((sql, dict(params or {})))
        return real(self, sql, params)

    monkeypatch.setattr(Tx, "execute", spy)
    assert store.count_lookalikes(0) == Lookalikes(0, True)
    assert seen == []
    assert store.count_lookalikes(10) == Lookalikes(0, True)
    older = [(sql, p) for sql, p in seen if sql.startswith("SELECT 1 FROM contact") and "id <= :since" in sql]
    assert len(older) == 1
    monkeypatch.setattr(Tx, "execute", real)
    if backend == "sqlite":
        sql, params = older[0]
        plan = store._read(lambda tx: tx.all(f"EXPLAIN QUERY PLAN {sql}", params))
        details = " ".join(str(row[-1]) for row in plan)
        assert "INTEGER PRIMARY KEY" in details and "ux_contact_email" not in details, details
