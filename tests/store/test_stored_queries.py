"""Saved views and rules follow renames, merges and deletes of the tags and statuses they name
(issue 12.2), and undo puts them back; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tagtui.query.parse import parse
from tagtui.store import Conflict, Store, ValidationError

from .conftest import snapshot


def seed(store: Store) -> None:
    store.create_tag("VIP")
    store.create_tag("Hot Lead")
    store.setup_statuses()
    for i in range(6):
        tags = ["VIP"] if i % 2 else ["Hot Lead"]
        store.add_contact(f"P{i}", tags=tags, status="Lost" if i < 2 else "New")
    store.save_view("vip open", "tag:vip -status:lost")
    store.save_view("hot", "tag:hot-lead or tag:vip")
    store.add_rule("R", "tag:vip", add=["Hot Lead"], status="Won")
    store.add_rule("Other", "followers>10", add=["Cold"])


def views(store: Store) -> dict[str, tuple[str, str | None]]:
    return {v.name: (v.query, v.broken) for v in store.list_views()}


def rules(store: Store) -> dict[str, tuple[str, str, str | None]]:
    return {r.name: (r.query, r.actions(), r.broken) for r in store.list_rules()}


def counts(store: Store) -> dict[str, int]:
    return {v.name: store.count_contacts(store.view_filter(v.name)) for v in store.list_views()}


def test_a_tag_rename_keeps_views_and_rules_meaning_it(store: Store) -> None:
    seed(store)
    before = counts(store)
    store.update_tag("VIP", name="Very Important")
    assert views(store) == {
        "vip open": ('tag:"Very Important" -status:lost', None),
        "hot": ('tag:hot-lead or tag:"Very Important"', None),
    }
    assert rules(store)["R"] == ('tag:"Very Important"', "+Hot Lead status → Won", None)
    assert counts(store) == before
    # A value written as the slug stays a slug.
    store.update_tag("Hot Lead", name="Warm Lead")
    assert views(store)["hot"] == ('tag:warm-lead or tag:"Very Important"', None)
    assert rules(store)["R"] == ('tag:"Very Important"', "+Warm Lead status → Won", None)
    assert counts(store) == before


def test_a_status_rename_keeps_views_meaning_it(store: Store) -> None:
    seed(store)
    before = counts(store)
    store.update_status("Lost", name="Closed Lost")
    assert views(store)["vip open"] == ('tag:vip -status:"Closed Lost"', None)
    assert counts(store) == before
    store.update_status("Won", name="Closed Won")
    assert rules(store)["R"] == ("tag:vip", "+Hot Lead status → Closed Won", None)


def test_a_merge_points_views_and_rules_at_the_target(store: Store) -> None:
    seed(store)
    store.create_tag("Important")
    either = store.count_contacts(parse("tag:vip or tag:hot-lead"))
    store.merge_tags("Hot Lead", "VIP")
    # "tag:hot-lead or tag:vip" reads "has VIP" now: the one term left.
    assert views(store)["hot"] == ("tag:vip or tag:vip", None)
    assert store.count_contacts(store.view_filter("hot")) == either
    assert rules(store)["R"] == ("tag:vip", "+VIP status → Won", None)
    store.merge_tags("VIP", "Important")
    assert views(store)["vip open"] == ("tag:Important -status:lost", None)
    assert rules(store)["R"][:2] == ("tag:Important", "+Important status → Won")


def test_a_merge_that_makes_a_rule_add_and_remove_one_tag_breaks_it(store: Store) -> None:
    store.create_tag("A")
    store.create_tag("B")
    store.add_rule("Swap", "followers>1", add=["A"], remove=["B"])
    store.merge_tags("A", "B")
    broken = store.get_rule("Swap").broken
    assert broken is not None and "both adding and removing 'B'" in broken
    assert [e.broken for e in store.apply_rules()] == [broken]


def test_deleting_a_named_tag_or_status_is_refused(store: Store) -> None:
    seed(store)
    before = snapshot(store)
    with pytest.raises(Conflict, match=r"tag 'VIP' is named by view 'hot', view 'vip open', rule 'R'"):
        store.delete_tag("VIP")
    with pytest.raises(Conflict, match=r"status 'Won' is named by rule 'R'; --force"):
        store.delete_status("Won")
    with pytest.raises(Conflict, match="view 'vip open'"):
        store.delete_status("Lost")
    assert snapshot(store) == before
    assert store.stored_queries_naming("tag", "vip") == ["view 'hot'", "view 'vip open'", "rule 'R'"]
    assert store.stored_queries_naming("status", "new") == []
    store.delete_status("New")  # named by nothing: no question


def test_a_forced_delete_marks_them_broken_and_they_never_run(store: Store) -> None:
    seed(store)
    store.delete_tag("VIP", force=True)
    assert views(store) == {
        "vip open": ("tag:vip -status:lost", "tag 'VIP' was deleted"),
        "hot": ("tag:hot-lead or tag:vip", "tag 'VIP' was deleted"),
    }
    assert rules(store)["R"][2] == "tag 'VIP' was deleted"
    assert rules(store)["Other"][2] is None
    with pytest.raises(ValidationError, match=r"view 'vip open' is broken \(tag 'VIP' was deleted\)"):
        store.view_filter("vip open")
    with pytest.raises(ValidationError, match="rule 'R' is broken"):
        store.apply_rules("R")
    effects = store.apply_rules()
    assert [(e.rule.name, e.broken) for e in effects] == [("Other", None), ("R", "tag 'VIP' was deleted")]
    assert store.count_contacts(parse("status:won")) == 0  # R did not run
    # Saving the view anew makes it whole.
    store.save_view("hot", "tag:hot-lead")
    assert views(store)["hot"] == ("tag:hot-lead", None)


def test_a_forced_status_delete_breaks_a_rule_that_sets_it(store: Store) -> None:
    seed(store)
    store.delete_status("Won", force=True)
    rule = store.get_rule("R")
    assert (rule.status, rule.broken) == (None, "status 'Won' was deleted")
    store.undo()
    rule = store.get_rule("R")
    assert (rule.status, rule.broken) == ("Won", None)
    assert store.apply_rules("R")[0].plan.changes


def test_undo_and_redo_of_a_rename_take_the_views_along(store: Store) -> None:
    seed(store)
    start = (views(store), rules(store))
    store.update_tag("VIP", name="Very Important")
    renamed = (views(store), rules(store))
    store.undo()
    assert (views(store), rules(store)) == start
    store.redo()
    assert (views(store), rules(store)) == renamed


def test_undo_of_a_merge_and_of_a_forced_delete_puts_views_back(store: Store) -> None:
    seed(store)
    start = (views(store), rules(store))
    before = counts(store)
    store.merge_tags("Hot Lead", "VIP")
    store.undo()
    assert (views(store), rules(store)) == start
    store.delete_tag("VIP", force=True)
    store.undo()
    assert (views(store), rules(store)) == start
    assert counts(store) == before
    store.redo()
    assert views(store)["vip open"][1] == "tag 'VIP' was deleted"


def test_a_view_saved_anew_after_a_rename_keeps_the_users_text_on_undo(store: Store) -> None:
    seed(store)
    store.update_tag("VIP", name="Very Important")
    store.save_view("vip open", "tag:very-important")
    store.undo()  # the tag is VIP again; the view names a tag that is gone
    query, broken = views(store)["vip open"]
    assert query == "tag:very-important"
    assert broken is not None and "very-important" in broken
    assert views(store)["hot"] == ("tag:hot-lead or tag:vip", None)


def test_undoing_the_creation_of_a_named_tag_breaks_the_view(store: Store) -> None:
    store.create_tag("Fresh")
    store.save_view("fresh", "tag:fresh")
    store.undo()
    assert views(store)["fresh"][1] is not None
    store.redo()
    assert views(store)["fresh"] == ("tag:fresh", None)


def test_migrating_marks_views_that_name_a_tag_deleted_earlier_broken(tmp_path) -> None:
    """A schema-1 database whose view names a tag deleted long ago: the view comes out broken."""
    import shutil
    import sqlite3
    from pathlib import Path

    old = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).parent.parent / "fixtures" / "schema_v1.db", old)
    conn = sqlite3.connect(old)
    with conn:
        conn.execute(
            "INSERT INTO saved_view (workspace_id, name, query, created_at, updated_at)"
            " SELECT id, 'gone', 'tag:long-gone -status:qualified', created_at, created_at"
            " FROM workspace WHERE name = 'default'"
        )
    conn.close()
    with Store.open(str(old)) as store:
        shown = {v.name: v.broken for v in store.list_views()}
    assert shown == {"gone": "tag 'long-gone' no longer exists", "vip qualified": None}
