"""The side panel of the contacts screen: tags and statuses with their counts and filter marks.

``space``/``enter`` on a tag cycles it through any → all → none → off, on a status
toggles it; the panel then posts ``FilterPanel.Changed`` with its new state and the
screen rewrites the query. Typing a query sets the marks through ``show_state``.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.visual import VisualType
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from tagtui.app.format import chip, count, literal
from tagtui.app.panel_state import PanelState
from tagtui.app.screens.base import InApp, ReportsWorkerErrors
from tagtui.store import Status, Store, Tag

NO_TAGS = "no-tags"
NO_STATUS = "no-status"
MARKS: dict[str | None, tuple[str, str]] = {
    "any": ("any", "bold black on #38bdf8"),
    "all": ("all", "bold black on #4ade80"),
    "none": ("not", "bold white on #ef4444"),
    "on": (" ✓ ", "bold black on #4ade80"),
    None: ("   ", ""),
}


class LabelList(OptionList):
    """An option list whose ``space`` and ``enter`` both mean "cycle this one"."""

    CYCLE_HELP = "Tag: any → all → not → off; status: on / off"
    BINDINGS = [
        Binding("space", "select", "Cycle", id="panel.cycle", tooltip=CYCLE_HELP),
        Binding("enter", "select", "Cycle", show=False, id="panel.cycle_enter"),
        Binding("c", "clear", "Clear", id="panel.clear", tooltip="Clear every mark of the panel"),
        Binding("escape", "leave", "Back to the list", show=False, id="panel.leave"),
    ]

    class ClearRequested(Message):
        pass

    def replace_prompt(self, index: int, prompt: VisualType) -> None:
        """Show a new prompt for one option, drawing only that option again.

        (``replace_option_prompt_at_index`` forgets every option's drawing, and the panel
        changes a mark or two on each filter change.) The option is swapped for a new one
        with the same id, which misses the drawing cache alone."""
        try:
            old = self._options[index]
            new = Option(prompt, id=old.id, disabled=old.disabled)
            self._options[index] = new
            del self._option_to_index[old]
            self._option_to_index[new] = index
            if old.id is not None:
                self._id_to_option[old.id] = new
        except (AttributeError, KeyError, IndexError):  # Textual changed inside: the slow way
            self.replace_option_prompt_at_index(index, prompt)
            return
        self.refresh()

    def action_leave(self) -> None:
        from tagtui.app.widgets.contact_table import ContactTable

        self.screen.query_one(ContactTable).focus()

    def action_clear(self) -> None:
        self.post_message(self.ClearRequested())


class FilterPanel(InApp, ReportsWorkerErrors, Vertical):
    """Tags and statuses with counts; marks show how each takes part in the filter."""

    class Changed(Message):
        """The user changed a mark: ``state`` is the panel's new state."""

        def __init__(self, state: PanelState) -> None:
            super().__init__()
            self.state = state

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tags: list[Tag] = []
        self.statuses: list[Status] = []
        self.state = PanelState()

    def compose(self) -> ComposeResult:
        yield Label("Tags", classes="panel-title", id="tags-title")
        yield LabelList(id="panel-tags")
        yield Label("Statuses", classes="panel-title", id="statuses-title")
        yield LabelList(id="panel-statuses")

    def on_resize(self) -> None:
        self._render_options()

    @property
    def tag_slugs(self) -> list[str]:
        return [t.slug for t in self.tags]

    @property
    def status_slugs(self) -> list[str]:
        return [s.slug for s in self.statuses]

    # -- counts -------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch tags, statuses and their counts (in a worker: typing never waits for it)."""
        self._load(self.store)

    @work(thread=True, exclusive=True, group="panel-counts", exit_on_error=False)
    def _load(self, store: Store) -> None:
        tags: list[Tag] = []
        while True:
            batch = store.list_tags(limit=1000, offset=len(tags))
            tags.extend(batch)
            if len(batch) < 1000:
                break
        statuses = store.list_statuses()
        self.post_result(self._loaded, tags, statuses)

    def _loaded(self, tags: list[Tag], statuses: list[Status]) -> None:
        self.tags, self.statuses = tags, statuses
        self.query_one("#tags-title", Label).update(f"Tags · {len(tags)}")
        self.query_one("#statuses-title", Label).update(f"Statuses · {len(statuses)}")
        self._render_options()

    # -- marks --------------------------------------------------------------------------

    def show_state(self, state: PanelState) -> None:
        """Show the marks of a state that came from the query (no message is posted)."""
        if state == self.state:
            return
        self.state = state
        self._render_options()

    def _row(self, mark: str | None, label: Text, n: int | None, width: int) -> Text:
        text, style = MARKS[mark]
        out = Text.assemble((f"{text:^3}", style), " ", label)
        number = "" if n is None else count(n)
        pad = width - out.cell_len - len(number) - 1
        if pad > 0:
            out.append(" " * pad)
        else:
            out.truncate(max(width - len(number) - 2, 4), overflow="ellipsis")
            out.append(" ")
        out.append(number, style="dim")
        return out

    def _render_options(self) -> None:
        tag_list = self.query_one("#panel-tags", LabelList)
        status_list = self.query_one("#panel-statuses", LabelList)
        width = max(tag_list.scrollable_content_region.width - 1, 20)
        no_tags = Text("(no tags)", style="italic")
        tag_options = [Option(self._row("on" if self.state.no_tags else None, no_tags, None, width), NO_TAGS)]
        for tag in self.tags:
            tag_options.append(
                Option(
                    self._row(
                        self.state.tag_mode(tag.slug),
                        chip(tag.name, tag.color, tag.emoji),
                        tag.contacts,
                        width,
                    ),
                    f"tag-{tag.id}",
                )
            )
        no_status = Text("(no status)", style="italic")
        status_options = [
            Option(self._row("on" if self.state.no_status else None, no_status, None, width), NO_STATUS)
        ]
        for status in self.statuses:
            label = Text.assemble(("● ", status.color), literal(status.name))
            mark = "on" if status.slug in self.state.statuses else None
            status_options.append(
                Option(self._row(mark, label, status.contacts, width), f"status-{status.id}")
            )
        _replace(tag_list, tag_options)
        _replace(status_list, status_options)

    # -- keys ---------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#panel-tags")
    def _tag_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        ident = event.option.id or ""
        if ident == NO_TAGS:
            self._change(self.state.toggle_no_tags())
        else:
            tag = next((t for t in self.tags if f"tag-{t.id}" == ident), None)
            if tag is not None:
                self._change(self.state.cycle_tag(tag.slug))

    @on(OptionList.OptionSelected, "#panel-statuses")
    def _status_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        ident = event.option.id or ""
        if ident == NO_STATUS:
            self._change(self.state.toggle_no_status())
        else:
            status = next((s for s in self.statuses if f"status-{s.id}" == ident), None)
            if status is not None:
                self._change(self.state.toggle_status(status.slug))

    @on(LabelList.ClearRequested)
    def _clear(self, event: LabelList.ClearRequested) -> None:
        event.stop()
        self._change(self.state.clear())

    def _change(self, state: PanelState) -> None:
        self.state = state
        self._render_options()
        self.post_message(self.Changed(state))

    def cycle_tag(self, slug: str) -> None:
        """Cycle a tag as its key would (for the command palette and tests)."""
        self._change(self.state.cycle_tag(slug))


def _replace(option_list: LabelList, options: list[Option]) -> None:
    """Swap the options, keeping the highlight on the same option (by id).

    When only marks changed (the same options in the same order: a query was typed, a
    tag cycled) only the changed prompts are replaced: no new layout of the screen."""
    current = option_list.options
    if [o.id for o in current] == [o.id for o in options]:
        for index, (old, new) in enumerate(zip(current, options, strict=True)):
            if old.prompt != new.prompt:
                option_list.replace_prompt(index, new.prompt)
        return
    highlighted = option_list.highlighted_option
    keep = highlighted.id if highlighted else None
    option_list.set_options(options)
    if keep is not None:
        try:
            option_list.highlighted = option_list.get_option_index(keep)
        except OptionDoesNotExist:
            option_list.highlighted = 0
    elif options:
        option_list.highlighted = 0
