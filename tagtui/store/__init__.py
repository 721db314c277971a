"""The headless store: every rule of tagtui, behind one API. Never imports textual."""

from tagtui.store.base import UNSET, Selection
from tagtui.store.errors import (
    Conflict,
    DatabaseBusy,
    DatabaseRefused,
    FileError,
    NotFound,
    QueryTimeout,
    TagtuiError,
    ValidationError,
)
from tagtui.store.store import Store
from tagtui.store.types import (
    BulkResult,
    Contact,
    ContactRow,
    Event,
    Page,
    Settings,
    SetupItem,
    Status,
    Tag,
    TagChange,
    TagRef,
    View,
)

__all__ = [
    "UNSET",
    "BulkResult",
    "Conflict",
    "Contact",
    "ContactRow",
    "DatabaseBusy",
    "DatabaseRefused",
    "Event",
    "FileError",
    "NotFound",
    "Page",
    "QueryTimeout",
    "Selection",
    "Settings",
    "SetupItem",
    "Status",
    "Store",
    "Tag",
    "TagChange",
    "TagRef",
    "TagtuiError",
    "ValidationError",
    "View",
]
