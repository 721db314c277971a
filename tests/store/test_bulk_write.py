"""The set-based bulk writers: a selection evaluated once, undo exact, the tag limit counted
per contact in one pass; on SQLite and PostgreSQL."""

from __future__ import annotations

import random

import pytest

from tagtui.query.parse import parse
from tagtui.store import Store, ValidationError

from .test_undo import state


def world(store: Store) -> dict[int, set[str]]:
    """Sixty contacts with 0 to 3 of the tags A–D (a fixed spread); their tags by contact id."""
    rng = random.Random(11)
    names = ["A", "B", "C", "D"]
    for name in names:
        store.create_tag(name)
    store.create_status("Won")
    for i in range(60):
        store.add_contact(f"C{i}", tags=rng.sample(names, rng.randint(0, 3)))
    return tags(store)


def tags(store: Store) -> dict[int, set[str]]:
    return {c.id: {t.name for t in c.tags} for c in store.iter_contacts()}


def test_a_tag_filter_that_looks_at_the_changed_tags_acts_on_the_selection_as_it_was(store: Store) -> None:
    before_tags = world(store)
    before = state(store)
    counts = store.bulk_change_tags(parse("tag:a"), add=["B", "B"], remove=["A"])
    a, b = store.get_tag("A").id, store.get_tag("B").id
    with_a = {cid for cid, t in before_tags.items() if "A" in t}
    assert counts == {f"+{b}": sum(1 for c in with_a if "B" not in before_tags[c]), f"-{a}": len(with_a)}
    after_tags = tags(store)
    for cid, t in before_tags.items():
        assert after_tags[cid] == ((t - {"A"}) | {"B"} if cid in with_a else t)
    after = state(store)
    store.undo()
    assert state(store) == before
    store.redo()
    assert state(store) == after


def test_adding_and_removing_one_tag_in_one_step_nets_to_nothing(store: Store) -> None:
    world(store)
    before = state(store)

    def both(tx: object) -> None:
        # Two bulk changes in one step: the second undoes the first for the contacts both reach.
        store.bulk_change_tags(parse("tag:c"), add=["D"])
        store.bulk_change_tags(parse("-tag:b"), remove=["D"])

    store._write(both)
    after = state(store)
    store.undo()
    assert state(store) == before
    store.redo()
    assert state(store) == after


def test_bulk_change_under_the_tag_limit_refuses_the_whole_change(store: Store) -> None:
    before_tags = world(store)
    store.update_settings(max_tags_per_contact=2)
    before = state(store)
    over = sum(
        1
        for t in before_tags.values()
        if "A" in t and len((t - {"B"}) | {"C", "D"}) > 2 and not {"C", "D"} <= t
    )
    assert over > 0
    with pytest.raises(ValidationError, match=f"{over} of the selected contacts would have more than 2 tags"):
        store.bulk_change_tags(parse("tag:a"), add=["C", "D"], remove=["B"])
    assert state(store) == before
    # Contacts without tags are counted too: each gains one and stays within the limit.
    counts = store.bulk_change_tags(parse("tag:none"), add=["A"])
    assert sum(counts.values()) == sum(1 for t in before_tags.values() if not t)


def test_plan_of_a_tag_filter_under_a_limit_matches_apply(store: Store) -> None:
    before_tags = world(store)
    store.update_settings(max_tags_per_contact=2)
    selection = parse("tag:a,b")
    plan = store.plan_bulk_change(selection, add=["C", "D"], remove=["A"], status="Won")
    done = store.apply_bulk_change(selection, add=["C", "D"], remove=["A"], status="Won")
    assert done == plan
    chosen = {cid for cid, t in before_tags.items() if t & {"A", "B"}}

    def wanted(t: set[str]) -> set[str]:
        return (t - {"A"}) | {"C", "D"}

    left_out = {c for c in chosen if len(wanted(before_tags[c])) > 2 and not {"C", "D"} <= before_tags[c]}
    assert plan.selected == len(chosen) and plan.left_out == len(left_out) > 0
    after_tags = tags(store)
    for cid, t in before_tags.items():
        assert after_tags[cid] == (wanted(t) if cid in chosen - left_out else t)
    assert plan.status is not None and plan.status.contacts == len(chosen)
    assert {c.id for c in store.iter_contacts(parse("status:won"))} == chosen
