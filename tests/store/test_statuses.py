"""Statuses (SPEC §2, reference 000): pipeline order, create appends, move, delete with one event."""

from __future__ import annotations

import pytest

from tagtui.query.filter import NoStatus, Statuses
from tagtui.store import NotFound, Store, ValidationError
from tests.store.conftest import snapshot

PIPELINE = ["New", "Contacted", "Qualified", "Demo", "Proposal", "Won", "Lost"]


def _order(store: Store) -> list[str]:
    statuses = store.list_statuses()
    assert [s.position for s in statuses] == list(range(1, len(statuses) + 1))
    return [s.name for s in statuses]


def test_reference_000_statuses(store: Store) -> None:
    new = store.create_status("New", color="slate")
    qualified = store.create_status("Qualified", color="amber")
    won = store.create_status("Won", color="green")
    assert [(s.name, s.color) for s in store.list_statuses()] == [
        ("New", "#64748b"),
        ("Qualified", "#f59e0b"),
        ("Won", "#22c55e"),
    ]
    assert (new.position, qualified.position, won.position) == (1, 2, 3)
    demo = store.create_status("Demo Scheduled", color="teal")
    assert demo.position == 4 and demo.color == "#14b8a6" and demo.rev == 1
    updated = store.update_status(demo.id, name="Demo Complete", color="#14b8a6")
    assert (updated.name, updated.slug, updated.rev, updated.position) == (
        "Demo Complete",
        "demo-complete",
        2,
        4,
    )


def test_create_appends_after_a_delete_too(store: Store) -> None:
    for name in ("A", "B", "C"):
        store.create_status(name)
    store.delete_status("b")
    assert _order(store) == ["A", "C"]
    assert store.create_status("D").position == 3
    assert _order(store) == ["A", "C", "D"]


def test_move_to_a_1_based_position(store: Store) -> None:
    for name in ("A", "B", "C", "D"):
        store.create_status(name)
    moved = store.move_status("d", 1)
    assert moved.position == 1 and moved.rev == 2
    assert _order(store) == ["D", "A", "B", "C"]
    store.move_status("d", 4)
    assert _order(store) == ["A", "B", "C", "D"]
    store.move_status("b", 3)
    assert _order(store) == ["A", "C", "B", "D"]
    same = store.move_status("a", 1)
    assert same.position == 1
    assert _order(store) == ["A", "C", "B", "D"]


@pytest.mark.parametrize("position", [0, 5, -1, 100, True])
def test_move_outside_1_to_count_is_a_validation_error(store: Store, position: int) -> None:
    for name in ("A", "B", "C", "D"):
        store.create_status(name)
    before = snapshot(store)
    with pytest.raises(ValidationError) as err:
        store.move_status("b", position)
    assert err.value.field == "position"
    assert snapshot(store) == before


def test_move_unknown_status_is_not_found(store: Store) -> None:
    store.create_status("A")
    with pytest.raises(NotFound):
        store.move_status("nosuch", 1)


def test_delete_status_clears_contacts_with_one_event(store: Store) -> None:
    """Reference 000: no individual statusChanged events for each affected prospect."""
    store.setup_statuses()
    contacts = [store.add_contact(f"C{i}") for i in range(4)]
    for c in contacts[:3]:
        store.set_status(c.id, "qualified")
    store.set_status(contacts[3].id, "won")
    last = store.history(limit=1)[0].id
    qualified = store.get_status("qualified")
    assert qualified.contacts == 3
    assert store.delete_status("Qualified") == 3
    new_events = [e for e in store.history(limit=1000) if e.id > last]
    assert [e.kind for e in new_events] == ["status.deleted"]
    assert new_events[0].subject_id == qualified.id
    assert new_events[0].payload["contacts_cleared"] == 3
    assert store.count_contacts(NoStatus()) == 3
    assert store.get_contact(contacts[3].id).status == "Won"
    assert _order(store) == ["New", "Contacted", "Demo", "Proposal", "Won", "Lost"]
    with pytest.raises(NotFound):
        store.get_status(qualified.id)
    with pytest.raises(NotFound):
        store.delete_status(qualified.id)
    assert store.delete_status("new") == 0


def test_setup_statuses_twice(store: Store) -> None:
    first = store.setup_statuses()
    assert [i.name for i in first] == PIPELINE and all(i.created for i in first)
    assert _order(store) == PIPELINE
    colors = [s.color for s in store.list_statuses()]
    assert colors[0] == "#64748b" and colors[2] == "#f59e0b" and colors[5] == "#22c55e"
    before = snapshot(store)
    second = store.setup_statuses()
    assert [i.name for i in second] == PIPELINE and not any(i.created for i in second)
    assert snapshot(store) == before


def test_status_counts_and_lookup(store: Store) -> None:
    store.setup_statuses()
    c = store.add_contact("Jane")
    store.set_status(c.id, "won")
    counts = {s.name: s.contacts for s in store.list_statuses()}
    assert counts["Won"] == 1 and counts["New"] == 0
    won = store.get_status("WON")
    assert store.get_status(won.id).name == store.get_status(str(won.id)).name == "Won"
    assert store.count_contacts(Statuses(("won",))) == 1


def test_update_status_partial(store: Store) -> None:
    s = store.create_status("New", color="blue")
    recolored = store.update_status(s.id, color="RED")
    assert (recolored.name, recolored.color, recolored.rev) == ("New", "#ef4444", 2)
    renamed = store.update_status(s.id, name="Fresh")
    assert (renamed.name, renamed.color, renamed.rev, renamed.updated_at >= recolored.updated_at) == (
        "Fresh",
        "#ef4444",
        3,
        True,
    )
