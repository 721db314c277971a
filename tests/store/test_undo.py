"""Undo and redo: every kind of change taken back and done again, as one step each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tagtui.query.filter import EVERYTHING
from tagtui.query.parse import parse
from tagtui.store import Conflict, NotFound, Store, ValidationError


def state(store: Store) -> dict[str, Any]:
    """Everything undo must restore (timestamps and revisions aside)."""

    def run(tx: Any) -> dict[str, Any]:
        ws = {"ws": store.workspace_id}
        return {
            "tags": tx.all(
                "SELECT id, name, slug, color, emoji, description FROM tag WHERE workspace_id = :ws"
                " ORDER BY id",
                ws,
            ),
            "statuses": tx.all(
                "SELECT id, name, slug, color, position FROM status WHERE workspace_id = :ws ORDER BY id", ws
            ),
            "contacts": tx.all(
                "SELECT id, name, email, company, phone, assignee, followers, notes, status_id, name_key,"
                " email_key, assignee_key, search FROM contact WHERE workspace_id = :ws ORDER BY id",
                ws,
            ),
            "assignments": tx.all(
                "SELECT ct.contact_id, ct.tag_id FROM contact_tag ct JOIN contact c ON c.id = ct.contact_id"
                " WHERE c.workspace_id = :ws ORDER BY 1, 2",
                ws,
            ),
        }

    return store._read(run)


def seeded(store: Store) -> Store:
    store.create_tag("VIP", color="red", emoji="⭐", description="big")
    store.create_tag("Cold")
    store.create_status("New")
    store.create_status("Won")
    store.add_contact("Ada", email="ada@example.org", company="AE", tags=["VIP"], status="New")
    store.add_contact("Bob", email="bob@example.org", tags=["Cold"])
    store.add_contact("Cy")
    return store


def check_round_trip(store: Store, change: Callable[[], object], summary: str | None = None) -> None:
    """``change`` is one step: undo restores the state before it, redo the state after it."""
    before = state(store)
    change()
    after = state(store)
    assert after != before
    undone = store.undo()
    assert state(store) == before
    if summary is not None:
        assert undone.summary == summary
    redone = store.redo()
    assert redone.step_id == undone.step_id
    assert state(store) == after
    # And back once more: the redone step is undoable again.
    store.undo()
    assert state(store) == before


@pytest.fixture
def s(store: Store) -> Store:
    return seeded(store)


def test_empty_stack_says_so(store: Store) -> None:
    with pytest.raises(NotFound, match="nothing to undo"):
        store.undo()
    with pytest.raises(NotFound, match="nothing to redo"):
        store.redo()


def test_tag_create_update_delete(s: Store) -> None:
    check_round_trip(s, lambda: s.create_tag("Partner", color="blue"), "Created tag Partner")
    check_round_trip(s, lambda: s.update_tag("VIP", name="Very Important", color="green"))
    check_round_trip(s, lambda: s.update_tag("VIP", description=None, emoji=None))
    check_round_trip(s, lambda: s.delete_tag("VIP"), "Deleted tag VIP (1 contact)")


def test_deleted_tag_comes_back_with_same_id_and_fields(s: Store) -> None:
    vip = s.get_tag("VIP")
    s.delete_tag("VIP")
    s.undo()
    back = s.get_tag(vip.id)
    assert (back.name, back.slug, back.color, back.emoji, back.description, back.contacts) == (
        vip.name,
        vip.slug,
        vip.color,
        vip.emoji,
        vip.description,
        1,
    )


def test_status_create_update_delete_move(s: Store) -> None:
    check_round_trip(s, lambda: s.create_status("Lost"))
    check_round_trip(s, lambda: s.update_status("New", name="Fresh", color="green"))
    check_round_trip(s, lambda: s.move_status("Won", 1))
    check_round_trip(s, lambda: s.delete_status("New"), "Deleted status New (1 contact)")


def test_contact_add_update_delete(s: Store) -> None:
    check_round_trip(s, lambda: s.add_contact("Dee", email="dee@x.org", tags=["VIP", "Cold"], status="Won"))
    check_round_trip(
        s, lambda: s.update_contact("ada@example.org", name="Ada L", email="ADA@x.org", notes="n")
    )
    check_round_trip(s, lambda: s.delete_contacts(["ada@example.org", "bob@example.org"]))


def test_tags_and_status_changes(s: Store) -> None:
    check_round_trip(s, lambda: s.change_tags("bob@example.org", add=["VIP"], remove=["Cold"]))
    check_round_trip(s, lambda: s.sync_tags(email="ada@example.org", names=["Cold", "Brand New"]))
    check_round_trip(s, lambda: s.set_status("bob@example.org", "Won"))
    check_round_trip(s, lambda: s.set_status("ada@example.org", None))
    ids = [c.id for c in s.list_contacts().rows]
    check_round_trip(s, lambda: s.assign("VIP", ids))
    check_round_trip(s, lambda: s.unassign("VIP", ids))
    check_round_trip(s, lambda: s.bulk_set_status(EVERYTHING, "Won"))
    check_round_trip(s, lambda: s.bulk_change_tags(EVERYTHING, add=["Cold"], remove=["VIP"]))


def test_import_is_one_step(s: Store) -> None:
    rows = [
        {"name": "Eve", "email": "eve@x.org", "tags": "VIP;Imported", "status": "Lead"},
        {"name": "Ada Lovelace", "email": "ADA@example.org", "tags": "Cold", "status": "Won"},
        {"name": "Eve E", "email": "eve@x.org", "tags": "Cold"},
    ]
    check_round_trip(s, lambda: s.import_rows(rows))


def test_setup_is_one_step(store: Store) -> None:
    check_round_trip(store, store.setup_tags)
    check_round_trip(store, store.setup_statuses)


def test_bulk_over_ten_thousand_contacts(store: Store) -> None:
    from tagtui.io.demo import generate

    generate(store, contacts=10_000, seed=3)
    store.create_tag("Big")
    # Half the contacts already have it: only the others really gain it.
    store.bulk_change_tags(parse("tag:cold-lead OR tag:warm-lead"), add=["Big"])
    before = state(store)
    result = store.bulk_change_tags(EVERYTHING, add=["Big"], remove=["Customer"])
    after = state(store)
    big = store.get_tag("Big").id
    assert result[f"+{big}"] > 1000
    undone = store.undo()
    assert undone.counts["tags_removed"] == result[f"+{big}"]
    assert undone.counts["tags_added"] == result[f"-{store.get_tag('Customer').id}"]
    assert state(store)["assignments"] == before["assignments"]
    store.redo()
    assert state(store)["assignments"] == after["assignments"]
    assert store.count_contacts(parse("tag:big")) == 10_000


def test_bulk_status_over_ten_thousand_contacts(store: Store) -> None:
    from tagtui.io.demo import generate

    generate(store, contacts=10_000, seed=4)
    before = state(store)
    store.bulk_set_status(EVERYTHING, "Won")
    after = state(store)
    store.undo()
    assert state(store) == before
    store.redo()
    assert state(store) == after


def test_demo_undo_removes_its_contacts_and_cannot_be_redone(store: Store) -> None:
    from tagtui.io.demo import generate

    before = state(store)
    generate(store, contacts=300, seed=1)
    result = store.undo()
    assert result.kind == "demo"
    assert state(store) == before
    with pytest.raises(NotFound, match="nothing to redo"):
        store.redo()


def test_merge_and_its_undo(s: Store) -> None:
    # Ada has VIP; Bob has Cold; Dee has both.
    s.add_contact("Dee", email="dee@x.org", tags=["VIP", "Cold"])
    s.update_settings(max_tags_per_contact=1)  # a swap does not grow the count...
    cold = s.get_tag("Cold")
    before = state(s)
    result = s.merge_tags("Cold", "VIP")
    assert (result.contacts, result.gained) == (2, 1)
    assert s.get_tag("VIP").contacts == 3
    with pytest.raises(NotFound):
        s.get_tag("Cold")
    undone = s.undo()
    assert undone.kind == "tags.merged"
    assert state(s) == before
    back = s.get_tag(cold.id)
    assert (back.name, back.color, back.contacts) == ("Cold", cold.color, 2)
    s.redo()
    assert s.get_tag("VIP").contacts == 3


def test_merge_into_itself_is_refused(s: Store) -> None:
    with pytest.raises(ValidationError):
        s.merge_tags("VIP", "vip")


def test_new_change_clears_redo(s: Store) -> None:
    s.create_tag("A")
    s.undo()
    s.create_tag("B")
    with pytest.raises(NotFound, match="nothing to redo"):
        s.redo()
    s.undo()  # B
    s.undo()  # Dee... the seeding steps are still there
    assert s.count_tags() == 2


def test_settings_and_views_stay_outside_undo(s: Store) -> None:
    s.create_tag("Last")
    s.update_settings(bulk_limit=10)
    s.save_view("mine", "vip")
    assert s.undo().summary == "Created tag Last"
    assert s.settings().bulk_limit == 10


def test_nested_operations_are_one_step(s: Store) -> None:
    before = state(s)

    def both(tx: Any) -> None:
        s.create_tag("Inner")
        s.change_tags("bob@example.org", add=["Inner"])

    s._write(both)
    s.undo()
    assert state(s) == before


def test_undo_refuses_when_a_name_was_taken_since(s: Store) -> None:
    s.delete_tag("Cold")
    # A change made outside tagtui's history (another tool on the same file).
    s.db.run(
        lambda tx: tx.execute(
            "INSERT INTO tag (workspace_id, name, name_key, slug, color, created_at, updated_at, rev)"
            " VALUES (:ws, 'COLD', 'cold', 'cold', '#000000', 'x', 'x', 1)",
            {"ws": s.workspace_id},
        ),
        write=True,
    )
    before = state(s)
    with pytest.raises(Conflict, match="cannot undo"):
        s.undo()
    assert state(s) == before  # nothing half done


def test_undo_refuses_when_a_contact_was_deleted_since(s: Store) -> None:
    s.bulk_change_tags(EVERYTHING, add=["VIP"])
    s.db.run(lambda tx: tx.execute("DELETE FROM contact WHERE name = 'Cy'"), write=True)
    s.bulk_change_tags(EVERYTHING, remove=["VIP"])
    s.undo()  # the removal: fine
    s.redo()
    s.db.run(lambda tx: tx.execute("DELETE FROM contact WHERE name = 'Bob'"), write=True)
    before = state(s)
    with pytest.raises(Conflict, match="deleted since"):
        s.undo()
    assert state(s) == before


def test_undo_refuses_when_an_email_was_taken_since(s: Store) -> None:
    s.delete_contacts(["bob@example.org"])
    s.db.run(
        lambda tx: tx.execute(
            "UPDATE contact SET email = 'bob@example.org', email_key = 'bob@example.org' WHERE name = 'Cy'"
        ),
        write=True,
    )
    with pytest.raises(Conflict, match="email"):
        s.undo()


def test_undo_in_a_rolled_back_transaction_changes_nothing(s: Store) -> None:
    s.create_tag("Gone")
    before = state(s)

    class Rollback(Exception):
        pass

    def run(tx: Any) -> None:
        s.undo()
        raise Rollback

    with pytest.raises(Rollback):
        s.db.run(run, write=True)
    assert state(s) == before
    assert s.undo().summary == "Created tag Gone"


def test_history_shows_steps_and_bulk_changes(s: Store) -> None:
    ada = s.get_contact("ada@example.org")
    s.bulk_change_tags([ada.id], add=["Cold"])
    s.bulk_set_status(EVERYTHING, "Won")
    events = s.history(contact=ada.id, limit=10)
    kinds = [(e.kind, e.payload.get("bulk")) for e in events[:2]]
    assert kinds == [("contact.status_changed", True), ("contact.tags_changed", True)]
    assert events[0].step_summary == "Status Won on 3 contacts"
    s.undo()
    events = s.history(contact=ada.id, limit=10)
    assert events[0].undone
    tag_events = s.history(tag="Cold", limit=10)
    assert any(e.kind == "contacts.tags_changed" for e in tag_events)
    assert all(e.kind not in ("undo", "redo") for e in tag_events)
    assert s.history(limit=1)[0].kind == "undo"


def test_steps_beyond_the_undo_depth_are_dropped_with_their_rows(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tagtui.store.base.UNDO_DEPTH", 3)
    contact = store.add_contact("Ada")
    for name in ("A", "B", "C"):
        store.create_tag(name)
        store.change_tags(contact.id, add=[name])
    for _ in range(3):
        store.undo()
    with pytest.raises(NotFound, match="nothing to undo"):
        store.undo()
    rows = store._read(lambda tx: tx.scalar("SELECT COUNT(*) FROM step_contact_tag"))
    assert rows == 2  # the tags of the two steps still in reach (now undone)
    store.create_tag("D")  # drops them: nothing is left to redo, nor their rows
    assert store._read(lambda tx: tx.scalar("SELECT COUNT(*) FROM step_contact_tag")) == 0
    with pytest.raises(NotFound, match="nothing to redo"):
        store.redo()


def test_adding_and_deleting_a_rule_are_undone(s: Store) -> None:
    def rules() -> list[tuple[Any, ...]]:
        return [(r.id, r.name, r.query, r.actions(), r.created_at) for r in s.list_rules()]

    before, tags_before = rules(), state(s)["tags"]
    s.add_rule("Big", query="followers>1000", add=["Influencer"], status="Won")
    added = rules()
    undone = s.undo()
    assert undone.summary == "Added rule Big"
    assert rules() == before and state(s)["tags"] == tags_before  # the tag it made goes too
    s.redo()
    assert rules() == added
    s.delete_rule("big")
    assert rules() == before
    assert s.undo().summary == "Deleted rule Big"
    assert rules() == added  # the same id, query and actions
    assert s.apply_rules("Big")[0].rule.name == "Big"


def _steps(store: Store) -> list[tuple[int, str]]:
    return store._read(lambda tx: tx.all("SELECT id, state FROM step ORDER BY id"))


@pytest.mark.parametrize(
    "no_op",
    [
        pytest.param(lambda s: s.assign("VIP", ["ada@example.org"]), id="assign-a-tag-it-has"),
        pytest.param(lambda s: s.unassign("VIP", ["bob@example.org"]), id="unassign-a-tag-it-lacks"),
        pytest.param(lambda s: s.change_tags("ada@example.org", add=["VIP"]), id="change-tags"),
        pytest.param(lambda s: s.set_status("ada@example.org", "New"), id="the-status-it-has"),
        pytest.param(lambda s: s.set_status(3, None), id="clear-a-status-it-lacks"),
        pytest.param(lambda s: s.sync_tags(email="ada@example.org", names=["VIP"]), id="sync-the-same-set"),
        pytest.param(lambda s: s.bulk_change_tags(parse("status:new"), add=["VIP"]), id="bulk-tags-no-row"),
        pytest.param(lambda s: s.bulk_set_status(parse("tag:vip"), "New"), id="bulk-status-no-row"),
        pytest.param(lambda s: s.bulk_set_status(parse("tag:nobody"), "Won"), id="bulk-empty-selection"),
        pytest.param(lambda s: s.update_contact("ada@example.org", name="Ada"), id="same-name"),
    ],
)
def test_a_change_that_changes_nothing_is_no_step_and_keeps_redo(
    s: Store, no_op: Callable[[Store], object]
) -> None:
    s.create_tag("Nobody")
    s.create_tag("Last")
    undone = s.undo()  # "Created tag Last": redo can reach it
    steps, before = _steps(s), state(s)
    no_op(s)
    assert state(s) == before
    assert _steps(s) == steps  # no step recorded, none dropped
    assert s.redo().step_id == undone.step_id
    s.undo()
    # Undo after a no-op takes back the previous real step, not an empty one.
    assert s.undo().summary == "Created tag Nobody"


def test_a_schema_2_journal_gains_actors_and_its_steps_stay_undoable(tmp_path: Any) -> None:
    import sqlite3

    path = tmp_path / "v2.db"
    with Store.open(str(path)) as store:
        store.create_tag("Before")
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE step DROP COLUMN actor")
    conn.execute("ALTER TABLE step DROP COLUMN session")
    conn.execute("UPDATE tagtui_meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with Store.open(str(path)) as store:
        store.create_tag("After")
        rows = store._read(lambda tx: tx.all("SELECT summary, actor FROM step ORDER BY id"))
        assert rows == [("Created tag Before", None), ("Created tag After", store.actor)]
        # A step of no known actor is everyone's: this actor's undo reaches it.
        assert store.undo(by="actor").summary == "Created tag After"
        assert store.undo(by="actor").summary == "Created tag Before"


def test_demo_history_belongs_to_its_step_and_goes_with_it(store: Store) -> None:
    from tagtui.io.demo import generate

    generate(store, contacts=300, seed=1)
    step = store._read(lambda tx: tx.scalar("SELECT MAX(id) FROM step"))
    history = store._read(
        lambda tx: tx.all(
            "SELECT step_id, COUNT(*) FROM event WHERE kind = 'contact.status_changed' GROUP BY step_id"
        )
    )
    assert len(history) == 1 and history[0][0] == step and history[0][1] > 300
    # History says who made them.
    someone = store.list_contacts(parse("-status:none"), limit=1).rows[0].id
    lines = store.history_lines(contact=someone)
    assert lines and all(line.actor == store.actor for line in lines)
    assert all(line.event.step_id == step for line in lines)
    assert sum(sum(v) for v in store.trends(weeks=52).entered.values()) > 300
    store.undo()
    left = store._read(
        lambda tx: tx.scalar("SELECT COUNT(*) FROM event WHERE kind = 'contact.status_changed'")
    )
    assert left == 0
    assert sum(sum(v) for v in store.trends(weeks=52).entered.values()) == 0
