"""The Textual application: one mode per section, the shared keys, and the one place errors are shown."""

from __future__ import annotations

import asyncio
import uuid
import weakref
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.worker import Worker

from tagtui.app.collector import QUIET, IdleCollector
from tagtui.app.commands import TagtuiCommands
from tagtui.app.messages import DataChanged, QueryRequested
from tagtui.app.screens.base import ReportsWorkerErrors, TagtuiScreen
from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.sections import SECTIONS, place
from tagtui.app.sizes import NARROW, SHORT
from tagtui.app.threads import worker_pool
from tagtui.app.widgets.contact_table import ContactTable
from tagtui.config import Config, ConfigNotSaved, load_config, save_setting
from tagtui.query.filter import EVERYTHING, Filter
from tagtui.store import Store, TagtuiError
from tagtui.store.types import UndoResult

if TYPE_CHECKING:
    from tagtui.store.sync import SyncSource
    from tagtui.sync.engine import SyncReport

#: How often (seconds) the app looks for changes made by other processes.
POLL_SECONDS = 1.0

_SECTIONS = Binding.Group("Sections", compact=True)


class TagtuiApp(ReportsWorkerErrors, App[int]):
    """tagtui's terminal UI over one workspace of a store."""

    TITLE = "tagtui"
    #: The app's own CSS and every screen's, read together once at start-up. A screen's
    #: ``CSS_PATH`` read the first time that screen showed made Textual parse every stylesheet
    #: of the app again (``Stylesheet.reparse`` starts from an empty cache) and restyle every
    #: widget of every screen: most of the board's first appearance at a million contacts. The
    #: screens keep their ``CSS_PATH``; Textual finds it already read. (Their rules name their
    #: screen or their form, so reading them early styles nothing else; tests/app/test_css.py.)
    CSS_PATH = [
        "app.tcss",
        *(
            f"screens/{name}.tcss"
            for name in (
                "contacts",
                "board",
                "detail",
                "duplicates",
                "insight",
                "rules",
                "statuses",
                "sync",
                "tag_form",
                "tags",
                "trends",
                "triage",
            )
        ),
    ]
    MODES: ClassVar = {section.name: section.screen for section in SECTIONS}
    DEFAULT_MODE = "contacts"
    COMMANDS = App.COMMANDS | {TagtuiCommands}
    BINDINGS = [
        # The footer shows the four as one group: "1234 Sections" (see TagtuiScreen.active_bindings).
        *(
            Binding(s.key, f"section('{s.name}')", s.title, group=_SECTIONS, id=f"app.{s.name}")
            for s in SECTIONS
        ),
        # A priority binding: handled as it arrives, before the keys typed after it are sent on
        # to the focused widget (`/smith` in one burst types "smith" into the bar). A text field
        # keeps it (Textual leaves out a key the focused widget consumes), a dialog too
        # (``check_action``), and a screen's own `/` (``TagtuiScreen.OWN_KEYS``).
        Binding(
            "slash",
            "focus_query",
            "Query",
            show=False,
            id="app.query",
            tooltip="Focus the query",
            priority=True,
        ),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", show=False, id="app.quit"),
        Binding("ctrl+z", "undo", "Undo", show=False, id="app.undo", tooltip="Undo the last change"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="app.redo", tooltip="Redo the change undone last"),
        Binding("R", "rules", "Rules", show=False, id="app.rules", tooltip="Automation rules"),
        Binding(
            "S",
            "sync",
            "Sync",
            show=False,
            id="app.sync",
            tooltip="Address books: sync now, last sync, conflicts",
        ),
    ]

    def __init__(
        self, store: Store, *, demo: bool = False, demo_contacts: int = 500, config: Config | None = None
    ) -> None:
        self.store = store
        # The steps this window makes are the ones its ctrl+z and ctrl+y take back and redo.
        store.session = uuid.uuid4().hex
        #: The config file's settings (theme, keys, columns); its problems are shown once mounted.
        self.config = config if config is not None else load_config()
        #: The filter the contacts screen shows (set when its first page arrives).
        self.current_filter: Filter = EVERYTHING
        self.demo = demo
        self.demo_contacts = demo_contacts
        self._collector = IdleCollector()
        #: The CSS variables of the last full ``refresh_css``, and those each screen was styled with.
        self._css_refreshed: dict[str, str] = {}
        self._css_styled: weakref.WeakKeyDictionary[Screen[Any], dict[str, str]] = weakref.WeakKeyDictionary()
        #: The reports of this window's last sync (the Sync screen lists their conflicts).
        self.sync_reports: list[SyncReport] = []
        super().__init__()
        # Textual made the stylesheet with these (a theme set below changes them).
        self._css_refreshed = self.get_css_variables()
        self.sub_title = store.workspace_name + (" · read-only" if store.read_only else "")
        self._apply_config()

    # -- the config file --------------------------------------------------------------

    def _apply_config(self) -> None:
        config = self.config
        if config.theme:
            if config.theme in self.available_themes:
                self.theme = config.theme
            else:
                from tagtui.config import ConfigProblem, line_of

                text = config.path.read_text(encoding="utf-8") if config.path.exists() else ""
                known = ", ".join(sorted(self.available_themes))
                config.problems.append(
                    ConfigProblem(
                        config.path,
                        line_of(text, None, "theme"),
                        f"unknown theme {config.theme!r} (known: {known}); ignored",
                    )
                )
                config.theme = None
        self.set_keymap(config.keys)

    # -- CSS ------------------------------------------------------------------------------

    def refresh_css(self, animate: bool = True) -> None:
        """Textual's, but only when the CSS variables (the theme) changed since the screens shown
        were styled.

        Textual calls this whenever a screen it has not refreshed yet comes up, so a section's
        first appearance (the board's at ``4``) parsed every stylesheet of the app again and
        restyled every widget of every screen, twice, though nothing had changed: the new
        screen's widgets were styled as they mounted. A screen met here for the first time
        counts as styled with the variables of now; a theme change still restyles everything.
        (At start-up the stylesheet is the one Textual made with the theme's variables: the
        first screen's refresh, a second parse of every stylesheet, is skipped too.)
        """
        variables = self.get_css_variables()
        shown = self.screen_stack
        for screen in shown:
            self._css_styled.setdefault(screen, variables)
        if variables == self._css_refreshed and all(self._css_styled[s] == variables for s in shown):
            return
        super().refresh_css(animate)
        self._css_refreshed = variables
        for screen in shown:
            self._css_styled[screen] = variables

    def _theme_changed(self, theme: object) -> None:
        """A theme picked (the command palette's "theme"): keep it for next time."""
        name = self.theme
        if name == (self.config.theme or "textual-dark"):
            return
        try:
            save_setting(None, "theme", name, self.config.path)
        except ConfigNotSaved as exc:
            self.notify(str(exc), title="Theme not saved", severity="warning", markup=False, timeout=8)
            return
        self.config.theme = name

    def save_columns(self, table: str, columns: list[str]) -> None:
        """Keep the columns a table shows in the config file (``[columns]``)."""
        try:
            save_setting("columns", table, columns, self.config.path)
        except ConfigNotSaved as exc:
            self.notify(str(exc), title="Columns not saved", severity="warning", markup=False, timeout=8)
            return
        self.config.columns[table] = list(columns)

    # -- start-up ---------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._size_classes()

    def _size_classes(self) -> None:
        width, height = self.size
        self.set_class(width < NARROW, "-narrow")
        self.set_class(height < SHORT, "-short")

    def on_mount(self) -> None:
        self._size_classes()
        asyncio.get_running_loop().set_default_executor(worker_pool())
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.config.problem_line:
            self.notify(
                self.config.problem_line, title="Config file", severity="warning", markup=False, timeout=12
            )
        self.check_first_run()
        self._load_last_sync()
        self._change_marker: tuple[int, int] | None = None
        # The baseline (what the screens loaded) is read once the first rows show (``_started``),
        # so that start-up reads the rows first; the poll's first tick reads it otherwise.
        self.set_interval(POLL_SECONDS, self._poll_changes)
        self.set_interval(QUIET / 2, self._collector.tick)

    @on(ContactTable.Loaded)
    def _started(self) -> None:
        # The first rows show: start-up is over (see tagtui/app/collector.py).
        if self._change_marker is None:
            self._poll_changes()
        self._collector.start()

    def on_unmount(self) -> None:
        self._collector.stop()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseEvent)):
            self._collector.input_seen()
        await super().on_event(event)

    # -- changes by other processes ---------------------------------------------------

    def _poll_changes(self) -> None:
        if not any(w.group == "change-poll" and not w.is_finished for w in self.workers):
            self._read_change_marker()

    @work(thread=True, group="change-poll", exit_on_error=False)
    def _read_change_marker(self) -> None:
        try:
            marker = self.store.change_marker()
        except Exception as exc:  # a busy or vanished database: try again at the next tick
            self.log.warning(f"change poll: {exc!r}")
            return
        self.post_result(self._marker_read, marker)

    def _marker_read(self, marker: tuple[int, int]) -> None:
        """Someone (another terminal, a script, a team mate) changed the workspace: show it."""
        previous, self._change_marker = self._change_marker, marker
        if previous is None or previous == marker:
            return
        self.refresh_screen(polled=True)

    @work(thread=True, group="first-run", exit_on_error=False)
    def check_first_run(self) -> None:
        """A new, empty workspace opens on the welcome screen (or straight into demo data)."""
        # One row tells (a count would read every contact of a big workspace at start-up).
        has_contacts = bool(self.store.list_contacts(limit=1, with_total=False).rows)
        empty = not has_contacts and not self.store.list_tags(limit=1) and not self.store.list_statuses()
        if (self.demo and not has_contacts) or empty:
            self.post_result(self._welcome, self.demo and not has_contacts)

    def _welcome(self, start_demo: bool) -> None:
        from tagtui.app.screens.welcome import WelcomeScreen

        screen = WelcomeScreen(start_demo=start_demo, demo_contacts=self.demo_contacts)
        self.push_screen(screen, self._after_welcome)

    def _after_welcome(self, changed: bool | None) -> None:
        if changed:
            self.data_changed()

    # -- sections ---------------------------------------------------------------------

    def action_section(self, mode: str) -> None:
        """Show a section's screen (keeping its state), closing help and pushed screens over it."""
        if self.current_mode != mode:
            self.switch_mode(mode)
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
            self.pop_screen()

    def run_in_section(self, mode: str, action: str) -> None:
        """Run one of a section's actions (from the command palette) on that section's screen."""
        self.action_section(mode)
        self.call_after_refresh(lambda: self.run_action(action, self.screen))

    def action_focus_query(self) -> None:
        self.action_section("contacts")
        screen = self.contacts_screen
        if screen is not None and screen.is_mounted:
            screen.focus_query()  # at once: the keys typed after `/` go into the bar
        else:
            self.call_after_refresh(self._focus_query)

    def _focus_query(self) -> None:
        screen = self.contacts_screen
        if screen is not None:
            screen.focus_query()

    def open_place(self, name: str) -> None:
        """Show a place's screen over the current section (escape goes back), unless it is showing."""
        cls = place(name).screen()
        if not isinstance(self.screen, cls):
            self.push_screen(cls())

    def action_rules(self) -> None:
        """The automation rules, over the current section (escape goes back)."""
        self.open_place("rules")

    def action_sync(self) -> None:
        """The address books: sync now, the last sync and its conflicts (escape goes back)."""
        self.open_place("sync")

    def show_last_sync(self, sources: list[SyncSource]) -> None:
        """The header says when the workspace last synced (with any of its address books)."""
        from tagtui.store.sync import sync_time as when

        base = self.store.workspace_name + (" · read-only" if self.store.read_only else "")
        last = max((s.last_sync for s in sources if s.last_sync), default=None)
        self.sub_title = base + (f" · synced {when(last)}" if last else "")

    @work(thread=True, exclusive=True, group="sync-title", exit_on_error=False)
    def _load_last_sync(self) -> None:
        sources = self.store.sync_sources()
        if any(s.last_sync for s in sources):
            self.post_result(self.show_last_sync, sources)

    def action_history(self) -> None:
        """The workspace's history (a contact's or a tag's opens from its screen)."""
        self.open_place("history")

    def action_help(self) -> None:
        """Help; ``?`` again closes it."""
        if isinstance(self.screen, place("help").screen()):
            self.pop_screen()
        else:
            self.open_place("help")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Not under a dialog: undo must not change what an open form or question is about.
        if action == "focus_query":
            return self._query_key_free()
        return not (action in ("help", "undo", "redo", "rules") and isinstance(self.screen, ModalScreen))

    def _query_key_free(self) -> bool:
        """Whether `/` (a priority binding: Textual runs it before the focused widget sees the key)
        may take the focus: not under a dialog, and not from a text field, which types it."""
        if isinstance(self.screen, ModalScreen):
            return False
        from tagtui.app.keymap import typed_by

        return not typed_by(self.focused, TagtuiApp, "app.query", self.config.keys)

    @property
    def contacts_screen(self) -> ContactsScreen | None:
        stack = self._screen_stacks.get("contacts")
        if stack and isinstance(stack[0], ContactsScreen):
            return stack[0]
        return None

    def show_query(self, query: str) -> None:
        """Open the contacts section on ``query``."""
        self.action_section("contacts")
        screen = self.contacts_screen
        if screen is not None:
            screen.set_query(query)

    def on_query_requested(self, message: QueryRequested) -> None:
        self.show_query(message.query)

    def on_data_changed(self, message: DataChanged) -> None:
        self.data_changed()

    def data_changed(self) -> None:
        """The store changed under the contacts screen: reload what it shows."""
        screen = self.contacts_screen
        if screen is not None:
            screen.mark_stale()

    # -- undo and redo ----------------------------------------------------------------

    def action_undo(self) -> None:
        self._travel(undo=True)

    def action_redo(self) -> None:
        self._travel(undo=False)

    def _travel(self, *, undo: bool) -> None:
        """Undo or redo one step, queued behind any write still running (key order holds)."""
        if not hasattr(self, "_undo_writes"):
            from tagtui.app.writes import WriteQueue

            self._undo_writes = WriteQueue(self, self._travel_failed, "undo-writes")
        store = self.store
        travel = store.undo if undo else store.redo
        self._undo_writes.submit(lambda: travel(by="session"), self._travelled)

    def _travel_failed(self, exc: Exception) -> None:
        from tagtui.store import NotFound

        if isinstance(exc, NotFound):  # "nothing to undo": a fact, not an error
            self.notify(str(exc).capitalize() + ".", severity="warning", markup=False)
        else:
            self.notify_error(exc)

    def _travelled(self, result: UndoResult) -> None:
        verb = "Undid" if result.action == "undo" else "Redid"
        self.notify(f"{verb}: {result.summary or result.kind}", markup=False)
        self.data_changed()
        self.refresh_screen()

    def refresh_screen(self, *, polled: bool = False) -> None:
        """Reload what the current screen shows (after a change it did not make itself).

        ``polled``: the change poll saw another process's change (see ``TagtuiScreen.reload``).
        """
        screen = self.screen
        if isinstance(screen, TagtuiScreen):  # a dialog's screen reloads when the dialog closes
            screen.reload(polled)

    # -- errors -----------------------------------------------------------------------

    def notify_error(self, exc: BaseException) -> None:
        """Show an error as one notification: the store's sentence, or one line for a surprise."""
        if isinstance(exc, TagtuiError):
            title = {"invalid": "Invalid", "not found": "Not found", "conflict": "Conflict"}.get(
                exc.kind, "Error"
            )
            self.notify(str(exc), title=title, severity="error", markup=False)
            return
        self.log.error(repr(exc))
        first = (str(exc).strip().splitlines() or [""])[0]
        line = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
        self.notify(line, title="Unexpected error", severity="error", markup=False, timeout=10)

    def worker_failed(self, worker: Worker[Any]) -> None:
        """The one handler for failed workers: every node forwards its ``Worker.StateChanged`` here."""
        if worker.error is not None:
            self.notify_error(worker.error)
