"""The store's typed errors (SPEC §2). They are defined in ``tagtui.errors``, which imports nothing of
tagtui, so ``tagtui.query`` raises them without loading the store; the store and the front ends
import them from here or from ``tagtui.store``."""

from tagtui.errors import (
    Conflict,
    ConnectionLost,
    DatabaseBusy,
    DatabaseRefused,
    DiskFull,
    FileError,
    NotFound,
    QueryTimeout,
    ReadOnlyDatabase,
    TagtuiError,
    ValidationError,
)

__all__ = [
    "Conflict",
    "ConnectionLost",
    "DatabaseBusy",
    "DatabaseRefused",
    "DiskFull",
    "FileError",
    "NotFound",
    "QueryTimeout",
    "ReadOnlyDatabase",
    "TagtuiError",
    "ValidationError",
]
