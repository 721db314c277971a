"""``tagtui import`` of files from the real world: UTF-16 (Excel's "Unicode text", Outlook),
``;``/tab delimiters, ``--delimiter``, Excel's ``sep=`` line, lone CRs, huge cells."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tests.cli.conftest import Cli, assert_one_error_line

SAMPLES = Path(__file__).parent.parent / "io" / "samples"


def excel_unicode_text(tmp_path: Path, *, big_endian: bool = False) -> str:
    text = "Name\tE-mail Address\tCategories\r\nJosé Müller\tjose@example.com\tKunde;VIP\r\n"
    path = tmp_path / "Contacts.txt"
    if big_endian:
        path.write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    else:
        path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return str(path)


@pytest.mark.parametrize("big_endian", [False, True], ids=["le", "be"])
@pytest.mark.parametrize("encoding", [(), ("--encoding", "utf-16"), ("--encoding", "latin-1")])
def test_excel_unicode_text(ok: Cli, tmp_path: Path, big_endian: bool, encoding: tuple[str, ...]) -> None:
    data = ok("import", excel_unicode_text(tmp_path, big_endian=big_endian), *encoding, "--json").json
    assert (data["created"], data["skipped"], data["tags_created"]) == (1, 0, 2)
    jose = ok("contacts", "show", "jose@example.com", "--json").json
    assert (jose["name"], sorted(jose["tags"])) == ("José Müller", ["Kunde", "VIP"])


def test_outlook_export_in_utf16(ok: Cli, tmp_path: Path) -> None:
    text = (SAMPLES / "outlook.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "outlook.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    lines = ok("import", str(path)).out.splitlines()
    assert lines[0] == f"Imported 2 rows from {path}: 2 created, 0 updated; 3 new tags, 0 new statuses"
    assert lines[-2:] == ["  line 4: no name and no email", "  line 5: invalid email 'sophie@'"]


def test_semicolons_and_the_sep_line(ok: Cli, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("sep=;\r\nName;E-mail;Company\r\nMüller;m@x.de;Acme, GmbH\r\n".encode("cp1252"))
    assert ok("import", str(path), "--encoding", "cp1252", "--json").json["created"] == 1
    assert ok("contacts", "show", "m@x.de", "--json").json["company"] == "Acme, GmbH"


def test_delimiter_option(ok: Cli, cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name,email;x;y\nAnn,ann@x.com;1;2\n")
    assert_one_error_line(cli("import", str(path)), 2, "no 'name' or 'email' column")
    assert_one_error_line(cli("import", str(path), "--delimiter", "ab"), 2, "--delimiter 'ab'")
    assert ok("import", str(path), "--delimiter", ",", "--json").json["created"] == 1
    assert ok("contacts", "list", "--json").json[0]["name"] == "Ann"
    assert "--delimiter" in ok("import", "--help").out


def test_lone_cr_lines(ok: Cli, tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"name,email\rAnn,ann@x.com\rBob,bob@x.com\r")
    assert ok("import", str(path), "--json").json["created"] == 2


def test_a_huge_cell_skips_its_row(ok: Cli, cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("name,email,notes\nAnn,ann@x.com,\nBig,big@x.com," + "x" * 200_000 + "\n")
    assert_one_error_line(cli("import", str(path), "--strict"), 2, "line 3: a cell of 200,000 characters")
    data = ok("import", str(path), "--json").json
    assert (data["created"], data["skipped_rows"]) == (
        1,
        [{"line": 3, "reason": "a cell of 200,000 characters (at most 131,072)"}],
    )
