"""A sync as a user meets it: both sides, every case of issue 13, on a real address book.

Each test runs against a vdir folder and against real CardDAV servers started by the tests
(Radicale with basic auth, Xandikos: ``tests/sync/servers.py``). The server side is changed through the Remote
itself, as another client would; a counting wrapper says what the sync read and wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tagtui.io.vcard import parse_cards
from tagtui.store import Conflict, Store
from tagtui.sync import Changes, Remote, RemoteError, engine, open_remote
from tagtui.sync.engine import sync

NAME = "ab"


class Counting:
    """A Remote that counts the card bodies read and the writes made through it."""

    def __init__(self, inner: Remote) -> None:
        self.inner = inner
        self.url = inner.url
        self.fetched: list[str] = []
        self.writes: list[tuple[str, str]] = []

    def listing(self) -> dict[str, str]:
        return self.inner.listing()

    def changes(self, token: str | None) -> Changes | None:
        return self.inner.changes(token)

    def fetch(self, hrefs: Sequence[str]) -> dict[str, tuple[str, str]]:
        self.fetched += list(hrefs)
        return self.inner.fetch(hrefs)

    def create(self, uid: str, text: str) -> tuple[str, str]:
        self.writes.append(("create", uid))
        return self.inner.create(uid, text)

    def update(self, href: str, etag: str, text: str) -> str:
        self.writes.append(("update", href))
        return self.inner.update(href, etag, text)

    def delete(self, href: str, etag: str) -> None:
        self.writes.append(("delete", href))
        self.inner.delete(href, etag)


class Server:
    """The far side, changed as another client (a phone) would change it."""

    def __init__(self, remote: Remote, url: str) -> None:
        self.remote = remote
        self.url = url

    def cards(self) -> dict[str, str]:
        """href -> text of every card."""
        listing = self.remote.listing()
        return {h: t for h, (_, t) in self.remote.fetch(sorted(listing)).items()}

    def by_uid(self, uid: str) -> tuple[str, str, str]:
        """(href, etag, text) of the card with this UID."""
        listing = self.remote.listing()
        for href, (etag, text) in self.remote.fetch(sorted(listing)).items():
            if parse_cards(text)[0].fields().uid == uid:
                return href, etag, text
        raise AssertionError(f"no card {uid}")

    def by_name(self, name: str) -> tuple[str, str, str]:
        listing = self.remote.listing()
        for href, (etag, text) in self.remote.fetch(sorted(listing)).items():
            if parse_cards(text)[0].fields().name == name:
                return href, etag, text
        raise AssertionError(f"no card named {name}")

    def put(self, uid: str, text: str) -> None:
        self.remote.create(uid, text)

    def edit(self, uid: str, old: str, new: str) -> None:
        href, etag, text = self.by_uid(uid)
        assert old in text, (old, text)
        self.remote.update(href, etag, text.replace(old, new))

    def delete(self, uid: str) -> None:
        href, etag, _ = self.by_uid(uid)
        self.remote.delete(href, etag)

    def fields(self) -> dict[str, Any]:
        """name -> fields of every card."""
        return {f.name: f for f in (parse_cards(t)[0].fields() for t in self.cards().values())}


def card(uid: str, name: str, email: str | None = None, *extra: str, version: str = "3.0") -> str:
    lines = ["BEGIN:VCARD", f"VERSION:{version}", f"UID:{uid}", f"FN:{name}"]
    if email:
        lines.append(f"EMAIL:{email}")
    lines += list(extra)
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture(params=["vdir", "radicale", "xandikos"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Server:
    """A fresh address book: a vdir folder, then one on each real CardDAV server."""
    if request.param == "vdir":
        folder = tmp_path / "vdir"
        folder.mkdir()
        return Server(open_remote(str(folder)), str(folder))
    book = request.getfixturevalue(request.param).new_book()
    return Server(open_remote(book.url, user=book.user, password=book.password), book.url)


@pytest.fixture
def synced(store: Store, server: Server) -> Store:
    store.add_sync_source(NAME, server.url)
    return store


def run(store: Store, server: Server, **options: Any) -> tuple[Any, Counting]:
    counting = Counting(server.remote)
    report = sync(store, NAME, remote=counting, **options)  # type: ignore[arg-type]
    return report, counting


def everything(store: Store) -> dict[str, list[tuple]]:
    tables = ("contact", "contact_tag", "tag", "status", "event", "step", "sync_item")
    return store._read(
        lambda tx: {t: sorted((tuple(r) for r in tx.all(f"SELECT * FROM {t}")), key=repr) for t in tables}
    )


def names(store: Store) -> list[str]:
    return sorted(c.name for c in store.iter_contacts())


# -- first sync ---------------------------------------------------------------------------------


def test_first_sync_pulls_everything_into_an_empty_workspace(synced: Store, server: Server) -> None:
    server.put("ada", card("ada", "Ada Lovelace", "ada@example.com", "TEL:+44 1", "ORG:Analytical;Engines",
                           "CATEGORIES:VIP,Math", "X-TAGTUI-STATUS:Lead", "X-TAGTUI-ASSIGNEE:Vera",
                           "X-TAGTUI-FOLLOWERS:7", "NOTE:first programmer"))  # fmt: skip
    server.put("alan", card("alan", "Alan Turing", "alan@example.com", version="4.0"))
    report, remote = run(synced, server)
    assert report.to_json() == {
        "name": NAME,
        "pulled": {"created": 2, "updated": 0, "deleted": 0},
        "pushed": {"created": 0, "updated": 0, "deleted": 0},
        "conflicts": [],
    }
    assert remote.writes == []
    ada = synced.get_contact("ada@example.com")
    assert (ada.name, ada.phone, ada.company, ada.notes, ada.status, ada.assignee, ada.followers) == (
        "Ada Lovelace",
        "+44 1",
        "Analytical",
        "first programmer",
        "Lead",
        "Vera",
        7,
    )
    assert sorted(t.name for t in ada.tags) == ["Math", "VIP"]
    assert synced.get_sync_source(NAME).contacts == 2


def test_first_sync_pushes_local_contacts(synced: Store, server: Server) -> None:
    synced.create_status("Customer")
    synced.add_contact("Grace Hopper", email="grace@example.com", phone="+1 2", status="Customer")
    synced.sync_tags(email="grace@example.com", names=["Navy", "COBOL"])
    report, _ = run(synced, server)
    assert report.pushed == {"created": 1, "updated": 0, "deleted": 0}
    assert report.pulled == {"created": 0, "updated": 0, "deleted": 0}
    grace = server.fields()["Grace Hopper"]
    assert (grace.email, grace.phone, grace.status, sorted(grace.tags)) == (
        "grace@example.com",
        "+1 2",
        "Customer",
        ["COBOL", "Navy"],
    )
    again, remote = run(synced, server)
    assert (again.pulled, again.pushed) == (report.pulled, {"created": 0, "updated": 0, "deleted": 0})
    assert remote.fetched == [] and remote.writes == []


def test_progress_tells_each_phase_and_a_stop_before_the_writes_changes_nothing(
    synced: Store, server: Server
) -> None:
    """The cards read ("pull", done of total), then once the size of what is written here
    ("save", 0 of the changes, before it is written), then each card written there ("push").
    Stopped when told "save" (escape in the app), the sync has changed nothing on either side."""
    server.put("ada", card("ada", "Ada Lovelace", "ada@example.com"))
    server.put("alan", card("alan", "Alan Turing", "alan@example.com"))
    synced.add_contact("Grace Hopper", email="grace@example.com")
    before, cards = everything(synced), server.cards()

    class Stop(Exception):
        pass

    def stop_at_save(phase: str, done: int, total: int) -> None:
        if phase == "save":
            raise Stop

    with pytest.raises(Stop):
        run(synced, server, progress=stop_at_save)
    assert everything(synced) == before and server.cards() == cards
    told: list[tuple[str, int, int]] = []
    run(synced, server, progress=lambda *count: told.append(count))
    assert told == [("pull", 2, 2), ("pull", 2, 2), ("save", 0, 2), ("push", 1, 1)]
    assert names(synced) == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]


def test_a_first_push_builds_the_cards_a_chunk_at_a_time(
    synced: Store, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """25 contacts only here, pushed 10 at a time: the contacts are read (and their cards built)
    per chunk, each chunk just before its writes, never all 25 before the first write; the
    progress and the report are those of 25 creates."""
    monkeypatch.setattr(engine, "PUSH_CHUNK", 10)
    for i in range(25):
        synced.add_contact(f"Person {i}", email=f"p{i}@example.com")
    counting = Counting(server.remote)
    read = synced.sync_contact_fields

    def sync_contact_fields(ids):  # type: ignore[no-untyped-def]
        found = read(ids)
        counting.writes.append(("read", str(len(found))))
        return found

    monkeypatch.setattr(synced, "sync_contact_fields", sync_contact_fields)
    pushed: list[tuple[int, int]] = []
    report = sync(  # type: ignore[arg-type]
        synced,
        NAME,
        remote=counting,
        progress=lambda phase, done, total: phase == "push" and pushed.append((done, total)),
    )
    assert report.pushed == {"created": 25, "updated": 0, "deleted": 0}
    assert [w if w[0] == "read" else w[0] for w in counting.writes] == [
        ("read", "10"), *["create"] * 10, ("read", "10"), *["create"] * 10, ("read", "5"), *["create"] * 5
    ]  # fmt: skip
    assert pushed == [(n, 25) for n in range(1, 26)]
    assert sorted(f.email for f in server.fields().values()) == sorted(f"p{i}@example.com" for i in range(25))
    again, remote = run(synced, server)
    assert again.pushed == again.pulled == {"created": 0, "updated": 0, "deleted": 0} and remote.writes == []


def test_a_first_sync_reads_only_the_contacts_a_card_may_be_linked_to(
    synced: Store, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """30 contacts only here, and two cards there: one of a contact's email, one of a contact's
    name and phone without an email. Those two contacts' fields are read to link them; the
    other 28 are read only as they are pushed, a chunk at a time."""
    for i in range(29):
        synced.add_contact(f"Person {i}", email=f"p{i}@example.com")
    synced.add_contact("Phone Only", phone="+1 555")
    server.put("p7", card("p7", "Person Seven", "P7@Example.com"))
    server.put("po", card("po", "phone  only", None, "TEL:+1-555"))
    read: list[int] = []
    subset = synced.sync_local_subset

    def sync_local_subset(name, ids):  # type: ignore[no-untyped-def]
        found = subset(name, ids)
        read.append(len(found))
        return found

    monkeypatch.setattr(synced, "sync_local_subset", sync_local_subset)
    monkeypatch.setattr(
        synced, "sync_unlinked", lambda name: synced.__class__.sync_unlinked(synced, name, batch=7)
    )
    report, _ = run(synced, server)
    assert read == [2]
    assert report.pulled == {"created": 0, "updated": 2, "deleted": 0}  # both took the card's name
    assert report.pushed["created"] == 28 and len(server.cards()) == 30
    assert synced.get_contact("p7@example.com").name == "Person Seven"
    assert len(names(synced)) == 30


def test_first_sync_links_a_card_to_the_contact_of_its_email(synced: Store, server: Server) -> None:
    jane = synced.add_contact("Jane Doe", email="JANE@example.com", company="Acme")
    synced.sync_tags(contact_id=jane.id, names=["Local"])
    server.put("jane", card("jane", "Jane Doe", "jane@example.com", "TEL:555", "CATEGORIES:Remote"))
    report, _ = run(synced, server)
    assert report.pulled == {"created": 0, "updated": 1, "deleted": 0}
    assert report.pushed == {"created": 0, "updated": 1, "deleted": 0}
    assert report.conflicts == []
    assert names(synced) == ["Jane Doe"]
    now = synced.get_contact(jane.id)
    assert (now.phone, now.company, sorted(t.name for t in now.tags)) == ("555", "Acme", ["Local", "Remote"])
    remote = server.fields()["Jane Doe"]
    assert (remote.company, sorted(remote.tags), len(server.cards())) == ("Acme", ["Local", "Remote"], 1)


# -- incremental --------------------------------------------------------------------------------


def test_a_sync_with_nothing_changed_reads_no_card_and_writes_nothing(synced: Store, server: Server) -> None:
    server.put("ada", card("ada", "Ada", "ada@example.com"))
    synced.add_contact("Bob", email="bob@example.com")
    run(synced, server)
    before, cards = everything(synced), server.cards()
    report, remote = run(synced, server)
    assert report.pulled == report.pushed == {"created": 0, "updated": 0, "deleted": 0}
    assert remote.fetched == [] and remote.writes == []
    assert everything(synced) == before  # no contact, event, undo step or card state written
    assert server.cards() == cards


def test_a_quiet_sync_reads_only_the_servers_changes_and_no_contact(
    synced: Store, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a sync has ended with both sides agreed, the next one with nothing changed asks the
    server what changed (one sync-collection where it keeps tokens) and reads no card state or
    contact here: the store's full reads are not called."""
    server.put("ada", card("ada", "Ada", "ada@example.com"))
    synced.add_contact("Bob", email="bob@example.com")
    run(synced, server)
    run(synced, server)  # the first sync's own changes here: read once more, then noted
    before = everything(synced)
    asked: list[str] = []
    remote = Counting(server.remote)
    monkeypatch.setattr(
        remote, "changes", lambda token: asked.append("changes") or server.remote.changes(token)
    )
    monkeypatch.setattr(remote, "listing", lambda: asked.append("listing") or server.remote.listing())
    for full_read in ("sync_items", "sync_changed_here", "sync_local_subset", "sync_cards"):
        monkeypatch.setattr(synced, full_read, lambda *a, **k: pytest.fail("a quiet sync read everything"))
    report = sync(synced, NAME, remote=remote)  # type: ignore[arg-type]
    assert report.pulled == report.pushed == {"created": 0, "updated": 0, "deleted": 0}
    assert remote.fetched == [] and remote.writes == []
    # CardDAV servers keep sync tokens: one question; a vdir is listed (names and mtimes).
    assert asked == (["changes"] if "://" in server.url else ["changes", "listing"])
    assert everything(synced) == before


def test_a_sync_holds_only_the_cards_and_contacts_that_changed(
    synced: Store, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One card changed there and one contact here, of 30 linked: the sync reads the state of
    those two cards and those two contacts (and any contact linked to no card), not all 30."""
    for i in range(30):
        server.put(f"p{i}", card(f"p{i}", f"Person {i}", f"p{i}@example.com"))
    run(synced, server)
    run(synced, server)
    synced.update_contact("p3@example.com", company="Here Inc")
    server.edit("p7", "FN:Person 7", "FN:Person Seven")
    read: dict[str, int] = {}
    items, subset = synced.sync_items, synced.sync_local_subset

    def sync_items(name, hrefs=None):  # type: ignore[no-untyped-def]
        found = items(name, hrefs)
        read["cards"] = len(found)
        return found

    def sync_local_subset(name, ids):  # type: ignore[no-untyped-def]
        found = subset(name, ids)
        read["contacts"] = len(found)
        return found

    monkeypatch.setattr(synced, "sync_items", sync_items)
    monkeypatch.setattr(synced, "sync_local_subset", sync_local_subset)
    monkeypatch.setattr(
        synced, "sync_changed_here", lambda name: synced.__class__.sync_changed_here(synced, name, batch=7)
    )
    report, _ = run(synced, server)
    assert read == {"cards": 2, "contacts": 2}
    assert report.pulled["updated"] == 1 and report.pushed["updated"] == 1
    assert synced.get_contact("p7@example.com").name == "Person Seven"
    assert any("ORG:Here Inc" in t for t in server.cards().values())


@pytest.mark.parametrize("change", ["edit", "tag rename", "delete", "new contact"])
def test_a_change_here_after_a_quiet_sync_is_sent(synced: Store, server: Server, change: str) -> None:
    """Any change here (an edit, a tag renamed, a contact deleted or added) is seen by the sync
    after a quiet one: the quiet path is taken only when nothing here changed."""
    server.put("ada", card("ada", "Ada", "ada@example.com", "CATEGORIES:Math"))
    server.put("bob", card("bob", "Bob", "bob@example.com"))
    for _ in range(3):
        run(synced, server)
    ada = synced.get_contact("ada@example.com")
    if change == "edit":
        synced.update_contact(ada.id, company="Analytical Engines")
    elif change == "tag rename":
        synced.update_tag("Math", name="Maths")
    elif change == "delete":
        synced.delete_contacts([ada.id])
    else:
        synced.add_contact("Cy", email="cy@example.com")
    report, remote = run(synced, server)
    key = {"edit": "updated", "tag rename": "updated", "delete": "deleted", "new contact": "created"}[change]
    assert report.pushed[key] == 1 and len(remote.writes) == 1
    cards = server.cards()
    if change == "edit":
        assert any("ORG:Analytical Engines" in t for t in cards.values())
    elif change == "tag rename":
        assert any("CATEGORIES:Maths" in t for t in cards.values())
    elif change == "delete":
        assert not any("UID:ada" in t for t in cards.values())
    else:
        assert any("cy@example.com" in t for t in cards.values())


def test_a_sync_cut_short_is_carried_on_by_the_next_even_with_nothing_new(
    synced: Store, server: Server
) -> None:
    """A sync whose writes to the server stop midway notes no mark: the next one, with nothing
    changed since on either side, still writes what is left."""
    for name in ("Ann", "Ben", "Cat"):
        synced.add_contact(name, email=f"{name.lower()}@example.com")

    class Dies(Counting):
        def create(self, uid: str, text: str) -> tuple[str, str]:
            if len(self.writes) == 1:
                raise RemoteError("the server went away")
            return super().create(uid, text)

    with pytest.raises(RemoteError):
        sync(synced, NAME, remote=Dies(server.remote))  # type: ignore[arg-type]
    assert len(server.cards()) == 1
    report, _ = run(synced, server)
    assert report.pushed["created"] == 2 and len(server.cards()) == 3


def test_a_file_that_is_no_vcard_is_left_alone_and_read_once(store: Store, tmp_path: Path) -> None:
    """A vdir may hold a file that is not a vCard (a CardDAV server refuses one)."""
    folder = tmp_path / "vdir"
    folder.mkdir()
    (folder / "junk.vcf").write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    server = Server(open_remote(str(folder)), str(folder))
    server.put("ada", card("ada", "Ada", "ada@example.com"))
    store.add_sync_source(NAME, server.url)
    report, _ = run(store, server)
    assert report.pulled["created"] == 1 and names(store) == ["Ada"]
    again, remote = run(store, server)
    assert remote.fetched == [] and remote.writes == [] and again.pulled == again.pushed
    assert sorted(p.name for p in folder.iterdir()) == ["ada.vcf", "junk.vcf"]


def test_a_file_of_several_cards_is_left_alone_never_cut_short(store: Store, tmp_path: Path) -> None:
    """vdir holds one card a file; a file of several is not rewritten with one card of them."""
    folder = tmp_path / "vdir"
    folder.mkdir()
    both = card("x1", "Xena", "xena@example.com") + card("x2", "Yuri", "yuri@example.com")
    (folder / "both.vcf").write_bytes(both.encode())
    server = Server(open_remote(str(folder)), str(folder))
    server.put("ada", card("ada", "Ada", "ada@example.com"))
    store.add_sync_source(NAME, server.url)
    run(store, server)
    assert names(store) == ["Ada"]
    store.add_contact("Xena", email="xena@example.com")
    run(store, server)
    assert (folder / "both.vcf").read_bytes() == both.encode()
    again, remote = run(store, server)
    assert remote.writes == [] and again.pulled == again.pushed == {"created": 0, "updated": 0, "deleted": 0}


def test_edits_of_different_fields_on_both_sides_both_win(synced: Store, server: Server) -> None:
    server.put("ada", card("ada", "Ada", "ada@example.com", "ORG:Old"))
    run(synced, server)
    synced.update_contact("ada@example.com", phone="+1 999")
    server.edit("ada", "ORG:Old", "ORG:New")
    report, _ = run(synced, server)
    assert (report.pulled["updated"], report.pushed["updated"], report.conflicts) == (1, 1, [])
    ada = synced.get_contact("ada@example.com")
    assert (ada.phone, ada.company) == ("+1 999", "New")
    remote = server.fields()["Ada"]
    assert (remote.phone, remote.company) == ("+1 999", "New")
    again, counting = run(synced, server)
    assert counting.writes == [] and again.pulled["updated"] == 0


def test_a_card_changed_on_the_server_during_the_sync_is_merged_next_time(
    synced: Store, server: Server
) -> None:
    server.put("ada", card("ada", "Ada", "ada@example.com", "TEL:1", "ORG:Old"))
    run(synced, server)
    synced.update_contact("ada@example.com", phone="2")

    class Meanwhile(Counting):
        def update(self, href: str, etag: str, text: str) -> str:
            server.edit("ada", "ORG:Old", "ORG:New")  # another client writes first
            return super().update(href, etag, text)

    remote = Meanwhile(server.remote)
    report = sync(synced, NAME, remote=remote)  # type: ignore[arg-type]
    assert report.deferred == 1 and report.pushed["updated"] == 0
    assert server.fields()["Ada"].phone == "1" and server.fields()["Ada"].company == "New"  # not overwritten
    again, _ = run(synced, server)
    assert (again.pulled["updated"], again.pushed["updated"], again.conflicts) == (1, 1, [])
    ada = synced.get_contact("ada@example.com")
    assert (ada.phone, ada.company) == ("2", "New")
    assert (server.fields()["Ada"].phone, server.fields()["Ada"].company) == ("2", "New")


@pytest.mark.parametrize("prefer", ["remote", "local"])
def test_one_field_changed_on_both_sides_takes_the_preferred_side(
    synced: Store, server: Server, prefer: str
) -> None:
    server.put("ada", card("ada", "Ada", "ada@example.com", "TEL:1"))
    run(synced, server)
    synced.update_contact("ada@example.com", phone="2-local")
    server.edit("ada", "TEL:1", "TEL:3-remote")
    report, _ = run(synced, server, prefer=prefer)
    ada = synced.get_contact("ada@example.com")
    assert [c.to_json() for c in report.conflicts] == [
        {"contact": ada.id, "field": "phone", "local": "2-local", "remote": "3-remote", "kept": prefer}
    ]
    kept = "2-local" if prefer == "local" else "3-remote"
    assert ada.phone == kept and server.fields()["Ada"].phone == kept
    # The value not kept stays in the contact's history.
    lines = [e.payload for e in synced.history(contact=ada.id) if e.kind == "contact.sync_conflict"]
    assert lines == [
        {"source": NAME, "field": "phone", "local": "2-local", "remote": "3-remote", "kept": prefer}
    ]
    other = "remote was 3-remote" if prefer == "local" else "local was 2-local"
    described = [line.what for line in synced.history_lines(contact=ada.id)]
    assert described[0] == f"sync with {NAME}, phone changed on both sides: kept {prefer} {kept}; {other}"


def test_tags_merge_as_sets(synced: Store, server: Server) -> None:
    server.put("ada", card("ada", "Ada", "ada@example.com", "CATEGORIES:a,b,keep"))
    run(synced, server)
    synced.sync_tags(email="ada@example.com", names=["b", "keep", "c"])  # a removed, c added here
    server.edit("ada", "CATEGORIES:a,b,keep", "CATEGORIES:a,keep,d")  # b removed, d added there
    report, _ = run(synced, server)
    assert report.conflicts == []
    assert sorted(t.name for t in synced.get_contact("ada@example.com").tags) == ["c", "d", "keep"]
    assert sorted(server.fields()["Ada"].tags) == ["c", "d", "keep"]


# -- deletes ------------------------------------------------------------------------------------


def test_deletes_go_both_ways(synced: Store, server: Server) -> None:
    server.put("ada", card("ada", "Ada", "ada@example.com"))
    server.put("bob", card("bob", "Bob", "bob@example.com"))
    run(synced, server)
    synced.delete_contacts(["ada@example.com"])
    server.delete("bob")
    report, _ = run(synced, server)
    assert report.pulled["deleted"] == 1 and report.pushed["deleted"] == 1
    assert names(synced) == [] and server.cards() == {}
    assert synced.get_sync_source(NAME).contacts == 0


def test_a_contact_deleted_on_one_side_and_changed_on_the_other_is_kept(
    synced: Store, server: Server
) -> None:
    server.put("ada", card("ada", "Ada", "ada@example.com", "TEL:1"))
    server.put("bob", card("bob", "Bob", "bob@example.com", "TEL:1"))
    run(synced, server)
    synced.delete_contacts(["ada@example.com"])
    server.edit("ada", "TEL:1", "TEL:2")  # deleted here, changed there
    synced.update_contact("bob@example.com", phone="3")
    server.delete("bob")  # changed here, deleted there
    report, _ = run(synced, server)
    assert names(synced) == ["Ada", "Bob"]
    assert synced.get_contact("ada@example.com").phone == "2"
    assert server.fields()["Bob"].phone == "3"
    reported = sorted((c.name, c.field, c.local, c.remote, c.kept) for c in report.conflicts)
    assert reported == [
        ("Ada", "deleted", "deleted", "changed", "remote"),
        ("Bob", "deleted", "changed", "deleted", "local"),
    ]
    again, counting = run(synced, server)
    assert counting.writes == [] and again.conflicts == []


def test_the_mass_delete_guard(synced: Store, server: Server) -> None:
    for i in range(12):
        server.put(f"c{i}", card(f"c{i}", f"Person {i:02}", f"p{i}@example.com"))
    run(synced, server)
    for i in range(11):
        server.delete(f"c{i}")
    before = everything(synced)
    with pytest.raises(Conflict, match="would delete 11 of 12 contacts here; nothing was changed"):
        run(synced, server)
    assert everything(synced) == before
    report, _ = run(synced, server, force=True)
    assert report.pulled["deleted"] == 11 and names(synced) == ["Person 11"]


# -- dry run, undo, losslessness ----------------------------------------------------------------


def test_a_dry_run_changes_nothing_anywhere(synced: Store, server: Server) -> None:
    server.put("ada", card("ada", "Ada", "ada@example.com", "TEL:1"))
    run(synced, server)
    synced.update_contact("ada@example.com", company="Here")
    server.edit("ada", "TEL:1", "TEL:2")
    server.put("new", card("new", "New", "new@example.com"))
    synced.add_contact("Local", email="local@example.com")
    before, cards = everything(synced), server.cards()
    report, remote = run(synced, server, dry_run=True)
    assert report.pulled == {"created": 1, "updated": 1, "deleted": 0}
    assert report.pushed == {"created": 1, "updated": 1, "deleted": 0}
    assert remote.writes == []
    assert everything(synced) == before and server.cards() == cards


def test_a_sync_is_one_undo_step(synced: Store, server: Server) -> None:
    server.put("ada", card("ada", "Ada", "ada@example.com", "TEL:1", "CATEGORIES:x"))
    run(synced, server)
    server.edit("ada", "TEL:1", "TEL:2")
    server.put("bob", card("bob", "Bob", "bob@example.com"))
    run(synced, server)
    assert names(synced) == ["Ada", "Bob"]
    result = synced.undo()
    assert result.summary == f"Synced with {NAME}: 1 added, 1 updated"
    assert names(synced) == ["Ada"] and synced.get_contact("ada@example.com").phone == "1"
    # The next sync sends the state undo made, as any local edit.
    report, _ = run(synced, server)
    assert (report.pushed["updated"], report.pushed["deleted"]) == (1, 1)
    assert sorted(server.fields()) == ["Ada"] and server.fields()["Ada"].phone == "1"


#: Lines tagtui does not model, in each version's own syntax.
UNMODELLED = {
    "3.0": [
        "item1.EMAIL;TYPE=INTERNET:ada.work@example.com",
        "item1.X-ABLabel:Work",
        "EMAIL;TYPE=HOME:ada.home@example.com",
        "ADR;TYPE=HOME:;;12 St James's Square;London;;SW1Y 4JH;United Kingdom",
        "BDAY:1815-12-10",
        "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDA",
        " UUDRwSEhEeHRwfHx4dHxYgIiQmJCAiLCMcHCg3KSwwMTQ0NB8nOT04MjwuMzQy",
        "X-UNKNOWN;X-PARAM=1:kept as is",
        "CATEGORIES:Math",
    ],
    "4.0": [
        "item1.EMAIL;TYPE=work:ada.work@example.com",
        "item1.X-ABLabel:Work",
        "TEL;VALUE=uri;TYPE=cell:tel:+44-20-7946-0001",
        "ADR;TYPE=home;LABEL=\"12 St James's Square\\nLondon\":;;12 St James's Square;London;;SW1Y 4JH;UK",
        "BDAY:--1210",
        "PHOTO:data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDAUUDRwS",
        " EhEeHRwfHx4dHxYgIiQmJCAiLCMcHCg3KSwwMTQ0NB8nOT04MjwuMzQy",
        "X-UNKNOWN;X-PARAM=1:kept as is",
        "CATEGORIES:Math",
    ],
}


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_card_keeps_every_line_tagtui_does_not_model(synced: Store, server: Server, version: str) -> None:
    extra = UNMODELLED[version]
    server.put("ada", card("ada", "Ada", "ada@example.com", *extra, version=version))
    _, _, original = server.by_uid("ada")
    run(synced, server)
    synced.sync_tags(email="ada@example.com", names=["Math", "VIP"])
    report, _ = run(synced, server)
    assert report.pushed["updated"] == 1
    _, _, after = server.by_uid("ada")
    changed = [(a, b) for a, b in zip(original.split("\r\n"), after.split("\r\n"), strict=False) if a != b]
    assert [a for a, _ in changed] == ["CATEGORIES:Math"]
    assert [b.split(":")[0] for _, b in changed] == ["CATEGORIES"]
    assert original.replace("CATEGORIES:Math", "") == after.replace(changed[0][1], "")
    assert sorted(parse_cards(after)[0].fields().tags) == ["Math", "VIP"]


def test_five_thousand_cards(store: Store, xandikos: Any) -> None:
    """A first pull of 5,000 cards, then a sync with nothing changed: no card read, nothing
    written (the times are printed; the README has them with the machine's load)."""
    import time

    book = xandikos.new_book()
    count = 5000
    book.fill(
        {
            f"p{i}.vcf": card(
                f"p{i}", f"Person {i}", f"p{i}@example.com", f"TEL:+1 555 {i:05}", f"CATEGORIES:t{i % 20}"
            )
            for i in range(count)
        }
    )
    store.add_sync_source(NAME, book.url)
    server = Server(open_remote(book.url), book.url)
    began = time.perf_counter()
    report, _ = run(store, server)
    pulled = time.perf_counter() - began
    assert report.pulled == {"created": count, "updated": 0, "deleted": 0}
    assert store.count_contacts() == count and len(store.list_tags()) == 20
    before = everything(store)
    began = time.perf_counter()
    again, remote = run(store, server)
    quiet = time.perf_counter() - began
    print(f"\n{count} cards: first pull {pulled:.1f} s, a sync with nothing changed {quiet:.2f} s")
    assert again.pulled == again.pushed == {"created": 0, "updated": 0, "deleted": 0}
    assert remote.fetched == [] and remote.writes == []
    assert everything(store) == before
