"""The form that adds an address book to sync with: a name, a URL or folder, and where the
password is (a variable or a command; never the password itself)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label

from tagtui.app.format import literal
from tagtui.app.screens.base import TagtuiModal
from tagtui.store import TagtuiError
from tagtui.sync.engine import Added, add_source

#: field -> (label, placeholder, the store's name for it in errors)
FIELDS: dict[str, tuple[str, str, str]] = {
    "name": ("Name", "e.g. phone (letters, digits, . _ -)", "name"),
    "url": ("URL", "https://… address book or server, or a vdir folder", "url"),
    "user": ("User", "optional: the user name on the server", "user"),
    "password_env": ("Pass var", "optional: an environment variable holding it", "password_env"),
    "password_command": (
        "Pass cmd",
        "optional: a command that prints it, e.g. pass show dav",
        "password_command",
    ),
}


class SyncSourceForm(TagtuiModal[Added | None]):
    """Returns the address book added (and what was found there), or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="syncform.cancel"),
        Binding("ctrl+s", "save", "Save", id="syncform.save"),
    ]
    DEFAULT_CLASSES = "picker"

    def __init__(self) -> None:
        super().__init__()
        self.saving = False

    def compose(self) -> ComposeResult:
        # The shared form layout: on a short terminal the fields scroll above the buttons.
        with Vertical(classes="dialog form"):
            yield Label("Add an address book", classes="dialog-title")
            yield Label("", id="form-error", classes="field-error", markup=False)
            with VerticalScroll(id="fields"):
                for field, (label, placeholder, _) in FIELDS.items():
                    with Horizontal(classes="form-row"):
                        yield Label(label, classes="form-label")
                        with Vertical(classes="form-value"):
                            yield Input(placeholder=placeholder, id=field, compact=True)
                yield Label(
                    "No password is stored: give a variable or a command that holds it,"
                    " or leave both empty for ~/.netrc.",
                    classes="dialog-note",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Label("ctrl+s add · esc cancel", classes="dialog-help")
                yield Button("Cancel", id="cancel")
                yield Button("Add", variant="primary", id="save")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _submit(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        values = {field: self.query_one(f"#{field}", Input).value.strip() or None for field in FIELDS}
        self._save(values)

    @work(thread=True, exclusive=True, group="sync-form", exit_on_error=False)
    def _save(self, values: dict[str, str | None]) -> None:
        try:
            # The server is contacted (discovery, the password tried) before anything is saved.
            added = add_source(
                self.store,
                values["name"] or "",
                values["url"] or "",
                username=values["user"],
                password_env=values["password_env"],
                password_command=values["password_command"],
            )
        except TagtuiError as exc:
            self.post_result(self._failed, exc)
            return
        self.post_result(self.dismiss, added)

    def _failed(self, exc: TagtuiError) -> None:
        self.saving = False
        error = self.query_one("#form-error", Label)
        error.update(literal(exc.message))
        error.add_class("-shown")
        if exc.field in FIELDS:
            self.query_one(f"#{exc.field}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
