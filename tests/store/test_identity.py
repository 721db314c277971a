"""Identity of names (SPEC §7, issue 18.5): look-alike spellings are one tag, status, rule or email."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagtui.identity import contact_keys
from tagtui.io.csv_import import import_file
from tagtui.query.parse import parse
from tagtui.store import Conflict, Store
from tagtui.store.identity import email_key, slugify, text_key
from tagtui.store.imports import new_contact_keys

NFC = "Caf\u00e9"
NFD = "Cafe\u0301"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (NFC, NFD),
        (NFD, NFC),
        ("VIP", "V\u200bIP"),
        ("VIP", "\ufeffV\u2060I\u200dP"),
        ("⭐ Star", "⭐\ufe0f Star"),
        ("⭐", "⭐\ufe0f"),
        ("Straße", "STRASSE"),  # case-folded, not just lower-cased
        ("ＶＩＰ", "vip"),  # NFKC: full-width letters
    ],
)
def test_look_alike_names_are_one_tag_and_one_status(store: Store, first: str, second: str) -> None:
    tag = store.create_tag(first)
    with pytest.raises(Conflict, match="already has the slug"):
        store.create_tag(second)
    assert store.get_tag(second).id == tag.id
    found, created = store.find_or_create_tag(second)
    assert (found.id, created) == (tag.id, False)
    status = store.create_status(first)
    with pytest.raises(Conflict):
        store.create_status(second)
    assert store.get_status(second).id == status.id
    assert store.count_tags() == 1 and len(store.list_statuses()) == 1


def test_names_are_stored_nfc_and_slugs_are_visible(store: Store) -> None:
    tag = store.create_tag(NFD)
    assert (tag.name, tag.slug) == (NFC, "caf\u00e9")
    star, heart = store.create_tag("⭐\ufe0f"), store.create_tag("❤\ufe0f")
    assert (star.slug, heart.slug) == ("white-medium-star", "heavy-black-heart")
    assert store.get_tag("white-medium-star").id == star.id
    assert store.count_tags() == 3
    for t in store.list_tags():
        assert t.slug.isprintable() and t.slug == t.slug.strip() and "\ufe0f" not in t.slug


def test_a_rename_onto_a_look_alike_is_a_conflict(store: Store) -> None:
    store.create_tag(NFC)
    other = store.create_tag("Other")
    with pytest.raises(Conflict):
        store.update_tag(other.id, name=NFD)
    assert store.get_tag(other.id).name == "Other"


def test_rule_names_compare_by_key(store: Store) -> None:
    store.add_rule(NFC, "tag:none", add=["X"])
    with pytest.raises(Conflict):
        store.add_rule(NFD, "tag:none", add=["Y"])


def test_a_zero_width_email_is_janes(store: Store, tmp_path: Path) -> None:
    jane = store.add_contact("Jane", email="jane@example.com")
    ghost = "jane\u200b@example.com"
    with pytest.raises(Conflict):
        store.add_contact("Not Jane", email=ghost)
    with pytest.raises(Conflict):
        store.add_contact("Not Jane", email="JANE@EXAMPLE.COM\ufeff")
    assert store.get_contact(ghost).id == jane.id
    change = store.sync_tags(email=ghost, names=["Friend"])
    assert change.contact_id == jane.id
    csv = tmp_path / "in.csv"
    csv.write_text(f"name,email,company\nJane Doe,{ghost},Acme\n")
    report = import_file(store, str(csv))
    assert (report.result.created, report.result.updated) == (0, 1)
    assert store.get_contact(jane.id).company == "Acme"
    assert store.count_contacts() == 1


def test_idn_domains_equal_their_punycode(store: Store, tmp_path: Path) -> None:
    jane = store.add_contact("Jane", email="jane@bücher.example")
    assert store.get_contact("jane@xn--bcher-kva.example").id == jane.id
    assert store.get_contact("JANE@BÜCHER.EXAMPLE").id == jane.id
    with pytest.raises(Conflict):
        store.add_contact("Jane 2", email="jane@XN--BCHER-KVA.example")
    csv = tmp_path / "in.csv"
    csv.write_text("name,email,tags\nJane,jane@xn--bcher-kva.example,Books\n")
    assert import_file(store, str(csv)).result.created == 0
    assert [t.name for t in store.get_contact(jane.id).tags] == ["Books"]
    assert store.get_contact(jane.id).email == "jane@bücher.example"  # stored as given


def test_a_domain_idna_refuses_is_compared_as_it_is(store: Store) -> None:
    long_label = "ü" + "x" * 70  # past IDNA's 63 characters
    email = f"a@{long_label}.example"
    assert email_key(email) == email  # no error: the key is the text key
    contact = store.add_contact("A", email=email)
    assert store.get_contact(email.upper()).id == contact.id


def test_search_and_assignee_match_look_alikes(store: Store) -> None:
    store.add_contact(f"{NFD} Owner", email="o@x.com", company="Ｃｏｍｐａｎｙ", assignee="V\u200bera")
    assert store.count_contacts(parse(NFC.lower())) == 1
    assert store.count_contacts(parse("company")) == 1
    assert store.count_contacts(parse("assignee:vera")) == 1
    assert [t.name for t in store.list_tags(search=NFD)] == []
    store.create_tag(NFC)
    assert [t.name for t in store.list_tags(search="cafe\u0301")] == [NFC]


def test_keys_in_one_place() -> None:
    assert text_key(NFD) == text_key(NFC) == "caf\u00e9"
    assert text_key("V\u200bIP") == "vip" and text_key("ß") == "ss"
    assert email_key(" Jane\u200b@Bücher.Example ") == "jane@xn--bcher-kva.example"
    assert slugify("⭐") == "white-medium-star" and slugify("\ue000", "status") == "status-e000"
    assert slugify("\u200b\ufe0f") == ""


@given(
    name=st.text(min_size=1, max_size=20),
    email=st.none() | st.text(max_size=20),
    company=st.none() | st.text(max_size=20),
    assignee=st.none() | st.text(max_size=20),
)
def test_an_imported_contact_gets_the_keys_every_contact_gets(
    name: str, email: str | None, company: str | None, assignee: str | None
) -> None:
    """The import works out a new contact's keys on its own (in the process that reads the
    file, ``new_contact_keys``): the same as ``contact_keys`` gives any contact."""
    keys = contact_keys(name, email or None, assignee or None, company or None)
    expected = (keys["name_key"], keys["assignee_key"], keys["search"])
    assert new_contact_keys(name, email or None, company or None, assignee or None) == expected
