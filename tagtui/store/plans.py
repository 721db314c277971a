"""Staged bulk changes: what a tag/status change over a selection would do, counted in SQL.

A plan is computed with COUNT queries over the selection (no per-row work in Python) and
is what the UI shows before a bulk change and what ``--dry-run`` and rule previews report.
Contacts the change would push past ``max_tags_per_contact`` are left out of its tag part
(as a one-contact change over the limit is refused as a whole); they are counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagtui.store.base import UNSET, Selection, StoreBase, as_refs
from tagtui.store.db import Tx
from tagtui.store.errors import ValidationError
from tagtui.store.jobs import Progress, in_parts
from tagtui.store.types import JsonRecord

if TYPE_CHECKING:
    from tagtui.store.store import Store


@dataclass(frozen=True)
class TagEffect(JsonRecord):
    """One tag of a plan and how many selected contacts would gain (or lose) it."""

    id: int
    name: str
    contacts: int


@dataclass(frozen=True)
class StatusEffect(JsonRecord):
    """The status a plan sets (``None`` clears it): how many would change, how many have it already."""

    id: int | None
    name: str | None
    contacts: int
    already: int


@dataclass(frozen=True)
class BulkPlan(JsonRecord):
    """The effect of one bulk change over a selection, before it is made."""

    selected: int
    add: tuple[TagEffect, ...] = ()
    remove: tuple[TagEffect, ...] = ()
    #: Selected contacts the tag part would push past the tag limit: left out of it.
    left_out: int = 0
    tag_limit: int | None = None
    status: StatusEffect | None = None

    @property
    def changes(self) -> bool:
        """Whether applying the plan would change anything at all."""
        return (
            any(e.contacts for e in self.add)
            or any(e.contacts for e in self.remove)
            or bool(self.status and self.status.contacts)
        )

    def summary(self) -> str:
        """``+VIP on 1,204 contacts, −Cold on 311, 12 would pass the tag limit and are left out``."""
        parts: list[str] = []
        first = True
        for sign, effects in (("+", self.add), ("−", self.remove)):
            for e in effects:
                parts.append(f"{sign}{e.name} on {_contacts(e.contacts, first)}")
                first = False
        if self.status is not None:
            target = self.status.name if self.status.id is not None else "(none)"
            text = f"Status → {target} on {_contacts(self.status.contacts, first)}"
            if self.status.already:
                text += (
                    f" ({self.status.already:,} already {'have' if self.status.already != 1 else 'has'} it)"
                )
            parts.append(text)
        if self.left_out:
            rest = "are left out" if self.left_out != 1 else "is left out"
            parts.append(f"{self.left_out:,} would pass the tag limit of {self.tag_limit} and {rest}")
        if not parts:
            return "Nothing to change"
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:  # with its summary in words
        return {
            "selected": self.selected,
            "add": [e.to_json() for e in self.add],
            "remove": [e.to_json() for e in self.remove],
            "status": self.status.to_json() if self.status else None,
            "left_out_by_tag_limit": self.left_out,
            "tag_limit": self.tag_limit,
            "summary": self.summary(),
        }


def _contacts(n: int, first: bool) -> str:
    # "on 1,204 contacts" the first time, then just "on 311", as a person would write it.
    return f"{n:,} {'contact' if n == 1 else 'contacts'}" if first else f"{n:,}"


class PlanService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions, ``store`` the whole store, through which it reaches the parts it is not given."""

    def __init__(self, core: StoreBase, store: Store) -> None:
        self._core = core
        self._store = store

    @contextmanager
    def rehearsal(self) -> Iterator[None]:
        """Everything the store does inside is seen by later calls, then rolled back (``--dry-run``)."""
        with self._core.db.rehearsal():
            yield

    def plan_bulk_change(
        self,
        selection: Selection,
        *,
        add: Sequence[int | str] = (),
        remove: Sequence[int | str] = (),
        status: int | str | None = UNSET,
    ) -> BulkPlan:
        """What :meth:`apply_bulk_change` with the same arguments would do, counted; changes nothing."""
        return self._bulk_change(selection, add, remove, status, apply=False)

    def apply_bulk_change(
        self,
        selection: Selection,
        *,
        add: Sequence[int | str] = (),
        remove: Sequence[int | str] = (),
        status: int | str | None = UNSET,
        progress: Progress | None = None,
    ) -> BulkPlan:
        """Make a planned change in one transaction; returns the plan as it was just before.

        Contacts the tag part would push past the tag limit keep their tags (and are counted
        as left out); the status part applies to the whole selection. ``progress(done,
        total)`` hears how far it is, and cancels it by raising (``jobs``).
        """
        return self._bulk_change(selection, add, remove, status, apply=True, progress=progress)

    def _bulk_change(
        self,
        selection: Selection,
        add: Sequence[int | str],
        remove: Sequence[int | str],
        status: int | str | None,
        *,
        apply: bool,
        progress: Progress | None = None,
    ) -> BulkPlan:
        add, remove = as_refs(add, "add"), as_refs(remove, "remove")

        def run(tx: Tx) -> BulkPlan:
            add_ids, remove_ids, status_id = self._plan_refs(tx, add, remove, status)
            source, where, params = self._store._contact_ops._shaped(tx, selection, "count")
            if source != "contact c":
                # A filter of tags alone is listed fastest from the tag index: the contacts
                # are then read by id, not all scanned and probed.
                where = f"c.workspace_id = :ws AND c.id IN (SELECT c.id FROM {source} WHERE {where})"
                params = self._core._params(**params)
            if apply:
                return self._apply_where(tx, where, params, add_ids, remove_ids, status_id, progress)
            return self._plan_where(tx, where, params, add_ids, remove_ids, status_id)

        return self._core._write(run) if apply else self._core._read(run)

    # -- shared with automation rules ---------------------------------------------------

    def _plan_refs(
        self,
        tx: Tx,
        add: Sequence[int | str],
        remove: Sequence[int | str],
        status: int | str | None,
    ) -> tuple[list[int], list[int], int | None]:
        add_ids, remove_ids = self._store._contact_ops._tag_change_ids(tx, add, remove)
        status_id: Any = UNSET
        if status is not UNSET:
            status_id = None if status is None else self._core._status_id(tx, status)
        if not add_ids and not remove_ids and status_id is UNSET:
            raise ValidationError("choose a tag to add or remove, or a status to set", field="tags")
        return add_ids, remove_ids, status_id

    def _plan_where(
        self,
        tx: Tx,
        where: str,
        params: dict[str, Any],
        add_ids: Sequence[int],
        remove_ids: Sequence[int],
        status_id: int | None,
    ) -> BulkPlan:
        over_limit = self._store._contact_ops._over_limit(tx, add_ids, remove_ids)
        columns = ["COUNT(*)"]
        # The limit test runs once per contact, in a derived table the counts read from.
        eligible = "1 = 1" if over_limit is None else "c.pl_over = 0"
        if over_limit is not None:
            columns.append("COALESCE(SUM(c.pl_over), 0)")
        # One scan of the selection; each tag is an index probe per contact, all in SQL.
        for tag_id in add_ids:
            columns.append(
                f"COALESCE(SUM(CASE WHEN {eligible} AND NOT EXISTS (SELECT 1 FROM contact_tag ph"
                f" WHERE ph.contact_id = c.id AND ph.tag_id = {int(tag_id)}) THEN 1 ELSE 0 END), 0)"
            )
        for tag_id in remove_ids:
            columns.append(
                f"COALESCE(SUM(CASE WHEN {eligible} AND EXISTS (SELECT 1 FROM contact_tag ph"
                f" WHERE ph.contact_id = c.id AND ph.tag_id = {int(tag_id)}) THEN 1 ELSE 0 END), 0)"
            )
        if status_id is not UNSET:
            differs = (
                "c.status_id IS NOT NULL"
                if status_id is None
                else f"(c.status_id IS NULL OR c.status_id <> {int(status_id)})"
            )
            columns.append(f"COALESCE(SUM(CASE WHEN {differs} THEN 1 ELSE 0 END), 0)")
        source = "contact c"
        if over_limit is not None:
            # Each selected contact's tags are counted in one grouped pass over its links.
            join, over = over_limit
            source = (
                f"(SELECT c.id, c.status_id, CASE WHEN {over} THEN 1 ELSE 0 END AS pl_over"
                f" FROM contact c {join} WHERE {where} GROUP BY c.id, c.status_id) c"
            )
            where = "1 = 1"
        row = tx.one(f"SELECT {', '.join(columns)} FROM {source} WHERE {where}", params)
        assert row is not None
        values = [int(v or 0) for v in row]
        selected = values.pop(0)
        left_out = values.pop(0) if over_limit is not None else 0
        names = self._tag_names(tx, [*add_ids, *remove_ids])
        adds = tuple(TagEffect(t, names[t], values.pop(0)) for t in add_ids)
        removes = tuple(TagEffect(t, names[t], values.pop(0)) for t in remove_ids)
        status_effect = None
        if status_id is not UNSET:
            changing = values.pop(0)
            name = None
            if status_id is not None:
                name = tx.scalar("SELECT name FROM status WHERE id = :id", {"id": status_id})
            status_effect = StatusEffect(status_id, name, changing, selected - changing)
        return BulkPlan(
            selected=selected,
            add=adds,
            remove=removes,
            left_out=left_out,
            tag_limit=self._core._settings(tx).max_tags_per_contact,
            status=status_effect,
        )

    def _apply_where(
        self,
        tx: Tx,
        where: str,
        params: dict[str, Any],
        add_ids: Sequence[int],
        remove_ids: Sequence[int],
        status_id: int | None,
        progress: Progress | None = None,
    ) -> BulkPlan:
        plan = self._plan_where(tx, where, params, add_ids, remove_ids, status_id)
        if not plan.changes:
            return plan
        # The query may look at the very tags or status the change edits: fix the selection first.
        fixed = self._core.db.snapshot(
            tx, "tagtui_selection", f"SELECT c.id FROM contact c WHERE {where}", params
        )
        where, params = f"c.workspace_id = :ws AND {fixed}", self._core._params()
        # Progress: the tag part, then the status part, each half of the way when both run.
        parts = int(bool(add_ids or remove_ids)) + int(status_id is not UNSET)
        if add_ids or remove_ids:
            eligible = where
            over_limit = self._store._contact_ops._over_limit(tx, add_ids, remove_ids)
            if over_limit is not None:
                join, over = over_limit
                eligible += (
                    f" AND c.id NOT IN (SELECT c.id FROM contact c {join} WHERE {where}"
                    f" GROUP BY c.id HAVING {over})"
                )
            # The existing set-based writer, so history and undo see a bulk change as usual.
            self._store._contact_ops._apply_tags_where(
                tx, eligible, params, list(add_ids), list(remove_ids), progress=in_parts(progress, 0, parts)
            )
        if status_id is not UNSET:
            self._store._contact_ops._set_status_where(
                tx, where, params, status_id, in_parts(progress, parts - 1, parts)
            )
        return plan

    def _tag_names(self, tx: Tx, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        cond, params = self._core.db.in_list("id", "ids", list(ids))
        return {r[0]: r[1] for r in tx.all(f"SELECT id, name FROM tag WHERE {cond}", params)}
