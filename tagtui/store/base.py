"""The store's shared machinery: the workspace it is bound to, transactions, lookups, events."""

from __future__ import annotations

import getpass
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from tagtui.query.compile import Compiled, Sizes, compile_filter
from tagtui.query.filter import Filter
from tagtui.store.columns import columns_of, insert_sql
from tagtui.store.db import Database, IntegrityViolation, Tx
from tagtui.store.errors import NotFound, ValidationError
from tagtui.store.identity import email_key, slugify
from tagtui.store.schema import now
from tagtui.store.types import Settings, TagRef

T = TypeVar("T")


class _Unset:
    """Marks an argument that was not given (``None`` is a value: it clears)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()

#: A selection of contacts for a bulk change: a filter, or explicit contact ids.
Selection = Filter | Sequence[int]

TAG_COLUMNS = "t.id, t.name, t.slug, t.color, t.emoji, t.description, t.created_at, t.updated_at, t.rev"
STATUS_COLUMNS = "s.id, s.name, s.slug, s.color, s.position, s.created_at, s.updated_at, s.rev"

#: An event's payload as JSON text (one encoder: ``json.dumps`` with options builds one a call).
_JSON = json.JSONEncoder(ensure_ascii=False).encode
_INSERT_EVENT = insert_sql(
    "event",
    columns_of("event", but=["id"]),
    workspace_id=":ws",
    subject_type=":st",
    subject_id=":sid",
    step_id=":step",
)
#: An event's row but its id, as ``Tx.insert_many`` sends it (``StoreBase._event_rows``).
EVENT_ROW: tuple[tuple[str, str], ...] = (
    ("workspace_id", "bigint"),
    ("at", "text"),
    ("kind", "text"),
    ("subject_type", "text"),
    ("subject_id", "bigint"),
    ("payload", "text"),
    ("step_id", "bigint"),
)
if tuple(name for name, _ in EVENT_ROW) != columns_of("event", but=["id"]):
    raise TypeError("the event table's columns changed: EVENT_ROW must follow")
#: Events of these kinds belong to an undo step; others (settings, views, undo itself) do not.
UNDOABLE_PREFIXES = ("tag.", "tags.", "status.", "contact.", "contacts.", "demo.", "rule.", "query.")
#: How many done steps undo can reach; older ones are dropped (with their rows).
UNDO_DEPTH = 100
#: Events whose rows undo puts back, takes away or edits back (``undo.py``); a step without
#: any of them, nor an assignment or status it changed, changed nothing and is not kept.
#: An import's one event for the contacts it made: ``{"runs": [[first_id, last_id], …],
#: "contacts": n, "stamp": …}`` (the runs of their ids; ``stamp`` their ``created_at`` and that of
#: the tags it gave them). It writes no ``contact.created`` for them, nor undo records of their
#: tags and statuses: undo deletes them (keeping them in ``KEPT`` events for redo).
IMPORTED = "contacts.imported"
#: The contacts an undone import made, kept for redo (``undo.py``): at most ``KEPT_CHUNK`` an
#: event; deleted once redo has put them back. Undo, redo and history read them apart.
KEPT = "contacts.kept"
KEPT_CHUNK = 10_000


def workspace_event_sql(kind: str, **values: str) -> str:
    """``INSERT`` of one event of ``kind`` about the whole workspace (``IMPORTED``, ``KEPT``), in
    the undo step ``:s`` at ``:at``; ``values`` gives the SQL of other columns (``payload``)."""
    return insert_sql(
        "event",
        columns_of("event", but=["id"]),
        workspace_id=":ws",
        kind=f"'{kind}'",
        subject_type="'workspace'",
        subject_id="NULL",
        step_id=":s",
        **values,
    )


CREATES = ("tag.created", "status.created", "contact.created", "demo.generated", "rule.created", IMPORTED)
DELETES = ("tag.deleted", "status.deleted", "contact.deleted", "rule.deleted")
EDITS = ("tag.updated", "status.updated", "status.moved", "contact.updated")


def id_runs_sql(column: str, runs: Sequence[Sequence[int]], name: str = "run") -> tuple[str, dict[str, Any]]:
    """A condition that ``column`` is in one of ``runs`` (``[first, last]`` each), and its
    parameters (``:name0_lo`` …); false when there are none."""
    if not runs:
        return "1 = 0", {}
    parts, params = [], {}
    for i, (lo, hi) in enumerate(runs):
        parts.append(f"{column} BETWEEN :{name}{i}_lo AND :{name}{i}_hi")
        params[f"{name}{i}_lo"], params[f"{name}{i}_hi"] = int(lo), int(hi)
    return f"({' OR '.join(parts)})", params


def is_id(ref: object) -> bool:
    if isinstance(ref, bool):
        return False
    if isinstance(ref, int):
        return ref >= 0
    return isinstance(ref, str) and ref.strip().isascii() and ref.strip().isdigit()


def as_id(ref: object) -> int | None:
    """``ref`` as an id if it looks like one and fits an SQL integer."""
    if not is_id(ref):
        return None
    value = int(str(ref).strip())
    return value if value < 2**63 else None


#: How long (seconds) a tag's or status's size is trusted for choosing a plan, and the most
#: rows counted for one: beyond that a clause is "large" and its exact size does not matter.
SIZE_TTL = 30.0
SIZE_CAP = 250_000

#: Who made a step: ``TAGTUI_ACTOR``, else ``user@host``; at most this long.
ACTOR_MAX = 200


def default_actor() -> str:
    """The actor this process's steps name: ``TAGTUI_ACTOR``, else ``user@host``."""
    actor = os.environ.get("TAGTUI_ACTOR", "").strip()
    if not actor:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a container)
            user = f"uid{os.getuid()}" if hasattr(os, "getuid") else "someone"
        actor = f"{user}@{socket.gethostname()}"
    return actor[:ACTOR_MAX]


class StoreBase:
    """A workspace of a database. Every public method is one transaction."""

    def __init__(self, db: Database, workspace_id: int, workspace_name: str) -> None:
        self.db = db
        self.workspace_id = workspace_id
        self.workspace_name = workspace_name
        #: Every step this store records names its actor, and the running UI that made it
        #: (``session``, set by the UI; ``None`` from the command line): ``undo(by=...)``.
        self.actor = default_actor()
        self.session: str | None = None
        #: How deep this thread is in nested operations (0 = none running): the outermost
        #: operation begins a new undo step, nested ones join it.
        self._nesting = threading.local()

    # -- transactions --------------------------------------------------------------

    def _read(self, fn: Callable[[Tx], T]) -> T:
        return self.db.run(fn, write=False)

    def _read_unbounded(self, fn: Callable[[Tx], T]) -> T:
        """``_read`` with no time bound on its statements: a whole-workspace job (see
        ``db.QUERY_TIMEOUT_S`` for which jobs are and why)."""
        with self.db.unbounded():
            return self._read(fn)

    def _write(self, fn: Callable[[Tx], T]) -> T:
        fn = self._one_step(fn)
        # A constraint that fails here was not foreseen by the operation's own checks: a
        # concurrent writer (on PostgreSQL) deleted or created a row meanwhile. Everything was
        # rolled back; once more, the checks see that writer's rows and say what is wrong.
        # (Inside an outer transaction the outer operation decides: it is rolled back anyway.)
        for attempt in range(3):
            try:
                return self.db.run(fn, write=True)
            except IntegrityViolation:
                if attempt == 2 or self.db.in_transaction:
                    raise
        raise AssertionError("unreachable")

    def _one_step(self, fn: Callable[[Tx], T]) -> Callable[[Tx], T]:
        """``fn`` as one undo step: the outermost operation starts afresh, nested ones join it.

        (Inside a ``--dry-run`` rehearsal, each operation is outermost: a failed one is rolled
        back to its savepoint with the step it began.)
        """

        def run(tx: Tx) -> T:
            depth = getattr(self._nesting, "depth", 0)
            if depth == 0:
                tx.undo_step = None
                # Every write holds the workspace (as undo and redo do) before it reads what it
                # will change: on PostgreSQL two writers of one workspace would otherwise
                # interleave, and the step journal (what a change was before, which steps redo
                # may still reach) would describe neither order. SQLite's writers already queue.
                tx.lock("workspace w", "w.id = :ws", self._params())
            self._nesting.depth = depth + 1
            try:
                result = fn(tx)
                if depth == 0:
                    self._close_step(tx)
                return result
            finally:
                self._nesting.depth = depth

        return run

    def _params(self, **extra: Any) -> dict[str, Any]:
        return {"ws": self.workspace_id, **extra}

    def _ids_there(self, tx: Tx, table: str, ids: Iterable[int]) -> set[int]:
        """Which of ``ids`` are rows of the workspace's ``table`` (``tag``, ``status``) now."""
        wanted = sorted(set(ids))
        if not wanted:
            return set()
        cond, params = self.db.in_list("id", "ids", wanted)
        rows = tx.all(f"SELECT id FROM {table} WHERE workspace_id = :ws AND {cond}", self._params(**params))
        return {r[0] for r in rows}

    # -- settings -------------------------------------------------------------------

    def _settings(self, tx: Tx) -> Settings:
        row = tx.one(
            "SELECT name, max_tags_per_contact, bulk_limit, phone_region, email_folding FROM workspace"
            " WHERE id = :ws",
            self._params(),
        )
        assert row is not None
        return Settings(
            workspace=row[0],
            max_tags_per_contact=row[1],
            bulk_limit=row[2],
            phone_region=row[3],
            email_folding=bool(row[4]),
        )

    def _sizes(self, tx: Tx) -> Sizes:
        """Rough contact counts per tag and status, for choosing a plan (kept a little while:
        a stale figure only picks a slower plan, never a wrong answer)."""
        cache: dict[tuple[str, int], tuple[int, float]] = self.__dict__.setdefault("_size_cache", {})
        clock = time.monotonic()

        def cached(key: tuple[str, int], sql: str, params: dict[str, Any]) -> int:
            hit = cache.get(key)
            if hit is not None and clock - hit[1] < SIZE_TTL:
                return hit[0]
            value = int(tx.scalar(sql, params) or 0)
            cache[key] = (value, clock)
            return value

        return Sizes(
            tag=lambda i: cached(
                ("tag", i),
                "SELECT COUNT(*) FROM (SELECT 1 FROM contact_tag WHERE tag_id = :t LIMIT :cap) x",
                {"t": i, "cap": SIZE_CAP},
            ),
            status=lambda i: cached(
                ("status", i),
                "SELECT COUNT(*) FROM (SELECT 1 FROM contact WHERE workspace_id = :ws AND status_id = :s"
                " LIMIT :cap) x",
                self._params(s=i, cap=SIZE_CAP),
            ),
            # The highest id bounds the number of contacts, and costs one index probe.
            total=cached(("total", 0), "SELECT MAX(id) FROM contact", {}),
        )

    # -- lookups --------------------------------------------------------------------

    def _tag_id(self, tx: Tx, ref: int | str) -> int:
        """A tag by id, name or slug (an id match wins); NotFound otherwise."""
        found = self._find_tag_id(tx, ref)
        if found is None:
            raise NotFound(f"no tag {_show(ref)} in workspace {self.workspace_name!r}", field="tag")
        return found

    def _find_tag_id(self, tx: Tx, ref: int | str) -> int | None:
        return self._find_label_id(tx, "tag", ref)

    def _status_id(self, tx: Tx, ref: int | str) -> int:
        found = self._find_label_id(tx, "status", ref)
        if found is None:
            raise NotFound(f"no status {_show(ref)} in workspace {self.workspace_name!r}", field="status")
        return found

    def _find_label_id(self, tx: Tx, table: str, ref: int | str) -> int | None:
        ident = as_id(ref)
        if ident is not None:
            row = tx.one(
                f"SELECT id FROM {table} WHERE id = :id AND workspace_id = :ws", self._params(id=ident)
            )
            if row:
                by_id: int = row[0]
                return by_id
        if not isinstance(ref, str):
            return None
        slug = slugify(ref.strip(), table)
        if not slug:
            return None
        by_slug: int | None = tx.scalar(
            f"SELECT id FROM {table} WHERE workspace_id = :ws AND slug = :slug",
            self._params(slug=slug),
        )
        return by_slug

    def _contact_id(self, tx: Tx, ref: int | str) -> int:
        """A contact by id or email (case-insensitive); NotFound otherwise."""
        found = self._find_contact_id(tx, ref)
        if found is None:
            raise NotFound(f"no contact {_show(ref)} in workspace {self.workspace_name!r}", field="contact")
        return found

    def _find_contact_id(self, tx: Tx, ref: int | str) -> int | None:
        ident = as_id(ref)
        if ident is not None:
            row = tx.one(
                "SELECT id FROM contact WHERE id = :id AND workspace_id = :ws", self._params(id=ident)
            )
            if row:
                by_id: int = row[0]
                return by_id
        if isinstance(ref, str) and ref.strip():
            by_email: int | None = tx.scalar(
                "SELECT id FROM contact WHERE workspace_id = :ws AND email_key = :key",
                self._params(key=email_key(ref)),
            )
            return by_email
        return None

    def _contact_ids(self, tx: Tx, refs: Iterable[int | str]) -> list[int]:
        """Every ref resolved, in order, duplicates dropped; NotFound names the missing ones."""
        ids: list[int] = []
        missing: list[str] = []
        seen: set[int] = set()
        for ref in refs:
            found = self._find_contact_id(tx, ref)
            if found is None:
                missing.append(_show(ref))
            elif found not in seen:
                seen.add(found)
                ids.append(found)
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise NotFound(
                f"no contact {shown} in workspace {self.workspace_name!r}; nothing was changed",
                field="contact",
            )
        return ids

    def _tag_refs(self, tx: Tx, contact_id: int) -> tuple[TagRef, ...]:
        rows = tx.all(
            "SELECT t.id, t.name, t.slug, t.color, t.emoji FROM contact_tag ct"
            " JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id = :cid ORDER BY t.name_key, t.id",
            {"cid": contact_id},
        )
        return tuple(TagRef(*r) for r in rows)

    # -- filters -------------------------------------------------------------------

    def _compile(self, tx: Tx, f: Filter, *, sizes: Sizes | None = None, purpose: str = "rows") -> Compiled:
        """``f`` compiled; with ``sizes``, in the statement shape that suits ``purpose``
        (see ``compile_filter``). In a query a tag or status is named by its name or slug
        (never its id); each is looked up once."""
        names: dict[tuple[str, str], int] = {}

        def resolver(table: str) -> Callable[[str], int]:
            def resolve(value: str) -> int:
                key = (table, slugify(value, table))
                found = names.get(key)
                if found is None:
                    found = tx.scalar(
                        f"SELECT id FROM {table} WHERE workspace_id = :ws AND slug = :slug",
                        self._params(slug=key[1]),
                    )
                    if found is None:
                        raise ValidationError(self._unknown_label(tx, table, value), field="query")
                    names[key] = found
                return found

            return resolve

        return compile_filter(
            f, tag_id=resolver("tag"), status_id=resolver("status"), sizes=sizes, purpose=purpose
        )

    def _unknown_label(self, tx: Tx, table: str, value: str) -> str:
        """``unknown tag 'cold' — did you mean cold-lead?``: the closest slugs, when any are close."""
        from tagtui.query.complete import closest

        sql = f"SELECT slug, name FROM {table} WHERE workspace_id = :ws ORDER BY slug"
        near = closest(value, [(r[0], r[1]) for r in tx.all(sql, self._params())])
        if not near:
            return f"unknown {table} {value!r} in query"
        listed = near[0] if len(near) == 1 else ", ".join(near[:-1]) + " or " + near[-1]
        return f"unknown {table} {value!r} — did you mean {listed}?"

    def _selection(self, tx: Tx, selection: Selection) -> tuple[str, dict[str, Any]]:
        """A condition on ``contact c`` for a filter or a list of contact ids.

        Every id must be a contact of this workspace: one that is not is NotFound (SPEC §2),
        checked in one statement however long the list.
        """
        if isinstance(selection, str | bytes):
            raise ValidationError("a selection is a filter or a list of contact ids", field="selection")
        if isinstance(selection, list | tuple):
            ids: list[int] = []
            for ref in selection:
                ident = as_id(ref)
                if ident is None:
                    raise NotFound(
                        f"no contact {_show(ref)} in workspace {self.workspace_name!r}", field="contact"
                    )
                ids.append(ident)
            sql, params = self.db.in_list("c.id", "sel", ids)
            where, params = f"c.workspace_id = :ws AND {sql}", self._params(**params)
            found = {r[0] for r in tx.all(f"SELECT c.id FROM contact c WHERE {where}", params)}
            missing = [str(i) for i in dict.fromkeys(ids) if i not in found]
            if missing:
                shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
                raise NotFound(
                    f"no contact {shown} in workspace {self.workspace_name!r}; nothing was changed",
                    field="contact",
                )
            return where, params
        if not isinstance(selection, Filter):  # a set, a range: as compile_filter says of them
            raise TypeError(f"not a filter: {selection!r}")
        compiled = self._compile(tx, selection)
        return f"c.workspace_id = :ws AND {compiled.sql}", self._params(**compiled.params)

    # -- events --------------------------------------------------------------------

    def _event(self, tx: Tx, kind: str, subject_type: str, subject_id: int | None, **payload: Any) -> None:
        tx.execute(
            _INSERT_EVENT,
            self._params(
                at=now(),
                kind=kind,
                st=subject_type,
                sid=subject_id,
                payload=_JSON(payload),
                step=self._step(tx) if kind.startswith(UNDOABLE_PREFIXES) else None,
            ),
        )

    def _events(
        self, tx: Tx, kind: str, subject_type: str, items: Sequence[tuple[int, dict[str, Any]]]
    ) -> None:
        self._event_rows(tx, [(kind, subject_type, sid, payload) for sid, payload in items])

    def _event_rows(self, tx: Tx, rows: Sequence[tuple[str, str, int | None, dict[str, Any]]]) -> None:
        """Events ``(kind, subject type, subject id, payload)`` in this order, as ``_event``
        writes each, in one statement (``Tx.insert_many``) and as of one time."""
        if not rows:
            return
        at = now()
        step: int | None = None
        values = []
        for kind, subject_type, sid, payload in rows:
            undoable = kind.startswith(UNDOABLE_PREFIXES)
            if undoable and step is None:
                step = self._step(tx)
            values.append(
                (self.workspace_id, at, kind, subject_type, sid, _JSON(payload), step if undoable else None)
            )
        tx.insert_many("event", EVENT_ROW, values)

    def _step(self, tx: Tx) -> int:
        """The undo step of the running operation, begun on first use (see ``_close_step``)."""
        step: int | None = getattr(tx, "undo_step", None)
        if step is not None:
            return step
        step = tx.scalar(
            "INSERT INTO step (workspace_id, at, kind, summary, state, payload, actor, session)"
            " VALUES (:ws, :at, 'change', '', 'done', '{}', :actor, :session) RETURNING id",
            self._params(at=now(), actor=self.actor, session=self.session),
        )
        tx.undo_step = step
        return step

    def _close_step(self, tx: Tx) -> None:
        """At the end of the outermost operation: keep its step only if it changed something.

        A kept step clears its actor's redo stack (the actor's ``undone`` steps, and those of
        no known actor, are dropped; another actor's stay, for that actor to redo) and drops
        the done steps beyond ``UNDO_DEPTH``; a dropped step's rows are deleted. A step that
        changed nothing (a tag given to contacts that all had it, a status they all had) is
        deleted, and redo stays as it was.
        """
        step: int | None = getattr(tx, "undo_step", None)
        if step is None:
            return
        if self._step_is_empty(tx, step):
            tx.execute("UPDATE event SET step_id = NULL WHERE step_id = :s", {"s": step})
            tx.execute("DELETE FROM step_contact_status WHERE step_id = :s", {"s": step})
            tx.execute("DELETE FROM step WHERE id = :s", {"s": step})
            tx.undo_step = None
            return
        # One statement (a round trip on PostgreSQL): the oldest done step kept is the
        # UNDO_DEPTH-th newest; those before it go.
        cut = (
            "SELECT id FROM step WHERE workspace_id = :ws AND state = 'done'"
            " ORDER BY id DESC LIMIT 1 OFFSET :depth"
        )
        dropped = [
            r[0]
            for r in tx.all(
                "SELECT id FROM step WHERE workspace_id = :ws AND ((state = 'undone'"
                " AND (actor = :actor OR actor IS NULL))"
                f" OR (state = 'done' AND id <= COALESCE(({cut}), -1)))",
                self._params(depth=UNDO_DEPTH, actor=self.actor),
            )
        ]
        self._drop_steps(tx, dropped)

    def _step_is_empty(self, tx: Tx, step: int) -> bool:
        """Whether the step recorded no change: no tag given or taken, no status changed, no
        tag, status or contact made, deleted, edited or merged (one statement)."""
        kinds = ", ".join(f"'{k}'" for k in (*CREATES, *DELETES, *EDITS, "contact.merged"))
        changed = tx.scalar(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM step_contact_tag WHERE step_id = :s)"
            " OR EXISTS (SELECT 1 FROM step_contact_status WHERE step_id = :s"
            " AND COALESCE(before_id, -1) <> COALESCE(after_id, -1))"
            f" OR EXISTS (SELECT 1 FROM event WHERE step_id = :s AND kind IN ({kinds}))"
            " THEN 1 ELSE 0 END",
            {"s": step},
        )
        return not changed

    def _drop_steps(self, tx: Tx, ids: Sequence[int]) -> None:
        if not ids:
            return
        cond, params = self.db.in_list("step_id", "ids", list(ids))
        tx.execute(f"DELETE FROM step_contact_tag WHERE {cond}", params)
        tx.execute(f"DELETE FROM step_contact_status WHERE {cond}", params)
        # The contacts an undone import kept for redo: no redo will read them now.
        tx.execute(f"DELETE FROM event WHERE kind = '{KEPT}' AND {cond}", params)
        cond, params = self.db.in_list("id", "ids", list(ids))
        tx.execute(f"UPDATE step SET state = 'dropped' WHERE {cond}", params)

    def _label(self, tx: Tx, kind: str, summary: str, **payload: Any) -> None:
        """Name the running operation's step (if it changed anything): the last label wins,
        so the outermost operation, which labels last, names the step."""
        step: int | None = getattr(tx, "undo_step", None)
        if step is not None:
            tx.execute(
                "UPDATE step SET kind = :kind, summary = :summary, payload = :payload WHERE id = :id",
                {"kind": kind, "summary": summary, "payload": json.dumps(payload), "id": step},
            )

    def _record_tags_where(
        self,
        tx: Tx,
        tag_id: int,
        where: str,
        params: dict[str, Any],
        *,
        added: bool,
        source: str = "contact c",
    ) -> None:
        """Before ``tag_id`` is given to (or taken from) the contacts ``where`` selects (from
        ``source``, any FROM item aliased ``c`` with a column ``id``): note the pairs that
        really change, netted against what this step already noted."""
        step = self._step(tx)
        tag = int(tag_id)
        if added:
            pairs = (
                f"SELECT c.id AS cid, NULL AS stamp FROM {source} WHERE {where} AND NOT EXISTS"
                f" (SELECT 1 FROM contact_tag y WHERE y.contact_id = c.id AND y.tag_id = {tag})"
            )
        else:
            pairs = (
                f"SELECT c.id AS cid, y.created_at AS stamp FROM {source} JOIN contact_tag y"
                f" ON y.contact_id = c.id AND y.tag_id = {tag} WHERE {where}"
            )
        p = {**params, "undo_step": step}
        opposite = 0 if added else 1
        # Pairs this step already changed the other way are back as they were before the
        # step: they need no row at all. (A step rarely has any: then nothing is netted.)
        netted = tx.scalar(
            f"SELECT 1 FROM step_contact_tag WHERE step_id = :undo_step AND tag_id = {tag}"
            f" AND added = {opposite} LIMIT 1",
            p,
        )
        tx.execute(
            "INSERT INTO step_contact_tag (step_id, tag_id, contact_id, added, created_at)"
            f" SELECT :undo_step, {tag}, q.cid, {int(added)}, q.stamp FROM ({pairs}) q"
            " WHERE 1 = 1 ON CONFLICT DO NOTHING",
            p,
        )
        if netted:
            tx.execute(
                f"DELETE FROM step_contact_tag WHERE step_id = :undo_step AND tag_id = {tag}"
                f" AND added = {opposite} AND contact_id IN (SELECT q.cid FROM ({pairs}) q)",
                p,
            )

    def _record_pairs(self, tx: Tx, pairs: Sequence[tuple[int, int]], *, added: bool) -> None:
        """Before ``(contact_id, tag_id)`` pairs that really change are written (one contact,
        an import batch): note them, netted against what this step already noted."""
        if not pairs:
            return
        step = self._step(tx)
        rows = [{"s": step, "c": c, "t": t} for c, t in pairs]
        if added:
            tx.executemany(
                "INSERT INTO step_contact_tag (step_id, tag_id, contact_id, added, created_at)"
                " VALUES (:s, :t, :c, 1, NULL) ON CONFLICT DO NOTHING",
                rows,
            )
        else:
            tx.executemany(
                "INSERT INTO step_contact_tag (step_id, tag_id, contact_id, added, created_at)"
                " SELECT :s, tag_id, contact_id, 0, created_at FROM contact_tag"
                " WHERE contact_id = :c AND tag_id = :t ON CONFLICT DO NOTHING",
                rows,
            )
        # The insert above skipped pairs this step changed the other way: they are back as before.
        tx.executemany(
            "DELETE FROM step_contact_tag WHERE step_id = :s AND tag_id = :t AND contact_id = :c"
            f" AND added = {0 if added else 1}",
            rows,
        )

    def _record_status_where(self, tx: Tx, where: str, params: dict[str, Any], after: int | None) -> None:
        """Before the contacts ``where`` selects get status ``after``: note what they had."""
        tx.execute(
            "INSERT INTO step_contact_status (step_id, contact_id, before_id, after_id)"
            f" SELECT :undo_step, c.id, c.status_id, :undo_after FROM contact c WHERE {where}"
            " ON CONFLICT (step_id, contact_id) DO UPDATE SET after_id = excluded.after_id",
            {**params, "undo_step": self._step(tx), "undo_after": after},
        )

    def _record_statuses(self, tx: Tx, changes: Sequence[tuple[int, int | None, int | None]]) -> None:
        """``(contact_id, before, after)`` status changes of single contacts."""
        if not changes:
            return
        step = self._step(tx)
        tx.executemany(
            "INSERT INTO step_contact_status (step_id, contact_id, before_id, after_id)"
            " VALUES (:s, :c, :b, :a)"
            " ON CONFLICT (step_id, contact_id) DO UPDATE SET after_id = excluded.after_id",
            [{"s": step, "c": c, "b": b, "a": a} for c, b, a in changes],
        )


def as_refs(value: object, field: str) -> list[Any]:
    """A list of references as given; a lone string is refused, not read letter by letter."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"{field} must be a list, not {type(value).__name__}", field=field)
    return list(value)


def _show(ref: object) -> str:
    text = str(ref)
    if len(text) > 60:
        text = text[:57] + "…"
    return repr(text) if not is_id(ref) else text
