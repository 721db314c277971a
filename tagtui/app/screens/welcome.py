"""First run on an empty workspace: demo data, the standard tags, the standard pipeline — one key each."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from tagtui.app.screens.base import TagtuiModal
from tagtui.app.widgets.job_progress import JobProgress
from tagtui.store import Store
from tagtui.store.jobs import Cancelled, Progress

DEMO_CONTACTS = 500

LOGO = r"""
 _                _         _
| |_  __ _  __ _ | |_  _  _(_)
|  _|/ _` |/ _` ||  _|| || | |
 \__|\__,_|\__, | \__| \_,_|_|
           |___/
"""


class WelcomeScreen(TagtuiModal[bool]):
    """Dismisses with True if anything was created."""

    BINDINGS = [
        Binding("d", "demo", "Demo data", id="welcome.demo"),
        Binding("t", "tags", "Standard tags", id="welcome.tags"),
        Binding("p", "pipeline", "Standard pipeline", id="welcome.pipeline"),
        Binding("enter", "start", "Start", id="welcome.start"),
        Binding("escape", "escape", "Start empty", show=False, id="welcome.escape"),
    ]

    DEFAULT_CLASSES = "picker"

    def __init__(self, *, start_demo: bool = False, demo_contacts: int = DEMO_CONTACTS) -> None:
        super().__init__()
        self.start_demo = start_demo
        self.demo_contacts = demo_contacts
        self.done: set[str] = set()
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog welcome"):
            yield Static(Text(LOGO.strip("\n"), style="bold"), id="logo")
            yield Label("Welcome to tagtui", classes="dialog-title")
            yield Label(
                "Organise contacts with tags and a sales pipeline, from the keyboard. "
                "This workspace is empty; to start, press a key:",
                id="welcome-text",
            )
            yield Static(id="welcome-choices")
            yield JobProgress(id="welcome-progress")
            yield Label("", id="welcome-status")
            yield Label("Later: 1 Contacts · 2 Tags · 3 Statuses · 4 Board · ? Help", classes="dialog-help")

    def on_mount(self) -> None:
        self._render_choices()
        if self.start_demo:
            self.action_demo()

    def _render_choices(self) -> None:
        choices = [
            ("d", "demo", f"Demo data — {self.demo_contacts:,} made-up contacts, tags and a pipeline"),
            ("t", "tags", "The standard tags — Hot Lead, Customer, Partner …"),
            ("p", "pipeline", "The standard pipeline — New → … → Won / Lost"),
            ("enter", "start", "Start with an empty workspace"),
        ]
        text = Text()
        for key, name, description in choices:
            done = name in self.done
            text.append(key.center(9), style="bold reverse" if not done else "dim reverse")
            text.append("  ")
            text.append(description, style="dim strike" if done else "")
            if done:
                text.append("  ✓ done", style="bold green")
            text.append("\n")
        self.query_one("#welcome-choices", Static).update(text)

    def _status(self, message: str) -> None:
        self.query_one("#welcome-status", Label).update(message)

    def action_demo(self) -> None:
        if self.busy or "demo" in self.done:
            return
        self.busy = True
        self._status("")
        progress = self.query_one(JobProgress).start("Generating demo data", unit="contacts")
        self._demo(self.store, self.demo_contacts, progress)

    @work(thread=True, exclusive=True, group="welcome", exit_on_error=False)
    def _demo(self, store: Store, contacts: int, progress: Progress) -> None:
        try:
            from tagtui.io.demo import generate

            result = generate(store, contacts=contacts, seed=1, progress=progress)
        except Cancelled:
            self.post_result(self._finished, None, "Demo data cancelled: nothing was added.")
            return
        except Exception:
            self.post_result(self._finished, None, "")
            raise
        self.post_result(
            self._finished, "demo", f"Added {getattr(result, 'contacts', contacts):,} demo contacts."
        )

    def action_escape(self) -> None:
        """Escape cancels demo data being generated; otherwise it starts (as enter does)."""
        progress = self.query_one(JobProgress)
        if progress.running:
            progress.cancel()
        else:
            self.action_start()

    def action_tags(self) -> None:
        if self.busy or "tags" in self.done:
            return
        self.busy = True
        self._setup(self.store, "tags")

    def action_pipeline(self) -> None:
        if self.busy or "pipeline" in self.done:
            return
        self.busy = True
        self._setup(self.store, "pipeline")

    @work(thread=True, exclusive=True, group="welcome", exit_on_error=False)
    def _setup(self, store: Store, what: str) -> None:
        try:
            items = store.setup_tags() if what == "tags" else store.setup_statuses()
        except Exception:
            self.post_result(self._finished, None, "")
            raise
        created = sum(1 for i in items if i.created)
        noun = "tags" if what == "tags" else "pipeline stages"
        self.post_result(self._finished, what, f"Created {created} {noun}.")

    def _finished(self, what: str | None, message: str) -> None:
        self.busy = False
        self.query_one(JobProgress).finish()
        if what is None:
            self._status(message or "That did not work; see the message.")
            return
        self.done.add(what)
        if what == "demo":
            # Demo data brings its own tags and pipeline.
            self.done.update({"tags", "pipeline"})
        self._render_choices()
        self._status(message + "  Press enter to start.")
        if what == "demo" and self.start_demo:
            self.dismiss(True)

    def action_start(self) -> None:
        if not self.busy:
            self.dismiss(bool(self.done))
