"""Assignments (SPEC §2; references 000–004): change_tags, sync_tags, assign/unassign, bulk changes."""

from __future__ import annotations

import pytest

from tagtui.query.filter import Tags, Text
from tagtui.store import Conflict, NotFound, Store, ValidationError
from tests.store.conftest import row_count, snapshot


def _tag_ids(store: Store, contact: int | str) -> set[int]:
    return {t.id for t in store.get_contact(contact).tags}


# -- change_tags (references 000 and 001) --------------------------------------------------


def test_change_tags_adds_and_removes_in_one_call(store: Store) -> None:
    hot, enterprise, partner = (store.create_tag(n) for n in ("Hot Lead", "Enterprise", "Partner"))
    c = store.add_contact("Prospect")
    first = store.change_tags(c.id, add=[hot.id, enterprise.id])
    assert set(first.added) == {hot.id, enterprise.id} and first.removed == ()
    second = store.change_tags(c.id, remove=[hot.id])
    assert second.removed == (hot.id,) and second.added == ()
    both = store.change_tags(c.id, add=[partner.id], remove=[enterprise.id])
    assert both.added == (partner.id,) and both.removed == (enterprise.id,)
    assert [t.id for t in both.tags] == [partner.id]
    assert _tag_ids(store, c.id) == {partner.id}


def test_change_tags_names_tags_by_id_name_or_slug(store: Store) -> None:
    store.create_tag("Hot Lead")
    c = store.add_contact("Prospect", email="p@example.com")
    store.change_tags("P@EXAMPLE.COM", add=["hot lead"])
    assert [t.slug for t in store.get_contact(c.id).tags] == ["hot-lead"]
    store.change_tags(c.id, remove=["HOT-LEAD"])
    assert store.get_contact(c.id).tags == ()


def test_adding_an_assigned_tag_and_removing_an_absent_one_are_no_ops(store: Store) -> None:
    """Reference 001: onConflictDoNothing, safe to retry."""
    vip, cold = store.create_tag("VIP"), store.create_tag("Cold")
    c = store.add_contact("Jane")
    store.change_tags(c.id, add=[vip.id])
    before = snapshot(store)
    again = store.change_tags(c.id, add=[vip.id, vip.id, "vip"], remove=[cold.id])
    assert again.added == () and again.removed == ()
    assert [t.id for t in again.tags] == [vip.id]
    assert snapshot(store) == before  # not even an event
    assert row_count(store, "contact_tag") == 1


def test_change_tags_with_an_unknown_tag_or_contact_changes_nothing(store: Store) -> None:
    vip = store.create_tag("VIP")
    c = store.add_contact("Jane")
    store.change_tags(c.id, add=[vip.id])
    partner = store.create_tag("Partner")
    before = snapshot(store)
    with pytest.raises(NotFound):
        store.change_tags(c.id, add=[partner.id, "nosuch"])
    with pytest.raises(NotFound):
        store.change_tags(c.id, add=[partner.id], remove=[vip.id, 999_999])
    with pytest.raises(NotFound):
        store.change_tags(999_999, add=[partner.id])
    with pytest.raises(NotFound):
        store.change_tags("nobody@example.com", add=[partner.id])
    assert snapshot(store) == before


def test_change_tags_cannot_add_and_remove_the_same_tag(store: Store) -> None:
    vip = store.create_tag("VIP")
    c = store.add_contact("Jane")
    with pytest.raises(ValidationError):
        store.change_tags(c.id, add=[vip.id], remove=["vip"])
    assert store.get_contact(c.id).tags == ()


def test_tag_change_events(store: Store) -> None:
    vip, cold = store.create_tag("VIP"), store.create_tag("Cold")
    c = store.add_contact("Jane")
    store.change_tags(c.id, add=[vip.id, cold.id])
    store.change_tags(c.id, add=[vip.id], remove=[cold.id])
    store.change_tags(c.id, add=[vip.id])  # a no-op writes no event
    events = [e for e in store.history(contact=c.id) if e.kind == "contact.tags_changed"]
    assert len(events) == 2
    assert events[0].payload["added"] == [] and events[0].payload["removed"] == [cold.id]
    assert set(events[1].payload["added"]) == {vip.id, cold.id}
    assert all(e.subject_id == c.id and e.subject_type == "contact" for e in events)


# -- sync_tags (reference 002) -------------------------------------------------------------


def test_sync_by_id_creates_tags_by_slug(store: Store) -> None:
    lead = store.add_contact("Jane", email="jane@example.com")
    result = store.sync_tags(contact_id=lead.id, names=["VIP", "Follow-up"])
    assert result.contact_id == lead.id
    assert [(t.name, t.slug) for t in result.tags] == [("Follow-up", "follow-up"), ("VIP", "vip")]
    by_slug = {t.slug: t.id for t in result.tags}
    assert set(result.added) == {by_slug["vip"], by_slug["follow-up"]}
    assert result.removed == ()
    assert set(result.created) == set(result.added)
    assert result.to_json()["tags"] == [
        {"id": by_slug["follow-up"], "name": "Follow-up", "slug": "follow-up"},
        {"id": by_slug["vip"], "name": "VIP", "slug": "vip"},
    ]

    second = store.sync_tags(contact_id=lead.id, names=["Hot Lead"])
    assert [t.name for t in second.tags] == ["Hot Lead"]
    assert set(second.removed) == {by_slug["vip"], by_slug["follow-up"]}
    assert second.added == tuple(t.id for t in second.tags)
    # The removed tags still exist; they are only unassigned.
    assert store.get_tag("vip").contacts == 0


def test_sync_by_email_is_case_insensitive(store: Store) -> None:
    lead = store.add_contact("Jane", email="jane@example.com")
    result = store.sync_tags(email="JANE@Example.COM", names=["Hot Lead"])
    assert result.contact_id == lead.id
    assert [t.slug for t in result.tags] == ["hot-lead"]


def test_sync_with_an_empty_list_clears(store: Store) -> None:
    lead = store.add_contact("Jane", email="jane@example.com")
    first = store.sync_tags(contact_id=lead.id, names=["VIP", "Follow-up"])
    cleared = store.sync_tags(contact_id=lead.id, names=[])
    assert cleared.tags == () and cleared.added == ()
    assert set(cleared.removed) == set(first.added)
    assert store.get_contact(lead.id).tags == ()
    assert store.count_tags() == 2


def test_sync_keeps_what_stays_and_reuses_existing_tags(store: Store) -> None:
    vip = store.create_tag("VIP", color="red")
    lead = store.add_contact("Jane")
    store.change_tags(lead.id, add=[vip.id])
    result = store.sync_tags(contact_id=lead.id, names=["vip", "Partner"])
    assert vip.id not in result.added and result.removed == ()
    assert {t.name for t in result.tags} == {"VIP", "Partner"}  # the existing tag keeps its name
    assert store.get_tag(vip.id).color == "#ef4444"
    again = store.sync_tags(contact_id=lead.id, names=["Partner", "VIP"])
    assert again.added == () and again.removed == () and again.created == ()


def test_sync_id_wins_over_email(store: Store) -> None:
    jane = store.add_contact("Jane", email="jane@example.com")
    bob = store.add_contact("Bob", email="bob@example.com")
    result = store.sync_tags(contact_id=bob.id, email="jane@example.com", names=["VIP"])
    assert result.contact_id == bob.id
    assert store.get_contact(jane.id).tags == ()
    before = snapshot(store)
    with pytest.raises(NotFound):
        store.sync_tags(contact_id=999_999, email="jane@example.com", names=["Partner"])
    assert snapshot(store) == before  # not even the tag was created


def test_sync_needs_an_id_or_an_email(store: Store) -> None:
    store.add_contact("Jane", email="jane@example.com")
    with pytest.raises(ValidationError):
        store.sync_tags(names=["VIP"])
    with pytest.raises(ValidationError):
        store.sync_tags(email="  ", names=["VIP"])
    with pytest.raises(NotFound):
        store.sync_tags(email="nobody@example.com", names=["VIP"])
    assert store.count_tags() == 0


def test_sync_first_spelling_names_a_new_tag(store: Store) -> None:
    lead = store.add_contact("Jane")
    result = store.sync_tags(contact_id=lead.id, names=["Hot Lead", "hot-lead", "HOT LEAD"])
    assert [(t.name, t.slug) for t in result.tags] == [("Hot Lead", "hot-lead")]
    assert store.count_tags() == 1


def test_sync_refuses_bad_names_and_changes_nothing(store: Store) -> None:
    lead = store.add_contact("Jane")
    before = snapshot(store)
    for names in (["VIP", "\u200b"], ["VIP", ""], ["x" * 101]):
        with pytest.raises(ValidationError):
            store.sync_tags(contact_id=lead.id, names=names)
    with pytest.raises(ValidationError):
        store.sync_tags(contact_id=lead.id, names="VIP")  # type: ignore[arg-type]
    assert snapshot(store) == before


def test_sync_from_another_workspace_is_not_found(store: Store, other: Store) -> None:
    theirs = other.add_contact("Them", email="them@example.com")
    before = snapshot(store)
    with pytest.raises(NotFound):
        store.sync_tags(contact_id=theirs.id, names=["VIP"])
    with pytest.raises(NotFound):
        store.sync_tags(email="them@example.com", names=["VIP"])
    assert snapshot(store) == before


# -- assign / unassign (reference 003) -----------------------------------------------------


def test_assign_and_unassign_many_contacts(store: Store) -> None:
    tag = store.create_tag("Beta Tester")
    contacts = [store.add_contact(f"C{i}", email=f"c{i}@example.com") for i in range(5)]
    result = store.assign(tag.id, [c.id for c in contacts[:3]] + ["C3@EXAMPLE.COM"])
    assert (result.tag_id, result.requested, result.changed) == (tag.id, 4, 4)
    assert store.get_tag(tag.id).contacts == 4
    again = store.assign("beta tester", [contacts[0].id, contacts[4].id])
    assert again.changed == 1  # contacts[0] already had it: idempotent
    assert store.get_tag(tag.id).contacts == 5
    removed = store.unassign(tag.id, [contacts[0].id, contacts[1].id])
    assert removed.changed == 2
    assert store.unassign(tag.id, [contacts[0].id]).changed == 0
    assert store.get_tag(tag.id).contacts == 3
    assert not store.get_contact(contacts[0].id).tags


def test_assign_accepts_1_to_bulk_limit_contacts(store: Store) -> None:
    tag = store.create_tag("Bulk")
    ids = [c.id for c in (store.add_contact(f"C{i}") for i in range(3))]
    before = snapshot(store)
    with pytest.raises(ValidationError):
        store.assign(tag.id, [])
    with pytest.raises(ValidationError):
        store.unassign(tag.id, [])
    # 501 ids are refused before any is looked up (default bulk_limit 500).
    assert store.settings().bulk_limit == 500
    with pytest.raises(ValidationError):
        store.assign(tag.id, ids + list(range(10_000, 10_498)))
    with pytest.raises(ValidationError):
        store.unassign(tag.id, ids + list(range(10_000, 10_498)))
    assert snapshot(store) == before
    store.update_settings(bulk_limit=2)
    with pytest.raises(ValidationError):
        store.assign(tag.id, ids)
    assert store.assign(tag.id, ids[:2]).changed == 2
    store.update_settings(bulk_limit=10_000)
    assert store.assign(tag.id, ids).changed == 1
    for bad in (0, 10_001, -1):
        with pytest.raises(ValidationError):
            store.update_settings(bulk_limit=bad)
    assert store.settings().bulk_limit == 10_000


def test_assign_exactly_bulk_limit_contacts(store: Store) -> None:
    tag = store.create_tag("Bulk")
    store.update_settings(bulk_limit=20)
    ids = [store.add_contact(f"C{i:02d}").id for i in range(20)]
    assert store.assign(tag.id, ids).changed == 20
    with pytest.raises(ValidationError):
        store.unassign(tag.id, [*ids, ids[0]])  # 21 entries: over the limit, even with a repeat
    assert store.unassign(tag.id, ids).changed == 20


def test_assign_with_an_unknown_contact_changes_nothing(store: Store, other: Store) -> None:
    """Reference 001: tag and contact must exist in the same workspace, otherwise 404."""
    tag = store.create_tag("VIP")
    mine = [store.add_contact(f"C{i}").id for i in range(3)]
    theirs = other.add_contact("Them", email="them@example.com")
    their_tag = other.create_tag("Theirs")
    store.assign(tag.id, [mine[0]])
    before = snapshot(store)
    for bad in (999_999, theirs.id, "them@example.com", "nobody@example.com"):
        with pytest.raises(NotFound):
            store.assign(tag.id, [mine[1], bad, mine[2]])
        with pytest.raises(NotFound):
            store.unassign(tag.id, [mine[0], bad])
    with pytest.raises(NotFound):
        store.assign("nosuch", mine)
    with pytest.raises(NotFound):
        store.assign(their_tag.id, mine)
    assert snapshot(store) == before
    assert other.get_tag(their_tag.id).contacts == 0


def test_assign_writes_an_event_per_contact_changed(store: Store) -> None:
    tag = store.create_tag("VIP")
    a, b = store.add_contact("A"), store.add_contact("B")
    store.assign(tag.id, [a.id])
    store.assign(tag.id, [a.id, b.id])
    assert [e.payload["added"] for e in store.history(contact=a.id) if e.kind == "contact.tags_changed"] == [
        [tag.id]
    ]
    assert [e.payload["added"] for e in store.history(contact=b.id) if e.kind == "contact.tags_changed"] == [
        [tag.id]
    ]


# -- max_tags_per_contact (reference 004) --------------------------------------------------


@pytest.fixture
def five(store: Store) -> tuple[list[int], int]:
    """Limit 5; a contact with five tags and a sixth tag ready."""
    store.update_settings(max_tags_per_contact=5)
    tags = [store.create_tag(f"T{i}").id for i in range(6)]
    contact = store.add_contact("Full", email="full@example.com", tags=tags[:5])
    assert len(contact.tags) == 5
    return tags, contact.id


def test_sixth_tag_refused_by_change_tags(store: Store, five: tuple[list[int], int]) -> None:
    tags, cid = five
    before = snapshot(store)
    with pytest.raises(ValidationError) as err:
        store.change_tags(cid, add=[tags[5]])
    assert "5" in str(err.value)
    assert snapshot(store) == before
    # Swapping one for another stays within the limit.
    swapped = store.change_tags(cid, add=[tags[5]], remove=[tags[0]])
    assert len(swapped.tags) == 5


def test_sixth_tag_refused_by_sync_tags(store: Store, five: tuple[list[int], int]) -> None:
    _, cid = five
    names = [f"T{i}" for i in range(5)]
    before = snapshot(store)
    with pytest.raises(ValidationError):
        store.sync_tags(contact_id=cid, names=[*names, "Brand New"])
    with pytest.raises(ValidationError):
        store.sync_tags(email="full@example.com", names=[*names, "T5"])
    assert snapshot(store) == before  # "Brand New" was not created either
    fresh = store.add_contact("Fresh")
    with pytest.raises(ValidationError):
        store.sync_tags(contact_id=fresh.id, names=["a", "b", "c", "d", "e", "f"])
    assert store.count_tags() == 6
    assert len(store.sync_tags(contact_id=fresh.id, names=["a", "b", "c", "d", "e"]).tags) == 5


def test_sixth_tag_refused_by_assign(store: Store, five: tuple[list[int], int]) -> None:
    tags, cid = five
    other = store.add_contact("Other")
    before = snapshot(store)
    with pytest.raises(ValidationError):
        store.assign(tags[5], [other.id, cid])
    assert snapshot(store) == before
    # Assigning a tag the full contact already has is fine (no addition).
    assert store.assign(tags[0], [other.id, cid]).changed == 1


def test_sixth_tag_refused_by_bulk_change_tags(store: Store, five: tuple[list[int], int]) -> None:
    tags, cid = five
    store.add_contact("Other")
    before = snapshot(store)
    with pytest.raises(ValidationError):
        store.bulk_change_tags(Text(""), add=[tags[5]])
    with pytest.raises(ValidationError):
        store.bulk_change_tags([cid], add=[tags[5]])
    assert snapshot(store) == before
    counts = store.bulk_change_tags([cid], add=[tags[5]], remove=[tags[1]])
    assert counts == {f"+{tags[5]}": 1, f"-{tags[1]}": 1}


def test_sixth_tag_refused_by_add_contact(store: Store, five: tuple[list[int], int]) -> None:
    tags, _ = five
    before = snapshot(store)
    with pytest.raises(ValidationError):
        store.add_contact("Too Many", email="many@example.com", tags=tags)
    assert snapshot(store) == before


def test_lowering_the_limit_keeps_assignments_but_refuses_additions(
    store: Store, five: tuple[list[int], int]
) -> None:
    tags, cid = five
    store.update_settings(max_tags_per_contact=3)
    assert store.settings().max_tags_per_contact == 3
    assert len(store.get_contact(cid).tags) == 5  # kept
    before = snapshot(store)
    with pytest.raises(ValidationError):
        store.change_tags(cid, add=[tags[5]], remove=[tags[0]])  # would still have 5 > 3
    with pytest.raises(ValidationError):
        store.assign(tags[5], [cid])
    with pytest.raises(ValidationError):
        store.sync_tags(contact_id=cid, names=["T1", "T2", "T3", "T5"])
    assert snapshot(store) == before
    # Removals are always allowed, and so is a sync that only removes.
    assert len(store.change_tags(cid, remove=[tags[0]]).tags) == 4
    assert len(store.sync_tags(contact_id=cid, names=["T1", "T2", "T3"]).tags) == 3
    assert store.unassign(tags[1], [cid]).changed == 1
    assert len(store.get_contact(cid).tags) == 2
    store.update_settings(max_tags_per_contact=None)
    assert len(store.change_tags(cid, add=tags).tags) == 6


@pytest.mark.parametrize("bad", [0, -1, 1001, True, "5"])
def test_max_tags_setting_is_1_to_1000_or_none(store: Store, bad: object) -> None:
    with pytest.raises(ValidationError):
        store.update_settings(max_tags_per_contact=bad)  # type: ignore[arg-type]
    assert store.settings().max_tags_per_contact is None


# -- bulk changes over a filter or ids ------------------------------------------------------


def test_bulk_change_tags_over_a_filter(store: Store) -> None:
    vip, partner = store.create_tag("VIP"), store.create_tag("Partner")
    acme = [store.add_contact(f"Acme {i}", company="ACME") for i in range(3)]
    store.add_contact("Globex", company="Globex")
    store.assign(partner.id, [acme[0].id])
    counts = store.bulk_change_tags(Text("acme"), add=[vip.id], remove=[partner.id])
    assert counts == {f"+{vip.id}": 3, f"-{partner.id}": 1}
    assert store.count_contacts(Tags(("vip",))) == 3
    assert store.count_contacts(Tags(("partner",))) == 0
    assert store.bulk_change_tags(Text("acme"), add=["vip"]) == {f"+{vip.id}": 0}
    kinds = [e.kind for e in store.history(limit=5)]
    assert kinds.count("contacts.tags_changed") == 1  # one event per bulk call, none for a no-op


def test_bulk_change_tags_over_ids(store: Store, other: Store) -> None:
    vip = store.create_tag("VIP")
    a, b, c = (store.add_contact(n) for n in "ABC")
    theirs = other.add_contact("Them")
    counts = store.bulk_change_tags([a.id, str(c.id)], add=[vip.id])
    assert counts == {f"+{vip.id}": 2}
    assert {x.id for x in store.list_contacts(Tags(("VIP",))).rows} == {a.id, c.id}
    assert store.bulk_change_tags([a.id, b.id], remove=[vip.id]) == {f"-{vip.id}": 1}
    # Every id must name a contact of this workspace, or nothing changes (SPEC §2).
    before = snapshot(store)
    for bad in (theirs.id, 999_999, "x", "a@example.com"):
        with pytest.raises(NotFound):
            store.bulk_change_tags([b.id, bad], add=[vip.id])
        with pytest.raises(NotFound):
            store.bulk_set_status([b.id, bad], None)
    assert snapshot(store) == before
    assert other.get_contact(theirs.id).tags == ()


def test_a_lone_string_is_not_a_list_of_references(store: Store) -> None:
    """``add="vip"`` would otherwise be read letter by letter ("v", "i", "p")."""
    store.create_tag("VIP")
    c = store.add_contact("Jane", email="j@example.com")
    for call in (
        lambda: store.change_tags(c.id, add="vip"),  # type: ignore[arg-type]
        lambda: store.change_tags(c.id, remove="vip"),  # type: ignore[arg-type]
        lambda: store.assign("vip", "j@example.com"),  # type: ignore[arg-type]
        lambda: store.unassign("vip", str(c.id)),  # type: ignore[arg-type]
        lambda: store.delete_contacts("j@example.com"),  # type: ignore[arg-type]
        lambda: store.bulk_change_tags("tag:vip", add=["vip"]),  # type: ignore[arg-type]
        lambda: store.bulk_change_tags([c.id], add="vip"),  # type: ignore[arg-type]
        lambda: store.bulk_set_status("tag:vip", None),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValidationError):
            call()
    assert store.get_contact(c.id).tags == ()


def test_bulk_change_tags_needs_a_tag_and_known_tags(store: Store) -> None:
    store.add_contact("A")
    before = snapshot(store)
    with pytest.raises(ValidationError):
        store.bulk_change_tags(Text(""))
    with pytest.raises(NotFound):
        store.bulk_change_tags(Text(""), add=["nosuch"])
    with pytest.raises(ValidationError):
        store.bulk_change_tags(Tags(("nosuch",)), add=[store.create_tag("X").id])
    assert snapshot(store)["contact_tag"] == before["contact_tag"]


def test_set_status_and_clear(store: Store) -> None:
    store.setup_statuses()
    c = store.add_contact("Jane", email="jane@example.com")
    assert store.set_status(c.id, "qualified").status == "Qualified"
    assert store.set_status("JANE@example.com", store.get_status("won").id).status == "Won"
    cleared = store.set_status(c.id, None)
    assert cleared.status is None and cleared.status_id is None
    with pytest.raises(NotFound):
        store.set_status(c.id, "nosuch")
    with pytest.raises(NotFound):
        store.set_status(999_999, "won")
    events = [e for e in store.history(contact=c.id) if e.kind == "contact.status_changed"]
    won, qualified = store.get_status("won").id, store.get_status("qualified").id
    assert [(e.payload["before"], e.payload["after"]) for e in events] == [
        (won, None),
        (qualified, won),
        (None, qualified),
    ]
    store.set_status(c.id, None)  # already clear: no event
    assert len([e for e in store.history(contact=c.id) if e.kind == "contact.status_changed"]) == 3


def test_add_contact_with_status_and_tags(store: Store) -> None:
    store.create_status("New")
    store.create_tag("VIP")
    c = store.add_contact("Jane", status="new", tags=["vip"])
    assert c.status == "New" and [t.name for t in c.tags] == ["VIP"]
    before = snapshot(store)
    with pytest.raises(NotFound):
        store.add_contact("Bob", status="nosuch")
    with pytest.raises(NotFound):
        store.add_contact("Bob", tags=["vip", "nosuch"])
    assert snapshot(store) == before


def test_bulk_set_status_over_a_filter_and_over_ids(store: Store) -> None:
    new = store.create_status("New")
    won = store.create_status("Won")
    acme = [store.add_contact(f"Acme {i}", company="Acme") for i in range(3)]
    other = store.add_contact("Globex")
    store.set_status(acme[0].id, "won")
    assert store.bulk_set_status(Text("acme"), "won") == 2
    assert store.count_contacts(Text("acme")) == 3
    assert {c.status for c in store.list_contacts(Text("acme")).rows} == {"Won"}
    assert store.get_contact(other.id).status is None
    assert store.bulk_set_status([acme[0].id, other.id], new.id) == 2
    assert store.get_contact(other.id).status == "New"
    assert store.bulk_set_status(Text("acme"), None) == 3
    assert store.get_status(won.id).contacts == 0
    assert store.bulk_set_status(Text("acme"), None) == 0
    with pytest.raises(NotFound):
        store.bulk_set_status(Text("acme"), "nosuch")


def test_incremental_changes_never_conflict(store: Store) -> None:
    """Only an edit given ``rev`` can be stale; tag and status changes just apply."""
    store.create_tag("VIP")
    store.create_status("New")
    c = store.add_contact("Jane")
    store.update_contact(c.id, company="Acme")
    store.change_tags(c.id, add=["vip"])
    store.set_status(c.id, "new")
    store.sync_tags(contact_id=c.id, names=["Other"])
    with pytest.raises(Conflict):
        store.update_contact(c.id, company="X", rev=1)
