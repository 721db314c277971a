"""Saved views and rules through renames, merges and deletes, from the command line (issue 12.2)."""

from __future__ import annotations

from tests.cli.conftest import Cli, assert_one_error_line


def seed(ok: Cli) -> None:
    ok("tags", "create", "VIP")
    ok("statuses", "setup")
    for i in range(4):
        ok("contacts", "add", "--name", f"P{i}", "--tags", "VIP", "--status", "Lost" if i == 0 else "New")
    ok("views", "save", "vip open", "tag:vip -status:lost")
    ok("rules", "add", "Promote", "--query", "tag:vip", "--status", "Won")
    ok("rules", "add", "Big", "--query", "followers>1000", "--add", "Influencer")


def names(ok: Cli, *argv: str) -> list[str]:
    return [c["name"] for c in ok(*argv, "--json").json]


def test_the_issue_rename_then_list_the_view(ok: Cli) -> None:
    seed(ok)
    assert names(ok, "contacts", "list", "--view", "vip open") == ["P1", "P2", "P3"]
    ok("tags", "update", "VIP", "--name", "Very Important")
    assert names(ok, "contacts", "list", "--view", "vip open") == ["P1", "P2", "P3"]
    assert ok("views", "list", "--json").json == [
        {"name": "vip open", "query": 'tag:"Very Important" -status:lost', "broken": None, "sort": None}
    ]
    assert 'vip open  tag:"Very Important" -status:lost' in ok("views", "list").out
    listed = ok("rules", "list", "--json").json
    assert [(r["name"], r["query"], r["broken"]) for r in listed] == [
        ("Big", "followers>1000", None),
        ("Promote", 'tag:"Very Important"', None),
    ]
    assert 'tag:"Very Important"' in ok("rules", "list").out


def test_merge_and_status_rename(ok: Cli) -> None:
    seed(ok)
    ok("tags", "create", "Key Account")
    ok("tags", "merge", "VIP", "Key Account")
    ok("statuses", "update", "Lost", "--name", "Closed Lost")
    assert ok("views", "list", "--json").json[0]["query"] == 'tag:"Key Account" -status:"Closed Lost"'
    assert names(ok, "contacts", "list", "--view", "vip open") == ["P1", "P2", "P3"]
    ok("statuses", "update", "Won", "--name", "Closed Won")
    promote = next(r for r in ok("rules", "list", "--json").json if r["name"] == "Promote")
    assert (promote["query"], promote["status"]) == ('tag:"Key Account"', "Closed Won")


def test_delete_is_refused_then_forced(ok: Cli, cli: Cli) -> None:
    seed(ok)
    assert_one_error_line(
        cli("tags", "delete", "VIP"),
        4,
        "tag 'VIP' is named by view 'vip open', rule 'Promote'",
        "--force",
    )
    assert_one_error_line(cli("statuses", "delete", "Lost"), 4, "view 'vip open'")
    assert_one_error_line(cli("statuses", "delete", "Won", "--yes"), 4, "rule 'Promote'")
    assert ok("tags", "show", "VIP", "--json").json["contacts"] == 4  # nothing changed

    done = ok("tags", "delete", "VIP", "--force", "--json").json
    assert done["broken"] == ["view 'vip open'", "rule 'Promote'"]
    assert ok("views", "list", "--json").json[0]["broken"] == "tag 'VIP' was deleted"
    table = ok("views", "list").out.splitlines()
    assert table[0].split() == ["NAME", "QUERY", "BROKEN"]
    assert table[1].endswith("tag 'VIP' was deleted")
    assert "broken" in ok("rules", "list").out
    assert_one_error_line(
        cli("contacts", "list", "--view", "vip open"), 2, "view 'vip open' is broken (tag 'VIP' was deleted)"
    )
    assert_one_error_line(cli("rules", "apply", "Promote"), 2, "rule 'Promote' is broken")


def test_rules_apply_runs_the_others_and_reports_the_broken_one(ok: Cli) -> None:
    seed(ok)
    ok("contacts", "add", "--name", "Star", "--followers", "5000")
    ok("statuses", "delete", "Won", "--force")
    applied = ok("rules", "apply")
    assert "Promote: broken, not run (status 'Won' was deleted)" in applied.out
    assert "Applied 1 rule; 1 changed something; 1 broken rule not run" in applied.out
    assert names(ok, "contacts", "list", "--query", "tag:influencer") == ["Star"]
    effects = ok("rules", "apply", "--json").json
    assert [(e["rule"], e["broken"]) for e in effects] == [
        ("Big", None),
        ("Promote", "status 'Won' was deleted"),
    ]


def test_undo_puts_views_and_rules_back(ok: Cli) -> None:
    seed(ok)
    before = (ok("views", "list", "--json").json, ok("rules", "list", "--json").json)
    ok("tags", "update", "VIP", "--name", "Very Important")
    ok("undo")
    assert ok("views", "list", "--json").json == before[0]
    ok("tags", "delete", "VIP", "--force")
    ok("undo")
    assert ok("views", "list", "--json").json == before[0]
    after = ok("rules", "list", "--json").json
    assert [(r["name"], r["query"], r["status"], r["broken"]) for r in after] == [
        (r["name"], r["query"], r["status"], r["broken"]) for r in before[1]
    ]
    assert names(ok, "contacts", "list", "--view", "vip open") == ["P1", "P2", "P3"]


def test_an_unknown_tag_or_status_says_what_was_meant(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "Cold Lead")
    ok("tags", "create", "Hot Lead")
    ok("statuses", "setup")
    assert_one_error_line(
        cli("contacts", "list", "--query", "tag:cold"), 2, "unknown tag 'cold' — did you mean cold-lead?"
    )
    assert_one_error_line(
        cli("contacts", "list", "--query", "tag:lead"), 2, "did you mean cold-lead or hot-lead?"
    )
    assert_one_error_line(
        cli("views", "save", "q", "status:qualifed"), 2, "unknown status 'qualifed' — did you mean qualified?"
    )
    assert_one_error_line(cli("contacts", "list", "--query", "tag:zzz"), 2, "unknown tag 'zzz' in query")


def test_import_apply_rules_skips_a_broken_rule(ok: Cli, tmp_path) -> None:
    seed(ok)
    ok("tags", "delete", "VIP", "--force")
    path = tmp_path / "in.csv"
    path.write_text("name,email,followers\nNew,new@x.org,900000\n")
    text = ok("import", str(path), "--apply-rules").out
    assert "Rule 'Big': +Influencer on 1 contact" in text
    assert "Rule 'Promote': broken, not run (tag 'VIP' was deleted)" in text
