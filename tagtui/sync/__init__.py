"""Two-way sync with address books people already have: CardDAV servers and vdir folders (issue 13)."""

from tagtui.sync.connect import open_remote
from tagtui.sync.remote import Changes, Remote, RemoteChanged, RemoteError

__all__ = ["Changes", "Remote", "RemoteChanged", "RemoteError", "open_remote"]
