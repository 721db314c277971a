"""Create or edit a contact: a form whose errors come from the store, shown under the field they name."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, TextArea

from tagtui.app.screens.base import TagtuiModal
from tagtui.store import Conflict, Contact, NotFound, Store, TagtuiError

#: (field, label, placeholder) in the order shown.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("name", "Name", "required"),
    ("email", "Email", "name@example.com"),
    ("company", "Company", ""),
    ("phone", "Phone", ""),
    ("assignee", "Assignee", "who looks after this contact"),
    ("followers", "Followers", "0"),
)


class ContactForm(TagtuiModal[Contact | None]):
    """``ContactForm()`` creates a contact; ``ContactForm(contact_id)`` edits one, if unchanged since."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("ctrl+r", "reload", "Reload", id="form.reload", tooltip="Reload after a conflict"),
    ]
    DEFAULT_CLASSES = "picker"

    def __init__(self, contact_id: int | None = None) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.rev: int | None = None
        #: The save failed on a stale rev: ctrl+r reloads the contact.
        self.stale = False

    def compose(self) -> ComposeResult:
        title = "New contact" if self.contact_id is None else "Edit contact"
        with Vertical(classes="dialog form"):
            yield Label(title, classes="dialog-title")
            yield Label("", id="error-form", classes="field-error", markup=False)
            with VerticalScroll(id="fields"):
                for field, label, placeholder in FIELDS:
                    with Horizontal(classes="form-row"):
                        yield Label(label, classes="form-label")
                        with Vertical(classes="form-value"):
                            yield Input(placeholder=placeholder, id=f"field-{field}", compact=True)
                            yield Label("", id=f"error-{field}", classes="field-error", markup=False)
                with Horizontal(classes="form-row"):
                    yield Label("Notes", classes="form-label")
                    with Vertical(classes="form-value"):
                        yield TextArea(id="field-notes", soft_wrap=True, compact=True)
                        yield Label("", id="error-notes", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Label("ctrl+s save · esc cancel", classes="dialog-help")
                yield Button("Cancel", id="cancel")
                yield Button("Save", variant="primary", id="save")

    def on_mount(self) -> None:
        self.query_one("#field-name", Input).focus()
        if self.contact_id is not None:
            self._load(self.store, self.contact_id)

    @work(thread=True, group="form", exit_on_error=False)
    def _load(self, store: Store, contact_id: int, reloading: bool = False) -> None:
        try:
            contact = store.get_contact(contact_id)
        except NotFound:
            gone = NotFound("this contact was deleted meanwhile; cancel to go back")
            self.post_result(self._show_error, gone)
            return
        self.post_result(self._reloaded if reloading else self._fill, contact)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reload":
            return self.stale
        return True

    def action_reload(self) -> None:
        if self.contact_id is not None and self.stale:
            self._load(self.store, self.contact_id, True)

    def _reloaded(self, contact: Contact) -> None:
        self.stale = False
        self._clear_errors()
        self._fill(contact)
        label = self.query_one("#error-form", Label)
        label.update(f"Reloaded (rev {contact.rev}). Make your change again and save.")
        label.add_class("-shown")
        self.refresh_bindings()

    def _fill(self, contact: Contact) -> None:
        self.rev = contact.rev
        for field, _, _ in FIELDS:
            value = getattr(contact, field)
            self.query_one(f"#field-{field}", Input).value = "" if value is None else str(value)
        self.query_one("#field-notes", TextArea).text = contact.notes or ""

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {f: self.query_one(f"#field-{f}", Input).value for f, _, _ in FIELDS}
        out["notes"] = self.query_one("#field-notes", TextArea).text
        if not out["followers"].strip():
            out["followers"] = 0
        return out

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._clear_errors()
        self._save(self.store, self.values())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _save(self, store: Store, values: dict[str, Any]) -> None:
        try:
            if self.contact_id is None:
                name = values.pop("name")
                contact = store.add_contact(name, **values)
            else:
                contact = store.update_contact(self.contact_id, rev=self.rev, **values)
        except TagtuiError as exc:
            self.post_result(self._show_error, exc)
            return
        self.post_result(self._done, contact)

    def _done(self, contact: Contact) -> None:
        self.dismiss(contact)

    def _clear_errors(self) -> None:
        for label in self.query(".field-error").results(Label):
            label.update("")
            label.remove_class("-shown")
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")

    def _show_error(self, exc: TagtuiError) -> None:
        """Put the store's message under the field it names (or on top of the form)."""
        if isinstance(exc, Conflict) and exc.field == "rev":
            self.stale = True
            label = self.query_one("#error-form", Label)
            label.update(f"✗ {exc}. Press ctrl+r to reload the contact (your changes here are replaced).")
            label.add_class("-shown")
            self.refresh_bindings()
            return
        field = exc.field if exc.field in {f for f, _, _ in FIELDS} | {"notes"} else None
        label = self.query_one(f"#error-{field or 'form'}", Label)
        label.update(f"✗ {exc}")
        label.add_class("-shown")
        if field:
            widget = self.query_one(f"#field-{field}")
            widget.add_class("-invalid")
            widget.focus()
            label.scroll_visible()
