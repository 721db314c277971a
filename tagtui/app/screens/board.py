"""The pipeline Board: a column per status (in pipeline order) plus "No status".

Each column is one DataTable filled a page at a time as its cursor nears the end, so a
column of a million contacts costs a page of rows, never a widget per card. Moving a
card updates both columns at once and queues ``store.set_status``; the writes reach
the store in key order, and the columns involved are read back when they are done.
"""

from __future__ import annotations

import bisect
import dataclasses
from typing import Any

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Label, Static

from tagtui.app.format import literal, tag_chips
from tagtui.app.screens.base import InApp, ReportsWorkerErrors, TagtuiScreen
from tagtui.app.screens.support import data_changed, focus_now, show_error
from tagtui.app.widgets.footer import AppFooter
from tagtui.app.widgets.list_table import ListTable
from tagtui.app.writes import WriteQueue
from tagtui.query.filter import EVERYTHING, Filter, NoStatus, Statuses, all_of
from tagtui.store import ContactRow, Page, Status, TagtuiError
from tagtui.store.insight import FunnelStage

#: Cards fetched per page of a column.
PAGE = 50
#: Cards left below the cursor when the next page is fetched.
PREFETCH = 10
#: A refresh re-reads at most this many cards of a column (the rest come back by paging).
MAX_RELOAD = 1000
CARD_WIDTH = 24
NO_STATUS = "No status"


def _line(text: Text, width: int = CARD_WIDTH) -> Text:
    text.no_wrap = True
    text.truncate(width, overflow="ellipsis")
    return text


#: Lines per card: name, company, chips, and a blank line between cards.
CARD_HEIGHT = 4


def card(row: ContactRow) -> Text:
    """The name, the company, the tag chips (and a blank line to part it from the next card)."""
    company = literal(row.company, "dim") if row.company else Text("—", style="dim")
    chips = tag_chips(row.tags, limit=3) if row.tags else Text("")
    return Text("\n", end="").join([_line(literal(row.name, "bold")), _line(company), _line(chips), Text("")])


def _sort_key(row: ContactRow) -> tuple[str, int]:
    return (row.name_key, row.id)


def column_filter(base: Filter, status: Status | None) -> Filter:
    """What a column shows: the board's filter and its status (None: no status)."""
    return all_of(base, Statuses((status.slug,)) if status is not None else NoStatus())


class CardTable(ListTable):
    """The cards of one column. ``left``/``right`` belong to the board (they change column)."""

    BINDINGS = [
        Binding("k", "cursor_up", "Up", show=False, id="board.card_up"),
        Binding("j", "cursor_down", "Down", show=False, id="board.card_down"),
    ]

    def action_cursor_left(self) -> None:
        raise SkipAction()

    def action_cursor_right(self) -> None:
        raise SkipAction()


class BoardColumn(InApp, ReportsWorkerErrors, Vertical):
    """One pipeline stage (or "No status"): its title with the count, and its cards."""

    def __init__(self, status: Status | None, base: Filter, first: Page | None = None) -> None:
        """``first``: the column's first page, read with the board's (else it reads it itself)."""
        key = f"status-{status.id}" if status is not None else "no-status"
        super().__init__(id=f"column-{key}", classes="board-column")
        self.status = status
        self.base = base
        self._first = first
        self.rows: list[ContactRow] = []
        self.total: int | None = None
        #: Keyset cursor of the last card fetched from the store (None: nothing fetched yet).
        self.after: tuple[str, int] | None = None
        self.exhausted = False
        self._generation = 0
        self._loading_more = False
        #: Cards moved here or away whose writes the board has not seen done yet.
        self.moves_pending = False

    @property
    def query_filter(self) -> Filter:
        return column_filter(self.base, self.status)

    @property
    def status_id(self) -> int | None:
        return self.status.id if self.status is not None else None

    @property
    def table(self) -> CardTable:
        return self.query_one(CardTable)

    def compose(self) -> ComposeResult:
        yield Label(self._title(), classes="column-title")
        table = CardTable(cursor_type="row", show_header=False, zebra_stripes=False)
        table.add_column("card", key="card", width=CARD_WIDTH)
        yield table

    def on_mount(self) -> None:
        first, self._first = self._first, None
        if first is None:
            self.reload()
            return
        self._generation += 1
        self._apply(first.rows, first.total, PAGE, self._generation, None)

    def _title(self) -> Text:
        count = "…" if self.total is None else f"{self.total:,}"
        if self.status is None:
            head = Text.assemble(("○ ", "dim"), (NO_STATUS, "bold italic"))
        else:
            head = Text.assemble(("● ", self.status.color), literal(self.status.name, "bold"))
        head.truncate(CARD_WIDTH - len(count) - 1, overflow="ellipsis")
        return Text.assemble(head, " ", (count, "dim"))

    def _update_title(self) -> None:
        self.query_one(".column-title", Label).update(self._title())

    # -- cards ---------------------------------------------------------------------

    def current_card(self) -> ContactRow | None:
        row = self.table.cursor_row
        if 0 <= row < len(self.rows) and self.table.row_count:
            return self.rows[row]
        return None

    def _show_rows(self, select: int | None, fallback_row: int = 0) -> None:
        table = self.table
        table.clear()
        for row in self.rows:
            table.add_row(card(row), key=str(row.id), height=CARD_HEIGHT)
        if self.rows:
            ids = [r.id for r in self.rows]
            index = ids.index(select) if select in ids else min(fallback_row, len(ids) - 1)
            table.move_cursor(row=max(index, 0), animate=False)

    def _local_change(self) -> None:
        """The cards changed here ahead of the store: a read already on its way is stale.

        (It would put a moved card back, under the cursor of the next key.) So is a read
        that starts before the move is written: the column is read again when the board's
        writes are all done (``moves_written``), not before.
        """
        self._generation += 1
        self._loading_more = False
        self.moves_pending = True

    def take(self, contact_id: int) -> ContactRow | None:
        """Remove a card (it moves to another column)."""
        for i, row in enumerate(self.rows):
            if row.id == contact_id:
                self._local_change()
                del self.rows[i]
                self.table.remove_row(str(contact_id))
                if self.total is not None:
                    self.total = max(0, self.total - 1)
                self._update_title()
                if self.table.row_count:
                    self.table.move_cursor(row=min(i, self.table.row_count - 1), animate=False)
                return row
        return None

    def put(self, row: ContactRow) -> None:
        """Add a card that moved here, in name order, with the cursor on it."""
        self._local_change()
        self.rows.insert(bisect.bisect(self.rows, _sort_key(row), key=_sort_key), row)
        if self.total is not None:
            self.total += 1
        self._update_title()
        self._show_rows(row.id)

    # -- loading -------------------------------------------------------------------

    def reload(self, base: Filter | None = None) -> None:
        """Read the column again from the start (as many cards as are shown, at least a page)."""
        if base is not None:
            self.base = base
        if self.moves_pending:
            return  # the store is behind the cards shown: moves_written reads the column
        current = self.current_card() if self.is_mounted and self.table.row_count else None
        self._generation += 1
        self._loading_more = False
        limit = min(MAX_RELOAD, max(PAGE, len(self.rows)))
        self._fetch(self.query_filter, limit, self._generation, current.id if current else None)

    def moves_written(self) -> None:
        """The board's writes are done (its queue is empty): the store holds what the column shows."""
        self.moves_pending = False
        self.reload()

    @work(thread=True, exclusive=True, group="board-column", exit_on_error=False)
    def _fetch(self, query: Filter, limit: int, generation: int, select: int | None) -> None:
        page = self.store.list_contacts(query, limit=limit)
        self.post_result(self._apply, page.rows, page.total, limit, generation, select)

    def _apply(
        self, rows: tuple[ContactRow, ...], total: int, limit: int, generation: int, select: int | None
    ) -> None:
        if generation != self._generation:
            return
        fallback = self.table.cursor_row
        # The card under the cursor now (keys may have moved it since the read began).
        current = self.current_card()
        if current is not None:
            select = current.id
        self.rows = list(rows)
        self.total = total
        self.exhausted = len(rows) < limit
        self.after = _sort_key(rows[-1]) if rows else None
        self._show_rows(select, fallback)
        self._update_title()

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if (
            not self.exhausted
            and not self._loading_more
            and not self.moves_pending  # the page could hold a card moved away: read after the writes
            and self.after is not None
            and event.cursor_row >= self.table.row_count - PREFETCH
        ):
            self._loading_more = True
            self._fetch_more(self.query_filter, self.after, self._generation)

    @work(thread=True, exclusive=True, group="board-column-more", exit_on_error=False)
    def _fetch_more(self, query: Filter, after: tuple[str, int], generation: int) -> None:
        page = self.store.list_contacts(query, limit=PAGE, after=after, with_total=False)
        self.post_result(self._apply_more, page.rows, after, generation)

    def _apply_more(self, rows: tuple[ContactRow, ...], after: tuple[str, int], generation: int) -> None:
        self._loading_more = False
        if generation != self._generation or after != self.after:
            return
        self.exhausted = len(rows) < PAGE
        if rows:
            self.after = _sort_key(rows[-1])
        known = {r.id for r in self.rows}
        fresh = [r for r in rows if r.id not in known]
        if not fresh:
            return
        if self.rows and _sort_key(fresh[0]) < _sort_key(self.rows[-1]):
            # A card moved here sorts after this page's first: merge, keep the cursor's card.
            current = self.current_card()
            self.rows = sorted([*self.rows, *fresh], key=_sort_key)
            self._show_rows(current.id if current else None)
            return
        self.rows.extend(fresh)
        for row in fresh:
            self.table.add_row(card(row), key=str(row.id), height=CARD_HEIGHT)


class BoardScreen(TagtuiScreen):
    """The pipeline as columns of cards; cards move between columns by keys."""

    TITLE = "Board"
    CSS_PATH = "board.tcss"

    BINDINGS = [
        Binding("left,h", "focus_column(-1)", "Column ←", id="board.column_left"),
        Binding("right,l", "focus_column(1)", "Column →", id="board.column_right"),
        Binding("shift+left,H,less_than_sign", "move_card(-1)", "Move card ←", id="board.move_left"),
        Binding("shift+right,L,greater_than_sign", "move_card(1)", "Move card →", id="board.move_right"),
        Binding("enter", "open", "Open", id="board.open"),
        Binding("r", "refresh", "Refresh", id="board.refresh"),
        Binding(
            "i",
            "toggle_funnel",
            "Funnel",
            id="board.funnel",
            tooltip="Show or hide the funnel: contacts per stage and the conversion to the next",
        ),
        Binding(
            "T",
            "trends",
            "Trends",
            show=False,  # the footer is full at 80 columns; help and the palette list it
            id="board.trends",
            tooltip="Charts of the pipeline over the weeks: entries per stage, days in stage",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[Status] | None = None
        self.base: Filter = EVERYTHING
        self._writes = WriteQueue(
            self, lambda exc: show_error(self, exc), "board-moves", idle=self._writes_done
        )
        self.funnel_shown = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="board-filter")
        yield Static("", id="funnel", markup=False)
        yield Horizontal(id="board")
        yield AppFooter()

    def on_screen_resume(self) -> None:
        self.refresh_board()

    # -- columns -------------------------------------------------------------------

    @property
    def columns(self) -> list[BoardColumn]:
        return list(self.query(BoardColumn))

    def column(self, status_id: int | None) -> BoardColumn | None:
        for column in self.columns:
            if column.status_id == status_id:
                return column
        return None

    def focused_column_index(self) -> int:
        focused = self.focused
        for i, column in enumerate(self.columns):
            if focused is not None and (focused is column or column in focused.ancestors):
                return i
        return 0

    def reload(self, polled: bool = False) -> None:
        self.refresh_board()

    def refresh_board(self) -> None:
        """Re-read the pipeline; rebuild the columns if it changed, else refresh their cards."""
        shown = None if self.statuses is None else self._shape(self.statuses)
        self._fetch_statuses(self.tagtui_app.current_filter, self.start_read("statuses"), shown)

    @work(thread=True, exclusive=True, group="board-statuses", exit_on_error=False)
    def _fetch_statuses(self, base: Filter, read: int, shown: list[tuple[Any, ...]] | None) -> None:
        store = self.store
        if base != EVERYTHING:
            try:
                store.check_query(base)  # once here, rather than an error from every column
            except TagtuiError as exc:
                self.post_result(
                    self.notify, f"The board shows every contact: {exc}", severity="warning", markup=False
                )
                base = EVERYTHING
        statuses = store.list_statuses(counts=False)
        pages: list[Page | None] | None = None
        if self._shape(statuses) != shown:
            # New columns: their first pages are read here, one after the other, and the board
            # is built with them, laid out and painted once. (A read per column as it mounted
            # made eight threads take turns with the UI thread, and a paint for each answer:
            # the board at a million contacts showed its last count after 0.9 s, now 0.5 s.)
            pages = []
            for status in [*statuses, None]:
                try:
                    pages.append(store.list_contacts(column_filter(base, status), limit=PAGE))
                except TagtuiError:
                    pages.append(None)  # the column reads it itself, and says what went wrong
        self.post_latest("statuses", read, self._apply_statuses, statuses, base, pages)

    @staticmethod
    def _shape(statuses: list[Status]) -> list[tuple[Any, ...]]:
        return [(s.id, s.name, s.slug, s.color) for s in statuses]

    async def _apply_statuses(
        self, statuses: list[Status], base: Filter, pages: list[Page | None] | None
    ) -> None:
        if self._writes.busy:
            return  # the queued moves refresh their columns when they are done
        self._show_filter(base)
        self._reload_funnel(base)
        same = self.statuses is not None and self._shape(statuses) == self._shape(self.statuses)
        self.base = base
        if same:
            for column in self.columns:
                column.reload(base)
            return
        had_focus = self.statuses is not None and bool(self.columns)
        focus_id = self.columns[self.focused_column_index()].status_id if had_focus else None
        self.statuses = statuses
        board = self.query_one("#board", Horizontal)
        await board.remove_children()
        firsts = pages or [None] * (len(statuses) + 1)
        columns = [BoardColumn(s, base, first) for s, first in zip([*statuses, None], firsts, strict=True)]
        await board.mount_all(columns)
        target = (self.column(focus_id) if had_focus else None) or columns[0]
        target.table.focus()

    def _show_filter(self, base: Filter) -> None:
        label = self.query_one("#board-filter", Label)
        if base == EVERYTHING:
            label.display = False
            return
        from tagtui.query.render import render

        label.update(Text.assemble(("Filter: ", "bold"), literal(render(base))))
        label.display = True

    # -- keys ----------------------------------------------------------------------

    def action_focus_column(self, delta: int) -> None:
        columns = self.columns
        if not columns:
            return
        index = max(0, min(len(columns) - 1, self.focused_column_index() + delta))
        focus_now(columns[index].table)  # the next key of a burst acts on this column

    def action_move_card(self, delta: int) -> None:
        columns = self.columns
        if not columns:
            return
        index = self.focused_column_index()
        target_index = index + delta
        if not 0 <= target_index < len(columns):
            return
        source, target = columns[index], columns[target_index]
        row = source.current_card()
        if row is None:
            return
        source.take(row.id)
        status = target.status
        moved = dataclasses.replace(
            row,
            status=status.name if status else None,
            status_id=status.id if status else None,
            status_color=status.color if status else None,
        )
        target.put(moved)
        focus_now(target.table)  # the next key of a burst moves the same card on
        store = self.store
        status_id = target.status_id
        self._writes.submit(lambda: store.set_status(row.id, status_id))

    def _writes_done(self) -> None:
        if self._writes.busy:
            # A key moved a card since this drain ended: its write may not be in the store yet,
            # and a read now would take that card from under the cursor. Its drain calls again.
            return
        for column in self.columns:
            if column.moves_pending:
                column.moves_written()
        self._reload_funnel()
        data_changed(self, "contacts")

    def action_open(self) -> None:
        column = self.columns[self.focused_column_index()] if self.columns else None
        row = column.current_card() if column else None
        if row is not None:
            from tagtui.app.screens.detail import ContactDetailScreen

            self.app.push_screen(ContactDetailScreen(row.id))

    @on(DataTable.RowSelected)
    def _card_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_refresh(self) -> None:
        self.refresh_board()

    # -- the funnel ----------------------------------------------------------------

    def action_trends(self) -> None:
        from tagtui.app.screens.trends import TrendsScreen

        self.app.push_screen(TrendsScreen())

    def action_toggle_funnel(self) -> None:
        self.funnel_shown = not self.funnel_shown
        panel = self.query_one("#funnel", Static)
        if self.funnel_shown:
            panel.update(Text("Counting…", style="dim"))
        panel.set_class(self.funnel_shown, "-shown")
        self._reload_funnel()

    def _reload_funnel(self, base: Filter | None = None) -> None:
        if self.funnel_shown:
            self._load_funnel(self.base if base is None else base, self.start_read("funnel"))

    @work(thread=True, exclusive=True, group="board-funnel", exit_on_error=False)
    def _load_funnel(self, base: Filter, read: int) -> None:
        stages = self.store.funnel(base)
        self.post_latest("funnel", read, self._show_funnel, stages)

    def _show_funnel(self, stages: list[FunnelStage]) -> None:
        if self.funnel_shown:
            self.query_one("#funnel", Static).update(funnel_text(stages))


#: Cells of the longest bar of the funnel.
FUNNEL_BAR = 40
_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(count: int, most: int, width: int = FUNNEL_BAR) -> str:
    """``count`` as a bar of ``width`` cells at most (``most`` fills it), in eighths of a cell."""
    if count <= 0 or most <= 0:
        return ""
    eighths = max(1, round(count * width * 8 / most))
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def funnel_text(stages: list[FunnelStage]) -> Text:
    """One line per stage: name, a bar proportional to its contacts, the count, the conversion.

    Conversion (``→ 62.5%``) is the share of the contacts at this stage or later that are at
    the next stage or later; the last stage and "No status" have none.
    """
    most = max((s.contacts for s in stages), default=0)
    name_width = min(20, max((len(s.status or NO_STATUS) for s in stages), default=0))
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    out.append(f"{'Stage':<{name_width}}  {'':<{FUNNEL_BAR}}  {'Contacts':>9}  Conversion\n", "bold")
    for i, stage in enumerate(stages):
        if stage.status is None:
            name = Text(f"{NO_STATUS:<{name_width}}", style="italic dim")
            color = "grey50"
        else:
            name = literal(stage.status)
            name.truncate(name_width, overflow="ellipsis", pad=True)
            color = stage.color or "white"
        out.append_text(name)
        out.append("  ")
        out.append(f"{_bar(stage.contacts, most):<{FUNNEL_BAR}}", style=color)
        out.append(f"  {stage.contacts:>9,}")
        if stage.conversion is not None:
            out.append(f"  → {stage.conversion:.1%}", style="bold")
        if i < len(stages) - 1:
            out.append("\n")
    return out
