"""``views save NAME --query Q``: the option form of the query, as ``contacts list`` takes it."""

from __future__ import annotations

from tests.cli.conftest import Cli, assert_one_error_line


def test_views_save_takes_the_query_as_an_option(ok: Cli) -> None:
    ok("tags", "create", "Cold")
    ok("tags", "create", "Hot Lead")
    assert ok("views", "save", "cold", "--query", "-tag:cold", "--json").json == {
        "name": "cold",
        "query": "-tag:cold",
        "broken": None,
        "sort": None,
    }
    assert ok("views", "save", "--query", 'tag:"hot lead" or tag:cold', "hot").out.strip() == (
        "Saved view 'hot': tag:\"hot lead\" or tag:cold"
    )
    assert ok("views", "save", "glued", "--query=not tag:cold", "--json").json["query"] == "not tag:cold"
    assert ok("views", "save", "positional", "-tag:cold", "--json").json["query"] == "-tag:cold"
    assert ok("views", "list", "--json").json == [
        {"name": "cold", "query": "-tag:cold", "broken": None, "sort": None},
        {"name": "glued", "query": "not tag:cold", "broken": None, "sort": None},
        {"name": "hot", "query": 'tag:"hot lead" or tag:cold', "broken": None, "sort": None},
        {"name": "positional", "query": "-tag:cold", "broken": None, "sort": None},
    ]


def test_views_save_query_option_is_checked_and_not_given_twice(ok: Cli, cli: Cli) -> None:
    ok("tags", "create", "Cold")
    assert_one_error_line(cli("views", "save", "bad", "--query", "tag:"), 2, "position 4")
    assert_one_error_line(cli("views", "save", "bad", "--query", "tag:ghost"), 2, "ghost")
    assert_one_error_line(cli("views", "save", "twice", "tag:cold", "--query", "tag:cold"), 2, "once")
    assert_one_error_line(cli("views", "save", "missing", "--query"), 2, "expected one argument")
    assert_one_error_line(cli("views", "save", "lonely"), 2, "QUERY")
    assert ok("views", "list", "--json").json == []
