"""``tagtui views …``, ``tagtui settings`` and ``tagtui history``."""

from __future__ import annotations

from tests.cli.conftest import Cli, assert_one_error_line


def test_views_save_list_delete(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "Cold")
    ok("tags", "create", "Hot Lead")
    assert ok("views", "list", "--json").json == []
    assert ok("views", "save", "cold", "-tag:cold").out.strip() == "Saved view 'cold': -tag:cold"
    assert ok("views", "save", "--json", "hot", 'tag:"hot lead"', "-status:none").json == {
        "name": "hot",
        "query": 'tag:"hot lead" -status:none',
        "broken": None,
        "sort": None,
    }
    assert ok("views", "list", "--json").json == [
        {"name": "cold", "query": "-tag:cold", "broken": None, "sort": None},
        {"name": "hot", "query": 'tag:"hot lead" -status:none', "broken": None, "sort": None},
    ]
    # Saving again under the same name replaces the view.
    ok("views", "save", "cold", "not", "tag:cold", "--yes")
    table = ok("views", "list").out.splitlines()
    assert table[0].split() == ["NAME", "QUERY"]
    assert table[1].split(maxsplit=1) == ["cold", "not tag:cold"]
    assert table[-1] == "2 views"
    assert ok("views", "delete", "cold").out.strip() == "Deleted view 'cold'"
    assert [v["name"] for v in ok("views", "list", "--json").json] == ["hot"]
    assert_one_error_line(cli("views", "delete", "cold"), 3, "cold")


def test_views_save_checks_the_query_first(ok: Cli, cli: Cli) -> None:
    assert_one_error_line(cli("views", "save", "bad", "tag:"), 2, "position")
    assert_one_error_line(cli("views", "save", "bad", "nosuch:3"), 2, "nosuch")
    assert_one_error_line(cli("views", "save", "bad", "tag:ghost"), 2, "ghost")
    assert_one_error_line(cli("views", "save", "lonely"), 2, "QUERY")
    assert ok("views", "list", "--json").json == []


def test_views_save_takes_options_before_and_after(run: Cli, db_url: str) -> None:
    run("tags", "create", "Cold", "--db", db_url)
    assert run("--db", db_url, "views", "save", "c1", "-tag:cold", "--json").json["query"] == "-tag:cold"
    assert run("views", "save", "--db", db_url, "c2", "-tag:cold").code == 0
    assert run("views", "save", "c3", "tag:cold", "or", "-tag:cold", "--json", "--db", db_url).json == {
        "name": "c3",
        "query": "tag:cold or -tag:cold",
        "broken": None,
        "sort": None,
    }
    names = [v["name"] for v in run("views", "list", "--json", "--db", db_url).json]
    assert names == ["c1", "c2", "c3"]


def test_settings_show_and_change(ok: Cli, cli: Cli) -> None:
    assert ok("settings", "--json").json == {
        "workspace": "default",
        "max_tags_per_contact": None,
        "bulk_limit": 500,
        "phone_region": None,
        "email_folding": False,
    }
    text = ok("settings").out.splitlines()
    assert text[1].split(maxsplit=1) == ["max_tags_per_contact", "none (no limit)"]
    changed = ok("settings", "--max-tags-per-contact", "5", "--bulk-limit", "1000", "--json").json
    assert (changed["max_tags_per_contact"], changed["bulk_limit"]) == (5, 1000)
    assert ok("settings", "--max-tags-per-contact", "none", "--json").json["max_tags_per_contact"] is None
    assert ok("settings", "--json").json["bulk_limit"] == 1000
    assert_one_error_line(cli("settings", "--max-tags-per-contact", "0"), 2, "1–1000")
    assert_one_error_line(cli("settings", "--bulk-limit", "10001"), 2, "10000")
    assert_one_error_line(cli("settings", "--max-tags-per-contact", "lots"), 2, "'lots'")


def test_settings_are_per_workspace(ok: Cli) -> None:
    ok("settings", "--max-tags-per-contact", "3")
    other = ok("settings", "--workspace", "team", "--json").json
    assert other == {
        "workspace": "team",
        "max_tags_per_contact": None,
        "bulk_limit": 500,
        "phone_region": None,
        "email_folding": False,
    }
    assert ok("settings", "--json").json["max_tags_per_contact"] == 3


def test_history(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "VIP")
    jane = ok("contacts", "add", "--name", "Jane", "--json").json["id"]
    ok("contacts", "tag", str(jane), "--add", "VIP")
    events = ok("history", "--contact", str(jane), "--json").json
    assert [e["kind"] for e in events] == ["contact.tags_changed", "contact.created"]
    assert [e["kind"] for e in ok("history", "--tag", "vip", "--json").json] == ["tag.created"]
    table = ok("history", "--limit", "2").out.splitlines()
    assert table[0].split() == ["WHEN", "WHO", "WHAT", "ABOUT"]
    assert "tags: +VIP" in table[1] and "contact Jane" in table[1]
    assert table[-1] == "2 events"
    assert_one_error_line(cli("history", "--contact", "1", "--tag", "vip"), 2, "not allowed")
