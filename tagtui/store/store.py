"""The Store: one workspace of one database, and every operation on it (SPEC §2)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from tagtui.query.filter import EVERYTHING, Filter
from tagtui.store.automation import AutomationService, Rule, RuleEffect
from tagtui.store.base import UNSET, Selection, StoreBase
from tagtui.store.contacts import ContactService
from tagtui.store.db import Database, IntegrityViolation, Tx
from tagtui.store.duplicates import (
    DEFAULT_MIN_SCORE,
    LOOKALIKES_BUDGET_S,
    DuplicateGroup,
    DuplicateService,
    Lookalikes,
)
from tagtui.store.duplicates import Progress as DuplicateProgress
from tagtui.store.errors import NotFound, ValidationError
from tagtui.store.history import HistoryLine, HistoryService
from tagtui.store.imports import ImportResult, ImportService, Skip, defer_indexes
from tagtui.store.insight import Cooccurrence, Explanation, FunnelStage, InsightService, TagPair
from tagtui.store.jobs import Progress
from tagtui.store.labels import LabelService
from tagtui.store.merge import MergeResult, MergeService
from tagtui.store.plans import BulkPlan, PlanService
from tagtui.store.schema import now, prepare
from tagtui.store.sorting import BY_NAME, Sort, parse_sort
from tagtui.store.statuses import StatusService
from tagtui.store.stored_queries import StoredQueryService
from tagtui.store.sync import (
    Applied,
    Fields,
    ItemWrite,
    LocalChange,
    SyncConflict,
    SyncItem,
    SyncService,
    SyncSource,
)
from tagtui.store.tags import TagService
from tagtui.store.trends import WEEKS_DEFAULT, Trends, TrendService
from tagtui.store.types import (
    BulkResult,
    Contact,
    ContactRow,
    Event,
    Page,
    Settings,
    SetupItem,
    Status,
    Tag,
    TagChange,
    UndoResult,
    View,
)
from tagtui.store.types import MergeResult as TagMergeResult
from tagtui.store.undo import UndoService
from tagtui.store.validation import (
    DEFAULT_BULK_LIMIT,
    check_bulk_limit_setting,
    check_max_tags_setting,
    clean_emoji,
    clean_label_name,
    clean_text,
    normalize_color,
)

if TYPE_CHECKING:
    from tagtui.query.complete import Vocabulary

WORKSPACE_NAME_MAX = 200
VIEW_NAME_MAX = 100


class Store(StoreBase):
    """Open with ``Store.open(path_or_url, workspace=...)``; close with ``close()``."""

    def __init__(self, db: Database, workspace_id: int, workspace_name: str) -> None:
        super().__init__(db, workspace_id, workspace_name)
        # Every part is a service: each gets the workspace and its transactions (``core``: this
        # store, as a StoreBase), the services it calls, and the whole store where it still
        # reaches a part through it (``self._store._contact_ops``) or calls its public methods.
        self._stored = StoredQueryService(self)
        self._labels = LabelService(self, stored=self._stored)
        self._tags = TagService(self, self, labels=self._labels, stored=self._stored)
        self._statuses = StatusService(self, self, labels=self._labels, stored=self._stored)
        self._merge = MergeService(self, self)
        self._contact_ops = ContactService(self, merge=self._merge, tags=self._tags)
        self._imports = ImportService(self, self)
        self._undo = UndoService(self, merge=self._merge, statuses=self._statuses, stored=self._stored)
        self._history = HistoryService(self, self, merge=self._merge)
        self._duplicates = DuplicateService(self, self)
        self._plans = PlanService(self, self)
        self._automation = AutomationService(self, self, plans=self._plans, tags=self._tags)
        self._sync = SyncService(self, self, tags=self._tags)
        self._insight = InsightService(self)
        self._trends = TrendService(self, contacts=self._contact_ops)

    @classmethod
    def open(
        cls,
        target: str,
        workspace: str = "default",
        *,
        on_wait: Callable[[], None] | None = None,
        on_upgrade: Callable[[str], None] | None = None,
    ) -> Store:
        """Open (creating or migrating if need be) a database, bound to one workspace.

        ``on_wait`` is called (from another thread) when a change has waited a few seconds
        for another writer to let go of an SQLite database; ``on_upgrade`` with what each step
        of a migration does, before it runs (see ``schema.prepare``).
        """
        name = clean_text(workspace, field="workspace", limit=WORKSPACE_NAME_MAX, required=True)
        assert name is not None
        db = Database(target, on_wait=on_wait)
        try:
            prepare(db, on_upgrade)
            workspace_id = db.run(lambda tx: _workspace_id(tx, name), write=False)
            if workspace_id is None:
                workspace_id = db.run(lambda tx: _create_workspace(tx, name), write=True)
        except BaseException:
            db.close()
            raise
        return cls(db, workspace_id, name)

    def close(self) -> None:
        self.db.close()

    @property
    def read_only(self) -> str | None:
        """Why this database can only be read (a read-only file or folder), or None."""
        return self.db.read_only

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- generated data --------------------------------------------------------------

    def write_generated(
        self, kind: str, fill: Callable[[GeneratedWrite], tuple[str, dict[str, Any]]]
    ) -> None:
        """Run ``fill`` (a generator of data, such as the demo's) as one transaction and one undo
        step, with no time bound on its statements (a whole-workspace job, ``db.QUERY_TIMEOUT_S``).

        ``fill`` writes rows with set-based SQL through the ``GeneratedWrite`` it is given and
        returns the step's summary and the payload of the workspace's ``<kind>.generated`` event.
        The trend tables take in the history it wrote in the same transaction. An exception
        from ``fill`` (a ``Cancelled`` from its progress) rolls everything back.
        """

        def run(tx: Tx) -> None:
            job = GeneratedWrite(self, tx)
            summary, payload = fill(job)
            tx.db.engine.build_indexes(tx, job.deferred)
            if job.keys_paused:
                tx.db.engine.resume_tags_key_added(tx)
            self._event(tx, f"{kind}.generated", "workspace", self.workspace_id, **payload)
            self._label(tx, kind, summary)
            self._trends._fold(tx)  # one pass now, not at the first look at trends

        with self.db.unbounded():
            self._write(run)

    # -- settings --------------------------------------------------------------------

    def settings(self) -> Settings:
        return self._read(self._settings)

    def update_settings(
        self,
        *,
        max_tags_per_contact: int | None = UNSET,
        bulk_limit: int = UNSET,
        phone_region: str | None = UNSET,
        email_folding: bool = UNSET,
    ) -> Settings:
        """Change workspace settings. Lowering the tag limit keeps existing assignments."""
        values: dict[str, int | str | None] = {}
        if max_tags_per_contact is not UNSET:
            values["max_tags_per_contact"] = check_max_tags_setting(max_tags_per_contact)
        if bulk_limit is not UNSET:
            values["bulk_limit"] = check_bulk_limit_setting(bulk_limit)
        if phone_region is not UNSET:
            from tagtui.store.matching import check_phone_region

            values["phone_region"] = check_phone_region(phone_region)
        if email_folding is not UNSET:
            if not isinstance(email_folding, bool):
                raise ValidationError("email folding is on or off", field="email_folding")
            values["email_folding"] = int(email_folding)

        def run(tx: Tx) -> Settings:
            before = self._settings(tx)
            if values:
                sets = ", ".join(f"{k} = :{k}" for k in values)
                tx.execute(f"UPDATE workspace SET {sets} WHERE id = :ws", self._params(**values))
                self._event(
                    tx,
                    "workspace.settings_changed",
                    "workspace",
                    self.workspace_id,
                    before={k: getattr(before, k) for k in values},
                    after=values,
                )
            return self._settings(tx)

        return self._write(run)

    # -- saved views -----------------------------------------------------------------

    def list_views(self) -> list[View]:
        return self._read(
            lambda tx: [
                View(*r)
                for r in tx.all(
                    "SELECT name, query, broken, sort FROM saved_view WHERE workspace_id = :ws ORDER BY name",
                    self._params(),
                )
            ]
        )

    def get_view(self, name: str) -> View:
        row = self._read(
            lambda tx: tx.one(
                "SELECT name, query, broken, sort FROM saved_view WHERE workspace_id = :ws AND name = :name",
                self._params(name=name.strip()),
            )
        )
        if row is None:
            raise NotFound(f"no view named {name.strip()!r}", field="view")
        return View(*row)

    def view_filter(self, name: str) -> Filter:
        """The filter of the view named ``name``; a broken view is a ValidationError (never run)."""
        from tagtui.query.parse import parse

        view = self.get_view(name)
        if view.broken:
            raise ValidationError(
                f"view {view.name!r} is broken ({view.broken}); save it again with a query that works",
                field="view",
            )
        return parse(view.query)

    def save_view(self, name: str, query: str, sort: Sort | str | None = None) -> View:
        """Save ``query`` (listed in ``sort`` order, default by name) under ``name``, replacing a
        view of that name. The query and the sort are checked first."""
        from tagtui.query.parse import parse

        clean = clean_text(name, field="view name", limit=VIEW_NAME_MAX, required=True)
        assert clean is not None  # required: never None
        if not isinstance(query, str):
            raise ValidationError("the query must be text", field="query")
        parsed: Filter = parse(query)
        order = sort if isinstance(sort, Sort) else parse_sort(sort)
        stored = None if order == BY_NAME else order.text

        def run(tx: Tx) -> View:
            self._compile(tx, parsed)  # unknown tags or statuses are refused here
            stamp = now()
            tx.execute(
                "INSERT INTO saved_view (workspace_id, name, query, sort, created_at, updated_at)"
                " VALUES (:ws, :name, :query, :sort, :at, :at) ON CONFLICT (workspace_id, name)"
                " DO UPDATE SET query = excluded.query, sort = excluded.sort,"
                " updated_at = excluded.updated_at, broken = NULL",
                self._params(name=clean, query=query, sort=stored, at=stamp),
            )
            saved = {"name": clean, "query": query, "sort": stored}
            self._event(tx, "view.saved", "workspace", self.workspace_id, **saved)
            return View(clean, query, None, stored)

        return self._write(run)

    def delete_view(self, name: str) -> None:
        def run(tx: Tx) -> None:
            n = tx.execute(
                "DELETE FROM saved_view WHERE workspace_id = :ws AND name = :name",
                self._params(name=name.strip()),
            ).rowcount
            if not n:
                raise NotFound(f"no view named {name.strip()!r}", field="view")
            self._event(tx, "view.deleted", "workspace", self.workspace_id, name=name.strip())

        self._write(run)

    def query_vocabulary(self) -> Vocabulary:
        """The tag and status slugs and names and the assignees a query may name (for completion)."""

        from tagtui.query.complete import Vocabulary

        def run(tx: Tx) -> Vocabulary:
            labels = {
                table: tuple(
                    (r[0], r[1])
                    for r in tx.all(
                        f"SELECT slug, name FROM {table} WHERE workspace_id = :ws ORDER BY slug",
                        self._params(),
                    )
                )
                for table in ("tag", "status")
            }
            # One spelling per assignee (they match case-insensitively). A loose scan of the
            # assignee index: one seek per distinct assignee, never a walk over every contact.
            assignees = tx.all(
                "WITH RECURSIVE a(k, n) AS ("
                " SELECT MIN(assignee_key), 1 FROM contact WHERE workspace_id = :ws"
                " AND assignee_key IS NOT NULL"
                " UNION ALL"
                " SELECT (SELECT MIN(c.assignee_key) FROM contact c WHERE c.workspace_id = :ws"
                " AND c.assignee_key > a.k), a.n + 1 FROM a WHERE a.k IS NOT NULL AND a.n < 1000)"
                " SELECT (SELECT c.assignee FROM contact c WHERE c.workspace_id = :ws"
                " AND c.assignee_key = a.k LIMIT 1) FROM a WHERE a.k IS NOT NULL",
                self._params(),
            )
            return Vocabulary(labels["tag"], labels["status"], tuple(r[0] for r in assignees))

        return self._read(run)

    def check_query(self, f: Filter) -> None:
        """Raise ValidationError if ``f`` names a tag or status this workspace lacks."""
        self._read(lambda tx: self._compile(tx, f))

    def change_marker(self) -> tuple[int, int]:
        """A value that changes whenever anyone (any process) commits a change to this workspace.

        Every change writes an event, so the newest event id says when something changed. On
        PostgreSQL a transaction may commit after one that took a higher id, so the number of
        recent events is part of the marker too. Both come from the (workspace, id) index.
        """

        def run(tx: Tx) -> tuple[int, int]:
            newest = tx.scalar("SELECT MAX(id) FROM event WHERE workspace_id = :ws", self._params()) or 0
            recent = tx.scalar(
                "SELECT COUNT(*) FROM event WHERE workspace_id = :ws AND id > :floor",
                self._params(floor=newest - 1000),
            )
            return int(newest), int(recent or 0)

        return self._read(run)

    # -- contacts (ContactService) --------------------------------------------
    def list_contacts(
        self,
        query: Filter = EVERYTHING,
        *,
        limit: int = 100,
        offset: int = 0,
        after: tuple[Any, ...] | None = None,
        with_total: bool = True,
        sort: Sort | str | None = None,
    ) -> Page:
        return self._contact_ops.list_contacts(
            query, limit=limit, offset=offset, after=after, with_total=with_total, sort=sort
        )

    def sort_key(self, contact: int | str, sort: Sort | str | None = None) -> tuple[Any, ...]:
        return self._contact_ops.sort_key(contact, sort)

    def count_contacts(self, query: Filter = EVERYTHING) -> int:
        return self._contact_ops.count_contacts(query)

    def iter_contacts(self, query: Filter = EVERYTHING, *, batch: int = 2000) -> Iterator[ContactRow]:
        return self._contact_ops.iter_contacts(query, batch=batch)

    def iter_contact_values(
        self, query: Filter = EVERYTHING, *, batch: int = 5000, notes: bool = False, neutralised: bool = False
    ) -> Iterator[list[tuple[Any, ...]]]:
        return self._contact_ops.iter_contact_values(query, batch=batch, notes=notes, neutralised=neutralised)

    def iter_contact_csv(self, query: Filter = EVERYTHING, *, batch: int = 5000) -> Iterator[list[str]]:
        return self._contact_ops.iter_contact_csv(query, batch=batch)

    def iter_contact_json(self, query: Filter = EVERYTHING, *, batch: int = 5000) -> Iterator[list[str]]:
        return self._contact_ops.iter_contact_json(query, batch=batch)

    def get_contact(self, ref: int | str) -> Contact:
        return self._contact_ops.get_contact(ref)

    def add_contact(self, name: str, **fields: Any) -> Contact:
        return self._contact_ops.add_contact(name, **fields)

    def update_contact(self, ref: int | str, *, rev: int | None = None, **fields: Any) -> Contact:
        return self._contact_ops.update_contact(ref, rev=rev, **fields)

    def delete_contacts(self, refs: Sequence[int | str]) -> int:
        return self._contact_ops.delete_contacts(refs)

    def bulk_delete_contacts(self, selection: Selection, *, progress: Progress | None = None) -> int:
        return self._contact_ops.bulk_delete_contacts(selection, progress=progress)

    def change_tags(
        self,
        contact: int | str,
        *,
        add: Sequence[int | str] = (),
        remove: Sequence[int | str] = (),
    ) -> TagChange:
        return self._contact_ops.change_tags(contact, add=add, remove=remove)

    def check_tag_limit(self, tx: Tx, count_after: int, adds: bool) -> None:
        return self._contact_ops.check_tag_limit(tx, count_after, adds)

    def sync_tags(
        self,
        *,
        contact_id: int | str | None = None,
        email: str | None = None,
        names: Sequence[str],
    ) -> TagChange:
        return self._contact_ops.sync_tags(contact_id=contact_id, email=email, names=names)

    def assign(self, tag: int | str, contacts: Sequence[int | str]) -> BulkResult:
        return self._contact_ops.assign(tag, contacts)

    def unassign(self, tag: int | str, contacts: Sequence[int | str]) -> BulkResult:
        return self._contact_ops.unassign(tag, contacts)

    def bulk_change_tags(
        self,
        selection: Selection,
        *,
        add: Sequence[int | str] = (),
        remove: Sequence[int | str] = (),
        progress: Progress | None = None,
    ) -> dict[str, int]:
        return self._contact_ops.bulk_change_tags(selection, add=add, remove=remove, progress=progress)

    def set_status(self, contact: int | str, status: int | str | None) -> Contact:
        return self._contact_ops.set_status(contact, status)

    def bulk_set_status(
        self, selection: Selection, status: int | str | None, *, progress: Progress | None = None
    ) -> int:
        return self._contact_ops.bulk_set_status(selection, status, progress=progress)

    def history(
        self, *, contact: int | str | None = None, tag: int | str | None = None, limit: int = 50
    ) -> list[Event]:
        return self._contact_ops.history(contact=contact, tag=tag, limit=limit)

    # -- imports (ImportService) ----------------------------------------------
    def import_rows(self, rows: Iterable[Mapping[str, Any]], *, skip: Skip | None = None) -> ImportResult:
        return self._imports.import_rows(rows, skip=skip)

    def contact_notes(self, contact_ids: Sequence[int]) -> dict[int, str]:
        return self._imports.contact_notes(contact_ids)

    # -- stored_queries (StoredQueryService) ----------------------------------
    def stored_queries_naming(self, kind: str, ref: int | str) -> list[str]:
        return self._stored.stored_queries_naming(kind, ref)

    # -- tags (TagService) ----------------------------------------------------
    def colors(self) -> list[tuple[str, str]]:
        return self._tags.colors()

    def list_tags(
        self,
        *,
        search: str | None = None,
        limit: int = 100,
        offset: int = 0,
        sort: str = "name",
        updated_before: str | None = None,
    ) -> list[Tag]:
        return self._tags.list_tags(
            search=search, limit=limit, offset=offset, sort=sort, updated_before=updated_before
        )

    def tag_counts(self, query: Filter = EVERYTHING) -> dict[int, int]:
        return self._tags.tag_counts(query)

    def count_tags(self, search: str | None = None) -> int:
        return self._tags.count_tags(search)

    def get_tag(self, ref: int | str) -> Tag:
        return self._tags.get_tag(ref)

    def create_tag(
        self,
        name: str,
        *,
        color: str | None = None,
        emoji: str | None = None,
        description: str | None = None,
    ) -> Tag:
        return self._tags.create_tag(name, color=color, emoji=emoji, description=description)

    def update_tag(
        self,
        ref: int | str,
        *,
        name: str = UNSET,
        color: str | None = UNSET,
        emoji: str | None = UNSET,
        description: str | None = UNSET,
        rev: int | None = None,
    ) -> Tag:
        return self._tags.update_tag(
            ref, name=name, color=color, emoji=emoji, description=description, rev=rev
        )

    def delete_tag(self, ref: int | str, *, force: bool = False) -> int:
        return self._tags.delete_tag(ref, force=force)

    def merge_tags(self, source: int | str, target: int | str) -> TagMergeResult:
        return self._tags.merge_tags(source, target)

    def find_or_create_tag(self, name: str, *, color: str | None = None) -> tuple[Tag, bool]:
        return self._tags.find_or_create_tag(name, color=color)

    def setup_tags(self) -> list[SetupItem]:
        return self._tags.setup_tags()

    # -- statuses (StatusService) ---------------------------------------------
    def list_statuses(self, *, counts: bool = True) -> list[Status]:
        return self._statuses.list_statuses(counts=counts)

    def status_counts(self, query: Filter = EVERYTHING) -> dict[int | None, int]:
        return self._statuses.status_counts(query)

    def get_status(self, ref: int | str) -> Status:
        return self._statuses.get_status(ref)

    def create_status(self, name: str, *, color: str | None = None) -> Status:
        return self._statuses.create_status(name, color=color)

    def update_status(
        self,
        ref: int | str,
        *,
        name: str = UNSET,
        color: str | None = UNSET,
        rev: int | None = None,
    ) -> Status:
        return self._statuses.update_status(ref, name=name, color=color, rev=rev)

    def move_status(self, ref: int | str, position: int) -> Status:
        return self._statuses.move_status(ref, position)

    def delete_status(self, ref: int | str, *, force: bool = False) -> int:
        return self._statuses.delete_status(ref, force=force)

    def setup_statuses(self) -> list[SetupItem]:
        return self._statuses.setup_statuses()

    # -- undo (UndoService) ---------------------------------------------------
    def undo(self, by: str = "any") -> UndoResult:
        return self._undo.undo(by)

    def redo(self, by: str = "any") -> UndoResult:
        return self._undo.redo(by)

    # -- merge (MergeService) -------------------------------------------------
    def merge_contacts(
        self,
        keep: int | str,
        others: Sequence[int | str],
        *,
        choose: Mapping[str, int | str] | None = None,
    ) -> MergeResult:
        return self._merge.merge_contacts(keep, others, choose=choose)

    def preview_merge(
        self,
        keep: int | str,
        others: Sequence[int | str],
        *,
        choose: Mapping[str, int | str] | None = None,
    ) -> MergeResult:
        return self._merge.preview_merge(keep, others, choose=choose)

    # -- history (HistoryService) ---------------------------------------------
    def history_lines(
        self, *, contact: int | str | None = None, tag: int | str | None = None, limit: int = 50
    ) -> list[HistoryLine]:
        return self._history.history_lines(contact=contact, tag=tag, limit=limit)

    # -- duplicates (DuplicateService) ----------------------------------------
    def find_duplicates(
        self,
        query: Filter = EVERYTHING,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        limit: int = 100,
        progress: DuplicateProgress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[DuplicateGroup]:
        return self._duplicates.find_duplicates(
            query, min_score=min_score, limit=limit, progress=progress, cancelled=cancelled
        )

    def ignore_duplicates(self, refs: Sequence[int | str]) -> int:
        return self._duplicates.ignore_duplicates(refs)

    def newest_contact_id(self) -> int:
        return self._duplicates.newest_contact_id()

    def count_lookalikes(
        self, since_id: int, *, min_score: float = DEFAULT_MIN_SCORE, budget: float = LOOKALIKES_BUDGET_S
    ) -> Lookalikes:
        return self._duplicates.count_lookalikes(since_id, min_score=min_score, budget=budget)

    # -- plans (PlanService) --------------------------------------------------
    def rehearsal(self) -> AbstractContextManager[None]:
        return self._plans.rehearsal()

    def plan_bulk_change(
        self,
        selection: Selection,
        *,
        add: Sequence[int | str] = (),
        remove: Sequence[int | str] = (),
        status: int | str | None = UNSET,
    ) -> BulkPlan:
        return self._plans.plan_bulk_change(selection, add=add, remove=remove, status=status)

    def apply_bulk_change(
        self,
        selection: Selection,
        *,
        add: Sequence[int | str] = (),
        remove: Sequence[int | str] = (),
        status: int | str | None = UNSET,
        progress: Progress | None = None,
    ) -> BulkPlan:
        return self._plans.apply_bulk_change(
            selection, add=add, remove=remove, status=status, progress=progress
        )

    # -- automation (AutomationService) ---------------------------------------
    def list_rules(self) -> list[Rule]:
        return self._automation.list_rules()

    def get_rule(self, name: str) -> Rule:
        return self._automation.get_rule(name)

    def count_rule_matches(self) -> dict[str, int | None]:
        return self._automation.count_rule_matches()

    def add_rule(
        self,
        name: str,
        query: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        status: int | str | None = None,
    ) -> Rule:
        return self._automation.add_rule(name, query, add=add, remove=remove, status=status)

    def delete_rule(self, name: str) -> Rule:
        return self._automation.delete_rule(name)

    def preview_rules(self, name: str | None = None) -> list[RuleEffect]:
        return self._automation.preview_rules(name)

    def apply_rules(self, name: str | None = None) -> list[RuleEffect]:
        return self._automation.apply_rules(name)

    # -- sync (SyncService) ---------------------------------------------------
    def check_sync_source(
        self,
        name: str,
        url: str,
        *,
        username: str | None = None,
        password_env: str | None = None,
        password_command: str | None = None,
    ) -> SyncSource:
        return self._sync.check_sync_source(
            name, url, username=username, password_env=password_env, password_command=password_command
        )

    def add_sync_source(
        self,
        name: str,
        url: str,
        *,
        username: str | None = None,
        password_env: str | None = None,
        password_command: str | None = None,
    ) -> SyncSource:
        return self._sync.add_sync_source(
            name, url, username=username, password_env=password_env, password_command=password_command
        )

    def sync_sources(self) -> list[SyncSource]:
        return self._sync.sync_sources()

    def get_sync_source(self, name: str) -> SyncSource:
        return self._sync.get_sync_source(name)

    def remove_sync_source(self, name: str) -> int:
        return self._sync.remove_sync_source(name)

    def sync_lock(self, name: str) -> AbstractContextManager[SyncSource]:
        return self._sync.sync_lock(name)

    def sync_items(self, name: str, hrefs: Iterable[str] | None = None) -> dict[str, SyncItem]:
        return self._sync.sync_items(name, hrefs)

    def sync_changed_here(self, name: str, *, batch: int = 2000) -> set[str]:
        return self._sync.sync_changed_here(name, batch=batch)

    def sync_local_subset(self, name: str, contact_ids: Iterable[int]) -> dict[int, Fields]:
        return self._sync.sync_local_subset(name, contact_ids)

    def sync_unlinked(
        self, name: str, *, batch: int = 2000
    ) -> Iterator[list[tuple[int, str | None, str, str | None]]]:
        return self._sync.sync_unlinked(name, batch=batch)

    def sync_contact_fields(self, contact_ids: Iterable[int]) -> dict[int, Fields]:
        return self._sync.sync_contact_fields(contact_ids)

    def sync_totals(self, name: str) -> tuple[int, int]:
        return self._sync.sync_totals(name)

    def sync_item_etags(self, name: str, hrefs: Iterable[str] | None = None) -> dict[str, str]:
        return self._sync.sync_item_etags(name, hrefs)

    def sync_local_mark(self) -> str:
        return self._sync.sync_local_mark()

    def sync_mark(self, name: str) -> str | None:
        return self._sync.sync_mark(name)

    def forget_sync_mark(self, name: str) -> None:
        return self._sync.forget_sync_mark(name)

    def sync_cards(self, name: str, hrefs: Iterable[str]) -> dict[str, str]:
        return self._sync.sync_cards(name, hrefs)

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
        return self._sync.apply_sync(name, changes, items, forget=forget, conflicts=conflicts, token=token)

    def record_sync_items(
        self,
        name: str,
        items: Sequence[ItemWrite] = (),
        *,
        forget: Sequence[str] = (),
        token: str | None = UNSET,
        mark: str | None = UNSET,
    ) -> None:
        return self._sync.record_sync_items(name, items, forget=forget, token=token, mark=mark)

    # -- insight (InsightService) ---------------------------------------------
    def explain(self, query: Filter | str) -> Explanation:
        return self._insight.explain(query)

    def tag_pairs(self, query: Filter = EVERYTHING, *, limit: int = 20) -> list[TagPair]:
        return self._insight.tag_pairs(query, limit=limit)

    def cooccurrence(
        self, tags: list[int | str] | None = None, query: Filter = EVERYTHING, *, top: int = 8
    ) -> Cooccurrence:
        return self._insight.cooccurrence(tags, query, top=top)

    def funnel(self, query: Filter = EVERYTHING) -> list[FunnelStage]:
        return self._insight.funnel(query)

    # -- trends (TrendService) ------------------------------------------------
    def trends(self, query: Filter = EVERYTHING, *, weeks: int = WEEKS_DEFAULT) -> Trends:
        return self._trends.trends(query, weeks=weeks)

    def window_stages_sql(self) -> str:
        return self._trends.window_stages_sql()


class GeneratedWrite:
    """What a data generator running in ``Store.write_generated`` uses besides plain SQL on ``tx``."""

    def __init__(self, store: Store, tx: Tx) -> None:
        self._store = store
        self.tx = tx
        #: Whether ``write_tags_keys`` turned the ``tags_key`` trigger off (back on at the end).
        self.keys_paused = False
        #: The ``CREATE INDEX`` statements of the indexes ``defer_indexes`` dropped.
        self.deferred: list[str] = []

    def defer_indexes(self) -> None:
        """``imports.defer_indexes`` for the run (once), ``event``'s index by kind and time too
        (a third of a 300,000-contact demo's time when written an entry at a time)."""
        if not self.deferred:
            self.deferred = defer_indexes(self.tx, events={"ix_event_kind"})

    def write_tags_keys(self) -> None:
        """The generator writes each new contact's ``tags_key`` with the contact (as
        ``engine.tags_key_of`` makes it) and gives tags to its new contacts only: the trigger
        that rewrites a contact's ``tags_key`` at each tag it is given (on SQLite, the contact
        row and its index once per tag) is off for the rest of the run, and made again at its
        end, in the same transaction."""
        if not self.keys_paused:
            self.keys_paused = self.tx.db.engine.pause_tags_key_added(self.tx)

    def params(self, **extra: Any) -> dict[str, Any]:
        """Statement parameters: ``:ws`` (the workspace's id) and ``extra``."""
        return self._store._params(**extra)

    def step_id(self) -> int:
        """The id of the undo step the generated rows belong to (the events it writes name it)."""
        return self._store._step(self.tx)

    def tag_id(self, name: str, color: str, emoji: str | None, description: str | None) -> int:
        """The id of the workspace's tag named ``name`` (by slug), created if there is none."""
        name, slug = clean_label_name(name)
        found = self.tx.scalar(
            "SELECT id FROM tag WHERE workspace_id = :ws AND slug = :slug", self.params(slug=slug)
        )
        if found is not None:
            return int(found)
        return self._store._tags._insert_tag(
            self.tx,
            name=name,
            slug=slug,
            color=normalize_color(color),
            emoji=clean_emoji(emoji),
            description=description,
        )


def _workspace_id(tx: Tx, name: str) -> int | None:
    found: int | None = tx.scalar("SELECT id FROM workspace WHERE name = :name", {"name": name})
    return found


def _create_workspace(tx: Tx, name: str) -> int:
    found = _workspace_id(tx, name)
    if found is not None:
        return found
    try:
        made: int = tx.scalar(
            "INSERT INTO workspace (name, created_at, max_tags_per_contact, bulk_limit)"
            " VALUES (:name, :at, NULL, :bulk) RETURNING id",
            {"name": name, "at": now(), "bulk": DEFAULT_BULK_LIMIT},
        )
        return made
    except IntegrityViolation:
        # Another process created it a moment ago.
        found = _workspace_id(tx, name)
        assert found is not None
        return found
