"""``tagtui demo``, ``tagtui import`` and ``tagtui export`` through the io layer."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from tagtui.io import target as targets
from tagtui.store import FileError
from tests.cli.conftest import Cli, assert_one_error_line

HEADER = ["id", "name", "email", "company", "phone", "assignee", "followers", "status", "tags"]


def _write_csv(path, rows: list[list[str]], *, header: list[str] = HEADER, encoding: str = "utf-8") -> str:
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


# -- demo -------------------------------------------------------------------------------


def test_demo_fills_the_workspace(ok: Cli, cli: Cli) -> None:
    result = ok("demo", "--contacts", "40", "--seed", "3", "--json").json
    assert set(result) >= {"contacts", "tags", "statuses", "seconds"}
    assert result["contacts"] == 40 and result["tags"] > 0 and result["statuses"] > 0
    assert ok("contacts", "list", "--limit", "1").out.splitlines()[-1].startswith("1 of 40 contacts")
    text = ok("demo", "--contacts", "3", "--workspace", "other").out
    assert text.startswith("Demo data in workspace 'other': 3 contacts")
    assert_one_error_line(cli("demo", "--contacts", "-5"), 2)


# -- import -----------------------------------------------------------------------------


def test_import_creates_then_updates_by_email(ok: Cli, tmp_path) -> None:
    path = _write_csv(
        tmp_path / "in.csv",
        [
            ["", "Jane Doe", "jane@example.com", "Acme", "", "sam", "120", "Qualified", "VIP;Hot Lead"],
            ["", "No Email", "", "", "", "", "", "", ""],
        ],
    )
    first = ok("import", path, "--json").json
    assert (first["created"], first["updated"], first["rows"]) == (2, 0, 2)
    assert first["tags_created"] == 2 and first["statuses_created"] == 1
    jane = ok("contacts", "show", "JANE@example.com", "--json").json
    assert (jane["company"], jane["status"], jane["tags"]) == ("Acme", "Qualified", ["Hot Lead", "VIP"])

    again = _write_csv(tmp_path / "again.csv", [["", "", "Jane@Example.com", "", "", "", "", "", "Partner"]])
    text = ok("import", again).out
    assert text.strip() == f"Imported 1 row from {again}: 0 created, 1 updated; 1 new tag, 0 new statuses"
    jane = ok("contacts", "show", "jane@example.com", "--json").json
    assert jane["company"] == "Acme" and jane["tags"] == ["Hot Lead", "Partner", "VIP"]  # blank cells kept


def test_import_with_another_encoding(ok: Cli, tmp_path) -> None:
    path = _write_csv(
        tmp_path / "latin.csv",
        [["", "Zoë Müller", "zoe@example.com", "", "", "", "", "", ""]],
        encoding="latin-1",
    )
    assert ok("import", path, "--encoding", "latin-1", "--json").json["created"] == 1
    assert ok("contacts", "show", "zoe@example.com", "--json").json["name"] == "Zoë Müller"


def test_import_errors(ok: Cli, cli: Cli, tmp_path) -> None:
    assert_one_error_line(cli("import", str(tmp_path / "missing.csv")), 1, "missing.csv")
    assert_one_error_line(cli("import", str(tmp_path)), 1, "folder")
    no_columns = _write_csv(tmp_path / "bad.csv", [["1", "2"]], header=["foo", "bar"])
    assert_one_error_line(cli("import", no_columns), 2)
    latin = _write_csv(tmp_path / "latin.csv", [["", "Zoë", "", "", "", "", "", "", ""]], encoding="latin-1")
    assert_one_error_line(cli("import", latin), 2, "line")
    assert ok("contacts", "list", "--json").json == []


# -- export -----------------------------------------------------------------------------


@pytest.fixture
def seeded(ok: Cli) -> Cli:
    ok("tags", "create", "Cold")
    ok("tags", "create", "VIP")
    ok("statuses", "setup")
    ok(
        "contacts",
        "add",
        "--name",
        "Alice",
        "--email",
        "alice@example.com",
        "--tags",
        "VIP",
        "--status",
        "Won",
    )
    ok("contacts", "add", "--name", "Bob", "--email", "bob@example.com", "--tags", "Cold")
    ok("contacts", "add", "--name", "=cmd()", "--company", "-Evil")
    return ok


def test_export_csv_to_stdout(seeded: Cli) -> None:
    out = seeded("export").out
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == HEADER
    assert [r[1] for r in rows[1:]] == ["'=cmd()", "Alice", "Bob"]  # neutralised for spreadsheets
    assert rows[2][7:] == ["Won", "VIP"]
    warm = list(csv.reader(io.StringIO(seeded("export", "--query", "-tag:cold").out)))
    assert [r[1] for r in warm[1:]] == ["'=cmd()", "Alice"]


def test_export_json_matches_contacts_list(seeded: Cli) -> None:
    exported = json.loads(seeded("export", "--format", "json", "--query=-tag:cold").out)
    assert exported == seeded("contacts", "list", "--query", "-tag:cold", "--json").json


def test_export_to_a_file_infers_the_format_and_reports_on_stderr(cli: Cli, seeded: Cli, tmp_path) -> None:
    target = tmp_path / "vip.json"
    result = cli("export", "--query", "tag:vip", "--output", str(target))
    assert (result.code, result.err) == (0, "")
    assert result.out.strip() == f"Exported 1 contact to {target}"
    assert [r["name"] for r in json.loads(target.read_text(encoding="utf-8"))] == ["Alice"]
    vcf = tmp_path / "all.vcf"
    assert cli("export", "--output", str(vcf)).code == 0
    assert vcf.read_text(encoding="utf-8").count("BEGIN:VCARD") == 3
    csv_file = tmp_path / "all.txt"
    assert cli("export", "--output", str(csv_file)).code == 0
    assert csv_file.read_bytes().startswith(b"id,name,email")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".tagtui")) == []


def test_export_round_trips_through_import(seeded: Cli, tmp_path) -> None:
    path = tmp_path / "all.csv"
    seeded("export", "--output", str(path))
    seeded("import", str(path), "--workspace", "copy")
    original = seeded("contacts", "list", "--json").json
    copied = seeded("contacts", "list", "--json", "--workspace", "copy").json
    strip = [{k: v for k, v in row.items() if k != "id"} for row in original]
    assert [{k: v for k, v in row.items() if k != "id"} for row in copied] == strip


def test_export_errors_leave_no_file(seeded: Cli, cli: Cli, tmp_path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    missing = folder / "nope" / "out.csv"
    assert_one_error_line(cli("export", "--output", str(missing)), 1, "does not exist")
    assert not missing.parent.exists()  # folders are never created
    assert_one_error_line(cli("export", "--output", str(folder)), 1, "folder")
    bad = folder / "bad.csv"
    assert_one_error_line(cli("export", "--query", "tag:ghost", "--output", str(bad)), 2, "ghost")
    assert_one_error_line(cli("export", "--query", "tag:(", "--output", str(bad)), 2, "position")
    assert_one_error_line(cli("export", "--format", "xlsx"), 2, "invalid choice")
    assert list(folder.iterdir()) == []


def write_atomically(path: str, write) -> int:
    return targets.write(targets.resolve(path), "csv", write)


def test_write_atomically_keeps_the_old_file_when_writing_fails(tmp_path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old contents\n")

    def fail_halfway(out) -> int:
        out.write("id,name\n1,half")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        write_atomically(str(target), fail_halfway)
    assert target.read_text() == "old contents\n"
    assert os.listdir(tmp_path) == ["out.csv"]

    target.chmod(0o644)
    assert write_atomically(str(target), lambda out: out.write("new\r\n")) == 5
    assert target.read_bytes() == b"new\r\n"  # newline="" for csv: no translation
    assert target.stat().st_mode & 0o777 == 0o644  # a replaced file keeps its mode
    with pytest.raises(FileError):
        write_atomically(str(tmp_path / "missing" / "x.csv"), lambda out: 0)
