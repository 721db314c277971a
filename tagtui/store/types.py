"""The plain values the store returns: detached from any connection, safe to pass between threads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Settings:
    workspace: str
    max_tags_per_contact: int | None
    bulk_limit: int
    #: Duplicates: the country of phone numbers written without ``+``; None: only ``+`` numbers parse.
    phone_region: str | None = None
    #: Duplicates: emails compared without ``+tags`` and Gmail's dots.
    email_folding: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Tag:
    id: int
    name: str
    slug: str
    color: str
    emoji: str | None
    description: str | None
    created_at: str
    updated_at: str
    rev: int
    #: Number of contacts carrying the tag (filled in listings and ``get_tag``).
    contacts: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.contacts is None:
            del data["contacts"]
        return data


@dataclass(frozen=True)
class Status:
    id: int
    name: str
    slug: str
    color: str
    position: int
    created_at: str
    updated_at: str
    rev: int
    contacts: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.contacts is None:
            del data["contacts"]
        return data


@dataclass(frozen=True)
class TagRef:
    """A tag as shown beside a contact: enough to draw a chip."""

    id: int
    name: str
    slug: str
    color: str
    emoji: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "slug": self.slug}


@dataclass(frozen=True)
class ContactRow:
    """A contact as listed: its fields, its status name and its tags."""

    id: int
    name: str
    email: str | None
    company: str | None
    phone: str | None
    assignee: str | None
    followers: int
    status: str | None
    tags: tuple[TagRef, ...]
    status_id: int | None = None
    status_color: str | None = None
    name_key: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "company": self.company,
            "phone": self.phone,
            "assignee": self.assignee,
            "followers": self.followers,
            "status": self.status,
            "tags": [t.name for t in self.tags],
        }


@dataclass(frozen=True)
class Contact(ContactRow):
    """One contact in full."""

    notes: str | None = None
    created_at: str = ""
    updated_at: str = ""
    rev: int = 1

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data.update(
            notes=self.notes,
            status_id=self.status_id,
            tag_ids=[t.id for t in self.tags],
            created_at=self.created_at,
            updated_at=self.updated_at,
            rev=self.rev,
        )
        return data


@dataclass(frozen=True)
class Page:
    """One page of a listing and the total it is a page of."""

    total: int
    rows: tuple[Any, ...]
    limit: int
    offset: int
    #: The key to pass as ``after`` for the page that follows (None: no rows).
    next_after: tuple | None = None


@dataclass(frozen=True)
class TagChange:
    """What ``change_tags`` / ``sync_tags`` did to one contact (reference 002)."""

    contact_id: int
    tags: tuple[TagRef, ...]
    added: tuple[int, ...]
    removed: tuple[int, ...]
    created: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id,
            "tags": [t.to_json() for t in self.tags],
            "added": list(self.added),
            "removed": list(self.removed),
        }


@dataclass(frozen=True)
class BulkResult:
    """A bulk change: how many contacts it changed, out of how many it was asked about."""

    tag_id: int | None
    requested: int
    changed: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SetupItem:
    name: str
    created: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "created": self.created}


@dataclass(frozen=True)
class Event:
    id: int
    at: str
    kind: str
    subject_type: str
    subject_id: int | None
    payload: dict[str, Any] = field(default_factory=dict)
    #: The undo step the event belongs to, and that step's state: ``done``, ``undone``
    #: (taken back by undo) or ``dropped``; ``None`` for events outside undo.
    step_id: int | None = None
    step_state: str | None = None
    #: What the step did, in words ("+VIP on 1,204 contacts").
    step_summary: str | None = None
    #: Who made the step (``TAGTUI_ACTOR`` or user@host); ``None`` before schema 3.
    step_actor: str | None = None

    @property
    def dropped(self) -> bool:
        return self.step_state == "dropped"

    @property
    def undone(self) -> bool:
        return self.step_state == "undone"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class UndoResult:
    """What ``undo`` or ``redo`` took back or did again: one step, and how many rows it touched."""

    action: str  # "undo" | "redo"
    step_id: int
    kind: str
    summary: str
    #: e.g. ``{"tags_added": 0, "tags_removed": 1204, "statuses_changed": 0, ...}``
    counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MergeResult:
    """A tag merge: the source's contacts now have the target; the source is gone."""

    source: int
    source_name: str
    target: int
    target_name: str
    #: Contacts that had the source; of them, how many gained the target (the rest had it).
    contacts: int
    gained: int
    tag: Tag | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["tag"] = self.tag.to_json() if self.tag else None
        return out


@dataclass(frozen=True)
class View:
    name: str
    query: str
    #: Why the view no longer runs (a tag or status it names was deleted), or ``None``.
    broken: str | None = None
    #: The order it lists in (``email``, ``followers:desc``); ``None``: by name.
    sort: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "query": self.query, "broken": self.broken, "sort": self.sort}
