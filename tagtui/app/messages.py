"""Messages that travel between the app's screens and widgets (intents up, results down)."""

from __future__ import annotations

from textual.message import Message


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
