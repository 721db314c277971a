"""The examples of the five reference documents that concern the rules, replayed through the store.

(Other files test each rule in depth; this one follows the documents, example by example.)
"""

from __future__ import annotations

import pytest

from tagtui.query.filter import And, Followers, Not, Tags, criteria
from tagtui.store import Conflict, NotFound, Store, ValidationError

# -- 000: tags and statuses in an inbox -----------------------------------------------------


def test_000_list_create_update_delete_tags(store: Store) -> None:
    store.create_tag("Hot Lead", color="#ef4444")
    store.create_tag("Enterprise", color="#3b82f6")
    store.create_tag("Partner", color="#22c55e")
    assert [(t.name, t.color) for t in store.list_tags()] == [
        ("Enterprise", "#3b82f6"),
        ("Hot Lead", "#ef4444"),
        ("Partner", "#22c55e"),
    ]
    vip = store.create_tag("VIP", color="purple")
    assert vip.color == "#a855f7"
    updated = store.update_tag(vip.id, name="VIP Customer", color="#6366f1")
    assert (updated.name, updated.color) == ("VIP Customer", "#6366f1")
    prospect = store.add_contact("Prospect")
    store.change_tags(prospect.id, add=[updated.id])
    assert store.delete_tag(updated.id) == 1  # removes it from all prospects
    assert store.get_contact(prospect.id).tags == ()


def test_000_incremental_add_remove(store: Store) -> None:
    t8, u9, v0 = (store.create_tag(n).id for n in ("Hot Lead", "Enterprise", "Partner"))
    p = store.add_contact("Prospect").id
    store.change_tags(p, add=[t8, u9])
    store.change_tags(p, remove=[t8])
    store.change_tags(p, add=[v0], remove=[u9])
    assert [t.id for t in store.get_contact(p).tags] == [v0]


def test_000_statuses_set_clear_and_delete(store: Store) -> None:
    store.create_status("New", color="#64748b")
    qualified = store.create_status("Qualified", color="#f59e0b")
    store.create_status("Won", color="#22c55e")
    p = store.add_contact("Prospect")
    assert store.set_status(p.id, qualified.id).status == "Qualified"
    assert store.set_status(p.id, None).status is None
    store.set_status(p.id, qualified.id)
    last = store.history(limit=1)[0].id
    assert store.delete_status(qualified.id) == 1
    assert store.get_contact(p.id).status is None
    # No individual statusChanged event per prospect: one status.deleted event.
    assert [e.kind for e in store.history(limit=10) if e.id > last] == ["status.deleted"]


def test_000_filters_combine_with_and(store: Store) -> None:
    store.create_tag("Hot Lead")
    store.create_status("Qualified")
    store.add_contact("Match", tags=["hot lead"], status="qualified")
    store.add_contact("Assigned", tags=["hot lead"], status="qualified", assignee="Sam")
    store.add_contact("Other status", tags=["hot lead"])
    store.add_contact("Untagged", status="qualified")
    f = criteria(any_tags=("hot lead",), statuses=("qualified",), no_assignee=True)
    assert [r.name for r in store.list_contacts(f).rows] == ["Match"]
    assert [r.name for r in store.list_contacts(criteria(no_tags=True)).rows] == ["Untagged"]
    assert [r.name for r in store.list_contacts(criteria(no_status=True)).rows] == ["Other status"]


def test_000_setup_loops_treat_409_as_exists(store: Store) -> None:
    store.create_tag("Hot Lead", color="red")
    with pytest.raises(Conflict):
        store.create_tag("Hot Lead", color="red")
    assert {i.name: i.created for i in store.setup_tags()}["Hot Lead"] is False
    store.create_status("New", color="slate")
    with pytest.raises(Conflict):
        store.create_status("New", color="slate")
    assert {i.name: i.created for i in store.setup_statuses()}["New"] is False


def test_000_auto_tagging_by_follower_count(store: Store) -> None:
    influencer = store.create_tag("Influencer").id
    high_reach = store.create_tag("High Reach").id
    for name, followers in (("Star", 250_000), ("Known", 50_000), ("Edge", 100_000), ("Small", 10_000)):
        store.add_contact(name, followers=followers)
    store.bulk_change_tags(Followers(">", 100_000), add=[influencer])
    store.bulk_change_tags(And((Followers(">", 10_000), Not(Followers(">", 100_000)))), add=[high_reach])
    assert [r.name for r in store.list_contacts(Tags(("influencer",))).rows] == ["Star"]
    assert [r.name for r in store.list_contacts(Tags(("high-reach",))).rows] == ["Edge", "Known"]
    assert [r.name for r in store.list_contacts(criteria(no_tags=True)).rows] == ["Small"]


# -- 001: workspace-scoped tags, idempotent assignment, ANY filter --------------------------


def test_001_create_with_color_and_emoji(store: Store) -> None:
    tag = store.create_tag("VIP", color="blue", emoji="⭐")
    assert (tag.name, tag.color, tag.emoji) == ("VIP", "#3b82f6", "⭐")
    bare = store.create_tag("Plain")
    assert bare.emoji is None and bare.color == "#6366f1"


def test_001_assignment_idempotent_and_same_workspace(store: Store, other: Store) -> None:
    tag = store.create_tag("VIP")
    c = store.add_contact("Jane")
    store.assign(tag.id, [c.id])
    store.assign(tag.id, [c.id])  # succeeds silently
    store.change_tags(c.id, add=[tag.id])
    assert store.get_tag(tag.id).contacts == 1
    theirs = other.add_contact("Them")
    with pytest.raises(NotFound):
        store.assign(tag.id, [theirs.id])
    with pytest.raises(NotFound):
        other.assign(other.create_tag("VIP").id, [c.id])


def test_001_any_match_counts_distinct(store: Store) -> None:
    ids = [store.create_tag(f"T{i}").id for i in range(3)]
    both = store.add_contact("All three", tags=ids)
    one = store.add_contact("One", tags=ids[:1])
    store.add_contact("None")
    page = store.list_contacts(Tags(("t0", "t1", "t2")))
    assert page.total == 2 and [r.id for r in page.rows] == [both.id, one.id]


# -- 002: sync by lead id or email ----------------------------------------------------------


def test_002_examples(store: Store) -> None:
    lead = store.add_contact("Lead", email="jane@example.com")
    first = store.sync_tags(contact_id=lead.id, names=["VIP", "Follow-up"])
    assert sorted((t.name, t.slug) for t in first.tags) == [("Follow-up", "follow-up"), ("VIP", "vip")]
    second = store.sync_tags(email="jane@example.com", names=["Hot Lead"])
    assert set(second.removed) == set(first.added)
    assert store.sync_tags(contact_id=lead.id, names=[]).tags == ()
    with pytest.raises(ValidationError):
        store.sync_tags(names=["VIP"])
    with pytest.raises(NotFound):
        store.sync_tags(email="nobody@example.com", names=["VIP"])


# -- 003: list with search/limit/offset and counts; bulk assignment of 1..500 --------------


def test_003_default_limit_is_100(store: Store) -> None:
    c = store.add_contact("Jane")
    store.sync_tags(contact_id=c.id, names=[f"Tag {i:03d}" for i in range(101)])
    assert len(store.list_tags()) == 100
    assert store.list_tags(offset=100)[0].name == "Tag 100"
    assert all(t.contacts == 1 for t in store.list_tags(search="tag 00"))


def test_003_create_with_description_and_clear_it(store: Store) -> None:
    tag = store.create_tag("Beta Tester", color="#10b981", description="Users in the beta program")
    assert (tag.color, tag.description) == ("#10b981", "Users in the beta program")
    early = store.update_tag(tag.id, name="Early Adopter", color="#f59e0b")
    assert early.description == "Users in the beta program"  # only provided fields change
    assert store.update_tag(tag.id, description=None).description is None


def test_003_bulk_limits(store: Store) -> None:
    tag = store.create_tag("Beta Tester")
    ids = [store.add_contact(f"C{i}").id for i in range(2)]
    assert store.assign(tag.id, ids).changed == 2
    assert store.unassign(tag.id, ids[:1]).changed == 1
    with pytest.raises(ValidationError):
        store.assign(tag.id, [])
    with pytest.raises(ValidationError):
        store.assign(tag.id, list(range(1, 502)))


# -- 004: revisions, recency listing, five tags per contact ---------------------------------


def test_004_rev_and_recency(store: Store) -> None:
    vip = store.create_tag("VIP", color="#FFD700")
    assert (vip.rev, vip.color) == (1, "#ffd700")
    store.create_tag("Other")
    store.update_tag(vip.id, name="VIP")
    assert store.get_tag(vip.id).rev == 2
    assert [t.name for t in store.list_tags(sort="updated")] == ["VIP", "Other"]
    older = store.list_tags(sort="updated", updated_before=store.get_tag(vip.id).updated_at)
    assert [t.name for t in older] == ["Other"]


def test_004_more_than_five_tags_is_an_error(store: Store) -> None:
    store.update_settings(max_tags_per_contact=5)
    ids = [store.create_tag(f"T{i}").id for i in range(6)]
    with pytest.raises(ValidationError):
        store.add_contact("Jane", tags=ids)
    assert store.count_contacts() == 0
    assert len(store.add_contact("Jane", tags=ids[:5]).tags) == 5
