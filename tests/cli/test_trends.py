"""``tagtui trends``: the JSON document, the table and one-line errors."""

from __future__ import annotations

from datetime import date

import pytest

from tests.cli.conftest import Cli, assert_one_error_line


@pytest.fixture
def moved(ok: Cli) -> None:
    """Ann and Bo enter New this week; Ann moves on to Won; Cy has no status."""
    ok("statuses", "setup")
    ok("tags", "create", "VIP")
    ok("contacts", "add", "--name", "Ann", "--email", "ann@example.com", "--status", "New", "--tags", "VIP")
    ok("contacts", "add", "--name", "Bo", "--status", "New")
    ok("contacts", "add", "--name", "Cy")
    ok("contacts", "status", "ann@example.com", "Won")


def test_json(moved: None, ok: Cli) -> None:
    doc = ok("trends", "--weeks", "3", "--json").json
    assert set(doc) >= {"weeks", "entered", "time_in_stage", "conversion", "tags"}
    assert len(doc["weeks"]) == 3 and date.fromisoformat(doc["weeks"][-1]).weekday() == 0
    assert doc["entered"]["New"] == [0, 0, 2]
    assert doc["entered"]["Won"] == [0, 0, 1]
    assert doc["conversion"]["New"] == [None, None, 0.5]
    new = doc["time_in_stage"]["New"]
    assert new["stays"] == 1 and 0 <= new["median_days"] < 1 and new["p90_days"] == new["median_days"]
    assert doc["time_in_stage"]["Won"] == {"median_days": None, "p90_days": None, "stays": 0}
    assert doc["tags"] == {"VIP": [0, 0, 1]}
    only_vip = ok("trends", "--weeks", "3", "--query", "tag:vip", "--json").json
    assert only_vip["entered"]["New"] == [0, 0, 1]
    assert len(ok("trends", "--json").json["weeks"]) == 12


def test_table_shows_stages_and_weeks(moved: None, ok: Cli) -> None:
    out = ok("trends", "--weeks", "2").out
    lines = out.splitlines()
    assert lines[0].split()[0] == "ENTERED" and len(lines[0].split()) == 3
    assert lines[1].split() == ["New", "0", "2"]
    assert "TIME IN STAGE" in out and "CONVERSION" in out and "TAGS" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--weeks", "0"), "weeks"),
        (("--weeks", "105"), "weeks"),
        (("--weeks", "x"), "weeks"),
        (("--query", "tag:"), "tag:"),
    ],
)
def test_errors_are_one_line(moved: None, cli: Cli, args: tuple[str, ...], needle: str) -> None:
    assert_one_error_line(cli("trends", *args), 2, needle)
