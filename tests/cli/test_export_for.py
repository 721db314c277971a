"""``tagtui export --for google|outlook|spreadsheet``: other tools' own CSV, read back by ``import``."""

from __future__ import annotations

import csv
import io

import pytest

from tagtui.io.export import GOOGLE_COLUMNS, OUTLOOK_COLUMNS
from tests.cli.conftest import Cli, assert_one_error_line

KEPT = ("name", "email", "phone", "company", "tags")


@pytest.fixture
def seeded(ok: Cli) -> Cli:
    for tag in ("VIP", "Hot Lead", "Zoë's", "Café"):
        ok("tags", "create", tag)
    ada = ("--name", "Ada Lovelace", "--email", "ada@example.com", "--phone", "+44 20 7946 0000")
    ok("contacts", "add", *ada, "--company", "Analytical Engines", "--tags", "VIP,Hot Lead",
       "--notes", "Met at the\nRoyal Society")  # fmt: skip
    jp = ("--name", "Jean Paul Sartre", "--email", "jp@example.com", "--phone", "=1+2")
    ok("contacts", "add", *jp, "--company", "-Les Temps", "--tags", "Zoë's, Café")
    ok("contacts", "add", "--name", "Prince", "--phone", "@home")  # one word, no email
    ok("contacts", "add", "--name", "Bob Smith", "--email", "bob@example.com")  # no tags, no phone
    return ok


def _kept(rows: list[dict]) -> list[dict]:
    return sorted(({k: row[k] for k in KEPT} for row in rows), key=lambda r: (r["name"], r["email"] or ""))


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("style", ["google", "outlook", "spreadsheet"])
def test_each_export_imports_back_into_a_fresh_database(
    seeded: Cli, run: Cli, db_url: str, tmp_path, style
) -> None:
    path = tmp_path / f"{style}.csv"
    assert (
        seeded("export", "--for", style, "--output", str(path)).out.strip()
        == f"Exported 4 contacts to {path}"
    )
    fresh = str(tmp_path / "fresh.db")
    imported = run("import", str(path), "--db", fresh, "--json")
    assert imported.code == 0, imported.err
    assert (imported.json["created"], imported.json["skipped"]) == (4, 0)
    original = seeded("contacts", "list", "--json").json
    copied = run("contacts", "list", "--json", "--db", fresh).json
    assert _kept(copied) == _kept(original)
    if style != "spreadsheet":  # their notes come along too (tagtui's own CSV has none)
        ada = run("contacts", "show", "ada@example.com", "--json", "--db", fresh).json
        assert ada["notes"] == "Met at the\nRoyal Society"


def test_google_writes_googles_columns_and_plain_values(seeded: Cli) -> None:
    rows = _rows(seeded("export", "--for", "google").out)
    assert tuple(rows[0]) == GOOGLE_COLUMNS
    ada = next(r for r in rows if r["Name"] == "Ada Lovelace")
    assert (ada["Given Name"], ada["Family Name"]) == ("Ada", "Lovelace")
    assert ada["Phone 1 - Value"] == "+44 20 7946 0000"  # no ' in front
    assert ada["Group Membership"] == "* myContacts ::: Hot Lead ::: VIP"
    assert (ada["E-mail 1 - Value"], ada["Organization 1 - Name"]) == (
        "ada@example.com",
        "Analytical Engines",
    )
    jp = next(r for r in rows if r["Name"] == "Jean Paul Sartre")
    assert (jp["Given Name"], jp["Family Name"], jp["Phone 1 - Value"]) == ("Jean Paul", "Sartre", "=1+2")
    assert jp["Organization 1 - Name"] == "-Les Temps"


def test_outlook_writes_outlooks_columns_with_a_byte_order_mark(seeded: Cli) -> None:
    out = seeded("export", "--for", "outlook").out
    assert out.startswith("\ufeffFirst Name,")
    rows = _rows(out)
    assert tuple(rows[0]) == OUTLOOK_COLUMNS
    ada = next(r for r in rows if r["E-mail Address"] == "ada@example.com")
    assert (ada["First Name"], ada["Last Name"], ada["Company"]) == ("Ada", "Lovelace", "Analytical Engines")
    assert (ada["Mobile Phone"], ada["Categories"]) == ("+44 20 7946 0000", "Hot Lead;VIP")
    prince = next(r for r in rows if r["First Name"] == "Prince")
    assert (prince["Last Name"], prince["Mobile Phone"], prince["E-mail Address"]) == ("", "@home", "")


def test_spreadsheet_is_the_default_and_stays_neutralised(seeded: Cli) -> None:
    default = seeded("export").out
    assert seeded("export", "--for", "spreadsheet").out == default
    ada = next(r for r in _rows(default) if r["name"] == "Ada Lovelace")
    assert ada["phone"] == "'+44 20 7946 0000"


def test_bad_choices_are_one_line(seeded: Cli, cli: Cli, tmp_path) -> None:
    assert_one_error_line(cli("export", "--for", "excel"), 2, "invalid choice")
    assert_one_error_line(cli("export", "--for", "google", "--format", "json"), 2, "CSV")
    missing = tmp_path / "nope" / "google.csv"
    assert_one_error_line(cli("export", "--for", "google", "--output", str(missing)), 1, "does not exist")
    # Google's file is CSV whatever the name says.
    named = tmp_path / "contacts.vcf"
    cli("export", "--for", "google", "--output", str(named))
    assert named.read_text(encoding="utf-8").startswith("Name,Given Name")
    assert (
        cli("export", "--for", "outlook", "--dry-run")
        .out.strip()
        .endswith("as outlook CSV to standard output")
    )
