"""Sync: the workspace's address books, "sync now" with its progress, and the last sync's conflicts.

The same store calls and engine as ``tagtui sync``; a sync runs in a worker and reports the
cards read and written (and their rate) as it goes. The conflicts of the last sync of this
window stay listed until the next one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Label

from tagtui.app.format import literal
from tagtui.app.screens.base import TagtuiScreen
from tagtui.app.screens.support import data_changed, plural, show_error
from tagtui.app.widgets.footer import AppFooter
from tagtui.app.widgets.job_progress import JobProgress
from tagtui.store import TagtuiError
from tagtui.store.jobs import Cancelled, Progress
from tagtui.store.sync import SyncSource
from tagtui.store.sync import sync_time as when

if TYPE_CHECKING:
    from tagtui.sync.engine import Added, SyncReport


class SyncScreen(TagtuiScreen):
    """The address books of the workspace; enter syncs the highlighted one."""

    TITLE = "Sync"
    CSS_PATH = "sync.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="sync.close"),
        Binding("enter", "sync_one", "Sync now", id="sync.now", tooltip="Sync the highlighted address book"),
        Binding("A", "sync_all", "Sync all", id="sync.all", tooltip="Sync every address book"),
        Binding(
            "F",
            "sync_one(True)",
            "Force",
            id="sync.force",
            tooltip="Sync the highlighted address book even if it deletes more than half of a side",
        ),
        Binding("a", "add", "Add", id="sync.add", tooltip="Add an address book (CardDAV URL or vdir folder)"),
        Binding("d", "remove", "Remove", id="sync.remove", tooltip="Forget the highlighted address book"),
        Binding(
            "w",
            "preview",
            "What if",
            id="sync.preview",
            tooltip="What a sync of the highlighted address book would change, changing nothing",
        ),
        Binding(
            "p",
            "toggle_prefer",
            "Prefer",
            id="sync.prefer",
            tooltip="A field changed on both sides takes the remote (default) or the local value",
        ),
        Binding("r", "refresh", "Refresh", id="sync.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[SyncSource] = []
        self.running = False
        #: Which side a field changed on both sides takes (``p`` switches).
        self.prefer = "remote"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Reading the address books…", id="sync-summary")
        yield DataTable(id="sync-sources", cursor_type="row", zebra_stripes=True)
        yield JobProgress(id="sync-job")
        yield Label("", id="sync-progress")
        yield Label("Conflicts of the last sync", id="sync-conflicts-title")
        yield DataTable(id="sync-conflicts", cursor_type="row")
        yield AppFooter()

    def on_mount(self) -> None:
        sources = self.query_one("#sync-sources", DataTable)
        # The URL goes last: a long one would push the others out of an 80-column terminal.
        sources.add_columns("Name", "Last sync", "Contacts", "URL")
        conflicts = self.query_one("#sync-conflicts", DataTable)
        conflicts.add_columns("Address book", "Contact", "Field", "Kept", "Local", "Remote")
        self._show_conflicts(self.tagtui_app.sync_reports)
        self.action_refresh()

    # -- the list ----------------------------------------------------------------------------

    def reload(self, polled: bool = False) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self._load(self.start_read("sources"))

    @work(thread=True, exclusive=True, group="sync-list", exit_on_error=False)
    def _load(self, read: int) -> None:
        sources = self.store.sync_sources()
        self.post_latest("sources", read, self._show, sources)

    def _show(self, sources: list[SyncSource]) -> None:
        self.sources = sources
        table = self.query_one("#sync-sources", DataTable)
        row = table.cursor_row
        table.clear()
        for s in sources:
            table.add_row(
                literal(s.name), when(s.last_sync), f"{s.contacts:,}", literal(s.url), key=str(s.id)
            )
        if sources:
            table.move_cursor(row=min(max(row, 0), len(sources) - 1))
        summary = self.query_one("#sync-summary", Label)
        if not sources:
            summary.update(
                Text.assemble(
                    ("No address book yet. ", "bold"),
                    (
                        "a adds one: a CardDAV URL (iCloud, Fastmail, Nextcloud…) or a vdir folder.",
                        "dim",
                    ),
                )
            )
        else:
            last = max((s.last_sync for s in sources if s.last_sync), default=None)
            summary.update(
                Text.assemble(
                    (plural(len(sources), "address book"), "bold"),
                    (f" · last sync {when(last)} · a conflict takes the {self.prefer} value (p)", "dim"),
                )
            )
        self.tagtui_app.show_last_sync(sources)

    @on(DataTable.RowSelected, "#sync-sources")
    def _selected(self) -> None:
        # The table takes enter (select) before the screen's binding sees it.
        self.action_sync_one()

    def _highlighted(self) -> SyncSource | None:
        table = self.query_one("#sync-sources", DataTable)
        if not self.sources or table.cursor_row < 0 or table.cursor_row >= len(self.sources):
            return None
        return self.sources[table.cursor_row]

    # -- syncing -------------------------------------------------------------------------------

    def action_sync_one(self, force: bool = False) -> None:
        source = self._highlighted()
        if source is None:
            self.notify("Add an address book first (a).", severity="warning")
            return
        self._start([source.name], force)

    def action_preview(self) -> None:
        source = self._highlighted()
        if source is None:
            self.notify("Add an address book first (a).", severity="warning")
            return
        self._start([source.name], False, dry_run=True)

    def action_toggle_prefer(self) -> None:
        self.prefer = "local" if self.prefer == "remote" else "remote"
        self._show(self.sources)

    def action_sync_all(self) -> None:
        if not self.sources:
            self.notify("Add an address book first (a).", severity="warning")
            return
        self._start([s.name for s in self.sources], False)

    def _start(self, names: list[str], force: bool, *, dry_run: bool = False) -> None:
        if self.running:
            self.notify("A sync is running.", severity="warning")
            return
        self.running = True
        self._progress(Text(""))
        # The one progress widget of long jobs: cards done and their rate; escape cancels.
        progress = self.query_one(JobProgress).start(f"Syncing {names[0]}", unit="cards")
        self._sync(names, force, dry_run, progress)

    def _progress(self, text: Text) -> None:
        self.query_one("#sync-progress", Label).update(text)

    @work(thread=True, exclusive=True, group="sync-run", exit_on_error=False)
    def _sync(self, names: list[str], force: bool, dry_run: bool, progress: Progress) -> None:
        from tagtui.sync.engine import BEFORE_WRITES, PULL, SAVE, sync

        store = self.store
        job = self.query_one(JobProgress)
        reports: list[SyncReport] = []
        failure: BaseException | None = None
        stopped: str | None = None
        for number, name in enumerate(names):
            if number:
                progress = self.app.call_from_thread(job.start, f"Syncing {name}", unit="cards")
            phase: list[Any] = [PULL, 0, 0]  # the phase, and the last count told

            def report(
                now: str, done: int, total: int, phase: list[Any] = phase, tell: Progress = progress
            ) -> None:
                if now == SAVE:  # (no count of its own: the bar stays where fetching left it)
                    done, total = phase[1], phase[2]
                phase[:] = [now, done, total]
                tell(done, total)  # raises Cancelled once escape was pressed

            try:
                reports.append(
                    sync(store, name, prefer=self.prefer, force=force, dry_run=dry_run, progress=report)
                )
            except Cancelled:
                # Before its writes a sync has changed nothing; while writing to the server,
                # each card written is recorded, and the next sync writes the rest.
                stopped = (
                    f"Sync of {name} cancelled: nothing was changed."
                    if phase[0] in BEFORE_WRITES
                    else f"Sync of {name} stopped: the cards written so far are recorded;"
                    " the next sync writes the rest."
                )
                break
            except TagtuiError as exc:  # shown once all are done: one that fails does not stop the others
                failure = failure or exc
        self.post_result(self._finished, reports, failure, stopped)

    def _finished(
        self, reports: list[SyncReport], failure: BaseException | None, stopped: str | None = None
    ) -> None:
        self.running = False
        self.query_one(JobProgress).finish()
        dry_run = any(r.dry_run for r in reports)
        if reports and not dry_run:
            self.tagtui_app.sync_reports = reports
            self._show_conflicts(reports)
            data_changed(self, "contacts")
        parts = []
        for r in reports:
            pulled = sum(r.pulled.values())
            pushed = sum(r.pushed.values())
            would = "would change" if r.dry_run else "changed"
            parts.append(
                f"{r.name}: {pulled:,} {would} here, {pushed:,} there, {plural(len(r.conflicts), 'conflict')}"
                + (" (nothing was changed)" if r.dry_run else "")
            )
        if stopped is not None:
            parts.append(stopped)
        text = Text("; ".join(parts) or "Nothing synced.", style="bold" if reports else "dim")
        self._progress(text)
        if failure is not None:
            show_error(self, failure)
        self.action_refresh()

    def _show_conflicts(self, reports: list[SyncReport]) -> None:
        table = self.query_one("#sync-conflicts", DataTable)
        table.clear()
        for r in reports:
            for c in r.conflicts:
                table.add_row(
                    literal(r.name),
                    literal(c.name),
                    c.field,
                    c.kept,
                    literal(_shown(c.local)),
                    literal(_shown(c.remote)),
                )
        title = self.query_one("#sync-conflicts-title", Label)
        count = sum(len(r.conflicts) for r in reports)
        title.update(
            Text.assemble(
                ("Conflicts of the last sync", "bold"),
                (
                    f" · {count:,} (the value not kept is in each contact's history)" if count else " · none",
                    "dim",
                ),
            )
        )

    # -- adding and removing ---------------------------------------------------------------------

    def action_add(self) -> None:
        from tagtui.app.screens.sync_form import SyncSourceForm

        def added(done: Added | None) -> None:
            if done is not None:
                self.notify(f"Added {done.source.name} ({done.found}); enter syncs it.", markup=False)
                self.action_refresh()

        self.app.push_screen(SyncSourceForm(), added)

    def action_remove(self) -> None:
        from tagtui.app.widgets.dialogs import ConfirmDialog

        source = self._highlighted()
        if source is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(source.name, self.start_read("sources"))  # it reads them back

        self.app.push_screen(
            ConfirmDialog(
                f"Forget the address book {source.name}? Its {plural(source.contacts, 'linked contact')}"
                " stay, here and there; only the link goes.",
                confirm_label="Forget",
            ),
            answered,
        )

    @work(thread=True, exclusive=True, group="sync-list", exit_on_error=False)
    def _remove(self, name: str, read: int) -> None:
        self.store.remove_sync_source(name)
        sources = self.store.sync_sources()
        self.post_latest("sources", read, self._show, sources)

    def action_close(self) -> None:
        if self.running:
            self.query_one(JobProgress).cancel()  # escape cancels a running sync first
            return
        self.dismiss()


def _shown(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)
