"""``tagtui contacts …``: CRUD, queries, tags (references 000, 001, 002, 004) and status."""

from __future__ import annotations

from tests.cli.conftest import Cli, assert_one_error_line

ROW_KEYS = ["id", "name", "email", "company", "phone", "assignee", "followers", "status", "tags"]


def _add(ok: Cli, name: str, *options: str) -> int:
    return ok("contacts", "add", "--name", name, *options, "--json").json["id"]


def test_add_show_update_delete(ok: Cli, cli: Cli) -> None:
    added = ok(
        "contacts", "add", "--name", "Jane Doe", "--email", "Jane@Example.com", "--company", "Acme",
        "--phone", "+1 555", "--assignee", "sam", "--followers", "12000", "--notes", "line one\nline two",
        "--json",
    ).json  # fmt: skip
    assert added["name"] == "Jane Doe" and added["followers"] == 12000 and added["rev"] == 1
    assert set(ROW_KEYS) <= set(added)
    shown = ok("contacts", "show", "jane@example.COM", "--json").json
    assert shown == added
    text = ok("contacts", "show", str(added["id"])).out.splitlines()
    assert "email      Jane@Example.com" in text
    assert text[text.index("notes      line one") + 1].strip() == "line two"

    updated = ok("contacts", "update", "jane@example.com", "--company", "", "--phone", "-42", "--json").json
    assert updated["company"] is None and updated["phone"] == "-42" and updated["rev"] == 2
    assert_one_error_line(cli("contacts", "update", str(added["id"]), "--name", "X", "--rev", "1"), 4, "rev")
    assert_one_error_line(cli("contacts", "update", str(added["id"])), 2, "nothing to change")
    assert "now at rev 3" in ok("contacts", "update", str(added["id"]), "--name", "Jane D.", "--rev", "2").out

    assert ok("contacts", "delete", str(added["id"])).out.strip() == "Deleted 1 contact"
    assert_one_error_line(cli("contacts", "show", str(added["id"])), 3)


def test_add_validation_and_conflicts(ok: Cli, cli: Cli) -> None:
    _add(ok, "Jane", "--email", "jane@example.com")
    assert_one_error_line(cli("contacts", "add", "--name", "J2", "--email", "JANE@example.com"), 4, "email")
    assert_one_error_line(cli("contacts", "add", "--name", "  "), 2, "name")
    assert_one_error_line(cli("contacts", "add", "--name", "X", "--followers", "-3"), 2, "followers")
    assert_one_error_line(cli("contacts", "add", "--name", "X", "--email", "not-an-email"), 2, "email")
    assert_one_error_line(cli("contacts", "add", "--email", "x@example.com"), 2, "--name")
    assert_one_error_line(cli("contacts", "add", "--name", "X", "--status", "nope"), 3)
    assert len(ok("contacts", "list", "--json").json) == 1


def test_add_with_status_and_tags(ok: Cli, cli: Cli) -> None:
    ok("tags", "setup")
    ok("statuses", "setup")
    row = ok(
        "contacts", "add", "--name", "Ann", "--status", "qualified", "--tags", "partner, hot lead", "--json"
    )
    assert row.json["status"] == "Qualified" and row.json["tags"] == ["Hot Lead", "Partner"]
    assert_one_error_line(cli("contacts", "add", "--name", "Bo", "--tags", "Unknown Tag"), 3, "Unknown Tag")
    assert [r["name"] for r in ok("contacts", "list", "--json").json] == ["Ann"]


def test_list_json_shape_footer_and_paging(ok: Cli) -> None:
    ok("tags", "create", "VIP")
    ok("statuses", "setup")
    for i in range(5):
        _add(ok, f"Person {i}", "--email", f"p{i}@example.com", "--company", "Acme" if i % 2 else "Other")
    ok("contacts", "tag", "p1@example.com", "--add", "VIP")
    ok("contacts", "status", "p1@example.com", "won")
    rows = ok("contacts", "list", "--json").json
    assert [r["name"] for r in rows] == [f"Person {i}" for i in range(5)]
    assert all(list(r) == ROW_KEYS for r in rows)
    assert rows[1]["tags"] == ["VIP"] and rows[1]["status"] == "Won"
    table = ok("contacts", "list", "--limit", "3").out.splitlines()
    assert table[0].split() == ["ID", "NAME", "EMAIL", "COMPANY", "ASSIGNEE", "STATUS", "TAGS"]
    assert table[-1] == "3 of 5 contacts (next: --offset 3)"
    assert ok("contacts", "list", "--offset", "3").out.splitlines()[-1] == "4–5 of 5 contacts"
    assert [r["name"] for r in ok("contacts", "list", "--query", "acme", "--json").json] == [
        "Person 1",
        "Person 3",
    ]
    assert ok("contacts", "list", "--query", "tag:vip status:won").out.splitlines()[-1] == "1 of 1 contact"


def test_query_that_starts_with_a_dash(ok: Cli) -> None:
    ok("tags", "create", "Cold")
    cold = _add(ok, "Frosty")
    warm = _add(ok, "Sunny")
    ok("tags", "assign", "cold", str(cold))
    for argv in (("--query", "-tag:cold"), ("--query=-tag:cold",), ("--query", "not tag:cold")):
        rows = ok("contacts", "list", *argv, "--json").json
        assert [r["id"] for r in rows] == [warm], argv
    last_wins = ok("contacts", "list", "--query", "-tag:cold", "--query", "tag:cold", "--json").json
    assert [r["id"] for r in last_wins] == [cold]


def test_bad_queries_exit_2_with_a_position(ok: Cli, cli: Cli) -> None:
    _add(ok, "Someone")
    assert_one_error_line(cli("contacts", "list", "--query", "nosuch:3"), 2, "nosuch", "position 0")
    assert_one_error_line(cli("contacts", "list", "--query", "tag:vip and ("), 2, "position")
    assert_one_error_line(cli("contacts", "list", "--query", "tag:ghost"), 2, "ghost")
    assert_one_error_line(cli("contacts", "list", "--limit", "0"), 2, "limit")


def test_list_with_a_saved_view(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "VIP")
    a = _add(ok, "Alpha Acme", "--company", "Acme")
    _add(ok, "Beta Acme", "--company", "Acme")
    ok("tags", "assign", "VIP", str(a))
    ok("views", "save", "vips", "tag:vip")
    assert [r["id"] for r in ok("contacts", "list", "--view", "vips", "--json").json] == [a]
    assert ok("contacts", "list", "--view", "vips", "--query", "beta", "--json").json == []
    assert_one_error_line(cli("contacts", "list", "--view", "nope"), 3, "nope")


def test_tag_adds_and_removes_existing_tags(ok: Cli, cli: Cli) -> None:
    ok("tags", "setup")
    jane = _add(ok, "Jane", "--email", "jane@example.com")
    change = ok("contacts", "tag", "jane@example.com", "--add", "Hot Lead, partner", "--json").json
    assert change["contact_id"] == jane
    assert [t["name"] for t in change["tags"]] == ["Hot Lead", "Partner"]
    assert len(change["added"]) == 2 and change["removed"] == []
    both = ok("contacts", "tag", str(jane), "--add", "Customer", "--remove", "hot-lead", "--json").json
    assert [t["name"] for t in both["tags"]] == ["Customer", "Partner"]
    assert len(both["added"]) == 1 and len(both["removed"]) == 1
    again = ok("contacts", "tag", str(jane), "--add", "Customer", "--remove", "Hot Lead", "--json").json
    assert again["added"] == [] and again["removed"] == []  # no-ops (reference 001)
    text = ok("contacts", "tag", str(jane), "--remove", "Customer").out.strip()
    assert text == f"Contact {jane} tags: Partner (removed 1 tag)"
    assert_one_error_line(cli("contacts", "tag", str(jane), "--add", "Brand New"), 3, "Brand New")
    assert_one_error_line(cli("contacts", "tag", str(jane)), 2, "--add")
    assert_one_error_line(cli("contacts", "tag", "ghost@example.com", "--add", "VIP"), 3)
    assert ok("contacts", "show", str(jane), "--json").json["tags"] == ["Partner"]


def test_max_tags_per_contact_refuses_the_sixth_tag(ok: Cli, cli: Cli) -> None:
    for name in ("A", "B", "C", "D", "E", "F"):
        ok("tags", "create", name)
    jane = _add(ok, "Jane")
    ok("settings", "--max-tags-per-contact", "5")
    ok("contacts", "tag", str(jane), "--add", "A,B,C,D,E")
    before = ok("contacts", "show", str(jane), "--json").json
    assert_one_error_line(cli("contacts", "tag", str(jane), "--add", "F"), 2, "at most 5")
    assert_one_error_line(cli("contacts", "sync-tags", "--id", str(jane), "--tags", "A,B,C,D,E,F"), 2, "5")
    assert_one_error_line(cli("tags", "assign", "F", str(jane)), 2, "5")
    assert ok("contacts", "show", str(jane), "--json").json == before
    # Swapping one for another keeps the count at 5: allowed.
    swapped = ok("contacts", "tag", str(jane), "--add", "F", "--remove", "A", "--json").json
    assert [t["name"] for t in swapped["tags"]] == ["B", "C", "D", "E", "F"]


def test_sync_tags_reference_002(ok: Cli) -> None:
    jane = _add(ok, "Jane", "--email", "jane@example.com")
    first = ok("contacts", "sync-tags", "--id", str(jane), "--tags", "VIP,Follow-up", "--json").json
    assert set(first) == {"contact_id", "tags", "added", "removed"}
    assert first["contact_id"] == jane
    assert [(t["name"], t["slug"]) for t in first["tags"]] == [("Follow-up", "follow-up"), ("VIP", "vip")]
    assert all(set(t) == {"id", "name", "slug"} for t in first["tags"])
    assert sorted(first["added"]) == sorted(t["id"] for t in first["tags"]) and first["removed"] == []

    second = ok("contacts", "sync-tags", "--email", "JANE@example.com", "--tags", "Hot Lead", "--json").json
    assert [t["name"] for t in second["tags"]] == ["Hot Lead"]
    assert second["added"] == [second["tags"][0]["id"]]
    assert sorted(second["removed"]) == sorted(first["added"])

    same = ok("contacts", "sync-tags", "--email", "jane@example.com", "--tags", " hot lead ,", "--json").json
    assert same["added"] == [] and same["removed"] == []
    cleared = ok("contacts", "sync-tags", "--id", str(jane), "--tags", "", "--json").json
    assert cleared["tags"] == [] and cleared["removed"] == second["added"]
    text = ok("contacts", "sync-tags", "--id", str(jane), "--tags", "VIP").out.strip()
    assert text == f"Contact {jane} tags: VIP (added VIP)"


def test_sync_tags_errors(ok: Cli, cli: Cli) -> None:
    jane = _add(ok, "Jane", "--email", "jane@example.com")
    assert_one_error_line(cli("contacts", "sync-tags", "--tags", "VIP"), 2, "--id", "--email")
    assert_one_error_line(cli("contacts", "sync-tags", "--id", str(jane)), 2, "--tags")
    # The id wins: an unknown id is NotFound even when the email matches.
    unknown = cli("contacts", "sync-tags", "--id", "9999", "--email", "jane@example.com", "--tags", "VIP")
    assert_one_error_line(unknown, 3, "9999")
    assert_one_error_line(cli("contacts", "sync-tags", "--email", "nobody@x.org", "--tags", "VIP"), 3)
    assert ok("tags", "list", "--json").json == []  # nothing was created by the failed calls


def test_status_set_and_clear(ok: Cli, cli: Cli) -> None:
    ok("statuses", "setup")
    jane = _add(ok, "Jane", "--email", "jane@example.com")
    assert ok("contacts", "status", "jane@example.com", "Qualified", "--json").json["status"] == "Qualified"
    cleared = ok("contacts", "status", str(jane), "--clear").out.strip()
    assert cleared == f"Contact 'Jane' (id {jane}) now has no status"
    assert ok("contacts", "show", str(jane), "--json").json["status"] is None
    assert_one_error_line(cli("contacts", "status", str(jane)), 2, "STATUS or --clear")
    assert_one_error_line(cli("contacts", "status", str(jane), "won", "--clear"), 2, "STATUS or --clear")
    assert_one_error_line(cli("contacts", "status", str(jane), "nope"), 3, "nope")


def test_delete_many_is_all_or_nothing(ok: Cli, cli: Cli) -> None:
    ids = [_add(ok, f"P{i}") for i in range(3)]
    assert_one_error_line(cli("contacts", "delete", str(ids[0]), "424242"), 3, "424242")
    assert len(ok("contacts", "list", "--json").json) == 3
    assert ok("contacts", "delete", *map(str, ids), "--json").json == {"deleted": 3}
    assert ok("contacts", "list").out.splitlines()[-1] == "0 of 0 contacts"
