"""The contacts table: a sliding window of a few pages over a filter, fetched in thread workers.

The table never holds more than ``MAX_PAGES`` pages. Pages are fetched by keyset
(``after=(name_key, id)`` of the row before) as the cursor nears either end of the
window; a page whose start key is unknown (after a jump to the end) falls back to
an offset. Selection lives here too: explicit ids, or "everything the filter matches".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.events import Resize
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import SegmentLines
from textual.widgets.data_table import ColumnKey, RowKey
from textual.worker import get_current_worker

from tagtui.app.format import chip, literal, status_chip
from tagtui.app.screens.base import ReportsWorkerErrors
from tagtui.query import EVERYTHING, Filter
from tagtui.store import ContactRow, Store, TagRef, ValidationError

PAGE_SIZE = 100
MAX_PAGES = 3
#: Fetch the next page when the cursor comes this close to the window's edge.
NEAR = 25

Key = tuple[str, int]

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


#: Cells that many rows share (a tag set, a status), built once: a page repeats them.
_SHARED: dict[tuple, Text] = {}


def _memo(cache: dict, key: object, build: Callable[[], object], limit: int = 4096):  # type: ignore[no-untyped-def]
    """``cache[key]``, built on a miss; the cache is emptied when it reaches ``limit``."""
    found = cache.get(key)
    if found is None:
        if len(cache) >= limit:
            cache.clear()
        found = cache[key] = build()
    return found


def _shared(key: tuple, build: Callable[[], Text]) -> Text:
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
    """The mouse's (row, column) meta style, made once per cell position."""

    def build() -> Style:
        meta: dict[str, object] = {"row": row, "column": column}
        if out_of_bounds:
            meta["out_of_bounds"] = True
        return Style.from_meta(meta)

    return _memo(_METAS, (row, column, out_of_bounds), build, 8192)


class _Paint:
    """The table's styles for one paint, read once: a row's look depends only on these."""

    def __init__(self, table: DataTable) -> None:
        get = table.get_component_styles
        self.show_cursor = table.show_cursor and table.cursor_type == "row"
        self.show_hover = table._show_hover_cursor
        self.even = get("datatable--even-row").rich_style if table.zebra_stripes else Style()
        self.odd = get("datatable--odd-row").rich_style if table.zebra_stripes else Style()
        self.width = table.size.width
        self.base_style = table.rich_style
        self.console = table.app.console
        self.padding = " " * table.cell_padding
        #: (column key, width inside the padding) in order; None when a column is too narrow.
        self.columns: list[tuple[ColumnKey, int]] | None = []
        self.columns_width = 0
        for column in table.ordered_columns:
            width = column.get_render_width(table)
            self.columns_width += width
            if width - 2 * table.cell_padding < 1:
                self.columns = None
            elif self.columns is not None:
                self.columns.append((column.key, width - 2 * table.cell_padding))
        self._style_of: dict[str | Style, Style] = {}
        self._table = table
        self._styles: dict[tuple[bool, bool], tuple[Style, Style]] = {}
        #: What the cells' text depends on: the columns' widths.
        self.layout = tuple(width for _, width in self.columns or ())
        #: Anything else that changes how the same cells look (theme, focus).
        self.generation = (
            table._pseudo_class_state,
            table.app.theme,
            self.even,
            self.odd,
            self.width,
            self.layout,
        )

    def style_of(self, style: str | Style) -> Style:
        found = self._style_of.get(style)
        if found is None:
            found = self._style_of[style] = self.console.get_style(style, default=Style.null())
        return found

    def styles(self, cursor: bool, hover: bool) -> tuple[Style, Style]:
        found = self._styles.get((cursor, hover))
        if found is None:
            t = self._table
            found = self._styles[cursor, hover] = t._get_styles_to_render_cell(
                False,
                False,
                False,
                hover,
                cursor,
                self.show_cursor,
                self.show_hover,
                t.cursor_foreground_priority == "css",
                t.cursor_background_priority == "css",
            )
        return found


@dataclass(frozen=True)
class Window:
    """What a fetch brought back: consecutive pages starting at page ``first``."""

    first: int
    pages: tuple[tuple[ContactRow, ...], ...]
    total: int | None


class ContactTable(ReportsWorkerErrors, DataTable):
    """Contacts matching ``filter``, a page at a time; ``selected`` / ``all_selected`` mark rows."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", id="contacts.open", tooltip="Open the contact"),
        Binding("ctrl+home", "first", "First contact", show=False, id="contacts.first"),
        Binding("ctrl+end", "last", "Last contact", show=False, id="contacts.last"),
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

    class SelectionChanged(Message):
        def __init__(self, table: ContactTable) -> None:
            super().__init__()
            self.table = table

    class _Fetched(Message):
        def __init__(self, generation: int, kind: str, f: Filter, window: Window) -> None:
            super().__init__()
            self.generation = generation
            self.kind = kind
            self.filter = f
            self.window = window

    class _Counted(Message):
        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total

    class _Failed(Message):
        def __init__(self, generation: int, error: ValidationError) -> None:
            super().__init__()
            self.generation = generation
            self.error = error

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.filter: Filter = EVERYTHING
        #: How many contacts match; ``None`` while they are being counted.
        self.total: int | None = 0
        self.selected: set[int] = set()
        self.all_selected = False
        self._pages: list[tuple[ContactRow, ...]] = []
        self._first_page = 0
        self._starts: dict[int, Key] = {}  # page index -> the key of the row before it
        self._exhausted = False
        self._generation = 0
        self._busy = False
        self._widths: dict[str, int] = {}
        #: The columns the person chose to see (None: all of them); narrow tables drop more.
        self._chosen: tuple[str, ...] | None = None
        self._jump_to_end = False
        #: A filter asked for whose first page has not arrived yet.
        self._pending: Filter | None = None
        #: What the current paint needs (set only while ``render_lines`` runs).
        self._paint: _Paint | None = None
        #: row key, update count -> the row's cells as segments (see ``_row_content``).
        self._content_cache: dict[tuple, tuple[list[list[Segment]], int]] = {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_cursor":
            return self.row_count > 0
        return True

    # -- columns ------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._set_columns()

    def on_resize(self, event: Resize) -> None:
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

    def _set_columns(self) -> None:
        widths = self._column_widths()
        if widths == self._widths:
            return
        self._widths = widths
        cursor, scroll = self.cursor_row, self.scroll_y
        self.clear(columns=True)
        for key, w in widths.items():
            label = COLUMNS[key][0]
            self.add_column(Text(label, justify="right" if key == "followers" else "left"), width=w, key=key)
        self._fill(cursor, scroll)

    # -- cells --------------------------------------------------------------------------

    def _mark(self, contact_id: int) -> Text:
        if self.all_selected or contact_id in self.selected:
            return Text("●", style=f"bold {self.app.theme_variables.get('accent', 'yellow')}")
        return Text(" ")

    def _cells(self, row: ContactRow) -> list[Text]:
        width = self._widths.get("tags", 20)
        tags = tuple((t.name, t.color, t.emoji) for t in row.tags)
        cells = {
            "mark": self._mark(row.id),
            "name": _cut(_literal(row.name, "bold")),
            "email": _cut(_literal(row.email)),
            "company": _cut(_literal(row.company)),
            "status": _shared(
                ("status", row.status, row.status_color),
                lambda: _cut(status_chip(row.status, row.status_color)),
            ),
            "tags": _shared(("tags", width, tags), lambda: fitted_chips(row.tags, width)),
            "assignee": _cut(_literal(row.assignee, "italic")),
            "followers": Text(f"{row.followers:,}", justify="right"),
        }
        return [cells[key] for key in self._widths]

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[SegmentLines, SegmentLines]:
        """A body row, drawn as one line: its cells' text once per change of the row, then
        only the row's style (zebra stripe, cursor, hover) per paint.

        DataTable renders each cell through ``Styled(Padding(cell))`` and reads the
        widget's component styles for every row; after a filter change every visible row
        is new, and that rendering was most of the event loop's stall at a million
        contacts. Anything unusual (the header, labels, fixed columns, tall rows) is left
        to DataTable."""
        paint = self._paint
        row_index = self._row_locations.get(row_key)
        if (
            paint is None
            or row_index is None
            or line_no
            or self.fixed_columns
            or self._labelled_row_exists
            or row_index < self.fixed_rows
        ):
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        cursor = paint.show_cursor and cursor_location.row == row_index
        hover = paint.show_cursor and paint.show_hover and hover_location.row == row_index
        key = ("row", row_key, row_index & 1, cursor, hover, base_style, paint.generation, self._update_count)
        cache = self._row_render_cache
        found = cache.get(key)
        if found is not None:
            return found
        content = self._row_content(row_key, row_index)
        if content is None:
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        cells, width = content
        row_style = paint.odd if row_index & 1 else paint.even
        component, post = paint.styles(cursor, hover)
        line: list[Segment] = []
        # Each cell carries its (row, column) for the mouse, as DataTable's cells do.
        for column_index, segments in enumerate(cells):
            style = row_style + _meta(row_index, column_index) + component
            line.extend(Segment.apply_style(segments, style, post))
        extend = max(0, paint.width - width)
        if extend:
            line.append(
                Segment(" " * extend, row_style + component + _meta(row_index, 0, out_of_bounds=True))
            )
        found = ([], [line])
        cache[key] = found
        return found

    def _row_content(self, row_key: RowKey, row_index: int) -> tuple[list[list[Segment]], int] | None:
        """The row's cells, each as segments padded to its column, and their total width."""
        paint = self._paint
        assert paint is not None
        key = (row_key, self._update_count, paint.layout)
        found = self._content_cache.get(key)
        if found is not None:
            return found
        data = self._data.get(row_key)
        row = self.rows.get(row_key)
        if data is None or row is None or row.height != 1 or paint.columns is None:
            return None
        padding = Segment(paint.padding)
        style_of = paint.style_of
        cells: list[list[Segment]] = []
        for column_key, inner in paint.columns:
            cell = data.get(column_key)
            if not isinstance(cell, Text):
                return None
            if cell.cell_len > inner:
                cell = cell.copy()
                cell.truncate(inner, overflow=cell.overflow or "ellipsis")
            base = style_of(cell.style)
            gap = Segment(" " * (inner - cell.cell_len))
            right = cell.justify == "right"
            segments = [padding]
            if right and gap.text:
                segments.append(gap)
            if cell.spans:
                segments.extend(cell.render(paint.console, end=""))
            elif cell.plain:
                segments.append(Segment(cell.plain, base))
            if not right and gap.text:
                segments.append(gap)
            segments.append(padding)
            cells.append(segments)
        found = (cells, paint.columns_width)
        if len(self._content_cache) > 4 * PAGE_SIZE * MAX_PAGES:
            self._content_cache.clear()
        self._content_cache[key] = found
        return found

    def render_line(self, y: int) -> Strip:
        """DataTable's, with the widget's style read once per paint instead of per line."""
        paint = self._paint
        if paint is None or self.fixed_rows:
            return super().render_line(y)
        scroll_x, scroll_y = self.scroll_offset
        if y >= (self.header_height if self.show_header else 0):
            y += scroll_y
        return self._render_line(y, scroll_x, scroll_x + paint.width, paint.base_style)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The styles every row needs, read once per paint rather than for every row and
        # cell (each read of a component style walks the widget's ancestors).
        self._paint = _Paint(self)
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable measures every cell of every new row to size its columns; ours have
        fixed widths (``_set_columns``), so only the virtual size needs updating. (Measuring
        a page of rows cost more than filling it, on every filter change.)"""
        if self._row_label_column_width or any(c.auto_width for c in self.columns.values()):
            super()._update_dimensions(new_rows)
            return
        header = self.header_height if self.show_header else 0
        width = sum(c.get_render_width(self) for c in self.columns.values())
        self.virtual_size = Size(width, self._total_row_height + header)

    def _fill(self, cursor: int, scroll: float) -> None:
        """Put the window's rows in the table, keeping the cursor and view where they were."""
        if not self.columns:
            return
        self.clear()
        # Rows are keyed by contact id, for update_cell.
        for r in self.rows_in_window:
            self.add_row(*self._cells(r), key=str(r.id))
        if self.row_count:
            row = min(max(cursor, 0), self.row_count - 1)
            if row:
                self.move_cursor(row=row, scroll=False)
            if scroll > 0:
                self.call_after_refresh(self.scroll_to, y=scroll, animate=False)

    @property
    def rows_in_window(self) -> list[ContactRow]:
        return [r for page in self._pages for r in page]

    @property
    def current(self) -> ContactRow | None:
        rows = self.rows_in_window
        if not rows or not 0 <= self.cursor_row < len(rows):
            return None
        return rows[self.cursor_row]

    @property
    def position(self) -> int:
        """The 1-based position of the cursor among every match (0 when there are none)."""
        return self._first_page * PAGE_SIZE + self.cursor_row + 1 if self.row_count else 0

    @property
    def loaded_rows(self) -> int:
        return self.row_count

    # -- loading ------------------------------------------------------------------------

    def show(self, f: Filter) -> None:
        """Load ``f`` from its first page. Until it arrives the current rows stay."""
        self._generation += 1
        self._busy = True
        self._pending = f
        self._fetch(self._generation, "fresh", f, 0, None, 0, 1)

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
        self._fetch(self._generation, "reload", self.filter, first, after, offset, max(len(self._pages), 1))

    @work(thread=True, exclusive=True, group="contact-pages", exit_on_error=False)
    def _fetch(
        self,
        generation: int,
        kind: str,
        f: Filter,
        first: int,
        after: Key | None,
        offset: int,
        count: int,
    ) -> None:
        # Pages never count: a count over a million rows takes a second, a page milliseconds.
        store: Store = self.app.store  # type: ignore[attr-defined]
        worker = get_current_worker()
        pages: list[tuple[ContactRow, ...]] = []
        try:
            for _ in range(count):
                page = store.list_contacts(f, limit=PAGE_SIZE, offset=offset, after=after, with_total=False)
                pages.append(page.rows)
                if worker.is_cancelled or len(page.rows) < PAGE_SIZE:
                    break
                after, offset = row_key(page.rows[-1]), 0
        except ValidationError as exc:
            if not worker.is_cancelled:
                self.post_message(self._Failed(generation, exc))
            return
        if not worker.is_cancelled:
            self.post_message(self._Fetched(generation, kind, f, Window(first, tuple(pages), None)))

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
            total = self.app.store.count_contacts(f)  # type: ignore[attr-defined]
        except ValidationError:
            return  # the page fetch reports it
        if not worker.is_cancelled:
            self.post_message(self._Counted(generation, total))

    @on(_Counted)
    def _on_counted(self, message: _Counted) -> None:
        if message.generation == self._generation:
            self.total = message.total
            self.post_message(self.Loaded(self, self.total, False))

    @on(_Failed)
    def _on_failed(self, message: _Failed) -> None:
        if message.generation != self._generation:
            return
        self._busy = False
        self._pending = None
        self.post_message(self.Rejected(self, message.error))

    @on(_Fetched)
    def _on_fetched(self, message: _Fetched) -> None:
        if message.generation != self._generation:
            return
        self._busy = False
        window = message.window
        kind = message.kind
        if kind == "fresh":
            self._pending = None
            self.filter = message.filter
            self.all_selected = False
            self.selected.clear()
            self._starts.clear()
            self._first_page = 0
            self._pages = list(window.pages[:1]) or [()]
            self._record_starts(0)
            self._recount()
            self._fill(0, 0)
            self.post_message(self.SelectionChanged(self))
            self.post_message(self.Loaded(self, self.total, True))
            return
        if kind == "jump":
            self._pages = list(window.pages[:1]) or [()]
            self._first_page = window.first
            self._record_starts(window.first)
            self._fill(len(self._pages[0]) - 1 if self._jump_to_end else 0, 0)
            if self._jump_to_end:
                self.call_after_refresh(self.scroll_end, animate=False)
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
            else:
                # Just more rows at the bottom: no need to redraw the rest.
                self._record_starts(self._first_page)
                for r in page:
                    self.add_row(*self._cells(r), key=str(r.id))
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
                self._starts[first + i + 1] = row_key(page[-1])
        last = self._pages[-1] if self._pages else ()
        self._exhausted = len(last) < PAGE_SIZE

    def _fetch_page(self, index: int) -> None:
        if self._busy or index < 0:
            return
        self._busy = True
        after = self._starts.get(index) if index else None
        offset = index * PAGE_SIZE if index and after is None else 0
        self._fetch(self._generation, "page", self.filter, index, after, offset, 1)

    def _maybe_extend(self) -> None:
        if self._busy or not self.row_count:
            return
        if self.cursor_row >= self.row_count - NEAR and not self._exhausted:
            self._fetch_page(self._first_page + len(self._pages))
        elif self.cursor_row < NEAR and self._first_page > 0:
            self._fetch_page(self._first_page - 1)

    @on(DataTable.RowHighlighted)
    def _on_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._maybe_extend()

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
        self._fetch(self._generation, "jump", self.filter, page, None, page * PAGE_SIZE, 1)

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
            self.selected = {r.id for r in self.rows_in_window if r.id != row.id}
        elif row.id in self.selected:
            self.selected.discard(row.id)
        else:
            self.selected.add(row.id)
        self._refresh_marks()
        self.post_message(self.SelectionChanged(self))

    def select_all(self) -> None:
        self.all_selected = True
        self.selected.clear()
        self._refresh_marks()
        self.post_message(self.SelectionChanged(self))

    def clear_selection(self) -> None:
        self.all_selected = False
        self.selected.clear()
        self._refresh_marks()
        self.post_message(self.SelectionChanged(self))

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

    def _refresh_marks(self) -> None:
        for r in self.rows_in_window:
            self.update_cell(str(r.id), "mark", self._mark(r.id))
