"""Help (``?``): every key of every screen, grouped, read from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Static

from tagtui.app.screens.base import TagtuiScreen


def _bindings(classes: Iterable[type]) -> list[Binding]:
    out: list[Binding] = []
    for cls in classes:
        for item in getattr(cls, "BINDINGS", []):
            out.append(item if isinstance(item, Binding) else Binding(*item))
    return out


def _groups() -> list[tuple[str, list[Binding], list[tuple[str, str]]]]:
    """(title, bindings, extra rows) per group; imports late so every screen is loaded."""
    from tagtui.app.app import TagtuiApp
    from tagtui.app.screens.board import BoardScreen
    from tagtui.app.screens.contact_form import ContactForm
    from tagtui.app.screens.contacts import ContactsScreen, QueryInput
    from tagtui.app.screens.detail import ContactDetailScreen
    from tagtui.app.screens.export import ExportDialog
    from tagtui.app.screens.hint_overlay import HintOverlay
    from tagtui.app.screens.import_file import ImportScreen
    from tagtui.app.screens.insight import InsightScreen
    from tagtui.app.screens.picker import SearchPicker, TagPicker, ViewPicker
    from tagtui.app.screens.rules import RuleForm, RulesScreen
    from tagtui.app.screens.statuses import StatusesScreen
    from tagtui.app.screens.tags import TagsScreen
    from tagtui.app.screens.triage import TriageScreen
    from tagtui.app.widgets.contact_table import ContactTable
    from tagtui.app.widgets.filter_panel import LabelList

    shared = [("ctrl+p", "Command palette: every screen and action"), ("esc", "Close help or a dialog")]
    return [
        ("Everywhere", _bindings([TagtuiApp]), shared),
        (
            "Contacts",
            _bindings([ContactsScreen, ContactTable]),
            [("↑ ↓ pgup pgdn", "Move; more contacts load as you go")],
        ),
        ("Contacts · query bar", _bindings([QueryInput]), [("enter", "Run the query now")]),
        ("Contacts · filter panel", _bindings([LabelList]), []),
        (
            "Triage",
            _bindings([TriageScreen]),
            [("a–z", "Toggle the tag shown beside the hint"), ("A–Z", "Set the stage (again: clear it)")],
        ),
        ("Hint keys over marked contacts (h)", _bindings([HintOverlay]), [("a–z / A–Z", "As in triage")]),
        ("Tags", _bindings([TagsScreen]), []),
        ("Statuses", _bindings([StatusesScreen]), []),
        (
            "Board",
            _bindings([BoardScreen]),
            [("", "Funnel conversion: contacts at the next stage or later ÷ at this stage or later")],
        ),
        ("Tag insight (i on Tags)", _bindings([InsightScreen]), []),
        (
            "Automation rules (R anywhere)",
            _bindings([RulesScreen, RuleForm]),
            [("", "A rule is a query and actions; applying twice changes nothing the second time")],
        ),
        ("Contact detail", _bindings([ContactDetailScreen]), []),
        (
            "Import a file (I on Contacts)",
            _bindings([ImportScreen]),
            [("tab", "From the file path to the mapping table")],
        ),
        (
            "Pickers and forms",
            _bindings([SearchPicker, TagPicker, ViewPicker, ContactForm, ExportDialog]),
            [],
        ),
    ]


def key_table(app: object, bindings: list[Binding], extra: list[tuple[str, str]]) -> Table:
    """Keys and what they do; alternative keys of one action share a row."""
    rows: dict[str, tuple[list[str], str]] = {}
    for binding in bindings:
        if binding.system:
            continue
        display = app.get_key_display(binding)  # type: ignore[attr-defined]
        description = binding.tooltip or binding.description or binding.action.replace("_", " ")
        keys, _ = rows.setdefault(binding.action, ([], description))
        if display not in keys:
            keys.append(display)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=12)
    table.add_column()
    for keys, description in rows.values():
        table.add_row(Text(" ".join(keys), style="bold"), Text(description))
    for keys_text, description in extra:
        table.add_row(Text(keys_text, style="bold"), Text(description, style="dim" if not keys_text else ""))
    return table


class HelpScreen(TagtuiScreen):
    """Every binding, by screen. ``escape`` (or ``?``) closes it."""

    TITLE = "Help"
    BINDINGS = [Binding("escape", "close", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        yield Header()
        # Two columns, each group going to the shorter one, so no box waits on its neighbour.
        columns: list[list[Static]] = [[], []]
        heights = [0, 0]
        for title, bindings, extra in _groups():
            if not bindings and not extra:
                continue
            table = key_table(self.app, bindings, extra)
            box = Static(table, classes="help-group")
            box.border_title = title
            side = heights.index(min(heights))
            columns[side].append(box)
            heights[side] += table.row_count + 2
        with VerticalScroll(id="help-scroll"), Horizontal(id="help-columns"):
            for boxes in columns:
                with Vertical(classes="help-column"):
                    yield from boxes
        yield Footer(compact=True)

    def action_close(self) -> None:
        self.dismiss()
