"""Helpers shared by the tags, statuses, board and detail screens: errors, change notices, focus."""

from __future__ import annotations

from textual.dom import DOMNode
from textual.widget import Widget

from tagtui.app.messages import DataChanged
from tagtui.store import TagtuiError


def show_error(node: DOMNode, exc: BaseException) -> None:
    """Show a store error the app's way (``notify_error``), or as a plain notification."""
    notify_error = getattr(node.app, "notify_error", None)
    if callable(notify_error):
        notify_error(exc)
        return
    title = getattr(exc, "kind", "error").capitalize() if isinstance(exc, TagtuiError) else "Error"
    node.app.notify(str(exc), title=title, severity="error", markup=False)


def data_changed(node: DOMNode, what: str) -> None:
    """Tell the app that the store changed (screens showing ``what`` reload when next shown)."""
    node.app.post_message(DataChanged(what))


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def focus_now(widget: Widget) -> None:
    """Give ``widget`` the focus before the next key is handled.

    ``Widget.focus`` only schedules the change: keys that arrived in the same burst (a
    terminal read over ssh, ``tmux send-keys``) are handled first, by the old focus. A key
    that moves the focus as part of its effect (a card to another column) moves it here.
    """
    widget.screen.set_focus(widget)
