"""CSV files from the real world: UTF-16/32 with a BOM, `;`/tab/`|` delimiters and Excel's
``sep=`` line, old Mac line ends (a lone CR), and cells past the csv module's limit."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

import pytest

from tagtui.io.csv_import import CELL_LIMIT, import_file, preview_file
from tagtui.store import Store, ValidationError
from tests.io.conftest import snapshot

SAMPLES = Path(__file__).parent / "samples"

#: Excel's "Unicode Text (*.txt)": UTF-16 LE with a BOM, tab-delimited, CR LF.
EXCEL_UNICODE_TEXT = (
    "Name\tE-mail Address\tCompany\tCategories\r\n"
    "José Müller\tjose@example.com\tÜber GmbH\tKunde;VIP\r\n"
    '山田 太郎\ttaro@example.jp\t"Tokyo, Inc."\tVIP\r\n'
    "Zoë 😀\tzoe@example.com\t\t\r\n"
)


def write_bytes(tmp_path: Path, data: bytes, name: str = "in.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def utf16(text: str, *, big_endian: bool = False) -> bytes:
    if big_endian:
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def check_excel_contacts(store: Store) -> None:
    jose = store.get_contact("jose@example.com")
    assert (jose.name, jose.company) == ("José Müller", "Über GmbH")
    assert sorted(t.name for t in jose.tags) == ["Kunde", "VIP"]
    assert store.get_contact("taro@example.jp").company == "Tokyo, Inc."
    assert store.get_contact("zoe@example.com").name == "Zoë 😀"
    assert store.count_contacts() == 3


@pytest.mark.parametrize("big_endian", [False, True], ids=["le", "be"])
@pytest.mark.parametrize("encoding", [None, "utf-16"])
def test_excel_unicode_text_utf16_tab_delimited(
    store: Store, tmp_path: Path, big_endian: bool, encoding: str | None
) -> None:
    path = write_bytes(tmp_path, utf16(EXCEL_UNICODE_TEXT, big_endian=big_endian), "contacts.txt")
    report = import_file(store, path, encoding=encoding)
    assert (report.result.rows, report.result.created, report.skipped_count) == (3, 3, 0)
    check_excel_contacts(store)


def test_a_utf16_bom_wins_over_another_encoding(store: Store, tmp_path: Path) -> None:
    # A BOM cannot start a Latin-1 contact file: whatever --encoding says, the BOM is followed.
    path = write_bytes(tmp_path, utf16(EXCEL_UNICODE_TEXT))
    assert import_file(store, path, encoding="latin-1").result.created == 3
    check_excel_contacts(store)


@pytest.mark.parametrize("big_endian", [False, True], ids=["le", "be"])
def test_outlook_csv_export_in_utf16(store: Store, tmp_path: Path, big_endian: bool) -> None:
    text = (SAMPLES / "outlook.csv").read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    path = write_bytes(tmp_path, utf16(text.replace("\n", "\r\n"), big_endian=big_endian))
    report = import_file(store, path)
    # the same as the UTF-8 sample gives (tests/cli/test_import_map.py)
    assert (report.result.created, report.result.tags_created) == (2, 3)
    assert [str(s) for s in report.skipped] == [
        "line 4: no name and no email",
        "line 5: invalid email 'sophie@'",
    ]
    assert [t.name for t in store.get_contact("olivia.bennett@harbor.example").tags] == [
        "Clients",
        "Key Account",
    ]


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_with_a_bom(store: Store, tmp_path: Path, codec: str) -> None:
    bom = codecs.BOM_UTF32_LE if codec.endswith("le") else codecs.BOM_UTF32_BE
    path = write_bytes(tmp_path, bom + "name,email\nÅsa,asa@x.com\n".encode(codec))
    assert import_file(store, path).result.created == 1
    assert store.get_contact("asa@x.com").name == "Åsa"


def test_utf16_that_does_not_decode_names_the_line_and_imports_nothing(store: Store, tmp_path: Path) -> None:
    good = "name,email\r\nAnn,ann@x.com\r\n".encode("utf-16-le")
    bad = "Bob,".encode("utf-16-le") + b"\x00\xdc" + ",b@x.com\r\n".encode("utf-16-le")  # lone surrogate
    path = write_bytes(tmp_path, codecs.BOM_UTF16_LE + good + bad)
    before = snapshot(store)
    with pytest.raises(ValidationError, match=r"line 3: not valid utf-16-le text"):
        import_file(store, path)
    assert snapshot(store) == before


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_recognised(store: Store, tmp_path: Path, codec: str) -> None:
    # UTF-8 text has no NUL byte: one beside the first character means UTF-16.
    path = write_bytes(tmp_path, "name,email\nÅsa,asa@x.com\n".encode(codec))
    assert import_file(store, path).result.created == 1
    assert import_file(store, path, encoding=codec).result.updated == 0
    assert store.get_contact("asa@x.com").name == "Åsa"


def test_lone_cr_line_ends_old_mac(store: Store, tmp_path: Path) -> None:
    data = b'name,email,notes\rAnn,ann@x.com,"two\rlines"\rBad,bad,\rBob,bob@x.com,\r'
    report = import_file(store, write_bytes(tmp_path, data))
    assert (report.result.created, [str(s) for s in report.skipped]) == (2, ["line 4: invalid email 'bad'"])
    assert store.get_contact("ann@x.com").notes == "two\rlines"


def test_a_cr_lf_split_across_reads_is_one_line_end(store: Store, tmp_path: Path) -> None:
    # The file is read 64 KiB at a time: put a CR LF across every boundary it can fall on.
    rows = []
    size = len("name,email\r\n")
    i = 0
    while size < 3 * 65536:
        row = f"P{i},p{i}@x.com" + "x" * (i % 7)
        rows.append(row + "\r\n")
        size += len(row) + 2
        i += 1
    data = ("name,email\r\n" + "".join(rows)).encode()
    report = import_file(store, write_bytes(tmp_path, data))
    assert (report.result.rows, report.skipped_count) == (len(rows), len(rows) - report.result.created)
    assert report.skipped_count == 0 and store.count_contacts() == len(rows)


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ('Name;E-Mail;Company\r\nMüller;m@x.de;"Acme, GmbH"\r\n', ";"),  # Excel in a ;-locale
        ("name\temail\tcompany\nMüller\tm@x.de\tAcme, GmbH\n", "\t"),
        ("name|email|company\nMüller|m@x.de|Acme, GmbH\n", "|"),
    ],
    ids=["semicolon", "tab", "pipe"],
)
def test_delimiter_detected_from_the_header(store: Store, tmp_path: Path, text: str, delimiter: str) -> None:
    path = write_bytes(tmp_path, text.encode())
    preview = preview_file(path)
    assert preview.mapping is not None
    assert [f for _, f in preview.mapping.used] == ["name", "email", "company"]
    assert import_file(store, path).result.created == 1
    m = store.get_contact("m@x.de")
    assert (m.name, m.company) == ("Müller", "Acme, GmbH")


def test_excel_sep_line_is_honoured_and_counted(store: Store, tmp_path: Path) -> None:
    # The header holds as many commas as semicolons (a tie goes to ','), but sep= says ';'.
    text = "sep=;\r\nname;email;tags;notes, remarks, misc\r\nAnn, A.;ann@x.com;a,b;\r\nBad;bad;;\r\n"
    report = import_file(store, write_bytes(tmp_path, ("\ufeff" + text).encode()))
    assert [str(s) for s in report.skipped] == ["line 4: invalid email 'bad'"]
    ann = store.get_contact("ann@x.com")
    assert ann.name == "Ann, A." and [t.name for t in ann.tags] == ["a,b"]


def test_delimiter_given_wins(store: Store, tmp_path: Path) -> None:
    # The header holds more ';' than ',': the guess is ';', and it is wrong.
    path = write_bytes(tmp_path, b"name,email;x;y;z\nAnn;Annie,ann@x.com;1;2;3\n")
    with pytest.raises(ValidationError, match="no 'name' or 'email' column"):
        import_file(store, path)
    assert import_file(store, path, delimiter="comma").result.created == 1
    assert [c.name for c in store.list_contacts().rows] == ["Ann;Annie"]
    with pytest.raises(ValidationError, match="--delimiter 'ab'"):
        import_file(store, path, delimiter="ab")


def test_a_single_column_file_keeps_its_commas_and_semicolons(store: Store, tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"name\nA;B\n")
    assert import_file(store, path).result.created == 1
    assert [c.name for c in store.list_contacts().rows] == ["A;B"]


def test_a_cell_past_the_csv_limit_skips_its_row(store: Store, tmp_path: Path) -> None:
    huge = "x" * (CELL_LIMIT + 1)
    text = f'name,email,notes\nAnn,ann@x.com,\nBig,big@x.com,"{huge}\nwith a line"\nBob,bob@x.com,ok\n'
    path = write_bytes(tmp_path, text.encode())
    report = import_file(store, path)
    assert [str(s) for s in report.skipped] == [
        f"line 3: a cell of {CELL_LIMIT + 1 + 12:,} characters (at most {CELL_LIMIT:,})"
    ]
    assert sorted(c.name for c in store.list_contacts().rows) == ["Ann", "Bob"]
    before = snapshot(store)
    with pytest.raises(ValidationError, match="line 3: a cell of"):
        import_file(store, path, strict=True)
    assert snapshot(store) == before


def test_a_cell_past_what_is_read_refuses_the_file(store: Store, tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    csv.field_size_limit(CELL_LIMIT * 2)
    try:
        text = 'name,email\nAnn,ann@x.com\n"open quote,x@x.com\n' + "y" * (CELL_LIMIT * 2) + "\n"
        with pytest.raises(ValidationError, match=r"line 3: a cell is larger than .*quote left open"):
            import_file(store, write_bytes(tmp_path, text.encode()))
    finally:
        csv.field_size_limit(limit)
    assert store.count_contacts() == 0


def test_only_cr_and_lf_end_a_line(store: Store, tmp_path: Path) -> None:
    # A form feed or U+2028 in a cell is text (str.splitlines would cut there).
    text = "name,email,notes\nAnn\u2028Lee,ann@x.com,a\x0cb\x1cc\x85d\n"
    assert import_file(store, write_bytes(tmp_path, text.encode())).result.created == 1
    ann = store.get_contact("ann@x.com")
    assert (ann.name, ann.notes) == ("Ann\u2028Lee", "a\x0cb\x1cc\x85d")
