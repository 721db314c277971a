"""Importing rows into the store: match by email, find-or-create tags and statuses (SPEC §5)."""

from __future__ import annotations

from tagtui.store.base import StoreBase


class ImportOps(StoreBase):
    """Filled in by the import work: ``import_rows`` applies parsed rows in one transaction."""
