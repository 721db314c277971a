"""Export: CSV (formula-safe, re-importable), JSON like ``contacts list --json``, vCard 4.0."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tagtui.io.csv_import import import_csv
from tagtui.io.demo import generate
from tagtui.io.export import CSV_COLUMNS, escape, export_contacts, fold, vcard
from tagtui.query.filter import EVERYTHING, Filter, Not, Statuses, Tags, Text
from tagtui.query.parse import parse
from tagtui.store import Store, ValidationError
from tagtui.store.types import ContactRow, TagRef
from tests.io.conftest import snapshot


def export(store: Store, fmt: str, query: Filter = EVERYTHING) -> str:
    out = io.StringIO(newline="")
    export_contacts(store, query, fmt, out)
    return out.getvalue()


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def people(store: Store) -> Store:
    store.add_contact(
        "Jane Doe", email="jane@x.com", company="Acme", phone="555", assignee="Sam", followers=12
    )
    store.add_contact("Bob", email="bob@x.com")
    store.sync_tags(email="jane@x.com", names=["VIP", "Hot Lead"])
    store.setup_statuses()
    store.set_status("jane@x.com", "Won")
    return store


def test_csv_header_and_tags_joined_by_semicolon(people: Store) -> None:
    rows = csv_rows(export(people, "csv"))
    assert (
        rows[0]
        == list(CSV_COLUMNS)
        == ["id", "name", "email", "company", "phone", "assignee", "followers", "status", "tags"]
    )
    jane = people.get_contact("jane@x.com")
    assert rows[2] == [
        str(jane.id),
        "Jane Doe",
        "jane@x.com",
        "Acme",
        "555",
        "Sam",
        "12",
        "Won",
        "Hot Lead;VIP",
    ]
    assert rows[1][1:] == ["Bob", "bob@x.com", "", "", "", "0", "", ""]


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_csv_formulas_are_neutralised(store: Store, prefix: str) -> None:
    email = "x@y.com" if prefix == "@" else f"{prefix}x@y.com"  # "@x@y.com" is no email
    store.add_contact(f"{prefix}cmd|' /C calc'!A0", email=email, company=f"{prefix}1+1", phone=f"{prefix}555")
    store.sync_tags(email=email, names=[f"{prefix}tag"])
    row = csv_rows(export(store, "csv"))[1]
    assert row[1:5] == [
        f"'{prefix}cmd|' /C calc'!A0",
        "x@y.com" if prefix == "@" else f"'{email}",
        f"'{prefix}1+1",
        f"'{prefix}555",
    ]
    assert row[8] == f"'{prefix}tag"
    for cell in row:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("prefix", ["\t", "\r"])
def test_csv_tab_and_carriage_return_are_neutralised(prefix: str) -> None:
    from tagtui.io.export import csv_cells

    row = ContactRow(1, f"{prefix}x", None, None, None, None, 0, None, ())
    assert csv_cells(row)[1] == f"'{prefix}x"


def test_export_import_round_trip_leaves_the_database_unchanged(store: Store, tmp_path: Path) -> None:
    generate(store, contacts=120, seed=4)
    for i, prefix in enumerate(["=", "+", "-", "@", "'=", "'"]):
        email = f"{prefix.replace('@', '')}e{i}@x.com"
        store.add_contact(
            f"{prefix}Name {i}", email=email, company=f'{prefix}Co, Ltd; "q"', phone=f"{prefix}1"
        )
        store.sync_tags(email=email, names=[f"{prefix}t{i}", "VIP"])
    before = snapshot(store)
    path = tmp_path / "all.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        assert export_contacts(store, EVERYTHING, "csv", out) == 126
    result = import_csv(store, str(path))
    assert (result.rows, result.created, result.updated, result.tags_created) == (126, 0, 0, 0)
    assert snapshot(store) == before


def test_export_into_another_workspace_recreates_the_contacts(
    store: Store, other: Store, tmp_path: Path
) -> None:
    generate(store, contacts=80)
    path = tmp_path / "all.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        export_contacts(store, EVERYTHING, "csv", out)
    assert import_csv(other, str(path)).created == 80

    def strip(s: Store) -> list[dict]:
        return [{k: v for k, v in r.to_json().items() if k != "id"} for r in s.iter_contacts()]

    assert strip(other) == strip(store)


def test_json_equals_contacts_list_rows(people: Store) -> None:
    data = json.loads(export(people, "json"))
    assert data == [r.to_json() for r in people.list_contacts().rows]
    assert data[1] == {
        "id": people.get_contact("jane@x.com").id,
        "name": "Jane Doe",
        "email": "jane@x.com",
        "company": "Acme",
        "phone": "555",
        "assignee": "Sam",
        "followers": 12,
        "status": "Won",
        "tags": ["Hot Lead", "VIP"],
    }
    assert json.loads(export(people, "json", Text("nobody"))) == []


def test_exactly_the_filtered_contacts(store: Store) -> None:
    generate(store, contacts=400, seed=9)
    for query in (Tags(("vip",)), Not(Tags(("vip",))), Statuses(("won",)), parse("tag:none or status:none")):
        expected = [r.id for r in store.iter_contacts(query)]
        assert expected, query
        assert [int(r[0]) for r in csv_rows(export(store, "csv", query))[1:]] == expected
        assert [r["id"] for r in json.loads(export(store, "json", query))] == expected
        assert export(store, "vcf", query).count("BEGIN:VCARD") == len(expected)
        assert store.count_contacts(query) == len(expected)


def test_streams_past_one_page(store: Store) -> None:
    generate(store, contacts=2300)
    calls: list[tuple[int, int]] = []
    out = io.StringIO(newline="")
    assert export_contacts(store, EVERYTHING, "json", out, progress=lambda d, t: calls.append((d, t))) == 2300
    assert len(json.loads(out.getvalue())) == 2300
    assert calls[-1] == (2300, 2300) and (1000, 2300) in calls


def test_unknown_format_and_unknown_tag_write_nothing(people: Store) -> None:
    out = io.StringIO()
    with pytest.raises(ValidationError, match="format"):
        export_contacts(people, EVERYTHING, "xlsx", out)
    with pytest.raises(ValidationError, match="unknown tag"):
        export_contacts(people, Tags(("no-such-tag",)), "json", out)
    assert out.getvalue() == ""


def test_vcard_fields_and_escaping(people: Store) -> None:
    contact = people.add_contact(
        "Zoë O'Brien, Jr.", email="zoe@x.com", company="Smith; Sons\\Co", notes="line one\nline two, ok"
    )
    people.sync_tags(contact_id=contact.id, names=["a,b", "VIP"])
    text = export(people, "vcf", Text("zoe@x.com"))
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n") and text.endswith("END:VCARD\r\n")
    lines = text.split("\r\n")
    assert "FN:Zoë O'Brien\\, Jr." in lines
    assert "N:Jr.;Zoë O'Brien\\,;;;" in lines
    assert "EMAIL:zoe@x.com" in lines
    assert "ORG:Smith\\; Sons\\\\Co" in lines
    assert "CATEGORIES:a\\,b,VIP" in lines
    assert "NOTE:line one\\nline two\\, ok" in lines
    assert "X-TAGTUI-FOLLOWERS:0" in lines
    assert not any(line.startswith(("TEL", "X-TAGTUI-STATUS", "X-TAGTUI-ASSIGNEE")) for line in lines)
    jane = export(people, "vcf", Text("jane@x.com")).split("\r\n")
    assert {"TEL:555", "X-TAGTUI-STATUS:Won", "X-TAGTUI-ASSIGNEE:Sam", "CATEGORIES:Hot Lead,VIP"} <= set(jane)
    assert "\n" not in text.replace("\r\n", "")


def test_escape() -> None:
    assert escape("a\\b,c;d\r\ne\nf") == "a\\\\b\\,c\\;d\\ne\\nf"
    assert escape(None) == "" and escape("") == ""
    assert escape("tab\there\x1bbell\x07") == "tab\therebell"


def test_folding_at_75_octets_never_splits_a_character() -> None:
    assert fold("SHORT:x") == "SHORT:x\r\n"
    line = "NOTE:" + "ü" * 100 + "x" * 100
    folded = fold(line)
    physical = folded[:-2].split("\r\n")
    assert len(physical) > 2
    assert all(len(p.encode("utf-8")) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert physical[0] + "".join(p[1:] for p in physical[1:]) == line  # unfolding gives it back
    exact = "X:" + "a" * 73
    assert fold(exact) == exact + "\r\n"
    assert fold(exact + "b") == exact + "\r\n b\r\n"


def test_long_vcard_lines_are_folded() -> None:
    row = ContactRow(
        1, "N" * 200, None, "Ä" * 120, None, None, 0, None, (TagRef(1, "t" * 90, "t", "#000000"),)
    )
    card = vcard(row)
    assert all(len(p.encode("utf-8")) <= 75 for p in card.split("\r\n"))
    unfolded = card.replace("\r\n ", "")
    assert "FN:" + "N" * 200 + "\r\n" in unfolded and "ORG:" + "Ä" * 120 + "\r\n" in unfolded
