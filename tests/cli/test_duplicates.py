"""``tagtui duplicates``, ``duplicates ignore``, ``contacts merge`` and ``settings --phone-region``."""

from __future__ import annotations

from pathlib import Path

from .conftest import Cli, assert_one_error_line


def seed(ok: Cli) -> dict[str, str]:
    ok("settings", "--phone-region", "US")
    ids = {}
    for key, argv in {
        "a": (
            "--name",
            "John Smith",
            "--email",
            "john@acme.com",
            "--phone",
            "(415) 555-0100",
            "--company",
            "Acme",
        ),
        "b": ("--name", "Smith, Jon", "--phone", "+1 415 555 0100", "--company", "ACME Inc."),
        "c": ("--name", "Mary Smith", "--email", "mary@home.example", "--phone", "415-555-0100"),
    }.items():
        ids[key] = str(ok("contacts", "add", *argv, "--json").json["id"])
    return ids


def test_duplicates_json_and_table(ok: Cli) -> None:
    ids = seed(ok)
    groups = ok("duplicates", "--json").json
    assert len(groups) == 1
    group = groups[0]
    assert [c["id"] for c in group["contacts"]] == [int(ids["a"]), int(ids["b"])]
    assert set(group["contacts"][0]) == {"id", "name", "email", "phone", "company"}
    assert 0.8 <= group["score"] <= 1
    assert "same phone +14155550100" in group["reasons"] and "same company" in group["reasons"]
    text = ok("duplicates").out
    assert "SCORE" in text and "John Smith" in text and "Smith, Jon" in text and "Mary" not in text
    assert "1 group" in text
    assert len(ok("duplicates", "--min-score", "0.5", "--limit", "1", "--json").json) == 1
    assert ok("duplicates", "--query", "mary", "--json").json == []


def test_duplicates_errors_are_one_line(cli: Cli, ok: Cli) -> None:
    seed(ok)
    assert_one_error_line(cli("duplicates", "--min-score", "2"), 2, "minimum score")
    assert_one_error_line(cli("duplicates", "--min-score", "high"), 2, "'high'")
    assert_one_error_line(cli("duplicates", "--limit", "0"), 2, "limit")
    assert_one_error_line(cli("duplicates", "--query", "tag:nosuch"), 2, "nosuch")
    assert_one_error_line(cli("duplicates", "ignore", "1"), 2, "two")
    assert_one_error_line(cli("duplicates", "ignore", "1", "999"), 3, "999")
    assert_one_error_line(cli("settings", "--phone-region", "ZZ"), 2, "ZZ")
    assert_one_error_line(cli("settings", "--email-folding", "maybe"), 2, "on or off")


def test_ignore_then_never_suggested(ok: Cli) -> None:
    ids = seed(ok)
    result = ok("duplicates", "ignore", ids["a"], ids["b"], "--json").json
    assert result["pairs"] == 1
    assert ok("duplicates", "--json").json == []
    assert "not duplicates" in ok("duplicates", "ignore", ids["a"], ids["b"]).out


def test_merge_then_undo(ok: Cli) -> None:
    ids = seed(ok)
    merged = ok("contacts", "merge", ids["a"], ids["b"], "--json").json
    assert merged["merged"] == [int(ids["b"])]
    assert merged["contact"]["id"] == int(ids["a"])
    assert "Also name: Smith, Jon" in merged["kept_in_notes"]
    assert [c["id"] for c in ok("contacts", "list", "--json").json] == [int(ids["a"]), int(ids["c"])]
    text = ok("undo").out
    assert "Merged contact Smith, Jon into John Smith" in text
    assert ok("contacts", "show", ids["b"], "--json").json["name"] == "Smith, Jon"
    assert ok("contacts", "show", ids["a"], "--json").json["notes"] is None


def test_merge_errors(cli: Cli, ok: Cli) -> None:
    ids = seed(ok)
    assert_one_error_line(cli("contacts", "merge", ids["a"], ids["a"]), 2, "itself")
    assert_one_error_line(cli("contacts", "merge", ids["a"], "4242"), 3, "4242")
    assert cli("contacts", "merge", ids["a"]).code == 2


def test_settings_phone_region_and_folding(ok: Cli) -> None:
    doc = ok("settings", "--phone-region", "gb", "--email-folding", "on", "--json").json
    assert (doc["phone_region"], doc["email_folding"]) == ("GB", True)
    assert "phone_region          GB" in ok("settings").out
    doc = ok("settings", "--phone-region", "none", "--email-folding", "off", "--json").json
    assert (doc["phone_region"], doc["email_folding"]) == (None, False)


def test_import_says_how_many_rows_look_like_existing_contacts(ok: Cli, tmp_path: Path) -> None:
    seed(ok)
    path = tmp_path / "more.csv"
    path.write_text('name,phone,company\n"Smith, John",+1 (415) 555-0100,Acme\nNew Person,,\n')
    out = ok("import", str(path)).out
    assert out.splitlines()[-1] == "1 imported row looks like existing contacts (tagtui duplicates)"
    path.write_text("name,email\nSomeone Else,else@example.org\n")
    out = ok("import", str(path), "--json").json
    assert (out["lookalikes"], out["lookalikes_complete"]) == (0, True)


def test_import_says_when_the_look_alike_check_ran_out_of_time(ok: Cli, tmp_path: Path, monkeypatch) -> None:
    """The count is a hint: past its budget the import says it was not counted (JSON: null,
    ``lookalikes_complete`` false) instead of keeping the person waiting; the import is whole."""
    from tagtui.store.store import Store

    seed(ok)
    original = Store.count_lookalikes
    monkeypatch.setattr(
        Store, "count_lookalikes", lambda self, since_id: original(self, since_id, budget=0.0)
    )
    path = tmp_path / "more.csv"
    path.write_text('name,phone,company\n"Smith, John",+1 (415) 555-0100,Acme\nNew Person,,\n')
    out = ok("import", str(path)).out.splitlines()
    assert out[0].startswith("Imported 2 rows from") and "2 created" in out[0]
    assert out[-1] == "Look-alikes not counted: the check stopped after 5 s (tagtui duplicates finds them)"
    path.write_text("name,phone\nJ. Smith,415.555.0100\n")
    doc = ok("import", str(path), "--json").json
    assert (doc["lookalikes"], doc["lookalikes_complete"]) == (0, False)  # no name in common: a scan
    assert [c["name"] for c in ok("contacts", "list", "--query", '"new person"', "--json").json] == [
        "New Person"
    ]


def test_the_look_alike_line_says_what_was_counted() -> None:
    from tagtui.cli.transfer import lookalikes_said
    from tagtui.store.duplicates import Lookalikes

    assert lookalikes_said(Lookalikes(0, True)) == []
    assert lookalikes_said(Lookalikes(1, True)) == [
        "1 imported row looks like existing contacts (tagtui duplicates)"
    ]
    assert lookalikes_said(Lookalikes(1200, True)) == [
        "1,200 imported rows look like existing contacts (tagtui duplicates)"
    ]
    assert lookalikes_said(Lookalikes(3, False)) == [
        "At least 3 imported rows look like existing contacts"
        " (the check stopped after 5 s; tagtui duplicates finds them all)"
    ]
    stopped = ["Look-alikes not counted: the check stopped after 5 s (tagtui duplicates finds them)"]
    assert lookalikes_said(Lookalikes(None, False)) == lookalikes_said(Lookalikes(0, False)) == stopped


def test_merge_carries_not_duplicates_history_and_views_to_the_kept_contact(cli: Cli, ok: Cli) -> None:
    ids = seed(ok)
    ok("tags", "create", "Cold")
    ok("contacts", "tag", ids["b"], "--add", "Cold")
    ok("views", "save", "cold", "tag:cold")
    # A view cannot name a contact: the query language has no id field.
    assert_one_error_line(cli("views", "save", "one", f"id:{ids['b']}"), 2, "id")
    d = str(ok("contacts", "add", "--name", "Johanna Smith", "--phone", "415 555 0100", "--json").json["id"])
    ok("duplicates", "ignore", ids["b"], d)
    ok("duplicates", "ignore", ids["a"], ids["c"])
    ok("duplicates", "ignore", ids["b"], ids["c"])
    assert [[c["id"] for c in g["contacts"]] for g in ok("duplicates", "--json").json] == [
        [int(ids["a"]), int(ids["b"])]
    ]
    ok("contacts", "merge", ids["a"], ids["b"])
    # Johanna was said not to be b, so she is not a (who now has b's phone) either.
    assert ok("duplicates", "--json").json == []
    assert [c["id"] for c in ok("contacts", "list", "--query", "tag:cold", "--json").json] == [int(ids["a"])]
    assert ok("views", "list", "--json").json[0]["query"] == "tag:cold"
    history = ok("history", ids["a"]).out
    assert "contact Smith, Jon (merged)" in history and "contact John Smith" in history
    events = ok("history", ids["a"], "--json").json
    assert {e["subject_id"] for e in events} == {int(ids["a"]), int(ids["b"])}
    ok("undo")
    assert [[c["id"] for c in g["contacts"]] for g in ok("duplicates", "--json").json] == [
        [int(ids["a"]), int(ids["b"])]
    ]
    assert {e["subject_id"] for e in ok("history", ids["a"], "--json").json} == {int(ids["a"])}


def test_merge_links_the_merged_contacts_card_to_the_kept_one(ok: Cli, db_url: str) -> None:
    from tagtui.store import Store
    from tagtui.store.sync import ItemWrite

    ids = seed(ok)
    a, b = int(ids["a"]), int(ids["b"])
    with Store.open(db_url) as store:
        store.add_sync_source("phone", "/books/phone")
        store.record_sync_items(
            "phone", [ItemWrite("b.vcf", "e1", None, "BEGIN:VCARD\r\nEND:VCARD\r\n", {}, b)]
        )

    def link() -> int | None:
        with Store.open(db_url) as store:
            return store.sync_items("phone")["b.vcf"].contact_id

    ok("contacts", "merge", ids["a"], ids["b"])
    assert link() == a
    ok("undo")
    assert link() == b
    ok("redo")
    assert link() == a
