"""A schema 3 step: derive the keys of an older database again under SPEC §7's identity rules.

Slugs, ``*_key`` columns and the search column are recomputed from the names, emails,
assignees and companies (which are kept exactly as they are). When two rows would get one
unique key — "Café" and "Cafe\\u0301" as two tags, ``jane@x.com`` and ``jane\\u200b@x.com`` as two
contacts — the migration refuses with the list of them and how to fix them, and changes
nothing: two things a user made are never merged behind their back.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from tagtui.store.columns import CONTACT_KEYS
from tagtui.store.db import Tx
from tagtui.store.errors import DatabaseRefused
from tagtui.store.identity import INVISIBLE, contact_keys, slugify, text_key

#: Rows read per query, so that a million contacts never sit in memory at once.
PAGE = 5000
#: How many colliding pairs the refusal lists (all are counted).
SHOWN = 10


@dataclass(frozen=True)
class _Table:
    name: str
    what: str  # as a person says it
    plural: str
    columns: tuple[str, ...]  # the source columns, then the key columns, as read
    unique: str  # the key column that is unique per workspace
    derive: Callable[[dict[str, Any]], dict[str, Any]]
    fix: str  # how to make two of them differ


def _tag_keys(row: dict[str, Any]) -> dict[str, Any]:
    return {"name_key": text_key(row["name"]), "slug": slugify(row["name"], "tag") or row["slug"]}


def _status_keys(row: dict[str, Any]) -> dict[str, Any]:
    return {"slug": slugify(row["name"], "status") or row["slug"]}


def _rule_keys(row: dict[str, Any]) -> dict[str, Any]:
    return {"name_key": text_key(row["name"])}


def _contact_keys(row: dict[str, Any]) -> dict[str, Any]:
    return contact_keys(row["name"], row["email"], row["assignee"], row["company"])


TABLES = (
    _Table(
        "tag",
        "tag",
        "tags",
        ("name", "name_key", "slug"),
        "slug",
        _tag_keys,
        "rename one (tagtui tags update ID --name …) or merge them (tagtui tags merge ID ID)",
    ),
    _Table(
        "status",
        "status",
        "statuses",
        ("name", "slug"),
        "slug",
        _status_keys,
        "rename one (tagtui statuses update ID --name …) or delete one",
    ),
    _Table(
        "rule",
        "rule",
        "rules",
        ("name", "name_key"),
        "name_key",
        _rule_keys,
        "remove one (tagtui rules remove …) and add it again under another name",
    ),
    _Table(
        "contact",
        "contact",
        "contacts",
        ("name", "email", "assignee", "company", *CONTACT_KEYS),
        "email_key",
        _contact_keys,
        "change one's email (tagtui contacts update ID --email …) or delete one",
    ),
)


@dataclass(frozen=True)
class _Changed:
    id: int
    workspace_id: int
    shown: str  # the name (and email) to list in a refusal
    before: str | None  # the unique key now
    keys: dict[str, Any]  # every key column, as it becomes


def rekey_names(tx: Tx, present: set[str]) -> None:
    """Recompute every derived key of the ``present`` tables; DatabaseRefused (nothing
    changed) on a collision."""
    changes: list[tuple[_Table, list[_Changed]]] = []
    collisions: list[str] = []
    workspaces = dict(tx.all("SELECT id, name FROM workspace"))
    for table in TABLES:
        if table.name not in present:
            continue
        changed = list(_changed_rows(tx, table))
        collisions += _collisions(tx, table, changed, workspaces)
        changes.append((table, changed))
    if collisions:
        shown = "; ".join(collisions[:SHOWN])
        more = f" (and {len(collisions) - SHOWN} more)" if len(collisions) > SHOWN else ""
        fixes = "; ".join(f"for {t.plural}, {t.fix}" for t, _ in changes if _has(t, collisions))
        raise DatabaseRefused(
            f"cannot upgrade this database to schema 3: {len(collisions)} pair(s) of names look alike"
            f" and would become one under the new Unicode rules (SPEC §7), which tagtui never does"
            f" silently: {shown}{more}. Open the database with the tagtui that wrote it and {fixes};"
            " then open it here again. Nothing was changed"
        )
    for table, changed in changes:
        _apply(tx, table, changed)


def _has(table: _Table, collisions: Sequence[str]) -> bool:
    return any(c.startswith(f"{table.what} ") for c in collisions)


def _changed_rows(tx: Tx, table: _Table) -> Iterator[_Changed]:
    """The rows whose keys change, read a page at a time in id order."""
    columns = ", ".join(table.columns)
    after = 0
    while True:
        rows = tx.all(
            f"SELECT id, workspace_id, {columns} FROM {table.name}"
            f" WHERE id > :after ORDER BY id LIMIT {PAGE}",
            {"after": after},
        )
        if not rows:
            return
        for ident, workspace_id, *values in rows:
            row = dict(zip(table.columns, values, strict=True))
            keys = table.derive(row)
            if any(row[k] != v for k, v in keys.items()):
                shown = _shown(row["name"], row.get("email"))
                yield _Changed(ident, workspace_id, shown, row[table.unique], keys)
        after = rows[-1][0]


def _collisions(tx: Tx, table: _Table, changed: list[_Changed], workspaces: dict[int, str]) -> list[str]:
    """Each pair of rows (at least one of them changed) that would share the unique key."""
    moved = [c for c in changed if c.keys[table.unique] is not None and c.keys[table.unique] != c.before]
    if not moved:
        return []
    ids = {c.id for c in changed}
    found: list[str] = []
    # Among the changed rows.
    first: dict[tuple[int, str], _Changed] = {}
    for c in sorted(changed, key=lambda c: c.id):
        key = c.keys[table.unique]
        if key is None:
            continue
        other = first.setdefault((c.workspace_id, key), c)
        if other is not c:
            found.append(_pair(table, other.id, other.shown, c.id, c.shown, key, workspaces[c.workspace_id]))
    # With a row that keeps its key.
    for start in range(0, len(moved), 500):
        part = moved[start : start + 500]
        marks = ", ".join(f":k{i}" for i in range(len(part)))
        params = {f"k{i}": c.keys[table.unique] for i, c in enumerate(part)}
        email = ", email" if table.name == "contact" else ", NULL"
        rows = tx.all(
            f"SELECT id, workspace_id, name{email}, {table.unique} FROM {table.name}"
            f" WHERE {table.unique} IN ({marks})",
            params,
        )
        owners = {(ws, key): (ident, name, mail) for ident, ws, name, mail, key in rows if ident not in ids}
        for c in part:
            owner = owners.get((c.workspace_id, c.keys[table.unique]))
            if owner is not None:
                kept = _shown(owner[1], owner[2])
                found.append(
                    _pair(
                        table, owner[0], kept, c.id, c.shown, c.keys[table.unique], workspaces[c.workspace_id]
                    )
                )
    return found


def _shown(name: str, email: str | None) -> str:
    """A name (and email) with what makes two look-alikes differ spelled out (``e\\u0301``)."""
    return _visible(name) + (f" {_visible(email)}" if email else "")


def _visible(text: str) -> str:
    """``repr`` with combining marks, format characters and variation selectors escaped."""
    return "'" + "".join(_escaped(ch) for ch in text) + "'"


def _escaped(ch: str) -> str:
    if unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc") or INVISIBLE.match(ch):
        return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
    return ch


def _pair(table: _Table, a: int, a_shown: str, b: int, b_shown: str, key: str, workspace: str) -> str:
    return (
        f"{table.what} {a_shown} (id {a}) and {table.what} {b_shown} (id {b})"
        f" in workspace {workspace!r} ({table.unique} {key!r})"
    )


def _apply(tx: Tx, table: _Table, changed: list[_Changed]) -> None:
    if not changed:
        return
    # Two steps, so that rows swapping keys never meet in the unique index: first each moved
    # row gets a placeholder no real key can be (slugs have no '~', emails have an '@').
    moving = [c for c in changed if c.keys[table.unique] != c.before]
    tx.executemany(
        f"UPDATE {table.name} SET {table.unique} = :placeholder WHERE id = :id",
        [{"id": c.id, "placeholder": f"~rekey\x1f{c.id}"} for c in moving],
    )
    columns = list(changed[0].keys)
    sets = ", ".join(f"{col} = :{col}" for col in columns)
    tx.executemany(
        f"UPDATE {table.name} SET {sets} WHERE id = :id",
        [{"id": c.id, **c.keys} for c in changed],
    )
