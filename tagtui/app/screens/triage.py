"""Triage: the contacts of a filter one at a time, in full, changed with one or two keystrokes each.

Every tag has a lower-case hint key and every pipeline stage an upper-case one
(``tagtui.app.hints``); typing a tag's hint toggles it, a stage's hint sets the stage
(typing it again clears it). Each change reaches the store at once, in key order.
Navigation stays off the letters: ``→``/``enter``/``tab`` next, ``←``/``shift+tab`` back,
``space`` skip, ``escape`` leave.

Keys act on the contact they would land on when typed in order: while the next contact
is being read, the keys typed meanwhile (``→ a → a`` in one burst) wait and are handled,
in order, once it shows. Reads of a contact queue behind the writes already sent, so
going back shows the changes just made.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, Label, Static

from tagtui.app.format import chip, literal, status_chip
from tagtui.app.hints import HintReader, stage_hints, tag_hints
from tagtui.app.screens.base import TagtuiScreen
from tagtui.app.widgets.footer import AppFooter
from tagtui.app.widgets.hint_list import HintItem, HintList
from tagtui.app.writes import WriteQueue
from tagtui.query import EVERYTHING, Filter
from tagtui.store import Contact, ContactRow, NotFound, Page, Status, Store, Tag, TagRef
from tagtui.store.sorting import BY_NAME, Sort
from tagtui.textsafe import visible

BATCH = 50


class Pane(VerticalScroll, can_focus=False):
    """A scrolling area that never takes the keyboard: every key belongs to triage."""


def all_tags(store: Store) -> list[Tag]:
    tags: list[Tag] = []
    while True:
        batch = store.list_tags(limit=1000, offset=len(tags))
        tags.extend(batch)
        if len(batch) < 1000:
            return tags


def hint_items(
    tags: list[Tag], statuses: list[Status], marks: dict[str, str]
) -> tuple[list[HintItem], list[HintItem]]:
    """Hint items for tags and stages; ``marks`` maps ``tag-<id>``/``status-<id>`` to a mark."""
    th, sh = tag_hints(tags), stage_hints(statuses)
    tag_items = [
        HintItem(th[t.id], t.name, t.color, t.emoji, marks.get(f"tag-{t.id}", "off"))
        for t in sorted(tags, key=lambda t: (t.name.lower(), t.id))
    ]
    stage_items = [
        HintItem(sh[s.id], s.name, s.color, None, marks.get(f"status-{s.id}", "off"), as_chip=False)
        for s in statuses
    ]
    return tag_items, stage_items


class TriageScreen(TagtuiScreen):
    """Walk the contacts that match a filter, from a starting contact on, in ``sort`` order (the
    contacts table's: its counter and its steps follow the order the table shows)."""

    TITLE = "Triage"
    CSS_PATH = "triage.tcss"
    BINDINGS = [
        Binding("right", "next", "Next", id="triage.next"),
        Binding("enter", "next", "Next", show=False, id="triage.next_enter"),
        Binding("tab", "next", "Next", show=False, id="triage.next_tab"),
        Binding("left", "back", "Back", id="triage.back"),
        Binding("shift+tab", "back", "Back", show=False, id="triage.back_tab"),
        Binding("space", "skip", "Skip", id="triage.skip"),
        Binding("minus", "clear_status", "Clear stage", id="triage.clear_status"),
        Binding("escape", "leave", "Leave", id="triage.leave"),
    ]

    def __init__(
        self,
        f: Filter = EVERYTHING,
        *,
        query: str = "",
        start: ContactRow | None = None,
        position: int = 1,
        total: int | None = None,
        sort: Sort = BY_NAME,
    ) -> None:
        super().__init__()
        self.filter = f
        self.sort = sort
        self.query_text = query
        self.start = start
        self.total = total
        self.tags: list[Tag] = []
        self.statuses: list[Status] = []
        self.tag_hint: dict[int, str] = {}
        self.stage_hint: dict[int, str] = {}
        self.reader = HintReader()
        #: Contacts shown so far (ids), and where we are among them.
        self.trail: list[int] = []
        self.index = -1
        self.first_position = position
        self.ahead: deque[ContactRow] = deque()
        #: The store's key of the last contact read ahead: the next page starts after it.
        self._after: tuple[Any, ...] | None = None
        self._exhausted = False
        self.contact: Contact | None = None
        self.reviewed: set[int] = set()
        self.skipped: set[int] = set()
        self.changed: set[int] = set()
        self.at_end = False
        self.writes = WriteQueue(self, self._write_failed, "triage-writes")
        #: True while the contact the keys act on is being read (keys typed meanwhile wait).
        self._waiting = True
        #: Keys typed while waiting: (key, character), handled in order once the contact shows.
        self._held: deque[tuple[str, str | None]] = deque()
        self._replaying = False
        self._failures = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="triage-top"):
            yield Label("", id="triage-counter")
            yield Label("", id="triage-query", markup=False)
            yield Label("", id="triage-progress")
        with Horizontal(id="triage-body"):
            with Pane(id="triage-card"):
                yield Static(id="triage-contact")
            with Vertical(id="triage-hints"):
                yield Label("Tags  ·  a–z toggles", classes="hints-title")
                with Pane(id="triage-tags-scroll"):
                    yield HintList(id="triage-tags")
                yield Label("Stage  ·  A–Z sets, again clears", classes="hints-title")
                yield HintList(id="triage-stages")
                yield Label("", id="triage-pending")
        yield AppFooter(compact=True)

    def on_mount(self) -> None:
        query = visible(self.query_text) if self.query_text else "every contact"
        self.query_one("#triage-query", Label).update(f"  {query}")
        self._begin(self.store)

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="triage-load", exit_on_error=False)
    def _begin(self, store: Store) -> None:
        tags = all_tags(store)
        statuses = store.list_statuses(counts=False)
        total = self.total if self.total is not None else store.count_contacts(self.filter)
        start = self.start
        first = _read_contact(store, start.id) if start is not None else None
        if start is not None and first is not None:
            # The starting contact, then those after it in the table's order.
            page = self._page(store, store.sort_key(start.id, self.sort))
            rows, after = (start, *page.rows), page.next_after or self._after
        else:
            if start is not None:
                self.first_position = 1  # the starting contact is gone: from the first one
            page = self._page(store, None)
            first = store.get_contact(page.rows[0].id) if page.rows else None
            rows, after = page.rows, page.next_after
        self.post_result(self._started, tags, statuses, total, rows, first, after, len(page.rows))

    def _page(self, store: Store, after: tuple[Any, ...] | None) -> Page:
        return store.list_contacts(self.filter, limit=BATCH, after=after, with_total=False, sort=self.sort)

    def _started(
        self,
        tags: list[Tag],
        statuses: list[Status],
        total: int,
        rows: tuple[ContactRow, ...],
        first: Contact | None,
        after: tuple[Any, ...] | None,
        fetched: int,
    ) -> None:
        self.tags, self.statuses, self.total = tags, statuses, total
        self.tag_hint, self.stage_hint = tag_hints(tags), stage_hints(statuses)
        self.reader.load(self.tag_hint, self.stage_hint)
        self._queue_rows(rows, after, fetched)
        if first is None:
            self._show_end()
            return
        self.ahead.popleft()
        self.trail.append(first.id)
        self.index = 0
        self._show(first)

    def _queue_rows(self, rows: tuple[ContactRow, ...], after: tuple[Any, ...] | None, fetched: int) -> None:
        """Read ahead ``rows``; ``after`` is the key of the last, ``fetched`` how many the page had."""
        self.ahead.extend(rows)
        if after is not None:
            self._after = after
        self._exhausted = fetched < BATCH

    def _load(self, contact_id: int) -> None:
        """Show the contact at ``self.index``: read behind the writes already queued."""
        self._waiting = True
        store: Store = self.store
        self.writes.submit(lambda: _read_contact(store, contact_id), lambda c: self._loaded(contact_id, c))

    def _loaded(self, contact_id: int, contact: Contact | None) -> None:
        if contact is not None:
            self._show(contact)
            return
        # Deleted meanwhile (another screen, another terminal): go on to the next one.
        self.notify("A contact of the triage no longer exists: skipped.", timeout=3)
        if 0 <= self.index < len(self.trail) and self.trail[self.index] == contact_id:
            del self.trail[self.index]
            self.index -= 1
        self._go_forward()

    @work(thread=True, exclusive=True, group="triage-load", exit_on_error=False)
    def _fetch_more(self, store: Store, after: tuple[Any, ...] | None) -> None:
        page = self._page(store, after)
        first = store.get_contact(page.rows[0].id) if page.rows else None
        self.post_result(self._more, page.rows, first, page.next_after)

    def _more(
        self, rows: tuple[ContactRow, ...], first: Contact | None, after: tuple[Any, ...] | None
    ) -> None:
        """The next page arrived (its first contact read), after the last contact of the trail."""
        self._queue_rows(rows, after, len(rows))
        if first is None:
            self._show_end()
            return
        self.ahead.popleft()
        self.trail.append(first.id)
        self.index = len(self.trail) - 1
        self._show(first)

    # -- showing --------------------------------------------------------------------------

    @property
    def position(self) -> int:
        return self.first_position + max(self.index, 0)

    def _show(self, contact: Contact) -> None:
        self._failures = 0
        self.at_end = False
        self.contact = contact
        self._render_contact()
        self._render_hints()
        self._render_counter()
        self.refresh_bindings()
        self._ready()

    def _render_counter(self) -> None:
        total = self.total or 0
        counter = f" done · {total:,} " if self.at_end else f" {self.position:,} / {total:,} "
        self.query_one("#triage-counter", Label).update(counter)
        self.query_one("#triage-progress", Label).update(
            f"reviewed {len(self.reviewed):,} · skipped {len(self.skipped):,} · changed {len(self.changed):,}"
        )

    def _render_contact(self) -> None:
        c = self.contact
        card = self.query_one("#triage-contact", Static)
        if c is None:
            card.update("")
            return
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True, min_width=9)
        grid.add_column()
        for label, value in (
            ("Email", c.email),
            ("Company", c.company),
            ("Phone", c.phone),
            ("Assignee", c.assignee),
        ):
            grid.add_row(label, literal(value) if value else Text("—", style="dim"))
        grid.add_row("Followers", Text(f"{c.followers:,}"))
        grid.add_row("Stage", status_chip(c.status, c.status_color))
        width = max(card.content_region.width - 13, 20)
        grid.add_row("Tags", flowed_chips(c.tags, width) if c.tags else Text("none", style="dim"))
        notes = Text(visible(c.notes, keep_newlines=True)) if c.notes else Text("—", style="dim")
        grid.add_row("Notes", notes)
        title = Text.assemble(literal(c.name, "bold"), "\n")
        card.update(Group(title, grid))

    def _marks(self) -> dict[str, str]:
        c = self.contact
        if c is None:
            return {}
        marks = {f"tag-{t.id}": "on" for t in c.tags}
        if c.status_id is not None:
            marks[f"status-{c.status_id}"] = "on"
        return marks

    def _render_hints(self) -> None:
        tag_items, stage_items = hint_items(self.tags, self.statuses, self._marks())
        pending = self.reader.pending
        self.query_one("#triage-tags", HintList).show(tag_items, pending)
        self.query_one("#triage-stages", HintList).show(stage_items, pending)
        self.query_one("#triage-pending", Label).update(
            f"typed {pending} — type the next letter, or escape" if pending else ""
        )

    def _show_end(self) -> None:
        self.at_end = True
        self.contact = None
        card = self.query_one("#triage-contact", Static)
        card.update(
            Text.assemble(
                ("That's everyone.\n\n", "bold"),
                f"{len(self.reviewed):,} reviewed, {len(self.skipped):,} skipped, "
                f"{len(self.changed):,} changed.\n\n",
                ("← goes back · escape returns to the contacts", "dim"),
            )
        )
        self._render_hints()
        self._render_counter()
        self.refresh_bindings()
        self._ready()

    # -- navigation -----------------------------------------------------------------------

    def action_next(self) -> None:
        self._advance(skip=False)

    def action_skip(self) -> None:
        self._advance(skip=True)

    def _advance(self, *, skip: bool) -> None:
        if self.at_end or self.contact is None:
            return
        cid = self.contact.id
        if skip:
            self.skipped.add(cid)
            self.reviewed.discard(cid)
        else:
            self.reviewed.add(cid)
            self.skipped.discard(cid)
        self.reader.pending = ""
        self._go_forward()

    def _go_forward(self) -> None:
        if self.index + 1 < len(self.trail):
            self.index += 1
            self._load(self.trail[self.index])
        elif self.ahead:
            row = self.ahead.popleft()
            self.trail.append(row.id)
            self.index += 1
            self._load(row.id)
        elif not self._exhausted:
            self._waiting = True
            self._fetch_more(self.store, self._after)
        else:
            self.index = len(self.trail)
            self._show_end()

    def action_back(self) -> None:
        if self.at_end and self.trail:
            self.index = len(self.trail) - 1
        elif self.index <= 0:
            self.notify("This is the first contact of the triage.", timeout=2)
            return
        else:
            self.index -= 1
        self.reader.pending = ""
        self._load(self.trail[self.index])

    def action_leave(self) -> None:
        if self.reader.pending:
            self.reader.pending = ""
            self._render_hints()
            return
        self._held.clear()
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next", "skip", "clear_status"):
            return not self.at_end and self.contact is not None
        return True

    # -- hint keys ------------------------------------------------------------------------

    def _is_hint(self, key: str, ch: str | None) -> bool:
        return self.reader.is_hint_char(ch) and key != "q"

    def _action_of(self, key: str) -> tuple[str, tuple[object, ...]] | None:
        """This screen's action for ``key`` (the keymap's key, when remapped), with its arguments."""
        bindings = self._bindings.key_to_bindings.get(key)
        if not bindings:
            return None
        _, name, params = parse_action(bindings[0].action)
        return name, params

    def on_key(self, event: events.Key) -> None:
        # Every key of this screen is handled here, in the order typed. (A binding's action
        # runs only once the key has bubbled up to the app, behind the keys typed after it:
        # ``→ a`` in one burst would tag the contact being left.)
        key, ch = event.key, event.character
        action = None if self._is_hint(key, ch) else self._action_of(key)
        if action is None and not self._is_hint(key, ch):
            return
        event.stop()
        event.prevent_default()
        if action is not None and action[0] == "leave":
            self.action_leave()  # never waits for the contact
        elif self._waiting or self._held:
            # The contact these keys act on is not shown yet: keep them, in order.
            self._held.append((key, ch))
        else:
            self._handle(key, ch)

    def _handle(self, key: str, ch: str | None) -> None:
        if ch is not None and self._is_hint(key, ch):
            self._hint(ch)
            return
        action = self._action_of(key)
        if action is not None and self.check_action(*action):
            name, params = action
            getattr(self, f"action_{name}")(*params)

    def _ready(self) -> None:
        """The contact (or the end) is shown: handle the keys typed while it was read."""
        self._waiting = False
        if self._replaying:
            return  # a held key showed it: the loop below goes on
        self._replaying = True
        try:
            while self._held and not self._waiting and self.is_attached:
                self._handle(*self._held.popleft())
        finally:
            self._replaying = False

    def _hint(self, ch: str) -> None:
        if self.contact is None:
            return
        found = self.reader.feed(ch)
        if found is None:
            self._render_hints()
            return
        kind, ident = found
        if kind == "tag":
            self.toggle_tag(ident)
        else:
            self.set_stage(ident)

    def toggle_tag(self, tag_id: int) -> None:
        c = self.contact
        tag = next((t for t in self.tags if t.id == tag_id), None)
        if c is None or tag is None:
            return
        has = any(t.id == tag_id for t in c.tags)
        store: Store = self.store
        cid = c.id
        if has:
            tags = tuple(t for t in c.tags if t.id != tag_id)
            self.writes.submit(lambda: store.change_tags(cid, remove=[tag_id]), self._tags_saved)
        else:
            ref = TagRef(tag.id, tag.name, tag.slug, tag.color, tag.emoji)
            tags = tuple(sorted((*c.tags, ref), key=lambda t: (t.name.lower(), t.id)))
            self.writes.submit(lambda: store.change_tags(cid, add=[tag_id]), self._tags_saved)
        self.changed.add(cid)
        self._show(replace(c, tags=tags))

    def set_stage(self, status_id: int | None) -> None:
        c = self.contact
        if c is None:
            return
        if status_id is not None and c.status_id == status_id:
            status_id = None  # the current stage's key again clears it
        status = next((s for s in self.statuses if s.id == status_id), None)
        store: Store = self.store
        cid = c.id
        self.writes.submit(lambda: store.set_status(cid, status_id))
        self.changed.add(cid)
        self._show(
            replace(
                c,
                status_id=status_id,
                status=status.name if status else None,
                status_color=status.color if status else None,
            )
        )

    def action_clear_status(self) -> None:
        if self.contact is not None and self.contact.status_id is not None:
            self.set_stage(None)

    def _tags_saved(self, change: object) -> None:
        # The store's answer is the truth (its order, its names): show it if still on that contact.
        tags = getattr(change, "tags", None)
        contact = self.contact
        if contact is None or tags is None or self.writes.busy:
            return
        if getattr(change, "contact_id", None) == contact.id:
            self.contact = replace(contact, tags=tags)
            self._render_contact()
            self._render_hints()

    def _write_failed(self, exc: Exception) -> None:
        # The queue dropped what followed (a read among them): read the contact the keys act on.
        self.tagtui_app.notify_error(exc)
        self._failures += 1
        if self._failures <= 2 and 0 <= self.index < len(self.trail):
            self._load(self.trail[self.index])
        else:
            # The store keeps failing: drop the waiting keys, let the user move or leave.
            self._held.clear()
            self._waiting = False

    @on(events.ScreenSuspend)
    def _suspended(self) -> None:
        self.reader.pending = ""


def _read_contact(store: Store, contact_id: int) -> Contact | None:
    try:
        return store.get_contact(contact_id)
    except NotFound:
        return None


def flowed_chips(tags: tuple[TagRef, ...], width: int) -> Text:
    """Chips on as many lines as they need, never breaking one across two lines."""
    out = Text(no_wrap=True, end="")
    line = 0
    for tag in tags:
        piece = chip(tag.name, tag.color, tag.emoji)
        if line and line + 1 + piece.cell_len > width:
            out.append("\n")
            line = 0
        elif line:
            out.append(" ")
            line += 1
        out.append_text(piece)
        line += piece.cell_len
    return out
