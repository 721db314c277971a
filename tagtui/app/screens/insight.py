"""Tag insight: which tags occur together among the contacts of the current filter.

A matrix of the filter's most used tags (each cell: contacts having both; the diagonal:
contacts having the tag) and the ranked pairs. Both are counted in a worker: on a million
contacts the unfiltered pairs take seconds.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Label, Static

from tagtui.app.format import literal
from tagtui.app.screens.base import TagtuiScreen
from tagtui.app.widgets.footer import AppFooter
from tagtui.app.widgets.list_table import ListTable
from tagtui.query.filter import EVERYTHING, Filter
from tagtui.store import TagtuiError
from tagtui.store.insight import Cooccurrence, TagPair

#: Tags in the matrix, pairs in the list.
MATRIX_TAGS = 8
PAIRS = 50
#: Width of a tag's name in the matrix's header.
CELL = 11


def _name(tag_name: str, emoji: str | None, width: int) -> Text:
    text = literal(f"{emoji} {tag_name}" if emoji else tag_name)
    text.truncate(width, overflow="ellipsis")
    return text


def matrix_table(matrix: Cooccurrence) -> Table | Text:
    """The co-occurrence matrix as a table; the diagonal (the tag's own count) is dimmed."""
    if not matrix.tags:
        return Text("No contact of this selection has a tag.", style="dim italic")
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    table.add_column("", no_wrap=True, max_width=20)
    for tag in matrix.tags:
        table.add_column(_name(tag.name, None, CELL), justify="right", no_wrap=True, max_width=CELL)
    for i, tag in enumerate(matrix.tags):
        cells: list[Text] = []
        for j, n in enumerate(matrix.counts[i]):
            if i == j:
                cells.append(Text(f"{n:,}", style="dim italic"))
            elif n == 0:
                cells.append(Text("·", style="dim"))
            else:
                cells.append(Text(f"{n:,}", style="bold"))
        table.add_row(_name(tag.name, tag.emoji, 20), *cells)
    return table


class InsightScreen(TagtuiScreen):
    """Tag co-occurrence for the contacts of the current filter."""

    TITLE = "Tag insight"
    CSS_PATH = "insight.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="insight.close"),
        Binding("r", "refresh", "Refresh", id="insight.refresh"),
    ]

    def __init__(self, query: Filter | None = None) -> None:
        super().__init__()
        self.filter = query

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Counting…", id="insight-scope")
        yield Label("Tags that occur together (contacts having both)", classes="insight-title")
        yield Static("", id="insight-matrix")
        yield Label("Pairs, most frequent first", id="insight-pairs-title", classes="insight-title")
        table: DataTable[Text | str] = ListTable(id="insight-pairs", cursor_type="row", zebra_stripes=True)
        yield table
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.query_one("#insight-pairs", DataTable)
        table.add_column("Tag", key="a", width=24)
        table.add_column("Tag", key="b", width=24)
        table.add_column(Text("Contacts", justify="right"), key="contacts", width=10)
        table.add_column(Text("Share", justify="right"), key="share", width=8)
        table.focus()
        self.action_refresh()

    def reload(self, polled: bool = False) -> None:
        if not polled:
            self.action_refresh()

    def action_refresh(self) -> None:
        query = self.filter if self.filter is not None else self.tagtui_app.current_filter
        self.query_one("#insight-scope", Label).update(Text("Counting…", style="dim"))
        self.query_one("#insight-pairs", DataTable).loading = True
        self._load(query, self.start_read("insight"))

    @work(thread=True, exclusive=True, group="insight", exit_on_error=False)
    def _load(self, query: Filter, read: int) -> None:
        store = self.store
        note = ""
        try:
            store.check_query(query)
        except TagtuiError as exc:
            note = f" (the filter was left out: {exc})"
            query = EVERYTHING
        # The matrix first: on a million contacts the pairs over every tag take seconds more.
        matrix = store.cooccurrence(None, query, top=MATRIX_TAGS)
        self.post_latest("insight", read, self._show_matrix, query, matrix, note)
        pairs = store.tag_pairs(query, limit=PAIRS)
        self.post_latest("insight", read, self._show_pairs, pairs)

    def _show_matrix(self, query: Filter, matrix: Cooccurrence, note: str) -> None:
        from tagtui.query.render import render

        if query == EVERYTHING:
            scope = Text.assemble(
                ("Among all ", "dim"), (f"{matrix.contacts:,}", "bold"), (" contacts", "dim")
            )
        else:
            scope = Text.assemble(
                ("Among the ", "dim"),
                (f"{matrix.contacts:,}", "bold"),
                (" contacts matching ", "dim"),
                literal(render(query), "bold"),
            )
        if note:
            scope.append(literal(note, "italic"))
        self.query_one("#insight-scope", Label).update(scope)
        self.query_one("#insight-matrix", Static).update(matrix_table(matrix))

    def _show_pairs(self, pairs: list[TagPair]) -> None:
        table = self.query_one("#insight-pairs", DataTable)
        table.loading = False
        table.clear()
        title = "Pairs, most frequent first" if pairs else "Pairs: no two tags are on one contact here"
        self.query_one("#insight-pairs-title", Label).update(title)
        for pair in pairs:
            table.add_row(
                _name(pair.a.name, pair.a.emoji, 24),
                _name(pair.b.name, pair.b.emoji, 24),
                Text(f"{pair.contacts:,}", justify="right"),
                Text("" if pair.share is None else f"{pair.share:.0%}", justify="right"),
                key=f"{pair.a.id}-{pair.b.id}",
            )

    def action_close(self) -> None:
        self.dismiss()
