"""The Duplicates screen: groups of contacts that look like one person, best first, merged by keys.

The scan runs in a worker with its progress in the status line (``escape`` cancels it). The
highlighted group's contacts stand side by side, one column each, with the fields that differ
highlighted and the value the merge keeps marked ✓. ``[``/``]`` choose the value of the
highlighted field from the previous/next contact, ``o`` picks the (other) contact to keep, ``m``
shows what the merge would make (a rolled-back rehearsal) and ``y`` applies it, ``n`` marks
the group "not duplicates"; ``ctrl+z`` undoes a merge (the app's undo) and the scan runs again.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Label, Static

from tagtui.app.format import literal
from tagtui.app.screens.base import TagtuiScreen
from tagtui.app.screens.support import data_changed, plural, show_error
from tagtui.app.widgets.footer import AppFooter
from tagtui.app.widgets.list_table import ListTable
from tagtui.store import Contact
from tagtui.store.duplicates import DuplicateGroup, ScanCancelled
from tagtui.store.merge import MERGED_FIELDS, MergeResult

#: The rows of the side-by-side table: the fields a merge chooses, then what it joins.
FIELDS = (*MERGED_FIELDS, "status", "tags", "notes")
#: How often (seconds) the scan's progress reaches the screen.
PROGRESS_EVERY = 0.2


def _value(contact: Contact, field: str) -> str:
    if field == "tags":
        return ", ".join(t.name for t in contact.tags)
    if field == "notes":
        return " ".join((contact.notes or "").split())
    value = getattr(contact, field)
    if field == "followers":
        return f"{value:,}" if value else ""
    return "" if value is None else str(value)


class FieldTable(ListTable):
    """The compared fields (a short list): ``home``/``end`` go to the first and last field;
    the page keys and ``ctrl+home``/``ctrl+end`` fall through to the screen, which steps groups."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("page_up", "page_down", "scroll_top", "scroll_bottom"):
            return False
        return super().check_action(action, parameters)


class DuplicatesScreen(TagtuiScreen):
    """Duplicate groups; compare, choose, merge, or mark them not duplicates."""

    TITLE = "Duplicates"
    CSS_PATH = "duplicates.tcss"

    BINDINGS = [
        Binding(
            "escape", "back", "Back", id="duplicates.back", tooltip="Cancel the scan or the merge, or leave"
        ),
        Binding(
            "m", "merge", "Merge", id="duplicates.merge", tooltip="Show what the merge makes; y applies it"
        ),
        Binding("y", "apply", "Apply", show=False, id="duplicates.apply", tooltip="Apply the merge shown"),
        Binding(
            "n",
            "not_duplicates",
            "Not dupes",
            id="duplicates.ignore",
            tooltip="Never suggest this group again",
        ),
        Binding("o", "keep", "Keep", id="duplicates.keep", tooltip="Keep the other (next) contact"),
        Binding(
            "left_square_bracket",
            "choose(-1)",
            "◀ value",
            id="duplicates.choose_previous",
            tooltip="Keep the previous contact's value of this field",
        ),
        Binding(
            "right_square_bracket",
            "choose(1)",
            "value ▶",
            id="duplicates.choose_next",
            tooltip="Keep the next contact's value of this field",
        ),
        Binding("pagedown", "group(1)", "Next group", show=False, id="duplicates.next"),
        Binding("pageup", "group(-1)", "Previous group", show=False, id="duplicates.previous"),
        Binding("ctrl+home", "group_at(0)", "First group", show=False, id="duplicates.first"),
        Binding("ctrl+end", "group_at(-1)", "Last group", show=False, id="duplicates.last"),
        Binding("r", "rescan", "Rescan", show=False, id="duplicates.rescan"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[DuplicateGroup] = []
        self.index = 0
        #: The highlighted group's contacts, in full, in the group's order.
        self.contacts: list[Contact] = []
        self.keep_id: int | None = None
        #: field -> the contact whose value the merge keeps (a user's choice)
        self.choose: dict[str, int] = {}
        self.staged: MergeResult | None = None
        self.scanning = False
        self._cancel = threading.Event()
        self._region: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="dup-status")
        groups: DataTable[Text | str] = ListTable(id="dup-groups", cursor_type="row", zebra_stripes=True)
        yield groups
        yield FieldTable(id="dup-compare", cursor_type="row")
        yield Static("", id="dup-preview")
        yield AppFooter()

    def on_mount(self) -> None:
        self._group_columns(self.query_one("#dup-groups", DataTable), [])
        self.query_one("#dup-compare", DataTable).focus()
        self.rescan()

    # -- scanning --------------------------------------------------------------------

    def rescan(self) -> None:
        """Scan again; a scan still running (an undo started this one) stops at its next batch,
        and nothing it posts is shown (``post_latest``): it read the contacts before the change."""
        self._cancel.set()
        self._cancel = threading.Event()
        self.scanning = True
        self.refresh_bindings()
        self._status("Looking for duplicates…")
        self._scan(self._cancel, self.start_read("scan"))

    def reload(self, polled: bool = False) -> None:
        """After an undo the groups are scanned again (another process's change: on ``r``)."""
        if not polled:
            self.rescan()

    @work(thread=True, exclusive=True, group="duplicates-scan", exit_on_error=False)
    def _scan(self, cancel: threading.Event, read: int) -> None:
        store = self.store
        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                self.post_latest("scan", read, self._progress, stage, done, total)

        try:
            self._region = store.settings().phone_region
            groups = store.find_duplicates(progress=progress, cancelled=cancel.is_set)
        except ScanCancelled:
            self.post_latest("scan", read, self._cancelled)
            return
        self.post_latest("scan", read, self._scanned, groups)

    def on_unmount(self) -> None:
        self._cancel.set()  # left while scanning: the worker stops at its next batch

    def _progress(self, stage: str, done: int, total: int) -> None:
        if not self.scanning or not self.is_mounted:
            return
        if stage == "reading":
            shown = f"{done:,} of {total:,} contacts" if total else f"{done:,} contacts"
            self._status(f"Reading {shown}… (escape cancels)")
        else:
            self._status(f"Comparing {plural(done, 'block')} of look-alike contacts… (escape cancels)")

    def _cancelled(self) -> None:
        self.scanning = False
        if not self.is_mounted:
            return
        self.refresh_bindings()
        self._status("Scan cancelled. Press r to scan again.")

    def _scanned(self, groups: list[DuplicateGroup]) -> None:
        self.scanning = False
        if not self.is_mounted:
            return
        self.refresh_bindings()
        self.groups = list(groups)
        self.index = min(self.index, max(0, len(self.groups) - 1))
        self._fill_groups()

    def _fill_groups(self) -> None:
        table = self.query_one("#dup-groups", DataTable)
        reasons = [", ".join(group.reasons) for group in self.groups]
        self._group_columns(table, reasons)
        for n, (group, why) in enumerate(zip(self.groups, reasons, strict=True), 1):
            names = " · ".join(c.name for c in group.contacts)
            table.add_row(str(n), f"{group.score:.2f}", literal(names), why, key=str(n))
        if not self.groups:
            self._status("No duplicates found. Press r to scan again.")
            self.contacts = []
            self._fill_compare()
            return
        table.move_cursor(row=self.index)
        self._open_group()

    @staticmethod
    def _group_columns(table: DataTable[Any], reasons: list[str]) -> None:
        """The groups table's columns, the Why column as wide as its longest reason: left to
        size itself, it kept its header's width or not depending on when the rows arrived."""
        table.clear(columns=True)
        table.add_column("#", key="n", width=3)
        table.add_column("Score", key="score", width=5)
        table.add_column("Contacts", key="names", width=48)
        table.add_column("Why", key="why", width=max([3, *(cell_len(why) for why in reasons)]))

    def _status(self, text: str) -> None:
        self.query_one("#dup-status", Label).update(Text(text))

    # -- the highlighted group -----------------------------------------------------------

    @on(DataTable.RowHighlighted, "#dup-groups")
    def _group_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row != self.index and 0 <= event.cursor_row < len(self.groups):
            self.index = event.cursor_row
            self._open_group()

    def action_group(self, step: int) -> None:
        if self.groups:
            self.index = (self.index + step) % len(self.groups)
            self.query_one("#dup-groups", DataTable).move_cursor(row=self.index)
            self._open_group()

    def action_group_at(self, index: int) -> None:
        if self.groups:
            self.action_group(index % len(self.groups) - self.index)

    def _open_group(self) -> None:
        group = self.groups[self.index]
        self.keep_id = group.contacts[0].id
        self.choose = {}
        self._unstage()
        self._status(
            f"Group {self.index + 1} of {len(self.groups)} · score {group.score:.2f} · "
            + ", ".join(group.reasons)
        )
        self._load_group(group.ids)

    @work(thread=True, exclusive=True, group="duplicates-group", exit_on_error=False)
    def _load_group(self, ids: tuple[int, ...]) -> None:
        store = self.store
        contacts = []
        for i in ids:
            try:
                contacts.append(store.get_contact(i))
            except Exception:  # merged or deleted since the scan
                continue
        self.post_result(self._group_loaded, ids, contacts)

    def _group_loaded(self, ids: tuple[int, ...], contacts: list[Contact]) -> None:
        if not self.is_mounted or not self.groups or self.groups[self.index].ids != ids:
            return  # another group was highlighted meanwhile
        self.contacts = contacts
        if self.keep_id not in {c.id for c in contacts} and contacts:
            self.keep_id = contacts[0].id
        self._fill_compare()

    def _ordered(self) -> list[Contact]:
        """The group's contacts, the kept one first (the merge's order)."""
        keep = [c for c in self.contacts if c.id == self.keep_id]
        return keep + [c for c in self.contacts if c.id != self.keep_id]

    def _kept_values(self) -> dict[str, Any]:
        from tagtui.store.merge import plan_fields

        ordered = self._ordered()
        if not ordered:
            return {}
        values, _ = plan_fields(ordered, self.choose, self._region)
        return values

    def _fill_compare(self) -> None:
        table = self.query_one("#dup-compare", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        if not self.contacts:
            return
        table.add_column("Field", key="field", width=10)
        for c in self.contacts:
            title = f"{'KEEP ' if c.id == self.keep_id else ''}#{c.id}"
            table.add_column(
                Text(title, style="bold" if c.id == self.keep_id else ""), key=str(c.id), width=30
            )
        kept = self._kept_values()
        for field in FIELDS:
            values = [_value(c, field) for c in self.contacts]
            differs = len({v.casefold() for v in values if v}) > 1
            cells: list[Text | str] = [Text(field, style="bold yellow" if differs else "")]
            chosen_id = self._chosen_id(field, kept)
            for c, value in zip(self.contacts, values, strict=True):
                chosen = differs and c.id == chosen_id
                style = "reverse" if chosen else ("bold" if differs else "dim" if not value else "")
                cells.append(literal(("✓ " if chosen else "") + value, style))
            table.add_row(*cells, key=field)
        table.move_cursor(row=max(0, min(row, len(FIELDS) - 1)))

    def _chosen_id(self, field: str, kept: dict[str, Any]) -> int | None:
        """The contact whose value of ``field`` the merge keeps (None: a field it joins)."""
        if field in self.choose:
            return self.choose[field]
        if field not in kept:
            return None
        wanted = _value_of(kept[field], field)
        return next((c.id for c in self._ordered() if wanted and _value(c, field) == wanted), None)

    # -- choosing ------------------------------------------------------------------------

    def action_keep(self) -> None:
        if len(self.contacts) < 2:
            return
        ids = [c.id for c in self.contacts]
        self.keep_id = ids[(ids.index(self.keep_id) + 1) % len(ids)] if self.keep_id in ids else ids[0]
        self._unstage()
        self._fill_compare()

    def action_choose(self, step: int) -> None:
        table = self.query_one("#dup-compare", DataTable)
        if len(self.contacts) < 2 or not 0 <= table.cursor_row < len(MERGED_FIELDS):
            return
        field = FIELDS[table.cursor_row]
        with_value = [c for c in self.contacts if _value(c, field)]
        if not with_value:
            return
        chosen_id = self._chosen_id(field, self._kept_values())
        ids = [c.id for c in with_value]
        current = ids.index(chosen_id) if chosen_id in ids else 0
        self.choose[field] = with_value[(current + step) % len(with_value)].id
        self._unstage()
        self._fill_compare()

    # -- merging ---------------------------------------------------------------------

    def action_merge(self) -> None:
        if len(self.contacts) < 2 or self.keep_id is None:
            return
        ordered = self._ordered()
        self._preview(ordered[0].id, [c.id for c in ordered[1:]], dict(self.choose))

    @work(thread=True, exclusive=True, group="duplicates-write", exit_on_error=False)
    def _preview(self, keep: int, others: list[int], choose: dict[str, int]) -> None:
        try:
            result = self.store.preview_merge(keep, others, choose=choose)
        except Exception as exc:
            self.post_result(show_error, self, exc)
            return
        self.post_result(self._staged, result)

    def _staged(self, result: MergeResult) -> None:
        self.staged = result
        c = result.contact
        lines = Text()
        lines.append("The merge would make: ", style="bold")
        lines.append(f"#{c.id} ")
        lines.append(c.name, style="bold")
        for label, value in (
            ("email", c.email),
            ("phone", c.phone),
            ("company", c.company),
            ("assignee", c.assignee),
            ("status", c.status),
            ("tags", ", ".join(t.name for t in c.tags)),
        ):
            if value:
                lines.append(f" · {label}: {value}")
        lines.append(
            f"\n{plural(len(result.merged), 'contact')} deleted: {', '.join(map(str, result.merged))}"
        )
        for line in result.kept_in_notes:
            lines.append(f"\nkept in notes: {line}", style="italic")
        lines.append("\nPress y to merge, escape to cancel. (ctrl+z undoes a merge.)", style="bold yellow")
        preview = self.query_one("#dup-preview", Static)
        preview.update(lines)
        preview.display = True
        self.refresh_bindings()

    def _unstage(self) -> None:
        self.staged = None
        preview = self.query_one("#dup-preview", Static)
        preview.update("")
        preview.display = False
        self.refresh_bindings()

    def action_apply(self) -> None:
        staged = self.staged
        if staged is None:
            return
        self._unstage()
        ordered = self._ordered()
        self._merge(ordered[0].id, [c.id for c in ordered[1:]], dict(self.choose))

    @work(thread=True, exclusive=True, group="duplicates-write", exit_on_error=False)
    def _merge(self, keep: int, others: list[int], choose: dict[str, int]) -> None:
        try:
            result = self.store.merge_contacts(keep, others, choose=choose)
        except Exception as exc:
            self.post_result(show_error, self, exc)
            return
        self.post_result(self._merged, result)

    def _merged(self, result: MergeResult) -> None:
        self.app.notify(
            f"Merged {plural(len(result.merged), 'contact')} into {result.contact.name}", markup=False
        )
        data_changed(self, "contacts")
        gone = {result.contact.id, *result.merged}
        self._drop_groups(gone)

    def action_not_duplicates(self) -> None:
        if not self.groups or self.scanning:
            return
        self._ignore(self.groups[self.index].ids)

    @work(thread=True, exclusive=True, group="duplicates-write", exit_on_error=False)
    def _ignore(self, ids: tuple[int, ...]) -> None:
        try:
            self.store.ignore_duplicates(list(ids))
        except Exception as exc:
            self.post_result(show_error, self, exc)
            return
        self.post_result(self._ignored, ids)

    def _ignored(self, ids: tuple[int, ...]) -> None:
        self.app.notify(f"Marked {plural(len(ids), 'contact')} as not duplicates", markup=False)
        self._drop_groups(set(ids), exact=ids)

    def _drop_groups(self, ids: set[int], exact: tuple[int, ...] | None = None) -> None:
        if exact is not None:
            self.groups = [g for g in self.groups if g.ids != exact]
        else:
            self.groups = [g for g in self.groups if not ids & set(g.ids)]
        self.index = min(self.index, max(0, len(self.groups) - 1))
        self._fill_groups()

    # -- leaving ---------------------------------------------------------------------

    def action_back(self) -> None:
        if self.scanning:
            self._cancel.set()
            return
        if self.staged is not None:
            self._unstage()
            return
        self.dismiss()

    def action_rescan(self) -> None:
        if not self.scanning:
            self.rescan()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return self.staged is not None
        if action in ("merge", "not_duplicates", "keep", "choose", "group", "group_at"):
            return not self.scanning and bool(self.groups)
        return True


def _value_of(value: Any, field: str) -> str:
    if field == "followers":
        return f"{value:,}" if value else ""
    return "" if value is None else str(value)
