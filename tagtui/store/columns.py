"""The tables' columns, written by ``python scripts/columns.py`` from ``models.py`` (the one
declaration of the tables): do not edit. The store speaks SQL through the DB-API, so every
list of a whole row's columns comes from here; ``tests/store/test_columns.py`` fails when
this is stale."""

from __future__ import annotations

from collections.abc import Sequence

#: Every table's columns, in the order ``models.py`` declares them.
TABLES: dict[str, tuple[str, ...]] = {
    "contact": (
        "id",
        "workspace_id",
        "name",
        "email",
        "company",
        "phone",
        "assignee",
        "followers",
        "notes",
        "status_id",
        "name_key",
        "email_key",
        "assignee_key",
        "tags_key",
        "search",
        "created_at",
        "updated_at",
        "rev",
    ),
    "contact_tag": (
        "contact_id",
        "tag_id",
        "created_at",
    ),
    "duplicate_ignore": (
        "workspace_id",
        "low_id",
        "high_id",
        "created_at",
    ),
    "event": (
        "id",
        "workspace_id",
        "at",
        "kind",
        "subject_type",
        "subject_id",
        "payload",
        "step_id",
    ),
    "rule": (
        "id",
        "workspace_id",
        "name",
        "name_key",
        "query",
        "add_tags",
        "remove_tags",
        "status_id",
        "created_at",
        "updated_at",
        "rev",
        "broken",
    ),
    "saved_view": (
        "id",
        "workspace_id",
        "name",
        "query",
        "created_at",
        "updated_at",
        "broken",
        "sort",
    ),
    "status": (
        "id",
        "workspace_id",
        "name",
        "slug",
        "color",
        "position",
        "created_at",
        "updated_at",
        "rev",
    ),
    "step": (
        "id",
        "workspace_id",
        "at",
        "kind",
        "summary",
        "state",
        "payload",
        "actor",
        "session",
    ),
    "step_contact_status": (
        "step_id",
        "contact_id",
        "before_id",
        "after_id",
    ),
    "step_contact_tag": (
        "step_id",
        "tag_id",
        "contact_id",
        "added",
        "created_at",
    ),
    "sync_item": (
        "id",
        "source_id",
        "contact_id",
        "href",
        "etag",
        "uid",
        "card",
        "base",
    ),
    "sync_source": (
        "id",
        "workspace_id",
        "name",
        "name_key",
        "url",
        "username",
        "password_env",
        "password_command",
        "sync_token",
        "last_sync",
        "created_at",
    ),
    "tag": (
        "id",
        "workspace_id",
        "name",
        "name_key",
        "slug",
        "color",
        "emoji",
        "description",
        "created_at",
        "updated_at",
        "rev",
    ),
    "tagtui_meta": (
        "key",
        "value",
    ),
    "trend_entry": (
        "workspace_id",
        "contact_id",
        "event_id",
        "week",
        "status_id",
        "moved",
        "days",
    ),
    "trend_gone": (
        "workspace_id",
        "contact_id",
    ),
    "trend_pair": (
        "tag_id",
        "other_id",
        "week",
        "n",
    ),
    "trend_state": (
        "workspace_id",
        "last_event_id",
        "pipeline",
    ),
    "trend_stay": (
        "workspace_id",
        "week",
        "status_id",
        "days",
        "stays",
    ),
    "trend_tag": (
        "tag_id",
        "week",
        "n",
    ),
    "trend_week": (
        "workspace_id",
        "week",
        "status_id",
        "entered",
        "moved",
    ),
    "workspace": (
        "id",
        "name",
        "created_at",
        "max_tags_per_contact",
        "bulk_limit",
        "phone_region",
        "email_folding",
    ),
}
#: The contact's columns the store derives from its fields (``identity.contact_keys``).
CONTACT_KEYS: tuple[str, ...] = (
    "name_key",
    "email_key",
    "assignee_key",
    "search",
)
#: The contact's columns that triggers keep (``engines``: the tags_key triggers).
CONTACT_BY_TRIGGERS: tuple[str, ...] = ("tags_key",)
#: A new contact's row as the store writes it: every column but those triggers keep, each
#: with the type of the PostgreSQL array ``Tx.insert_many`` sends it in.
CONTACT_ROW: tuple[tuple[str, str], ...] = (
    ("id", "bigint"),
    ("workspace_id", "bigint"),
    ("name", "text"),
    ("email", "text"),
    ("company", "text"),
    ("phone", "text"),
    ("assignee", "text"),
    ("followers", "bigint"),
    ("notes", "text"),
    ("status_id", "bigint"),
    ("name_key", "text"),
    ("email_key", "text"),
    ("assignee_key", "text"),
    ("search", "text"),
    ("created_at", "text"),
    ("updated_at", "text"),
    ("rev", "bigint"),
)
#: ``CONTACT_ROW``'s names.
CONTACT_ROW_NAMES: tuple[str, ...] = tuple(name for name, _ in CONTACT_ROW)


def columns_of(table: str, *, but: Sequence[str] = ()) -> tuple[str, ...]:
    """The columns of ``table`` (``TABLES``) in order, but those in ``but`` (an id the table gives)."""
    return tuple(column for column in TABLES[table] if column not in but)


def insert_sql(table: str, columns: Sequence[str], **values: str) -> str:
    """``INSERT INTO table (columns) VALUES (…)``: each column's value is the parameter of its
    name (``:name``) unless ``values`` gives its SQL (``workspace_id=":ws"``, ``rev="1"``)."""
    unknown = sorted(set(values) - set(columns))
    if unknown:
        raise ValueError(f"not columns of the insert into {table}: {', '.join(unknown)}")
    shown = ", ".join(values.get(column, f":{column}") for column in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({shown})"
