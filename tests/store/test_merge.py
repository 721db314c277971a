"""Merging contacts: nothing lost, the status furthest along wins, one undo step puts all back."""

from __future__ import annotations

import pytest

from tagtui.store import NotFound, Store, ValidationError
from tests.helpers import dump

#: Tables undo and redo write to besides the data itself (the journal of steps and events).
JOURNAL = ("event", "step", "step_contact_tag", "step_contact_status", "sqlite_sequence")


def data(store: Store) -> dict:
    """Every row of the data tables, without the timestamps and revisions undo moves on."""
    rows = {t: r for t, r in dump(store).items() if t not in JOURNAL}

    def plain(table: str, row: tuple) -> tuple:
        return row[:-3] if table == "contact" else row  # created_at kept; updated_at, rev move on

    return {t: sorted((plain(t, r) for r in rs), key=repr) for t, rs in rows.items()}


@pytest.fixture
def three(store: Store) -> tuple[int, int, int]:
    store.update_settings(phone_region="US")
    for tag in ("VIP", "Cold", "Partner"):
        store.create_tag(tag)
    for status in ("Lead", "Qualified", "Won"):
        store.create_status(status)
    a = store.add_contact(
        "John Smith",
        phone="(415) 555-0100",
        company="Acme",
        notes="Met in Berlin.",
        tags=["VIP"],
        status="Lead",
    )
    b = store.add_contact(
        "Smith, Jon",
        email="jon@globex.example",
        phone="+1 415 555 0100",
        company="Globex",
        assignee="Sam",
        tags=["Cold", "VIP"],
        status="Won",
        notes="Prefers email.",
    )
    c = store.add_contact(
        "J. Smith",
        email="js@home.example",
        phone="+1 212 555 0199",
        followers=7,
        tags=["Partner"],
        status="Qualified",
    )
    return a.id, b.id, c.id


def test_merge_keeps_everything(store: Store, three: tuple[int, int, int]) -> None:
    a, b, c = three
    result = store.merge_contacts(a, [b, c])
    kept = result.contact
    assert result.merged == (b, c)
    assert (kept.id, kept.name, kept.company, kept.phone) == (a, "John Smith", "Acme", "(415) 555-0100")
    # Blank fields filled from the others in the order given.
    assert (kept.email, kept.assignee, kept.followers) == ("jon@globex.example", "Sam", 7)
    assert sorted(t.name for t in kept.tags) == ["Cold", "Partner", "VIP"]
    assert kept.status == "Won"  # furthest along the pipeline
    assert kept.notes is not None
    assert kept.notes.startswith("Met in Berlin.\n\nPrefers email.")
    for line in (
        "Also name: Smith, Jon",
        "Also name: J. Smith",
        "Also email: js@home.example",
        "Also company: Globex",
        "Also phone: +1 212 555 0199",
    ):
        assert line in kept.notes.splitlines() and line in result.kept_in_notes
    # The same phone written another way is one phone: no line for it.
    assert "Also phone: +1 415 555 0100" not in kept.notes
    with pytest.raises(NotFound):
        store.get_contact(b)
    assert store.count_contacts() == 1


def test_one_undo_puts_every_contact_back_and_redo_merges_again(
    store: Store, three: tuple[int, int, int]
) -> None:
    a, b, c = three
    before = data(store)
    history = {i: [(e.kind, e.payload) for e in store.history(contact=i)] for i in (a, b, c)}
    store.merge_contacts(a, [b, c])
    merged = data(store)
    undone = store.undo()
    assert undone.summary == "Merged 2 contacts into John Smith"
    assert data(store) == before
    for i in (a, b, c):
        # Their history is theirs again (the merge and its undo are in a's, as they happened).
        assert [(e.kind, e.payload) for e in store.history(contact=i)][-len(history[i]) :] == history[i]
    assert store.get_contact(b).email == "jon@globex.example"
    store.redo()
    again = data(store)
    # (A redone assignment is stamped when it is redone, as every redo does.)
    assert [r[:2] for r in again.pop("contact_tag")] == [r[:2] for r in merged.pop("contact_tag")]
    assert again == merged


def test_choose_a_value_per_field(store: Store, three: tuple[int, int, int]) -> None:
    a, b, c = three
    kept = store.merge_contacts(a, [b], choose={"company": b, "name": b}).contact
    assert (kept.name, kept.company) == ("Smith, Jon", "Globex")
    assert "Also company: Acme" in (kept.notes or "") and "Also name: John Smith" in (kept.notes or "")
    with pytest.raises(ValidationError):
        store.merge_contacts(a, [c], choose={"company": 9999})
    with pytest.raises(ValidationError):
        store.merge_contacts(a, [c], choose={"rev": c})


def test_refused_merges_change_nothing(store: Store, three: tuple[int, int, int]) -> None:
    a, b, _ = three
    before = dump(store)
    with pytest.raises(ValidationError):
        store.merge_contacts(a, [a])
    with pytest.raises(ValidationError):
        store.merge_contacts(a, [])
    with pytest.raises(NotFound):
        store.merge_contacts(a, [b, 99999])
    store.update_contact(b, notes="x" * 9_990)
    with pytest.raises(ValidationError, match="notes"):
        store.merge_contacts(a, [b])
    store.update_contact(b, notes="short")
    store.update_settings(max_tags_per_contact=1)
    with pytest.raises(ValidationError, match="at most 1 tags"):
        store.merge_contacts(a, [b])
    after = dump(store)
    assert {t: r for t, r in after.items() if t not in (*JOURNAL, "contact", "workspace")} == {
        t: r for t, r in before.items() if t not in (*JOURNAL, "contact", "workspace")
    }
    assert store.count_contacts() == 3


def test_a_rehearsed_merge_shows_the_result_and_keeps_nothing(
    store: Store, three: tuple[int, int, int]
) -> None:
    a, b, c = three
    before = dump(store)
    preview = store.preview_merge(a, [b, c])
    assert preview.contact.status == "Won" and preview.merged == (b, c)
    assert dump(store) == before


def test_views_and_rules_name_no_contact_and_still_reach_the_kept_one(
    store: Store, three: tuple[int, int, int]
) -> None:
    from tagtui.query.parse import parse

    a, b, c = three
    # The query language has no contact id: a view or rule cannot name a merged contact.
    with pytest.raises(ValidationError, match="id"):
        parse(f"id:{b}")
    store.save_view("cold ones", "tag:cold")
    store.add_rule("won are partners", "status:won", add=["Partner"])
    views = [(v.name, v.query) for v in store.list_views()]
    rules = [r.to_json() for r in store.list_rules()]
    assert [x.id for x in store.list_contacts(store.view_filter("cold ones")).rows] == [b]
    store.merge_contacts(a, [b, c])
    # Unchanged, and what they selected through b (tag Cold, status Won) they select through a.
    assert [(v.name, v.query) for v in store.list_views()] == views
    assert [r.to_json() for r in store.list_rules()] == rules
    assert [x.id for x in store.list_contacts(store.view_filter("cold ones")).rows] == [a]
    assert store.count_rule_matches() == {"won are partners": 1}


@pytest.fixture
def lookalikes(store: Store) -> tuple[int, int, int]:
    """a and b are one person; d shares b's phone but is another person (a family member)."""
    store.update_settings(phone_region="US")
    a = store.add_contact("John Smith", email="john@acme.example", company="Acme").id
    b = store.add_contact("Smith, John", phone="+1 415 555 0100", company="Acme").id
    d = store.add_contact("Johanna Smith", phone="(415) 555-0100").id
    return a, b, d


def _ignored(store: Store) -> set[tuple[int, int]]:
    return {(r[1], r[2]) for r in dump(store)["duplicate_ignore"]}


def test_not_duplicates_follow_the_kept_contact_and_undo_takes_them_back(
    store: Store, lookalikes: tuple[int, int, int]
) -> None:
    a, b, d = lookalikes
    store.ignore_duplicates([b, d])
    assert [g.ids for g in store.find_duplicates()] == [(a, b)]
    store.merge_contacts(a, [b])
    # a took b's phone, which d shares; but d was said not to be b, so it is not a either.
    assert store.find_duplicates() == []
    assert _ignored(store) == {(b, d), (a, d)}
    store.undo()
    assert _ignored(store) == {(b, d)}
    assert [g.ids for g in store.find_duplicates()] == [(a, b)]
    store.redo()
    assert _ignored(store) == {(b, d), (a, d)}
    assert store.find_duplicates() == []


def test_a_pair_the_kept_contact_already_has_is_not_added_again(
    store: Store, lookalikes: tuple[int, int, int]
) -> None:
    a, b, d = lookalikes
    store.ignore_duplicates([a, d])
    store.ignore_duplicates([b, d])
    store.merge_contacts(a, [b])
    store.undo()
    # The merge added nothing, so its undo took nothing: a's own pair is still there.
    assert _ignored(store) == {(a, d), (b, d)}


def test_the_kept_contacts_history_holds_the_merged_ones(store: Store, three: tuple[int, int, int]) -> None:
    a, b, c = three
    store.change_tags(b, remove=["Cold"])
    store.merge_contacts(c, [b])  # b into c, then c into a: a's history holds both
    store.merge_contacts(a, [c])
    kinds = [(e.subject_id, e.kind) for e in store.history(contact=a, limit=100)]
    assert (b, "contact.created") in kinds and (c, "contact.created") in kinds
    assert (a, "contact.created") in kinds and (a, "contact.merged") in kinds
    lines = {line.about for line in store.history_lines(contact=a, limit=100)}
    assert {"contact Smith, Jon (merged)", "contact J. Smith (merged)", "contact John Smith"} <= lines
    store.undo()  # c is back, and its history is its own (with b's, still merged into it)
    assert {e.subject_id for e in store.history(contact=a, limit=100)} == {a}
    assert {e.subject_id for e in store.history(contact=c, limit=100)} == {b, c}


def _links(store: Store) -> dict[str, int | None]:
    return dict(
        store._read(
            lambda tx: tx.all(
                "SELECT s.name || ':' || i.href, i.contact_id FROM sync_item i"
                " JOIN sync_source s ON s.id = i.source_id"
            )
        )
    )


def test_sync_links_follow_the_kept_contact_one_card_per_address_book(
    store: Store, three: tuple[int, int, int]
) -> None:
    from tagtui.store.sync import ItemWrite

    a, b, c = three
    for name in ("phone", "khard"):
        store.add_sync_source(name, f"/books/{name}")

    def card(href: str, contact: int) -> ItemWrite:
        return ItemWrite(href, "etag-1", None, "BEGIN:VCARD\r\nEND:VCARD\r\n", {}, contact)

    store.record_sync_items("phone", [card("a.vcf", a), card("b.vcf", b)])
    store.record_sync_items("khard", [card("b.vcf", b), card("c.vcf", c)])
    before = _links(store)
    store.merge_contacts(a, [b, c])
    # phone: a has its own card, so b's card stays with b (gone: the next sync deletes it there).
    # khard: a had none; b's card (b comes first) is a's now, c's stays with c.
    after = {"phone:a.vcf": a, "phone:b.vcf": b, "khard:b.vcf": a, "khard:c.vcf": c}
    assert _links(store) == after
    assert {s.name: s.contacts for s in store.sync_sources()} == {"khard": 2, "phone": 2}
    store.undo()
    assert _links(store) == before
    store.redo()
    assert _links(store) == after
