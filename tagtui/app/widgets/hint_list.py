"""A grid of hint keys beside tags or stages: ``[a] ⭐ VIP ✓`` — what to type, and what is set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from tagtui.app.format import chip, literal

#: How a mark looks: a contact has the label (``on``), or across a selection all / some have it.
MARK_STYLE = {
    "on": ("✓", "bold green"),
    "all": ("✓", "bold green"),
    "some": ("◐", "bold yellow"),
    "off": (" ", ""),
    "unknown": ("…", "dim"),
}


@dataclass(frozen=True)
class HintItem:
    hint: str
    name: str
    color: str
    emoji: str | None = None
    mark: str = "off"
    as_chip: bool = True


class HintList(Widget):
    """Hint items laid out in as many columns as fit; the typed prefix is highlighted."""

    DEFAULT_CSS = """
    HintList { height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: Sequence[HintItem] = ()
        self.pending = ""

    def show(self, items: Sequence[HintItem], pending: str = "") -> None:
        self.items = items
        self.pending = pending
        self.refresh(layout=True)

    def _cell(self, item: HintItem) -> Text:
        waiting = bool(self.pending) and item.hint.startswith(self.pending)
        dimmed = bool(self.pending) and not waiting
        key_style = "bold reverse" if not dimmed else "dim reverse"
        if waiting:
            key = Text.assemble(
                (self.pending, "bold black on yellow"), (item.hint[len(self.pending) :], key_style)
            )
        else:
            key = Text(item.hint, style=key_style)
        pad = Text(" " * (2 - len(item.hint)))
        label = (
            chip(item.name, item.color, item.emoji)
            if item.as_chip
            else Text.assemble(("● ", item.color), literal(item.name))
        )
        if dimmed:
            label.stylize("dim")
        mark, mark_style = MARK_STYLE.get(item.mark, MARK_STYLE["off"])
        return Text.assemble(" ", key, pad, " ", label, " ", (mark, mark_style))

    def _columns(self, width: int) -> int:
        if not self.items:
            return 1
        widest = max(self._cell(i).cell_len for i in self.items) + 2
        fit = max(1, max(width, 20) // widest)
        # A short list reads best as one column; a long one spreads out to stay short.
        return max(1, min(fit, -(-len(self.items) // 10)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        columns = self._columns(width)
        return max(1, -(-len(self.items) // columns))

    def render(self) -> RenderableType:
        if not self.items:
            return Text("nothing here yet", style="dim italic")
        columns = self._columns(self.content_region.width)
        grid = Table.grid(padding=(0, 2))
        for _ in range(columns):
            grid.add_column(no_wrap=True)
        cells = [self._cell(i) for i in self.items]
        # Fill column by column, so hints read top to bottom like a list.
        rows = -(-len(cells) // columns)
        for r in range(rows):
            grid.add_row(
                *[cells[c * rows + r] if c * rows + r < len(cells) else Text() for c in range(columns)]
            )
        return grid
