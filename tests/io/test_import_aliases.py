"""CSV exports of other tools: columns mapped by alias, --map overrides, skipped rows reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tagtui.io.csv_import import ColumnMapping, import_file, parse_map, preview_file
from tagtui.store import Store, ValidationError
from tests.io.conftest import snapshot

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> str:
    return str(SAMPLES / name)


def contact(store: Store, email: str) -> dict[str, Any]:
    c = store.get_contact(email)
    return {
        "name": c.name,
        "company": c.company,
        "phone": c.phone,
        "assignee": c.assignee,
        "status": c.status,
        "tags": sorted(t.name for t in c.tags),
        "notes": c.notes,
    }


def skipped(report: Any) -> list[str]:
    return [str(s) for s in report.skipped]


def test_google_current_layout(store: Store) -> None:
    report = import_file(store, sample("google.csv"))
    assert (report.result.created, report.skipped_count) == (3, 1)
    assert skipped(report) == ["line 6: no name and no email"]
    assert contact(store, "maya@nordwind.example") == {
        "name": "Maya Chen",
        "company": "Nordwind Ventures",
        "phone": "+351 21 555 0101",  # the first of Google's "a ::: b"
        "assignee": None,
        "status": None,
        "tags": ["Investors", "VIP"],  # * myContacts and * starred left out
        "notes": "Met at the Lisbon summit.\nPrefers email.",
    }
    tomas = contact(store, "tomas@clinica-sol.example")
    assert (tomas["name"], tomas["company"]) == ("Tomás José Ortega", "Clínica Sol")
    assert tomas["tags"] == ["Clients"]
    priya = [r for r in store.iter_contacts() if r.name == "Priya Nair"]
    assert len(priya) == 1 and priya[0].email is None and priya[0].tags == ()
    assert sorted(t.name for t in store.list_tags()) == ["Clients", "Investors", "VIP"]
    used = dict(report.mapping.used)
    assert used["E-mail 1 - Value"] == "email" and used["Organization Name"] == "company"
    assert "E-mail 1 - Label" in report.mapping.ignored


def test_google_legacy_layout_group_membership(store: Store) -> None:
    report = import_file(store, sample("google_legacy.csv"))
    assert (report.result.created, report.skipped_count) == (2, 0)
    lena = contact(store, "lena@fischer-gmbh.example")
    # "* My Contacts" left out; "* Friends" (a system group with meaning) kept as "Friends".
    assert (lena["name"], lena["company"]) == ("Lena Fischer", "Fischer GmbH")
    assert lena["tags"] == ["Board", "Friends"]
    kwame = contact(store, "kwame@mensah.example")
    assert (kwame["name"], kwame["tags"]) == ("Kwame Mensah", [])  # Given + Family Name


def test_outlook(store: Store) -> None:
    report = import_file(store, sample("outlook.csv"))
    assert report.result.created == 2
    assert skipped(report) == ["line 4: no name and no email", "line 5: invalid email 'sophie@'"]
    assert contact(store, "olivia.bennett@harbor.example") == {
        "name": "Olivia Bennett",
        "company": "Harbor Logistics",
        "phone": "+44 7700 900123",
        "assignee": None,
        "status": None,
        "tags": ["Clients", "Key Account"],  # Categories split on ';'
        "notes": "Renewal due in March.",
    }
    assert contact(store, "rahul@verma-sons.example")["name"] == "Rahul K. Verma"
    assert store.count_contacts() == 2


def test_hubspot(store: Store) -> None:
    report = import_file(store, sample("hubspot.csv"))
    assert (report.result.created, report.result.statuses_created) == (3, 3)
    assert skipped(report) == ["line 5: no name and no email"]
    grace = contact(store, "grace@navy-labs.example")
    assert (grace["name"], grace["company"], grace["assignee"], grace["status"], grace["phone"]) == (
        "Grace Hopper",
        "Navy Labs",
        "Sam Rivera",
        "Customer",  # Lifecycle Stage before Lead Status
        "+1 202 555 0147",
    )
    assert contact(store, "alan@bletchley.example")["phone"] == "+44 7700 900456"  # the mobile, as a fallback
    assert "Record ID" in report.mapping.ignored


def test_pipedrive(store: Store) -> None:
    report = import_file(store, sample("pipedrive.csv"))
    assert (report.result.created, report.skipped_count) == (3, 0)
    ingrid = contact(store, "ingrid@fjord.example")
    assert (ingrid["name"], ingrid["company"], ingrid["assignee"], ingrid["tags"]) == (
        "Ingrid Olsen",
        "Fjord Shipping AS",
        "Mia Holm",
        ["Decision maker", "Hot lead"],  # labels split on ','
    )
    assert contact(store, "diego.alvarez@mail.example")["phone"] == "+52 55 5555 0123"  # home email, mobile


def test_aliases_ignore_case_spaces_and_punctuation() -> None:
    columns = ["FULL NAME", "email_address", "E-Mail", "organisation", "Deal Stage", "x"]
    mapping = ColumnMapping.detect(columns)
    assert mapping.fields == ("name", "email", "email", "company", "status", None)
    assert mapping.ignored == ["x"] and not mapping.is_plain
    assert ColumnMapping.detect(["id", "name", "email", "tags"]).is_plain


def test_map_overrides_adds_and_ignores(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("Who,Mail,Notes,Org\nAnn,ann@x.com,secret,Acme\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no 'name' or 'email' column"):
        import_file(store, str(path))
    overrides = parse_map(["Who=name", "mail=email", "Notes=", "Org=company"])
    assert overrides == {"Who": "name", "mail": "email", "Notes": None, "Org": "company"}
    report = import_file(store, str(path), overrides=overrides)
    assert report.mapping.used == [("Who", "name"), ("Mail", "email"), ("Org", "company")]
    assert report.mapping.ignored == ["Notes"]
    ann = store.get_contact("ann@x.com")
    assert (ann.name, ann.company, ann.notes) == ("Ann", "Acme", None)


def test_a_chosen_column_comes_before_the_aliases(store: Store) -> None:
    report = import_file(store, sample("google.csv"), overrides=parse_map(["E-mail 2 - Value=email"]))
    assert report.mapping.used.count(("E-mail 2 - Value", "email")) == 1
    assert store.get_contact("maya.home@mail.example").name == "Maya Chen"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("Notes=nonsense", "unknown field 'nonsense'"),
        ("no equals sign", "COLUMN=FIELD"),
        ("=email", "COLUMN=FIELD"),
    ],
)
def test_bad_map_options(option: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_map([option])


def test_map_naming_a_missing_column_imports_nothing(store: Store) -> None:
    before = snapshot(store)
    with pytest.raises(ValidationError, match="no such column"):
        import_file(store, sample("hubspot.csv"), overrides={"Nickname": "name"})
    assert snapshot(store) == before


def test_preview_has_mapping_and_sample_values() -> None:
    preview = preview_file(sample("hubspot.csv"))
    assert preview.format == "csv" and preview.mapping is not None
    by_column = dict(zip(preview.mapping.columns, preview.samples, strict=True))
    assert by_column["Email"] == "grace@navy-labs.example"
    assert by_column["Mobile Phone Number"] == "+44 7700 900456"  # first value met in the column
    assert preview_file(sample("apple.vcf")).format == "vcard"


def test_rows_past_max_tags_still_fail_the_whole_import(store: Store, tmp_path: Path) -> None:
    store.update_settings(max_tags_per_contact=1)
    before = snapshot(store)
    with pytest.raises(ValidationError, match=r"line 2 \(tags\)"):
        import_file(store, sample("google.csv"))
    assert snapshot(store) == before


def test_report_json(store: Store) -> None:
    data = import_file(store, sample("outlook.csv")).to_json()
    assert data["format"] == "csv" and data["skipped"] == 2 and data["created"] == 2
    assert data["skipped_rows"][0] == {"line": 4, "reason": "no name and no email"}
    assert {"column": "E-mail Address", "field": "email"} in data["mapping"]["columns"]
    assert "Job Title" in data["mapping"]["ignored"]
