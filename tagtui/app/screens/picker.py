"""Pickers with type-to-search: tags (choose several), a status, a saved view; and a one-line prompt.

Each is a modal: typing narrows the list, ``↑``/``↓`` move, ``enter`` chooses and
``escape`` cancels. The tag picker chooses several: ``enter`` on a search adds the
highlighted tag and clears the search, ``enter`` on an empty search applies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tagtui.app.format import chip, literal
from tagtui.app.screens.base import TagtuiModal
from tagtui.store import Status, Tag, TagtuiError, View

T = TypeVar("T")


@dataclass(frozen=True)
class StatusChoice:
    """A chosen status, or ``status_id=None`` to clear it."""

    status_id: int | None
    name: str | None


def matches_text(needle: str, *haystack: str | None) -> bool:
    needle = needle.strip().lower()
    return not needle or any(needle in (h or "").lower() for h in haystack)


class SearchPicker(TagtuiModal[T], Generic[T]):
    """A search box over a list; subclasses say what the items are and what choosing does."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Down", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Up", show=False, id="picker.up"),
        Binding("pagedown", "move(8)", "Page down", show=False, id="picker.page_down"),
        Binding("pageup", "move(-8)", "Page up", show=False, id="picker.page_up"),
        Binding("ctrl+home", "move(-1000000)", "First", show=False, id="picker.first"),
        Binding("ctrl+end", "move(1000000)", "Last", show=False, id="picker.last"),
    ]
    DEFAULT_CLASSES = "picker"

    def __init__(self, title: str, help_text: str) -> None:
        super().__init__()
        self.picker_title = title
        self.help_text = help_text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.picker_title, classes="dialog-title", markup=False)
            yield Input(placeholder="type to search", id="search")
            yield from self.compose_extra()
            yield OptionList(id="choices")
            yield Label(self.help_text, classes="dialog-help")

    def compose_extra(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()
        self.refill()

    @property
    def choices(self) -> OptionList:
        return self.query_one("#choices", OptionList)

    def options(self, needle: str) -> list[Option]:
        raise NotImplementedError

    def refill(self) -> None:
        choices = self.choices
        keep = choices.highlighted_option.id if choices.highlighted_option else None
        options = self.options(self.query_one("#search", Input).value)
        choices.set_options(options)
        ids = [o.id for o in options]
        if keep in ids:
            choices.highlighted = ids.index(keep)
        elif options:
            choices.highlighted = 0

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self.choices.highlighted = None
        self.refill()

    def action_move(self, delta: int) -> None:
        choices = self.choices
        if not choices.option_count:
            return
        now = choices.highlighted if choices.highlighted is not None else -1
        choices.highlighted = min(max(now + delta, 0), choices.option_count - 1)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TagPicker(SearchPicker[list[int]]):
    """Choose one or more tags; returns their ids (or ``None`` when cancelled)."""

    def __init__(self, title: str, tags: Sequence[Tag]) -> None:
        super().__init__(title, "enter chooses · enter on an empty search applies · esc cancels")
        self.tags = list(tags)
        self.chosen: list[int] = []

    def compose_extra(self) -> ComposeResult:
        yield Static(id="chosen", markup=False)

    def options(self, needle: str) -> list[Option]:
        out = []
        for tag in self.tags:
            if not matches_text(needle, tag.name, tag.slug, tag.description):
                continue
            box = Text(
                "[x] " if tag.id in self.chosen else "[ ] ", style="bold" if tag.id in self.chosen else "dim"
            )
            prompt = Text.assemble(box, chip(tag.name, tag.color, tag.emoji))
            if tag.description:
                prompt.append("  ")
                prompt.append_text(literal(tag.description, "dim"))
            out.append(Option(prompt, id=str(tag.id)))
        if not out:
            out.append(Option(Text("no tag matches", style="dim italic"), id="none", disabled=True))
        return out

    def _show_chosen(self) -> None:
        chosen = [t for t in self.tags if t.id in self.chosen]
        text = Text("Chosen: ", style="dim") if chosen else Text("Nothing chosen yet", style="dim")
        for i, tag in enumerate(chosen):
            if i:
                text.append(" ")
            text.append_text(chip(tag.name, tag.color, tag.emoji))
        self.query_one("#chosen", Static).update(text)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_chosen()

    def toggle(self, tag_id: int) -> None:
        if tag_id in self.chosen:
            self.chosen.remove(tag_id)
        else:
            self.chosen.append(tag_id)
        self._show_chosen()
        self.refill()

    @on(OptionList.OptionSelected, "#choices")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id.isdigit():
            self.toggle(int(event.option.id))

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        highlighted = self.choices.highlighted_option
        tag_id = highlighted.id if highlighted is not None else None
        has_tag = tag_id is not None and tag_id.isdigit()
        if event.value.strip():
            if tag_id is not None and has_tag:
                self.toggle(int(tag_id))
            event.input.value = ""
            return
        if not self.chosen and tag_id is not None and has_tag:
            self.chosen.append(int(tag_id))
        if self.chosen:
            self.dismiss(list(self.chosen))


class StatusPicker(SearchPicker[StatusChoice]):
    """Choose a status, or "no status" to clear it."""

    def __init__(self, title: str, statuses: Sequence[Status]) -> None:
        super().__init__(title, "type to search · enter chooses · esc cancels")
        self.statuses = list(statuses)

    def options(self, needle: str) -> list[Option]:
        out = []
        for status in self.statuses:
            if matches_text(needle, status.name, status.slug):
                prompt = Text.assemble(("● ", status.color), literal(status.name))
                out.append(Option(prompt, id=str(status.id)))
        if matches_text(needle, "no status", "clear", "none"):
            out.append(Option(Text("— no status (clear)", style="italic"), id="clear"))
        return out

    @on(Input.Submitted, "#search")
    def _submitted(self) -> None:
        self._choose(self.choices.highlighted_option)

    @on(OptionList.OptionSelected, "#choices")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option)

    def _choose(self, option: Option | None) -> None:
        if option is None or option.id is None:
            return
        if option.id == "clear":
            self.dismiss(StatusChoice(None, None))
            return
        status = next(s for s in self.statuses if str(s.id) == option.id)
        self.dismiss(StatusChoice(status.id, status.name))


class ViewPicker(SearchPicker[View]):
    """Choose a saved view; ``ctrl+d`` deletes the highlighted one."""

    BINDINGS = [Binding("ctrl+d", "delete_view", "Delete view", id="picker.delete_view")]

    def __init__(self, views: Sequence[View]) -> None:
        super().__init__("Saved views", "enter shows the view · ctrl+d deletes it · esc cancels")
        self.views = list(views)

    def options(self, needle: str) -> list[Option]:
        out = []
        for i, view in enumerate(self.views):
            if matches_text(needle, view.name, view.query):
                prompt = Text.assemble(
                    literal(view.name, "bold"), "  ", literal(view.query or "(everything)", "dim")
                )
                if view.broken:  # never run: shown with why
                    prompt.append("  broken: ", style="bold red")
                    prompt.append_text(literal(view.broken, "red"))
                out.append(Option(prompt, id=str(i)))
        if not out:
            hint = (
                "no saved views yet: press v on the contacts screen to save one"
                if not self.views
                else "no match"
            )
            out.append(Option(Text(hint, style="dim italic"), id="none", disabled=True))
        return out

    @on(Input.Submitted, "#search")
    def _submitted(self) -> None:
        self._choose(self.choices.highlighted_option)

    @on(OptionList.OptionSelected, "#choices")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option)

    def _choose(self, option: Option | None) -> None:
        if option is not None and option.id and option.id.isdigit():
            view = self.views[int(option.id)]
            if view.broken:
                self.notify(
                    f"View {visible_name(view.name)} is broken ({view.broken}): save it again"
                    " with a query that works, or delete it (ctrl+d).",
                    severity="error",
                    markup=False,
                )
                return
            self.dismiss(view)

    def action_delete_view(self) -> None:
        option = self.choices.highlighted_option
        index = option.id if option is not None else None
        if index is None or not index.isdigit():
            return
        self._delete(self.views[int(index)])

    @work(thread=True, group="views", exit_on_error=False)
    def _delete(self, view: View) -> None:
        self.store.delete_view(view.name)
        self.post_result(self._deleted, view)

    def _deleted(self, view: View) -> None:
        self.views = [v for v in self.views if v.name != view.name]
        self.refill()
        self.notify(f"Deleted view {visible_name(view.name)}", markup=False)


def visible_name(name: str) -> str:
    from tagtui.textsafe import visible

    return repr(visible(name))


class TextPrompt(TagtuiModal[Any]):
    """Ask for one line of text; ``submit`` runs in a worker and its error shows under the box.

    Dismisses with whatever ``submit`` returned.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]
    DEFAULT_CLASSES = "picker"

    def __init__(
        self,
        title: str,
        label: str,
        submit: Callable[[str], Any],
        *,
        value: str = "",
        placeholder: str = "",
        note: str = "",
    ) -> None:
        super().__init__()
        self.prompt_title = title
        self.label = label
        self.submit = submit
        self.value = value
        self.placeholder = placeholder
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.prompt_title, classes="dialog-title", markup=False)
            if self.note:
                yield Label(self.note, classes="dialog-note", markup=False)
            yield Label(self.label, classes="field-label", markup=False)
            yield Input(value=self.value, placeholder=self.placeholder, id="value")
            yield Label("", classes="field-error", id="error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", variant="primary", id="save")

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    @on(Input.Submitted, "#value")
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self._run(self.query_one("#value", Input).value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="prompt", exit_on_error=False)
    def _run(self, value: str) -> None:
        try:
            result = self.submit(value)
        except TagtuiError as exc:
            self.post_result(self._failed, exc)
            return
        self.post_result(self._done, result)

    def _done(self, result: Any) -> None:
        self.dismiss(result)

    def _failed(self, exc: TagtuiError) -> None:
        error = self.query_one("#error", Label)
        error.update(str(exc))
        error.add_class("-shown")
        self.query_one("#value", Input).focus()
