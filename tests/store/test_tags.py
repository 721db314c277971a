"""Tag operations (SPEC §2, references 000, 002, 003, 004): list, get, delete, find-or-create, setup."""

from __future__ import annotations

import time

import pytest

from tagtui.store import NotFound, Store, ValidationError
from tests.store.conftest import row_count, snapshot


def _tags_with_counts(store: Store) -> dict[str, int]:
    vip = store.create_tag("VIP")
    vip_customer = store.create_tag("VIP Customer")
    partner = store.create_tag("Partner")
    store.create_tag("Beta Tester")
    contacts = [store.add_contact(f"C{i}") for i in range(4)]
    store.assign(vip.id, [c.id for c in contacts[:3]])
    store.assign(vip_customer.id, [contacts[0].id])
    store.assign(partner.id, [c.id for c in contacts])
    return {"VIP": 3, "VIP Customer": 1, "Partner": 4, "Beta Tester": 0}


def test_list_tags_by_name_with_counts(store: Store) -> None:
    expected = _tags_with_counts(store)
    tags = store.list_tags()
    assert [t.name for t in tags] == ["Beta Tester", "Partner", "VIP", "VIP Customer"]
    assert {t.name: t.contacts for t in tags} == expected
    assert store.count_tags() == 4


def test_list_tags_search_is_a_case_insensitive_substring(store: Store) -> None:
    _tags_with_counts(store)
    assert [t.name for t in store.list_tags(search="vip")] == ["VIP", "VIP Customer"]
    assert [t.name for t in store.list_tags(search="VIP")] == ["VIP", "VIP Customer"]
    assert [t.name for t in store.list_tags(search="customer")] == ["VIP Customer"]
    assert [t.name for t in store.list_tags(search="t")] == ["Beta Tester", "Partner", "VIP Customer"]
    assert [t.contacts for t in store.list_tags(search="vip")] == [3, 1]
    assert store.list_tags(search="nothing") == []
    assert store.count_tags(search="vip") == 2


def test_list_tags_search_treats_wildcards_literally(store: Store) -> None:
    store.create_tag("50% off")
    store.create_tag("500 off")
    store.create_tag("snake_case")
    store.create_tag("snakeXcase")
    store.create_tag("Émile")
    assert [t.name for t in store.list_tags(search="%")] == ["50% off"]
    assert [t.name for t in store.list_tags(search="_")] == ["snake_case"]
    assert [t.name for t in store.list_tags(search="ÉMILE")] == ["Émile"]


def test_list_tags_limit_and_offset(store: Store) -> None:
    names = [f"Tag {i:02d}" for i in range(12)]
    for name in names:
        store.create_tag(name)
    assert [t.name for t in store.list_tags(limit=5)] == names[:5]
    assert [t.name for t in store.list_tags(limit=5, offset=5)] == names[5:10]
    assert [t.name for t in store.list_tags(limit=5, offset=10)] == names[10:]
    assert store.list_tags(limit=5, offset=12) == []
    assert len(store.list_tags(limit=1000)) == 12
    assert len(store.list_tags(limit=1)) == 1


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (1001, 0), (-1, 0), (10, -1)])
def test_list_tags_limit_is_1_to_1000_and_offset_at_least_0(store: Store, limit: int, offset: int) -> None:
    with pytest.raises(ValidationError):
        store.list_tags(limit=limit, offset=offset)


def test_list_tags_by_updated_with_an_updated_before_cursor(store: Store) -> None:
    """Reference 004: the most recent tags first, then "updated before" the last one seen."""
    tags = []
    for i in range(7):
        tags.append(store.create_tag(f"T{i}"))
        time.sleep(0.002)
    store.update_tag(tags[0].id, color="red")  # T0 is now the most recently updated
    time.sleep(0.002)
    store.update_tag(tags[3].id, emoji="⭐")
    expected = ["T3", "T0", "T6", "T5", "T4", "T2", "T1"]
    assert [t.name for t in store.list_tags(sort="updated", limit=1000)] == expected

    seen: list[str] = []
    cursor = None
    while True:
        page = store.list_tags(sort="updated", limit=3, updated_before=cursor)
        if not page:
            break
        seen += [t.name for t in page]
        cursor = page[-1].updated_at
    assert seen == expected
    # The cursor is any ISO-8601 time: one before everything returns nothing.
    assert store.list_tags(sort="updated", updated_before="2000-01-01T00:00:00Z") == []
    assert len(store.list_tags(sort="updated", updated_before="2999-01-01")) == 7


def test_updated_before_cursor_misses_no_tag_made_in_one_transaction(store: Store) -> None:
    """Tags created by one call share a moment; paging by "updated before" must still see each once."""
    c = store.add_contact("Jane")
    store.sync_tags(contact_id=c.id, names=[f"Tag {i}" for i in range(40)])
    store.setup_tags()
    everything = [t.id for t in store.list_tags(sort="updated", limit=1000)]
    assert len(everything) == 46
    for size in (1, 7):
        seen: list[int] = []
        cursor = None
        while page := store.list_tags(sort="updated", limit=size, updated_before=cursor):
            seen += [t.id for t in page]
            cursor = page[-1].updated_at
        assert seen == everything


def test_list_tags_refuses_a_bad_sort_or_cursor(store: Store) -> None:
    with pytest.raises(ValidationError):
        store.list_tags(sort="color")
    with pytest.raises(ValidationError):
        store.list_tags(sort="updated", updated_before="yesterday")


def test_get_tag_by_id_name_or_slug(store: Store) -> None:
    tag = store.create_tag("Hot Lead", color="red")
    for ref in (tag.id, str(tag.id), "Hot Lead", "hot lead", "HOT LEAD", "hot-lead", " hot-lead "):
        assert store.get_tag(ref).id == tag.id
    got = store.get_tag(tag.id)
    assert (got.name, got.slug, got.color, got.rev, got.contacts) == ("Hot Lead", "hot-lead", "#ef4444", 1, 0)
    for missing in ("Cold Lead", tag.id + 1000, str(tag.id + 1000), "", "⭐"):
        with pytest.raises(NotFound):
            store.get_tag(missing)


def test_get_tag_id_wins_over_a_tag_named_like_another_tags_id(store: Store) -> None:
    first = store.create_tag("Alpha")
    named_like_id = store.create_tag(str(first.id))
    assert named_like_id.id != first.id
    assert store.get_tag(str(first.id)).id == first.id
    assert store.get_tag(first.id).id == first.id
    # A name that is a number but no tag's id finds the tag by name.
    numbered = store.create_tag("987654")
    assert store.get_tag("987654").id == numbered.id


def test_delete_tag_reports_how_many_contacts_lost_it(store: Store) -> None:
    vip = store.create_tag("VIP")
    keep = store.create_tag("Keep")
    contacts = [store.add_contact(f"C{i}") for i in range(3)]
    store.assign(vip.id, [c.id for c in contacts])
    store.assign(keep.id, [contacts[0].id])
    assert store.delete_tag("vip") == 3
    assert row_count(store, "contact_tag") == 1
    with pytest.raises(NotFound):
        store.get_tag(vip.id)
    assert [t.name for t in store.get_contact(contacts[0].id).tags] == ["Keep"]
    assert store.get_contact(contacts[1].id).tags == ()
    assert store.delete_tag(keep.id) == 1
    assert store.delete_tag(store.create_tag("Unused").id) == 0
    with pytest.raises(NotFound):
        store.delete_tag(vip.id)
    kinds = [e.kind for e in store.history(limit=10)]
    assert kinds.count("tag.deleted") == 3


def test_find_or_create_tag_by_slug(store: Store) -> None:
    tag, created = store.find_or_create_tag("Follow-up", color="amber")
    assert created and tag.slug == "follow-up" and tag.color == "#f59e0b"
    again, created = store.find_or_create_tag("follow up")
    assert not created and again.id == tag.id and again.name == "Follow-up"
    again, created = store.find_or_create_tag("FOLLOW-UP!", color="red")
    assert not created and again.color == "#f59e0b"  # an existing tag is left as it is
    assert store.count_tags() == 1
    with pytest.raises(ValidationError):
        store.find_or_create_tag("\u200b\ufe0f")
    with pytest.raises(ValidationError):
        store.find_or_create_tag("New", color="nope")
    assert store.count_tags() == 1


def test_setup_tags_twice_reports_existing(store: Store) -> None:
    """Reference 000's standard tag set: a second run finds every tag (its 409 = "Exists")."""
    first = store.setup_tags()
    names = ["Hot Lead", "Warm Lead", "Cold Lead", "Customer", "Partner", "Do Not Contact"]
    assert [i.name for i in first] == names
    assert all(i.created for i in first)
    colors = {t.name: t.color for t in store.list_tags()}
    assert colors["Hot Lead"] == "#ef4444" and colors["Cold Lead"] == "#64748b"
    assert colors["Do Not Contact"] == "#1f2937"
    before = snapshot(store)
    second = store.setup_tags()
    assert [i.name for i in second] == names
    assert not any(i.created for i in second)
    assert snapshot(store) == before


def test_setup_tags_keeps_a_tag_that_already_exists(store: Store) -> None:
    mine = store.create_tag("hot lead", color="blue")
    items = {i.name: i.created for i in store.setup_tags()}
    assert items["Hot Lead"] is False and items["Partner"] is True
    assert store.get_tag("hot-lead").color == mine.color
    assert store.count_tags() == 6


def test_tag_events(store: Store) -> None:
    tag = store.create_tag("VIP")
    store.update_tag(tag.id, color="red")
    events = store.history(tag=tag.id)
    assert [e.kind for e in events] == ["tag.updated", "tag.created"]
    assert events[0].payload["after"] == {"color": "#ef4444"}
    assert events[0].payload["before"] == {"color": "#6366f1"}
