"""The Contacts screen (home): the query bar, the paged table, the tag and status panel, bulk actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus, Resize, ScreenResume
from textual.timer import Timer
from textual.widgets import Header, Input, Label, ProgressBar, Static
from textual.worker import get_current_worker

from tagtui.app.panel_state import PanelState, state_from_filter
from tagtui.app.screens.base import TagtuiScreen
from tagtui.app.screens.picker import StatusChoice, StatusPicker, TagPicker, TextPrompt, ViewPicker
from tagtui.app.sizes import NARROW
from tagtui.app.widgets.contact_table import ContactTable
from tagtui.app.widgets.filter_panel import FilterPanel, LabelList
from tagtui.app.widgets.footer import AppFooter
from tagtui.app.widgets.job_progress import JobProgress
from tagtui.app.widgets.query_bar import QueryInput
from tagtui.query import EVERYTHING, Filter, parse
from tagtui.query.parse import clauses
from tagtui.store import Contact, Store, TagtuiError, ValidationError, View
from tagtui.store.base import Selection
from tagtui.store.insight import Explanation
from tagtui.store.jobs import Cancelled, Progress
from tagtui.store.sorting import BY_NAME, Sort, parse_sort
from tagtui.textsafe import visible

#: How long typing must pause before the query runs.
DEBOUNCE = 0.25
#: "All matches" before they are counted: about this many (a guess for the wording).
BIG_SELECTION = 200


class ContactsScreen(TagtuiScreen):
    """Contacts matching the query, with the side panel and every bulk action."""

    TITLE = "Contacts"
    CSS_PATH = "contacts.tcss"
    AUTO_FOCUS = "ContactTable"
    BINDINGS = [
        Binding("n", "new_contact", "New", id="contacts.new", tooltip="Create a contact"),
        Binding("e", "edit_contact", "Edit", id="contacts.edit", tooltip="Edit the contact under the cursor"),
        Binding("x", "toggle_select", "Mark", id="contacts.mark", tooltip="Mark or unmark the row"),
        Binding("space", "toggle_select", "Mark", show=False, id="contacts.mark_space"),
        Binding(
            "ctrl+a",
            "select_all",
            "Mark all",
            show=False,
            id="contacts.mark_all",
            tooltip="Mark every contact the query matches",
        ),
        Binding("asterisk", "select_all", "Mark all", show=False, id="contacts.mark_all_star"),
        Binding("escape", "clear_selection", "Unmark", id="contacts.unmark"),
        Binding("t", "add_tags", "+Tag", id="contacts.add_tags", tooltip="Add tags to the marked contacts"),
        Binding(
            "T",
            "remove_tags",
            "−Tag",
            id="contacts.remove_tags",
            tooltip="Remove tags from the marked contacts",
        ),
        Binding("s", "set_status", "Status", id="contacts.status", tooltip="Set or clear the status"),
        Binding(
            "d",
            "delete_contacts",
            "Delete",
            id="contacts.delete",
            tooltip="Delete the contact under the cursor, or the marked ones (ctrl+z puts them back)",
        ),
        Binding(
            "semicolon",
            "hints",
            "Hints",
            id="contacts.hints",
            tooltip="Triage hint keys on the marked contacts",
        ),
        Binding("g", "triage", "Triage", id="contacts.triage", tooltip="Go through the matches one by one"),
        Binding(
            "X", "export", "Export", id="contacts.export", tooltip="Export the matches (CSV, JSON, vCard)"
        ),
        Binding("I", "import_file", "Import", id="contacts.import", tooltip="Import a CSV or vCard file"),
        Binding(
            "v",
            "save_view",
            "Save view",
            show=False,
            id="contacts.save_view",
            tooltip="Save the query as a named view",
        ),
        Binding("V", "recall_view", "Views", id="contacts.views", tooltip="Show a saved view"),
        Binding(
            "f",
            "focus_panel",
            "Filters",
            show=False,
            id="contacts.filters",
            tooltip="Go to the tag and status panel",
        ),
        Binding("r", "refresh", "Refresh", show=False, id="contacts.refresh"),
        Binding(
            "D",
            "duplicates",
            "Duplicates",
            show=False,
            id="contacts.duplicates",
            tooltip="Find contacts that look like one person, and merge them",
        ),
        Binding(
            "ctrl+b",
            "toggle_panel",
            "Panel",
            show=False,
            id="contacts.toggle_panel",
            tooltip="Show or hide the tag and status panel",
        ),
        Binding(
            "c",
            "choose_columns",
            "Columns",
            show=False,
            id="contacts.columns",
            tooltip="Choose the table's columns (kept in the config file)",
        ),
        Binding(
            "H",
            "history",
            "History",
            show=False,
            id="contacts.history",
            tooltip="Who changed what, what was undone",
        ),
    ]
    #: Actions that need a contact under the cursor.
    ROW_ACTIONS = frozenset(
        {"edit_contact", "open_contact", "toggle_select", "select_all", "add_tags", "remove_tags"}
        | {"set_status", "hints", "triage", "export", "delete_contacts"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.state = PanelState()
        self._debounce: Timer | None = None
        #: Text put in the bar by the app (a view, the panel): its Changed event is not a new query.
        self._programmatic: str | None = None
        self._workspace_total: int | None = None
        #: The bar holds a query with an error: the rows are those of the last query that ran.
        self._results_stale = False
        self._resumed_once = False
        #: The first rows arrived and the rest of the screen was sent for (``_loaded``).
        self._first_rows_shown = False
        self._binding_context: tuple[bool, ...] = ()
        #: The query the explain line is (being) counted for.
        self._explain_text = ""
        self._table: ContactTable | None = None
        #: The side panel shown (True) or hidden (False) by ctrl+b; None: shown when the screen is wide.
        self._panel_choice: bool | None = None
        #: What is under way and shown in the count row (why -> its label), latest last.
        self._under_way: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="contacts-main"):
            with Vertical(id="contacts-left"):
                with Horizontal(id="query-row"):
                    yield Label("Query", id="query-label")
                    yield QueryInput(
                        placeholder="tag:vip status:qualified,won -tag:cold-lead   (press / to type)",
                        id="query",
                    )
                yield Static("", id="query-error", markup=False)
                yield Static("", id="explain", markup=False)
                with Horizontal(id="count-row"):
                    yield Label("", id="count")
                    yield Label("", id="selection")
                    yield Label("", id="working-label")
                    yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="working")
                    yield Label("", id="position")
                yield JobProgress(id="bulk-progress")
                yield ContactTable(id="contacts")
                yield Static("", id="empty", markup=False)
            yield FilterPanel(id="panel")
        yield AppFooter(compact=True)

    def on_mount(self) -> None:
        self._show_panel(self._panel_choice)
        config = self.tagtui_app.config
        if config.columns.get("contacts"):
            self.table.choose_columns(config.columns["contacts"])
        # The count row follows the table's state: its count, and what is marked.
        self.watch(self.table, "total", self._total_changed, init=False)
        self.watch(self.table, "selected", self._selection_changed, init=False)
        self.watch(self.table, "waiting", self._table_waiting, init=False)
        self.watch(self.table, "all_selected", self._selection_changed, init=False)
        # The first rows come first: the workspace's count, the panel's counts and the query
        # bar's words start when they have arrived (``_loaded``), not beside them.
        self.table.show(EVERYTHING)

    @property
    def table(self) -> ContactTable:
        if self._table is None:
            self._table = self.query_one(ContactTable)
        return self._table

    @property
    def panel(self) -> FilterPanel:
        return self.query_one(FilterPanel)

    @property
    def query_input(self) -> QueryInput:
        return self.query_one("#query", QueryInput)

    # -- refreshing -----------------------------------------------------------------------

    def mark_stale(self) -> None:
        """The store changed elsewhere: reload now if shown (else resuming reloads)."""
        if self.is_current:
            self.refresh_data()

    @on(ScreenResume)
    def _resumed(self) -> None:
        # Coming back from the detail screen, another section or a dialog: show fresh data.
        if self._resumed_once:
            self.refresh_data()
        self._resumed_once = True

    def reload(self, polled: bool = False) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        self._explain(self.query_text)
        self.table.reload()
        self.panel.reload()
        self._count_workspace()
        self.query_input.load_words()

    def action_refresh(self) -> None:
        self.refresh_data()
        self.notify("Refreshed", timeout=1.5)

    def _count_workspace(self) -> None:
        self._run_workspace_count(self.start_read("workspace-count"))

    @work(thread=True, exclusive=True, group="workspace-count", exit_on_error=False)
    def _run_workspace_count(self, count: int) -> None:
        total = self.store.count_contacts()
        self.post_latest("workspace-count", count, self._counted, total)

    def _counted(self, total: int) -> None:
        self._workspace_total = total
        self._show_count()

    def _show_count(self) -> None:
        table = self.table
        everything = self._workspace_total
        matches = "counting…" if table.total is None else f"{table.total:,}"
        if table.filter == EVERYTHING or everything is None:
            text = f"{matches} contact{'' if table.total == 1 else 's'}"
        else:
            text = f"{matches} of {everything:,} contacts"
        if self._results_stale:
            text += " · stale: these are the last query's results; fix the query above"
        _say(self.query_one("#count", Label), text)
        self._show_position()
        empty = self.query_one("#empty", Static)
        if table.total == 0:
            if everything == 0:
                empty.update("No contacts yet. Press n to add one (or run `tagtui demo`).")
            else:
                empty.update("No contact matches this query.")
            empty.display = True
        else:
            empty.display = False
        self.set_class(table.total == 0, "-no-rows")

    # -- the query ------------------------------------------------------------------------

    def focus_query(self) -> None:
        # At once, not after the keys already queued (``Widget.focus`` waits for them): the
        # letters typed right after `/` are the query, not this screen's keys.
        self.set_focus(self.query_input)

    def set_query(self, text: str, sort: Sort | None = None) -> None:
        """Show ``text`` in the bar and run it now (in ``sort`` order; None: the order shown)."""
        self._set_bar(text)
        self._run_query(text, sort)

    def _set_bar(self, text: str) -> None:
        """Put ``text`` in the bar without running it again when the bar reports the change."""
        if self.query_input.value != text:
            self._programmatic = text
            self.query_input.value = text

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        if self._programmatic is not None and event.value == self._programmatic:
            self._programmatic = None
            return
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, lambda: self._run_query(event.value))

    @on(Input.Submitted, "#query")
    def _query_submitted(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._run_query(event.value)
        self.table.focus()

    def _run_query(self, text: str, sort: Sort | None = None) -> None:
        """Parse and run a typed query; a parse error shows under the bar and the rows stay."""
        try:
            f = parse(text)
        except ValidationError as exc:
            self._explain(text)  # hides the line: a query that does not parse has no clauses
            self._show_query_error(text, exc)
            return
        self.query_text = text
        self._explain(text)
        self.state = state_from_filter(f, self.panel.tag_slugs, self.panel.status_slugs)
        self.panel.show_state(self.state)
        self.table.show(f, sort)

    def _show_query_error(self, text: str, exc: ValidationError) -> None:
        error = self.query_one("#query-error", Static)
        message = Text()
        if exc.position is not None:
            # The caret sits under the problem in the bar above.
            bar = self.query_input
            column = bar.content_region.x - error.content_region.x + exc.position - int(bar.scroll_x)
            message.append(" " * max(column, 0))
            message.append("^ ", style="bold")
        else:
            message.append("✗ ", style="bold")
        message.append(visible(str(exc)))
        error.update(message)
        error.add_class("-shown")
        self.query_input.add_class("-invalid")
        self._mark_results_stale(True)

    def _clear_query_error(self) -> None:
        self.query_one("#query-error", Static).remove_class("-shown")
        self.query_input.remove_class("-invalid")
        self._mark_results_stale(False)

    def _mark_results_stale(self, stale: bool) -> None:
        """Dim the rows and say so in the count line while the bar's query has an error."""
        if stale == self._results_stale:
            return
        self._results_stale = stale
        self.table.set_class(stale, "-stale")
        self.query_one("#count", Label).set_class(stale, "-stale")
        self._show_count()

    @on(ContactTable.Rejected)
    def _rejected(self, event: ContactTable.Rejected) -> None:
        self._show_query_error(self.query_input.value, event.error)

    @on(ContactTable.Loaded)
    def _loaded(self, event: ContactTable.Loaded) -> None:
        if not self._first_rows_shown:
            self._first_rows_shown = True
            self._count_workspace()
            self.panel.reload()
            self.query_input.load_words()
        if event.fresh:
            self._clear_query_error()
            # The board and triage follow the filter the contacts screen shows.
            self.tagtui_app.current_filter = self.table.filter
        self._show_count()
        self._update_bindings()

    def _total_changed(self) -> None:
        self._show_count()
        self._update_bindings()

    @on(FilterPanel.Changed)
    def _panel_changed(self, event: FilterPanel.Changed) -> None:
        self.state = event.state
        text = event.state.to_query()
        self.query_text = text
        self._explain(text)
        self._set_bar(text)
        if self._debounce is not None:
            self._debounce.stop()
        self.table.show(event.state.to_filter())

    # -- explain: what each clause of the query leaves ----------------------------------------

    def _explain(self, text: str) -> None:
        """Count each clause of ``text`` in a worker; the line shows only for two or more clauses."""
        self._explain_text = text
        try:
            several = len(clauses(text)) >= 2
        except ValidationError:
            several = False
        if not several:
            self.query_one("#explain", Static).remove_class("-shown")
            return
        self._run_explain(text)

    @work(thread=True, exclusive=True, group="explain", exit_on_error=False)
    def _run_explain(self, text: str) -> None:
        try:
            explained = self.store.explain(text)
        except TagtuiError:
            explained = None  # an unknown tag or status: the table says so under the bar
        if not get_current_worker().is_cancelled:
            self.post_result(self._show_explain, text, explained)

    def _show_explain(self, text: str, explained: Explanation | None) -> None:
        if text != self._explain_text:
            return  # a newer query is being counted
        line = self.query_one("#explain", Static)
        if explained is None:
            line.remove_class("-shown")
            return
        line.update(explain_line(explained), layout=False)  # one line, as wide as the screen
        line.add_class("-shown")

    # -- selection ------------------------------------------------------------------------

    @on(ContactTable.RowHighlighted)
    def _selection_changed(self) -> None:
        table = self.table
        label = self.query_one("#selection", Label)
        if table.all_selected:
            _say(label, "● all matches marked" if table.total is None else f"● all {table.total:,} marked")
        elif table.selected:
            _say(label, f"● {len(table.selected):,} marked")
        else:
            _say(label, "")
        self._show_position()
        self._update_bindings()

    def _show_position(self) -> None:
        table = self.table
        total = "…" if table.total is None else f"{table.total:,}"
        position = f"{table.position:,} / {total}" if table.row_count else ""
        _say(self.query_one("#position", Label), position)

    def action_toggle_select(self) -> None:
        self.table.toggle_current()
        self.table.action_cursor_down()

    def action_select_all(self) -> None:
        self.table.select_all()

    def action_clear_selection(self) -> None:
        if self.bulk_progress.running:
            self.bulk_progress.cancel()
            return
        self.table.clear_selection()

    @property
    def bulk_progress(self) -> JobProgress:
        return self.query_one("#bulk-progress", JobProgress)

    def _target(self) -> tuple[Selection, int, str]:
        """What a bulk action applies to, about how many contacts that is, and how to say it."""
        table = self.table
        selection = table.selection()
        if table.all_selected:
            if table.total is None:
                return selection, BIG_SELECTION, "all matching contacts"
            n = table.total
            return selection, n, f"all {n:,} matching contacts"
        if table.selected:
            n = len(table.selected)
            return selection, n, f"{n:,} marked contact{'s' if n != 1 else ''}"
        row = table.current
        return selection, 1, repr(visible(row.name)) if row else "nobody"

    # -- keys: contacts -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        table = self.table
        focused = self.focused
        if isinstance(focused, Input) and action in {b.action for b in self._letter_bindings()}:
            return False  # the letters are being typed into the query
        if action == "clear_selection":  # escape: cancels a running bulk change, else unmarks
            return self.bulk_progress.running or bool(table.selected or table.all_selected)
        if action in self.ROW_ACTIONS:
            return table.current is not None
        return True

    def _letter_bindings(self) -> list[Binding]:
        return [b for b in self.BINDINGS if isinstance(b, Binding) and b.action != "clear_selection"]

    @on(DescendantFocus)
    def _focus_moved(self) -> None:
        # Textual refreshes the bindings itself when the focus moves: only note the context.
        self._binding_context = self._binding_state()

    def _binding_state(self) -> tuple[bool, ...]:
        """What ``check_action`` looks at."""
        table = self.table
        return (
            isinstance(self.focused, Input),
            table.current is not None,
            bool(table.selected or table.all_selected),
        )

    def _update_bindings(self) -> None:
        """Refresh the footer only when what ``check_action`` looks at changed (it is rebuilt each time)."""
        context = self._binding_state()
        if context != self._binding_context:
            self._binding_context = context
            self.refresh_bindings()

    def action_focus_panel(self) -> None:
        self._show_panel(True)
        self.set_focus(self.panel.query_one("#panel-tags", LabelList))  # at once, as ``focus_query``

    # -- columns -------------------------------------------------------------------------

    def action_choose_columns(self) -> None:
        from tagtui.app.screens.columns import ColumnChooser
        from tagtui.app.widgets.contact_table import COLUMNS

        def chosen(columns: list[str] | None) -> None:
            if columns is None:
                return
            self.table.choose_columns(columns)
            self.tagtui_app.save_columns("contacts", columns)

        choices = [(key, label) for key, (label, _, _) in COLUMNS.items() if key != "mark"]
        self.app.push_screen(ColumnChooser(choices, self.table.shown_columns), chosen)

    # -- the side panel: hidden on a narrow terminal until asked for ------------------------

    def on_resize(self, event: Resize) -> None:
        if self._panel_choice is None:
            self._show_panel(None)

    @property
    def panel_shown(self) -> bool:
        return not self.has_class("-panel-hidden")

    def action_toggle_panel(self) -> None:
        self._show_panel(not self.panel_shown)
        if not self.panel_shown and self.panel.has_focus_within:
            self.table.focus()

    def _show_panel(self, shown: bool | None) -> None:
        if shown is not None:
            self._panel_choice = shown
        else:
            shown = self.app.size.width >= NARROW
        self.set_class(not shown, "-panel-hidden")

    @on(ContactTable.RowSelected)
    def _row_chosen(self, event: ContactTable.RowSelected) -> None:
        self.action_open_contact()

    def action_open_contact(self) -> None:
        row = self.table.current
        if row is None:
            return
        from tagtui.app.screens.detail import ContactDetailScreen

        self.app.push_screen(ContactDetailScreen(row.id))

    def action_new_contact(self) -> None:
        from tagtui.app.screens.contact_form import ContactForm

        self.app.push_screen(ContactForm(), self._contact_saved)

    def action_edit_contact(self) -> None:
        row = self.table.current
        if row is None:
            return
        from tagtui.app.screens.contact_form import ContactForm

        self.app.push_screen(ContactForm(row.id), self._contact_saved)

    def _contact_saved(self, contact: Contact | None) -> None:
        if contact is not None:
            self.notify(f"Saved {visible(contact.name)!r}", markup=False)
            self.refresh_data()

    # -- keys: bulk changes ---------------------------------------------------------------

    def action_add_tags(self) -> None:
        self._pick_tags(add=True)

    def action_remove_tags(self) -> None:
        self._pick_tags(add=False)

    def _pick_tags(self, *, add: bool) -> None:
        selection, _n, describe = self._target()
        tags = self.panel.tags
        if not tags:
            self.notify("There are no tags yet: press 2 to create some.", severity="warning")
            return
        if not add:
            # Offer the tags the marked rows in view have, when that is all we know.
            on_rows = {t.id for r in self.table.selected_rows() for t in r.tags}
            if not self.table.all_selected and on_rows:
                tags = [t for t in tags if t.id in on_rows]
        title = f"Add tags to {describe}" if add else f"Remove tags from {describe}"

        def chosen(ids: list[int] | None) -> None:
            if ids and self._staged():
                self._stage(selection, title, {"add": ids} if add else {"remove": ids})
            elif ids:
                names = ", ".join(repr(t.name) for t in self.panel.tags if t.id in ids)
                verb = "Added" if add else "Removed"
                self._bulk(
                    "Tagging" if add else "Untagging",
                    lambda store, progress: store.bulk_change_tags(
                        selection, **({"add": ids} if add else {"remove": ids}), progress=progress
                    ),
                    lambda counts: (
                        f"{verb} {visible(names)} {'to' if add else 'from'} "
                        f"{_changed(counts)} contact{'s' if _changed(counts) != 1 else ''}"
                    ),
                )

        self.app.push_screen(TagPicker(title, tags), chosen)

    def action_set_status(self) -> None:
        selection, _n, describe = self._target()
        if not self.panel.statuses:
            self.notify("There are no statuses yet: press 3 to set up the pipeline.", severity="warning")
            return

        def chosen(choice: StatusChoice | None) -> None:
            if choice is None:
                return
            if self._staged():
                self._stage(selection, f"Set the status of {describe}", {"status": choice.status_id})
                return
            what = f"Set status {visible(choice.name)!r} on" if choice.name else "Cleared the status of"
            self._bulk(
                "Setting the status",
                lambda store, progress: store.bulk_set_status(selection, choice.status_id, progress=progress),
                lambda changed: f"{what} {changed:,} contact{'s' if changed != 1 else ''}",
            )

        self.app.push_screen(StatusPicker(f"Set the status of {describe}", self.panel.statuses), chosen)

    # -- staged bulk changes: counted first, applied on confirmation ----------------------

    def _staged(self) -> bool:
        """A change over marked rows (or all matches) is shown first; one contact's is immediate."""
        return bool(self.table.selected or self.table.all_selected)

    def _stage(self, selection: Selection, heading: str, change: dict[str, Any]) -> None:
        self._working(True, "counting…")
        self._plan_bulk(selection, heading, change)

    @work(thread=True, group="bulk-plan", exclusive=True, exit_on_error=False)
    def _plan_bulk(self, selection: Selection, heading: str, change: dict[str, Any]) -> None:
        try:
            plan = self.store.plan_bulk_change(selection, **change)
        except Exception:
            self.post_result(self._working, False)
            raise
        self.post_result(self._confirm_plan, selection, heading, change, plan)

    def _confirm_plan(self, selection: Selection, heading: str, change: dict[str, Any], plan: Any) -> None:
        from tagtui.app.widgets.dialogs import ConfirmDialog

        self._working(False)
        if not plan.changes:
            self.notify(f"Nothing to change: {plan.summary()}", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._bulk(
                    "Applying",
                    lambda store, progress: store.apply_bulk_change(selection, **change, progress=progress),
                    lambda done: f"Done: {done.summary()}",
                )

        question = f"{visible(heading)}?\n\n{visible(plan.summary())}"
        self.app.push_screen(ConfirmDialog(question, confirm_label="Apply"), answered)

    def _bulk(
        self, verb: str, change: Callable[[Store, Progress], Any], describe: Callable[[Any], str]
    ) -> None:
        """Run a bulk change in a worker, its progress shown in the count row; escape cancels it."""
        if self.bulk_progress.running:
            self.notify("A bulk change is still running (escape cancels it).", severity="warning")
            return
        self._run_bulk(change, describe, self.bulk_progress.start(verb, unit="contacts"))

    @work(thread=True, group="bulk", exit_on_error=False)
    def _run_bulk(
        self, change: Callable[[Store, Progress], Any], describe: Callable[[Any], str], progress: Progress
    ) -> None:
        try:
            result = change(self.store, progress)
        except Cancelled:
            self.post_result(self._bulk_done, "Cancelled: nothing was changed.")
            return
        except Exception:
            self.post_result(self.bulk_progress.finish)
            raise
        self.post_result(self._bulk_done, describe(result))

    def _bulk_done(self, message: str) -> None:
        self.bulk_progress.finish()
        self.notify(message, markup=False)
        self.refresh_data()

    def _working(self, on: bool, label: str = "", why: str = "plan") -> None:
        """Show ``label`` and the working bar in the count row while something is under way;
        ``why`` keeps them apart (a staged change being counted, the table loading a query): the
        bar stays while any is, the label says the latest."""
        self._under_way.pop(why, None)
        if on:
            self._under_way[why] = label
        _say(self.query_one("#working-label", Label), next(reversed(self._under_way.values()), ""))
        self.query_one("#working", ProgressBar).display = bool(self._under_way)

    def _table_waiting(self, waiting: bool) -> None:
        self._working(waiting, "loading…", why="table")

    # -- keys: delete -----------------------------------------------------------------------

    def action_delete_contacts(self) -> None:
        """Delete the contact under the cursor or the marked ones, after saying how many."""
        selection, n, describe = self._target()
        if self.table.all_selected:
            self._working(True, "counting…")
            self._count_for_delete(self.table.filter)  # "all matches" may not be counted yet
        else:
            self._confirm_delete(selection, n, describe)

    @work(thread=True, group="bulk-plan", exclusive=True, exit_on_error=False)
    def _count_for_delete(self, selection: Filter) -> None:
        try:
            n = self.store.count_contacts(selection)
        finally:
            self.post_result(self._working, False)
        self.post_result(self._confirm_delete, selection, n, f"all {n:,} matching contacts")

    def _confirm_delete(self, selection: Selection, n: int, describe: str) -> None:
        from tagtui.app.widgets.dialogs import ConfirmDialog

        if n == 0:
            self.notify("Nothing to delete.", timeout=2)
            return
        what = f"contact {describe}" if n == 1 and not self._staged() else describe

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            self.table.clear_selection()  # the marked contacts are going away
            self._bulk(
                "Deleting",
                lambda store, progress: store.bulk_delete_contacts(selection, progress=progress),
                lambda deleted: (
                    f"Deleted {deleted:,} contact{'s' if deleted != 1 else ''} (ctrl+z puts "
                    f"{'it' if deleted == 1 else 'them'} back)"
                ),
            )

        question = f"Delete {visible(what)}? ctrl+z puts {'it' if n == 1 else 'them'} back."
        self.app.push_screen(ConfirmDialog(question), answered)

    def action_hints(self) -> None:
        from tagtui.app.screens.hint_overlay import HintOverlay

        selection, n, describe = self._target()

        def closed(changed: bool | None) -> None:
            if changed:
                self.refresh_data()

        self.app.push_screen(HintOverlay(selection, n, describe), closed)

    def action_triage(self) -> None:
        from tagtui.app.screens.triage import TriageScreen

        table = self.table
        self.app.push_screen(
            TriageScreen(
                table.filter,
                query=self.query_text,
                start=table.current,
                position=table.position,
                total=table.total,
                sort=table.sort,
            )
        )

    # -- keys: export and views -----------------------------------------------------------

    def action_export(self) -> None:
        from tagtui.app.screens.export import ExportDialog

        self.app.push_screen(ExportDialog(self.table.filter, self.query_text, self.table.total))

    def action_history(self) -> None:
        from tagtui.app.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_duplicates(self) -> None:
        from tagtui.app.screens.duplicates import DuplicatesScreen

        self.app.push_screen(DuplicatesScreen())

    def action_import_file(self) -> None:
        from tagtui.app.screens.import_file import ImportScreen

        self.app.push_screen(ImportScreen())

    def action_save_view(self) -> None:
        store: Store = self.store
        query = self.query_text
        sort = self.table.sort

        def save(name: str) -> View:
            return store.save_view(name, query, sort)

        def saved(view: View | None) -> None:
            if view is not None:
                self.notify(f"Saved view {visible(view.name)!r}", markup=False)

        shown = visible(query) if query else "(every contact)"
        if sort != BY_NAME:
            shown += f" · sorted by {sort.text}"
        self.app.push_screen(
            TextPrompt("Save view", "Name", save, placeholder="e.g. hot leads", note=f"Query: {shown}"), saved
        )

    def action_recall_view(self) -> None:
        self._load_views()

    @work(thread=True, group="views", exit_on_error=False)
    def _load_views(self) -> None:
        views = self.store.list_views()
        self.post_result(self._pick_view, views)

    def _pick_view(self, views: list[View]) -> None:
        def chosen(view: View | None) -> None:
            if view is not None:
                self.set_query(view.query, parse_sort(view.sort))
                self.notify(f"View {visible(view.name)!r}", markup=False, timeout=2)

        self.app.push_screen(ViewPicker(views), chosen)


def _say(label: Static, text: str) -> None:
    """Show ``text`` in a label of the count row: only when it changed, and laying the screen
    out again only when its width changed. (Every update did: at a million contacts that was
    a repaint of the screen several times per filter change, and once per cursor move.)"""
    shown = label.content
    if shown != text:
        label.update(text, layout=not isinstance(shown, str) or cell_len(shown) != cell_len(text))


def explain_line(explained: Explanation) -> Text:
    """``tag:vip 1,204 → -tag:cold 1,180 → status:qualified 0 (312 alone)``: running counts,
    the clause that empties the list highlighted."""
    emptied = explained.emptied_by
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    for i, c in enumerate(explained.clauses):
        if i:
            line.append(" → ", style="dim")
        if i == emptied:
            line.append(visible(c.clause), style="bold reverse red")
            line.append(f" {c.running:,}", style="bold red")
            line.append(f" ({c.matches:,} alone)", style="dim")
        else:
            line.append(visible(c.clause))
            line.append(f" {c.running:,}", style="bold")
    if explained.not_explained:
        line.append(f" → {len(explained.not_explained)} more clauses not explained", style="dim")
    return line


def _changed(counts: dict[str, int]) -> int:
    """How many contacts a bulk tag change touched (the largest count of any one tag)."""
    return max(counts.values(), default=0)
