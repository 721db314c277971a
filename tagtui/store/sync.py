"""Sync with address books (issue 13): the sources, the state of their cards, and a sync's local side.

The algorithm lives in ``tagtui.sync.engine``; here are its rules about the database: a
source's name and URL, never a password; what each card was at the last sync (the base of
the next three-way merge); and the local side of one sync, applied in one transaction that
is one undo step, through the store's own contact operations.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tagtui.store.base import UNSET, StoreBase
from tagtui.store.contacts import CONTACT_FIELDS
from tagtui.store.db import IntegrityViolation, Tx, url_secrets
from tagtui.store.errors import Conflict, NotFound, TagtuiError, ValidationError
from tagtui.store.identity import email_key, slugify
from tagtui.store.schema import now
from tagtui.store.types import JsonRecord
from tagtui.store.validation import (
    ASSIGNEE_MAX,
    COMPANY_MAX,
    CONTACT_NAME_MAX,
    NOTES_MAX,
    PHONE_MAX,
    clean_email,
    clean_followers,
    clean_label_name,
    clean_text,
)

if TYPE_CHECKING:
    from tagtui.store.store import Store
    from tagtui.store.tags import TagService

#: The fields a sync carries between a contact and a card, in this order.
SYNC_FIELDS = ("name", "email", "phone", "company", "notes", "tags", "status", "assignee", "followers")
#: Plain text fields and their length limits (longer text from a server is cut to fit).
_TEXT_LIMITS = {"phone": PHONE_MAX, "company": COMPANY_MAX, "notes": NOTES_MAX, "assignee": ASSIGNEE_MAX}
#: ``tagtui sync add|list|remove`` are commands: a source cannot be called so.
RESERVED_NAMES = frozenset({"add", "list", "remove"})
SOURCE_NAME_MAX = 64
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
#: Contacts a sync creates per round of bulk statements.
CREATE_BATCH = 1000
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SOURCE_COLUMNS = (
    "s.id, s.name, s.url, s.username, s.password_env, s.password_command, s.sync_token, s.last_sync,"
    " s.created_at"
)

Fields = dict[str, Any]


class SyncBusy(TagtuiError):
    """Another sync of the same address book is running (another terminal, or the app)."""

    exit_code = 1
    kind = "sync"


@dataclass(frozen=True)
class SyncSource(JsonRecord):
    """An address book the workspace syncs with. It holds no password, only where to find one."""

    id: int
    name: str
    url: str
    username: str | None
    password_env: str | None
    password_command: str | None
    sync_token: str | None
    last_sync: str | None
    created_at: str
    #: Contacts linked to a card of this address book.
    contacts: int = 0

    JSON_FIELDS = ("name", "url", "last_sync", "contacts")


@dataclass(frozen=True)
class SyncItem:
    """A card as last synced: where it is, its version, its contact and the agreed fields."""

    href: str
    etag: str
    uid: str | None
    contact_id: int | None
    base: Fields


@dataclass(frozen=True)
class ItemWrite:
    """A card's state to record: ``contact_id`` None links it to the contact that a ``create``
    change of the same apply makes for ``href``."""

    href: str
    etag: str
    uid: str | None
    card: str
    base: Fields
    contact_id: int | None = None


@dataclass(frozen=True)
class LocalChange:
    """One change to a contact: ``create`` (``fields`` in full; ``href`` its card), ``update``
    (only the fields that change) or ``delete``."""

    kind: str
    contact_id: int | None = None
    fields: Fields = field(default_factory=dict)
    href: str | None = None


@dataclass(frozen=True)
class SyncConflict(JsonRecord):
    """A field both sides changed differently (or a contact one side deleted and the other
    changed, ``field`` "deleted"): which side was kept, and the value of each side."""

    contact_id: int | None
    name: str
    field: str
    local: Any
    remote: Any
    kept: str
    #: For a contact this sync creates (``contact_id`` None): its card.
    href: str | None = None

    JSON_FIELDS = ("contact_id", "field", "local", "remote", "kept")
    JSON_NAMES = {"contact_id": "contact"}


@dataclass(frozen=True)
class Applied:
    """What a sync's local side did, and the contacts it created, by their card's href."""

    created: int
    updated: int
    deleted: int
    contacts: dict[str, int]


# -- the fields of a contact as a sync sees them --------------------------------------------


def sync_time(stamp: str | None) -> str:
    """A stored time of a sync as people read it: ``2026-12-04 16:02 UTC``, or ``never``."""
    return f"{stamp[:10]} {stamp[11:16]} UTC" if stamp else "never"


def clean_sync_fields(values: dict[str, Any]) -> Fields:
    """A card's fields as a contact can hold them: trimmed, cut to the limits, a bad email or
    tag left out, a missing name taken from the email (or "(no name)"). Cleaning the fields of
    a contact gives them back unchanged, so the two sides compare equal when they agree."""
    out: Fields = {}
    for name, limit in _TEXT_LIMITS.items():
        out[name] = _lenient_text(values.get(name), name, limit)
    try:
        out["email"] = clean_email(_text_or_none(values.get("email")))
    except ValidationError:
        out["email"] = None
    given = _lenient_text(values.get("name"), "name", CONTACT_NAME_MAX)
    out["name"] = given or out["email"] or out["phone"] or out["company"] or "(no name)"
    tags: dict[str, str] = {}
    for raw in values.get("tags") or ():
        label = _label(str(raw), "tag")
        if label is not None:
            tags.setdefault(label[1], label[0])
    out["tags"] = list(tags.values())
    status = values.get("status")
    label = _label(str(status), "status") if status not in (None, "") else None
    out["status"] = label[0] if label is not None else None
    out["followers"] = _lenient_followers(values.get("followers"))
    return {k: out[k] for k in SYNC_FIELDS}


@lru_cache(maxsize=4096)
def _label(text: str, what: str) -> tuple[str, str] | None:
    """A tag or status name and its slug, or None if it cannot be one (the same few names
    come on card after card)."""
    try:
        return clean_label_name(text, what=what)
    except ValidationError:
        return None


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return str(value)


def _lenient_text(value: Any, name: str, limit: int) -> str | None:
    text = _text_or_none(value)
    if text is None:
        return None
    text = text.replace("\x00", "").strip()[:limit]
    return clean_text(text, field=name, limit=limit)


def _lenient_followers(value: Any) -> int:
    if isinstance(value, list | tuple):
        value = value[0] if len(value) == 1 else None
    try:
        return clean_followers(value)
    except ValidationError:
        return 0


def same_value(field_name: str, a: Any, b: Any) -> bool:
    """Whether two values of a sync field mean the same: tags as sets, statuses by slug and
    emails without case (as contacts are matched)."""
    if a == b:
        return True
    if field_name == "email":
        return (email_key(a) if a else None) == (email_key(b) if b else None)
    if field_name == "tags":
        return {slugify(t, "tag") for t in a or ()} == {slugify(t, "tag") for t in b or ()}
    if field_name == "status":
        return (slugify(a, "status") if a else None) == (slugify(b, "status") if b else None)
    same: bool = a == b
    return same


def changed_fields(before: Fields, after: Fields) -> set[str]:
    """The sync fields whose value differs between ``before`` and ``after``."""
    return {f for f in SYNC_FIELDS if not same_value(f, before.get(f), after.get(f))}


# -- the store's part ---------------------------------------------------------------------


class SyncService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions, ``store`` the whole store, through which it reaches the parts it is not given."""

    def __init__(self, core: StoreBase, store: Store, tags: TagService) -> None:
        self._core = core
        self._store = store
        self._tags = tags

    # -- sources ----------------------------------------------------------------------------

    def check_sync_source(
        self,
        name: str,
        url: str,
        *,
        username: str | None = None,
        password_env: str | None = None,
        password_command: str | None = None,
    ) -> SyncSource:
        """The address book ``add_sync_source`` would add, checked and not saved (its ``id`` is 0):
        what a caller contacts the server with before it saves the link."""
        draft = self._draft_source(name, url, username, password_env, password_command)
        self._core._read(lambda tx: self._check_free(tx, draft.name, draft.url))
        return draft

    def add_sync_source(
        self,
        name: str,
        url: str,
        *,
        username: str | None = None,
        password_env: str | None = None,
        password_command: str | None = None,
    ) -> SyncSource:
        """A new address book to sync with. A name taken (in any case) is a Conflict; a URL
        with a password in it is refused: give the variable or the command that holds it.
        (``tagtui.sync.engine.add_source`` contacts the server first.)"""
        draft = self._draft_source(name, url, username, password_env, password_command)
        clean_name, clean_url = draft.name, draft.url

        def run(tx: Tx) -> SyncSource:
            self._check_free(tx, clean_name, clean_url)
            try:
                tx.execute(
                    "INSERT INTO sync_source (workspace_id, name, name_key, url, username, password_env,"
                    " password_command, created_at) VALUES (:ws, :name, :key, :url, :user, :env,"
                    " :command, :at)",
                    self._core._params(
                        name=clean_name,
                        key=clean_name.lower(),
                        url=clean_url,
                        user=draft.username,
                        env=draft.password_env,
                        command=draft.password_command,
                        at=now(),
                    ),
                )
            except IntegrityViolation as exc:
                raise Conflict(f"an address book named {clean_name!r} already exists", field="name") from exc
            self._core._event(
                tx, "sync.source_added", "workspace", self._core.workspace_id, name=clean_name, url=clean_url
            )
            return self._source(tx, clean_name)

        return self._core._write(run)

    def _draft_source(
        self,
        name: str,
        url: str,
        username: str | None,
        password_env: str | None,
        password_command: str | None,
    ) -> SyncSource:
        clean_name = check_source_name(name)
        clean_url = _clean_url(url)
        user = clean_text(username, field="user", limit=200)
        env = clean_text(password_env, field="password_env", limit=200)
        command = clean_text(password_command, field="password_command", limit=2000)
        if env is not None and command is not None:
            raise ValidationError("give --password-env or --password-command, not both", field="password")
        if env is not None and not _ENV_NAME.match(env):
            raise ValidationError(
                "--password-env is the name of an environment variable (letters, digits, _), not a password",
                field="password_env",
            )
        return SyncSource(0, clean_name, clean_url, user, env, command, None, None, now())

    def _check_free(self, tx: Tx, name: str, url: str) -> None:
        taken = tx.scalar(
            "SELECT name FROM sync_source WHERE workspace_id = :ws AND name_key = :key",
            self._core._params(key=name.lower()),
        )
        if taken is not None:
            raise Conflict(f"an address book named {taken!r} already exists", field="name")
        # Two links to one address book would push each one's contacts into it as new cards.
        same = tx.scalar(
            "SELECT name FROM sync_source WHERE workspace_id = :ws AND url = :url",
            self._core._params(url=url),
        )
        if same is not None:
            raise Conflict(f"address book {same!r} already syncs with {url}", field="url")

    def sync_sources(self) -> list[SyncSource]:
        """Every address book of the workspace, by name, with how many contacts each links."""

        def run(tx: Tx) -> list[SyncSource]:
            rows = tx.all(
                f"SELECT {_SOURCE_COLUMNS}, (SELECT COUNT(*) FROM sync_item i WHERE i.source_id = s.id"
                " AND i.contact_id IS NOT NULL) FROM sync_source s WHERE s.workspace_id = :ws"
                " ORDER BY s.name_key",
                self._core._params(),
            )
            return [SyncSource(*r) for r in rows]

        return self._core._read(run)

    def get_sync_source(self, name: str) -> SyncSource:
        return self._core._read(lambda tx: self._source(tx, name))

    def _source(self, tx: Tx, name: str) -> SyncSource:
        key = name.strip().lower() if isinstance(name, str) else ""
        row = tx.one(
            f"SELECT {_SOURCE_COLUMNS}, (SELECT COUNT(*) FROM sync_item i WHERE i.source_id = s.id"
            " AND i.contact_id IS NOT NULL) FROM sync_source s"
            " WHERE s.workspace_id = :ws AND s.name_key = :key",
            self._core._params(key=key),
        )
        if row is None:
            raise NotFound(
                f"no address book named {str(name).strip()!r} (see 'tagtui sync list')", field="name"
            )
        return SyncSource(*row)

    def remove_sync_source(self, name: str) -> int:
        """Forget an address book and its links; no contact is deleted anywhere. Returns how
        many contacts were linked."""

        def run(tx: Tx) -> int:
            source = self._source(tx, name)
            tx.execute("DELETE FROM sync_item WHERE source_id = :id", {"id": source.id})
            self._set_mark(tx, source.id, None)
            tx.execute("DELETE FROM sync_source WHERE id = :id", {"id": source.id})
            self._core._event(
                tx, "sync.source_removed", "workspace", self._core.workspace_id, name=source.name
            )
            return source.contacts

        return self._core._write(run)

    # -- one sync at a time ---------------------------------------------------------------------

    @contextlib.contextmanager
    def sync_lock(self, name: str) -> Iterator[SyncSource]:
        """Hold the address book ``name`` for one sync (its source is yielded): a second sync of
        it meanwhile, from any process, is refused at once with :class:`SyncBusy` and changes
        nothing. PostgreSQL: a session advisory lock (keyed by the schema and the book) on a
        connection of its own; SQLite: an
        exclusive ``flock`` on a file beside the database (``<db>-sync-<id>.lock``). Both go
        with the process if it dies: no lease to expire, no stale lock to clear."""
        source = self.get_sync_source(name)
        busy = SyncBusy(
            f"address book {source.name} is being synced by another tagtui (a terminal or the app);"
            " nothing was changed: try again when it is done"
        )
        with self._core.db.engine.held(self._core.db, "sync", str(source.id), busy):
            yield source

    # -- the state of the cards ---------------------------------------------------------------

    def sync_items(self, name: str, hrefs: Iterable[str] | None = None) -> dict[str, SyncItem]:
        """The cards of the address book as last synced (these ``hrefs``, or all), by href
        (without the card texts)."""
        wanted = None if hrefs is None else sorted(set(hrefs))
        sql = "SELECT href, etag, uid, contact_id, base FROM sync_item WHERE source_id = :id"

        def run(tx: Tx) -> dict[str, SyncItem]:
            source = self._source(tx, name)
            if wanted is None:
                rows = tx.all(sql, {"id": source.id})
            else:
                rows = []
                for start in range(0, len(wanted), 500):
                    cond, params = self._core.db.in_list("href", "h", wanted[start : start + 500])
                    rows += tx.all(f"{sql} AND {cond}", {"id": source.id, **params})
            return {r[0]: SyncItem(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows}

        return self._core._read(run)

    def sync_changed_here(self, name: str, *, batch: int = 2000) -> set[str]:
        """The cards whose contact changed here since they were last synced, or is gone: read
        ``batch`` cards and their contacts at a time, so that only these hrefs are kept."""
        out: set[str] = set()
        after = 0
        while True:

            def run(tx: Tx, after: int = after) -> tuple[int, list[tuple[Any, ...]]]:
                source = self._source(tx, name)
                rows = tx.all(
                    "SELECT id, href, contact_id, base FROM sync_item WHERE source_id = :id AND id > :after"
                    " AND contact_id IS NOT NULL ORDER BY id LIMIT :n",
                    {"id": source.id, "after": after, "n": batch},
                )
                fields = self._contact_fields(tx, [r[2] for r in rows])
                return rows[-1][0] if rows else after, [(r[1], r[2], r[3], fields.get(r[2])) for r in rows]

            after, rows = self._core._read(run)
            for href, _, base, current in rows:
                if current is None or changed_fields(json.loads(base), current):
                    out.add(href)
            if len(rows) < batch:
                return out

    def sync_local_subset(self, name: str, contact_ids: Iterable[int]) -> dict[int, Fields]:
        """The contacts a sync reads here, as it compares them with cards: these (those still
        here). The contacts linked to no card are found a batch at a time (``sync_unlinked``)."""
        wanted = sorted(set(contact_ids))
        return self._core._read(lambda tx: self._contact_fields(tx, wanted))

    def sync_unlinked(
        self, name: str, *, batch: int = 2000
    ) -> Iterator[list[tuple[int, str | None, str, str | None]]]:
        """(id, email, name, phone) of the contacts linked to no card of the address book
        ``name``, in order of id, ``batch`` at a time (a read each): a first sync of a large
        workspace holds these few fields of them, not every contact."""
        after = 0
        while True:

            def run(tx: Tx, after: int = after) -> list[tuple[int, str | None, str, str | None]]:
                source = self._source(tx, name)
                return [
                    (r[0], r[1], r[2], r[3])
                    for r in tx.all(
                        "SELECT c.id, c.email, c.name, c.phone FROM contact c WHERE c.workspace_id = :ws"
                        " AND c.id > :after AND NOT EXISTS (SELECT 1 FROM sync_item i WHERE"
                        " i.source_id = :src AND i.contact_id = c.id) ORDER BY c.id LIMIT :n",
                        self._core._params(src=source.id, after=after, n=batch),
                    )
                ]

            rows = self._core._read(run)
            if rows:
                yield rows
            if len(rows) < batch:
                return
            after = rows[-1][0]

    def sync_contact_fields(self, contact_ids: Iterable[int]) -> dict[int, Fields]:
        """These contacts (those still here) as a sync sees them, by id: a push reads the
        contacts it writes to the server a chunk at a time, just before writing them."""
        wanted = sorted(set(contact_ids))
        return self._core._read(lambda tx: self._contact_fields(tx, wanted))

    def sync_totals(self, name: str) -> tuple[int, int]:
        """(cards of the address book as last synced, contacts here): the mass-delete guard's sizes."""

        def run(tx: Tx) -> tuple[int, int]:
            source = self._source(tx, name)
            cards = tx.scalar("SELECT COUNT(*) FROM sync_item WHERE source_id = :id", {"id": source.id})
            contacts = tx.scalar(
                "SELECT COUNT(*) FROM contact WHERE workspace_id = :ws", self._core._params()
            )
            return int(cards or 0), int(contacts or 0)

        return self._core._read(run)

    def _contact_fields(self, tx: Tx, ids: Sequence[int]) -> dict[int, Fields]:
        """These contacts of the workspace as a sync sees them (those still here), by id."""
        out: dict[int, Fields] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            cond, params = self._core.db.in_list("c.id", "ids", chunk)
            tags: dict[int, list[str]] = {}
            linked, tag_params = self._core.db.in_list("ct.contact_id", "ids", chunk)
            for cid, tag in tx.all(
                "SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id"
                f" WHERE {linked} ORDER BY t.name_key, t.id",
                tag_params,
            ):
                tags.setdefault(cid, []).append(tag)
            for cid, cname, email, phone, company, notes, status, assignee, followers in tx.all(
                "SELECT c.id, c.name, c.email, c.phone, c.company, c.notes, s.name, c.assignee,"
                " c.followers FROM contact c LEFT JOIN status s ON s.id = c.status_id"
                f" WHERE c.workspace_id = :ws AND {cond}",
                self._core._params(**params),
            ):
                out[cid] = {
                    "name": cname,
                    "email": email,
                    "phone": phone,
                    "company": company,
                    "notes": notes,
                    "tags": tags.get(cid, []),
                    "status": status,
                    "assignee": assignee,
                    "followers": followers,
                }
        return out

    def sync_item_etags(self, name: str, hrefs: Iterable[str] | None = None) -> dict[str, str]:
        """href -> etag of the cards as last synced: these ``hrefs`` (those known), or all. Nothing
        else is read: a sync with nothing changed compares these and stops there."""
        wanted = None if hrefs is None else list(dict.fromkeys(hrefs))

        def run(tx: Tx) -> dict[str, str]:
            source = self._source(tx, name)
            sql = "SELECT href, etag FROM sync_item WHERE source_id = :id"
            if wanted is None:
                return dict(tx.all(sql, {"id": source.id}))
            out: dict[str, str] = {}
            for start in range(0, len(wanted), 500):
                cond, params = self._core.db.in_list("href", "h", wanted[start : start + 500])
                out.update(tx.all(f"{sql} AND {cond}", {"id": source.id, **params}))
            return out

        return self._core._read(run)

    def sync_local_mark(self) -> str:
        """Where the workspace's history is now (``change_marker``), as text: a sync notes it when
        it reads the contacts, and the next one knows from it whether any changed since."""
        newest, recent = self._store.change_marker()
        return f"{newest}:{recent}"

    def sync_mark(self, name: str) -> str | None:
        """The mark a complete sync of ``name`` noted (None: none, or the last sync did not end)."""

        def run(tx: Tx) -> str | None:
            source = self._source(tx, name)
            mark: str | None = tx.scalar(
                'SELECT value FROM tagtui_meta WHERE "key" = :k', {"k": _mark_key(source.id)}
            )
            return mark

        return self._core._read(run)

    def forget_sync_mark(self, name: str) -> None:
        """A sync that changes something begins: until it ends, the next one reads everything."""

        def run(tx: Tx) -> None:
            self._set_mark(tx, self._source(tx, name).id, None)

        self._core._write(run)

    def _set_mark(self, tx: Tx, source_id: int, mark: str | None) -> None:
        tx.execute('DELETE FROM tagtui_meta WHERE "key" = :k', {"k": _mark_key(source_id)})
        if mark is not None:
            tx.execute(
                'INSERT INTO tagtui_meta ("key", value) VALUES (:k, :v)',
                {"k": _mark_key(source_id), "v": mark},
            )

    def sync_cards(self, name: str, hrefs: Iterable[str]) -> dict[str, str]:
        """The texts of these cards as last synced (the lines a write keeps), by href."""
        wanted = list(dict.fromkeys(hrefs))

        def run(tx: Tx) -> dict[str, str]:
            source = self._source(tx, name)
            out: dict[str, str] = {}
            for start in range(0, len(wanted), 500):
                cond, params = self._core.db.in_list("href", "h", wanted[start : start + 500])
                out.update(
                    tx.all(
                        f"SELECT href, card FROM sync_item WHERE source_id = :id AND {cond}",
                        {"id": source.id, **params},
                    )
                )
            return out

        return self._core._read(run)

    # -- a sync's local side -------------------------------------------------------------------

    def apply_sync(
        self,
        name: str,
        changes: Sequence[LocalChange],
        items: Sequence[ItemWrite] = (),
        *,
        forget: Sequence[str] = (),
        conflicts: Sequence[SyncConflict] = (),
        token: str | None = UNSET,
    ) -> Applied:
        """The local side of a sync, in one transaction and one undo step: contacts created,
        updated and deleted (through the store's own operations, so every rule and history
        line is as for an edit by hand), the cards' new states recorded, cards forgotten, and
        each conflict written in its contact's history. ``token``: the server's new sync-token."""
        for change in changes:
            if change.kind not in ("create", "update", "delete"):
                raise ValueError(f"unknown change {change.kind!r}")

        def run(tx: Tx) -> Applied:
            source = self._source(tx, name)
            created: dict[str, int] = {}
            labels: dict[tuple[str, str], int] = {}
            counts = {"create": 0, "update": 0, "delete": 0}
            deletes = sorted(
                {c.contact_id for c in changes if c.kind == "delete" and c.contact_id is not None}
            )
            if deletes:
                cond, params = self._core.db.in_list("id", "ids", deletes)
                present = [
                    r[0]
                    for r in tx.all(
                        f"SELECT id FROM contact WHERE workspace_id = :ws AND {cond}",
                        {**params, **self._core._params()},
                    )
                ]
                if present:
                    counts["delete"] = len(self._store._contact_ops._delete_contacts(tx, present))
            creates = [c for c in changes if c.kind == "create"]
            for change, cid in zip(creates, self._create_synced(tx, creates, labels), strict=True):
                counts["create"] += 1
                if change.href is not None:
                    created[change.href] = cid
            for change in changes:
                if change.kind == "update" and change.contact_id is not None:
                    counts["update"] += int(self._update_synced(tx, change.contact_id, change.fields, labels))
            for conflict in conflicts:
                subject = conflict.contact_id
                if subject is None and conflict.href is not None:
                    subject = created.get(conflict.href)
                if subject is not None:
                    self._core._event(
                        tx,
                        "contact.sync_conflict",
                        "contact",
                        subject,
                        source=source.name,
                        field=conflict.field,
                        local=conflict.local,
                        remote=conflict.remote,
                        kept=conflict.kept,
                    )
            self._write_items(tx, source.id, items, created)
            self._forget_items(tx, source.id, forget)
            self._finish(tx, source.id, token)
            parts = [
                f"{n} {word}"
                for n, word in (
                    (counts["create"], "added"),
                    (counts["update"], "updated"),
                    (counts["delete"], "deleted"),
                )
                if n
            ]
            self._core._label(tx, "sync", f"Synced with {source.name}: " + (", ".join(parts) or "no change"))
            return Applied(counts["create"], counts["update"], counts["delete"], created)

        return self._core._write(run)

    def record_sync_items(
        self,
        name: str,
        items: Sequence[ItemWrite] = (),
        *,
        forget: Sequence[str] = (),
        token: str | None = UNSET,
        mark: str | None = UNSET,
    ) -> None:
        """Record cards' new states after writes to the server (no undo step: the contacts do
        not change), forget cards, and note the sync's time and token; ``mark``: the
        ``sync_local_mark`` the sync read the contacts at, noted when it ended complete."""

        def run(tx: Tx) -> None:
            source = self._source(tx, name)
            self._write_items(tx, source.id, items, {})
            self._forget_items(tx, source.id, forget)
            self._finish(tx, source.id, token)
            if mark is not UNSET:
                self._set_mark(tx, source.id, mark)

        self._core._write(run)

    def _create_synced(
        self, tx: Tx, creates: Sequence[LocalChange], labels: dict[tuple[str, str], int]
    ) -> list[int]:
        """Contacts made from cards, ``CREATE_BATCH`` at a time through the import's bulk writes
        (a statement per batch; the events and undo records an import writes): their ids, in
        order. An email that another contact has (or an earlier card of this sync) stays on the
        card only (two cards of one email)."""
        from tagtui.store.imports import CheckedRow, ImportState, PendingWrites

        state = ImportState(stamp=now(), max_tags=self._core._settings(tx).max_tags_per_contact)
        ids: list[int] = []
        seen: set[str] = set()
        for start in range(0, len(creates), CREATE_BATCH):
            batch = [clean_sync_fields(c.fields) for c in creates[start : start + CREATE_BATCH]]
            taken = self._emails_taken(tx, {email_key(v["email"]) for v in batch if v["email"]})
            out = PendingWrites()
            for values in batch:
                key = email_key(values["email"]) if values["email"] else None
                if key is not None and (key in taken or key in seen):
                    values["email"], key = None, None
                if key is not None:
                    seen.add(key)
                tags = {slugify(n, "tag"): n for n in values["tags"]}
                tag_ids = list(dict.fromkeys(self._tag_label_id(tx, n, s, labels) for s, n in tags.items()))
                status_id = self._status_label_id(tx, values["status"], labels)
                if state.max_tags is not None and len(tag_ids) > state.max_tags:
                    self._store.check_tag_limit(tx, len(tag_ids), True)
                fields = {k: values[k] for k in CONTACT_FIELDS}
                row = CheckedRow(fields, tags, None, None, len(ids) + 1, key)
                made = self._store._imports._create(tx, row, status_id, state, out)
                out.link(made, tag_ids, state.stamp)
                ids.append(made)
            self._store._imports._flush(tx, out, state)
        if state.tagged:
            added = {str(t): n for t, n in state.tagged.items()}
            self._core._event(tx, "contacts.tags_changed", "workspace", None, added=added, removed={})
        return ids

    def _emails_taken(self, tx: Tx, keys: set[str]) -> set[str]:
        if not keys:
            return set()
        cond, params = self._core.db.in_list("email_key", "keys", sorted(keys))
        return {
            r[0]
            for r in tx.all(
                f"SELECT email_key FROM contact WHERE workspace_id = :ws AND {cond}",
                self._core._params(**params),
            )
        }

    def _tag_label_id(self, tx: Tx, name: str, slug: str, labels: dict[tuple[str, str], int]) -> int:
        """The tag of ``slug``, found or created (``labels`` remembers it for the rest of the sync)."""
        key = ("tag", slug)
        if key not in labels:
            labels[key], _ = self._tags._find_or_create_tag(tx, name, slug)
        return labels[key]

    def _status_label_id(self, tx: Tx, name: str | None, labels: dict[tuple[str, str], int]) -> int | None:
        """The status of that name, found by slug or created at the end of the pipeline."""
        if name is None:
            return None
        key = ("status", slugify(name, "status"))
        if key not in labels:
            found = tx.scalar(
                "SELECT id FROM status WHERE workspace_id = :ws AND slug = :slug",
                self._core._params(slug=key[1]),
            )
            labels[key] = found if found is not None else self._store.create_status(name).id
        return labels[key]

    def _update_synced(
        self, tx: Tx, contact_id: int, fields: Fields, labels: dict[tuple[str, str], int]
    ) -> bool:
        """Change the given sync fields of a contact; whether anything changed."""
        values = {k: v for k, v in clean_sync_fields({"name": "-", **fields}).items() if k in fields}
        if "email" in values and values["email"] is not None:
            other = self._core._find_contact_id(tx, values["email"])
            if other is not None and other != contact_id:
                del values["email"]
        changed = False
        plain = {k: v for k, v in values.items() if k not in ("tags", "status")}
        if plain:
            before = tx.scalar("SELECT rev FROM contact WHERE id = :id", {"id": contact_id})
            self._store.update_contact(contact_id, **plain)
            changed = tx.scalar("SELECT rev FROM contact WHERE id = :id", {"id": contact_id}) != before
        return self._set_labels(tx, contact_id, values, labels) or changed

    def _set_labels(
        self, tx: Tx, contact_id: int, values: Fields, labels: dict[tuple[str, str], int]
    ) -> bool:
        """Give a contact exactly the tags and the status of ``values`` (those given), found or
        created by slug (``labels`` remembers them for the rest of the sync)."""
        changed = False
        if "tags" in values:
            wanted: list[int] = []
            created: list[int] = []
            for name in values["tags"]:
                key = ("tag", slugify(name, "tag"))
                if key not in labels:
                    labels[key], made = self._tags._find_or_create_tag(tx, name, key[1])
                    if made:
                        created.append(labels[key])
                wanted.append(labels[key])
            current = self._store._contact_ops._current_tag_ids(tx, contact_id)
            if current != set(wanted):
                gone = sorted(current - set(wanted))
                self._store._contact_ops._change_tags(tx, contact_id, wanted, gone, created=created)
                changed = True
        if "status" in values:
            status_id = self._status_label_id(tx, values["status"], labels)
            before = tx.scalar("SELECT status_id FROM contact WHERE id = :id", {"id": contact_id})
            if before != status_id:
                self._store._contact_ops._set_status(tx, contact_id, status_id)
                changed = True
        return changed

    def _write_items(
        self, tx: Tx, source_id: int, items: Sequence[ItemWrite], created: dict[str, int]
    ) -> None:
        rows = []
        linked = [
            (item, item.contact_id if item.contact_id is not None else created.get(item.href))
            for item in items
        ]
        held = self._emails_held_elsewhere(
            tx, {cid: i.base["email"] for i, cid in linked if cid and i.base.get("email")}
        )
        for item, contact_id in linked:
            base = item.base if contact_id not in held else {**item.base, "email": held[contact_id]}
            rows.append(
                {
                    "src": source_id,
                    "href": item.href,
                    "etag": item.etag,
                    "uid": item.uid,
                    "card": item.card,
                    "base": json.dumps(base, ensure_ascii=False, sort_keys=True),
                    "cid": contact_id,
                }
            )
        if rows:
            tx.executemany(
                "INSERT INTO sync_item (source_id, href, etag, uid, card, base, contact_id)"
                " VALUES (:src, :href, :etag, :uid, :card, :base, :cid)"
                " ON CONFLICT (source_id, href) DO UPDATE SET etag = excluded.etag, uid = excluded.uid,"
                " card = excluded.card, base = excluded.base, contact_id = excluded.contact_id",
                rows,
            )

    def _emails_held_elsewhere(self, tx: Tx, emails: dict[int, str]) -> dict[int, str | None]:
        """Of contacts and the email their card holds, those that do not have it because another
        contact here does (emails are unique per workspace, so a sync did not give it to them):
        contact id -> the email the contact has. Their card's base records that email, so the next
        sync does not read the missing address as a removal here and delete it on the server."""
        if not emails:
            return {}
        cond, params = self._core.db.in_list("id", "ids", sorted(emails))
        own = {
            r[0]: (r[1], r[2])
            for r in tx.all(f"SELECT id, email, email_key FROM contact WHERE {cond}", params)
        }
        differ = {
            cid: email_key(e) for cid, e in emails.items() if cid in own and own[cid][1] != email_key(e)
        }
        if not differ:
            return {}
        cond, params = self._core.db.in_list("email_key", "keys", sorted(set(differ.values())))
        taken = {
            r[0]
            for r in tx.all(
                f"SELECT email_key FROM contact WHERE workspace_id = :ws AND {cond}",
                {**params, **self._core._params()},
            )
        }
        return {cid: own[cid][0] for cid, key in differ.items() if key in taken}

    def _forget_items(self, tx: Tx, source_id: int, hrefs: Sequence[str]) -> None:
        if hrefs:
            tx.executemany(
                "DELETE FROM sync_item WHERE source_id = :src AND href = :href",
                [{"src": source_id, "href": h} for h in hrefs],
            )

    def _finish(self, tx: Tx, source_id: int, token: str | None) -> None:
        if token is UNSET:
            return
        tx.execute(
            "UPDATE sync_source SET sync_token = :token, last_sync = :at WHERE id = :id",
            {"token": token, "at": now(), "id": source_id},
        )


def _mark_key(source_id: int) -> str:
    return f"sync_mark:{source_id}"


def check_source_name(name: object) -> str:
    """An address book's name: letters, digits, ``.``, ``_`` and ``-``, not a command's word."""
    if not isinstance(name, str):
        raise ValidationError("the address book's name must be text", field="name")
    clean = name.strip()
    if not clean:
        raise ValidationError("the address book's name must not be blank", field="name")
    if len(clean) > SOURCE_NAME_MAX:
        raise ValidationError(
            f"the address book's name is {len(clean)} characters; the limit is {SOURCE_NAME_MAX}",
            field="name",
        )
    if not _NAME.match(clean):
        raise ValidationError(
            f"address book name {clean!r}: use letters, digits, '.', '_' and '-'"
            " (starting with a letter or digit)",
            field="name",
        )
    if clean.lower() in RESERVED_NAMES:
        raise ValidationError(f"{clean!r} is a sync command; choose another name", field="name")
    return clean


def _clean_url(url: object) -> str:
    """An http(s) URL without a password in it, or a folder path (made absolute)."""
    if not isinstance(url, str) or not url.strip():
        raise ValidationError("give the address book's URL or folder", field="url")
    text = url.strip()
    if "\x00" in text or any(ch in text for ch in "\r\n"):
        raise ValidationError("the URL holds a control character", field="url")
    if text.lower().startswith("file://"):
        text = text[len("file://") :]
    elif "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise ValidationError(
                f"a {scheme}:// URL cannot be synced: give an http(s) URL or a folder", field="url"
            )
        if url_secrets(text):
            raise ValidationError(
                "the URL holds a password; give it with --password-env or --password-command"
                " (or ~/.netrc) instead: it is never stored",
                field="url",
            )
        return text
    return os.path.abspath(os.path.expanduser(text))
