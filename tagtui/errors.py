"""The typed errors of tagtui (SPEC §2): every front end maps them the same way. Standard library only:
``tagtui.query`` and the store both raise them, and neither has to load the other to do so."""

from __future__ import annotations


class TagtuiError(Exception):
    """Base of the errors a user can meet. ``str(err)`` is a sentence for the user."""

    exit_code = 1
    kind = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(TagtuiError):
    """Bad input: a name, color, length, limit, empty set or malformed query (400)."""

    exit_code = 2
    kind = "invalid"

    def __init__(self, message: str, *, field: str | None = None, position: int | None = None) -> None:
        super().__init__(message, field=field)
        #: For a malformed query, the 0-based character offset of the problem.
        self.position = position


class NotFound(TagtuiError):
    """A reference that matches nothing in this workspace (404)."""

    exit_code = 3
    kind = "not found"


class Conflict(TagtuiError):
    """A duplicate slug or email, or an edit of a stale revision (409)."""

    exit_code = 4
    kind = "conflict"


class DatabaseRefused(TagtuiError):
    """A file that is not a tagtui database, or one from a newer version: left untouched."""

    exit_code = 1
    kind = "database"


class DatabaseBusy(TagtuiError):
    """Another writer held the database past the busy timeout (or kept winning): nothing was changed."""

    exit_code = 1
    kind = "database"


class QueryTimeout(TagtuiError):
    """A statement ran past the query time limit and was stopped: nothing was changed."""

    exit_code = 1
    kind = "database"


class ReadOnlyDatabase(TagtuiError):
    """A change to a database that can only be read (a read-only file or folder, ``mode=ro``)."""

    exit_code = 1
    kind = "database"


class DiskFull(TagtuiError):
    """The disk (or the server's) is full: the change was rolled back."""

    exit_code = 1
    kind = "database"


class ConnectionLost(TagtuiError):
    """The server closed the connection, and a fresh one failed too."""

    exit_code = 1
    kind = "database"


class FileError(TagtuiError):
    """A file that cannot be read or written (a missing import file, a missing folder)."""

    exit_code = 1
    kind = "file"
