"""CSV import: SPEC §5's rules, all or nothing, errors that name the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagtui.io.csv_import import ImportResult, import_csv, import_file
from tagtui.store import FileError, Store, ValidationError
from tests.io.conftest import snapshot

HEADER = "id,name,email,company,phone,assignee,followers,status,tags\n"


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "in.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_creates_contacts_with_tags_and_status(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "99,Jane Doe,jane@example.com,Acme,+1 555,Sam,1200,Qualified,VIP;Follow-up\n,Bob,,,,,,,\n",
    )
    result = import_csv(store, path)
    assert result == ImportResult(rows=2, created=2, updated=0, tags_created=2, statuses_created=1)
    assert result.to_json() == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "tags_created": 2,
        "statuses_created": 1,
    }
    jane = store.get_contact("JANE@example.com")
    assert jane.id != 99  # id is ignored
    assert (jane.name, jane.company, jane.phone, jane.assignee, jane.followers, jane.status) == (
        "Jane Doe", "Acme", "+1 555", "Sam", 1200, "Qualified",
    )  # fmt: skip
    assert [t.name for t in jane.tags] == ["Follow-up", "VIP"]
    assert store.count_contacts() == 2


def test_updates_by_email_whatever_its_case(store: Store, tmp_path: Path) -> None:
    jane = store.add_contact("Jane", email="Jane@Example.com", company="Old Co", phone="1")
    path = write(tmp_path, "name,email,company\nJane Doe,JANE@EXAMPLE.COM,New Co\n")
    result = import_csv(store, path)
    assert (result.created, result.updated) == (0, 1)
    after = store.get_contact(jane.id)
    assert (after.name, after.company, after.email, after.phone) == (
        "Jane Doe",
        "New Co",
        "Jane@Example.com",
        "1",
    )
    assert after.rev == jane.rev + 1
    assert store.count_contacts() == 1


def test_blank_cells_keep_fields_and_tags_are_only_added(store: Store, tmp_path: Path) -> None:
    store.add_contact("Ann", email="ann@x.com", company="Acme", phone="42", assignee="Sam", followers=7)
    store.sync_tags(email="ann@x.com", names=["Customer", "Partner"])
    path = write(tmp_path, HEADER + ",  ,ann@x.com,, ,,,,VIP\n")
    result = import_csv(store, path)
    assert (result.created, result.updated, result.tags_created) == (0, 1, 1)
    ann = store.get_contact("ann@x.com")
    assert (ann.name, ann.company, ann.phone, ann.assignee, ann.followers) == ("Ann", "Acme", "42", "Sam", 7)
    assert [t.name for t in ann.tags] == ["Customer", "Partner", "VIP"]


def test_row_without_email_is_always_new(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "name\nSame Name\n")
    import_csv(store, path)
    import_csv(store, path)
    assert store.count_contacts() == 2


def test_tags_found_by_slug_first_spelling_names_new_ones(store: Store, tmp_path: Path) -> None:
    store.create_tag("Hot Lead", color="red")
    path = write(tmp_path, "name,tags\nA,hot-lead;Follow Up\nB,HOT LEAD;follow-up;  ;\n")
    result = import_csv(store, path)
    assert result.tags_created == 1
    assert sorted(t.name for t in store.list_tags()) == ["Follow Up", "Hot Lead"]
    assert store.get_tag("hot-lead").contacts == 2


def test_unknown_status_goes_to_the_end_of_the_pipeline(store: Store, tmp_path: Path) -> None:
    store.setup_statuses()
    path = write(tmp_path, "name,status\nA,won\nB,On Hold\nC,on hold\n")
    result = import_csv(store, path)
    assert result.statuses_created == 1
    statuses = store.list_statuses()
    assert statuses[-1].name == "On Hold" and statuses[-1].position == len(statuses) == 8
    assert statuses[-1].contacts == 2
    assert store.get_status("won").contacts == 1


def test_utf8_with_bom(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffName,Email\nZoë Müller,zoe@x.com\n")
    assert import_csv(store, path).created == 1
    assert store.get_contact("zoe@x.com").name == "Zoë Müller"
    # A BOM read with an explicit UTF-8 encoding still does not spoil the first column.
    path = write(tmp_path, "\ufeffname,email\nJosé,jose@x.com\n", name="bom2.csv")
    assert import_csv(store, path, encoding="utf-8").created == 1
    assert store.get_contact("jose@x.com").name == "José"


def test_latin1_with_encoding(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "name,email\nJosé Müller,jose@x.com\n", encoding="latin-1")
    assert import_csv(store, path, encoding="latin-1").created == 1
    assert store.get_contact("jose@x.com").name == "José Müller"


def test_undecodable_file_names_the_line_and_imports_nothing(store: Store, tmp_path: Path) -> None:
    store.add_contact("Existing", email="e@x.com")
    before = snapshot(store)
    text = "name,email\nAnn,ann@x.com\nBob,bob@x.com\nJos\xe9,jose@x.com\n"
    path = write(tmp_path, text, encoding="latin-1")
    with pytest.raises(ValidationError, match=r"line 4\b.*--encoding"):
        import_csv(store, path)
    assert snapshot(store) == before


def test_unknown_encoding(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="encoding"):
        import_csv(store, write(tmp_path, "name\nA\n"), encoding="no-such-codec")


def test_neither_name_nor_email_column(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "\n\nnom,mail\nAnn,ann@x.com\n")
    with pytest.raises(ValidationError, match=r"line 3\b.*no 'name' or 'email' column"):
        import_csv(store, path)
    with pytest.raises(ValidationError, match=r"empty"):
        import_csv(store, write(tmp_path, "", name="empty.csv"))
    assert store.count_contacts() == 0


def test_email_column_alone_updates(store: Store, tmp_path: Path) -> None:
    store.add_contact("Ann", email="ann@x.com")
    result = import_csv(store, write(tmp_path, "EMAIL , Tags, Notes\nann@x.com,vip,ignored column\n"))
    assert (result.created, result.updated) == (0, 1)
    assert [t.slug for t in store.get_contact("ann@x.com").tags] == ["vip"]


def test_new_contact_without_a_name_is_skipped_and_reported(store: Store, tmp_path: Path) -> None:
    store.add_contact("Known", email="known@x.com")
    path = write(tmp_path, "name,email,tags\nAnn,ann@x.com,\n,new@x.com,a\n,ann@x.com,b\n,known@x.com,c\n")
    report = import_file(store, path)
    assert [str(s) for s in report.skipped] == [
        "line 3: no name, and no contact has the email 'new@x.com' (a new contact needs a name)"
    ]
    assert (report.result.rows, report.result.created, report.result.updated) == (3, 1, 1)
    assert [t.name for t in store.get_contact("ann@x.com").tags] == ["b"]  # named earlier in the file
    assert [t.name for t in store.get_contact("known@x.com").tags] == ["c"]
    assert store.count_contacts() == 2


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Ann,not-an-email,", "invalid email 'not-an-email'"),
        ("Ann,a@b@c,", "invalid email 'a@b@c'"),
        ("x" * 201 + ",ann@x.com,", "name is 201 characters; the limit is 200"),
        ("Ann,ann@x.com,lots", "followers must be a whole number ≥ 0, not 'lots'"),
        ("Ann,ann@x.com,-3", "followers must be a whole number ≥ 0, not '-3'"),
        (",,12", "no name and no email"),
    ],
)
def test_a_row_that_cannot_be_a_contact_is_skipped_with_why(
    store: Store, tmp_path: Path, row: str, reason: str
) -> None:
    path = write(tmp_path, "name,email,followers\nOk,ok@x.com,1\n" + row + "\nAlso,also@x.com,2\n")
    report = import_file(store, path)
    assert [(s.line, s.reason) for s in report.skipped] == [(3, reason)]
    assert report.skipped_count == 1 and report.result.created == 2
    assert report.to_json()["skipped_rows"] == [{"line": 3, "reason": reason}]
    assert store.count_contacts() == 2


def test_invalid_tag_or_status_name_skips_the_row(store: Store, tmp_path: Path) -> None:
    text = "name,tags,status\nAnn,vip;\u200b,\nBob,,\ufe0f\nCy,ok,Won\n"
    report = import_file(store, write(tmp_path, text))
    assert [str(s) for s in report.skipped] == [
        "line 2: tag name '\\u200b' has only invisible characters (zero-width or variation selectors)",
        f"line 3: status name {chr(0xFE0F)!r} has only invisible characters (zero-width or variation"
        " selectors)",
    ]
    assert store.count_contacts() == 1 and [t.name for t in store.list_tags()] == ["ok"]


def test_max_tags_violation_refuses_the_whole_import(store: Store, tmp_path: Path) -> None:
    store.update_settings(max_tags_per_contact=2)
    store.add_contact("Ann", email="ann@x.com")
    store.sync_tags(email="ann@x.com", names=["one"])
    before = snapshot(store)
    path = write(tmp_path, "name,email,tags\nBob,bob@x.com,a;b\nAnn,ann@x.com,two;three\n")
    with pytest.raises(ValidationError, match=r"line 3 \(tags\).*at most 2 tags"):
        import_csv(store, path)
    assert snapshot(store) == before
    assert store.count_contacts() == 1 and store.count_tags() == 1


def test_a_new_contact_past_max_tags_refuses_the_import_at_its_line(store: Store, tmp_path: Path) -> None:
    """A set of tags is worked out (and checked against the limit) once, for the first new
    contact given it: the error names that row, and nothing is imported."""
    store.update_settings(max_tags_per_contact=2)
    before = snapshot(store)
    rows = "Ann,ann@x.com,a;b\nBob,bob@x.com,b;a\nCyd,cyd@x.com,a;b;c\nDee,dee@x.com,a;b;c\n"
    path = write(tmp_path, "name,email,tags\n" + rows)
    with pytest.raises(ValidationError, match=r"^line 4 \(tags\).*at most 2 tags"):
        import_csv(store, path)
    assert snapshot(store) == before
    assert store.count_contacts() == 0 and store.count_tags() == 0


def test_missing_file_is_a_file_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(FileError, match="cannot read"):
        import_csv(store, str(tmp_path / "nope.csv"))
    with pytest.raises(FileError):
        import_csv(store, str(tmp_path))  # a folder


def test_neutralised_cells_come_back_unchanged(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name,email,company,phone,tags\n'=SUM(A1),'-a@x.com,'@corp,'+1 555,'-urgent;x\n"
        "'plain quote,b@x.com,''=two quotes,,\n",
    )
    import_csv(store, path)
    a = store.get_contact("-a@x.com")
    assert (a.name, a.company, a.phone) == ("=SUM(A1)", "@corp", "+1 555")
    assert sorted(t.name for t in a.tags) == ["-urgent", "x"]
    b = store.get_contact("b@x.com")
    assert (b.name, b.company) == ("'plain quote", "'=two quotes")


def test_quoted_newlines_and_line_numbers(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, 'name,email\n"Two\nLines",a@x.com\nBad,bad\n')
    assert [str(s) for s in import_file(store, path).skipped] == ["line 4: invalid email 'bad'"]
    assert store.get_contact("a@x.com").name == "Two\nLines"


def test_import_rows_api_names_rows_without_lines(store: Store) -> None:
    result = store.import_rows([{"name": "A", "email": "a@x.com"}, {"name": "", "email": ""}])
    assert (result.rows, result.created) == (1, 1)
    with pytest.raises(ValidationError, match=r"row 2 \(email\)"):
        store.import_rows(iter([{"name": "B"}, {"email": "nope"}]))
    assert store.count_contacts() == 1


def test_many_rows_across_batches(store: Store, tmp_path: Path) -> None:
    lines = [f"Person {i},p{i % 1500}@x.com,{i},tag{i % 7}" for i in range(2500)]
    result = import_csv(store, write(tmp_path, "name,email,followers,tags\n" + "\n".join(lines) + "\n"))
    # A contact created by the import and changed by a later row counts as created.
    assert (result.rows, result.created, result.updated) == (2500, 1500, 0)
    assert store.count_contacts() == 1500
    p3 = store.get_contact("p3@x.com")
    assert (p3.name, p3.followers) == ("Person 1503", 1503)
    assert sorted(t.name for t in p3.tags) == sorted({f"tag{3 % 7}", f"tag{1503 % 7}"})
