"""The store's shared machinery: the workspace it is bound to, transactions, lookups, events."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from tagtui.query.compile import Compiled, compile_filter
from tagtui.query.filter import Filter
from tagtui.store.db import Database, IntegrityViolation, Tx
from tagtui.store.errors import NotFound, ValidationError
from tagtui.store.rules import slugify
from tagtui.store.schema import now
from tagtui.store.types import Settings, TagRef

T = TypeVar("T")


class _Unset:
    """Marks an argument that was not given (``None`` is a value: it clears)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()

#: A selection of contacts for a bulk change: a filter, or explicit contact ids.
Selection = Filter | Sequence[int]

TAG_COLUMNS = "t.id, t.name, t.slug, t.color, t.emoji, t.description, t.created_at, t.updated_at, t.rev"
STATUS_COLUMNS = "s.id, s.name, s.slug, s.color, s.position, s.created_at, s.updated_at, s.rev"


def is_id(ref: object) -> bool:
    if isinstance(ref, bool):
        return False
    if isinstance(ref, int):
        return ref >= 0
    return isinstance(ref, str) and ref.strip().isascii() and ref.strip().isdigit()


def as_id(ref: object) -> int | None:
    """``ref`` as an id if it looks like one and fits an SQL integer."""
    if not is_id(ref):
        return None
    value = int(str(ref).strip())
    return value if value < 2**63 else None


class StoreBase:
    """A workspace of a database. Every public method is one transaction."""

    def __init__(self, db: Database, workspace_id: int, workspace_name: str) -> None:
        self.db = db
        self.workspace_id = workspace_id
        self.workspace_name = workspace_name

    # -- transactions --------------------------------------------------------------

    def _read(self, fn: Callable[[Tx], T]) -> T:
        return self.db.run(fn, write=False)

    def _write(self, fn: Callable[[Tx], T]) -> T:
        # A constraint that fails here was not foreseen by the operation's own checks: a
        # concurrent writer (on PostgreSQL) deleted or created a row meanwhile. Everything was
        # rolled back; once more, the checks see that writer's rows and say what is wrong.
        # (Inside an outer transaction the outer operation decides: it is rolled back anyway.)
        for attempt in range(3):
            try:
                return self.db.run(fn, write=True)
            except IntegrityViolation:
                if attempt == 2 or self.db.in_transaction:
                    raise
        raise AssertionError("unreachable")

    def _params(self, **extra: Any) -> dict[str, Any]:
        return {"ws": self.workspace_id, **extra}

    # -- settings -------------------------------------------------------------------

    def _settings(self, tx: Tx) -> Settings:
        row = tx.one(
            "SELECT name, max_tags_per_contact, bulk_limit FROM workspace WHERE id = :ws",
            self._params(),
        )
        assert row is not None
        return Settings(workspace=row[0], max_tags_per_contact=row[1], bulk_limit=row[2])

    # -- lookups --------------------------------------------------------------------

    def _tag_id(self, tx: Tx, ref: int | str) -> int:
        """A tag by id, name or slug (an id match wins); NotFound otherwise."""
        found = self._find_tag_id(tx, ref)
        if found is None:
            raise NotFound(f"no tag {_show(ref)} in workspace {self.workspace_name!r}", field="tag")
        return found

    def _find_tag_id(self, tx: Tx, ref: int | str) -> int | None:
        return self._find_label_id(tx, "tag", ref)

    def _status_id(self, tx: Tx, ref: int | str) -> int:
        found = self._find_label_id(tx, "status", ref)
        if found is None:
            raise NotFound(f"no status {_show(ref)} in workspace {self.workspace_name!r}", field="status")
        return found

    def _find_label_id(self, tx: Tx, table: str, ref: int | str) -> int | None:
        ident = as_id(ref)
        if ident is not None:
            row = tx.one(
                f"SELECT id FROM {table} WHERE id = :id AND workspace_id = :ws", self._params(id=ident)
            )
            if row:
                return row[0]
        if not isinstance(ref, str):
            return None
        slug = slugify(ref.strip())
        if not slug:
            return None
        return tx.scalar(
            f"SELECT id FROM {table} WHERE workspace_id = :ws AND slug = :slug",
            self._params(slug=slug),
        )

    def _contact_id(self, tx: Tx, ref: int | str) -> int:
        """A contact by id or email (case-insensitive); NotFound otherwise."""
        found = self._find_contact_id(tx, ref)
        if found is None:
            raise NotFound(f"no contact {_show(ref)} in workspace {self.workspace_name!r}", field="contact")
        return found

    def _find_contact_id(self, tx: Tx, ref: int | str) -> int | None:
        ident = as_id(ref)
        if ident is not None:
            row = tx.one(
                "SELECT id FROM contact WHERE id = :id AND workspace_id = :ws", self._params(id=ident)
            )
            if row:
                return row[0]
        if isinstance(ref, str) and ref.strip():
            return tx.scalar(
                "SELECT id FROM contact WHERE workspace_id = :ws AND email_key = :key",
                self._params(key=ref.strip().lower()),
            )
        return None

    def _contact_ids(self, tx: Tx, refs: Iterable[int | str]) -> list[int]:
        """Every ref resolved, in order, duplicates dropped; NotFound names the missing ones."""
        ids: list[int] = []
        missing: list[str] = []
        seen: set[int] = set()
        for ref in refs:
            found = self._find_contact_id(tx, ref)
            if found is None:
                missing.append(_show(ref))
            elif found not in seen:
                seen.add(found)
                ids.append(found)
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise NotFound(
                f"no contact {shown} in workspace {self.workspace_name!r}; nothing was changed",
                field="contact",
            )
        return ids

    def _tag_refs(self, tx: Tx, contact_id: int) -> tuple[TagRef, ...]:
        rows = tx.all(
            "SELECT t.id, t.name, t.slug, t.color, t.emoji FROM contact_tag ct"
            " JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id = :cid ORDER BY t.name_key, t.id",
            {"cid": contact_id},
        )
        return tuple(TagRef(*r) for r in rows)

    # -- filters -------------------------------------------------------------------

    def _compile(self, tx: Tx, f: Filter) -> Compiled:
        # In a query a tag or status is named by its name or slug (never its id).
        def resolver(table: str) -> Callable[[str], int]:
            def resolve(value: str) -> int:
                found = tx.scalar(
                    f"SELECT id FROM {table} WHERE workspace_id = :ws AND slug = :slug",
                    self._params(slug=slugify(value)),
                )
                if found is None:
                    raise ValidationError(f"unknown {table} {value!r} in query", field="query")
                return found

            return resolve

        return compile_filter(f, tag_id=resolver("tag"), status_id=resolver("status"))

    def _selection(self, tx: Tx, selection: Selection) -> tuple[str, dict[str, Any]]:
        """A condition on ``contact c`` for a filter or a list of contact ids.

        Every id must be a contact of this workspace: one that is not is NotFound (SPEC §2),
        checked in one statement however long the list.
        """
        if isinstance(selection, str | bytes):
            raise ValidationError("a selection is a filter or a list of contact ids", field="selection")
        if isinstance(selection, list | tuple):
            ids: list[int] = []
            for ref in selection:
                ident = as_id(ref)
                if ident is None:
                    raise NotFound(
                        f"no contact {_show(ref)} in workspace {self.workspace_name!r}", field="contact"
                    )
                ids.append(ident)
            sql, params = self.db.in_list("c.id", "sel", ids)
            where, params = f"c.workspace_id = :ws AND {sql}", self._params(**params)
            found = {r[0] for r in tx.all(f"SELECT c.id FROM contact c WHERE {where}", params)}
            missing = [str(i) for i in dict.fromkeys(ids) if i not in found]
            if missing:
                shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
                raise NotFound(
                    f"no contact {shown} in workspace {self.workspace_name!r}; nothing was changed",
                    field="contact",
                )
            return where, params
        compiled = self._compile(tx, selection)  # type: ignore[arg-type]
        return f"c.workspace_id = :ws AND {compiled.sql}", self._params(**compiled.params)

    # -- events --------------------------------------------------------------------

    def _event(self, tx: Tx, kind: str, subject_type: str, subject_id: int | None, **payload: Any) -> None:
        tx.execute(
            "INSERT INTO event (workspace_id, at, kind, subject_type, subject_id, payload)"
            " VALUES (:ws, :at, :kind, :st, :sid, :payload)",
            self._params(
                at=now(),
                kind=kind,
                st=subject_type,
                sid=subject_id,
                payload=json.dumps(payload, ensure_ascii=False),
            ),
        )

    def _events(
        self, tx: Tx, kind: str, subject_type: str, items: Sequence[tuple[int, dict[str, Any]]]
    ) -> None:
        at = now()
        tx.executemany(
            "INSERT INTO event (workspace_id, at, kind, subject_type, subject_id, payload)"
            " VALUES (:ws, :at, :kind, :st, :sid, :payload)",
            [
                self._params(
                    at=at, kind=kind, st=subject_type, sid=sid, payload=json.dumps(p, ensure_ascii=False)
                )
                for sid, p in items
            ],
        )


def as_refs(value: object, field: str) -> list[Any]:
    """A list of references as given; a lone string is refused, not read letter by letter."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"{field} must be a list, not {type(value).__name__}", field=field)
    return list(value)


def _show(ref: object) -> str:
    text = str(ref)
    if len(text) > 60:
        text = text[:57] + "…"
    return repr(text) if not is_id(ref) else text
