"""The History screen: the workspace's changes, or one contact's or tag's, newest first, in words.

Each line says when, who (the step's actor), what and about what; a change whose step was
undone, or dropped (out of undo's reach), is dimmed and marked so. The lines come from the
store's ``history_lines``, the same ones ``tagtui history`` prints.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Label

from tagtui.app.format import literal
from tagtui.app.screens.base import TagtuiScreen
from tagtui.app.screens.detail import format_when
from tagtui.app.screens.support import store_of
from tagtui.app.widgets.list_table import ListTable
from tagtui.store.history import HistoryLine

#: How many changes the screen lists (the newest).
LIMIT = 200


class HistoryScreen(TagtuiScreen):
    """What changed, newest first: the workspace, or one contact (``contact``) or tag (``tag``)."""

    TITLE = "History"
    DEFAULT_CSS = """
    HistoryScreen #history-title { padding: 0 1; }
    HistoryScreen #history-table { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="history.back"),
        Binding("r", "reload", "Refresh", id="history.refresh"),
    ]

    def __init__(self, *, contact: int | None = None, tag: int | None = None, about: str = "") -> None:
        super().__init__()
        self.contact = contact
        self.tag = tag
        self.about = about
        self._version = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(self._title(), id="history-title")
        yield ListTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def _title(self) -> Text:
        if self.contact is not None:
            what = f"contact {self.about}"
        elif self.tag is not None:
            what = f"tag {self.about}"
        else:
            what = "the workspace"
        return Text.assemble(("History of ", "bold"), literal(what, "bold"), (f" · newest {LIMIT}", "dim"))

    def on_mount(self) -> None:
        table = self.query_one("#history-table", DataTable)
        table.add_column("When", key="when", width=16)
        table.add_column("Who", key="who", width=16)
        table.add_column("What", key="what")
        table.add_column("About", key="about")
        self.reload()

    def reload(self) -> None:
        self._version += 1
        self._load(self._version)

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="history-load", exit_on_error=False)
    def _load(self, version: int) -> None:
        lines = store_of(self).history_lines(contact=self.contact, tag=self.tag, limit=LIMIT)
        self.app.call_from_thread(self._show, lines, version)

    def _show(self, lines: list[HistoryLine], version: int) -> None:
        if version != self._version:
            return  # a newer load is on its way
        table = self.query_one("#history-table", DataTable)
        table.clear()
        for line in lines:
            style = "dim" if line.state else ""
            what = literal(line.what, style)
            if line.state:
                what.append(f"  ({line.state})", style="dim italic")
            table.add_row(
                Text(format_when(line.at), style="dim"),
                literal(line.actor or "—", style or "cyan"),
                what,
                literal(line.about, style),
                key=str(line.event.id),
            )
        if not lines:
            table.add_row(Text(""), Text(""), Text("No changes yet.", style="dim italic"), Text(""))
