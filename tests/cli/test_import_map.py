"""``tagtui import`` of other tools' files: the mapping shown, ``--map``, skipped rows, vCards."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Cli, assert_one_error_line

SAMPLES = Path(__file__).parent.parent / "io" / "samples"


def test_prints_the_mapping_and_the_skipped_rows(ok: Cli) -> None:
    path = str(SAMPLES / "outlook.csv")
    lines = ok("import", path).out.splitlines()
    assert lines[0] == f"Imported 2 rows from {path}: 2 created, 0 updated; 3 new tags, 0 new statuses"
    assert lines[1] == "Columns:"
    assert "  E-mail Address → email" in lines and "  Categories → tags" in lines
    ignored = next(line for line in lines if line.startswith("  ignored: "))
    assert "Job Title" in ignored and "E-mail Type" in ignored
    assert lines[-3:] == [
        "Skipped 2 rows:",
        "  line 4: no name and no email",
        "  line 5: invalid email 'sophie@'",
    ]
    assert ok("contacts", "show", "olivia.bennett@harbor.example", "--json").json["tags"] == [
        "Clients",
        "Key Account",
    ]


def test_json_summary_has_mapping_and_skipped_rows(ok: Cli) -> None:
    data = ok("import", str(SAMPLES / "hubspot.csv"), "--json").json
    assert (data["created"], data["statuses_created"], data["skipped"], data["format"]) == (3, 3, 1, "csv")
    assert data["skipped_rows"] == [{"line": 5, "reason": "no name and no email"}]
    assert {"column": "Lifecycle Stage", "field": "status"} in data["mapping"]["columns"]
    assert "Record ID" in data["mapping"]["ignored"]
    grace = ok("contacts", "show", "grace@navy-labs.example", "--json").json
    assert (grace["name"], grace["status"], grace["assignee"]) == ("Grace Hopper", "Customer", "Sam Rivera")


def test_map_overrides_adds_and_ignores(ok: Cli, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("Who,Mail,Notes,Stage\nAnn,ann@x.com,private,Won\n", encoding="utf-8")
    data = ok(
        "import", str(path), "--map", "Who=name", "--map", "mail=email", "--map", "Notes=", "--json"
    ).json
    assert data["mapping"] == {
        "columns": [
            {"column": "Who", "field": "name"},
            {"column": "Mail", "field": "email"},
            {"column": "Stage", "field": "status"},
        ],
        "ignored": ["Notes"],
    }
    ann = ok("contacts", "show", "ann@x.com", "--json").json
    assert (ann["name"], ann["status"], ann["notes"]) == ("Ann", "Won", None)


def test_plain_tagtui_file_prints_just_the_summary(ok: Cli, tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("name,email,tags\nBo,bo@x.com,vip\n", encoding="utf-8")
    assert ok("import", str(path)).out.splitlines() == [
        f"Imported 1 row from {path}: 1 created, 0 updated; 1 new tag, 0 new statuses"
    ]


def test_bad_map_is_exit_2_and_imports_nothing(ok: Cli, cli: Cli) -> None:
    path = str(SAMPLES / "google.csv")
    assert_one_error_line(cli("import", path, "--map", "Notes=nonsense"), 2, "unknown field 'nonsense'")
    assert_one_error_line(cli("import", path, "--map", "Nickname"), 2, "COLUMN=FIELD")
    assert_one_error_line(cli("import", path, "--map", "Shoe Size=name"), 2, "no such column")
    assert_one_error_line(cli("import", str(SAMPLES / "apple.vcf"), "--map", "FN=name"), 2, "CSV")
    assert ok("contacts", "list", "--json").json == []


def test_vcard_file(ok: Cli) -> None:
    path = str(SAMPLES / "vcard4.vcf")
    lines = ok("import", path).out.splitlines()
    assert lines == [
        f"Imported 2 rows from {path}: 2 created, 0 updated; 3 new tags, 1 new status",
        "Skipped 2 rows:",
        "  line 21: invalid email 'not-an-email'",
        "  line 26: the card has no END:VCARD (the file is cut short?)",
    ]
    ada = ok("contacts", "show", "ada@engines.example", "--json").json
    assert (ada["status"], ada["followers"], ada["tags"]) == ("Qualified", 1843, ["Mathematics", "VIP"])


def test_vcard_export_then_import_round_trips(ok: Cli, tmp_path: Path) -> None:
    ok("import", str(SAMPLES / "vcard4.vcf"))
    out = tmp_path / "all.vcf"
    ok("export", "--output", str(out))
    data = ok("import", str(out), "--workspace", "copy", "--json").json
    assert (data["created"], data["skipped"], data["format"]) == (2, 0, "vcard")
    first = ok("contacts", "list", "--json").json
    copy = ok("contacts", "list", "--json", "--workspace", "copy").json
    assert [{k: v for k, v in c.items() if k != "id"} for c in copy] == [
        {k: v for k, v in c.items() if k != "id"} for c in first
    ]


def test_help_documents_the_aliases_and_what_is_skipped(ok: Cli) -> None:
    text = ok("import", "--help").out
    assert "--map COLUMN=FIELD" in text and "E-mail 1 - Value" in text
    assert "skipped and reported" in text and "max_tags_per_contact" in text


def test_strict_refuses_the_whole_file_when_a_row_would_be_skipped(ok: Cli, cli: Cli) -> None:
    path = str(SAMPLES / "outlook.csv")
    assert_one_error_line(
        cli("import", path, "--strict"), 2, "line 4: no name and no email; nothing was imported"
    )
    assert ok("contacts", "list", "--json").json == []
    # without --strict the good rows go in and the bad ones are reported
    assert ok("import", path, "--json").json["skipped"] == 2
