"""The create / edit form of a tag (and, through ``LabelForm``, of a status).

The form saves through the store in a worker and shows the store's own
ValidationError / Conflict messages under the field they name. Edits carry the
``rev`` the form was opened at, so a concurrent change is a Conflict that offers a reload.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static
from textual.worker import get_current_worker

from tagtui.app.format import literal, swatch
from tagtui.app.screens.base import TagtuiModal
from tagtui.app.widgets.color_picker import ColorPicker
from tagtui.store import UNSET, Conflict, NotFound, Store, Tag, TagtuiError
from tagtui.store.validation import DESCRIPTION_MAX, EMOJI_MAX, NAME_MAX, normalize_color

#: (label, placeholder) of every field a form can show. Lengths are not capped here: the
#: store's message says what the limit is.
FIELD_SPECS: dict[str, tuple[str, str]] = {
    "name": ("Name", f"1–{NAME_MAX} characters, e.g. VIP"),
    "color": ("Color", "red, blue … or #rgb / #rrggbb"),
    "emoji": ("Emoji", f"optional, up to {EMOJI_MAX} characters, e.g. ⭐"),
    "description": ("Description", f"optional, up to {DESCRIPTION_MAX} characters"),
}


class LabelForm(TagtuiModal[Any]):
    """A form for a named, colored label: the fields in ``FIELDS``, saved by ``_save``.

    Returns the saved item, or ``None`` when cancelled.
    """

    CSS_PATH = "tag_form.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("ctrl+r", "reload", "Reload", id="form.reload"),
    ]

    FIELDS: ClassVar[tuple[str, ...]] = ("name", "color")
    NOUN: ClassVar[str] = "label"

    def __init__(self, item: Any | None = None) -> None:
        super().__init__()
        #: The item being edited (None: a new one), as last read from the store.
        self.item = item
        self.rev: int | None = item.rev if item is not None else None
        self.saving = False
        self.stale = False
        #: The field values as filled in from the store (to tell whether anything changed).
        self._initial: dict[str, str] = {}

    # -- building ------------------------------------------------------------------

    def _title(self) -> Text:
        if self.item is None:
            return Text(f"New {self.NOUN}", style="bold", end="")
        return Text.assemble((f"Edit {self.NOUN} ", "bold"), literal(self.item.name, "bold"))

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Label(self._title(), id="form-title")
            for field in self.FIELDS:
                label, placeholder = FIELD_SPECS[field]
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="form-label")
                    yield Input(placeholder=placeholder, id=field, select_on_focus=False)
                    if field == "color":
                        yield Static(id="color-preview")
                if field == "color":
                    yield ColorPicker(self.store.colors(), id="picker")
                yield Label(id=f"{field}-error", classes="form-error", markup=False)
            yield Label(id="form-error", classes="form-error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Save (ctrl+s)", variant="primary", id="save")

    def on_mount(self) -> None:
        self._fill(self.item)
        self.query_one("#name", Input).focus()

    def _fill(self, item: Any | None) -> None:
        self._initial = {}
        for field in self.FIELDS:
            value = getattr(item, field, None) if item is not None else None
            if field == "color" and value is not None:
                value = self._color_text(value)
            self.query_one(f"#{field}", Input).value = value or ""
            self._initial[field] = value or ""
        self._preview(self.query_one("#color", Input).value if "color" in self.FIELDS else "")

    def _color_text(self, hex_code: str) -> str:
        """A stored color as the user would type it: its palette name, else its hex code."""
        for name, code in self.store.colors():
            if code == hex_code:
                return name
        return hex_code

    # -- the color field -----------------------------------------------------------

    def _preview(self, text: str) -> None:
        if "color" not in self.FIELDS:
            return
        preview = self.query_one("#color-preview", Static)
        picker = self.query_one(ColorPicker)
        try:
            hex_code = normalize_color(text) if text.strip() else None
        except TagtuiError:
            preview.update(Text("not a color yet", style="dim italic"))
            picker.show_color(None)
            return
        if hex_code is None:
            preview.update(Text("default", style="dim italic"))
        else:
            preview.update(Text.assemble(swatch(hex_code), " ", (hex_code, "dim")))
        picker.show_color(hex_code)

    @on(ColorPicker.Picked)
    def _picked(self, event: ColorPicker.Picked) -> None:
        self.query_one("#color", Input).value = event.name

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id == "color":
            self._preview(event.value)
        if event.input.id:
            self._set_error(event.input.id, None)

    # -- errors --------------------------------------------------------------------

    def _set_error(self, field: str, message: str | None) -> None:
        try:
            label = self.query_one(f"#{field}-error", Label)
        except Exception:
            return
        label.update(literal(message) if message else "")
        label.set_class(bool(message), "-shown")

    def _clear_errors(self) -> None:
        for field in (*self.FIELDS, "form"):
            self._set_error(field, None)
        self.query_one("#form-error", Label).remove_class("-note")

    def _show_error(self, exc: TagtuiError) -> None:
        self.saving = False
        field = exc.field if exc.field in self.FIELDS else None
        if isinstance(exc, Conflict) and exc.field == "rev":
            self.stale = True
            self._set_error(
                "form",
                f"{exc.message}. Press ctrl+r to reload the {self.NOUN} (your changes here are replaced).",
            )
            self.refresh_bindings()
            return
        if field is None:
            self._set_error("form", exc.message)
            return
        self._set_error(field, exc.message)
        self.query_one(f"#{field}", Input).focus()

    # -- saving --------------------------------------------------------------------

    def _values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for field in self.FIELDS:
            out[field] = self.query_one(f"#{field}", Input).value
        return out

    def _save(self, store: Store, values: dict[str, str | None], rev: int | None) -> Any:
        raise NotImplementedError

    def _load(self, store: Store, item_id: int) -> Any:
        raise NotImplementedError

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        if self.saving:
            return
        if self.item is not None and self._values() == self._initial:
            self.dismiss(None)  # nothing changed: no write, no new rev
            return
        self.saving = True
        self._clear_errors()
        self._run_save(self._values(), self.rev)

    @work(thread=True, exclusive=True, group="label-form", exit_on_error=False)
    def _run_save(self, values: dict[str, str | None], rev: int | None) -> None:
        try:
            saved = self._save(self.store, values, rev)
        except TagtuiError as exc:
            self.post_result(self._show_error, exc)
            return
        if not get_current_worker().is_cancelled:
            self.post_result(self._saved, saved)

    def _saved(self, saved: Any) -> None:
        self.dismiss(saved)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reload":
            return self.stale
        return True

    def action_reload(self) -> None:
        if self.item is not None:
            self._run_reload(self.item.id)

    @work(thread=True, exclusive=True, group="label-form", exit_on_error=False)
    def _run_reload(self, item_id: int) -> None:
        try:
            item = self._load(self.store, item_id)
        except TagtuiError as exc:
            self.post_result(self._show_error, exc)
            return
        self.post_result(self._reloaded, item)

    def _reloaded(self, item: Any) -> None:
        self.item = item
        self.rev = item.rev
        self.stale = False
        self._fill(item)
        self._clear_errors()
        self.query_one("#form-title", Label).update(self._title())
        self._set_error("form", f"Reloaded (rev {item.rev}). Make your change again and save.")
        self.query_one("#form-error", Label).add_class("-note")
        self.refresh_bindings()


def optional_text(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None


class TagForm(LabelForm):
    """Create a tag (``TagForm()``) or edit one (``TagForm(tag)``); returns the saved Tag or None."""

    FIELDS = ("name", "color", "emoji", "description")
    NOUN = "tag"

    def _save(self, store: Store, values: dict[str, str | None], rev: int | None) -> Tag:
        color = optional_text(values["color"])
        if self.item is None:
            return store.create_tag(
                values["name"] or "",
                color=color,
                emoji=optional_text(values["emoji"]),
                description=optional_text(values["description"]),
            )
        return store.update_tag(
            self.item.id,
            name=values["name"] or "",
            color=color if color is not None else UNSET,
            emoji=optional_text(values["emoji"]),
            description=optional_text(values["description"]),
            rev=rev,
        )

    def _load(self, store: Store, item_id: int) -> Tag:
        try:
            return store.get_tag(item_id)
        except NotFound as exc:
            raise NotFound("this tag was deleted meanwhile; cancel to go back") from exc
