"""Help (``?``): every key of every screen, grouped, with the keys in force after the config file's
remapping (read from the one key registry, ``tagtui.app.keymap``)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.widgets import Header, Static

from tagtui.app.keymap import KeyGroup, groups
from tagtui.app.screens.base import TagtuiScreen
from tagtui.app.widgets.footer import AppFooter

#: Below this width the groups go in one column.
TWO_COLUMNS = 100


def key_table(group: KeyGroup) -> Table:
    """Keys and what they do; alternative keys of one action share a row."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=12)
    table.add_column()
    for row in group.rows:
        table.add_row(Text(row.keys_text, style="bold"), Text(row.description))
    for keys_text, description in group.notes:
        table.add_row(Text(keys_text, style="bold"), Text(description, style="dim" if not keys_text else ""))
    return table


class HelpScreen(TagtuiScreen):
    """Every binding, by screen. ``escape`` (or ``?``) closes it."""

    TITLE = "Help"
    BINDINGS = [Binding("escape", "close", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        yield Header()
        keymap = self.tagtui_app.config
        boxes: list[tuple[Static, int]] = []
        for group in groups(keymap.keys):
            box = Static(key_table(group), classes="help-group")
            box.border_title = group.title
            boxes.append((box, len(group.rows) + len(group.notes) + 2))
        # Two columns, each group going to the shorter one, so no box waits on its neighbour;
        # one column on a narrow terminal.
        count = 2 if self.app.size.width >= TWO_COLUMNS else 1
        columns: list[list[Static]] = [[] for _ in range(count)]
        heights = [0] * count
        for box, height in boxes:
            side = heights.index(min(heights))
            columns[side].append(box)
            heights[side] += height
        with VerticalScroll(id="help-scroll"), Horizontal(id="help-columns"):
            for column in columns:
                with Vertical(classes="help-column"):
                    yield from column
        yield AppFooter(compact=True)

    def on_resize(self, event: Resize) -> None:
        wanted = 2 if event.size.width >= TWO_COLUMNS else 1
        if len(self.query(".help-column")) != wanted:
            self.refresh(recompose=True)

    def action_close(self) -> None:
        self.dismiss()
