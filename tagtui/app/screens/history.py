"""The History screen: the workspace's changes, or one contact's or tag's, newest first, in words.

Each line says when, who (the step's actor), what and about what; a change whose step was
undone, or dropped (out of undo's reach), is dimmed and marked so. The lines come from the
store's ``history_lines``, the same ones ``tagtui history`` prints. On a narrow terminal
(80×24) the time is short, who is narrow and what and about share one column as two lines;
the line under the table always shows the highlighted change in full.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import DataTable, Header, Label, Static

from tagtui.app.format import format_when, literal
from tagtui.app.screens.base import TagtuiScreen
from tagtui.app.sizes import NARROW
from tagtui.app.widgets.footer import AppFooter
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
    HistoryScreen #history-detail {
        width: 100%; height: auto; max-height: 3; padding: 0 1; background: $panel;
    }
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
        self._lines: list[HistoryLine] = []
        #: The layout the table has (None before the first): True for one column per part.
        self._wide: bool | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(self._title(), id="history-title")
        yield ListTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="history-detail")
        yield AppFooter()

    def _title(self) -> Text:
        if self.contact is not None:
            what = f"contact {self.about}"
        elif self.tag is not None:
            what = f"tag {self.about}"
        else:
            what = "the workspace"
        return Text.assemble(("History of ", "bold"), literal(what, "bold"), (f" · newest {LIMIT}", "dim"))

    def on_mount(self) -> None:
        self._layout(_wide(self.app.size.width))
        self.reload()

    def on_resize(self, event: Resize) -> None:
        wide = _wide(event.size.width)
        if wide != self._wide:
            self._layout(wide)
            self._fill()

    def _layout(self, wide: bool) -> None:
        self._wide = wide
        table = self.query_one("#history-table", DataTable)
        table.clear(columns=True)
        if wide:
            table.add_column("When", key="when", width=16)
            table.add_column("Who", key="who", width=16)
            table.add_column("What", key="what")
            table.add_column("About", key="about")
        else:
            table.add_column("When", key="when", width=12)
            table.add_column("Who", key="who", width=10)
            table.add_column("What · about", key="what")

    def reload(self, polled: bool = False) -> None:
        self._version += 1
        self._load(self._version)

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="history-load", exit_on_error=False)
    def _load(self, version: int) -> None:
        lines = self.store.history_lines(contact=self.contact, tag=self.tag, limit=LIMIT)
        self.post_result(self._show, lines, version)

    def _show(self, lines: list[HistoryLine], version: int) -> None:
        if version != self._version:
            return  # a newer load is on its way
        self._lines = lines
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#history-table", DataTable)
        row = table.cursor_row
        table.clear()
        wide = bool(self._wide)
        for line in self._lines:
            style = "dim" if line.state else ""
            what = _what(line)
            who = literal(line.actor or "—", style or "cyan")
            if wide:
                when = Text(format_when(line.at), style="dim")
                table.add_row(when, who, what, literal(line.about, style), key=str(line.event.id))
                continue
            who.truncate(10, overflow="ellipsis")
            both = Text.assemble(what, "\n", literal(line.about, "dim"))
            when = Text(format_when(line.at, short=True), style="dim")
            table.add_row(when, who, both, key=str(line.event.id), height=2)
        if not self._lines:
            empty = [Text(""), Text(""), Text("No changes yet.", style="dim italic")]
            table.add_row(*empty, *([Text("")] if wide else []))
        elif 0 < row < table.row_count:
            table.move_cursor(row=row, animate=False)
        self._show_detail()

    @on(DataTable.RowHighlighted, "#history-table")
    def _show_detail(self) -> None:
        """The highlighted change in full: when, who, what and about (wrapped, never cut)."""
        detail = self.query_one("#history-detail", Static)
        row = self.query_one("#history-table", DataTable).cursor_row
        if not 0 <= row < len(self._lines):
            detail.update("")
            return
        line = self._lines[row]
        detail.update(
            Text.assemble(
                (format_when(line.at), "dim"),
                " · ",
                literal(line.actor or "—", "cyan"),
                " · ",
                _what(line),
                " · ",
                literal(line.about, "dim" if line.state else ""),
            )
        )


def _wide(width: int) -> bool:
    """Whether what and about each get a column (the app's own narrow/wide line)."""
    return width >= NARROW


def _what(line: HistoryLine) -> Text:
    """What changed, dimmed and marked when its step was undone or dropped."""
    what = literal(line.what, "dim" if line.state else "")
    if line.state:
        what.append(f"  ({line.state})", style="dim italic")
    return what
