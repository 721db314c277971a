"""Messages that travel between the app's screens and widgets (intents up, results down).

A worker's result goes back to the node that ran it as a message too: ``WorkerResult``, which
``TakesResults.post_result`` (tagtui/app/screens/base.py) posts from the worker's thread.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message


class WorkerResult(Message, bubble=False):
    """A worker's result for the node whose worker it was: ``call`` (its handler with the result)
    runs on the UI thread in that node's turn, after the messages it already has, and not at all
    once the node is gone (a closed dialog, a board column rebuilt)."""

    def __init__(self, call: Callable[[], object]) -> None:
        super().__init__()
        self.call = call


class DataChanged(Message):
    """Something in the store changed; screens showing it reload when they are next shown.

    Post it to the app (``self.app.post_message(DataChanged())``) after a write.
    """

    def __init__(self, what: str = "contacts") -> None:
        super().__init__()
        self.what = what


class QueryRequested(Message):
    """Show the contacts that match ``query`` (from a saved view, the palette, another screen)."""

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query = query
