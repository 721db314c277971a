"""The Statuses screen: the pipeline in order, with create / edit / delete and reorder by keys.

A reorder moves the row at once and queues ``store.move_status``; the writes run one
after another in key order, and the list is read back from the store when they are done.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Label, Static

from tagtui.app.format import literal, swatch
from tagtui.app.screens.label_list import LabelItem, LabelListScreen
from tagtui.app.screens.status_form import StatusForm
from tagtui.app.screens.support import data_changed, plural, show_error
from tagtui.app.widgets.footer import AppFooter
from tagtui.app.widgets.list_table import ListTable
from tagtui.app.writes import WriteQueue
from tagtui.store import Status, Store
from tagtui.store.validation import color_name
from tagtui.textsafe import visible


class StatusesScreen(LabelListScreen):
    """The pipeline's statuses in order; ``K``/``J`` move the highlighted one up and down."""

    TITLE = "Statuses"
    CSS_PATH = "statuses.tcss"
    KIND = "status"
    TOPIC = "statuses"
    FORM = StatusForm
    COLUMNS = (
        ("#", "position", 3, True),
        ("", "swatch", 2, False),
        ("Name", "name", 32, False),
        ("Slug", "slug", 28, False),
        ("Color", "color", 16, False),
        ("Contacts", "count", 10, True),
    )

    BINDINGS = [
        Binding("n", "new", "New", id="statuses.new"),
        Binding("e", "edit", "Edit", id="statuses.edit"),
        Binding("d", "delete", "Delete", id="statuses.delete"),
        Binding("K,shift+up,alt+up", "move(-1)", "Move up", id="statuses.move_up"),
        Binding("J,shift+down,alt+down", "move(1)", "Move down", id="statuses.move_down"),
        Binding("r", "refresh", "Refresh", id="statuses.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: The pipeline as shown (local order while moves are on their way to the store).
        self.statuses: list[Status] = []
        self._loaded = False
        self._moves = WriteQueue(
            self, lambda exc: show_error(self, exc), "statuses-move", idle=self._moves_done
        )
        #: The status the cursor goes to when the running load is applied.
        self._pending_select: int | None = None
        self._has_rows = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="statuses-summary")
        table: DataTable[Text | str] = ListTable(id="statuses-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(
            "No statuses yet. Press n to create the first stage of the pipeline.", id="statuses-empty"
        )
        yield AppFooter()

    def current_item(self) -> Status | None:
        row = self.table.cursor_row
        if 0 <= row < len(self.statuses):
            return self.statuses[row]
        return None

    # -- loading -------------------------------------------------------------------

    def reload(self, polled: bool = False, *, select: int | None = None) -> None:
        if select is not None:
            self._pending_select = select
        if self._moves.busy:
            return  # the drain reloads when the queued moves are done
        self._fetch(self._moves.version, self.start_read("statuses"))

    @work(thread=True, exclusive=True, group="statuses-load", exit_on_error=False)
    def _fetch(self, version: int, read: int) -> None:
        statuses = self.store.list_statuses()
        self.post_latest("statuses", read, self._apply, statuses, version)

    def _apply(self, statuses: list[Status], version: int) -> None:
        if not self._moves.current(version):
            return  # read before a move shown here: the moves' drain reads again
        current = self.current_item()
        # A new or edited status, else the one under the cursor now (not when the read began).
        select = self._pending_select or (current.id if current else None)
        self._pending_select = None
        self.statuses = list(statuses)
        self._loaded = True
        ids = [s.id for s in self.statuses]
        row = ids.index(select) if select in ids else min(self.table.cursor_row, len(ids) - 1)
        self._show_rows(max(row, 0))

    def _show_rows(self, row: int) -> None:
        table = self.table
        table.clear()
        for position, status in enumerate(self.statuses, start=1):
            table.add_row(
                Text(str(position), justify="right"),
                swatch(status.color),
                literal(status.name, "bold"),
                literal(status.slug, "dim"),
                Text(color_name(status.color) or status.color, style="dim"),
                Text("…" if status.contacts is None else f"{status.contacts:,}", justify="right"),
                key=str(status.id),
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)
        total = sum(s.contacts or 0 for s in self.statuses)
        self.query_one("#statuses-summary", Label).update(
            f"{plural(len(self.statuses), 'stage')} in the pipeline"
            f" · {plural(total, 'contact')} with a status"
        )
        self.query_one("#statuses-empty", Static).display = self._loaded and not self.statuses
        if self._has_rows != bool(self.statuses):
            # check_action's answers change only with emptiness; a footer refresh is not free.
            self._has_rows = bool(self.statuses)
            self.refresh_bindings()

    # -- reorder -------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        row = self.table.cursor_row
        target = row + delta
        if not (0 <= row < len(self.statuses)) or not (0 <= target < len(self.statuses)):
            return
        status = self.statuses.pop(row)
        self.statuses.insert(target, status)
        self._show_rows(target)  # the cursor follows the moved row
        store = self.store
        self._moves.submit(lambda: store.move_status(status.id, target + 1))

    def _moves_done(self) -> None:
        data_changed(self, "statuses")
        self.reload()

    # -- create / edit / delete (LabelListScreen) ---------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "delete", "move"):
            return self.current_item() is not None
        return True

    def get_item(self, store: Store, item_id: int) -> Status:
        return store.get_status(item_id)

    def delete_item(self, store: Store, item_id: int, *, force: bool = False) -> int:
        return store.delete_status(item_id, force=force)

    def delete_question(self, item: LabelItem) -> str:
        n = item.contacts or 0
        clears = "No contact has it." if n == 0 else f"It clears the status of {plural(n, 'contact')}."
        return f"Delete status '{visible(item.name)}'? {clears}"

    def deleted_message(self, name: str, contacts: int) -> str:
        return f"Deleted status '{visible(name)}'; cleared it on {plural(contacts, 'contact')}."
