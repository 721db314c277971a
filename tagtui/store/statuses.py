"""Statuses: the pipeline in order; create (appended), update, move, delete, the standard set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tagtui.query.filter import EVERYTHING, Filter
from tagtui.store.base import STATUS_COLUMNS, UNSET
from tagtui.store.columns import columns_of, insert_sql
from tagtui.store.db import IntegrityViolation, TransientError, Tx
from tagtui.store.errors import Conflict, ValidationError
from tagtui.store.schema import now
from tagtui.store.stored_queries import Label
from tagtui.store.types import SetupItem, Status
from tagtui.store.validation import DEFAULT_STATUS_COLOR, clean_label_name, normalize_color

if TYPE_CHECKING:
    from tagtui.store.base import StoreBase
    from tagtui.store.labels import LabelService
    from tagtui.store.store import Store
    from tagtui.store.stored_queries import StoredQueryService

#: Reference 000's "pipeline setup".
STANDARD_PIPELINE: tuple[tuple[str, str], ...] = (
    ("New", "slate"),
    ("Contacted", "blue"),
    ("Qualified", "amber"),
    ("Demo", "purple"),
    ("Proposal", "pink"),
    ("Won", "green"),
    ("Lost", "red"),
)

_COUNT = "(SELECT COUNT(*) FROM contact c WHERE c.workspace_id = s.workspace_id AND c.status_id = s.id)"
_INSERT_STATUS = (
    insert_sql(
        "status",
        columns_of("status", but=["id"]),
        workspace_id=":ws",
        position=":pos",
        created_at=":at",
        updated_at=":at",
        rev="1",
    )
    + " RETURNING id"
)


class StatusService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions, ``store`` the whole store, through which it reaches the parts it is not given."""

    def __init__(
        self, core: StoreBase, store: Store, labels: LabelService, stored: StoredQueryService
    ) -> None:
        self._core = core
        self._store = store
        self._labels = labels
        self._stored = stored

    def list_statuses(self, *, counts: bool = True) -> list[Status]:
        """Every status in pipeline order, with its contact count."""
        count = _COUNT if counts else "NULL"
        sql = (
            f"SELECT {STATUS_COLUMNS}, {count} FROM status s WHERE s.workspace_id = :ws"
            " ORDER BY s.position, s.id"
        )
        return self._core._read(lambda tx: [Status(*row) for row in tx.all(sql, self._core._params())])

    def status_counts(self, query: Filter = EVERYTHING) -> dict[int | None, int]:
        """How many of the contacts ``query`` selects have each status, by status id
        (``None``: no status); statuses none of them has are left out."""

        def run(tx: Tx) -> dict[int | None, int]:
            source, where, params = self._store._contact_ops._shaped(tx, query, "count")
            if source == "contact c":
                sql = f"SELECT c.status_id, COUNT(*) FROM contact c WHERE {where} GROUP BY c.status_id"
            else:
                sql = (
                    f"SELECT k.status_id, COUNT(*) FROM {source} JOIN contact k ON k.id = c.id"
                    f" WHERE {where} GROUP BY k.status_id"
                )
            return dict(tx.all(sql, params))

        return self._core._read(run)

    def get_status(self, ref: int | str) -> Status:
        return self._core._read(lambda tx: self._load_status(tx, self._core._status_id(tx, ref)))

    def _load_status(self, tx: Tx, status_id: int) -> Status:
        row = tx.one(f"SELECT {STATUS_COLUMNS}, {_COUNT} FROM status s WHERE s.id = :id", {"id": status_id})
        assert row is not None
        return Status(*row)

    def create_status(self, name: str, *, color: str | None = None) -> Status:
        """A new status at the end of the pipeline; a taken slug is a Conflict."""
        clean_name, slug = clean_label_name(name, what="status")
        hex_color = normalize_color(color if color is not None else DEFAULT_STATUS_COLOR)

        def run(tx: Tx) -> Status:
            status = self._load_status(tx, self._insert_status(tx, clean_name, slug, hex_color))
            self._core._label(tx, "status.created", f"Created status {status.name}")
            return status

        return self._core._write(run)

    def _insert_status(self, tx: Tx, name: str, slug: str, color: str) -> int:
        existing = tx.one(
            "SELECT id, name FROM status WHERE workspace_id = :ws AND slug = :slug",
            self._core._params(slug=slug),
        )
        if existing:
            raise Conflict(
                f"status {existing[1]!r} (id {existing[0]}) already has the slug {slug!r}",
                field="name",
            )
        self._lock_pipeline(tx)
        position = tx.scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM status WHERE workspace_id = :ws",
            self._core._params(),
        )
        stamp = now()
        try:
            status_id: int = tx.scalar(
                _INSERT_STATUS,
                self._core._params(name=name, slug=slug, color=color, pos=position, at=stamp),
            )
        except IntegrityViolation as exc:
            # Created concurrently: the operation runs again and then sees it.
            raise TransientError(f"status slug {slug!r} created concurrently") from exc
        self._core._event(
            tx, "status.created", "status", status_id, name=name, slug=slug, color=color, position=position
        )
        return status_id

    def update_status(
        self,
        ref: int | str,
        *,
        name: str = UNSET,
        color: str | None = UNSET,
        rev: int | None = None,
    ) -> Status:
        values: dict[str, Any] = {}
        if name is not UNSET:
            values["name"], values["slug"] = clean_label_name(name, what="status")
        if color is not UNSET:
            values["color"] = normalize_color(color if color is not None else DEFAULT_STATUS_COLOR)

        def run(tx: Tx) -> Status:
            status_id = self._core._status_id(tx, ref)
            tx.lock("status s", "s.id = :id", {"id": status_id})
            before = self._load_status(tx, status_id)
            self._labels._check_rev("status", before, rev)
            self._labels._check_slug_free(tx, "status", status_id, before, values)
            tx.execute(
                f"UPDATE status SET {self._labels._set_clause(values)} WHERE id = :id",
                {**values, "at": now(), "id": status_id},
            )
            return self._labels._record_update(tx, "status", status_id, before, values, self._load_status)

        return self._core._write(run)

    def move_status(self, ref: int | str, position: int) -> Status:
        """Move a status to a 1-based position in the pipeline (1 = first)."""

        def run(tx: Tx) -> Status:
            status_id = self._core._status_id(tx, ref)
            self._lock_pipeline(tx)
            order = [
                r[0]
                for r in tx.all(
                    "SELECT id FROM status WHERE workspace_id = :ws ORDER BY position, id",
                    self._core._params(),
                )
            ]
            if (
                isinstance(position, bool)
                or not isinstance(position, int)
                or not (1 <= position <= len(order))
            ):
                raise ValidationError(f"position must be 1–{len(order)}, not {position}", field="position")
            old = order.index(status_id) + 1
            order.remove(status_id)
            order.insert(position - 1, status_id)
            self._renumber(tx, order)
            if old != position:
                tx.execute(
                    "UPDATE status SET updated_at = :at, rev = rev + 1 WHERE id = :id",
                    {"at": now(), "id": status_id},
                )
                self._core._event(tx, "status.moved", "status", status_id, before=old, after=position)
            status = self._load_status(tx, status_id)
            self._core._label(tx, "status.moved", f"Moved status {status.name} to position {position}")
            return status

        return self._core._write(run)

    def _lock_pipeline(self, tx: Tx) -> None:
        """Positions are read, then written: one writer of a workspace's pipeline at a time."""
        tx.lock("workspace w", "w.id = :ws", self._core._params())

    def _renumber(self, tx: Tx, order: list[int]) -> None:
        tx.executemany(
            "UPDATE status SET position = :pos WHERE id = :id AND position <> :pos",
            [{"id": sid, "pos": i} for i, sid in enumerate(order, start=1)],
        )

    def delete_status(self, ref: int | str, *, force: bool = False) -> int:
        """Delete a status, clearing it on its contacts; one event, whatever the count (000).

        A status that a saved view or rule names is a Conflict unless ``force``; forced, those
        views and rules are marked broken."""

        def run(tx: Tx) -> int:
            status_id = self._core._status_id(tx, ref)
            self._lock_pipeline(tx)
            status = self._load_status(tx, status_id)
            self._stored._follow_delete(tx, Label("status", status.id, status.name, status.slug), force=force)
            # Its contacts are noted first, so that undo can give the status back to them.
            where = "c.workspace_id = :ws AND c.status_id = :undo_sid"
            self._core._record_status_where(tx, where, self._core._params(undo_sid=status.id), None)
            cleared: int = tx.execute(
                "UPDATE contact SET status_id = NULL WHERE workspace_id = :ws AND status_id = :id",
                self._core._params(id=status.id),
            ).rowcount
            tx.execute("DELETE FROM status WHERE id = :id", {"id": status.id})
            order = [
                r[0]
                for r in tx.all(
                    "SELECT id FROM status WHERE workspace_id = :ws ORDER BY position, id",
                    self._core._params(),
                )
            ]
            self._renumber(tx, order)
            self._core._event(
                tx,
                "status.deleted",
                "status",
                status.id,
                name=status.name,
                slug=status.slug,
                color=status.color,
                position=status.position,
                contacts_cleared=cleared,
                created_at=status.created_at,
                updated_at=status.updated_at,
                rev=status.rev,
            )
            self._core._label(
                tx,
                "status.deleted",
                f"Deleted status {status.name} ({cleared:,} contact{'s' if cleared != 1 else ''})",
            )
            return cleared

        return self._core._write(run)

    def setup_statuses(self) -> list[SetupItem]:
        """Create the standard pipeline's missing stages; report each as created or existing."""

        def run(tx: Tx) -> list[SetupItem]:
            items = []
            for name, color in STANDARD_PIPELINE:
                _, slug = clean_label_name(name, what="status")
                exists = tx.scalar(
                    "SELECT id FROM status WHERE workspace_id = :ws AND slug = :slug",
                    self._core._params(slug=slug),
                )
                if exists is None:
                    self._insert_status(tx, name, slug, normalize_color(color))
                items.append(SetupItem(name, exists is None))
            made = sum(item.created for item in items)
            self._core._label(
                tx, "statuses.setup", f"Created {made} standard status{'es' if made != 1 else ''}"
            )
            return items

        return self._core._write(run)
