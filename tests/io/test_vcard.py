"""vCard import (2.1, 3.0, 4.0) with skipped cards reported, and export → import round trips."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from unicodedata import normalize

import pytest

from tagtui.io.csv_import import import_file
from tagtui.io.export import export_contacts
from tagtui.io.vcard_import import split_escaped, unescape
from tagtui.query.filter import EVERYTHING
from tagtui.store import Store, ValidationError
from tests.io.conftest import snapshot

SAMPLES = Path(__file__).parent / "samples"


def write(tmp_path: Path, text: str, name: str = "cards.vcf", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return str(path)


def test_apple_contacts_vcard_3(store: Store) -> None:
    report = import_file(store, str(SAMPLES / "apple.vcf"))
    assert report.format == "vcard" and report.mapping is None
    assert (report.result.created, [str(s) for s in report.skipped]) == (2, ["line 26: no name and no email"])
    johnny = store.get_contact("johnny@home.example")  # the type=pref email, though listed second
    assert (johnny.name, johnny.company, johnny.phone) == (
        "Johnny Appleseed",
        "Apple Orchards Ltd.",  # ORG's first component
        "+1 (408) 555-0100",
    )
    assert johnny.notes == "Met at the cider fair, 2024.\nLikes Granny Smith; not Fuji."
    assert sorted(t.name for t in johnny.tags) == ["Cider Club", "Friends"]
    siri = store.get_contact("siri@nordlys.example")
    assert siri.name == "Siri Økland"
    assert (
        siri.notes == "Designer of the 2023 catalogue. She asked to be contacted only about new print work."
    )


def test_vcard_4_with_pref_tagtui_properties_and_skipped_cards(store: Store) -> None:
    report = import_file(store, str(SAMPLES / "vcard4.vcf"))
    assert [str(s) for s in report.skipped] == [
        "line 21: invalid email 'not-an-email'",
        "line 26: the card has no END:VCARD (the file is cut short?)",
    ]
    assert report.to_json()["skipped"] == 2 and report.result.created == 2
    ada = store.get_contact("ada@engines.example")  # PREF=1 wins over the first EMAIL
    assert (ada.name, ada.company, ada.phone, ada.status, ada.followers, ada.assignee) == (
        "Ada Lovelace",
        "Analytical Engines",
        "+44-20-7946-0018",  # the tel: URI's number
        "Qualified",
        1843,
        "Sam",
    )
    assert sorted(t.name for t in ada.tags) == ["Mathematics", "VIP"]
    margaret = store.get_contact("margaret@apollo.example")
    assert margaret.name == "Margaret Heafield Hamilton"  # no FN: given, additional, family from N
    assert sorted(t.name for t in margaret.tags) == ["Software, Flight", "VIP"]  # an escaped comma
    assert store.count_contacts() == 2


def test_vcard_2_1_quoted_printable_and_bare_types(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\n"
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:first line=0D=0Asecond =\nline\n"
        "EMAIL;INTERNET;PREF:juergen@example.de\nTEL;CELL:+49 170 5550100\n"
        "AGENT:\nBEGIN:VCARD\nFN:The Agent\nEMAIL:agent@example.de\nEND:VCARD\n"
        "END:VCARD\n",
    )
    report = import_file(store, path)
    assert (report.result.created, report.skipped_count) == (1, 0)  # the agent is no contact
    juergen = store.get_contact("juergen@example.de")
    assert (juergen.name, juergen.phone) == ("Jürgen Müller", "+49 170 5550100")
    assert juergen.notes == "first line\r\nsecond line"


def test_bom_other_extension_and_text_between_cards(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "contacts.txt"
    path.write_bytes(b"\xef\xbb\xbfBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo\r\nEND:VCARD\r\nnoise\r\n")
    report = import_file(store, str(path))  # picked by content
    assert report.format == "vcard" and report.result.created == 1


def test_a_file_without_cards_or_that_does_not_decode_imports_nothing(store: Store, tmp_path: Path) -> None:
    before = snapshot(store)
    with pytest.raises(ValidationError, match="not a vCard file"):
        import_file(store, write(tmp_path, "hello\n", name="empty.vcf"))
    latin = write(tmp_path, "BEGIN:VCARD\nVERSION:3.0\nFN:Zoë\nEND:VCARD\n", name="l.vcf", encoding="latin-1")
    with pytest.raises(ValidationError, match=r"line 3\b.*--encoding"):
        import_file(store, latin)
    assert snapshot(store) == before
    assert import_file(store, latin, encoding="latin-1").result.created == 1
    assert store.get_contact(1).name == "Zoë"
    with pytest.raises(ValidationError, match="--map applies to CSV"):
        import_file(store, latin, overrides={"FN": "name"})


def test_unescape_and_split() -> None:
    assert unescape(r"a\,b\;c\\d\ne\Nf") == "a,b;c\\d\ne\nf"
    assert split_escaped(r"one\,two,three\\,four", ",") == ["one,two", "three\\", "four"]
    assert split_escaped(r"Family;Given\;x;;;", ";") == ["Family", "Given;x", "", "", ""]


# -- round trips -------------------------------------------------------------------------------

HOSTILE = [
    dict(
        name="Zoë O'Brien, Jr.; \\ the 3rd",
        email="zoe@example.com",
        company="Smith; Sons, \\Co\\",
        phone="+1 (555) 010-0199;ext=7",
        assignee="Ana, María",
        followers=1_234_567,
        notes="line one\nline two, with; all \\ kinds\n\n\ttabbed",
    ),
    dict(
        name="שלום \u200fעולם\u200e (RTL)",
        email="rtl@example.org",
        company="e\u0301cole 😀👩\u200d👩\u200d👧",
        notes="😀" * 40 + "é" * 50 + "x" * 80,
    ),
    dict(name="=SUM(A1)", email="-formula@example.com", company="@corp", phone="+44 20"),
    dict(name="No Email, At All"),
    dict(name="'quoted", email="q@example.com", assignee="'=x"),
]
STATUSES = ["New; Lead", "Won, finally"]
TAGS = [["a,b", "c;d", "back\\slash", "VIP 😀"], ["e\u0301t\u00e9", "RTL \u200f"], [], ["solo"], []]


@pytest.fixture
def hostile(store: Store) -> Store:
    for status in STATUSES:
        store.create_status(status)
    for i, fields in enumerate(HOSTILE):
        contact = store.add_contact(**fields)
        if TAGS[i]:
            store.sync_tags(contact_id=contact.id, names=TAGS[i])
        if i < len(STATUSES):
            store.set_status(contact.id, STATUSES[i])
    return store


def everything(store: Store) -> list[dict[str, Any]]:
    """Every field of every contact, ids and times left out, in a stable order."""
    out = []
    for row in store.iter_contacts(EVERYTHING):
        c = store.get_contact(row.id)
        out.append(
            {
                "name": c.name,
                "email": c.email,
                "company": c.company,
                "phone": c.phone,
                "assignee": c.assignee,
                "followers": c.followers,
                "status": c.status,
                "tags": sorted(t.name for t in c.tags),
                "notes": c.notes,
            }
        )
    return sorted(out, key=repr)


def test_vcard_export_into_a_fresh_database_loses_nothing(
    hostile: Store, second_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "all.vcf"
    with open(path, "w", encoding="utf-8", newline="") as out:
        assert export_contacts(hostile, EVERYTHING, "vcf", out) == len(HOSTILE)
    raw = path.read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    report = import_file(second_store, str(path))
    assert (report.result.created, report.skipped_count) == (len(HOSTILE), 0)
    assert everything(second_store) == everything(hostile)
    # names are stored NFC (SPEC §7): "e\u0301té" is "été"
    assert {t.name for t in second_store.list_tags()} == {normalize("NFC", t) for tags in TAGS for t in tags}
    # Importing the same file again changes nothing but re-creates the contact without an email.
    again = import_file(second_store, str(path))
    assert (again.result.created, again.result.updated) == (1, 0)


def test_csv_export_into_a_fresh_database_loses_nothing_but_notes(
    hostile: Store, second_store: Store, tmp_path: Path
) -> None:
    out = io.StringIO(newline="")
    export_contacts(hostile, EVERYTHING, "csv", out)
    path = tmp_path / "all.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    report = import_file(second_store, str(path))
    assert (report.result.created, report.skipped_count) == (len(HOSTILE), 0)
    assert report.mapping is not None and report.mapping.is_plain
    # SPEC §5's CSV has no notes column, and joins tags with ';': a tag named "c;d" comes back
    # as "c" and "d" (the vCard round trip above keeps it whole).
    expected = [
        {**c, "notes": None, "tags": sorted(p for t in c["tags"] for p in t.split(";"))}
        for c in everything(hostile)
    ]
    assert everything(second_store) == sorted(expected, key=repr)
