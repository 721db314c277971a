"""The contact detail screen: every field, the tags (toggled on and off), the status, the history.

Tag toggles and status changes show at once and are queued to the store in key order;
when the queue is empty the contact and its history are read back.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Label, Static

from tagtui.app.format import format_when, literal, status_chip, tag_chips
from tagtui.app.screens.base import TagtuiScreen
from tagtui.app.screens.support import data_changed, plural, show_error
from tagtui.app.widgets.footer import AppFooter
from tagtui.app.widgets.list_table import ListTable
from tagtui.app.writes import WriteQueue
from tagtui.store import Contact, Event, NotFound, Status, Tag
from tagtui.textsafe import visible

#: Tags listed for toggling (a workspace with more lists the first ones by name).
MAX_TAGS = 1000
HISTORY = 100
CHECK = "✓"


# -- history, in words -------------------------------------------------------------------


def _redraw(table: DataTable[Any]) -> None:
    table.notify_style_update()  # clears the table's render caches (public: a style change does it)
    table.refresh()


def _value(value: Any, *, cut: int | None = 40) -> Text:
    """A value as text: ``—`` when empty, cut to ``cut`` cells (history lines; fields fold)."""
    if value is None or value == "":
        return Text("—", style="dim", end="")
    text = literal(str(value))
    if cut is not None:
        text.truncate(cut, overflow="ellipsis")
    return text


def describe_event(event: Event, tags: dict[int, str], statuses: dict[int, str]) -> Text:
    """One event of a contact's history as a line a person reads: ``tags: +VIP −Cold Lead``.

    A change that reached the contact as part of a bulk step names that step; an undone
    one says so.
    """
    line = _describe(event, tags, statuses)
    if event.payload.get("bulk") and event.step_summary:
        line.append("  · ", style="dim")
        line.append_text(literal(event.step_summary, "dim italic"))
    if event.undone or event.dropped:
        line.append(f"  ({event.step_state})", style="dim italic")
    return line


def _describe(event: Event, tags: dict[int, str], statuses: dict[int, str]) -> Text:
    payload = event.payload

    def tag_name(tag_id: Any) -> Text:
        name = tags.get(tag_id) if isinstance(tag_id, int) else None
        return literal(name) if name is not None else Text(f"tag #{tag_id} (deleted)", style="dim italic")

    def status_name(status_id: Any) -> Text:
        if status_id is None:
            return Text("no status", style="dim italic")
        name = statuses.get(status_id)
        return (
            literal(name) if name is not None else Text(f"status #{status_id} (deleted)", style="dim italic")
        )

    if event.kind == "contact.tags_changed":
        out = Text("tags:", style="bold", end="")
        created = set(payload.get("created") or ())
        for tag_id in payload.get("added") or ():
            out.append(" +", style="green bold")
            out.append_text(tag_name(tag_id))
            if tag_id in created:
                out.append(" (new)", style="dim")
        for tag_id in payload.get("removed") or ():
            out.append(" −", style="red bold")
            out.append_text(tag_name(tag_id))
        return out
    if event.kind == "contact.status_changed":
        return Text.assemble(
            ("status: ", "bold"), status_name(payload.get("before")), " → ", status_name(payload.get("after"))
        )
    if event.kind == "contact.updated":
        before, after = payload.get("before") or {}, payload.get("after") or {}
        out = Text(end="")
        for i, field in enumerate(after):
            if i:
                out.append(" · ", style="dim")
            out.append(f"{field}: ", style="bold")
            out.append_text(_value(before.get(field)))
            out.append(" → ")
            out.append_text(_value(after.get(field)))
        return out if after else Text("updated", style="bold")
    if event.kind == "contact.created":
        return Text.assemble(("created", "bold"), " as ", literal(str(payload.get("name", ""))))
    details = ", ".join(f"{k}={v}" for k, v in payload.items())
    return Text.assemble((event.kind, "bold"), " ", literal(details, "dim"))


# -- the screen --------------------------------------------------------------------------


class ContactDetailScreen(TagtuiScreen):
    """One contact: ``e`` edit, ``space`` toggle the highlighted tag, ``s`` / ``[`` / ``]`` status."""

    TITLE = "Contact"
    CSS_PATH = "detail.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", id="detail.back"),
        Binding("e", "edit", "Edit", id="detail.edit"),
        Binding("space", "toggle_tag", "Toggle tag", id="detail.toggle_tag"),
        Binding("s", "choose_status", "Status", id="detail.status"),
        Binding("left_square_bracket", "step_status(-1)", "Prev status", id="detail.status_previous"),
        Binding("right_square_bracket", "step_status(1)", "Next status", id="detail.status_next"),
        Binding("t", "focus_tags", "Tags", id="detail.focus_tags"),
        Binding("y", "focus_history", "History", id="detail.focus_history"),
        Binding(
            "H",
            "open_history",
            "All history",
            show=False,
            id="detail.open_history",
            tooltip="This contact's full history",
        ),
        Binding("r", "refresh", "Refresh", id="detail.refresh"),
    ]

    def __init__(self, contact_id: int) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.contact: Contact | None = None
        self.statuses: list[Status] = []
        self.all_tags: list[Tag] = []
        self.tag_total = 0
        #: The contact's tag ids as shown (ahead of the store while toggles are queued).
        self.tag_ids: set[int] = set()
        self.status_id: int | None = None
        self.missing = False
        self._shown_once = False
        self._writes = WriteQueue(
            self, lambda exc: show_error(self, exc), "detail-writes", idle=self._writes_done
        )

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="detail-body"):
            with Vertical(id="detail-main"):
                with VerticalScroll(id="detail-fields-box"):
                    yield Static(Text("Loading…", style="dim"), id="detail-fields")
                yield Label(Text("History", style="bold"), id="detail-history-title", classes="section-title")
                history: DataTable[Text | str] = ListTable(
                    id="detail-history", cursor_type="row", show_header=False, zebra_stripes=True
                )
                yield history
            with Vertical(id="detail-side"):
                yield Label(Text("Tags", style="bold"), id="detail-tags-title", classes="section-title")
                tags: DataTable[Text | str] = ListTable(
                    id="detail-tags", cursor_type="row", show_header=False
                )
                yield tags
                yield Label("", id="detail-tags-note")
        yield AppFooter()

    def on_mount(self) -> None:
        history = self.query_one("#detail-history", DataTable)
        history.add_column("When", key="when", width=12)
        history.add_column("Change", key="change")
        tags = self.query_one("#detail-tags", DataTable)
        tags.add_column(CHECK, key="check", width=1)
        tags.add_column("Tag", key="tag")
        tags.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- loading -------------------------------------------------------------------

    def reload(self, polled: bool = False) -> None:
        if not self._writes.busy:
            self._fetch(self._writes.version)

    @work(thread=True, exclusive=True, group="detail-load", exit_on_error=False)
    def _fetch(self, version: int) -> None:
        store = self.store
        try:
            contact = store.get_contact(self.contact_id)
        except NotFound:
            self.post_result(self._gone)
            return
        statuses = store.list_statuses(counts=False)
        tags = store.list_tags(limit=MAX_TAGS)
        total = store.count_tags() if len(tags) == MAX_TAGS else len(tags)
        events = store.history(contact=self.contact_id, limit=HISTORY)
        self.post_result(self._apply, contact, statuses, tags, total, events, version)

    def _gone(self) -> None:
        self.missing = True
        self.contact = None
        self.query_one("#detail-fields", Static).update(
            Text("This contact no longer exists. Press escape to go back.", style="bold")
        )
        self.query_one("#detail-tags", DataTable).clear()
        self.query_one("#detail-history", DataTable).clear()
        self.refresh_bindings()

    def _apply(
        self,
        contact: Contact,
        statuses: list[Status],
        tags: list[Tag],
        total: int,
        events: list[Event],
        version: int,
    ) -> None:
        if not self._writes.current(version):
            # Read before a toggle shown here: it would turn the tag back under the next key.
            return  # the writes' drain reads again
        self.contact = contact
        self.statuses = statuses
        self.tag_total = total
        known = {t.id for t in tags}
        # The contact's own tags are listed even past the first MAX_TAGS.
        extra = [t for t in contact.tags if t.id not in known]
        self.all_tags = list(tags) + [
            Tag(t.id, t.name, t.slug, t.color, t.emoji, None, "", "", 0) for t in extra
        ]
        self.tag_ids = {t.id for t in contact.tags}
        self.status_id = contact.status_id
        self._show_fields()
        self._show_tags()
        self._show_history(events)
        if self.missing or self._shown_once is False:
            self._shown_once = True
            self.missing = False
            self.refresh_bindings()

    def _status_name(self, status_id: int | None) -> tuple[str | None, str | None]:
        for status in self.statuses:
            if status.id == status_id:
                return status.name, status.color
        return None, None

    def _show_fields(self) -> None:
        contact = self.contact
        if contact is None:
            return
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True, min_width=10)
        grid.add_column(overflow="fold")

        def add(label: str, value: Any) -> None:
            grid.add_row(label, value if isinstance(value, Text) else _value(value, cut=None))

        add("Email", contact.email)
        add("Company", contact.company)
        add("Phone", contact.phone)
        add("Assignee", contact.assignee)
        add("Followers", f"{contact.followers:,}")
        name, color = self._status_name(self.status_id)
        add("Status", status_chip(name, color))
        shown_tags = [t for t in self.all_tags if t.id in self.tag_ids]
        add("Tags", tag_chips(shown_tags) if shown_tags else Text("—", style="dim"))
        # Notes keep their lines; each line is still shown literally.
        notes = (
            Text("\n", end="").join(literal(line) for line in contact.notes.splitlines())
            if contact.notes
            else Text("—", style="dim")
        )
        add("Notes", notes)
        add("Created", format_when(contact.created_at) if contact.created_at else None)
        add("Updated", format_when(contact.updated_at) if contact.updated_at else None)
        title = Text.assemble(literal(contact.name, "bold"), (f"   #{contact.id} · rev {contact.rev}", "dim"))
        self.query_one("#detail-fields", Static).update(Group(title, Text(""), grid))

    def _show_tags(self) -> None:
        table = self.query_one("#detail-tags", DataTable)
        row = table.cursor_row
        table.clear()
        for tag in self.all_tags:
            table.add_row(*self._tag_cells(tag), key=str(tag.id))
        if table.row_count:
            table.move_cursor(row=max(0, min(row, table.row_count - 1)), animate=False)
        self._show_tag_note()
        # The first fill can be drawn before the tag column is measured, its names cut to a
        # letter and kept so by the table's cell cache: drop the cache once it is measured.
        self.call_after_refresh(_redraw, table)

    def _tag_cells(self, tag: Tag) -> list[Text]:
        on_ = tag.id in self.tag_ids
        check = Text(CHECK if on_ else " ", style="bold green")
        if on_:
            return [check, tag_chips([tag])]
        label = Text.assemble(("● ", tag.color), literal(tag.name))
        if tag.emoji:
            label.append_text(Text.assemble(" ", literal(tag.emoji)))
        return [check, label]

    def _show_tag_note(self) -> None:
        have = len(self.tag_ids)
        if not self.all_tags:
            note = "No tags yet: create them on the Tags screen (2)."
            self.query_one("#detail-tags-note", Label).update(note)
            return
        note = f"{plural(have, 'tag')} of {self.tag_total:,}"  # the footer says space toggles
        if self.tag_total > len(self.all_tags):
            note += f" · first {len(self.all_tags):,} listed"
        self.query_one("#detail-tags-note", Label).update(note)

    def _show_history(self, events: list[Event]) -> None:
        tags = {t.id: t.name for t in self.all_tags}
        statuses = {s.id: s.name for s in self.statuses}
        table = self.query_one("#detail-history", DataTable)
        table.clear()
        for event in events:
            table.add_row(
                Text(format_when(event.at, short=True), style="dim"),
                describe_event(event, tags, statuses),
                key=str(event.id),
            )
        if not events:
            table.add_row(Text(""), Text("No history yet.", style="dim italic"))

    # -- tags ----------------------------------------------------------------------

    def action_toggle_tag(self) -> None:
        table = self.query_one("#detail-tags", DataTable)
        if self.contact is None or not table.row_count:
            return
        tag = self.all_tags[table.cursor_row]
        adding = tag.id not in self.tag_ids
        if adding:
            self.tag_ids.add(tag.id)
        else:
            self.tag_ids.discard(tag.id)
        for column, cell in zip(("check", "tag"), self._tag_cells(tag), strict=True):
            table.update_cell(str(tag.id), column, cell)
        self._show_tag_note()
        self._show_fields()
        store, contact_id, tag_id = self.store, self.contact_id, tag.id
        if adding:
            self._writes.submit(lambda: store.change_tags(contact_id, add=[tag_id]))
        else:
            self._writes.submit(lambda: store.change_tags(contact_id, remove=[tag_id]))

    @on(DataTable.RowSelected, "#detail-tags")
    def _tag_selected(self) -> None:
        self.action_toggle_tag()

    # -- status --------------------------------------------------------------------

    def _set_status(self, status_id: int | None) -> None:
        if self.contact is None or status_id == self.status_id:
            return
        self.status_id = status_id
        self._show_fields()
        store, contact_id = self.store, self.contact_id
        self._writes.submit(lambda: store.set_status(contact_id, status_id))

    def action_step_status(self, delta: int) -> None:
        """Step through the pipeline: no status, then each stage in order."""
        order: list[int | None] = [None, *(s.id for s in self.statuses)]
        index = order.index(self.status_id) if self.status_id in order else 0
        target = index + delta
        if 0 <= target < len(order):
            self._set_status(order[target])

    def action_choose_status(self) -> None:
        if self.contact is None:
            return
        from tagtui.app.screens.picker import StatusChoice, StatusPicker

        def chosen(choice: StatusChoice | None) -> None:
            if choice is not None:
                self._set_status(choice.status_id)

        title = f"Status of {visible(self.contact.name)}"
        self.app.push_screen(StatusPicker(title, self.statuses), chosen)

    # -- writes --------------------------------------------------------------------

    def _writes_done(self) -> None:
        data_changed(self, "contacts")
        self.reload()

    # -- other keys ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "toggle_tag", "choose_status", "step_status", "focus_tags"):
            return self.contact is not None
        return True

    def action_edit(self) -> None:
        if self.contact is None:
            return
        from tagtui.app.screens.contact_form import ContactForm

        def saved(contact: Contact | None) -> None:
            if contact is not None:
                self.notify(f"Saved '{visible(contact.name)}'.", markup=False)
                data_changed(self, "contacts")
                self.reload()

        self.app.push_screen(ContactForm(self.contact_id), saved)

    def action_focus_tags(self) -> None:
        self.query_one("#detail-tags", DataTable).focus()

    def action_focus_history(self) -> None:
        self.query_one("#detail-history", DataTable).focus()

    def action_open_history(self) -> None:
        from tagtui.app.screens.history import HistoryScreen

        name = self.contact.name if self.contact is not None else f"#{self.contact_id}"
        self.app.push_screen(HistoryScreen(contact=self.contact_id, about=name))

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
