"""The column chooser (``c`` on Contacts): tick the columns the table shows; the choice is kept in the
config file (``[columns] contacts``)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList
from textual.widgets.selection_list import Selection


class ColumnChooser(ModalScreen[list[str] | None]):
    """Every column with a tick box; returns the ticked ones in table order (``None``: cancelled)."""

    DEFAULT_CSS = """
    ColumnChooser { align: center middle; }
    ColumnChooser > Vertical {
        width: 44; height: auto; max-height: 100%; padding: 1 2;
        border: round $primary; background: $surface;
    }
    ColumnChooser SelectionList { height: auto; max-height: 12; border: none; }
    ColumnChooser .dialog-buttons { height: auto; align-horizontal: right; }
    ColumnChooser Button { margin-left: 1; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="columns.cancel"),
        Binding("ctrl+s", "save", "Save", id="columns.save"),
    ]

    def __init__(self, columns: Sequence[tuple[str, str]], shown: Sequence[str], fixed: str = "name") -> None:
        """``columns``: (key, label) in table order; ``shown``: the keys shown now; ``fixed``: always on."""
        super().__init__()
        self.columns = list(columns)
        self.shown = set(shown)
        self.fixed = fixed

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Columns of the contacts table", classes="dialog-title")
            yield SelectionList[str](
                *(
                    Selection(label, key, key in self.shown or key == self.fixed, disabled=key == self.fixed)
                    for key, label in self.columns
                ),
                id="columns",
            )
            yield Label("space ticks · ctrl+s saves · esc", classes="dialog-help")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", variant="primary", id="save")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def chosen(self) -> list[str]:
        ticked = set(self.query_one(SelectionList).selected) | {self.fixed}
        return [key for key, _ in self.columns if key in ticked]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        self.dismiss(self.chosen())

    def action_cancel(self) -> None:
        self.dismiss(None)
