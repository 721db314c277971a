"""One sync of a workspace with an address book: what changed on each side, the three-way merge,
and the order of writes (issue 13).

A sync reads first: the cards that changed on the server (by sync-token, else by etag against
what was stored), their bodies only, and the contacts here. It then decides everything: what
changes here, what is written there, what conflicts. The local side is applied in one store
transaction (one undo step) before anything is written to the server; each write there uses
If-Match / If-None-Match and its new state is recorded as it succeeds, so a server that dies
midway leaves the contacts whole and the next sync carries on where this one stopped.
"""

from __future__ import annotations

import dataclasses
import netrc
import os
import shlex
import subprocess
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tagtui.io.vcard import Card, CardFields, new_card, parse_cards
from tagtui.store import Conflict, Store
from tagtui.store.identity import email_key, slugify
from tagtui.store.sync import (
    SYNC_FIELDS,
    Fields,
    ItemWrite,
    LocalChange,
    SyncConflict,
    SyncItem,
    SyncSource,
    changed_fields,
    clean_sync_fields,
    same_value,
)
from tagtui.store.types import JsonRecord
from tagtui.sync.connect import open_remote
from tagtui.sync.remote import Remote, RemoteChanged, RemoteError, is_http_url

PREFER = ("remote", "local")
#: The mass-delete guard (vdirsyncer's StorageEmpty rule): a sync that would delete more than
#: half of either side, and more than this many, stops unless forced.
GUARD_MIN = 10
#: Card states recorded per transaction while writing to the server.
RECORD_EVERY = 200
#: Contacts read (and their cards built) at a time while pushing those the server lacks: a
#: first push of a large workspace holds this many cards, not one for every contact.
PUSH_CHUNK = 200
#: Card bodies asked for at a time (the progress a sync shows moves with each batch).
FETCH_BATCH = 500
#: The phases ``sync`` tells its ``progress`` of, in order: cards read from the address book,
#: what they change here written (told once, before: one transaction), cards written there.
PULL, SAVE, PUSH = "pull", "save", "push"
#: The phases told before a sync writes anything: stopped in one of them, it changed nothing.
BEFORE_WRITES = frozenset({PULL, SAVE})
#: The fields of a contact before anything is known of it (the base of a first link).
EMPTY: Fields = clean_sync_fields({"name": "-"}) | {"name": None}


@dataclass
class SyncReport(JsonRecord):
    """What one sync did (or, with ``dry_run``, would do) on each side, and its conflicts."""

    name: str
    pulled: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "deleted": 0})
    pushed: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "deleted": 0})
    conflicts: list[SyncConflict] = field(default_factory=list)
    dry_run: bool = False
    #: Cards the server changed while this sync wrote (412): merged on the next sync.
    deferred: int = 0
    #: Card bodies fetched from the server.
    fetched: int = 0

    JSON_FIELDS = ("name", "pulled", "pushed", "conflicts")


# -- passwords ---------------------------------------------------------------------------------


def credentials(source: SyncSource) -> tuple[str | None, str | None]:
    """The user and password for ``source``: from its environment variable, its command, or
    ``~/.netrc`` (by the URL's host). Never stored, never printed."""
    user = source.username
    if not is_http_url(source.url):
        return user, None
    if source.password_env:
        value = os.environ.get(source.password_env)
        if value is None:
            raise RemoteError(f"{source.name}: the environment variable {source.password_env} is not set")
        return user, value
    if source.password_command:
        try:
            argv = shlex.split(source.password_command)
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            raise RemoteError(
                f"{source.name}: the password command did not run ({type(exc).__name__})"
            ) from None
        if done.returncode != 0:
            raise RemoteError(f"{source.name}: the password command failed (exit {done.returncode})")
        lines = done.stdout.splitlines()
        return user, lines[0] if lines else ""
    host = urlsplit(source.url).hostname
    if host:
        try:
            found = netrc.netrc().authenticators(host)
        except (OSError, netrc.NetrcParseError):
            found = None
        if found is not None:
            login, _, password = found
            if user is None or not login or login == user:
                return user or login or None, password
    return user, None


#: Seconds a sync waits for one answer of a server: Radicale takes minutes to answer the first
#: sync-collection of a large address book (it builds its cache), on a loaded machine.
TIMEOUT_S = 300.0


def open_source(source: SyncSource, timeout: float = TIMEOUT_S) -> Remote:
    user, password = credentials(source)
    return open_remote(source.url, user=user, password=password, timeout=timeout)


@dataclass
class Added:
    """An address book just added: its source (URL: the book found) and what was found there."""

    source: SyncSource
    #: e.g. "Contacts, found from https://dav.example.com/", "a vdir of 3 cards", "not checked".
    found: str


def add_source(
    store: Store,
    name: str,
    url: str,
    *,
    username: str | None = None,
    password_env: str | None = None,
    password_command: str | None = None,
    check: bool = True,
    timeout: float = 30,
) -> Added:
    """Add an address book, after contacting it (unless not ``check``): a CardDAV URL is
    discovered and its credentials tried, and the book found is what is saved (a server URL
    that later gains a second book goes on syncing this one); a folder must be there. Any
    failure (a wrong URL or password, no server, several books found, a missing folder) is a
    one-line error and nothing is saved."""
    draft = store.check_sync_source(
        name, url, username=username, password_env=password_env, password_command=password_command
    )
    found = "not checked"
    if check:
        remote: Remote | None = None
        try:
            remote = open_source(draft, timeout=timeout)
            if is_http_url(draft.url):
                book = getattr(remote, "title", None)
                if remote.url.rstrip("/") != draft.url.rstrip("/"):
                    found = f"{book or 'an address book'}, found from {draft.url}"
                else:
                    found = book or "an address book"
                url = remote.url
            else:
                found = f"a vdir of {len(remote.listing()):,} cards"
        except RemoteError as exc:
            raise RemoteError(f"{exc}; nothing was saved") from None
        finally:
            close = getattr(remote, "close", None)
            if close is not None:
                close()
    source = store.add_sync_source(
        name, url, username=username, password_env=password_env, password_command=password_command
    )
    return Added(source, found)


# -- the fields of a card ------------------------------------------------------------------------


def card_values(fields: CardFields) -> Fields:
    """A card's fields as a contact would hold them (see ``clean_sync_fields``)."""
    return clean_sync_fields({f: getattr(fields, f) for f in SYNC_FIELDS})


def _card_value(name: str, value: Any) -> Any:
    if name == "tags":
        return tuple(value or ())
    if name == "followers":
        return value or None
    return value


def with_values(card: Card, values: Fields) -> Card:
    """``card`` with these fields set; every other line is kept as it was."""
    changes = {k: _card_value(k, v) for k, v in values.items()}
    return card.with_fields(dataclasses.replace(card.fields(), **changes))


def card_for(values: Fields, uid: str) -> Card:
    return new_card(CardFields(uid=uid, **{k: _card_value(k, values[k]) for k in SYNC_FIELDS}))


def merge(
    base: Fields, local: Fields, remote: Fields, prefer: str
) -> tuple[Fields, Fields, list[tuple[str, Any, Any]]]:
    """The three-way merge of one contact: ``(to_local, to_remote, conflicts)``: the fields to
    change here, those to write there, and ``(field, local, remote)`` for each field both sides
    changed differently (``prefer`` takes it). Tags merge as sets: added on either side is
    added, removed on either side is removed."""
    to_local: Fields = {}
    to_remote: Fields = {}
    conflicts: list[tuple[str, Any, Any]] = []
    for name in SYNC_FIELDS:
        if name == "tags":
            tags = _merged_tags(base["tags"], local["tags"], remote["tags"])
            if not same_value("tags", tags, local["tags"]):
                to_local["tags"] = tags
            if not same_value("tags", tags, remote["tags"]):
                to_remote["tags"] = tags
            continue
        here = not same_value(name, base[name], local[name])
        there = not same_value(name, base[name], remote[name])
        if here and there and not same_value(name, local[name], remote[name]):
            conflicts.append((name, local[name], remote[name]))
            if prefer == "remote":
                to_local[name] = remote[name]
            else:
                to_remote[name] = local[name]
        elif there and not here:
            to_local[name] = remote[name]
        elif here and not there:
            to_remote[name] = local[name]
    return to_local, to_remote, conflicts


def _merged_tags(base: Sequence[str], local: Sequence[str], remote: Sequence[str]) -> list[str]:
    def slugs(names: Sequence[str]) -> dict[str, str]:
        return {slugify(n, "tag"): n for n in names}

    b, ll, r = slugs(base), slugs(local), slugs(remote)
    kept = [s for s in ll if (s in r) or s not in b]  # the local spelling of a tag both have
    kept += [s for s in r if s not in ll and s not in b]
    return [ll.get(s) or r[s] for s in kept]


# -- one sync ----------------------------------------------------------------------------------


@dataclass
class _Push:
    kind: str  # create | update | delete
    href: str | None
    etag: str | None
    #: None for a create of a contact the server lacks: its card is built just before its write.
    card: Card | None
    contact_id: int | None
    uid: str | None = None


@dataclass
class _Plan:
    changes: list[LocalChange] = field(default_factory=list)
    items: list[ItemWrite] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)
    conflicts: list[SyncConflict] = field(default_factory=list)
    pushes: list[_Push] = field(default_factory=list)


def sync(
    store: Store,
    name: str,
    *,
    remote: Remote | None = None,
    prefer: str = "remote",
    force: bool = False,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> SyncReport:
    """Sync the workspace with its address book ``name`` (see the module's docstring).

    A sync that would delete more than half of either side (and more than ``GUARD_MIN``) is a
    Conflict unless ``force``; ``dry_run`` reads both sides and changes nothing anywhere.
    ``progress(phase, done, total)`` is called as cards are read (``PULL``), once as what they
    change here is written (``SAVE``, 0 of the changes: up to then nothing was changed) and as
    cards are written to the address book (``PUSH``). It may raise to stop the sync.
    """
    if prefer not in PREFER:
        raise ValueError(f"prefer is local or remote, not {prefer!r}")
    with store.sync_lock(name) as source:  # one sync of an address book at a time (SyncBusy)
        return _sync(store, source, remote, prefer, force, dry_run, progress)


def _sync(
    store: Store,
    source: SyncSource,
    remote: Remote | None,
    prefer: str,
    force: bool,
    dry_run: bool,
    progress: Callable[[str, int, int], None] | None,
) -> SyncReport:
    if remote is None:
        remote = open_source(source)
    report = SyncReport(source.name, dry_run=dry_run)

    # Where the contacts here are now, read before them: if no change was made here since the
    # last complete sync noted it, and the server says nothing changed, there is nothing to do.
    mark = store.sync_local_mark()
    changed, deleted, token = _remote_changes(store, remote, source)
    if not changed and not deleted and mark == store.sync_mark(source.name):
        if not dry_run:
            store.record_sync_items(source.name, token=token)
        return report
    if not dry_run:
        store.forget_sync_mark(source.name)  # until this sync ends complete
    # Only what this sync needs is held: the cards changed there, deleted there, or whose
    # contact changed (or went) here (found a batch at a time), and their contacts and those
    # linked to no card; never every card and every contact at once.
    items = store.sync_items(source.name, {*changed, *deleted, *store.sync_changed_here(source.name)})
    card_total, contact_total = store.sync_totals(source.name)
    fetched: dict[str, tuple[str, str]] = {}
    wanted = sorted(changed)
    for start in range(0, len(wanted), FETCH_BATCH):
        fetched.update(remote.fetch(wanted[start : start + FETCH_BATCH]))
        if progress is not None:
            progress(PULL, min(start + FETCH_BATCH, len(wanted)), len(wanted))
    report.fetched = len(fetched)
    if progress is not None:
        progress(PULL, len(wanted), len(wanted))  # the last moment to stop with nothing changed
    # The contacts linked to no card are read a batch at a time; only their ids are kept, and
    # the fields of those a card fetched could be linked to (by email, or name and phone).
    unlinked: list[int] = []
    candidates: set[int] = set()
    keys: tuple[set[str], set[tuple[str, str]]] | None = None
    for rows in store.sync_unlinked(source.name):
        if keys is None:
            keys = _link_keys(fetched, items)
        emails, names = keys
        for cid, email, name, phone in rows:
            unlinked.append(cid)
            if email_key(email) in emails if email else _name_key({"name": name, "phone": phone}) in names:
                candidates.add(cid)
    local = store.sync_local_subset(
        source.name, {i.contact_id for i in items.values() if i.contact_id is not None} | candidates
    )
    plan = _decide(store, source, items, fetched, deleted, local, prefer, unlinked)

    local_deletes = sum(1 for c in plan.changes if c.kind == "delete")
    remote_deletes = sum(1 for p in plan.pushes if p.kind == "delete")
    for count, total, where in (
        (local_deletes, contact_total, "contacts here"),
        (remote_deletes, card_total, f"cards in {source.name}"),
    ):
        if not force and count > GUARD_MIN and count > total / 2:
            raise Conflict(
                f"this sync would delete {count} of {total} {where}; nothing was changed"
                " (if that is right, run it again with --force)",
                field="force",
            )
    report.conflicts = plan.conflicts
    for kind, key in (("create", "created"), ("update", "updated"), ("delete", "deleted")):
        report.pulled[key] = sum(1 for c in plan.changes if c.kind == kind)
    if dry_run:
        for kind, key in (("create", "created"), ("update", "updated"), ("delete", "deleted")):
            report.pushed[key] = sum(1 for p in plan.pushes if p.kind == kind)
        return report

    if progress is not None:  # the changes are written in one transaction: no count while it runs
        progress(SAVE, 0, len(plan.changes))
    if plan.changes or plan.items or plan.forget or plan.conflicts:
        applied = store.apply_sync(
            source.name, plan.changes, plan.items, forget=plan.forget, conflicts=plan.conflicts
        )
        for push in plan.pushes:
            if push.contact_id is None and push.href is not None and push.kind != "delete":
                push.contact_id = applied.contacts.get(push.href)
    _push(store, source.name, remote, plan.pushes, report, token, progress, mark)
    return report


def _remote_changes(
    store: Store, remote: Remote, source: SyncSource
) -> tuple[dict[str, str], set[str], str | None]:
    """The cards that changed on the server since the last sync (href -> etag), those deleted,
    and the server's new sync-token (None without one). With a token, only the etags of the
    cards the server names are read here."""
    found = remote.changes(source.sync_token)
    if found is not None:
        known = store.sync_item_etags(source.name, [*found.changed, *found.deleted])
        changed = {h: e for h, e in found.changed.items() if known.get(h) != e}
        return changed, {h for h in found.deleted if h in known}, found.token
    listing = remote.listing()
    known = store.sync_item_etags(source.name)
    changed = {h: e for h, e in listing.items() if known.get(h) != e}
    return changed, {h for h in known if h not in listing}, None


def _decide(
    store: Store,
    source: SyncSource,
    items: dict[str, SyncItem],
    fetched: dict[str, tuple[str, str]],
    deleted: set[str],
    local: dict[int, Fields],
    prefer: str,
    unlinked: Sequence[int] = (),
) -> _Plan:
    """``local``: the contacts of ``items`` and those of ``unlinked`` (contacts linked to no
    card, in order of id) that a fetched card may be linked to."""
    plan = _Plan()
    linked = {i.contact_id for i in items.values() if i.contact_id is not None}
    unlinked_by_email = {
        email_key(local[cid]["email"]): cid for cid in unlinked if cid in local and local[cid]["email"]
    }
    # A contact with no email (a phone's contact often has a number only) links to a card with
    # none by its name and phone, so that a first sync after an import, or after 'sync remove',
    # does not make a second copy of it on each side.
    unlinked_by_name: dict[tuple[str, str], list[int]] = {}
    for cid in unlinked:
        if cid in local and not local[cid]["email"]:
            unlinked_by_name.setdefault(_name_key(local[cid]), []).append(cid)

    def conflict(
        cid: int | None, who: str, name: str, here: Any, there: Any, kept: str, href: str | None = None
    ):
        plan.conflicts.append(SyncConflict(cid, who, name, here, there, kept, href))

    for href in sorted(fetched):
        etag, text = fetched[href]
        cards = parse_cards(text)
        if len(cards) != 1:
            # Not one vCard (no card, or a vdir file holding several, which writing one card back
            # would cut short): left alone on both sides, and known (linked to no contact), so
            # that it is read again only when it changes.
            plan.items.append(ItemWrite(href, etag, None, text, {}, None))
            continue
        card = cards[0]
        remote = card_values(card.fields())
        uid = card.fields().uid
        item = items.get(href)
        if item is not None and item.contact_id in local:
            cid = item.contact_id
            assert cid is not None
            _merge_into(plan, cid, item.base, local[cid], remote, prefer, href, etag, card, conflict)
            plan.items.append(ItemWrite(href, etag, uid, text, remote, cid))
        elif item is not None and item.contact_id is not None:
            # Deleted here, changed there: kept (the server's version comes back), and said so.
            plan.changes.append(LocalChange("create", fields=remote, href=href))
            plan.items.append(ItemWrite(href, etag, uid, text, remote))
            conflict(None, remote["name"], "deleted", "deleted", "changed", "remote", href)
        else:
            if remote["email"]:
                match = unlinked_by_email.pop(email_key(remote["email"]), None)
            else:
                same = unlinked_by_name.get(_name_key(remote))
                match = same.pop(0) if same else None
            if match is not None:  # the first sync links a card to the contact of its email
                linked.add(match)
                _merge_into(plan, match, EMPTY, local[match], remote, prefer, href, etag, card, conflict)
                plan.items.append(ItemWrite(href, etag, uid, text, remote, match))
            else:
                plan.changes.append(LocalChange("create", fields=remote, href=href))
                plan.items.append(ItemWrite(href, etag, uid, text, remote))

    untouched = [h for h in items if h not in fetched and h not in deleted]
    # What changed here since the last sync, for each card whose contact is still here.
    here: dict[str, set[str]] = {}
    for href in [*deleted, *untouched]:
        cid = items[href].contact_id
        if cid in local:
            here[href] = changed_fields(items[href].base, local[cid])  # type: ignore[index]
    wanted = [h for h in sorted(deleted) if h in here] + [h for h in untouched if here.get(h)]
    texts = store.sync_cards(source.name, wanted) if wanted else {}

    for href in sorted(deleted):
        item = items[href]
        plan.forget.append(href)
        cid = item.contact_id
        if cid not in local:
            continue
        assert cid is not None
        if here[href]:
            # Deleted there, changed here: kept, and written back to the server as a new card.
            conflict(cid, local[cid]["name"], "deleted", "changed", "deleted", "local")
            old = parse_cards(texts.get(href, ""))
            card = with_values(old[0], local[cid]) if old else card_for(local[cid], item.uid or _new_uid())
            plan.pushes.append(_Push("create", None, None, card, cid, card.fields().uid or _new_uid()))
        else:
            plan.changes.append(LocalChange("delete", cid))

    for href in sorted(untouched):
        item = items[href]
        cid = item.contact_id
        if cid is None:
            continue  # a card linked to no contact (not a vCard): left alone
        if cid not in local:  # deleted here: deleted there (if the card is still as it was)
            plan.pushes.append(_Push("delete", href, item.etag, None, None))
            continue
        assert cid is not None
        if here[href]:
            old = parse_cards(texts.get(href, ""))
            values = {f: local[cid][f] for f in here[href]}
            card = with_values(old[0], values) if old else card_for(local[cid], item.uid or _new_uid())
            plan.pushes.append(_Push("update", href, item.etag, card, cid, item.uid))

    for cid in unlinked:
        if cid not in linked:  # here only: written to the server (its card built as it is)
            plan.pushes.append(_Push("create", None, None, None, cid))
    return plan


def _merge_into(
    plan: _Plan,
    cid: int,
    base: Fields,
    local: Fields,
    remote: Fields,
    prefer: str,
    href: str,
    etag: str,
    card: Card,
    conflict: Callable[..., None],
) -> None:
    to_local, to_remote, both = merge(base, local, remote, prefer)
    if to_local:
        plan.changes.append(LocalChange("update", cid, to_local))
    for name, here, there in both:
        conflict(cid, local["name"], name, here, there, prefer)
    if to_remote:
        plan.pushes.append(_Push("update", href, etag, with_values(card, to_remote), cid, card.fields().uid))


def _link_keys(
    fetched: dict[str, tuple[str, str]], items: dict[str, SyncItem]
) -> tuple[set[str], set[tuple[str, str]]]:
    """The email keys, and the name keys of those without an email, of the cards fetched that
    no contact here is linked to: the contacts a first sync may link them to."""
    emails: set[str] = set()
    names: set[tuple[str, str]] = set()
    for href, (_, text) in fetched.items():
        item = items.get(href)
        if item is not None and item.contact_id is not None:
            continue
        cards = parse_cards(text)
        if len(cards) != 1:
            continue
        values = card_values(cards[0].fields())
        if values["email"]:
            emails.add(email_key(values["email"]))
        else:
            names.add(_name_key(values))
    return emails, names


def _name_key(values: Fields) -> tuple[str, str]:
    """A contact's name (in any case and spacing) and the digits of its phone."""
    phone = "".join(ch for ch in values["phone"] or "" if ch.isdigit())
    return " ".join(values["name"].casefold().split()), phone


def _new_uid() -> str:
    return str(uuid.uuid4())


def _push(
    store: Store,
    name: str,
    remote: Remote,
    pushes: list[_Push],
    report: SyncReport,
    token: str | None,
    progress: Callable[[str, int, int], None] | None,
    mark: str | None = None,
) -> None:
    """Write to the server, recording each card's new state as it succeeds (in batches), and
    the sync's time and token at the end. A card changed there meanwhile is left for the next
    sync; any other failure stops here, with what was written so far recorded."""
    done: list[ItemWrite] = []
    gone: list[str] = []
    keys = {"create": "created", "update": "updated", "delete": "deleted"}

    def record(finished: bool) -> None:
        if done or gone or finished:
            # A sync that left a card for the next one (changed there meanwhile) notes no mark:
            # the next one reads everything again.
            end = {"token": token, "mark": None if report.deferred else mark} if finished else {}
            store.record_sync_items(name, list(done), forget=list(gone), **end)
        done.clear()
        gone.clear()

    cards: dict[int, Card] = {}
    try:
        for number, push in enumerate(pushes, 1):
            if (number - 1) % PUSH_CHUNK == 0:
                cards = _cards_of(store, pushes[number - 1 : number - 1 + PUSH_CHUNK])
            if push.kind == "create" and push.card is None:
                card = cards.pop(push.contact_id, None)  # type: ignore[arg-type]
                if card is None:  # deleted here since the sync read it: nothing to write
                    if progress is not None:
                        progress(PUSH, number, len(pushes))
                    continue
                push = dataclasses.replace(push, card=card, uid=card.fields().uid)
            try:
                if push.kind == "delete":
                    assert push.href is not None and push.etag is not None
                    remote.delete(push.href, push.etag)
                    gone.append(push.href)
                else:
                    assert push.card is not None
                    text = push.card.text()
                    if push.kind == "create":
                        href, etag = remote.create(push.uid or _new_uid(), text)
                    else:
                        assert push.href is not None and push.etag is not None
                        href, etag = push.href, remote.update(push.href, push.etag, text)
                    base = card_values(push.card.fields())
                    done.append(ItemWrite(href, etag, push.card.fields().uid, text, base, push.contact_id))
            except RemoteChanged:
                report.deferred += 1
                continue
            report.pushed[keys[push.kind]] += 1
            if len(done) + len(gone) >= RECORD_EVERY:
                record(False)
            if progress is not None:
                progress(PUSH, number, len(pushes))
    except BaseException:
        record(False)
        raise
    record(True)


def _cards_of(store: Store, pushes: Sequence[_Push]) -> dict[int, Card]:
    """The new cards of the contacts the server lacks among ``pushes`` (one chunk), by contact,
    built from the contacts as they are now."""
    ids = [p.contact_id for p in pushes if p.kind == "create" and p.card is None and p.contact_id is not None]
    if not ids:
        return {}
    return {cid: card_for(values, _new_uid()) for cid, values in store.sync_contact_fields(ids).items()}
