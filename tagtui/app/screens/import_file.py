"""Import a CSV or vCard file: the detected column mapping to confirm or change, then the report.

A path entered is read in a worker (header and sample values only); the mapping table shows
each column, the field it goes to and a sample value, and ``]`` / ``[`` change the field of
the column under the cursor. The import runs in a worker with progress; afterwards the dialog
shows the counts and every skipped row with its line and why.
"""

from __future__ import annotations

import os
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, Static

from tagtui.app.messages import DataChanged
from tagtui.app.screens.base import TagtuiModal
from tagtui.app.widgets.job_progress import JobProgress
from tagtui.app.widgets.list_table import ListTable
from tagtui.store import FileError, Store
from tagtui.store.jobs import Cancelled
from tagtui.textsafe import visible

#: The choices ``]`` cycles through: ignored, then every field.
IGNORED = "—"


def _choices() -> list[str | None]:
    from tagtui.io.csv_import import FIELDS

    return [None, *FIELDS]


class ImportScreen(TagtuiModal[Any]):
    """Dismisses with the import's report, or ``None`` when nothing was imported."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="import.cancel"),
        Binding("ctrl+s", "run_import", "Import", id="import.run", tooltip="Import with this mapping"),
        Binding(
            "right_square_bracket",
            "next_field",
            "Field ▸",
            id="import.next_field",
            tooltip="Next field for the column",
        ),
        Binding(
            "left_square_bracket",
            "previous_field",
            "◂ Field",
            id="import.previous_field",
            tooltip="Previous field",
        ),
        Binding("delete", "ignore_column", "Ignore", id="import.ignore", tooltip="Ignore the column"),
    ]
    DEFAULT_CLASSES = "picker"
    DEFAULT_CSS = """
    ImportScreen #file-row { height: auto; }
    ImportScreen #path { width: 1fr; }
    ImportScreen #encoding { width: 16; }
    ImportScreen #mapping { height: auto; max-height: 12; margin-top: 1; }
    ImportScreen #skipped-box { height: auto; max-height: 8; margin-top: 1; }
    ImportScreen #summary { margin-top: 1; width: 100%; }
    """

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.initial_path = path
        self.preview: Any = None
        self.mapping: Any = None
        self.running = False
        self.report: Any = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Import contacts", classes="dialog-title")
            yield Label(
                "A CSV file (tagtui's columns, or an export of Google Contacts, Outlook, HubSpot,"
                " Pipedrive …) or a vCard file. Contacts are matched by email; tags are only added.",
                classes="dialog-note",
            )
            yield Label("File (enter reads it) and its encoding (blank: UTF-8)", classes="field-label")
            with Horizontal(id="file-row"):
                yield Input(value=self.initial_path, placeholder="path/to/contacts.csv or .vcf", id="path")
                yield Input(placeholder="utf-8", id="encoding")
            yield Label("", id="error", classes="field-error", markup=False)
            table: DataTable[Any] = ListTable(id="mapping", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static("", id="summary", markup=False)
            yield JobProgress(id="progress")
            with VerticalScroll(id="skipped-box"):
                yield Static("", id="skipped", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Label(
                    "tab to the table · [ ] field · del ignore · ctrl+s import", classes="dialog-help"
                )
                yield Button("Close", id="cancel")
                yield Button("Import", variant="primary", id="import")

    def on_mount(self) -> None:
        table = self.query_one("#mapping", DataTable)
        table.add_columns("Column", "Field", "Sample value")
        table.display = False
        self.query_one("#skipped-box").display = False
        self.query_one("#path", Input).focus()
        if self.initial_path:
            self.action_read_file()

    # -- reading the file -----------------------------------------------------------------

    @on(Input.Submitted, "#path")
    @on(Input.Submitted, "#encoding")
    def action_read_file(self) -> None:
        path = self._path()
        self._error(None)
        if not path:
            self._error(FileError("name the file to import"))
            return
        self._preview(path, self._encoding())

    def _path(self) -> str:
        return os.path.expanduser(self.query_one("#path", Input).value.strip())

    def _encoding(self) -> str | None:
        return self.query_one("#encoding", Input).value.strip() or None

    @work(thread=True, exclusive=True, group="import-preview", exit_on_error=False)
    def _preview(self, path: str, encoding: str | None) -> None:
        try:
            from tagtui.io.csv_import import preview_file

            preview = preview_file(path, encoding=encoding)
        except Exception as exc:
            self.post_result(self._error, exc)
            return
        self.post_result(self._show_preview, preview)

    def _show_preview(self, preview: Any) -> None:
        self.preview = preview
        self.mapping = preview.mapping
        self.report = None
        self.query_one("#skipped-box").display = False
        table = self.query_one("#mapping", DataTable)
        table.display = self.mapping is not None
        if self.mapping is None:
            self._summary(
                "A vCard file: FN (or N), the preferred EMAIL and TEL, ORG, NOTE, CATEGORIES (as"
                " tags) and tagtui's own X-TAGTUI-STATUS, -FOLLOWERS and -ASSIGNEE are read."
                " ctrl+s imports it."
            )
            return
        self._fill_table()
        table.focus()

    def _fill_table(self, keep: int = 0) -> None:
        table = self.query_one("#mapping", DataTable)
        table.clear()
        samples = self.preview.samples
        for i, (column, field) in enumerate(zip(self.mapping.columns, self.mapping.fields, strict=True)):
            sample = samples[i] if i < len(samples) else ""
            table.add_row(
                Text(visible(column) or "(no name)"),
                Text(field or IGNORED, style="bold" if field else "dim"),
                Text(visible(sample.replace("\n", " ⏎ "))[:60]),
                key=str(i),
            )
        if self.mapping.columns:
            table.move_cursor(row=min(keep, len(self.mapping.columns) - 1))
        used = len(self.mapping.used)
        self._summary(
            f"{used} of {len(self.mapping.columns)} columns used; the rest are ignored."
            " Several columns on one field: the first with a value is taken (tags: all of them)."
        )

    # -- changing the mapping -------------------------------------------------------------

    def _change(self, step: int | None) -> None:
        if self.mapping is None or self.running:
            return
        table = self.query_one("#mapping", DataTable)
        row = table.cursor_row
        if not 0 <= row < len(self.mapping.columns):
            return
        choices = _choices()
        current = self.mapping.fields[row]
        new = None if step is None else choices[(choices.index(current) + step) % len(choices)]
        self.mapping = self.mapping.with_field(row, new)
        self._fill_table(keep=row)

    def action_next_field(self) -> None:
        self._change(1)

    def action_previous_field(self) -> None:
        self._change(-1)

    def action_ignore_column(self) -> None:
        self._change(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_field", "previous_field", "ignore_column"):
            return self.mapping is not None and isinstance(self.focused, DataTable)
        return True

    # -- importing ------------------------------------------------------------------------

    @on(Button.Pressed, "#import")
    def action_run_import(self) -> None:
        if self.running:
            return
        path = self._path()
        if self.preview is None or self.preview.path != path:
            self.action_read_file()  # read (or re-read) it first: the mapping must be seen
            return
        if self.mapping is not None:
            try:
                self.mapping.check(path)
            except Exception as exc:
                self._error(exc)
                return
        self.running = True
        self._error(None)
        self.query_one("#cancel", Button).label = "Cancel import"
        self._summary("")
        # The import tells the share of the file read (bytes) every ROWS_PER_PROGRESS rows.
        progress = self.query_one(JobProgress).start("Importing", rows_per_call=ROWS_PER_PROGRESS)
        self._import(self.store, path, self._encoding(), self.mapping, progress)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _import(self, store: Store, path: str, encoding: str | None, mapping: Any, progress: Any) -> None:
        try:
            from tagtui.io.csv_import import import_file

            report = import_file(store, path, encoding=encoding, mapping=mapping, progress=progress)
        except Cancelled:
            self.post_result(self._cancelled)
            return
        except Exception as exc:
            self.post_result(self._failed, exc)
            return
        self.post_result(self._done, report)

    def _stopped(self) -> None:
        self.running = False
        self.query_one(JobProgress).finish()
        self.query_one("#cancel", Button).label = "Close"

    def _cancelled(self) -> None:
        self._stopped()
        self._summary("Import cancelled: nothing was imported.")

    def _done(self, report: Any) -> None:
        self._stopped()
        self.report = report
        r = report.result
        text = (
            f"Imported {r.rows:,} row{'s' if r.rows != 1 else ''}: {r.created:,} created,"
            f" {r.updated:,} updated; {r.tags_created:,} new tag{'s' if r.tags_created != 1 else ''},"
            f" {r.statuses_created:,} new status{'es' if r.statuses_created != 1 else ''}"
        )
        if report.skipped_count:
            text += f" · {report.skipped_count:,} skipped"
        self._summary(text)
        box = self.query_one("#skipped-box")
        box.display = bool(report.skipped_count)
        if report.skipped_count:
            lines = [visible(str(s)) for s in report.skipped]
            if report.skipped_count > len(report.skipped):
                lines.append(f"… and {report.skipped_count - len(report.skipped):,} more")
            self.query_one("#skipped", Static).update(Text("\n".join(lines)))
        self.query_one("#import", Button).disabled = True
        self.query_one("#mapping", DataTable).display = False  # room for the report
        self.preview = None  # importing again needs the file read again
        self.app.post_message(DataChanged())
        self.notify(text, markup=False)

    def _failed(self, exc: BaseException) -> None:
        self._stopped()
        self._summary("Nothing was imported.")
        self._error(exc)

    # -- messages -------------------------------------------------------------------------

    def _summary(self, text: str) -> None:
        self.query_one("#summary", Static).update(Text(text))

    def _error(self, exc: BaseException | None) -> None:
        error = self.query_one("#error", Label)
        if exc is None:
            error.update("")
            error.remove_class("-shown")
            return
        message = "import is not available in this installation" if isinstance(exc, ImportError) else str(exc)
        error.update(Text(f"✗ {visible(message)}"))
        error.add_class("-shown")

    @on(Input.Changed, "#path")
    def _path_changed(self) -> None:
        self.query_one("#import", Button).disabled = False

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.running:
            self.query_one(JobProgress).cancel()
            return
        self.dismiss(self.report)


#: The import reports its progress once per this many rows (``tagtui.io.csv_import.Checked``).
ROWS_PER_PROGRESS = 500
