"""``tagtui statuses …``: the pipeline of reference 000."""

from __future__ import annotations

from tests.cli.conftest import Cli, assert_one_error_line

PIPELINE = ["New", "Contacted", "Qualified", "Demo", "Proposal", "Won", "Lost"]
STATUS_KEYS = {"id", "name", "slug", "color", "position", "rev"}


def test_setup_twice_and_list(ok: Cli) -> None:
    assert ok("statuses", "setup").out.splitlines() == [f"Created: {n}" for n in PIPELINE]
    assert ok("statuses", "setup", "--json").json == [{"name": n, "created": False} for n in PIPELINE]
    listed = ok("statuses", "list", "--json").json
    assert [s["name"] for s in listed] == PIPELINE
    assert [s["position"] for s in listed] == list(range(1, 8))
    assert all(STATUS_KEYS | {"contacts"} <= set(s) for s in listed)
    assert {s["name"]: s["color"] for s in listed}["Qualified"] == "#f59e0b"
    table = ok("statuses", "list").out.splitlines()
    assert table[0].split() == ["POS", "ID", "NAME", "SLUG", "COLOR", "CONTACTS"]
    assert table[3].split()[2:5] == ["Qualified", "qualified", "#f59e0b"]
    assert table[-1] == "7 statuses"


def test_create_update_show(ok: Cli, cli: Cli) -> None:
    ok("statuses", "setup")
    created = ok("statuses", "create", "Demo Scheduled", "--color", "teal", "--json").json
    assert (created["position"], created["color"], created["slug"]) == (8, "#14b8a6", "demo-scheduled")
    assert "color #64748b slate" in ok("statuses", "create", "Nurture").out  # default color
    updated = ok(
        "statuses", "update", "demo-scheduled", "--name", "Demo Complete", "--color", "#14b8a6", "--json"
    ).json
    assert (updated["name"], updated["slug"], updated["rev"]) == ("Demo Complete", "demo-complete", 2)
    assert_one_error_line(cli("statuses", "update", "Demo Complete", "--name", "x", "--rev", "1"), 4, "rev")
    assert_one_error_line(cli("statuses", "update", "Demo Complete"), 2, "nothing to change")
    assert_one_error_line(cli("statuses", "create", "won"), 4, "won")
    assert_one_error_line(cli("statuses", "create", "X", "--color", "nope"), 2, "color")
    shown = ok("statuses", "show", str(updated["id"]), "--json").json
    assert shown["name"] == "Demo Complete" and shown["contacts"] == 0
    assert "position  8" in ok("statuses", "show", "demo-complete").out
    assert_one_error_line(cli("statuses", "show", "nope"), 3)


def test_move(ok: Cli, cli: Cli) -> None:
    ok("statuses", "setup")
    moved = ok("statuses", "move", "Won", "--to", "1", "--json").json
    assert moved["position"] == 1
    assert [s["name"] for s in ok("statuses", "list", "--json").json][:2] == ["Won", "New"]
    assert ok("statuses", "move", "won", "--to", "7").out.strip() == "Moved status 'Won' to position 7"
    assert_one_error_line(cli("statuses", "move", "Won", "--to", "8"), 2, "1–7")
    assert_one_error_line(cli("statuses", "move", "Won", "--to", "0"), 2)
    assert_one_error_line(cli("statuses", "move", "Won"), 2, "--to")


def test_delete_clears_the_status_on_its_contacts(ok: Cli, cli: Cli) -> None:
    ok("statuses", "setup")
    ids = [ok("contacts", "add", "--name", f"C{i}", "--status", "Won", "--json").json["id"] for i in range(3)]
    assert ok("statuses", "show", "won", "--json").json["contacts"] == 3
    out = ok("statuses", "delete", "Won").out.strip()
    assert out == "Deleted status 'Won'; cleared it on 3 contacts"
    assert all(ok("contacts", "show", str(i), "--json").json["status"] is None for i in ids)
    assert [s["position"] for s in ok("statuses", "list", "--json").json] == list(range(1, 7))
    deleted_events = [e for e in ok("history", "--json").json if e["kind"] == "status.deleted"]
    assert len(deleted_events) == 1 and deleted_events[0]["payload"]["contacts_cleared"] == 3
    assert_one_error_line(cli("statuses", "delete", "Won"), 3)
    lost = ok("statuses", "show", "lost", "--json").json["id"]
    assert ok("statuses", "delete", "lost", "--json").json == {
        "id": lost,
        "name": "Lost",
        "contacts": 0,
        "broken": [],
    }


def test_empty_pipeline_hint(ok: Cli) -> None:
    assert ok("statuses", "list", "--json").json == []
    assert "tagtui statuses setup" in ok("statuses", "list").out
