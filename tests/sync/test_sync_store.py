"""The store's part of sync: address books (never a password), and a sync's local side as one
undo step that goes through the contact rules."""

from __future__ import annotations

import pytest

from tagtui.store import Conflict, NotFound, Store, ValidationError
from tagtui.store.sync import ItemWrite, LocalChange, SyncConflict, clean_sync_fields


def _everything(store: Store) -> dict[str, list[tuple]]:
    tables = ("sync_source", "sync_item", "contact", "contact_tag", "tag", "status")
    return store._read(
        lambda tx: {t: sorted((tuple(r) for r in tx.all(f"SELECT * FROM {t}")), key=repr) for t in tables}
    )


def test_sources_are_added_listed_and_removed(store: Store) -> None:
    store.add_sync_source("phone", "https://dav.example.com/ab/", username="me", password_env="DAV_PASSWORD")
    store.add_sync_source("khard", "~/contacts")
    listed = store.sync_sources()
    assert [s.name for s in listed] == ["khard", "phone"]
    khard, phone = listed
    assert khard.url.endswith("/contacts") and khard.url.startswith("/")  # a folder, made absolute
    assert (phone.username, phone.password_env, phone.password_command) == ("me", "DAV_PASSWORD", None)
    assert phone.to_json() == {
        "name": "phone",
        "url": "https://dav.example.com/ab/",
        "last_sync": None,
        "contacts": 0,
    }
    assert store.remove_sync_source("PHONE") == 0  # names compare without case
    assert [s.name for s in store.sync_sources()] == ["khard"]
    with pytest.raises(NotFound, match="no address book named 'phone'"):
        store.remove_sync_source("phone")


@pytest.mark.parametrize(
    ("name", "url", "options", "message"),
    [
        ("", "/x", {}, "must not be blank"),
        ("my phone", "/x", {}, "use letters, digits"),
        ("-x", "/x", {}, "use letters, digits"),
        ("list", "/x", {}, "is a sync command"),
        ("a" * 65, "/x", {}, "the limit is 64"),
        ("ok", "", {}, "URL or folder"),
        ("ok", "ftp://example.com/", {}, "cannot be synced"),
        ("ok", "https://me:s3cret@dav.example.com/", {}, "holds a password"),
        ("ok", "/x", {"password_env": "A", "password_command": "pass show dav"}, "not both"),
        ("ok", "/x", {"password_env": "s3cret!"}, "name of an environment variable"),
    ],
)
def test_bad_sources_are_refused_and_nothing_is_stored(
    store: Store, name: str, url: str, options: dict, message: str
) -> None:
    before = _everything(store)
    with pytest.raises(ValidationError, match=message) as caught:
        store.add_sync_source(name, url, **options)
    assert "s3cret" not in str(caught.value)
    assert _everything(store) == before


def test_a_taken_name_or_url_is_a_conflict(store: Store) -> None:
    store.add_sync_source("Phone", "/a")
    before = _everything(store)
    with pytest.raises(Conflict, match="'Phone' already exists"):
        store.add_sync_source("phone", "/b")
    with pytest.raises(Conflict, match="address book 'Phone' already syncs with /a"):
        store.add_sync_source("other", "/a")
    assert _everything(store) == before


def test_no_password_reaches_the_database(store: Store) -> None:
    store.add_sync_source("work", "https://me@dav.example.com/", password_command="pass show dav")
    rows = _everything(store)["sync_source"]
    assert "pass show dav" in repr(rows) and "me@dav.example.com" in repr(rows)
    with pytest.raises(ValidationError):
        store.add_sync_source("home", "https://me:hunter2@dav.example.com/")
    assert "hunter2" not in repr(_everything(store))


def test_the_local_side_of_a_sync_is_one_undo_step(store: Store) -> None:
    store.create_status("Lead")
    jane = store.add_contact("Jane", email="jane@example.com", phone="1")
    gone = store.add_contact("Gone", email="gone@example.com")
    store.add_sync_source("phone", "/ab")
    base = clean_sync_fields({"name": "Jane", "email": "jane@example.com", "phone": "1"})
    before = _everything(store)
    new = {"name": "Ann", "email": "ann@example.com", "tags": ["VIP", "vip", "New"], "status": "Customer"}
    applied = store.apply_sync(
        "phone",
        [
            LocalChange("create", fields=new, href="ann.vcf"),
            LocalChange("update", jane.id, {"phone": "2", "tags": ["VIP"], "status": "Lead"}),
            LocalChange("delete", gone.id),
        ],
        [
            ItemWrite("ann.vcf", "e1", "ann", "BEGIN:VCARD", clean_sync_fields(new)),
            ItemWrite("jane.vcf", "e2", "jane", "BEGIN:VCARD", base, jane.id),
        ],
        conflicts=[SyncConflict(jane.id, "Jane", "phone", "3", "2", "remote")],
        token="tok-1",
    )
    assert (applied.created, applied.updated, applied.deleted) == (1, 1, 1)
    ann = store.get_contact("ann@example.com")
    assert applied.contacts == {"ann.vcf": ann.id}
    assert [t.name for t in ann.tags] == ["New", "VIP"] and ann.status == "Customer"  # found or created
    jane_now = store.get_contact(jane.id)
    assert (jane_now.phone, jane_now.status, [t.name for t in jane_now.tags]) == ("2", "Lead", ["VIP"])
    items = store.sync_items("phone")
    assert {h: (i.etag, i.contact_id) for h, i in items.items()} == {
        "ann.vcf": ("e1", ann.id),
        "jane.vcf": ("e2", jane.id),
    }
    source = store.get_sync_source("phone")
    assert source.sync_token == "tok-1" and source.last_sync and source.contacts == 2
    conflict = [e for e in store.history(contact=jane.id) if e.kind == "contact.sync_conflict"]
    assert conflict and conflict[0].payload == {
        "source": "phone",
        "field": "phone",
        "local": "3",
        "remote": "2",
        "kept": "remote",
    }
    result = store.undo()
    assert result.summary.startswith("Synced with phone: 1 added, 1 updated, 1 deleted")
    after = _everything(store)
    assert after["contact_tag"] == before["contact_tag"]
    # Every contact is back as it was (an undone edit counts as a new revision).
    assert [r[:15] for r in after["contact"]] == [r[:15] for r in before["contact"]]
    # Undo takes back the contacts; what the cards were stays known.
    assert set(store.sync_items("phone")) == {"ann.vcf", "jane.vcf"}


def test_an_email_another_contact_has_is_left_on_the_card(store: Store) -> None:
    store.add_contact("Jane", email="jane@example.com")
    store.add_sync_source("phone", "/ab")
    applied = store.apply_sync(
        "phone", [LocalChange("create", fields={"name": "Jane 2", "email": "JANE@example.com"}, href="x")]
    )
    assert store.get_contact(applied.contacts["x"]).email is None


def test_card_fields_are_cleaned_as_a_contact_holds_them() -> None:
    fields = clean_sync_fields(
        {
            "name": "  ",
            "email": "not an email",
            "phone": " 12 ",
            "tags": ["VIP", " vip ", "", "x" * 101],
            "status": " Lead ",
            "followers": ("12",),
        }
    )
    assert fields == {
        "name": "12",
        "email": None,
        "phone": "12",
        "company": None,
        "notes": None,
        "tags": ["VIP"],
        "status": "Lead",
        "assignee": None,
        "followers": 12,
    }


def test_one_sync_of_an_address_book_at_a_time(store: Store, db_url: str, tmp_path) -> None:
    """The sync lock: a second holder of the same address book (another Store: another
    connection, as another process has) is refused at once; another book is not held; the lock
    is free again when the first lets go. The engine takes it, so a second sync changes nothing."""
    from tagtui.store.sync import SyncBusy
    from tagtui.sync.engine import sync

    for name in ("ab", "cd"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "ada.vcf").write_text(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ada\r\nFN:Ada\r\nEND:VCARD\r\n", newline=""
        )
        store.add_sync_source(name, str(folder))
    other = Store.open(db_url)
    try:
        with store.sync_lock("ab"):
            busy = "address book ab is being synced by another tagtui"
            with pytest.raises(SyncBusy, match=busy), other.sync_lock("AB"):
                pytest.fail("held twice")
            before = _everything(store)
            with pytest.raises(SyncBusy):
                sync(other, "ab")
            assert _everything(store) == before
            with other.sync_lock("cd"):
                pass
        with other.sync_lock("ab"):
            pass
        assert sync(other, "ab").pulled["created"] == 1
    finally:
        other.close()


def test_the_sync_lock_is_free_the_moment_it_is_let_go(store: Store, db_url: str, tmp_path) -> None:
    """Syncs one after the other, at once, from two stores: none is refused. (On PostgreSQL the
    lock's connection used to take it along as it closed, and the server let go of it only as
    its process exited, after ``close`` had returned: a sync started at once could be refused.)"""
    (tmp_path / "ab").mkdir()
    store.add_sync_source("ab", str(tmp_path / "ab"))
    other = Store.open(db_url)
    try:
        for _ in range(100):
            for holder in (store, other):
                with holder.sync_lock("ab"):
                    pass
    finally:
        other.close()
