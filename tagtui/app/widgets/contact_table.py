"""The contacts table: a sliding window of a few pages over a filter, fetched in thread workers.

The table never holds more than ``MAX_PAGES`` pages. Pages are fetched by keyset
(``after=(name_key, id)`` of the row before) as the cursor nears either end of the
window; a page whose start key is unknown (after a jump to the end) falls back to
an offset. Selection lives here too: explicit ids, or "everything the filter matches".

The table draws itself with Textual's line API (a ``ScrollView`` with ``render_line``): only
the lines on screen are drawn, each straight from the window's rows, so a new page costs
nothing until its rows are scrolled into view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from tagtui.app.format import chip, literal, status_chip
from tagtui.app.screens.base import InApp, ReportsWorkerErrors
from tagtui.query import EVERYTHING, Filter
from tagtui.store import ContactRow, TagRef, ValidationError
from tagtui.store.sorting import BY_NAME, SORT_FIELDS, Sort

PAGE_SIZE = 100
MAX_PAGES = 3
#: Fetch the next page when the cursor comes this close to the window's edge.
NEAR = 25
#: Lines above the rows: the header.
HEADER = 1
#: Blank cells on each side of a cell.
CELL_PADDING = 1
#: A new query's first page still out after this many seconds: the table shows it is waiting
#: (a text search or a count-heavy filter at a million contacts takes ~0.3-1 s). Quicker pages
#: replace the rows with no flicker in between.
SLOW_FETCH_S = 0.2

#: Where a page starts: the store's ``next_after`` of the page before (by name ``(name_key, id)``).
Key = tuple[Any, ...]

#: key -> (label, minimum width, share of the spare width), in the order shown.
COLUMNS: dict[str, tuple[str, int, int]] = {
    "mark": ("", 1, 0),
    "name": ("Name", 14, 4),
    "email": ("Email", 14, 6),
    "company": ("Company", 10, 3),
    "status": ("Status", 11, 1),
    "tags": ("Tags", 16, 6),
    "assignee": ("Assignee", 9, 2),
    "followers": ("Followers", 9, 0),
}
#: Which columns give way, first to last, when the table is too narrow for all of them.
DROP_ORDER = ("followers", "assignee", "company", "email")
#: Columns whose text sits at the right edge of the cell.
RIGHT = frozenset({"followers"})


def row_key(row: ContactRow) -> Key:
    return (row.name_key, row.id)


def _cut(text: Text) -> Text:
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def _literal(value: str | None, style: str = "") -> Text:
    """``literal``, without its per-character scan for the common case of printable ASCII."""
    if value and value.isascii() and value.isprintable():
        return Text(value, style=style, end="")
    return literal(value, style)


K = TypeVar("K")
V = TypeVar("V")

#: Cells that many rows share (a tag set, a status), built once: a page repeats them.
_SHARED: dict[tuple[Any, ...], Text] = {}


def _memo(cache: dict[K, V], key: K, build: Callable[[], V], limit: int = 4096) -> V:
    """``cache[key]``, built on a miss; the cache is emptied when it reaches ``limit``."""
    found = cache.get(key)
    if found is None:
        if len(cache) >= limit:
            cache.clear()
        found = cache[key] = build()
    return found


def _shared(key: tuple[Any, ...], build: Callable[[], Text]) -> Text:
    return _memo(_SHARED, key, build).copy()


def fitted_chips(tags: Sequence[TagRef], width: int) -> Text:
    """As many whole chips as fit in ``width`` cells, then ``+n`` for the rest."""
    out = Text(no_wrap=True, overflow="crop", end="")
    for i, tag in enumerate(tags):
        piece = chip(tag.name, tag.color, tag.emoji)
        sep = 1 if i else 0
        left = len(tags) - i - 1
        room = width - out.cell_len - sep - (len(f" +{left}") if left else 0)
        if piece.cell_len > room:
            if i == 0:
                # Not even one fits whole: show it cut, then the count.
                piece.truncate(
                    max(width - len(f" +{len(tags) - 1}") if len(tags) > 1 else width, 1), overflow="ellipsis"
                )
                out.append_text(piece)
                i += 1
            if len(tags) - i:
                out.append(f" +{len(tags) - i}", style="dim")
            return out
        if sep:
            out.append(" ")
        out.append_text(piece)
    return out


_METAS: dict[tuple[int, int, bool], Style] = {}


def _meta(row: int, column: int, *, out_of_bounds: bool = False) -> Style:
    """A cell's (row, column) as style meta, made once per cell position. (Mouse handling reads
    offsets, not these; they keep each cell a run of its own, as Textual's DataTable draws it.)"""

    def build() -> Style:
        meta: dict[str, object] = {"row": row, "column": column}
        if out_of_bounds:
            meta["out_of_bounds"] = True
        return Style.from_meta(meta)

    return _memo(_METAS, (row, column, out_of_bounds), build, 8192)


class ColumnKey(str):
    """A column's key (``"name"``, ``"email"`` …); ``value`` is the plain string."""

    __slots__ = ()

    @property
    def value(self) -> str:
        return str.__str__(self)


TAGS = ColumnKey("tags")


@dataclass(frozen=True)
class Column:
    """A column as laid out: its key, its label and its width inside the padding."""

    key: ColumnKey
    label: str
    width: int

    @property
    def render_width(self) -> int:
        return self.width + 2 * CELL_PADDING


class _Paint:
    """The table's styles for one paint, read once: a line's look depends only on these."""

    def __init__(self, table: ContactTable) -> None:
        get = table.get_component_rich_style
        self.even = get("contact-table--even-row")
        self.odd = get("contact-table--odd-row")
        self.header = get("contact-table--header")
        self.cursor = get("contact-table--cursor")
        self.hover = get("contact-table--hover")
        self.header_hover = get("contact-table--header-hover")
        self.width = table.size.width
        self.base_style = table.rich_style
        self.console = table.app.console
        #: Anything that changes how the same rows look (theme, focus, width).
        self.generation = (
            self.even,
            self.odd,
            self.header,
            self.cursor,
            self.hover,
            self.width,
            self.base_style,
            table.column_widths,
        )
        self._styles: dict[tuple[bool, bool], tuple[Style, Style]] = {}

    def styles(self, cursor: bool, hover: bool) -> tuple[Style, Style]:
        """The cursor's or the mouse's style over a row, and the colour that wins over the cells'."""
        found = self._styles.get((cursor, hover))
        if found is None:
            component = Style()
            if hover:
                component += self.hover
            if cursor:
                component += self.cursor
            # The cursor's text colour wins over a cell's own, its background does not (chips keep theirs).
            found = self._styles[cursor, hover] = (component, Style.from_color(color=component.color))
        return found


@dataclass(frozen=True)
class Window:
    """What a fetch brought back: consecutive pages starting at page ``first``."""

    first: int
    pages: tuple[tuple[ContactRow, ...], ...]
    total: int | None
    #: The id of each page's last row -> the key the page after it starts from.
    keys: dict[int, Key] = field(default_factory=dict)


class ContactTable(InApp, ReportsWorkerErrors, ScrollView, can_focus=True):
    """Contacts matching ``filter``, a page at a time; ``selected`` / ``all_selected`` mark rows."""

    DEFAULT_CSS = """
    ContactTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .contact-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .contact-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark {
            & > .contact-table--even-row {
                background: $surface-darken-1 40%;
            }
        }
        & > .contact-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .contact-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .contact-table--odd-row {
        }
        & > .contact-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .contact-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .contact-table--hover {
            background: $block-hover-background;
        }
        & > .contact-table--header-hover {
            background: $accent 30%;
        }
        &.-waiting {
            text-opacity: 55%;
        }
    }
    """
    COMPONENT_CLASSES = {
        "contact-table--header",
        "contact-table--header-hover",
        "contact-table--cursor",
        "contact-table--hover",
        "contact-table--even-row",
        "contact-table--odd-row",
    }

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", id="contacts.open", tooltip="Open the contact"),
        Binding("ctrl+home", "first", "First contact", show=False, id="contacts.first"),
        Binding("ctrl+end", "last", "Last contact", show=False, id="contacts.last"),
        Binding(
            "b",
            "sort_next",
            "Sort",
            show=False,
            id="contacts.sort",
            tooltip="Sort by the next column (a click on a column's label sorts by it)",
        ),
        Binding(
            "B",
            "sort_reverse",
            "Reverse",
            show=False,
            id="contacts.sort_reverse",
            tooltip="Reverse the order",
        ),
    ]

    class Loaded(Message):
        """A filter's first page arrived (``total`` matches) or the window was refreshed."""

        def __init__(self, table: ContactTable, total: int | None, fresh: bool) -> None:
            super().__init__()
            self.table = table
            self.total = total
            self.fresh = fresh

    class Rejected(Message):
        """The store refused the filter (an unknown tag or status): the last good rows stay."""

        def __init__(self, table: ContactTable, error: ValidationError) -> None:
            super().__init__()
            self.table = table
            self.error = error

    class RowMessage(Message):
        """Something happened at a row: the table and the row under its cursor."""

        def __init__(self, table: ContactTable, cursor_row: int) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row

        @property
        def control(self) -> ContactTable:
            return self.table

    class RowHighlighted(RowMessage):
        """The cursor is on another row (or the rows under it changed)."""

    class RowSelected(RowMessage):
        """Enter, or a click on the row under the cursor: open it."""

    class HeaderSelected(Message):
        """A click on a column's label."""

        def __init__(self, table: ContactTable, column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

        @property
        def control(self) -> ContactTable:
            return self.table

    #: The filter whose matches are shown (a newer one waits in ``_pending`` for its first page).
    filter: var[Filter] = var(EVERYTHING, init=False)
    #: How many contacts match ``filter``; ``None`` while they are being counted.
    total: var[int | None] = var[int | None](0, init=False)
    #: The marked contacts, by id; with ``all_selected``, every match is marked instead.
    selected: var[frozenset[int]] = var(frozenset[int](), init=False)
    all_selected: var[bool] = var(False, init=False)
    #: A new filter's (or order's) first page has been asked for more than ``SLOW_FETCH_S``
    #: ago and has not arrived: the rows shown are the last ones, dimmed, and the screen says so.
    waiting: var[bool] = var(False, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The order of the rows shown (the header's arrow shows it).
        self.sort: Sort = BY_NAME
        #: A sort asked for with the pending filter.
        self._pending_sort: Sort | None = None
        #: The id of a page's last row -> the key the next page starts from (see ``Window.keys``).
        self._keys: dict[int, Key] = {}
        self._pages: list[tuple[ContactRow, ...]] = []
        #: The window's rows, one list (what the lines are drawn from).
        self._rows: list[ContactRow] = []
        self._cursor = 0
        #: The row under the mouse (-1: the header), shown only while the mouse moves over it.
        self._hover: int | None = None
        self._hover_column: str | None = None
        self._first_page = 0
        self._starts: dict[int, Key] = {}  # page index -> the key of the row before it
        self._exhausted = False
        self._generation = 0
        self._busy = False
        self._columns: dict[ColumnKey, Column] = {}
        #: The columns the person chose to see (None: all of them); narrow tables drop more.
        self._chosen: tuple[str, ...] | None = None
        self._jump_to_end = False
        #: A filter asked for whose first page has not arrived yet.
        self._pending: Filter | None = None
        #: What the current paint needs (set only while ``render_lines`` runs).
        self._paint: _Paint | None = None
        #: (id(row), marked, layout, theme) -> (row, its cells as segments, their width).
        self._content_cache: dict[tuple[Any, ...], tuple[ContactRow, list[list[Segment]], int]] = {}
        #: (index, id(row), cursor, hover, marked, paint generation) -> (row, the drawn line).
        self._line_cache: dict[tuple[Any, ...], tuple[ContactRow, Strip]] = {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_cursor":
            return self.row_count > 0
        return True

    # -- columns ------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._set_columns()

    def on_resize(self, event: events.Resize) -> None:
        self._set_columns()

    def _column_widths(self) -> dict[str, int]:
        """Widths that fit the table: the least useful columns go first when it is narrow."""
        width = max(self.size.width, 40) - 2  # the scrollbar
        columns = {
            k: v for k, v in COLUMNS.items() if self._chosen is None or k == "mark" or k in self._chosen
        }
        for drop in DROP_ORDER:
            if drop not in columns:
                continue
            if sum(minimum + 2 for _, minimum, _ in columns.values()) <= width:
                break
            del columns[drop]
        spare = width - sum(minimum + 2 for _, minimum, _ in columns.values())
        weights = sum(weight for _, _, weight in columns.values())
        widths = {
            key: minimum + int(spare * weight / weights) for key, (_, minimum, weight) in columns.items()
        }
        return widths

    @property
    def shown_columns(self) -> list[str]:
        """The columns chosen to be shown (``name``, ``email`` …), in table order."""
        return [k for k in COLUMNS if k != "mark" and (self._chosen is None or k in self._chosen)]

    def choose_columns(self, columns: Sequence[str] | None) -> None:
        """Show only ``columns`` (None: every column); the name is always shown."""
        self._chosen = None if columns is None else (*columns, "name")
        self._set_columns()

    @property
    def columns(self) -> dict[ColumnKey, Column]:
        """The columns on screen, in order (the narrowest tables drop some)."""
        return self._columns

    @property
    def column_widths(self) -> tuple[int, ...]:
        """The columns' widths: what a row's drawn text depends on."""
        return tuple(column.width for column in self._columns.values())

    def _set_columns(self) -> None:
        widths = self._column_widths()
        if {key: c.width for key, c in self._columns.items()} == widths:
            return
        self._columns = {
            ColumnKey(key): Column(ColumnKey(key), COLUMNS[key][0], width) for key, width in widths.items()
        }
        self._fill(self._cursor, self.scroll_y)

    def get_column_index(self, key: str) -> int:
        """The position of column ``key`` on screen (KeyError when it is not shown)."""
        for index, shown in enumerate(self._columns):
            if shown == key:
                return index
        raise KeyError(key)

    def get_cell_at(self, coordinate: tuple[int, int]) -> Text:
        """The text of the cell at (row in the window, column on screen)."""
        row, column = coordinate
        key = list(self._columns)[column]
        return self._cell_texts(self._rows[row])[key]

    def get_column(self, key: str) -> Iterator[Text]:
        """The text of column ``key`` in every row of the window."""
        column = ColumnKey(key)
        for row in self._rows:
            yield self._cell_texts(row)[column]

    # -- cells --------------------------------------------------------------------------

    def _marked(self, contact_id: int) -> bool:
        return self.all_selected or contact_id in self.selected

    def _mark(self, marked: bool) -> Text:
        if marked:
            return Text("●", style=f"bold {self.app.theme_variables.get('accent', 'yellow')}")
        return Text(" ")

    def _cell_texts(self, row: ContactRow) -> dict[ColumnKey, Text]:
        """The row's cells, as text, for the columns on screen."""
        width = self._columns[TAGS].width if TAGS in self._columns else 20
        tags = tuple((t.name, t.color, t.emoji) for t in row.tags)
        build: dict[str, Callable[[], Text]] = {
            "mark": lambda: self._mark(self._marked(row.id)),
            "name": lambda: _cut(_literal(row.name, "bold")),
            "email": lambda: _cut(_literal(row.email)),
            "company": lambda: _cut(_literal(row.company)),
            "status": lambda: _shared(
                ("status", row.status, row.status_color),
                lambda: _cut(status_chip(row.status, row.status_color)),
            ),
            "tags": lambda: _shared(("tags", width, tags), lambda: fitted_chips(row.tags, width)),
            "assignee": lambda: _cut(_literal(row.assignee, "italic")),
            "followers": lambda: Text(f"{row.followers:,}", justify="right"),
        }
        return {key: build[key]() for key in self._columns}

    def _row_content(self, row: ContactRow, marked: bool, paint: _Paint) -> tuple[list[list[Segment]], int]:
        """The row's cells as segments, each padded to its column, and their total width: built
        once per row and layout, then only restyled (zebra stripe, cursor, hover) per paint."""
        key = (id(row), marked, paint.generation[-1], self.app.theme)
        found = self._content_cache.get(key)
        if found is not None and found[0] is row:
            return found[1], found[2]
        padding = Segment(" " * CELL_PADDING)
        cells: list[list[Segment]] = []
        width = 0
        get_style = paint.console.get_style
        for column_key, cell in self._cell_texts(row).items():
            inner = self._columns[column_key].width
            width += inner + 2 * CELL_PADDING
            if cell.cell_len > inner:
                cell = cell.copy()
                cell.truncate(inner, overflow=cell.overflow or "ellipsis")
            gap = Segment(" " * (inner - cell.cell_len))
            right = column_key in RIGHT
            segments = [padding]
            if right and gap.text:
                segments.append(gap)
            if cell.spans:
                segments.extend(cell.render(paint.console, end=""))
            elif cell.plain:
                segments.append(Segment(cell.plain, get_style(cell.style, default=Style.null())))
            if not right and gap.text:
                segments.append(gap)
            segments.append(padding)
            cells.append(segments)
        if len(self._content_cache) > 4 * PAGE_SIZE * MAX_PAGES:
            self._content_cache.clear()
        self._content_cache[key] = (row, cells, width)
        return cells, width

    # -- drawing ------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # The styles every line needs, read once per paint rather than for every line.
        self._paint = _Paint(self)
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        paint = self._paint or _Paint(self)
        if y < HEADER:
            return self._header_line(paint)
        index = self.scroll_offset.y + y - HEADER
        if not 0 <= index < len(self._rows):
            return Strip.blank(paint.width, paint.base_style)
        return self._row_line(index, paint)

    def _header_line(self, paint: _Paint) -> Strip:
        hovered = self._hover_column if self._hover == -1 else None
        segments: list[Segment] = []
        width = 0
        for column_index, (key, column) in enumerate(self._columns.items()):
            label = Text(column.label, end="")
            arrow = ""
            if key == self.sort.field and self.sort != BY_NAME:
                arrow = " ▼" if self.sort.descending else " ▲"
            room = column.width - len(arrow)
            if label.cell_len > room:
                label.truncate(max(room, 1), overflow="ellipsis")
            label.append(arrow)
            gap = " " * (column.width - label.cell_len)
            text = f"{gap}{label.plain}" if key in RIGHT else f"{label.plain}{gap}"
            style = paint.header + paint.hover + paint.header_hover if key == hovered else paint.header
            style += _meta(-1, column_index)
            pad = " " * CELL_PADDING
            segments.append(Segment(f"{pad}{text}{pad}", style))
            width += column.render_width
        if paint.width > width:
            segments.append(
                Segment(" " * (paint.width - width), paint.header + _meta(-1, 0, out_of_bounds=True))
            )
        return Strip(segments).adjust_cell_length(paint.width, paint.base_style).simplify()

    def _row_line(self, index: int, paint: _Paint) -> Strip:
        row = self._rows[index]
        cursor = index == self._cursor
        hover = index == self._hover
        marked = self._marked(row.id)
        key = (index, id(row), cursor, hover, marked, paint.generation)
        found = self._line_cache.get(key)
        if found is not None and found[0] is row:
            return found[1]
        cells, width = self._row_content(row, marked, paint)
        component, post = paint.styles(cursor, hover)
        row_style = paint.odd if index & 1 else paint.even
        line: list[Segment] = []
        for column_index, segments in enumerate(cells):
            line.extend(
                Segment.apply_style(segments, row_style + _meta(index, column_index) + component, post)
            )
        if paint.width > width:
            extend = row_style + component + _meta(index, 0, out_of_bounds=True)
            line.append(Segment(" " * (paint.width - width), extend))
        strip = Strip(line).adjust_cell_length(paint.width, paint.base_style).simplify()
        if len(self._line_cache) > 2 * PAGE_SIZE * MAX_PAGES:
            self._line_cache.clear()
        self._line_cache[key] = (row, strip)
        return strip

    def _refresh_row(self, index: int | None) -> None:
        if index is not None:
            self.refresh_line(index + HEADER if index >= 0 else self.scroll_offset.y)

    def _fill(self, cursor: int, scroll: float) -> None:
        """Show the window's rows, keeping the cursor and the view where they were."""
        self._rows = [r for page in self._pages for r in page]
        width = sum(column.render_width for column in self._columns.values())
        self.virtual_size = Size(width, len(self._rows) + HEADER)
        self._cursor = min(max(cursor, 0), max(len(self._rows) - 1, 0))
        self.scroll_to(y=max(scroll, 0), animate=False, force=True)
        self._scroll_cursor_into_view()
        self.refresh()
        self._highlighted()

    @property
    def rows_in_window(self) -> list[ContactRow]:
        """The window's rows (as fetched: the lines show them once ``_fill`` ran)."""
        return [r for page in self._pages for r in page]

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def current(self) -> ContactRow | None:
        if not 0 <= self._cursor < len(self._rows):
            return None
        return self._rows[self._cursor]

    @property
    def position(self) -> int:
        """The 1-based position of the cursor among every match (0 when there are none)."""
        return self._first_page * PAGE_SIZE + self._cursor + 1 if self._rows else 0

    @property
    def loaded_rows(self) -> int:
        return len(self._rows)

    # -- the cursor and the mouse ---------------------------------------------------------

    def move_cursor(self, *, row: int, scroll: bool = True, animate: bool = False) -> None:
        """Put the cursor on ``row`` of the window (kept inside it) and, unless told not to, in view."""
        row = min(max(row, 0), max(len(self._rows) - 1, 0))
        before = self._cursor
        self._cursor = row
        if scroll:
            self._scroll_cursor_into_view(animate=animate)
        if row != before:
            self._refresh_row(before)
            self._refresh_row(row)
            self._highlighted()

    def _highlighted(self) -> None:
        self.post_message(self.RowHighlighted(self, self._cursor))
        self._maybe_extend()

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        shown = max(self.scrollable_content_region.height - HEADER, 1)
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=animate, force=True)
        elif self._cursor >= top + shown:
            self.scroll_to(y=self._cursor - shown + 1, animate=animate, force=True)

    def _at(self, event: events.MouseEvent) -> tuple[int | None, str | None]:
        """The row (-1: the header) and the column under the mouse."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None, None
        if offset.y < HEADER:
            row: int | None = -1
        else:
            index = self.scroll_offset.y + offset.y - HEADER
            row = index if 0 <= index < len(self._rows) else None
        x = offset.x + self.scroll_offset.x
        for key, column in self._columns.items():
            if x < column.render_width:
                return row, key
            x -= column.render_width
        return row, None

    def _set_hover(self, row: int | None, column: str | None = None) -> None:
        if (row, column) != (self._hover, self._hover_column):
            self._refresh_row(self._hover)
            self._hover, self._hover_column = row, column
            self._refresh_row(row)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(*self._at(event))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def on_click(self, event: events.Click) -> None:
        row, column = self._at(event)
        if row is None:
            return
        event.stop()
        if row == -1:
            if column is not None:
                self.post_message(self.HeaderSelected(self, column))
                if column in SORT_FIELDS:
                    # A click on the sorted column turns the order round; on another, sorts by it.
                    current = self._pending_sort or self.sort
                    self.sort_by(current.reversed() if current.field == column else Sort(column))
            return
        if row == self._cursor:
            self.post_message(self.RowSelected(self, row))
        else:
            self.move_cursor(row=row, animate=True)

    # -- keys ---------------------------------------------------------------------------

    def action_select_cursor(self) -> None:
        self._set_hover(None)
        if self._rows:
            self.post_message(self.RowSelected(self, self._cursor))

    def action_cursor_up(self) -> None:
        self._set_hover(None)
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._set_hover(None)
        self.move_cursor(row=self._cursor + 1)

    def action_scroll_up(self) -> None:
        self.action_cursor_up()

    def action_scroll_down(self) -> None:
        self.action_cursor_down()

    def action_page_down(self) -> None:
        self._set_hover(None)
        page = max(self.scrollable_content_region.height - HEADER, 1)
        self.scroll_to(y=self.scroll_offset.y + page, animate=False, force=True)
        self.move_cursor(row=self._cursor + page)

    def action_page_up(self) -> None:
        self._set_hover(None)
        page = max(self.scrollable_content_region.height - HEADER, 1)
        self.scroll_to(y=self.scroll_offset.y - page, animate=False, force=True)
        self.move_cursor(row=self._cursor - page)

    # -- loading ------------------------------------------------------------------------

    def show(self, f: Filter, sort: Sort | None = None) -> None:
        """Load ``f`` from its first page, in ``sort`` order (None: the order shown now). Until it
        arrives the current rows stay."""
        sort = sort or self._pending_sort or self.sort
        self._generation += 1
        self._busy = True
        self._pending = f
        self._pending_sort = sort
        self._fetch(self._generation, "fresh", f, sort, 0, None, 0, 1)
        generation = self._generation
        self.set_timer(SLOW_FETCH_S, lambda: self._still_waiting(generation))

    def _still_waiting(self, generation: int) -> None:
        if generation == self._generation and self._pending is not None:
            self.waiting = True

    def watch_waiting(self, waiting: bool) -> None:
        self.set_class(waiting, "-waiting")

    def sort_by(self, sort: Sort) -> None:
        """Show the same matches in ``sort`` order, from the first."""
        self.show(self._pending if self._pending is not None else self.filter, sort)

    def action_sort_next(self) -> None:
        """Sort by the next column (by name after the last); ascending."""
        current = (self._pending_sort or self.sort).field
        following = SORT_FIELDS[(SORT_FIELDS.index(current) + 1) % len(SORT_FIELDS)]
        self.sort_by(Sort(following))

    def action_sort_reverse(self) -> None:
        self.sort_by((self._pending_sort or self.sort).reversed())

    def reload(self) -> None:
        """Fetch the current window again (after a change), keeping the cursor's place."""
        if self._pending is not None:
            # A new filter is on its way: load that one (fresh), not the old one again.
            self.show(self._pending)
            return
        self._generation += 1
        self._busy = True
        first = self._first_page
        after = self._starts.get(first) if first else None
        offset = first * PAGE_SIZE if first and after is None else 0
        count = max(len(self._pages), 1)
        self._fetch(self._generation, "reload", self.filter, self.sort, first, after, offset, count)

    @work(thread=True, exclusive=True, group="contact-pages", exit_on_error=False)
    def _fetch(
        self,
        generation: int,
        kind: str,
        f: Filter,
        sort: Sort,
        first: int,
        after: Key | None,
        offset: int,
        count: int,
    ) -> None:
        # Pages never count: a count over a million rows takes a second, a page milliseconds.
        store = self.store
        worker = get_current_worker()
        pages: list[tuple[ContactRow, ...]] = []
        keys: dict[int, Key] = {}
        try:
            for _ in range(count):
                page = store.list_contacts(
                    f, limit=PAGE_SIZE, offset=offset, after=after, with_total=False, sort=sort
                )
                pages.append(page.rows)
                if page.rows and page.next_after is not None:
                    keys[page.rows[-1].id] = page.next_after
                if worker.is_cancelled or len(page.rows) < PAGE_SIZE:
                    break
                after, offset = page.next_after, 0
        except ValidationError as exc:
            if not worker.is_cancelled:
                self.post_result(self._failed, generation, exc)
            return
        if not worker.is_cancelled:
            self.post_result(
                self._fetched, generation, kind, f, sort, Window(first, tuple(pages), None, keys)
            )

    def _recount(self) -> None:
        """The number of matches: known at once when the whole result fits the window, else counted."""
        if self._first_page == 0 and self._exhausted:
            self.total = len(self.rows_in_window)
            return
        self.total = None
        self._count(self._generation, self.filter)

    @work(thread=True, exclusive=True, group="contact-count", exit_on_error=False)
    def _count(self, generation: int, f: Filter) -> None:
        worker = get_current_worker()
        try:
            total = self.store.count_contacts(f)
        except ValidationError:
            return  # the page fetch reports it
        if not worker.is_cancelled:
            self.post_result(self._counted, generation, total)

    def _counted(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self.total = total

    def _failed(self, generation: int, error: ValidationError) -> None:
        if generation != self._generation:
            return
        self._busy = False
        self._pending = None
        self._pending_sort = None
        self.waiting = False
        self.post_message(self.Rejected(self, error))

    def _fetched(self, generation: int, kind: str, f: Filter, sort: Sort, window: Window) -> None:
        if generation != self._generation:
            return
        self._busy = False
        if kind != "fresh":
            self._keys.update(window.keys)
        if kind == "fresh":
            self._pending = None
            self._pending_sort = None
            self.waiting = False
            self._keys.clear()
            self._keys.update(window.keys)
            self.filter = f
            self.sort = sort
            self.all_selected = False
            self.selected = frozenset()
            self._starts.clear()
            self._first_page = 0
            self._pages = list(window.pages[:1]) or [()]
            self._record_starts(0)
            self._recount()
            self._fill(0, 0)
            self.post_message(self.Loaded(self, self.total, True))
            return
        if kind == "jump":
            self._pages = list(window.pages[:1]) or [()]
            self._first_page = window.first
            self._record_starts(window.first)
            self._fill(len(self._pages[0]) - 1 if self._jump_to_end else 0, 0)
            self.post_message(self.Loaded(self, self.total, False))
            return
        if kind == "reload":
            cursor, scroll = self.cursor_row, self.scroll_y
            here = self.current  # the cursor stays on this contact if it is still in the window
            self._pages = list(window.pages) or [()]
            self._first_page = window.first
            self._record_starts(window.first)
            if not self.rows_in_window and self._first_page:
                # Everything in view went away: start over from the top.
                self.show(self.filter)
                return
            self._recount()
            if here is not None:
                ids = [r.id for r in self.rows_in_window]
                if here.id in ids:
                    scroll += ids.index(here.id) - cursor
                    cursor = ids.index(here.id)
            self._fill(cursor, scroll)
            self.post_message(self.Loaded(self, self.total, False))
            return
        # Another page at either end of the window.
        page = window.pages[0] if window.pages else ()
        cursor, scroll = self.cursor_row, self.scroll_y
        if window.first == self._first_page + len(self._pages):
            if not page:
                self._exhausted = True
                return
            self._pages.append(page)
            if len(self._pages) > MAX_PAGES:
                self._pages.pop(0)
                self._first_page += 1
                cursor -= PAGE_SIZE
                scroll -= PAGE_SIZE
            self._record_starts(self._first_page)
            self._fill(cursor, scroll)
        elif window.first == self._first_page - 1 and page:
            self._pages.insert(0, page)
            self._first_page -= 1
            cursor += len(page)
            scroll += len(page)
            if len(self._pages) > MAX_PAGES:
                self._pages.pop()
            self._record_starts(self._first_page)
            self._fill(cursor, scroll)
        self.post_message(self.Loaded(self, self.total, False))

    def _record_starts(self, first: int) -> None:
        """Remember where each page after a loaded one starts; know when the end is reached."""
        for i, page in enumerate(self._pages):
            if len(page) == PAGE_SIZE:
                self._starts[first + i + 1] = self._keys.get(page[-1].id) or row_key(page[-1])
        last = self._pages[-1] if self._pages else ()
        self._exhausted = len(last) < PAGE_SIZE

    def _fetch_page(self, index: int) -> None:
        if self._busy or index < 0:
            return
        self._busy = True
        after = self._starts.get(index) if index else None
        offset = index * PAGE_SIZE if index and after is None else 0
        self._fetch(self._generation, "page", self.filter, self.sort, index, after, offset, 1)

    def _maybe_extend(self) -> None:
        if self._busy or not self.row_count:
            return
        if self.cursor_row >= self.row_count - NEAR and not self._exhausted:
            self._fetch_page(self._first_page + len(self._pages))
        elif self.cursor_row < NEAR and self._first_page > 0:
            self._fetch_page(self._first_page - 1)

    def action_scroll_home(self) -> None:
        self.action_first()  # home, like ctrl+home: the first match (a list has no columns to scroll to)

    def action_scroll_end(self) -> None:
        self.action_last()

    def action_first(self) -> None:
        if self._first_page == 0:
            self.move_cursor(row=0)
        else:
            self.show_from(0)

    def action_last(self) -> None:
        """Jump to the last match: its page is fetched by offset."""
        if self._exhausted:
            self.move_cursor(row=self.row_count - 1)
            return
        if self.total is None:
            self.notify("Still counting the matches…", timeout=2)
            return
        last_page = max((self.total - 1) // PAGE_SIZE, 0)
        self.show_from(last_page, cursor_at_end=True)

    def show_from(self, page: int, *, cursor_at_end: bool = False) -> None:
        self._generation += 1
        self._busy = True
        self._jump_to_end = cursor_at_end
        self._fetch(self._generation, "jump", self.filter, self.sort, page, None, page * PAGE_SIZE, 1)

    # -- selection ----------------------------------------------------------------------

    def toggle_current(self) -> None:
        row = self.current
        if row is None:
            return
        if self.all_selected:
            # "Everything but this one" can only be written as ids when everything is in view.
            if not (self._first_page == 0 and self._exhausted):
                self.notify("Every match is marked: press escape to unmark them first.", timeout=3)
                return
            self.all_selected = False
            self.selected = frozenset(r.id for r in self.rows_in_window if r.id != row.id)
        elif row.id in self.selected:
            self.selected -= {row.id}
        else:
            self.selected |= {row.id}

    def select_all(self) -> None:
        self.all_selected = True
        self.selected = frozenset()

    def clear_selection(self) -> None:
        self.all_selected = False
        self.selected = frozenset()

    def selection(self) -> Filter | list[int]:
        """What a bulk action applies to: the filter (select all), the marked ids, or the cursor row."""
        if self.all_selected:
            return self.filter
        if self.selected:
            return sorted(self.selected)
        row = self.current
        return [row.id] if row else []

    def selected_rows(self) -> Sequence[ContactRow]:
        """The marked rows that are in the window (or the cursor row when nothing is marked)."""
        if self.all_selected:
            return self.rows_in_window
        if self.selected:
            return [r for r in self.rows_in_window if r.id in self.selected]
        row = self.current
        return [row] if row else []

    def watch_selected(self) -> None:
        self.refresh()  # a row's line is drawn again when its mark changed

    def watch_all_selected(self) -> None:
        self.refresh()
