"""Importing rows into the store: match by email, find-or-create tags and statuses (SPEC §5).

The rules live here, once: the file formats (``tagtui.io``) only turn a file into rows
of ``{column: text}``. A whole import is one transaction: any invalid row refuses it all.

Rows are checked with the store's own validation, one at a time and in order, but written
a batch at a time: the emails of a batch are matched in one query, new contacts are
inserted one statement each, and their tags and history go in with one ``executemany``
per batch. An existing contact whose fields change goes through ``update_contact``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

from tagtui.store.base import StoreBase
from tagtui.store.contacts import CONTACT_FIELDS, _keys, clean_contact_fields
from tagtui.store.db import IntegrityViolation, Tx
from tagtui.store.errors import Conflict, TagtuiError, ValidationError
from tagtui.store.identity import email_key
from tagtui.store.rules import DEFAULT_STATUS_COLOR, clean_label_name, normalize_color
from tagtui.store.schema import now

if TYPE_CHECKING:
    from tagtui.store.store import Store

#: The columns an import reads (export writes the same); any other column is ignored.
IMPORT_COLUMNS = ("id", "name", "email", "company", "phone", "assignee", "followers", "status", "tags")
#: The contact fields a row can set (``id`` is ignored; ``status`` and ``tags`` are handled apart).
ROW_FIELDS = ("name", "email", "company", "phone", "assignee", "followers", "notes")
#: What a row may hold: the CSV columns, and ``notes`` (which vCards carry; CSV export does not).
ROW_COLUMNS = (*IMPORT_COLUMNS, "notes")
#: Export puts a ``'`` before a cell starting with one of these (CSV formula injection, SPEC §6).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TAG_SEPARATOR = ";"
BATCH = 1000
#: An import of at least this many rows truncates SQLite's WAL once it has committed.
CHECKPOINT_ROWS = 10_000
_FIRST_CHARS = frozenset((*FORMULA_STARTS, "'"))


def neutralise(text: str) -> str:
    """``text`` safe to open in a spreadsheet: a ``'`` before a leading formula character.

    Text that already starts with quotes before such a character gets one more, so that
    ``unneutralise`` gives back exactly the original.
    """
    if text[:1] in _FIRST_CHARS and text.lstrip("'")[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def unneutralise(cell: str) -> str:
    """The cell as it was before ``neutralise``: the one ``'`` it added removed."""
    if cell[:1] == "'" and cell[1:].lstrip("'")[:1] in FORMULA_STARTS:
        return cell[1:]
    return cell


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    updated: int
    tags_created: int
    statuses_created: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Row:
    """One checked row: where it came from and what it asks for."""

    where: str
    fields: dict[str, Any]
    tags: dict[str, str]  # slug -> name as written
    status: tuple[str, str] | None  # (name, slug)


@dataclass
class _Known:
    """A contact this import has seen: its current fields, status and tags."""

    id: int
    fields: dict[str, Any]
    status_id: int | None
    tag_ids: set[int]


@dataclass
class _Import:
    stamp: str
    max_tags: int | None
    rows: int = 0
    #: Contacts created so far. Which contacts changed is not kept (it would grow with the
    #: file): the events of the import's undo step say it at the end (``_count_updated``).
    created: int = 0
    updated: int = 0
    tags_created: int = 0
    statuses_created: int = 0
    tags: dict[str, int] = field(default_factory=dict)  # by slug
    statuses: dict[str, int] = field(default_factory=dict)  # by slug
    #: The contacts the current batch names by email (email_key -> contact).
    by_email: dict[str, _Known] = field(default_factory=dict)

    def result(self) -> ImportResult:
        return ImportResult(
            rows=self.rows,
            created=self.created,
            updated=self.updated,
            tags_created=self.tags_created,
            statuses_created=self.statuses_created,
        )


class ImportOps(StoreBase):
    def import_rows(self, rows: Iterable[Mapping[str, str | None]]) -> ImportResult:
        """Apply rows of ``{column: text}`` (lower-case column names) in one transaction.

        A row names its contact by email (case-insensitive); no email, or an unknown one,
        makes a new contact, which needs a name. Blank cells leave a field as it was; tags
        (``;``-separated) are added, never removed, found or created by slug (the first
        spelling names a new tag); an unknown status is created at the end of the pipeline;
        ``id`` is ignored; a row that would pass ``max_tags_per_contact`` refuses the import.
        Any invalid row is an error that names it (``line N`` when the row has a ``line``
        attribute, else ``row N``) and its field, and nothing is imported.
        """
        # A one-shot iterator cannot be replayed, so the transaction is tried once only.
        attempts = 1 if iter(rows) is rows else 8

        def run(tx: Tx) -> ImportResult:
            state = _Import(stamp=now(), max_tags=self._settings(tx).max_tags_per_contact)
            checked = self._checked(rows, state)
            while batch := list(islice(checked, BATCH)):
                self._import_batch(tx, batch, state)
            state.updated = self._count_updated(tx, state.created)
            result = state.result()
            self._label(
                tx,
                "import",
                f"Imported {result.rows:,} row{'s' if result.rows != 1 else ''}"
                f" ({result.created:,} new, {result.updated:,} updated)",
            )
            return result

        result = self.db.run(self._one_step(run), write=True, attempts=attempts)
        if result.rows >= CHECKPOINT_ROWS:
            # The import's pages all went through the WAL (one transaction: it cannot be
            # checkpointed before it commits); give that space back now, not when the last
            # connection closes (the UI keeps its connections for hours).
            self.db.checkpoint()
        return result

    def _count_updated(self, tx: Tx, created: int) -> int:
        """How many contacts that were there before the import it changed: every contact an
        event of its undo step names, less those it created (each has a ``contact.created``)."""
        step = getattr(tx, "undo_step", None)
        if step is None:
            return 0
        touched = tx.scalar(
            "SELECT COUNT(DISTINCT subject_id) FROM event WHERE step_id = :s AND subject_type = 'contact'",
            {"s": step},
        )
        return int(touched or 0) - created

    def contact_notes(self, contact_ids: Sequence[int]) -> dict[int, str]:
        """The notes of these contacts, by id (those without notes left out): for exports."""
        if not contact_ids:
            return {}

        def run(tx: Tx) -> dict[int, str]:
            cond, params = self.db.in_list("id", "ids", [int(i) for i in contact_ids])
            rows = tx.all(
                f"SELECT id, notes FROM contact WHERE workspace_id = :ws AND notes IS NOT NULL AND {cond}",
                self._params(**params),
            )
            return dict(rows)

        return self._read(run)

    # -- checking ------------------------------------------------------------------------

    def _checked(self, rows: Iterable[Mapping[str, str | None]], state: _Import) -> Iterator[_Row]:
        for index, row in enumerate(rows, start=1):
            cells = {
                key: unneutralise(value).strip()
                for key, value in row.items()
                if key in ROW_COLUMNS and isinstance(value, str)
            }
            # ``tags`` is a cell split on ``;``, or a list of names (a vCard's may hold a ``;``).
            listed = row.get("tags")
            names = [str(t) for t in listed] if isinstance(listed, list | tuple) else None
            if not any(cells.values()) and not any(n.strip() for n in names or ()):
                continue  # an empty line of a spreadsheet
            state.rows += 1
            where = _where(row, index)
            with _naming(where):
                # Blank cells leave a field as it was: only the others are looked at.
                fields = clean_contact_fields(
                    {k: cells[k] for k in ROW_FIELDS if cells.get(k)}, creating=False
                )
                status = _status_name(cells["status"]) if cells.get("status") else None
                checked = _Row(where, fields, _tag_names(cells.get("tags", ""), names), status)
            yield checked

    # -- writing -------------------------------------------------------------------------

    def _import_batch(self, tx: Tx, batch: list[_Row], state: _Import) -> None:
        store = cast("Store", self)  # ImportOps is a part of Store: the other rules are its
        # The database is up to date after every batch, so what is known starts afresh.
        state.by_email.clear()
        self._load_known(tx, batch, state)
        assignments: list[dict[str, Any]] = []
        created_events: list[tuple[int, dict[str, Any]]] = []
        status_events: list[tuple[int, dict[str, Any]]] = []
        tag_events: list[tuple[int, dict[str, Any]]] = []
        for row in batch:
            with _naming(row.where):
                new_tags = [
                    t for t in (self._import_tag_id(tx, state, s, n) for s, n in row.tags.items()) if t
                ]
                tag_ids = [state.tags[s] for s in row.tags]
                status_id = None if row.status is None else self._import_status(tx, state, *row.status)
                email = row.fields.get("email")
                known = state.by_email.get(email_key(email)) if email else None
                if known is None:
                    known = self._create(tx, row, status_id, state)
                    created_events.append(
                        (known.id, {k: v for k, v in known.fields.items() if v is not None})
                    )
                    if status_id is not None:
                        status_events.append((known.id, {"before": None, "after": status_id}))
                else:
                    self._update(tx, store, known, row, status_id, state)
                added = [t for t in dict.fromkeys(tag_ids) if t not in known.tag_ids]
                if added:
                    count = len(known.tag_ids) + len(added)
                    if state.max_tags is not None and count > state.max_tags:
                        store._check_tag_limit(tx, count, True)  # raises the store's own error
                    known.tag_ids.update(added)
                    assignments += [{"cid": known.id, "tid": t, "at": state.stamp} for t in added]
                    created = [t for t in new_tags if t in added]
                    tag_events.append((known.id, {"added": added, "removed": [], "created": created}))
        # What undo needs: the assignments and statuses this batch gives (its contacts are
        # in the events).
        self._record_pairs(tx, [(a["cid"], a["tid"]) for a in assignments], added=True)
        self._record_statuses(tx, [(cid, None, e["after"]) for cid, e in status_events])
        tx.executemany(
            "INSERT INTO contact_tag (contact_id, tag_id, created_at) VALUES (:cid, :tid, :at)"
            " ON CONFLICT DO NOTHING",
            assignments,
        )
        self._events(tx, "contact.created", "contact", created_events)
        self._events(tx, "contact.status_changed", "contact", status_events)
        self._events(tx, "contact.tags_changed", "contact", tag_events)

    def _load_known(self, tx: Tx, batch: list[_Row], state: _Import) -> None:
        """Look up, in two queries, the contacts the batch's emails name, with their tags."""
        keys = {email_key(r.fields["email"]) for r in batch if r.fields.get("email")}
        if not keys:
            return
        cond, params = self.db.in_list("email_key", "keys", sorted(keys))
        found: dict[int, _Known] = {}
        for cid, key, *values, status_id in tx.all(
            f"SELECT id, email_key, {', '.join(CONTACT_FIELDS)}, status_id FROM contact"
            f" WHERE workspace_id = :ws AND {cond}",
            self._params(**params),
        ):
            known = _Known(cid, dict(zip(CONTACT_FIELDS, values, strict=True)), status_id, set())
            state.by_email[key] = found[cid] = known
        if found:
            cond, params = self.db.in_list("contact_id", "ids", list(found))
            for cid, tag_id in tx.all(f"SELECT contact_id, tag_id FROM contact_tag WHERE {cond}", params):
                found[cid].tag_ids.add(tag_id)

    def _create(self, tx: Tx, row: _Row, status_id: int | None, state: _Import) -> _Known:
        if row.fields.get("name") is None:
            raise ValidationError("a new contact needs a name", field="name")
        values = {k: row.fields.get(k) for k in CONTACT_FIELDS}
        values["followers"] = values["followers"] or 0
        try:
            contact_id = tx.scalar(
                "INSERT INTO contact (workspace_id, name, email, company, phone, assignee, followers,"
                " notes, status_id, name_key, email_key, assignee_key, search, created_at,"
                " updated_at, rev) VALUES (:ws, :name, :email, :company, :phone, :assignee,"
                " :followers, :notes, :status_id, :name_key, :email_key, :assignee_key, :search, :at,"
                " :at, 1) RETURNING id",
                self._params(**values, **_keys(values), status_id=status_id, at=state.stamp),
            )
        except IntegrityViolation as exc:  # another process took the email meanwhile
            raise Conflict(
                f"a contact with the email {values['email']!r} already exists", field="email"
            ) from exc
        known = _Known(contact_id, values, status_id, set())
        if values["email"]:
            state.by_email[email_key(values["email"])] = known
        state.created += 1
        return known

    def _update(
        self, tx: Tx, store: Store, known: _Known, row: _Row, status_id: int | None, state: _Import
    ) -> None:
        # The email matched (in any case): it is the key, not a change.
        changed = {k: v for k, v in row.fields.items() if k != "email" and known.fields[k] != v}
        if changed:
            store.update_contact(known.id, **changed)  # joins this transaction
            known.fields.update(changed)
        if status_id is not None and status_id != known.status_id:
            store._set_status(tx, known.id, status_id)
            known.status_id = status_id

    def _import_tag_id(self, tx: Tx, state: _Import, slug: str, name: str) -> int | None:
        """Make sure the tag of ``slug`` is in ``state.tags``; its id if this created it."""
        if slug in state.tags:
            return None
        store = cast("Store", self)
        state.tags[slug], created = store._find_or_create_tag(tx, name, slug)
        if created:
            state.tags_created += 1
            return state.tags[slug]
        return None

    def _import_status(self, tx: Tx, state: _Import, name: str, slug: str) -> int:
        if slug not in state.statuses:
            found = tx.scalar(
                "SELECT id FROM status WHERE workspace_id = :ws AND slug = :slug", self._params(slug=slug)
            )
            if found is None:  # a new status goes at the end of the pipeline
                store = cast("Store", self)
                found = store._insert_status(tx, name, slug, normalize_color(DEFAULT_STATUS_COLOR))
                state.statuses_created += 1
            state.statuses[slug] = found
        return state.statuses[slug]


@contextmanager
def _naming(where: str) -> Iterator[None]:
    """Prefix an error raised inside with where it happened: ``line 4 (email): …``."""
    try:
        yield
    except TagtuiError as exc:
        field_ = f" ({exc.field})" if exc.field else ""
        raise type(exc)(f"{where}{field_}: {exc.message}", field=exc.field) from exc


def _tag_names(cell: str, split: list[str] | None = None) -> dict[str, str]:
    """The tags of a cell, by slug; the first spelling of a slug names a new tag."""
    names: dict[str, str] = {}
    for raw in cell.split(TAG_SEPARATOR) if split is None else split:
        if raw.strip():
            name, slug = _label(raw, "tag")
            names.setdefault(slug, name)
    return names


def _status_name(cell: str) -> tuple[str, str]:
    return _label(cell, "status")


@lru_cache(maxsize=4096)
def _label(text: str, what: str) -> tuple[str, str]:
    """A tag or status name and its slug (the same few names come on row after row)."""
    try:
        return clean_label_name(text, what=what)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="tags" if what == "tag" else what) from exc


def _where(row: object, index: int) -> str:
    line = getattr(row, "line", None)
    return f"line {line}" if isinstance(line, int) else f"row {index}"
