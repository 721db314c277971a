"""Saved views and rules follow the tags and statuses they name: renames, merges, deletes.

A rename or a merge rewrites every view's and rule's query (and a rule's actions) in the
same transaction, so they keep meaning the same thing. Deleting a tag or status that one
of them names is a Conflict unless forced; forced, they are marked broken (with why) and
never run. Each rewrite is an event of the running undo step (``query.rewritten``, with
the columns before and after), so undo puts them back exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tagtui.store.base import StoreBase
from tagtui.store.db import Tx
from tagtui.store.errors import Conflict, ValidationError
from tagtui.store.identity import slugify

#: The event that records one view's or rule's rewrite (see the module docstring).
REWRITTEN = "query.rewritten"
#: A stored query's kind -> its table.
TABLES = {"view": "saved_view", "rule": "rule"}


@dataclass(frozen=True)
class StoredQuery:
    """A saved view or a rule, as stored (a rule's actions are tag and status ids)."""

    kind: str
    id: int
    name: str
    query: str
    broken: str | None
    add: tuple[int, ...] = ()
    remove: tuple[int, ...] = ()
    status_id: int | None = None

    @property
    def title(self) -> str:
        return f"{self.kind} {self.name!r}"

    def columns(self) -> dict[str, Any]:
        """The columns a rewrite may change, as stored."""
        out: dict[str, Any] = {"query": self.query, "broken": self.broken}
        if self.kind == "rule":
            out |= {
                "add_tags": json.dumps(list(self.add)),
                "remove_tags": json.dumps(list(self.remove)),
                "status_id": self.status_id,
            }
        return out


@dataclass(frozen=True)
class Label:
    """What a rewrite needs to know of a tag or status."""

    kind: str  # "tag" or "status" (also the table)
    id: int
    name: str
    slug: str


def names_value(value: str, label: Label) -> bool:
    """Whether ``value``, written in a query, names ``label`` (the resolver's rule: by slug)."""
    return slugify(value) == label.slug


class StoredQueryService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions; the services it calls are given too."""

    def __init__(self, core: StoreBase) -> None:
        self._core = core

    # -- reading -------------------------------------------------------------------------

    def stored_queries_naming(self, kind: str, ref: int | str) -> list[str]:
        """``view 'vip open'``, ``rule 'x'`` …: the views and rules that name a tag or status."""

        def run(tx: Tx) -> list[str]:
            label = self._label_of(tx, kind, ref)
            return [sq.title for sq in self._stored_naming(tx, label)]

        return self._core._read(run)

    def _label_of(self, tx: Tx, kind: str, ref: int | str) -> Label:
        label_id = self._core._tag_id(tx, ref) if kind == "tag" else self._core._status_id(tx, ref)
        row = tx.one(f"SELECT id, name, slug FROM {kind} WHERE id = :id", {"id": label_id})
        assert row is not None
        return Label(kind, *row)

    def _stored_queries(self, tx: Tx) -> list[StoredQuery]:
        views = [
            StoredQuery("view", *r)
            for r in tx.all(
                "SELECT id, name, query, broken FROM saved_view WHERE workspace_id = :ws ORDER BY name, id",
                self._core._params(),
            )
        ]
        rules = [
            StoredQuery(
                "rule",
                r[0],
                r[1],
                r[2],
                r[3],
                tuple(json.loads(r[4])),
                tuple(json.loads(r[5])),
                r[6],
            )
            for r in tx.all(
                "SELECT id, name, query, broken, add_tags, remove_tags, status_id FROM rule"
                " WHERE workspace_id = :ws ORDER BY name_key, id",
                self._core._params(),
            )
        ]
        return views + rules

    def _stored_naming(self, tx: Tx, label: Label) -> list[StoredQuery]:
        return [sq for sq in self._stored_queries(tx) if _names(sq, label)]

    # -- following a rename, a merge, a delete -------------------------------------------

    def _follow_rename(self, tx: Tx, before: Label, after: Label) -> None:
        """``before`` is now called ``after``: rewrite the queries that name it."""
        if (before.name, before.slug) == (after.name, after.slug):
            return

        def rename(value: str) -> str | None:
            if not names_value(value, before):
                return None
            return _respelled(value, before, after)

        for sq in self._stored_naming(tx, before):
            self._rewrite_query(tx, sq, before.kind, rename)

    def _follow_merge(self, tx: Tx, source: Label, target: Label) -> None:
        """``source`` is merged into ``target`` (and deleted): what named it now names ``target``."""

        def rename(value: str) -> str | None:
            if not names_value(value, source):
                return None
            return _respelled(value, source, target)

        for sq in self._stored_naming(tx, source):
            changes: dict[str, Any] = {}
            text = self._rewritten_text(sq, source.kind, rename)
            if text is not None:
                changes["query"] = text
            if sq.kind == "rule" and source.kind == "tag":
                add = _swap(sq.add, source.id, target.id)
                remove = _swap(sq.remove, source.id, target.id)
                changes["add_tags"], changes["remove_tags"] = json.dumps(add), json.dumps(remove)
                if target.id in add and target.id in remove and not sq.broken:
                    changes["broken"] = (
                        f"merging tag {source.name!r} into {target.name!r} left the rule both adding"
                        f" and removing {target.name!r}"
                    )
            self._change_stored(tx, sq, changes)

    def _follow_delete(self, tx: Tx, label: Label, *, force: bool) -> None:
        """Before ``label`` is deleted: refuse if a view or rule names it, unless ``force``;
        forced, mark them broken (a rule's status action is cleared with the status)."""
        users = self._stored_naming(tx, label)
        if not users:
            return
        if not force:
            raise delete_refused(label.kind, label.name, [sq.title for sq in users])
        for sq in users:
            changes: dict[str, Any] = {}
            if not sq.broken:
                changes["broken"] = f"{label.kind} {label.name!r} was deleted"
            if label.kind == "status" and sq.status_id == label.id:
                changes["status_id"] = None  # what the foreign key does anyway; noted for undo
            self._change_stored(tx, sq, changes)

    def _rewritten_text(self, sq: StoredQuery, kind: str, rename: Any) -> str | None:
        """``sq``'s query with the values ``rename`` maps rewritten; ``None`` if nothing changes."""
        from tagtui.query.parse import parse
        from tagtui.query.refs import rename_values
        from tagtui.query.render import render

        try:
            f = parse(sq.query)
        except ValidationError:
            return None
        new = rename_values(f, kind, rename, key=slugify)
        return None if new == f else render(new)

    def _rewrite_query(self, tx: Tx, sq: StoredQuery, kind: str, rename: Any) -> None:
        text = self._rewritten_text(sq, kind, rename)
        if text is not None:
            self._change_stored(tx, sq, {"query": text})

    def _change_stored(self, tx: Tx, sq: StoredQuery, changes: dict[str, Any]) -> None:
        """Write ``changes`` to ``sq``'s row and note them (before and after) in the undo step."""
        old = sq.columns()
        changes = {k: v for k, v in changes.items() if old[k] != v}
        if not changes:
            return
        sets = ", ".join(f"{k} = :{k}" for k in changes)
        tx.execute(f"UPDATE {TABLES[sq.kind]} SET {sets} WHERE id = :id", {**changes, "id": sq.id})
        self._core._event(
            tx,
            REWRITTEN,
            sq.kind,
            sq.id,
            stored=sq.kind,
            name=sq.name,
            before={k: old[k] for k in changes},
            after=changes,
        )

    # -- undo and redo ------------------------------------------------------------------

    def _rewrite_back(
        self, tx: Tx, kind: str, stored_id: int | None, payload: dict[str, Any], side: str
    ) -> None:
        """Undo (``side="before"``) or redo (``"after"``) one rewrite. A view or rule changed
        since (saved anew, deleted) keeps what it has: it is the user's newer word."""
        other = payload["after" if side == "before" else "before"]
        target = payload[side]
        table = TABLES.get(kind)
        if table is None or stored_id is None:
            return
        cols = list(target)
        row = tx.one(
            f"SELECT {', '.join(cols)} FROM {table} WHERE id = :id AND workspace_id = :ws",
            self._core._params(id=stored_id),
        )
        if row is None or dict(zip(cols, row, strict=True)) != {c: other[c] for c in cols}:
            return
        sets = ", ".join(f"{c} = :{c}" for c in cols)
        tx.execute(f"UPDATE {table} SET {sets} WHERE id = :id", {**target, "id": stored_id})

    def _recheck_stored(self, tx: Tx) -> None:
        """After undo or redo: a broken view or rule whose tags and statuses are all back is
        whole again; one that names something that is gone now is broken."""
        for sq in self._stored_queries(tx):
            problem = self._stored_problem(tx, sq)
            if sq.broken and problem is None:
                tx.execute(f"UPDATE {TABLES[sq.kind]} SET broken = NULL WHERE id = :id", {"id": sq.id})
            elif not sq.broken and problem is not None:
                tx.execute(
                    f"UPDATE {TABLES[sq.kind]} SET broken = :why WHERE id = :id",
                    {"why": problem, "id": sq.id},
                )

    def _stored_problem(self, tx: Tx, sq: StoredQuery) -> str | None:
        """Why ``sq`` cannot run now, or ``None``."""
        from tagtui.query.parse import parse

        try:
            self._core._compile(tx, parse(sq.query))
        except ValidationError as exc:
            return str(exc)
        wanted = set(sq.add) | set(sq.remove)
        if wanted:
            found = self._core._ids_there(tx, "tag", wanted)
            if wanted - found:
                return f"{len(wanted - found)} of its action tags no longer exist"
        if set(sq.add) & set(sq.remove):
            return "it both adds and removes the same tag"
        return None


def delete_refused(kind: str, name: str, titles: list[str]) -> Conflict:
    """The Conflict of deleting a tag or status that views or rules (``titles``) name."""
    shown = ", ".join(titles[:5]) + (f" and {len(titles) - 5} more" if len(titles) > 5 else "")
    return Conflict(
        f"{kind} {name!r} is named by {shown}; --force deletes it anyway and marks"
        f" {'it' if len(titles) == 1 else 'them'} broken",
        field=kind,
    )


def _names(sq: StoredQuery, label: Label) -> bool:
    from tagtui.query.parse import parse
    from tagtui.query.refs import named_values

    if label.kind == "tag" and (label.id in sq.add or label.id in sq.remove):
        return True
    if label.kind == "status" and sq.status_id == label.id:
        return True
    try:
        f = parse(sq.query)
    except ValidationError:
        return False
    return any(names_value(v, label) for v in named_values(f, label.kind))


def _respelled(value: str, before: Label, after: Label) -> str:
    """How ``value`` (which named ``before``) names ``after``: a slug stays a slug, else the name."""
    if value.strip().lower() != before.name.lower() and value.strip() == before.slug:
        return after.slug
    return after.name


def _swap(ids: tuple[int, ...], source: int, target: int) -> list[int]:
    out: list[int] = []
    for i in ids:
        j = target if i == source else i
        if j not in out:
            out.append(j)
    return out
