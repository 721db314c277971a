"""The triage hint keys over a selection of contacts: type a tag's hint to toggle it on all of them.

A tag that every selected contact has is removed from all of them; otherwise it is
added to all of them. A stage's hint sets that stage on all of them. Stays open for
more keys; ``escape`` or ``enter`` closes it. Changes go to the store at once, in order.

Every key is handled in the order typed (see ``TriageScreen.on_key``); keys typed before
the tags are read wait for them. A count of the marks begun before a change is dropped
and counted again once the changes are written.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from textual import events, work
from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label

from tagtui.app.hints import HintReader, stage_hints, tag_hints
from tagtui.app.screens.base import TagtuiModal
from tagtui.app.screens.triage import all_tags, hint_items
from tagtui.app.widgets.hint_list import HintList
from tagtui.app.writes import WriteQueue
from tagtui.query import Filter, Tags, all_of
from tagtui.store import Status, Store, Tag
from tagtui.store.base import Selection

#: Above this many ids, marks are not worked out one contact at a time.
MARK_LIMIT = 1000


class HintOverlay(TagtuiModal[bool]):
    """Dismisses with True if anything changed."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="hints.close"),
        Binding("enter", "close", "Done", show=False, id="hints.done"),
        Binding("minus", "clear_status", "Clear stage", id="hints.clear_status"),
    ]
    DEFAULT_CLASSES = "picker"

    def __init__(self, selection: Selection, size: int, describe: str) -> None:
        super().__init__()
        self.selection = selection
        self.size_hint = size
        self.describe = describe
        self.tags: list[Tag] = []
        self.statuses: list[Status] = []
        self.marks: dict[str, str] = {}
        self.reader = HintReader()
        self.changed = False
        self.writes = WriteQueue(self, self._failed, "hint-writes", idle=self._count_marks)
        #: Keys typed before the tags and stages were read: handled, in order, once they are.
        self._held: deque[tuple[str, str | None]] = deque()
        self._ready = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(f"Hint keys · {self.describe}", classes="dialog-title", markup=False)
            yield Label("Tags  ·  a–z toggles on every selected contact", classes="hints-title")
            with VerticalScroll(id="overlay-tags-scroll"):
                yield HintList(id="overlay-tags")
            yield Label("Stage  ·  A–Z sets it on every selected contact, - clears", classes="hints-title")
            yield HintList(id="overlay-stages")
            yield Label("", id="overlay-status")
            yield Label("✓ all have it  ◐ some have it  · escape closes", classes="dialog-help")

    def on_mount(self) -> None:
        self._load(self.store)

    @work(thread=True, exclusive=True, group="hint-load", exit_on_error=False)
    def _load(self, store: Store) -> None:
        tags = all_tags(store)
        statuses = store.list_statuses(counts=False)
        self.post_result(self._loaded, tags, statuses)

    def _loaded(self, tags: list[Tag], statuses: list[Status]) -> None:
        first = not self._ready
        self.tags, self.statuses = tags, statuses
        self.reader.load(tag_hints(tags), stage_hints(statuses))
        if first:
            self.marks = {f"tag-{t.id}": "unknown" for t in tags}
        self._redraw()
        self._count_marks()
        self._ready = True
        while self._held and self.is_attached:
            self._handle(*self._held.popleft())

    def _count_marks(self) -> None:
        if self.tags and not self.writes.busy:
            self._fetch_marks(self.store, self.writes.version)

    @work(thread=True, exclusive=True, group="hint-marks", exit_on_error=False)
    def _fetch_marks(self, store: Store, version: int) -> None:
        marks = _marks(store, self.selection, self.tags, self.statuses)
        self.post_result(self._set_marks, marks, version)

    def _set_marks(self, marks: dict[str, str], version: int) -> None:
        if not self.writes.current(version):
            return  # counted before a change shown here: counted again when it is written
        self.marks = marks
        self._redraw()

    def _redraw(self) -> None:
        tag_items, stage_items = hint_items(self.tags, self.statuses, self.marks)
        self.query_one("#overlay-tags", HintList).show(tag_items, self.reader.pending)
        self.query_one("#overlay-stages", HintList).show(stage_items, self.reader.pending)

    def _action_of(self, key: str) -> tuple[str, tuple[object, ...]] | None:
        bindings = self._bindings.key_to_bindings.get(key)
        if not bindings:
            return None
        _, name, params = parse_action(bindings[0].action)
        return name, params

    def on_key(self, event: events.Key) -> None:
        # Hints and this dialog's keys are handled here, in the order typed (a binding runs
        # only once its key has bubbled to the app, after the keys typed behind it).
        key, ch = event.key, event.character
        if not self.reader.is_hint_char(ch) and self._action_of(key) is None:
            return
        event.stop()
        event.prevent_default()
        if not self._ready and self._action_of(key) != ("close", ()):
            self._held.append((key, ch))
            return
        self._handle(key, ch)

    def _handle(self, key: str, ch: str | None) -> None:
        if ch is None or not self.reader.is_hint_char(ch):
            action = self._action_of(key)
            if action is not None:
                getattr(self, f"action_{action[0]}")(*action[1])
            return
        self._hint(ch)

    def _hint(self, ch: str) -> None:
        found = self.reader.feed(ch)
        if found is None:
            self._redraw()
            return
        kind, ident = found
        store: Store = self.store
        selection = self.selection
        if kind == "tag":
            tag = next(t for t in self.tags if t.id == ident)
            remove = self.marks.get(f"tag-{ident}") == "all"
            if remove:
                self.writes.submit(
                    lambda: store.bulk_change_tags(selection, remove=[ident]),
                    lambda r: self._done(r, f"removed {tag.name!r} from"),
                )
            else:
                self.writes.submit(
                    lambda: store.bulk_change_tags(selection, add=[ident]),
                    lambda r: self._done(r, f"added {tag.name!r} to"),
                )
            self.marks[f"tag-{ident}"] = "off" if remove else "all"
        else:
            status = next(s for s in self.statuses if s.id == ident)
            self.writes.submit(
                lambda: store.bulk_set_status(selection, ident),
                lambda n: self._done({"": n}, f"set {status.name!r} on"),
            )
            for s in self.statuses:
                self.marks[f"status-{s.id}"] = "all" if s.id == ident else "off"
        self.changed = True
        self._redraw()

    def action_clear_status(self) -> None:
        store: Store = self.store
        selection = self.selection
        self.writes.submit(
            lambda: store.bulk_set_status(selection, None),
            lambda n: self._done({"": n}, "cleared the stage of"),
        )
        for s in self.statuses:
            self.marks[f"status-{s.id}"] = "off"
        self.changed = True
        self._redraw()

    def _done(self, counts: dict[str, int], what: str) -> None:
        n = sum(counts.values())
        self.query_one("#overlay-status", Label).update(
            f"{what[0].upper()}{what[1:]} {n:,} contact{'s' if n != 1 else ''}"
        )

    def _failed(self, exc: Exception) -> None:
        self.tagtui_app.notify_error(exc)
        self._load(self.store)

    def action_close(self) -> None:
        if self.reader.pending:
            self.reader.pending = ""
            self._redraw()
            return
        self.dismiss(self.changed)


def _marks(store: Store, selection: Selection, tags: list[Tag], statuses: list[Status]) -> dict[str, str]:
    """For each tag and stage: do all, some or none of the selected contacts have it?"""
    marks: dict[str, str] = {}
    if isinstance(selection, Sequence):  # ids (a filter is never a sequence)
        if len(selection) > MARK_LIMIT:
            return {f"tag-{t.id}": "unknown" for t in tags}
        contacts = [store.get_contact(i) for i in selection]
        total = len(contacts)
        for tag in tags:
            n = sum(1 for c in contacts if any(t.id == tag.id for t in c.tags))
            marks[f"tag-{tag.id}"] = _mark(n, total)
        for status in statuses:
            n = sum(1 for c in contacts if c.status_id == status.id)
            marks[f"status-{status.id}"] = _mark(n, total)
        return marks
    f: Filter = selection
    total = store.count_contacts(f)
    for tag in tags:
        n = store.count_contacts(all_of(f, Tags((tag.slug,))))
        marks[f"tag-{tag.id}"] = _mark(n, total)
    from tagtui.query import Statuses

    for status in statuses:
        n = store.count_contacts(all_of(f, Statuses((status.slug,))))
        marks[f"status-{status.id}"] = _mark(n, total)
    return marks


def _mark(n: int, total: int) -> str:
    if total and n == total:
        return "all"
    return "some" if n else "off"
