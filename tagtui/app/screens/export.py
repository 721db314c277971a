"""Export the contacts of the current filter: format, file, and progress while it writes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from tagtui.app.screens.base import TagtuiModal
from tagtui.app.widgets.dialogs import ConfirmDialog
from tagtui.app.widgets.job_progress import JobProgress
from tagtui.io.formats import EXPORT_CHOICES, ExportChoice
from tagtui.query import Filter
from tagtui.store import FileError, Store
from tagtui.store.jobs import Cancelled, Progress
from tagtui.textsafe import visible


def default_folder() -> str:
    """The user's documents folder (platformdirs), else their home; never the current folder."""
    try:
        import platformdirs

        documents = platformdirs.user_documents_dir()
    except Exception:  # an odd platform or configuration: home will do
        documents = ""
    if documents and os.path.isdir(documents):
        return documents
    return os.path.expanduser("~")


def default_path(choice: ExportChoice) -> str:
    return str(Path(default_folder()) / choice.file_name)


class ExportDialog(TagtuiModal[str | None]):
    """Dismisses with the path written, or ``None`` when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "Export", id="export.run"),
    ]
    DEFAULT_CLASSES = "picker"

    def __init__(self, f: Filter, query: str, count: int | None) -> None:
        super().__init__()
        self.filter = f
        self.query_text = query
        self.count = count
        self.choice = EXPORT_CHOICES[0]
        self.running = False
        self._saved_signals: dict[int, Any] = {}

    def compose(self) -> ComposeResult:
        shown = visible(self.query_text) if self.query_text else "every contact"
        with Vertical(classes="dialog"):
            what = "the matching contacts" if self.count is None else f"{self.count:,} contact"
            what += "" if self.count in (None, 1) else "s"
            yield Label(f"Export {what}", classes="dialog-title")
            yield Label(f"Query: {shown}", classes="dialog-note", markup=False)
            yield Label("Format", classes="field-label")
            with RadioSet(id="format"):
                for i, choice in enumerate(EXPORT_CHOICES):
                    yield RadioButton(choice.label, value=i == 0, id=f"format-{choice.fmt}-{choice.style}")
            yield Label(self.choice.note, id="format-note", classes="dialog-note", markup=False)
            yield Label("File", classes="field-label")
            yield Input(value=default_path(self.choice), id="path")
            yield Label("", id="error", classes="field-error", markup=False)
            yield JobProgress(id="progress")
            with Horizontal(classes="dialog-buttons"):
                yield Label("ctrl+s export · esc cancel", classes="dialog-help")
                yield Button("Cancel", id="cancel")
                yield Button("Export", variant="primary", id="export")

    def on_mount(self) -> None:
        from tagtui.io.target import install_signal_cleanup

        # The export runs in a worker thread, which cannot set signal handlers: set them here.
        self._saved_signals = install_signal_cleanup()
        self.query_one("#path", Input).focus()

    def on_unmount(self) -> None:
        from tagtui.io.target import restore_signals

        restore_signals(self._saved_signals)

    @on(RadioSet.Changed, "#format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        old, new = self.choice, EXPORT_CHOICES[event.index]
        path_input = self.query_one("#path", Input)
        folder, name = os.path.split(path_input.value)
        stem, ext = os.path.splitext(name)
        if name == old.file_name:  # the name the dialog gave: the new choice's name
            path_input.value = os.path.join(folder, new.file_name)
        elif ext.lstrip(".").lower() == old.fmt:  # the user's name: the new format's suffix
            path_input.value = os.path.join(folder, f"{stem}.{new.fmt}")
        self.choice = new
        self.query_one("#format-note", Label).update(new.note)

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#export")
    def action_export(self) -> None:
        if self.running:
            return
        path = os.path.expanduser(self.query_one("#path", Input).value.strip())
        if path and path != "-" and not os.path.isabs(path):  # beside the default, not in the cwd
            path = os.path.join(default_folder(), path)
        error = self.query_one("#error", Label)
        error.update("")
        error.remove_class("-shown")
        if not path:
            self._failed(FileError("name the file to write"))
            return
        from tagtui.io import target as targets

        try:
            target = targets.resolve(path)
            if target.stdout:  # the terminal the app is drawn on
                raise FileError("name a file to write: standard output is this terminal", field="output")
        except FileError as exc:
            self._failed(exc)
            return
        if not target.exists:
            self._start(target)
            return

        def answered(replace: bool | None) -> None:
            if replace:
                self._start(target)

        question = f"{path} exists. Replace it with the exported contacts?"
        self.app.push_screen(ConfirmDialog(question, confirm_label="Replace"), answered)

    def _start(self, target: Any) -> None:
        self.running = True
        progress = self.query_one(JobProgress).start("Exporting", unit="contacts")
        self._export(self.store, target, self.choice, progress)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.running:
            self.query_one(JobProgress).cancel()  # the file is left as it was
        else:
            self.dismiss(None)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, store: Store, target: Any, choice: ExportChoice, progress: Progress) -> None:
        try:
            from tagtui.io import target as targets
            from tagtui.io.export import export_contacts

            store.check_query(self.filter)
            written = targets.write(
                target,
                choice.fmt,
                lambda out: export_contacts(
                    store, self.filter, choice.fmt, out, progress=progress, style=choice.style
                ),
            )
        except Cancelled:
            self.post_result(self._cancelled, target)
            return
        except Exception as exc:
            self.post_result(self._failed, exc)
            return
        self.post_result(self._done, target.path, written)

    def _cancelled(self, target: Any) -> None:
        self.running = False
        self.query_one(JobProgress).finish()
        kept = "the file is as it was" if target.exists else "no file was written"
        self._show_error(f"Export cancelled: {kept}.")

    def _done(self, path: str, written: Any) -> None:
        self.running = False
        self.query_one(JobProgress).finish()
        n = written if isinstance(written, int) else self.count
        what = "the contacts" if n is None else f"{n:,} contact{'s' if n != 1 else ''}"
        self.notify(f"Exported {what} to {visible(path)}", markup=False)
        self.dismiss(path)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.query_one(JobProgress).finish()
        message = "export is not available in this installation" if isinstance(exc, ImportError) else str(exc)
        self._show_error(f"✗ {message}")

    def _show_error(self, text: str) -> None:
        error = self.query_one("#error", Label)
        error.update(text)
        error.add_class("-shown")
