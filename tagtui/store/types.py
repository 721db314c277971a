"""The plain values the store returns: detached from any connection, safe to pass between threads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar


class JsonRecord:
    """A value ``--json`` prints, turned into JSON one way: its dataclass fields in order
    (``JSON_FIELDS`` picks and orders them), renamed by ``JSON_NAMES``, those in ``JSON_OPTIONAL``
    left out when None or empty; a nested record becomes its own JSON, a tuple a list, a dict a
    copy. A record whose JSON is not its fields (names for tags, a computed summary) overrides
    ``to_json``."""

    JSON_FIELDS: ClassVar[tuple[str, ...]] = ()
    JSON_NAMES: ClassVar[Mapping[str, str]] = {}
    JSON_OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        optional = self.JSON_OPTIONAL
        for name in self.JSON_FIELDS or _field_names(type(self)):
            value = getattr(self, name)
            if name in optional and (value is None or value == () or value == []):
                continue
            out[self.JSON_NAMES.get(name, name)] = json_value(value)
        return out


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def json_value(value: Any) -> Any:
    """``value`` as JSON takes it: records by their ``to_json``, tuples and lists as lists, dicts copied."""
    if isinstance(value, JsonRecord):
        return value.to_json()
    if isinstance(value, (tuple, list)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Settings(JsonRecord):
    workspace: str
    max_tags_per_contact: int | None
    bulk_limit: int
    #: Duplicates: the country of phone numbers written without ``+``; None: only ``+`` numbers parse.
    phone_region: str | None = None
    #: Duplicates: emails compared without ``+tags`` and Gmail's dots.
    email_folding: bool = False


@dataclass(frozen=True)
class Tag(JsonRecord):
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

    JSON_OPTIONAL = frozenset({"contacts"})


@dataclass(frozen=True)
class Status(JsonRecord):
    id: int
    name: str
    slug: str
    color: str
    position: int
    created_at: str
    updated_at: str
    rev: int
    contacts: int | None = None

    JSON_OPTIONAL = frozenset({"contacts"})


@dataclass(frozen=True)
class TagRef(JsonRecord):
    """A tag as shown beside a contact: enough to draw a chip."""

    id: int
    name: str
    slug: str
    color: str
    emoji: str | None = None

    JSON_FIELDS = ("id", "name", "slug")


@dataclass(frozen=True)
class ContactRow(JsonRecord):
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

    def to_json(self) -> dict[str, Any]:  # its tags by name: what a reader of a listing wants
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
    next_after: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class TagChange(JsonRecord):
    """What ``change_tags`` / ``sync_tags`` did to one contact (reference 002)."""

    contact_id: int
    tags: tuple[TagRef, ...]
    added: tuple[int, ...]
    removed: tuple[int, ...]
    created: tuple[int, ...] = ()

    JSON_FIELDS = ("contact_id", "tags", "added", "removed")


@dataclass(frozen=True)
class BulkResult(JsonRecord):
    """A bulk change: how many contacts it changed, out of how many it was asked about."""

    tag_id: int | None
    requested: int
    changed: int


@dataclass(frozen=True)
class SetupItem(JsonRecord):
    name: str
    created: bool


@dataclass(frozen=True)
class Event(JsonRecord):
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


@dataclass(frozen=True)
class UndoResult(JsonRecord):
    """What ``undo`` or ``redo`` took back or did again: one step, and how many rows it touched."""

    action: str  # "undo" | "redo"
    step_id: int
    kind: str
    summary: str
    #: e.g. ``{"tags_added": 0, "tags_removed": 1204, "statuses_changed": 0, ...}``
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MergeResult(JsonRecord):
    """A tag merge: the source's contacts now have the target; the source is gone."""

    source: int
    source_name: str
    target: int
    target_name: str
    #: Contacts that had the source; of them, how many gained the target (the rest had it).
    contacts: int
    gained: int
    tag: Tag | None = None


@dataclass(frozen=True)
class View(JsonRecord):
    name: str
    query: str
    #: Why the view no longer runs (a tag or status it names was deleted), or ``None``.
    broken: str | None = None
    #: The order it lists in (``email``, ``followers:desc``); ``None``: by name.
    sort: str | None = None
