"""``tagtui undo``, ``redo``, ``history`` and ``tags merge`` on the command line."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli, assert_one_error_line

COUNT_KEYS = {"tags_added", "tags_removed", "statuses_changed", "restored", "reverted", "removed"}


def _seed(ok: Cli) -> None:
    ok("tags", "create", "VIP")
    ok("tags", "create", "Old VIP")
    ok("contacts", "add", "--name", "Ada", "--email", "ada@example.org")
    ok("contacts", "add", "--name", "Bob", "--email", "bob@example.org")
    ok("contacts", "tag", "ada@example.org", "--add", "Old VIP")
    ok("contacts", "tag", "bob@example.org", "--add", "Old VIP, VIP")


def _tags_of(ok: Cli, email: str) -> list[str]:
    return list(ok("contacts", "show", email, "--json").json["tags"])


def test_empty_stack_is_exit_3_with_one_line(cli: Cli) -> None:
    assert_one_error_line(cli("undo"), 3, "nothing to undo")
    assert_one_error_line(cli("redo", "--json"), 3, "nothing to redo")


def test_undo_and_redo_text_and_json(ok: Cli) -> None:
    _seed(ok)
    text = ok("undo").out.splitlines()
    assert text[0] == "Undid: +Old VIP +VIP on Bob"
    assert text[1] == "  2 tag assignments taken"
    assert _tags_of(ok, "bob@example.org") == []
    redo = ok("redo", "--json").json
    assert set(redo) == {"action", "step_id", "kind", "summary", "counts"}
    assert redo["action"] == "redo"
    assert redo["kind"] == "contact.tags_changed"
    assert set(redo["counts"]) == COUNT_KEYS
    assert redo["counts"]["tags_added"] == 2
    assert _tags_of(ok, "bob@example.org") == ["Old VIP", "VIP"]


def test_merge_then_undo(ok: Cli, cli: Cli) -> None:
    _seed(ok)
    merged = ok("tags", "merge", "Old VIP", "VIP", "--json").json
    assert merged["source_name"] == "Old VIP"
    assert merged["target_name"] == "VIP"
    assert (merged["contacts"], merged["gained"]) == (2, 1)
    assert merged["tag"]["name"] == "VIP"
    assert [t["name"] for t in ok("tags", "list", "--json").json] == ["VIP"]
    assert _tags_of(ok, "ada@example.org") == ["VIP"]
    undone = ok("undo", "--json").json
    assert undone["kind"] == "tags.merged"
    assert _tags_of(ok, "ada@example.org") == ["Old VIP"]
    assert _tags_of(ok, "bob@example.org") == ["Old VIP", "VIP"]
    text = ok("redo").out
    assert text.startswith("Redid: Merged tag Old VIP into VIP (2 contacts)")


def test_merge_text_and_errors(ok: Cli, cli: Cli) -> None:
    _seed(ok)
    out = ok("tags", "merge", "old-vip", "VIP").out.strip()
    assert out.startswith("Merged tag 'Old VIP' into 'VIP': 2 contacts moved (1 gained it)")
    assert_one_error_line(cli("tags", "merge", "VIP", "vip"), 2, "into itself")
    assert_one_error_line(cli("tags", "merge", "Nope", "VIP"), 3, "Nope")


def test_history_by_contact_tag_and_limit(ok: Cli, cli: Cli) -> None:
    _seed(ok)
    events = ok("history", "ada@example.org", "--json").json
    assert [e["kind"] for e in events] == ["contact.tags_changed", "contact.created"]
    assert set(events[0]) >= {"id", "at", "kind", "subject_type", "subject_id", "payload", "step_id"}
    assert events[0]["step_state"] == "done"
    same = ok("history", "--contact", "ada@example.org", "--json").json
    assert same == events
    ok("undo")
    again = ok("history", "bob@example.org", "--limit", "1", "--json").json
    assert len(again) == 1
    assert again[0]["step_state"] == "undone"
    assert "(undone)" in ok("history", "bob@example.org").out
    tag_events = ok("history", "--tag", "VIP", "--json").json
    assert [e["kind"] for e in tag_events] == ["tag.created"]
    assert_one_error_line(cli("history", "ada@example.org", "--tag", "VIP"), 2, "not both")
    assert_one_error_line(cli("history", "nobody@example.org"), 3, "nobody@example.org")


def test_a_no_op_assign_is_no_step_and_keeps_redo(ok: Cli, cli: Cli) -> None:
    _seed(ok)
    ok("tags", "create", "Last")
    ok("undo")  # "Created tag Last": redo can reach it
    assert ok("tags", "assign", "VIP", "bob@example.org", "--json").json["changed"] == 0
    assert ok("redo").out.startswith("Redid: Created tag Last")
    ok("undo")
    ok("tags", "assign", "VIP", "bob@example.org")
    # The next undo takes back the last real change, not an empty "change".
    assert ok("undo").out.startswith("Undid: +Old VIP +VIP on Bob")


def test_undo_takes_this_actors_newest_step_and_any_the_workspaces(
    ok: Cli, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGTUI_ACTOR", "alice")
    _seed(ok)
    ok("tags", "create", "Alices")
    monkeypatch.setenv("TAGTUI_ACTOR", "bob")
    ok("tags", "create", "Bobs")
    monkeypatch.setenv("TAGTUI_ACTOR", "carol")
    assert_one_error_line(cli("undo"), 3, "nothing to undo by carol")
    monkeypatch.setenv("TAGTUI_ACTOR", "alice")
    # Bob's step is the workspace's newest; Alice's undo takes back her own.
    assert ok("undo").out.startswith("Undid: Created tag Alices")
    names = [t["name"] for t in ok("tags", "list", "--json").json]
    assert "Bobs" in names and "Alices" not in names
    history = ok("history", "--json").json
    assert {(e["kind"], e["step_actor"]) for e in history} >= {
        ("tag.created", "bob"),
        ("tag.created", "alice"),
    }
    # --any: the workspace's newest, whoever made it.
    assert ok("undo", "--any").out.startswith("Undid: Created tag Bobs")
    # Redo is Alice's too: her step, not Bob's.
    assert ok("redo").out.startswith("Redid: Created tag Alices")
    monkeypatch.setenv("TAGTUI_ACTOR", "bob")
    assert ok("redo").out.startswith("Redid: Created tag Bobs")


def test_undo_over_someone_elses_later_change_is_refused(
    ok: Cli, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGTUI_ACTOR", "alice")
    _seed(ok)
    ok("contacts", "tag", "ada@example.org", "--add", "VIP")
    monkeypatch.setenv("TAGTUI_ACTOR", "bob")
    ok("contacts", "tag", "ada@example.org", "--remove", "VIP")
    monkeypatch.setenv("TAGTUI_ACTOR", "alice")
    assert_one_error_line(cli("undo"), 4, "a later change by bob")
    assert _tags_of(ok, "ada@example.org") == ["Old VIP"]  # nothing changed
    assert ok("undo", "--any").out.startswith("Undid: −VIP on Ada")
    assert ok("undo").out.startswith("Undid: +VIP on Ada")
    assert _tags_of(ok, "ada@example.org") == ["Old VIP"]


def test_history_text_is_a_table_of_when_who_what_about(
    ok: Cli, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGTUI_ACTOR", "alice")
    _seed(ok)
    ok("statuses", "create", "Won")
    ok("contacts", "status", "ada@example.org", "Won")
    ok("tags", "create", "Gone")
    ok("undo")  # Gone: undone…
    ok("undo")  # Ada's status: undone
    ok("redo")  # Ada's status: done again
    ok("tags", "create", "Kept")  # … and now dropped
    lines = ok("history").out.splitlines()
    assert lines[0].split() == ["WHEN", "WHO", "WHAT", "ABOUT"]
    rows = [line.split("  ") for line in lines[1:-1]]
    cells = [[c.strip() for c in row if c.strip()] for row in rows]
    assert cells[0][1:] == ["alice", "created tag", "tag Kept"]
    assert cells[1][1:] == ["alice", "redid: Ada → Won", "workspace"]
    assert ["alice", "created tag (dropped)", "tag Gone (deleted)"] in [c[1:] for c in cells]
    assert ["alice", "status: no status → Won", "contact Ada"] in [c[1:] for c in cells]
    assert lines[-1] == f"{len(lines) - 2} events"
    # --json is the event list as before, now with the step's actor.
    events = ok("history", "--json").json
    assert events[0]["kind"] == "tag.created" and events[0]["step_actor"] == "alice"
    assert {"id", "at", "kind", "subject_type", "subject_id", "payload", "step_id", "step_state"} <= set(
        events[0]
    )
