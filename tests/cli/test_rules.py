"""``tagtui rules …`` and ``import --apply-rules``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagtui.store import Store

from .conftest import Cli


@pytest.fixture
def people(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.create_tag("Cold")
        store.create_status("Qualified")
        store.add_contact("Big", email="big@x.org", followers=500_000, tags=["Cold"])
        store.add_contact("Mid", email="mid@x.org", followers=150_000)
        store.add_contact("Small", email="small@x.org", followers=10)


def test_add_list_preview_apply_delete(ok: Cli, cli: Cli, db_url: str, people: None) -> None:
    added = ok(
        "rules",
        "add",
        "Influencers",
        "--query",
        "followers>100000",
        "--add",
        "Influencer",
        "--remove",
        "Cold",
    )
    assert added.out.strip() == "Added rule 'Influencers': followers>100000 → +Influencer −Cold"
    listed = ok("rules", "list")
    assert "Influencers" in listed.out and "+Influencer −Cold" in listed.out
    assert listed.out.splitlines()[1].rstrip().endswith("2")
    assert ok("rules", "list", "--json").json == [
        {
            "id": 1,
            "name": "Influencers",
            "query": "followers>100000",
            "add": ["Influencer"],
            "remove": ["Cold"],
            "status": None,
            "created_at": ok("rules", "list", "--json").json[0]["created_at"],
            "updated_at": ok("rules", "list", "--json").json[0]["updated_at"],
            "rev": 1,
            "broken": None,
            "matches": 2,
        }
    ]
    preview = ok("rules", "preview", "--json").json
    assert preview[0]["matches"] == 2
    assert preview[0]["add"][0] == {"id": preview[0]["add"][0]["id"], "name": "Influencer", "contacts": 2}
    assert preview[0]["remove"][0]["contacts"] == 1
    text = ok("rules", "preview").out
    assert "would: +Influencer on 2 contacts, −Cold on 1" in text

    applied = ok("rules", "apply")
    assert "+Influencer on 2 contacts, −Cold on 1" in applied.out
    assert "Applied 1 rule; 1 changed something" in applied.out
    again = ok("rules", "apply", "influencers", "--json").json
    assert again[0]["add"][0]["contacts"] == 0 and again[0]["remove"][0]["contacts"] == 0
    assert "nothing needed changing" in ok("rules", "apply").out
    with Store.open(db_url) as store:
        assert {t.name for t in store.get_contact("big@x.org").tags} == {"Influencer"}

    assert ok("rules", "delete", "INFLUENCERS").out.strip() == "Deleted rule 'Influencers'"
    assert ok("rules", "list", "--json").json == []


def test_query_may_start_with_a_dash_and_status_action(ok: Cli, db_url: str, people: None) -> None:
    ok("rules", "add", "Warm", "--query", "-tag:cold", "--status", "Qualified", "--json")
    ok("rules", "apply", "Warm")
    with Store.open(db_url) as store:
        assert store.get_contact("mid@x.org").status == "Qualified"
        assert store.get_contact("big@x.org").status is None


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (("rules", "add", "X", "--query", "followers>abc", "--add", "A"), 2, "position 10"),
        (("rules", "add", "X", "--query", "followers>1"), 2, "needs an action"),
        (("rules", "add", "X", "--query", "followers>1", "--status", "Nope"), 3, "no status 'Nope'"),
        (("rules", "add", "X", "--query", "tag:nope", "--add", "A"), 2, "unknown tag"),
        (("rules", "delete", "Nope"), 3, "no rule named 'Nope'"),
        (("rules", "apply", "Nope"), 3, "no rule named 'Nope'"),
        (("rules", "preview", "Nope"), 3, "no rule named 'Nope'"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    cli: Cli, people: None, argv: tuple[str, ...], code: int, needle: str
) -> None:
    result = cli(*argv)
    assert result.code == code
    assert len(result.err_lines) == 1 and needle in result.err
    assert cli("rules", "list", "--json").json == []


def test_duplicate_rule_is_a_conflict(ok: Cli, cli: Cli, people: None) -> None:
    ok("rules", "add", "A", "--query", "followers>1", "--add", "X")
    result = cli("rules", "add", "a", "--query", "followers>2", "--add", "Y")
    assert result.code == 4 and "already exists" in result.err


def test_import_apply_rules(ok: Cli, db_url: str, people: None, tmp_path: Path) -> None:
    ok("rules", "add", "Influencers", "--query", "followers>100000", "--add", "Influencer")
    path = tmp_path / "in.csv"
    path.write_text("name,email,followers\nNew,new@x.org,900000\n")
    result = ok("import", str(path), "--apply-rules", "--json")
    assert result.json["rules"][0]["add"][0]["contacts"] == 3
    with Store.open(db_url) as store:
        assert {t.name for t in store.get_contact("new@x.org").tags} == {"Influencer"}
    plain = tmp_path / "plain.csv"
    plain.write_text("name,email,followers\nOther,other@x.org,900000\n")
    text = ok("import", str(plain), "--apply-rules").out
    assert "Rule 'Influencers': +Influencer on 1 contact" in text
