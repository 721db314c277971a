"""What updating a tag and updating a status share: the rev check, the slug check, the event."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from tagtui.store.db import Tx
from tagtui.store.errors import Conflict
from tagtui.store.stored_queries import Label

if TYPE_CHECKING:
    from tagtui.store.base import StoreBase
    from tagtui.store.stored_queries import StoredQueryService


class _Named(Protocol):
    """A tag or a status as the store returns it: what a rename needs of it."""

    @property
    def name(self) -> str: ...
    @property
    def slug(self) -> str: ...


L = TypeVar("L", bound=_Named)


class LabelService:
    """Steps of ``update_tag`` and ``update_status`` (``TagService`` and ``StatusService`` share
    them); ``kind`` ("tag" or "status") is also the table."""

    def __init__(self, core: StoreBase, stored: StoredQueryService) -> None:
        self._core = core
        self._stored = stored

    @staticmethod
    def _check_rev(kind: str, before: Any, rev: int | None) -> None:
        """With ``rev``, the label must still be at it (optimistic locking)."""
        if rev is not None and before.rev != rev:
            raise Conflict(
                f"{kind} {before.name!r} is at rev {before.rev}, not {rev}: it changed since"
                " you read it; reload and try again",
                field="rev",
            )

    def _check_slug_free(self, tx: Tx, kind: str, label_id: int, before: Any, values: dict[str, Any]) -> None:
        """A new slug must not belong to another label of the same kind in the workspace."""
        if "slug" not in values or values["slug"] == before.slug:
            return
        taken = tx.one(
            f"SELECT id, name FROM {kind} WHERE workspace_id = :ws AND slug = :slug AND id <> :id",
            self._core._params(slug=values["slug"], id=label_id),
        )
        if taken:
            raise Conflict(
                f"{kind} {taken[1]!r} (id {taken[0]}) already has the slug {values['slug']!r}",
                field="name",
            )

    @staticmethod
    def _set_clause(values: dict[str, Any]) -> str:
        """``col = :col, …`` for the changed columns, then the new time and rev."""
        sets = ", ".join(f"{col} = :{col}" for col in values)
        return (sets + ", " if sets else "") + "updated_at = :at, rev = rev + 1"

    def _record_update(
        self,
        tx: Tx,
        kind: str,
        label_id: int,
        before: Any,
        values: dict[str, Any],
        load: Callable[[Tx, int], L],
    ) -> L:
        """Log what changed (undo reads ``before``/``after``), name the step; the label as it is now."""
        changed = {k: v for k, v in values.items() if getattr(before, k) != v}
        self._core._event(
            tx,
            f"{kind}.updated",
            kind,
            label_id,
            before={k: getattr(before, k) for k in changed},
            after=changed,
        )
        after = load(tx, label_id)
        # Views and rules that name it keep meaning it (a no-op unless the name changed).
        self._stored._follow_rename(
            tx, Label(kind, label_id, before.name, before.slug), Label(kind, label_id, after.name, after.slug)
        )
        if changed.get("name"):
            self._core._label(tx, f"{kind}.updated", f"Renamed {kind} {before.name} to {after.name}")
        else:
            self._core._label(tx, f"{kind}.updated", f"Edited {kind} {after.name}")
        return after
