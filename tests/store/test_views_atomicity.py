"""Saved views, settings, and "every operation applies whole or not at all" (SPEC §2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tagtui.query.filter import Text
from tagtui.store import Conflict, NotFound, Store, TagtuiError, ValidationError, View
from tests.store.conftest import snapshot


def test_views_save_replace_list_delete(store: Store) -> None:
    store.create_tag("VIP")
    store.create_tag("Cold Lead")
    store.create_status("Won")
    assert store.save_view("vips", "tag:vip") == View("vips", "tag:vip")
    store.save_view("cold", "-tag:cold-lead")
    assert store.list_views() == [View("cold", "-tag:cold-lead"), View("vips", "tag:vip")]
    store.save_view("vips", "tag:vip status:won")  # replaces, keeping the query as typed
    assert store.get_view("vips").query == "tag:vip status:won"
    assert len(store.list_views()) == 2
    store.delete_view("cold")
    assert [v.name for v in store.list_views()] == ["vips"]
    with pytest.raises(NotFound):
        store.delete_view("cold")
    with pytest.raises(NotFound):
        store.get_view("cold")


@pytest.mark.parametrize(
    "query",
    ["tag:nosuch", "status:nosuch", "tag:vip or tag:nosuch", "nosuch:3", "(tag:vip", 'tag:"vip', "tag:"],
)
def test_an_invalid_view_is_refused_and_nothing_is_saved(store: Store, query: str) -> None:
    store.create_tag("VIP")
    store.save_view("keep", "tag:vip")
    before = snapshot(store)
    with pytest.raises(ValidationError):
        store.save_view("keep", query)
    with pytest.raises(ValidationError):
        store.save_view("new", query)
    assert snapshot(store) == before


def test_view_names_are_checked(store: Store) -> None:
    with pytest.raises(ValidationError):
        store.save_view("  ", "acme")
    with pytest.raises(ValidationError):
        store.save_view("v" * 101, "acme")
    assert store.list_views() == []


def test_views_belong_to_a_workspace(store: Store, other: Store) -> None:
    store.save_view("mine", "acme")
    assert other.list_views() == []
    with pytest.raises(NotFound):
        other.delete_view("mine")
    other.save_view("mine", "globex")
    assert store.get_view("mine").query == "acme"


def test_settings_defaults_and_changes(store: Store, other: Store) -> None:
    s = store.settings()
    assert (s.workspace, s.max_tags_per_contact, s.bulk_limit) == ("default", None, 500)
    store.update_settings(max_tags_per_contact=5, bulk_limit=1000)
    assert store.settings().max_tags_per_contact == 5 and store.settings().bulk_limit == 1000
    assert other.settings().max_tags_per_contact is None and other.settings().bulk_limit == 500
    store.update_settings(max_tags_per_contact=None)
    assert store.settings().max_tags_per_contact is None and store.settings().bulk_limit == 1000


# -- atomicity -----------------------------------------------------------------------------


def _failing_calls(store: Store) -> list[tuple[str, Callable[[], object], type[TagtuiError]]]:
    vip = store.create_tag("VIP")
    store.create_status("Won")
    jane = store.add_contact("Jane", email="jane@example.com", tags=[vip.id])
    bob = store.add_contact("Bob", email="bob@example.com")
    store.update_settings(max_tags_per_contact=2)
    store.create_tag("Second")
    store.create_tag("Third")
    store.save_view("v", "tag:vip")
    return [
        ("create dup tag", lambda: store.create_tag("vip"), Conflict),
        ("update stale tag", lambda: store.update_tag(vip.id, name="X", rev=99), Conflict),
        ("rename onto taken", lambda: store.update_tag("second", name="VIP!"), Conflict),
        ("delete unknown tag", lambda: store.delete_tag("nosuch"), NotFound),
        ("change_tags unknown", lambda: store.change_tags(bob.id, add=["vip", "nosuch"]), NotFound),
        (
            "change_tags over limit",
            lambda: store.change_tags(jane.id, add=["second", "third"]),
            ValidationError,
        ),
        (
            "sync over limit",
            lambda: store.sync_tags(contact_id=jane.id, names=["VIP", "Second", "Third"]),
            ValidationError,
        ),
        ("sync unknown id", lambda: store.sync_tags(contact_id=10**6, names=["New Tag"]), NotFound),
        ("assign unknown", lambda: store.assign("second", [bob.id, 10**6]), NotFound),
        ("add_contact dup email", lambda: store.add_contact("J2", email="JANE@example.com"), Conflict),
        ("add_contact bad tag", lambda: store.add_contact("J3", tags=["vip", "nosuch"]), NotFound),
        ("add_contact bad status", lambda: store.add_contact("J4", status="nosuch"), NotFound),
        (
            "update_contact dup email",
            lambda: store.update_contact(bob.id, email="jane@EXAMPLE.com"),
            Conflict,
        ),
        ("delete some unknown", lambda: store.delete_contacts([bob.id, 10**6]), NotFound),
        ("status unknown", lambda: store.set_status(bob.id, "nosuch"), NotFound),
        ("move out of range", lambda: store.move_status("won", 2), ValidationError),
        ("bulk filter unknown", lambda: store.bulk_set_status(Text("x"), "nosuch"), NotFound),
        ("save bad view", lambda: store.save_view("v", "tag:nosuch"), ValidationError),
        ("delete unknown view", lambda: store.delete_view("nosuch"), NotFound),
        ("bad settings", lambda: store.update_settings(bulk_limit=0), ValidationError),
    ]


def test_every_failing_call_leaves_the_database_unchanged(store: Store) -> None:
    calls = _failing_calls(store)
    before = snapshot(store)
    for label, call, error in calls:
        with pytest.raises(error):
            call()
        assert snapshot(store) == before, label


def test_a_failure_midway_rolls_back_what_was_already_written(store: Store, monkeypatch) -> None:
    """An error after some rows were written (a bug, a lost connection) undoes those rows too."""
    store.create_tag("VIP")
    c = store.add_contact("Jane")
    before = snapshot(store)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("connection lost")

    monkeypatch.setattr(store, "_event", boom)
    with pytest.raises(RuntimeError):
        store.change_tags(c.id, add=["vip"])
    with pytest.raises(RuntimeError):
        store.sync_tags(contact_id=c.id, names=["Brand New"])
    with pytest.raises(RuntimeError):
        store.add_contact("Bob")
    assert snapshot(store) == before
    monkeypatch.undo()
    assert [t.name for t in store.change_tags(c.id, add=["vip"]).tags] == ["VIP"]
