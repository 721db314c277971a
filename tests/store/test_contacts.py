"""Contacts (SPEC §1): field limits, trimming, email unique per workspace regardless of case, edits."""

from __future__ import annotations

import time

import pytest

from tagtui.store import Conflict, NotFound, Store, ValidationError
from tests.store.conftest import row_count, snapshot


def _email(length: int) -> str:
    domain = "@example.com"
    return "a" * (length - len(domain)) + domain


@pytest.mark.parametrize(
    ("field", "ok", "too_long"),
    [
        ("name", "n" * 200, "n" * 201),
        ("email", _email(254), _email(255)),
        ("company", "c" * 200, "c" * 201),
        ("phone", "1" * 50, "1" * 51),
        ("assignee", "a" * 100, "a" * 101),
        ("notes", "x" * 10_000, "x" * 10_001),
    ],
)
def test_contact_field_limits(store: Store, field: str, ok: str, too_long: str) -> None:
    fields = {"name": "Jane", field: ok}
    contact = store.add_contact(**fields)
    assert getattr(contact, field) == ok
    assert getattr(store.get_contact(contact.id), field) == ok
    before = snapshot(store)
    with pytest.raises(ValidationError) as err:
        store.add_contact(**{"name": "Other", field: too_long})
    assert err.value.field == field
    with pytest.raises(ValidationError):
        store.update_contact(contact.id, **{field: too_long})
    assert snapshot(store) == before


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_contact_name_is_required_and_not_blank(store: Store, blank: str) -> None:
    with pytest.raises(ValidationError) as err:
        store.add_contact(blank)
    assert err.value.field == "name"
    contact = store.add_contact("Jane")
    with pytest.raises(ValidationError):
        store.update_contact(contact.id, name=blank)
    with pytest.raises(ValidationError):
        store.update_contact(contact.id, name=None)
    assert store.get_contact(contact.id).name == "Jane"
    assert row_count(store, "contact") == 1


def test_fields_are_trimmed_and_blank_optional_fields_are_empty(store: Store) -> None:
    contact = store.add_contact(
        "  Jane Doe ", email=" jane@example.com ", company="  ", phone="", assignee=" Al "
    )
    assert contact.name == "Jane Doe"
    assert contact.email == "jane@example.com"
    assert contact.company is None and contact.phone is None
    assert contact.assignee == "Al"
    assert contact.followers == 0 and contact.notes is None
    assert contact.rev == 1 and contact.status is None and contact.tags == ()


@pytest.mark.parametrize("bad", [-1, -100, "x", "1.5", True, 1.5])
def test_followers_is_a_whole_number_at_least_0(store: Store, bad: object) -> None:
    with pytest.raises(ValidationError) as err:
        store.add_contact("Jane", followers=bad)
    assert err.value.field == "followers"
    assert row_count(store, "contact") == 0


def test_followers_accepts_0_and_large_numbers(store: Store) -> None:
    assert store.add_contact("A", followers=0).followers == 0
    assert store.add_contact("B", followers=150_000).followers == 150_000
    assert store.add_contact("C", followers="42").followers == 42
    c = store.add_contact("D")
    with pytest.raises(ValidationError):
        store.update_contact(c.id, followers=-1)
    assert store.update_contact(c.id, followers=7).followers == 7


def test_email_is_unique_per_workspace_case_insensitively(store: Store, other: Store) -> None:
    jane = store.add_contact("Jane", email="jane@example.com")
    bob = store.add_contact("Bob", email="bob@example.com")
    before = snapshot(store)
    for email in ("jane@example.com", "JANE@EXAMPLE.COM", "Jane@Example.com", " jane@example.com "):
        with pytest.raises(Conflict) as err:
            store.add_contact("Impostor", email=email)
        assert err.value.field == "email"
    with pytest.raises(Conflict):
        store.update_contact(bob.id, email="JANE@example.COM")
    assert snapshot(store) == before
    # The same contact may change the case of its own email; another workspace may reuse it.
    assert store.update_contact(jane.id, email="Jane@Example.com").email == "Jane@Example.com"
    assert other.add_contact("Jane elsewhere", email="jane@example.com").id != jane.id
    # Contacts without an email never conflict.
    store.add_contact("No Mail 1")
    store.add_contact("No Mail 2")


def test_contact_by_id_or_email_case_insensitively(store: Store) -> None:
    jane = store.add_contact("Jane", email="Jane@Example.com")
    assert store.get_contact(jane.id).id == jane.id
    assert store.get_contact(str(jane.id)).id == jane.id
    assert store.get_contact("jane@example.com").id == jane.id
    assert store.get_contact("JANE@EXAMPLE.COM").id == jane.id
    with pytest.raises(NotFound):
        store.get_contact("nobody@example.com")
    with pytest.raises(NotFound):
        store.get_contact(jane.id + 1000)


def test_update_contact_is_partial_and_bumps_rev(store: Store) -> None:
    c = store.add_contact(
        "Jane", email="jane@example.com", company="Acme", phone="555", assignee="Al", notes="n"
    )
    time.sleep(0.002)
    updated = store.update_contact(c.id, company="Globex")
    assert updated.company == "Globex"
    assert (updated.name, updated.email, updated.phone, updated.assignee, updated.notes) == (
        "Jane",
        "jane@example.com",
        "555",
        "Al",
        "n",
    )
    assert updated.rev == 2 and updated.updated_at > c.updated_at
    cleared = store.update_contact(c.id, company=None, assignee="")
    assert cleared.company is None and cleared.assignee is None and cleared.rev == 3


def test_unknown_contact_field_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError):
        store.add_contact("Jane", nickname="J")
    c = store.add_contact("Jane")
    with pytest.raises(ValidationError):
        store.update_contact(c.id, nickname="J")


def test_delete_contacts_all_or_nothing(store: Store) -> None:
    tag = store.create_tag("VIP")
    a = store.add_contact("A", email="a@example.com", tags=[tag.id])
    b = store.add_contact("B")
    before = snapshot(store)
    with pytest.raises(NotFound):
        store.delete_contacts([a.id, b.id, 999_999])
    assert snapshot(store) == before
    assert store.delete_contacts(["A@EXAMPLE.COM", b.id]) == 2
    assert row_count(store, "contact") == 0
    assert row_count(store, "contact_tag") == 0
    assert store.get_tag(tag.id).contacts == 0
    with pytest.raises(ValidationError):
        store.delete_contacts([])


def test_bulk_delete_by_filter_or_ids_is_one_undo_step(store: Store) -> None:
    from tagtui.query import parse

    tag = store.create_tag("VIP")
    store.create_status("New")
    a = store.add_contact("A", tags=[tag.id], status="new")
    b = store.add_contact("B", tags=[tag.id])
    c = store.add_contact("C")
    before = snapshot(store)
    with pytest.raises(NotFound):
        store.bulk_delete_contacts([a.id, 999_999])
    assert snapshot(store) == before

    def shown() -> list[tuple]:
        return [(x.id, x.name, [t.slug for t in x.tags], x.status) for x in store.list_contacts().rows]

    everyone = shown()
    assert store.bulk_delete_contacts(parse("tag:vip")) == 2
    assert [x.name for x in store.list_contacts().rows] == ["C"]
    store.undo()  # one step puts both back, with their tags and status
    assert shown() == everyone
    assert store.get_contact(a.id).status == "New"
    assert store.bulk_delete_contacts([c.id]) == 1
    assert store.bulk_delete_contacts(parse("zzz-no-such-name")) == 0
    assert {x.id for x in store.list_contacts().rows} == {a.id, b.id}
