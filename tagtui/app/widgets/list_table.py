"""A DataTable used as a list of rows: ``home``/``end`` go to the first and last row.

DataTable binds ``home``/``end`` to its leftmost and rightmost column, which a table with a
row cursor has no use for; every list of the app takes the keys other list UIs use:
``home``/``ctrl+home`` the first row, ``end``/``ctrl+end`` the last, ``pageup``/``pagedown``.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable


class ListTable(DataTable[Text | str]):
    """A DataTable whose ``home``/``end`` move a row cursor to the first and last row."""

    def action_scroll_home(self) -> None:
        if self.cursor_type == "row":
            self.action_scroll_top()
        else:
            super().action_scroll_home()

    def action_scroll_end(self) -> None:
        if self.cursor_type == "row":
            self.action_scroll_bottom()
        else:
            super().action_scroll_end()
