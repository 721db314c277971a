"""``tagtui tags …`` against the references' examples (000, 001, 003, 004)."""

from __future__ import annotations

import time

from tests.cli.conftest import Cli, assert_one_error_line

TAG_KEYS = {"id", "name", "slug", "color", "emoji", "description", "created_at", "updated_at", "rev"}
STANDARD = ["Hot Lead", "Warm Lead", "Cold Lead", "Customer", "Partner", "Do Not Contact"]


def _contacts(ok: Cli, n: int) -> list[int]:
    return [ok("contacts", "add", "--name", f"Person {i}", "--json").json["id"] for i in range(n)]


def test_setup_twice_reports_created_then_exists(ok: Cli) -> None:
    first = ok("tags", "setup")
    assert first.out.splitlines() == [f"Created: {name}" for name in STANDARD]
    second = ok("tags", "setup")
    assert second.out.splitlines() == [f"Exists: {name}" for name in STANDARD]
    again = ok("tags", "setup", "--json").json
    assert again == [{"name": name, "created": False} for name in STANDARD]
    colors = {t["name"]: t["color"] for t in ok("tags", "list", "--json").json}
    assert colors["Hot Lead"] == "#ef4444"
    assert colors["Do Not Contact"] == "#1f2937"


def test_setup_json_on_a_new_workspace(ok: Cli) -> None:
    assert ok("tags", "setup", "--json").json == [{"name": n, "created": True} for n in STANDARD]


def test_create_with_palette_color_and_json_shape(ok: Cli) -> None:
    tag = ok("tags", "create", "VIP", "--color", "purple", "--json").json
    assert set(tag) >= TAG_KEYS
    assert (tag["name"], tag["slug"], tag["color"], tag["rev"]) == ("VIP", "vip", "#a855f7", 1)
    assert tag["emoji"] is None and tag["description"] is None
    text = ok("tags", "create", "Beta Tester", "--color", "#10B981", "--description", "Users in the beta").out
    assert "Created tag 'Beta Tester'" in text and "#10b981 emerald" in text
    default = ok("tags", "create", "Plain", "--json").json
    assert default["color"] == "#6366f1"


def test_create_duplicate_slug_is_a_conflict(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "VIP")
    assert_one_error_line(cli("tags", "create", "vip"), 4, "already has the slug 'vip'")
    assert_one_error_line(cli("tags", "create", "VIP!"), 4, "'vip'")
    assert len(ok("tags", "list", "--json").json) == 1


def test_create_invalid_values_exit_2(cli: Cli) -> None:
    assert_one_error_line(cli("tags", "create", "VIP", "--color", "purpleish"), 2, "#rrggbb")
    assert_one_error_line(cli("tags", "create", "\u200b"), 2, "invisible")
    assert_one_error_line(cli("tags", "create", "x" * 101), 2, "100")
    assert_one_error_line(cli("tags", "create", "VIP", "--description", "d" * 201), 2, "200")


def test_list_json_has_counts_and_table_has_footer(ok: Cli) -> None:
    ok("tags", "setup")
    [jane] = _contacts(ok, 1)
    ok("tags", "assign", "hot-lead", str(jane))
    listed = ok("tags", "list", "--json").json
    assert [t["name"] for t in listed] == sorted(STANDARD, key=str.lower)
    assert all(TAG_KEYS | {"contacts"} <= set(t) for t in listed)
    assert {t["name"]: t["contacts"] for t in listed}["Hot Lead"] == 1
    table = ok("tags", "list", "--limit", "2").out.splitlines()
    assert table[0].split() == ["ID", "NAME", "SLUG", "COLOR", "EMOJI", "CONTACTS", "DESCRIPTION"]
    assert len(table) == 4
    assert table[-1] == "2 of 6 tags (next: --offset 2)"
    assert ok("tags", "list", "--limit", "2", "--offset", "4").out.splitlines()[-1] == "5–6 of 6 tags"


def test_list_search_limit_offset(ok: Cli, cli: Cli) -> None:
    ok("tags", "setup")
    assert [t["name"] for t in ok("tags", "list", "--search", "LEAD", "--json").json] == [
        "Cold Lead",
        "Hot Lead",
        "Warm Lead",
    ]
    page = ok("tags", "list", "--search", "lead", "--limit", "1", "--offset", "1", "--json").json
    assert [t["name"] for t in page] == ["Hot Lead"]
    assert ok("tags", "list", "--search", "lead").out.splitlines()[-1] == "3 of 3 tags"
    assert_one_error_line(cli("tags", "list", "--limit", "1001"), 2, "limit")
    assert_one_error_line(cli("tags", "list", "--offset", "-1"), 2, "offset")


def test_list_sorted_by_update_with_cursor(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "Old")
    ok("tags", "create", "Middle")
    time.sleep(0.01)
    ok("tags", "create", "New")
    ok("tags", "update", "Old", "--color", "red")  # now the most recent
    names = [t["name"] for t in ok("tags", "list", "--sort", "updated", "--json").json]
    assert names == ["Old", "New", "Middle"]
    new = ok("tags", "show", "New", "--json").json
    older = ok("tags", "list", "--sort", "updated", "--updated-before", new["updated_at"], "--json").json
    assert [t["name"] for t in older] == ["Middle"]
    table = ok("tags", "list", "--sort", "updated").out.splitlines()
    assert table[0].split()[-1] == "UPDATED"
    assert_one_error_line(cli("tags", "list", "--updated-before", "yesterday"), 2, "ISO 8601")
    assert_one_error_line(cli("tags", "list", "--sort", "color"), 2, "invalid choice")


def test_show_by_id_name_and_slug(ok: Cli, cli: Cli) -> None:
    tag = ok("tags", "create", "Follow-up", "--emoji", "📞", "--json").json
    for ref in (str(tag["id"]), "Follow-up", "follow-up", "FOLLOW UP"):
        assert ok("tags", "show", ref, "--json").json["id"] == tag["id"]
    text = ok("tags", "show", "follow-up").out
    assert "slug         follow-up" in text and "📞" in text and "contacts     0" in text
    assert_one_error_line(cli("tags", "show", "nope"), 3, "no tag 'nope'")
    assert_one_error_line(cli("tags", "show", "999"), 3)


def test_colors(ok: Cli) -> None:
    palette = ok("tags", "colors", "--json").json
    assert {"name": "purple", "hex": "#a855f7"} in palette
    assert {"name": "slate", "hex": "#64748b"} in palette
    table = ok("tags", "colors").out.splitlines()
    assert table[0].split() == ["NAME", "HEX"]
    assert any(line.split() == ["red", "#ef4444"] for line in table)


def test_update_partial_and_rev(ok: Cli, cli: Cli) -> None:
    tag = ok("tags", "create", "VIP", "--color", "purple", "--description", "Top", "--json").json
    updated = ok("tags", "update", "vip", "--name", "VIP Customer", "--color", "#6366f1", "--json").json
    assert (updated["name"], updated["slug"], updated["color"]) == ("VIP Customer", "vip-customer", "#6366f1")
    assert updated["description"] == "Top" and updated["rev"] == tag["rev"] + 1
    # --rev: only if still at that revision (reference 004)
    assert_one_error_line(cli("tags", "update", "vip-customer", "--color", "red", "--rev", "1"), 4, "rev")
    assert ok("tags", "show", "vip-customer", "--json").json["color"] == "#6366f1"
    ok("tags", "update", "vip-customer", "--color", "red", "--rev", "2")
    cleared = ok("tags", "update", "vip-customer", "--clear-description", "--json").json
    assert cleared["description"] is None and cleared["rev"] == 4
    described = ok("tags", "update", str(tag["id"]), "--description", "-beta users-", "--json").json
    assert described["description"] == "-beta users-"
    assert "Updated tag 'VIP Customer'" in ok("tags", "update", "vip-customer", "--emoji", "⭐").out


def test_update_usage_errors(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "VIP")
    both = cli("tags", "update", "VIP", "--description", "x", "--clear-description")
    assert_one_error_line(both, 2, "not allowed with")
    assert_one_error_line(cli("tags", "update", "VIP"), 2, "nothing to change")
    assert_one_error_line(cli("tags", "update", "VIP", "--rev", "one", "--name", "x"), 2, "invalid int")
    ok("tags", "create", "Partner")
    assert_one_error_line(cli("tags", "update", "VIP", "--name", "partner"), 4, "partner")


def test_delete_reports_how_many_contacts_lost_it(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "VIP")
    ids = _contacts(ok, 3)
    ok("tags", "assign", "VIP", *map(str, ids))
    assert ok("tags", "delete", "vip").out.strip() == "Deleted tag 'VIP'; 3 contacts lost it"
    assert ok("tags", "list", "--json").json == []
    assert ok("contacts", "show", str(ids[0]), "--json").json["tags"] == []
    assert_one_error_line(cli("tags", "delete", "vip"), 3)
    ok("tags", "create", "Solo")
    assert ok("tags", "delete", "Solo", "--json").json["contacts"] == 0


def test_assign_and_unassign(ok: Cli) -> None:
    ok("tags", "create", "VIP")
    a, b, c = _contacts(ok, 3)
    ok("contacts", "update", str(c), "--email", "c@example.com")
    result = ok("tags", "assign", "VIP", str(a), str(b), "--json").json
    assert result == {"tag_id": result["tag_id"], "requested": 2, "changed": 2}
    text = ok("tags", "assign", "VIP", str(a), "C@EXAMPLE.COM").out.strip()
    assert text == "Tagged 1 contact with 'VIP' (1 already had it)"
    listed = ok("tags", "contacts", "VIP", "--json").json
    assert sorted(r["id"] for r in listed) == sorted([a, b, c])
    gone = ok("tags", "unassign", "vip", str(b), str(c), "--json").json
    assert (gone["requested"], gone["changed"]) == (2, 2)
    assert [r["id"] for r in ok("tags", "contacts", "VIP", "--json").json] == [a]
    assert "Took 'VIP' off 0 contacts (1 did not have it)" in ok("tags", "unassign", "VIP", str(b)).out


def test_assign_more_than_bulk_limit_is_refused(ok: Cli, cli: Cli, store) -> None:
    from tagtui.io.demo import generate

    generate(store, contacts=501, seed=5)  # set-based: quicker than 501 separate adds
    ids = [row.id for row in store.list_contacts(limit=1000).rows]
    assert len(ids) == 501
    ok("tags", "create", "Bulk")
    assert_one_error_line(cli("tags", "assign", "Bulk", *map(str, ids)), 2, "501", "500")
    assert ok("tags", "show", "Bulk", "--json").json["contacts"] == 0
    ok("settings", "--bulk-limit", "1000")
    assert ok("tags", "assign", "Bulk", *map(str, ids), "--json").json["changed"] == 501


def test_assign_with_an_unknown_contact_changes_nothing(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "VIP")
    a, b = _contacts(ok, 2)
    assert_one_error_line(cli("tags", "assign", "VIP", str(a), "99999", str(b)), 3, "99999", "nothing")
    assert ok("tags", "show", "VIP", "--json").json["contacts"] == 0
    assert_one_error_line(cli("tags", "assign", "nosuch", str(a)), 3, "nosuch")
    assert_one_error_line(cli("tags", "assign", "VIP"), 2, "CONTACT")


def test_tag_contacts_lists_rows_like_contacts_list(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "VIP")
    ok("statuses", "setup")
    ids = _contacts(ok, 3)
    ok("contacts", "status", str(ids[0]), "Won")
    ok("tags", "assign", "VIP", *map(str, ids))
    rows = ok("tags", "contacts", "vip", "--limit", "2", "--json").json
    assert len(rows) == 2
    assert set(rows[0]) == {
        "id",
        "name",
        "email",
        "company",
        "phone",
        "assignee",
        "followers",
        "status",
        "tags",
    }
    assert rows[0]["status"] == "Won" and rows[0]["tags"] == ["VIP"]
    table = ok("tags", "contacts", "vip", "--limit", "2").out.splitlines()
    assert table[-1] == "2 of 3 contacts (next: --offset 2)"
    assert_one_error_line(cli("tags", "contacts", "nosuch"), 3)
