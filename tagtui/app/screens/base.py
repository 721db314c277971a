"""What every tagtui screen shares: the app and its store, typed; workers' results posted back
as messages; failed workers become notifications, in one place."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from inspect import isawaitable
from typing import TYPE_CHECKING, Any, ClassVar, ParamSpec, TypeVar, cast

from textual.binding import ActiveBinding
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.reactive import Reactive
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tagtui.app.messages import WorkerResult

if TYPE_CHECKING:
    from tagtui.app.app import TagtuiApp
    from tagtui.store import Store

ResultType = TypeVar("ResultType")
P = ParamSpec("P")


def app_of(node: DOMNode) -> TagtuiApp:
    """The app ``node`` runs in: tagtui's screens and widgets run in no other."""
    return cast("TagtuiApp", node.app)


class InApp:
    """Mixin for tagtui's screens and widgets: the app they run in, and its store, typed."""

    @property
    def tagtui_app(self) -> TagtuiApp:
        return app_of(cast(DOMNode, self))

    @property
    def store(self) -> Store:
        """The store of the workspace the app shows."""
        return self.tagtui_app.store


class TakesResults:
    """Mixin for the nodes whose thread workers hand results to the UI thread.

    A worker ends with ``self.post_result(handler, *args)``: a ``WorkerResult`` message to this
    node, so ``handler(*args)`` runs on the UI thread in the node's turn (the worker does not
    wait for it), and not at all once the node is gone. The arguments are checked against the
    handler's signature. A handler that raises is shown as one notification, as a failed
    worker is. Only a thread that needs the UI thread's answer or must wait for it calls
    ``app.call_from_thread``: a sync's progress line, started between two address books, and
    the write queue (``tagtui/app/writes.py``).
    """

    def post_result(self, handler: Callable[P, object], /, *args: P.args, **kwargs: P.kwargs) -> None:
        """From a worker's thread (``post_message`` is thread-safe): run ``handler`` on the UI thread."""
        cast(MessagePump, self).post_message(WorkerResult(partial(handler, *args, **kwargs)))

    def start_read(self, name: str) -> int:
        """On the UI thread, as a worker that reads the store for ``name`` (a screen's list, a
        count) is started: the read's number, for the worker's ``post_latest``."""
        reads: dict[str, int] = self.__dict__.setdefault("_latest_reads", {})
        reads[name] = reads.get(name, 0) + 1
        return reads[name]

    def post_latest(
        self, name: str, read: int, handler: Callable[P, object], /, *args: P.args, **kwargs: P.kwargs
    ) -> None:
        """``post_result`` of the read numbered ``read`` of ``name``: ``handler`` runs only if no
        later read of ``name`` was started by then. An exclusive worker replaced by a newer one
        still runs to its end in its thread; its read may have begun before a change and answer
        after the newer read's, and what it holds is older than what the screen shows."""
        self.post_result(self._if_latest, name, read, partial(handler, *args, **kwargs))

    def _if_latest(self, name: str, read: int, call: Callable[[], object]) -> object:
        return call() if self.__dict__["_latest_reads"].get(name) == read else None

    async def on_worker_result(self, message: WorkerResult) -> None:
        try:
            outcome = message.call()
            if isawaitable(outcome):
                await outcome
        except Exception as exc:
            app_of(cast(DOMNode, self)).notify_error(exc)


class ReportsWorkerErrors(TakesResults):
    """Mixin for screens and widgets that run workers: results come back as messages
    (``TakesResults``), and a failed worker is shown, never fatal.

    ``Worker.StateChanged`` does not bubble, so each node that runs workers forwards
    the event to the app's single handler.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            app_of(cast(DOMNode, self)).worker_failed(event.worker)


#: Bindings the footer shows first, so a narrow terminal cuts a screen's own keys, not these.
FOOTER_FIRST = ("app.contacts", "app.tags", "app.statuses", "app.board", "app.help")


class TagtuiScreen(InApp, ReportsWorkerErrors, Screen[Any]):
    """A full screen of the app."""

    #: Textual's, without its repaint of the whole screen at each focus move: the widgets whose
    #: look depends on the focus are restyled and repainted by Textual as it moves (their
    #: ``:focus`` and ``:focus-within`` rules), and the rest look the same. Enter in the query
    #: bar (the focus moves to the table) repainted every line of the screen before the new
    #: rows could be drawn (issue 15).
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    #: Ids of this screen's bindings whose keys stay its own where the app's priority binding
    #: (`/`, the query: it takes its key before the focused widget sees it) has the same key.
    OWN_KEYS: ClassVar[tuple[str, ...]] = ()

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Textual's: a key of ``OWN_KEYS`` (as the config's ``[keys]`` maps it) is this screen's."""
        if not self.OWN_KEYS:
            return False
        from tagtui.app.keymap import keys_in_force, own_bindings, same_key

        keymap = self.tagtui_app.config.keys
        return any(
            same_key(k, key)
            for binding in own_bindings(type(self))
            if binding.id in self.OWN_KEYS
            for k in keys_in_force(binding, keymap)
        )

    def reload(self, polled: bool = False) -> None:
        """Show the workspace's data again: the app calls this on the current screen after a
        change this screen did not make (an undo, another window's write).

        ``polled``: the change poll saw another process's change. A screen whose reload is a
        scan of the whole workspace (duplicates, tag insight, trends) leaves that to its own
        refresh key. This one shows no workspace data: nothing to do.
        """

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's, with the section keys and help first (the footer shows them in this order).

        None while the screen is being taken down: its footer can still ask (after a focus
        move) once the widgets a ``check_action`` looks at are gone."""
        try:
            found = super().active_bindings
        except NoMatches:
            return {}
        rank = {binding_id: i for i, binding_id in enumerate(FOOTER_FIRST)}
        first = sorted(
            (key for key, active in found.items() if active.binding.id in rank),
            key=lambda key: rank[found[key].binding.id or ""],
        )
        if not first:
            return found
        return {**{key: found[key] for key in first}, **found}


class TagtuiModal(InApp, ReportsWorkerErrors, ModalScreen[ResultType]):
    """A dialog; ``escape`` closes it."""
