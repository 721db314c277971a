"""``--dry-run``: every command that changes data prints its usual summary and changes nothing."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tagtui.cli.main import DRY_RUN_NOTE
from tagtui.cli.registry import COMMANDS
from tagtui.store import Store
from tests.conftest import PG_URL
from tests.helpers import dump

from .conftest import Cli


@pytest.fixture
def seeded(db_url: str) -> dict[str, Any]:
    with Store.open(db_url) as store:
        store.create_tag("VIP")
        store.create_tag("Cold")
        store.create_status("Lead")
        store.create_status("Won")
        a = store.add_contact("Ann", email="ann@x.org", followers=200_000, tags=["Cold"])
        b = store.add_contact("Bob", email="bob@x.org", followers=10)
        store.add_rule("Influencers", "followers>100000", add=["Influencer"], remove=["Cold"])
        store.save_view("cold", "tag:cold")
        return {"a": str(a.id), "b": str(b.id)}


def rows_now(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    with Store.open(db_url) as store:
        return dump(store)


def csv_file(tmp_path: Path) -> str:
    path = tmp_path / "in.csv"
    path.write_text(
        "name,email,tags,status,followers\nCid,cid@x.org,VIP;New tag,Lead,5\nAnn,ann@x.org,VIP,,\n"
    )
    return str(path)


#: command line -> a piece of the summary the real command prints (and the dry run too).
CHANGING: list[tuple[tuple[str, ...], str]] = [
    (("tags", "create", "Hot"), "Hot"),
    (("tags", "update", "VIP", "--name", "Very important"), "Very important"),
    (("tags", "delete", "Cold", "--force"), "now broken: view 'cold', rule 'Influencers'"),
    (("tags", "setup"), ""),
    (("tags", "assign", "VIP", "{a}", "{b}"), ""),
    (("tags", "unassign", "Cold", "{a}"), ""),
    (("statuses", "create", "Lost"), "Lost"),
    (("statuses", "update", "Lead", "--name", "Prospect"), "Prospect"),
    (("statuses", "move", "Won", "--to", "1"), "Won"),
    (("statuses", "delete", "Lead"), "Lead"),
    (("statuses", "setup"), ""),
    (("contacts", "add", "--name", "Dee", "--email", "dee@x.org"), "Dee"),
    (("contacts", "update", "{a}", "--name", "Annie"), "Annie"),
    (("contacts", "delete", "{a}", "{b}"), "2"),
    (("contacts", "tag", "{b}", "--add", "VIP"), "VIP"),
    (("contacts", "sync-tags", "--id", "{a}", "--tags", "VIP,Brand new"), "Brand new"),
    (("contacts", "status", "{a}", "Won"), "Won"),
    (("settings", "--max-tags-per-contact", "3"), "3"),
    (("views", "save", "hot", "tag:vip"), "hot"),
    (("views", "delete", "cold"), "cold"),
    (("rules", "add", "Quiet", "--query", "-tag:vip", "--add", "Dormant"), "Quiet"),
    (("rules", "delete", "Influencers"), "Influencers"),
    (("rules", "apply"), "+Influencer on 1 contact"),
    (("rules", "apply", "Influencers"), "−Cold on 1"),
    (("import", "{csv}"), "1 created"),
    (("import", "{csv}", "--apply-rules"), "Influencer"),
    (("demo", "--contacts", "20"), "20 contacts"),
    (("contacts", "merge", "{a}", "{b}"), "Merged 1 contact"),
    (("duplicates", "ignore", "{a}", "{b}"), "not duplicates"),
    (("settings", "--phone-region", "US"), "US"),
]

#: Commands added alongside (undo, redo, merge): (argv, what to run first, a piece of the summary).
LATER: list[tuple[tuple[str, ...], tuple[str, ...], str]] = [
    (("tags", "merge", "Cold", "VIP"), (), "VIP"),
    (("undo",), (), "Undid"),
    (("redo",), ("undo",), "Redid"),
]


def _ids_masked(text: str) -> str:
    return re.sub(r"\bid \d+", "id N", text)


def _fill(argv: tuple[str, ...], ids: dict[str, Any], tmp_path: Path) -> list[str]:
    values = {**ids, "csv": csv_file(tmp_path)}
    return [a.format(**values) if "{" in a else a for a in argv]


@pytest.mark.parametrize(("argv", "needle"), CHANGING, ids=[" ".join(a) for a, _ in CHANGING])
def test_dry_run_prints_the_summary_and_changes_nothing(
    cli: Cli, db_url: str, seeded: dict[str, Any], tmp_path: Path, argv: tuple[str, ...], needle: str
) -> None:
    args = _fill(argv, seeded, tmp_path)
    before = rows_now(db_url)
    dry = cli(*args, "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.err_lines[0] == DRY_RUN_NOTE
    assert needle in dry.out
    assert rows_now(db_url) == before
    # The real command prints the same summary (timings aside) and does change something.
    real = cli(*args)
    assert real.code == 0, real.err
    if argv[0] != "demo":
        # (PostgreSQL does not take back the ids a rolled-back insert drew from a sequence.)
        assert _ids_masked(real.out) == _ids_masked(dry.out)
    assert rows_now(db_url) != before


@pytest.mark.parametrize(("argv", "first", "needle"), LATER, ids=[" ".join(a) for a, _, _ in LATER])
def test_dry_run_of_undo_redo_and_merge(
    cli: Cli, db_url: str, seeded: dict[str, Any], argv: tuple[str, ...], first: tuple[str, ...], needle: str
) -> None:
    if argv[0] not in COMMANDS:
        pytest.skip(f"no `{argv[0]}` command yet")
    assert cli("contacts", "tag", seeded["b"], "--add", "VIP").code == 0  # something to undo
    if first:
        assert cli(*first).code == 0
    before = rows_now(db_url)
    dry = cli(*argv, "--dry-run")
    if dry.code == 2 and "invalid choice" in dry.err:
        pytest.skip(f"no `{' '.join(argv)}` command yet")
    assert dry.code == 0, dry.err
    assert dry.err_lines[0] == DRY_RUN_NOTE
    assert needle in dry.out
    assert rows_now(db_url) == before
    real = cli(*argv)
    assert real.code == 0, real.err
    assert _ids_masked(real.out) == _ids_masked(dry.out)
    assert rows_now(db_url) != before


def test_dry_run_json_marks_objects(cli: Cli, db_url: str, seeded: dict[str, Any]) -> None:
    before = rows_now(db_url)
    result = cli("contacts", "add", "--name", "Dee", "--json", "--dry-run")
    assert result.code == 0
    assert result.json["dry_run"] is True and result.json["name"] == "Dee"
    real = cli("contacts", "add", "--name", "Dee", "--json")
    assert "dry_run" not in real.json
    assert rows_now(db_url) != before


@pytest.mark.skipif(PG_URL is not None, reason="a file to compare only on SQLite")
def test_dry_run_before_the_command_and_on_sqlite_byte_for_byte(
    run: Cli, db_url: str, seeded: dict[str, Any]
) -> None:
    import sqlite3

    conn = sqlite3.connect(db_url)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = Path(db_url).read_bytes()
    result = run("--db", db_url, "--dry-run", "tags", "delete", "VIP")
    assert result.code == 0 and "VIP" in result.out
    assert Path(db_url).read_bytes() == data


def test_dry_run_export_writes_no_file(cli: Cli, db_url: str, seeded: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    result = cli("export", "--query", "tag:cold", "--output", str(target), "--dry-run")
    assert result.code == 0
    assert result.out.strip() == f"Would export 1 contact as csv to {target}"
    assert not target.exists()
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".tagtui-export")]
    to_stdout = cli("export", "--dry-run")
    assert to_stdout.out.strip() == "Would export 2 contacts as csv to standard output"


def test_dry_run_of_a_failing_command_fails_the_same(cli: Cli, db_url: str, seeded: dict[str, Any]) -> None:
    before = rows_now(db_url)
    result = cli("tags", "create", "vip", "--dry-run")
    assert result.code == 4
    # One line, why it failed: not also that nothing was changed (issue 13.8).
    assert len(result.err_lines) == 1 and "vip" in result.err.lower()
    assert DRY_RUN_NOTE not in result.err
    assert rows_now(db_url) == before


def test_dry_run_without_a_command_is_a_usage_error(run: Cli, db_url: str) -> None:
    result = run("--db", db_url, "--dry-run")
    assert result.code == 2 and "--dry-run" in result.err


def test_read_only_commands_accept_dry_run(cli: Cli, seeded: dict[str, Any]) -> None:
    for argv in (("tags", "list"), ("contacts", "list", "--query", "-tag:cold"), ("rules", "preview")):
        result = cli(*argv, "--dry-run")
        assert result.code == 0, (argv, result.err)


def test_tags_assign_dry_run_reports_the_count(cli: Cli, db_url: str, seeded: dict[str, Any]) -> None:
    result = cli("tags", "assign", "Cold", seeded["a"], seeded["b"], "--json", "--dry-run")
    assert result.json["dry_run"] is True
    assert result.json["changed"] == 1
