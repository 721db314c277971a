"""``contacts explain``, ``tags pairs`` and ``funnel``: JSON shapes, tables and errors."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli, assert_one_error_line

#: (name, tags, status): VIP 3, Cold 2, Partner 2; VIP+Partner 2, VIP+Cold 1.
PEOPLE = (
    ("Ann", "VIP,Partner", "New"),
    ("Bo", "VIP,Partner,Cold", "Qualified"),
    ("Cy", "VIP", "Won"),
    ("Di", "Cold", None),
)


@pytest.fixture
def seeded(ok: Cli) -> None:
    for tag in ("VIP", "Partner", "Cold"):
        ok("tags", "create", tag)
    for status in ("New", "Qualified", "Won"):
        ok("statuses", "create", status)
    for name, tags, status in PEOPLE:
        options = ["--status", status] if status else []
        ok("contacts", "add", "--name", name, "--tags", tags, *options)


def test_explain_json_shape(seeded: None, ok: Cli) -> None:
    out = ok("contacts", "explain", "--query", "tag:vip  -tag:cold status:won", "--json").json
    assert out == {
        "clauses": [
            {"clause": "tag:vip", "matches": 3, "running": 3},
            {"clause": "-tag:cold", "matches": 2, "running": 2},
            {"clause": "status:won", "matches": 1, "running": 1},
        ],
        "total": 1,
    }
    # A query that starts with '-' is the option's value, as for every --query.
    assert ok("contacts", "explain", "--query", "-tag:cold", "--json").json == {
        "clauses": [{"clause": "-tag:cold", "matches": 2, "running": 2}],
        "total": 2,
    }


def test_explain_table_names_the_emptying_clause(seeded: None, ok: Cli) -> None:
    lines = ok("contacts", "explain", "--query", "tag:cold status:won tag:vip").out.splitlines()
    assert lines[0].split() == ["#", "CLAUSE", "MATCHES", "RUNNING"]
    assert lines[1].split() == ["1", "tag:cold", "2", "2"]
    assert lines[2].split() == ["2", "status:won", "1", "0"]
    assert lines[3].split() == ["3", "tag:vip", "3", "0"]
    assert lines[4] == "total: 0 contacts — clause 2 (status:won) empties the list"


def test_explain_errors(seeded: None, cli: Cli) -> None:
    assert_one_error_line(cli("contacts", "explain", "--query", "tag:vip (", "--json"), 2, "position 8")
    assert_one_error_line(cli("contacts", "explain", "--query", "tag:nope"), 2, "unknown tag 'nope'")
    assert_one_error_line(cli("contacts", "explain"), 2, "--query")


def test_pairs_json_and_table(seeded: None, ok: Cli, cli: Cli) -> None:
    assert ok("tags", "pairs", "--json").json == [
        {"a": "Partner", "b": "VIP", "contacts": 2, "share": 1.0},
        {"a": "Cold", "b": "Partner", "contacts": 1, "share": 0.5},
        {"a": "Cold", "b": "VIP", "contacts": 1, "share": 0.5},
    ]
    assert ok("tags", "pairs", "--query", "-status:new", "--limit", "1", "--json").json == [
        {"a": "Cold", "b": "Partner", "contacts": 1, "share": 1.0}
    ]
    lines = ok("tags", "pairs", "--limit", "2").out.splitlines()
    assert lines[0].split() == ["TAG", "A", "TAG", "B", "CONTACTS", "SHARE"]
    assert lines[1].split() == ["Partner", "VIP", "2", "100.0%"]
    assert lines[-1] == "2 pairs"
    assert ok("tags", "pairs", "--query", "tag:none", "--json").json == []
    assert_one_error_line(cli("tags", "pairs", "--query", "tag:vip or"), 2, "position 10")
    assert_one_error_line(cli("tags", "pairs", "--limit", "0"), 2, "limit")


def test_funnel_json_and_table(seeded: None, ok: Cli, cli: Cli) -> None:
    assert ok("funnel", "--json").json == [
        {"status": "New", "contacts": 1, "conversion": 0.6667},
        {"status": "Qualified", "contacts": 1, "conversion": 0.5},
        {"status": "Won", "contacts": 1, "conversion": None},
        {"status": None, "contacts": 1, "conversion": None},
    ]
    assert ok("funnel", "--query", "-tag:partner", "--json").json == [
        {"status": "New", "contacts": 0, "conversion": 1.0},
        {"status": "Qualified", "contacts": 0, "conversion": 1.0},
        {"status": "Won", "contacts": 1, "conversion": None},
        {"status": None, "contacts": 1, "conversion": None},
    ]
    lines = ok("funnel").out.splitlines()
    assert lines[0].split() == ["STATUS", "CONTACTS", "CONVERSION"]
    assert lines[1].split() == ["New", "1", "66.7%"]
    assert lines[4].split() == ["(no", "status)", "1"]
    assert lines[-1] == "4 contacts"
    assert_one_error_line(cli("funnel", "--query", '"open'), 2, "position 0")
    assert_one_error_line(cli("funnel", "--query", "status:nope"), 2, "unknown status")
