"""Importing rows into the store: match by email, find-or-create tags and statuses (SPEC §5).

The rules live here, once: the file formats (``tagtui.io``) only turn a file into rows
of ``{column: text}``. A whole import is one transaction: any invalid row refuses it all
(or, for a file, is skipped and reported: ``import_rows(skip=...)``).

Each row is checked once, here, with the store's own validation, in order; rows are
written a batch at a time: the emails of a batch are matched in one query, and its new
contacts (their ids taken beforehand), tags, undo records and events go in with one
statement each (``Tx.insert_many``: an ``executemany`` on SQLite, an ``INSERT … SELECT FROM
unnest(…)`` of one array per column on PostgreSQL, one round trip). An existing contact whose
fields change goes through ``update_contact``. The trigger that keeps ``contact.tags_key``
for an added tag is paused during the import (``engine.pause_tags_key_added``): a new contact
is written with its ``tags_key``, and those there before that it tags are refreshed a batch at
a time. On SQLite the row triggers that count a new assignment into ``trend_tag`` and its pairs
into ``trend_pair`` are off too (``_pause_triggers``): the assignments are counted once at the
end, in the same transaction (the new contacts' pairs from their tag sets, those of contacts
there before from their links, ``tagtui.store.pairs``).

The contacts an import makes are journalled in one ``contacts.imported`` event (``IMPORTED``:
the runs of their ids), not a ``contact.created`` each, and without undo records of the tags
and statuses they were given: undo deletes them (``undo.py`` keeps them for redo). A contact
that was there before is journalled as any edit of it is.
"""

from __future__ import annotations

import gc
import json
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby, islice, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from tagtui.store import pairs
from tagtui.store.base import IMPORTED, StoreBase, id_runs_sql, workspace_event_sql

# Formula neutralising and the tags cell's separator are defined once, in ``cells`` (export's
# Python and SQL use them too).
from tagtui.store.cells import FORMULA_STARTS as FORMULA_STARTS
from tagtui.store.cells import TAG_SEPARATOR as TAG_SEPARATOR
from tagtui.store.cells import neutralise as neutralise
from tagtui.store.cells import unneutralise as unneutralise
from tagtui.store.columns import CONTACT_KEYS, CONTACT_ROW, columns_of
from tagtui.store.contacts import (
    CONTACT_FIELDS,
    clean_contact_fields,
    key_columns,
    plain_contact_fields,
    tags_key_from,
)
from tagtui.store.db import IntegrityViolation, Tx
from tagtui.store.errors import Conflict, TagtuiError, ValidationError
from tagtui.store.identity import email_key, name_keys, text_key
from tagtui.store.schema import now
from tagtui.store.types import JsonRecord
from tagtui.store.validation import DEFAULT_STATUS_COLOR, clean_label_name, normalize_color

if TYPE_CHECKING:
    from tagtui.store.store import Store

#: The columns an import reads (export writes the same); any other column is ignored.
IMPORT_COLUMNS = ("id", "name", "email", "company", "phone", "assignee", "followers", "status", "tags")
#: The contact fields a row can set (``id`` is ignored; ``status`` and ``tags`` are handled apart).
ROW_FIELDS = ("name", "email", "company", "phone", "assignee", "followers", "notes")
#: What a row may hold: the CSV columns, and ``notes`` (which vCards carry; CSV export does not).
ROW_COLUMNS = (*IMPORT_COLUMNS, "notes")
_ROW_COLUMN_SET = frozenset(ROW_COLUMNS)
_TEXT = repeat(str)  # ``isinstance``'s second argument, for ``map`` over any number of cells
BATCH = 1000
#: An import of at least this many rows truncates SQLite's WAL once it has committed.
CHECKPOINT_ROWS = 10_000
#: A new contact's row, as ``_create`` builds it: (column, PostgreSQL type) in order.
_CONTACT_COLUMNS = (
    *CONTACT_ROW,
    ("tags_key", "text"),  # from the contact's tags: its ``TagPlan``, or at the flush (``_tags_keys``)
)
_NO_DUPLICATE = "ON CONFLICT DO NOTHING"
_LINK_PAIR = ("contact_id", "tag_id")
_STEP_LINK_COLUMNS = (("step_id", "bigint"), ("tag_id", "bigint"), ("contact_id", "bigint"), ("added", "int"))
#: The import's one event for the contacts it made (``IMPORTED``); its payload comes at the end.
_INSERT_IMPORTED = workspace_event_sql(IMPORTED, payload="'{}'")


_CONTACT_TYPES = dict(CONTACT_ROW)


def _once_each(rows: list[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    """``rows`` in order, cut where an id (first item) comes again: one statement updates a
    row once (``Tx.update_many``), and a later edit of a contact must land after the first."""
    part: list[tuple[Any, ...]] = []
    ids: set[Any] = set()
    for row in rows:
        if row[0] in ids:
            yield part
            part, ids = [], set()
        part.append(row)
        ids.add(row[0])
    if part:
        yield part


#: ``skip(row, reason)``: told of a row that cannot become a contact, instead of an error.
Skip = Callable[[Any, str], None]


@dataclass(frozen=True)
class ImportResult(JsonRecord):
    rows: int
    created: int
    updated: int
    tags_created: int
    statuses_created: int


@dataclass(slots=True)
class CheckedRow:
    """One checked row: what it asks for, and where it came from."""

    fields: dict[str, Any]
    tags: dict[str, str]  # slug -> name as written
    status: tuple[str, str] | None  # (name, slug)
    source: Any  # the row as given
    index: int  # its place among the rows, from 1
    key: str | None  # email_key of the email
    #: For a row with a name (it may make a contact): the new contact's name_key, assignee_key
    #: and search, worked out as it was checked (in the reader process, for a large file:
    #: ``tagtui.io.parallel``); None: ``_create`` works them out.
    keys: tuple[str, str | None, str] | None = None

    @property
    def where(self) -> str:
        return _where(self.source, self.index)


@dataclass(slots=True)
class _Known:
    """A contact this import has seen: its current fields, status and tags."""

    id: int
    fields: dict[str, Any]
    status_id: int | None
    tag_ids: set[int]


@dataclass
class ImportState:
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
    #: The contacts the current batch names by email (email_key -> contact; one it made as
    #: ``_create`` left it: see ``_known``).
    by_email: dict[str, _Known | tuple[int, dict[str, Any], int | None, tuple[int, ...]]] = field(
        default_factory=dict
    )
    skip: Skip | None = None
    #: Ids taken for new contacts and not used yet; on SQLite the last id taken.
    ids: deque[int] = field(default_factory=deque)
    next_id: int | None = None
    #: How many contacts each tag was given (by tag id), for the import's one tags event.
    tagged: Counter[int] = field(default_factory=Counter)
    #: Each tag's ``name_key`` (by id), for the ``tags_key`` of the contacts made.
    tag_keys: dict[int, str] = field(default_factory=dict)
    #: The ``tags_key`` of each set of tag ids met so far (see ``_tags_keys``).
    tags_keys: dict[tuple[int, ...], str] = field(default_factory=dict)
    #: What a new contact given a set of tags (its slugs, in order) is written with.
    plans: dict[tuple[str, ...], TagPlan] = field(default_factory=dict)
    #: Whether the trigger that keeps ``contact.tags_key`` is paused (``pause_tags_key_added``):
    #: then the flush keeps it for the contacts that were there already.
    keys_paused: bool = False
    #: Whether ``trend_pair``'s trigger of an added tag is paused (``_pause_triggers``): then
    #: the pairs are counted at the end from the tag sets the new contacts were given (how
    #: many contacts each set) and the links of those that were there before.
    pairs_paused: bool = False
    pair_sets: Counter[tuple[int, ...]] = field(default_factory=Counter)
    pair_links: list[tuple[int, int]] = field(default_factory=list)
    #: Whether the contacts made are journalled in one ``IMPORTED`` event (an import; a sync's
    #: contacts have a ``contact.created`` each and undo records of their tags and statuses);
    #: then the event (written with the first new contact) and the runs of their ids
    #: (``[first, last]``, in order), for its payload at the end.
    runs_event: bool = False
    event_id: int | None = None
    runs: list[list[int]] = field(default_factory=list)

    def result(self) -> ImportResult:
        return ImportResult(
            rows=self.rows,
            created=self.created,
            updated=self.updated,
            tags_created=self.tags_created,
            statuses_created=self.statuses_created,
        )


class ImportRow(dict[str, Any]):
    """A row whose cells are already plain text: stripped, the neutralising ``'`` removed
    (``tagtui.io`` reads files into these). ``import_rows`` takes any other mapping's cells
    through ``unneutralise`` and ``strip`` itself.

    ``line`` is where the row starts in its file (named in errors and skip reports);
    ``problem`` says why the reader could not make a contact of it (a card cut short).
    """

    line: int | None = None
    problem: str | None = None


@dataclass
class SkippedRow:
    """A row that cannot become a contact (``import_rows(skip=...)`` reports it in order)."""

    row: Any
    reason: str


class CheckedRows:
    """What ``check_rows`` made of a file's rows (``CheckedRow`` or ``SkippedRow``, in the
    file's order), worked out elsewhere — in another process, while this one writes the rows
    before them (``tagtui.io.parallel``): ``import_rows`` takes them as they are. ``skipping``
    is the ``check_rows`` argument they were made with. Iterating again starts again (the
    store may retry a transaction)."""

    skipping: bool = True

    def __iter__(self) -> Iterator[CheckedRow | SkippedRow]:
        raise NotImplementedError


class ImportService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions, ``store`` the whole store, through which it reaches the parts it is not given."""

    def __init__(self, core: StoreBase, store: Store) -> None:
        self._core = core
        self._store = store

    def import_rows(self, rows: Iterable[Mapping[str, Any]], *, skip: Skip | None = None) -> ImportResult:
        """Apply rows of ``{column: text}`` (lower-case column names) in one transaction.

        A row names its contact by email (case-insensitive); no email, or an unknown one,
        makes a new contact, which needs a name. Blank cells leave a field as it was; tags
        (``;``-separated) are added, never removed, found or created by slug (the first
        spelling names a new tag); an unknown status is created at the end of the pipeline;
        ``id`` is ignored; a row that would pass ``max_tags_per_contact`` refuses the import.
        Any invalid row is an error that names it (``line N`` when the row has a ``line``
        attribute, else ``row N``) and its field, and nothing is imported.

        With ``skip``, a row that cannot become a contact (a value the store refuses, no name
        and no email, no name for an email no contact has, a reader's ``problem``) is passed
        to ``skip(row, reason)`` in the file's order and left out instead; ``skip`` may raise
        to refuse the import. Each row is checked once, here.
        """
        # A one-shot iterator cannot be replayed, so the transaction is tried once only.
        attempts = 1 if iter(rows) is rows else 8

        def run(tx: Tx) -> ImportResult:
            state = ImportState(
                stamp=now(),
                max_tags=self._core._settings(tx).max_tags_per_contact,
                skip=skip,
                runs_event=True,
            )
            if isinstance(rows, CheckedRows):  # checked already, by ``check_rows`` elsewhere
                if rows.skipping != (skip is not None):
                    raise ValueError("rows checked with skipping must be imported with skip, and only they")
                checked: Iterator[CheckedRow | SkippedRow] = iter(rows)
            else:
                checked = check_rows(rows, skipping=skip is not None)
            # PostgreSQL: psycopg prepares a statement run five times, and the server may then
            # keep one generic plan: made while the import's first rows were all the table held,
            # a sequential scan that each later batch pays over every row written before it.
            tx.db.engine.prefer_custom_plans(tx)
            paused = _pause_triggers(tx)
            state.pairs_paused = "trend_pair_added" in paused
            state.keys_paused = tx.db.engine.pause_tags_key_added(tx)
            deferred = defer_indexes(tx)
            # A workspace without contacts has none for the import to change: then every
            # contact it touches it made, and the count of those it changed is 0 without a look.
            empty = (
                tx.scalar("SELECT 1 FROM contact WHERE workspace_id = :ws LIMIT 1", self._core._params())
                is None
            )
            while batch := list(islice(checked, BATCH)):
                self._import_batch(tx, batch, state)
            tx.db.engine.build_indexes(tx, deferred)
            if paused:
                _resume_triggers(tx, paused, state)
            if state.keys_paused:
                tx.db.engine.resume_tags_key_added(tx)
            if state.tagged:
                # One event for the tags the import gave, as a bulk change writes: a contact's
                # history shows its own from the undo step's records (``history``).
                added = {str(t): n for t, n in state.tagged.items()}
                self._core._event(tx, "contacts.tags_changed", "workspace", None, added=added, removed={})
            if state.event_id is not None:
                payload = {"runs": state.runs, "contacts": state.created, "stamp": state.stamp}
                tx.execute(
                    "UPDATE event SET payload = :p WHERE id = :id",
                    {"p": json.dumps(payload), "id": state.event_id},
                )
            state.updated = 0 if empty else self._count_updated(tx, state.runs)
            result = state.result()
            self._core._label(
                tx,
                "import",
                f"Imported {result.rows:,} row{'s' if result.rows != 1 else ''}"
                f" ({result.created:,} new, {result.updated:,} updated)",
            )
            return result

        # A whole file, started on purpose and shown with progress: its statements are a batch
        # each, but the last count reads every event of the import (see QUERY_TIMEOUT_S).
        db = self._core.db
        with db.unbounded(), db.bulk(), _collector_paused():
            result = db.run(self._core._one_step(run), write=True, attempts=attempts)
        if result.rows >= CHECKPOINT_ROWS:
            # The import's pages all went through the WAL (one transaction: it cannot be
            # checkpointed before it commits); give that space back now, not when the last
            # connection closes (the UI keeps its connections for hours).
            self._core.db.checkpoint()
        return result

    def _count_updated(self, tx: Tx, runs: Sequence[Sequence[int]]) -> int:
        """How many contacts that were there before the import it changed: every contact an
        event of its undo step names or it gave a tag, but those it created (``runs``: the
        runs of their ids, as its ``IMPORTED`` event has them)."""
        step = getattr(tx, "undo_step", None)
        if step is None:
            return 0
        made, params = id_runs_sql("q.cid", runs)
        touched = tx.scalar(
            "SELECT COUNT(*) FROM (SELECT subject_id AS cid FROM event WHERE step_id = :s"
            " AND subject_type = 'contact' UNION SELECT contact_id FROM step_contact_tag"
            f" WHERE step_id = :s) q WHERE NOT ({made})",
            {**params, "s": step},
        )
        return int(touched or 0)

    def contact_notes(self, contact_ids: Sequence[int]) -> dict[int, str]:
        """The notes of these contacts, by id (those without notes left out): for exports."""
        if not contact_ids:
            return {}

        def run(tx: Tx) -> dict[int, str]:
            cond, params = self._core.db.in_list("id", "ids", [int(i) for i in contact_ids])
            rows = tx.all(
                f"SELECT id, notes FROM contact WHERE workspace_id = :ws AND notes IS NOT NULL AND {cond}",
                self._core._params(**params),
            )
            return dict(rows)

        return self._core._read(run)

    # -- writing -------------------------------------------------------------------------

    def _import_batch(self, tx: Tx, batch: list[CheckedRow | SkippedRow], state: ImportState) -> None:
        """Write a batch: new contacts, their tags, undo records and events, a statement
        each (``executemany``); a contact that is there already goes through the store's
        own edits. What the batch writes is known to the next batch through the database."""
        store = self._store  # the facade: the tag, status and contact rules are its services
        state.by_email.clear()
        self._load_known(tx, batch, state)
        out = PendingWrites()
        stamp = state.stamp
        plans = state.plans
        statuses = state.statuses  # by slug: ids from 1, never 0
        for row in batch:
            if isinstance(row, SkippedRow):
                self._skip(state, row.row, row.reason)
                continue
            known = _known(state, row.key) if row.key else None
            if known is None and row.fields.get("name") is None:
                if state.skip is None:
                    raise _named(row.where, ValidationError("a new contact needs a name", field="name"))
                email = row.source.get("email") if isinstance(row.source, ImportRow) else None
                self._skip(
                    state,
                    row.source,
                    f"no name, and no contact has the email {email or row.fields.get('email')!r}"
                    " (a new contact needs a name)",
                )
                continue
            state.rows += 1
            try:
                if known is None:
                    # A new contact: its tags, worked out once per set of them (and checked
                    # against the limit then), go in with it.
                    plan = plans.get(slugs := tuple(row.tags)) or self._tag_plan(tx, state, slugs, row.tags)
                    status = row.status
                    status_id = (
                        None
                        if status is None
                        else statuses.get(status[1]) or self._import_status(tx, state, *status)
                    )
                    self._create(tx, row, status_id, state, out, plan)
                    continue
                tags = state.tags
                tag_ids = [tags.get(s) or self._import_tag_id(tx, state, s, n) for s, n in row.tags.items()]
                status_id = None if row.status is None else self._import_status(tx, state, *row.status)
                if known.id in out.pending:
                    self._flush(tx, out, state)  # its edit is written after it
                self._update(known, row, status_id, out)
                added = [t for t in dict.fromkeys(tag_ids) if t not in known.tag_ids]
                if added:
                    _check_tag_count(tx, store, state, len(known.tag_ids) + len(added))
                    known.tag_ids.update(added)
                    out.link(known.id, added, stamp)
            except TagtuiError as exc:
                raise _named(row.where, exc) from exc
        self._flush(tx, out, state)

    def _skip(self, state: ImportState, row: Any, reason: str) -> None:
        assert state.skip is not None
        state.skip(row, reason)

    def _flush(self, tx: Tx, out: PendingWrites, state: ImportState) -> None:
        """Write what ``out`` holds, contacts first, and empty it: a statement per table
        (``Tx.insert_many``: one ``executemany`` on SQLite, one ``unnest`` on PostgreSQL). The
        events of the new contacts are made from their rows in the database, a statement each."""
        if out.events:
            self._write_edits(tx, out)
        if not (out.contacts or out.links):
            out.clear()
            return
        step = self._core._step(tx)
        pending = out.pending
        if out.contacts:
            rows = out.contacts
            if out.tag_sets:  # contacts ``link`` gave tags: their tags_key is made of them
                keys = self._tags_keys(tx, state, out.tag_sets)
                rows = [(*c[:-1], keys[c[0]]) if c[0] in keys else c for c in rows]
            try:
                tx.insert_many("contact", _CONTACT_COLUMNS, rows)
            except IntegrityViolation as exc:  # another process took an email meanwhile
                raise Conflict(
                    "a contact with one of the file's emails was added meanwhile (by another"
                    " process); nothing was imported",
                    field="email",
                ) from exc
        if out.links:  # the links of one import or sync share its time
            tx.insert_pairs("contact_tag", _LINK_PAIR, out.links, {"created_at": out.stamp[0]}, _NO_DUPLICATE)
        if state.keys_paused:
            # The new contacts were written with their tags_key; those there before get theirs
            # as the paused trigger would have made it.
            others = sorted({c for c, _ in out.old_links})
            if others:
                cond, params = self._core.db.in_list("id", "ids", others)
                tx.execute(
                    f"UPDATE contact SET tags_key = {tx.db.engine.tags_key_of('contact.id')} WHERE {cond}",
                    params,
                )
        # What undo needs: the tags given to contacts that were there before (those made are
        # in the events). An import only adds tags, so nothing this step noted is netted (see
        # _record_pairs).
        tx.insert_many(
            "step_contact_tag",
            _STEP_LINK_COLUMNS,
            [(step, t, c, 1) for c, t in out.old_links],
            "ON CONFLICT DO NOTHING",
        )
        if out.pending:
            ids = sorted(pending)
            if ids[-1] - ids[0] + 1 == len(ids):  # the usual case: ids taken in one run
                new, linked = "c.id BETWEEN :first AND :last", "x.contact_id BETWEEN :first AND :last"
                params = {"first": ids[0], "last": ids[-1]}
            else:
                new, params = self._core.db.in_list("c.id", "new", ids)
                linked, _ = self._core.db.in_list("x.contact_id", "new", ids)
            params = self._core._params(**params, s=step, at=now())
            event = f"INSERT INTO event ({', '.join(columns_of('event', but=['id']))})"
            if state.runs_event:
                if state.event_id is None:
                    # The import's one event for the contacts it makes, written before their
                    # status events (a contact's history reads "added contact" first); the
                    # import gives it the runs of their ids at its end.
                    state.event_id = tx.scalar(
                        f"{_INSERT_IMPORTED} RETURNING id", self._core._params(at=now(), s=step)
                    )
                _add_runs(state.runs, ids)
            else:
                fields = self._core.db.json_object([(k, f"c.{k}") for k in CONTACT_FIELDS], drop_nulls=True)
                tx.execute(
                    f"{event} SELECT :ws, :at, 'contact.created', 'contact', c.id, {fields}, :s"
                    f" FROM contact c WHERE {new} ORDER BY c.id",
                    params,
                )
            # The new contacts' statuses are events either way (trends and the funnel read them).
            status = self._core.db.json_object([("before", "NULL"), ("after", "c.status_id")])
            tx.execute(
                f"{event} SELECT :ws, :at, 'contact.status_changed', 'contact', c.id, {status}, :s"
                f" FROM contact c WHERE {new} AND c.status_id IS NOT NULL ORDER BY c.id",
                params,
            )
            if not state.runs_event:  # (an import's undo deletes its contacts: it needs none of these)
                tx.execute(
                    "INSERT INTO step_contact_status (step_id, contact_id, before_id, after_id)"
                    f" SELECT :s, c.id, NULL, c.status_id FROM contact c WHERE {new}"
                    " AND c.status_id IS NOT NULL",
                    params,
                )
                tx.execute(
                    "INSERT INTO step_contact_tag (step_id, tag_id, contact_id, added, created_at)"
                    f" SELECT :s, x.tag_id, x.contact_id, 1, NULL FROM contact_tag x WHERE {linked}",
                    params,
                )
        state.tagged.update(map(itemgetter(1), out.links))
        if state.pairs_paused:
            state.pair_sets.update(tuple(sorted(set(tags))) for tags in out.tag_sets.values())
            state.pair_links += out.old_links
        out.clear()

    def _tags_keys(
        self, tx: Tx, state: ImportState, tag_sets: Mapping[int, tuple[int, ...]]
    ) -> dict[int, str]:
        """The ``tags_key`` of each new contact given tags (``tag_sets``), as ``tags_key_of``
        makes it: the tags' name keys in name order, ties by id, joined by \x1f."""
        names = self._name_keys(tx, state, (t for group in tag_sets.values() for t in group))
        made = state.tags_keys  # the same few sets of tags come again and again
        keys = {}
        for c, group in tag_sets.items():
            key = made.get(group)
            if key is None:
                key = _kept(made, group, tags_key_from(names, group))
            keys[c] = key
        return keys

    def _name_keys(self, tx: Tx, state: ImportState, ids: Iterable[int]) -> dict[int, str]:
        """``state.tag_keys`` (tag id -> name key), holding those of ``ids`` (read once each)."""
        names = state.tag_keys
        missing = {t for t in ids if t not in names}
        if missing:
            cond, params = self._core.db.in_list("id", "ids", sorted(missing))
            names.update(tx.all(f"SELECT id, name_key FROM tag WHERE {cond}", params))
        return names

    def _tag_plan(
        self, tx: Tx, state: ImportState, slugs: tuple[str, ...], tags: Mapping[str, str]
    ) -> TagPlan:
        """The ``TagPlan`` of a new contact given ``tags`` (slug -> name as written; ``slugs``
        its keys): the tags found or created, kept in ``state.plans`` for the next contact.
        Made for the first contact given them, which is refused if they are more than
        ``max_tags_per_contact`` (so every contact given them would be)."""
        known = state.tags
        found = [known.get(s) or self._import_tag_id(tx, state, s, n) for s, n in tags.items()]
        ids = tuple(dict.fromkeys(found))
        _check_tag_count(tx, self._store, state, len(ids))
        names = self._name_keys(tx, state, ids)
        plan = TagPlan(ids, tags_key_from(names, ids) if ids else None, tuple(sorted(ids)))
        return _kept(state.plans, slugs, plan)

    def _load_known(self, tx: Tx, batch: list[CheckedRow | SkippedRow], state: ImportState) -> None:
        """Look up, in two queries, the contacts the batch's emails name, with their tags."""
        keys = {r.key for r in batch if isinstance(r, CheckedRow) and r.key}
        if not keys:
            return
        cond, params = self._core.db.in_list("email_key", "keys", sorted(keys))
        found: dict[int, _Known] = {}
        for cid, key, *values, status_id in tx.all(
            f"SELECT id, email_key, {', '.join(CONTACT_FIELDS)}, status_id FROM contact"
            f" WHERE workspace_id = :ws AND {cond}",
            self._core._params(**params),
        ):
            known = _Known(cid, dict(zip(CONTACT_FIELDS, values, strict=True)), status_id, set())
            state.by_email[key] = found[cid] = known
        if found:
            cond, params = self._core.db.in_list("contact_id", "ids", list(found))
            for cid, tag_id in tx.all(f"SELECT contact_id, tag_id FROM contact_tag WHERE {cond}", params):
                found[cid].tag_ids.add(tag_id)

    def _create(
        self,
        tx: Tx,
        row: CheckedRow,
        status_id: int | None,
        state: ImportState,
        out: PendingWrites,
        plan: TagPlan | None = None,
    ) -> int:
        """Write a new contact at the flush: with ``plan``'s tags (and its ``tags_key``), else
        none yet (``out.link`` may give it some before the flush). Its id."""
        fields = row.fields
        get = fields.get
        name: str = fields["name"]  # a new contact has one (``_import_batch`` checked)
        email, company, assignee = get("email"), get("company"), get("assignee")
        contact_id = state.ids.popleft() if state.ids else self._new_contact_id(tx, state)
        name_key, assignee_key, search = row.keys or new_contact_keys(name, email, company, assignee)
        stamp = state.stamp
        # The keys as ``contact_keys`` makes them (``new_contact_keys``); the email's key is the
        # row's, worked out once.
        out.contacts.append(
            (
                contact_id,
                self._core.workspace_id,
                name,
                email,
                company,
                get("phone"),
                assignee,
                get("followers") or 0,
                get("notes"),
                status_id,
                name_key,
                row.key,
                assignee_key,
                search,
                stamp,
                stamp,
                1,
                None if plan is None else plan.key,
            )
        )
        out.pending.add(contact_id)
        tag_ids: tuple[int, ...] = ()
        if plan is not None and plan.ids:
            tag_ids = plan.ids
            out.link_new(contact_id, plan, stamp)
            if state.pairs_paused:
                state.pair_sets[plan.pairs] += 1
        if row.key:
            # What a later row of the batch with this email finds (``_known`` makes it a
            # ``_Known`` then: most contacts made are never named again).
            state.by_email[row.key] = (contact_id, fields, status_id, tag_ids)
        state.created += 1
        return contact_id

    def _new_contact_id(self, tx: Tx, state: ImportState) -> int:
        """An id for a new contact, taken before it is written (so a batch is one statement)."""
        if not state.ids:
            # PostgreSQL's sequence hands out ids no other writer gets (unused ones are gaps);
            # on SQLite the write lock is ours (BEGIN IMMEDIATE) until the import commits.
            ids = tx.db.engine.fresh_ids(tx, "contact", BATCH, state.next_id)
            state.next_id = ids[-1]
            state.ids.extend(ids)
        return state.ids.popleft()

    def _update(self, known: _Known, row: CheckedRow, status_id: int | None, out: PendingWrites) -> None:
        """Note ``row``'s changes to a contact that was there before, for the flush: what
        ``update_contact`` and a status change would write for it, a statement per batch."""
        # The email matched (in any case): it is the key, not a change.
        fields = known.fields
        changed = {k: v for k, v in row.fields.items() if k != "email" and fields[k] != v}
        if changed:
            before = {k: fields[k] for k in changed}
            fields.update(changed)
            out.edits.append((known.id, tuple(changed), {**changed, **key_columns(fields)}))
            out.events.append(("contact.updated", known.id, {"before": before, "after": changed}))
        if status_id is not None and status_id != known.status_id:
            out.statuses.append((known.id, known.status_id, status_id))
            out.events.append(
                ("contact.status_changed", known.id, {"before": known.status_id, "after": status_id})
            )
            known.status_id = status_id

    def _write_edits(self, tx: Tx, out: PendingWrites) -> None:
        """Write the edits ``_update`` noted, as ``update_contact`` and ``_set_status`` write
        each (the same columns, events and undo records), in row order: an ``update_many`` per
        run of edits of the same fields, the status changes, then the events."""
        at = now()
        for fields, group in groupby(out.edits, key=itemgetter(1)):
            columns = [("id", "bigint"), *((c, _CONTACT_TYPES[c]) for c in (*fields, *CONTACT_KEYS))]
            columns.append(("updated_at", "text"))
            rows = [(cid, *(values[c] for c, _ in columns[1:-1]), at) for cid, _, values in group]
            for part in _once_each(rows):
                tx.update_many("contact", columns, part, ", rev = rev + 1")
        if out.statuses:
            self._core._record_statuses(tx, out.statuses)
            for part in _once_each([(cid, after) for cid, _, after in out.statuses]):
                tx.update_many("contact", (("id", "bigint"), ("status_id", "bigint")), part)
        self._core._event_rows(tx, [(kind, "contact", cid, payload) for kind, cid, payload in out.events])
        out.edits.clear()
        out.statuses.clear()
        out.events.clear()

    def _import_tag_id(self, tx: Tx, state: ImportState, slug: str, name: str) -> int:
        """The id of the tag of ``slug``, found or created (and kept in ``state.tags``)."""
        store = self._store
        state.tags[slug], created = store._tags._find_or_create_tag(tx, name, slug)
        state.tags_created += created
        return state.tags[slug]

    def _import_status(self, tx: Tx, state: ImportState, name: str, slug: str) -> int:
        if slug not in state.statuses:
            found = tx.scalar(
                "SELECT id FROM status WHERE workspace_id = :ws AND slug = :slug",
                self._core._params(slug=slug),
            )
            if found is None:  # a new status goes at the end of the pipeline
                store = self._store
                found = store._statuses._insert_status(tx, name, slug, normalize_color(DEFAULT_STATUS_COLOR))
                state.statuses_created += 1
            state.statuses[slug] = found
        return state.statuses[slug]


@dataclass(frozen=True, slots=True)
class TagPlan:
    """What a new contact given one set of tags is written with, worked out once per set: the
    tag ids (in the row's order, once each), its ``tags_key`` (None: no tags) and the set
    sorted (for ``trend_pair``'s count, ``ImportState.pair_sets``)."""

    ids: tuple[int, ...]
    key: str | None
    pairs: tuple[int, ...]


@dataclass
class PendingWrites:
    """What a batch writes at its end (or before an edit reads a contact it created)."""

    #: Rows of _CONTACT_COLUMNS; ``tags_key`` last: None until the flush for a contact
    #: ``link`` gives tags (``tag_sets``), as ``_create`` wrote it for one given a ``TagPlan``.
    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    pending: set[int] = field(default_factory=set)  # ids in ``contacts``
    links: list[tuple[int, int]] = field(default_factory=list)  # contact_tag rows: contact, tag
    #: The time of every link (one import or sync links as of one time: ``link`` checks it).
    stamp: list[str] = field(default_factory=list)
    #: The tags ``link`` gave each contact in ``pending`` (its ``tags_key`` is made of them).
    tag_sets: dict[int, tuple[int, ...]] = field(default_factory=dict)
    #: The links of contacts that were there before (not in ``pending``), as ``links`` has them.
    old_links: list[tuple[int, int]] = field(default_factory=list)
    #: Edits of contacts that were there before, in row order: (id, the fields changed, the
    #: columns to set: those fields and every key column).
    edits: list[tuple[int, tuple[str, ...], dict[str, Any]]] = field(default_factory=list)
    #: Their status changes: (id, before, after).
    statuses: list[tuple[int, int | None, int | None]] = field(default_factory=list)
    #: The events of both, in row order: (kind, contact id, payload).
    events: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)

    def link(self, contact_id: int, tag_ids: Sequence[int], stamp: str) -> None:
        """Give the contact the tags (none of which it has), as of ``stamp``."""
        self._stamp(stamp)
        made = [(contact_id, t) for t in tag_ids]
        self.links += made
        if contact_id in self.pending:
            self.tag_sets[contact_id] = self.tag_sets.get(contact_id, ()) + tuple(tag_ids)
        else:
            self.old_links += made

    def link_new(self, contact_id: int, plan: TagPlan, stamp: str) -> None:
        """Give a contact ``_create`` wrote with ``plan``'s ``tags_key`` the plan's tags."""
        self._stamp(stamp)
        self.links += zip(repeat(contact_id), plan.ids)

    def _stamp(self, stamp: str) -> None:
        if not self.stamp:
            self.stamp.append(stamp)
        elif self.stamp[0] != stamp:
            raise ValueError("the links of one batch share one time")

    def clear(self) -> None:
        for value in vars(self).values():
            value.clear()


#: SQLite's row triggers that an import turns off while it writes (``_pause_triggers``); the
#: last has nothing to do for a contact an import makes: it forgets a deleted contact that is
#: there again (undo), and an import's contacts take ids past any a contact ever had.
_PAUSED_TRIGGERS = ("trend_tag_added", "trend_pair_added", "trend_gone_back")


def check_rows(
    rows: Iterable[Mapping[str, Any]], *, skipping: bool, start: int = 1
) -> Iterator[CheckedRow | SkippedRow]:
    """Each row checked once, in order: a ``CheckedRow`` to write, or (``skipping``) a
    ``SkippedRow`` saying why it cannot be; without ``skipping`` that is an error. ``start``
    is the first row's place among the rows (a file's rows after those checked elsewhere)."""
    tag_sets: dict[tuple[str, ...], dict[str, str]] = {}
    for index, row in enumerate(rows, start=start):
        if isinstance(row, ImportRow):
            problem = row.problem
            # A reader's row (text cells of these columns, its tags a list) is used as it is,
            # less the list; any other is filtered as before (a copy either way).
            cells = dict(row)
            if not isinstance(cells.get("tags", ""), str):
                del cells["tags"]
            if not (cells.keys() <= _ROW_COLUMN_SET and all(map(isinstance, cells.values(), _TEXT))):
                cells = {k: v for k, v in cells.items() if k in ROW_COLUMNS and isinstance(v, str)}
        else:
            problem = None
            cells = {
                key: unneutralise(value).strip()
                for key, value in row.items()
                if key in ROW_COLUMNS and isinstance(value, str)
            }
        # ``tags`` is a cell split on ``;``, or a list of names (a vCard's may hold a ``;``).
        listed = row.get("tags")
        names = [str(t) for t in listed] if isinstance(listed, list | tuple) else None
        if problem:
            if not skipping:
                raise ValidationError(f"{_where(row, index)}: {problem}", field="file")
            yield SkippedRow(row, problem)
            continue
        if not any(cells.values()) and not any(n.strip() for n in names or ()):
            continue  # an empty line of a spreadsheet
        if skipping and not cells.get("name") and not cells.get("email"):
            yield SkippedRow(row, "no name and no email")
            continue
        try:
            # Blank cells leave a field as it was: only the others are looked at.
            fields = plain_contact_fields(cells)
            if fields is None:
                fields = clean_contact_fields(
                    {k: cells[k] for k in ROW_FIELDS if cells.get(k)}, creating=False
                )
            if names is None:
                tags = _tag_names(cells.get("tags", ""))
            else:
                # The same few sets of tags come on row after row: each is read once
                # (the rows share its dict, which nothing changes).
                seen = tuple(names)
                known = tag_sets.get(seen)
                if known is None:
                    known = _kept(tag_sets, seen, _tag_names("", names))
                tags = known
            status = _status_name(cells["status"]) if cells.get("status") else None
        except TagtuiError as exc:
            if not skipping:
                raise _named(_where(row, index), exc) from exc
            # It names the field ("invalid email 'x@'", "name is 201 characters…").
            yield SkippedRow(row, exc.message)
            continue
        email = fields.get("email")
        name = fields.get("name")
        keys = (
            None
            if name is None
            else new_contact_keys(name, email, fields.get("company"), fields.get("assignee"))
        )
        key = email_key(email) if email else None
        if key == email:
            # Most emails are their own key: the row then holds one string, not an equal copy
            # (a reader process's batches of 100,000 rows: 24.1 MB pickled, not 27.9 MB, and
            # unpickled in 0.105 s, not 0.117 s).
            key = email
        yield CheckedRow(fields, tags, status, row, index, key, keys)


def _pause_triggers(tx: Tx) -> list[str]:
    """SQLite: drop the row triggers that count a new assignment into ``trend_tag`` and
    ``trend_pair`` (``_PAUSED_TRIGGERS``; a third of the cost of writing one, and more), for
    ``_resume_triggers`` to count them once and make them again at the end, in the same
    transaction: no other connection sees them gone; ``trend_gone_back`` (a tenth of the cost
    of writing a contact) goes too and comes back with them. (The ``tags_key`` trigger is paused by
    ``engine.pause_tags_key_added``.) Nothing is done (an empty list) on PostgreSQL, whose
    triggers run once a statement."""
    engine = tx.db.engine
    if not engine.row_triggers:
        return []
    found = engine.trigger_names(tx)
    paused = [name for name in _PAUSED_TRIGGERS if name in found]
    for name in paused:
        tx.execute(f"DROP TRIGGER {name}")
    return paused


#: The index an import into an empty table keeps: it finds a batch's emails (and refuses a
#: second contact of one email in a workspace, as always).
_KEPT_INDEX = "ux_contact_email"


def defer_indexes(tx: Tx, *, events: Collection[str] = ()) -> list[str]:
    """SQLite, when no workspace has a contact: drop the other indexes of ``contact`` and
    ``contact_tag``'s by tag (and ``event``'s named in ``events``), and give back their
    ``CREATE INDEX`` statements, for the bulk load (an import, a demo) to build them once at its
    end (``engine.build_indexes``: a sort each) instead of an entry at a time in the file's
    order; in the same transaction, so no other connection sees them gone. Nothing an import
    reads needs them: it finds contacts by id and email, and a contact's tags by its key. (A
    100,000-row import took 3.56 s where it took 3.77 s with ``contact_tag``'s indexes
    written as it went, a 1,000,000-row one 36.7 s where it took 38.9 s.) An empty list
    (nothing done) on PostgreSQL or when there are contacts (rebuilding their entries would
    cost more than it saves)."""
    engine = tx.db.engine
    if not engine.defers_indexes or tx.scalar("SELECT 1 FROM contact LIMIT 1") is not None:
        return []
    found = engine.index_definitions(tx, "contact", but=_KEPT_INDEX)
    found += engine.index_definitions(tx, "contact_tag", but="")  # its key stays (not listed)
    if events:
        found += [(n, d) for n, d in engine.index_definitions(tx, "event", but="") if n in events]
    for name, _ in found:
        tx.execute(f'DROP INDEX "{name}"')
    return [create for _, create in found]


def _resume_triggers(tx: Tx, paused: list[str], state: ImportState) -> None:
    """Count into ``trend_tag`` and ``trend_pair`` what their triggers would have: the
    assignments the import made (``state.tagged``, by tag: it never writes one that is there
    already), all of the week of its stamp, and the pairs they make (``ImportState.pair_sets``
    and ``pair_links``); then make the ``paused`` triggers again."""
    engine = tx.db.engine
    if "trend_tag_added" in paused:
        week = engine.week_of(":at")
        tx.executemany(
            f"INSERT INTO trend_tag (tag_id, week, n) VALUES (:t, {week}, :n)"
            " ON CONFLICT (tag_id, week) DO UPDATE SET n = trend_tag.n + excluded.n",
            [{"t": t, "n": n, "at": state.stamp} for t, n in sorted(state.tagged.items())],
        )
    if "trend_pair_added" in paused:
        pairs.count_sets(tx, state.pair_sets, state.stamp)
        if state.pair_links:
            tx.execute(
                "CREATE TEMP TABLE IF NOT EXISTS import_link"
                " (contact_id BIGINT NOT NULL, tag_id BIGINT NOT NULL, PRIMARY KEY (contact_id, tag_id))"
            )
            tx.execute("DELETE FROM import_link")
            tx.executemany(
                "INSERT INTO import_link (contact_id, tag_id) VALUES (:c, :t)",
                [{"c": c, "t": t} for c, t in sorted(set(state.pair_links))],
            )
            pairs.count_links(tx, "import_link")
            engine.drop_temp(tx, "import_link")
    triggers = engine.trend_tag_triggers() + engine.trend_pair_triggers()
    for name in paused:
        (create,) = (d for d in triggers if d.startswith(f"CREATE TRIGGER {name} "))
        tx.execute(create)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while an import runs (on again after, if it was on).

    An import makes a few container objects a cell (rows, dicts, tuples) and keeps a batch of
    them alive at a time: the collector, started by every 700 of them, scanned the batch and
    then the whole heap again and again for cycles that are not there (a tenth of the CPU of a
    100,000-row ``tagtui import``). Reference counting frees the rows as before; ``gc.collect``
    still works (the app calls it when the user is idle, see ``tagtui/app/collector.py``).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _known(state: ImportState, key: str) -> _Known | None:
    """The contact of the batch with the email of ``key``: found by ``_load_known``, or made by
    ``_create`` (its id, fields as the row gave them, status and tags, made a ``_Known`` with
    every field the first time a row names it again)."""
    found = state.by_email.get(key)
    if found is None or isinstance(found, _Known):
        return found
    contact_id, fields, status_id, tag_ids = found
    values = {k: fields.get(k) for k in CONTACT_FIELDS}
    values["followers"] = values["followers"] or 0
    known = state.by_email[key] = _Known(contact_id, values, status_id, set(tag_ids))
    return known


def _check_tag_count(tx: Tx, store: Store, state: ImportState, count: int) -> None:
    """Raise the store's own error (``check_tag_limit``) if a contact would hold ``count``
    tags, over ``max_tags_per_contact`` (read once per import: no query for a row within it)."""
    if state.max_tags is not None and count > state.max_tags:
        store.check_tag_limit(tx, count, True)


def _named(where: str, exc: TagtuiError) -> TagtuiError:
    """``exc`` with where it happened before its message: ``line 4 (email): …``."""
    field_ = f" ({exc.field})" if exc.field else ""
    return type(exc)(f"{where}{field_}: {exc.message}", field=exc.field)


def _tag_names(cell: str, split: list[str] | None = None) -> dict[str, str]:
    """The tags of a cell, by slug; the first spelling of a slug names a new tag."""
    names: dict[str, str] = {}
    for raw in cell.split(TAG_SEPARATOR) if split is None else split:
        if raw.strip():
            name, slug = _label(raw, "tag")
            names.setdefault(slug, name)
    return names


K = TypeVar("K")
V = TypeVar("V")

#: How many distinct sets of tags an import keeps worked out (read names, ``tags_key`` s, plans;
#: then each starts afresh: the RSS stays bounded however many sets a file holds).
TAG_SETS_KEPT = 4096


def _kept(cache: dict[K, V], key: K, value: V) -> V:
    """``cache[key] = value`` (emptied first once it holds ``TAG_SETS_KEPT``), and ``value``."""
    if len(cache) >= TAG_SETS_KEPT:
        cache.clear()
    cache[key] = value
    return value


def _status_name(cell: str) -> tuple[str, str]:
    return _label(cell, "status")


#: ``text_key`` of a value many contacts share (a company, an assignee), worked out once.
_shared_key = lru_cache(maxsize=4096)(text_key)


def new_contact_keys(
    name: str, email: str | None, company: str | None, assignee: str | None
) -> tuple[str, str | None, str]:
    """A new contact's name_key, assignee_key and search (``name_keys``), company and assignee
    names keyed once each (they repeat row after row)."""
    return name_keys(name, email, assignee, company, _shared_key)


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


def _add_runs(runs: list[list[int]], ids: Sequence[int]) -> None:
    """Extend ``runs`` (``[first, last]`` each, in order) with ``ids`` (sorted, all past them)."""
    for i in ids:
        if runs and runs[-1][1] + 1 == i:
            runs[-1][1] = i
        else:
            runs.append([i, i])
