"""The form that adds an address book to sync with: a name, a URL or folder, and where the
password is (a variable or a command; never the password itself)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label

from tagtui.app.format import literal
from tagtui.app.screens.base import TagtuiModal
from tagtui.app.screens.support import store_of
from tagtui.store import TagtuiError
from tagtui.store.sync import SyncSource

#: field -> (label, placeholder, the store's name for it in errors)
FIELDS: dict[str, tuple[str, str, str]] = {
    "name": ("Name", "e.g. phone (letters, digits, . _ -)", "name"),
    "url": ("URL", "https://… CardDAV address book or server, or a vdir folder", "url"),
    "user": ("User", "optional: the user name on the server", "user"),
    "password_env": ("Password var", "optional: an environment variable holding it", "password_env"),
    "password_command": (
        "Password cmd",
        "optional: a command that prints it, e.g. pass show dav",
        "password_command",
    ),
}


class SyncSourceForm(TagtuiModal[SyncSource | None]):
    """Returns the address book added, or None when cancelled."""

    CSS_PATH = "sync.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="syncform.cancel"),
        Binding("ctrl+s", "save", "Save", id="syncform.save"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Label("Add an address book", id="form-title")
            for field, (label, placeholder, _) in FIELDS.items():
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="form-label")
                    yield Input(placeholder=placeholder, id=field, password=False)
            yield Label(
                "No password is stored: give a variable or a command, or leave both empty for ~/.netrc.",
                classes="form-note",
            )
            yield Label(id="form-error", classes="form-error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Add (ctrl+s)", variant="primary", id="save")

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
            source = store_of(self).add_sync_source(
                values["name"] or "",
                values["url"] or "",
                username=values["user"],
                password_env=values["password_env"],
                password_command=values["password_command"],
            )
        except TagtuiError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self.dismiss, source)

    def _failed(self, exc: TagtuiError) -> None:
        self.saving = False
        self.query_one("#form-error", Label).update(literal(exc.message))
        if exc.field in FIELDS:
            self.query_one(f"#{exc.field}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
