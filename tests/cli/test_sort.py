"""``contacts list --sort`` and ``views save --sort`` (issue 12.6)."""

from __future__ import annotations

from tests.cli.conftest import Cli, assert_one_error_line


def _names(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [c["name"] for c in result.json]


def test_contacts_list_sorted_and_a_view_keeps_its_sort(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "VIP")
    for name, followers, tags in (
        ("Ann", 5, "VIP"),
        ("Bob", 50, ""),
        ("Cat", 500, "VIP"),
        ("Dan", 50, "VIP"),
    ):
        ok("contacts", "add", "--name", name, "--followers", str(followers), "--tags", tags)
    assert _names(ok("contacts", "list", "--json")) == ["Ann", "Bob", "Cat", "Dan"]
    # Ties (Bob and Dan, 50) are broken by id, the other way round when descending.
    assert _names(ok("contacts", "list", "--sort", "followers", "--json")) == ["Ann", "Bob", "Dan", "Cat"]
    assert _names(ok("contacts", "list", "--sort", "followers:desc", "--json")) == [
        "Cat",
        "Dan",
        "Bob",
        "Ann",
    ]
    assert _names(
        ok("contacts", "list", "--sort", "followers:desc", "--limit", "2", "--offset", "1", "--json")
    ) == [
        "Dan",
        "Bob",
    ]
    # By the tags shown (names, in name order); none last, ties by id.
    ok("tags", "create", "Alpha")
    ok("contacts", "tag", "4", "--add", "Alpha")  # Dan
    assert _names(ok("contacts", "list", "--sort", "tags", "--json")) == ["Dan", "Ann", "Cat", "Bob"]
    assert _names(ok("contacts", "list", "--sort", "tags:desc", "--json")) == ["Cat", "Ann", "Dan", "Bob"]
    ok("views", "save", "--sort", "tags", "by tags", "")
    assert _names(ok("contacts", "list", "--view", "by tags", "--json")) == ["Dan", "Ann", "Cat", "Bob"]
    saved = ok("views", "save", "--sort", "followers:desc", "big", "tag:vip", "--json").json
    assert saved == {"name": "big", "query": "tag:vip", "broken": None, "sort": "followers:desc"}
    assert ok("views", "list").out.splitlines()[0].split() == ["NAME", "QUERY", "SORT"]
    # The view's sort, unless --sort says otherwise.
    assert _names(ok("contacts", "list", "--view", "big", "--json")) == ["Cat", "Dan", "Ann"]
    assert _names(ok("contacts", "list", "--view", "big", "--sort", "name", "--json")) == [
        "Ann",
        "Cat",
        "Dan",
    ]


def test_a_bad_sort_is_one_line_and_changes_nothing(ok: Cli, cli: Cli) -> None:
    for argv, says in (
        (("contacts", "list", "--sort", "tag"), "cannot sort by 'tag'"),
        (("contacts", "list", "--sort", "name:upward"), "use asc or desc"),
        (("views", "save", "--sort", "nope", "v", "-tag:x"), "cannot sort by 'nope'"),
    ):
        assert_one_error_line(cli(*argv), 2, says)
    assert ok("views", "list", "--json").json == []
