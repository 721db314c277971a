"""Contacts: create, edit, delete, list by filter; and every way tags and statuses reach them."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from tagtui.query.filter import EVERYTHING, Filter
from tagtui.store.base import UNSET, Selection, StoreBase, as_id, as_refs
from tagtui.store.db import IntegrityViolation, Tx
from tagtui.store.errors import Conflict, NotFound, ValidationError
from tagtui.store.rules import (
    ASSIGNEE_MAX,
    COMPANY_MAX,
    CONTACT_NAME_MAX,
    NOTES_MAX,
    PHONE_MAX,
    check_limit,
    clean_email,
    clean_followers,
    clean_label_name,
    clean_text,
)
from tagtui.store.schema import now
from tagtui.store.types import (
    BulkResult,
    Contact,
    ContactRow,
    Event,
    Page,
    TagChange,
    TagRef,
)

LIST_COLUMNS = (
    "c.id, c.name, c.email, c.company, c.phone, c.assignee, c.followers, s.name,"
    " c.status_id, s.color, c.name_key"
)
FULL_COLUMNS = LIST_COLUMNS + ", c.notes, c.created_at, c.updated_at, c.rev"
CONTACT_FIELDS = ("name", "email", "company", "phone", "assignee", "followers", "notes")


def search_key(name: str, email: str | None, company: str | None) -> str:
    """The text free-text search looks in (see ``models.ContactRow.search``)."""
    return "\x1f".join((name.lower(), (email or "").lower(), (company or "").lower()))


def clean_contact_fields(fields: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Validate the given contact fields; blank optional text becomes ``None``."""
    out: dict[str, Any] = {}
    if creating or "name" in fields:
        out["name"] = clean_text(fields.get("name"), field="name", limit=CONTACT_NAME_MAX, required=True)
    if "email" in fields:
        out["email"] = clean_email(fields["email"])
    for key, limit in (
        ("company", COMPANY_MAX),
        ("phone", PHONE_MAX),
        ("assignee", ASSIGNEE_MAX),
        ("notes", NOTES_MAX),
    ):
        if key in fields:
            out[key] = clean_text(fields[key], field=key, limit=limit)
    if "followers" in fields:
        out["followers"] = clean_followers(fields["followers"])
    return out


class ContactOps(StoreBase):
    # -- reading ---------------------------------------------------------------------

    def list_contacts(
        self,
        query: Filter = EVERYTHING,
        *,
        limit: int = 100,
        offset: int = 0,
        after: tuple[str, int] | None = None,
        with_total: bool = True,
    ) -> Page:
        """One page of the contacts ``query`` selects, by name, and how many it selects.

        ``after`` (a row's ``(name_key, id)``) pages by keyset instead of offset.
        """
        check_limit(limit, offset)

        def run(tx: Tx) -> Page:
            where, params = self._selection(tx, query)
            if after is not None:
                where += " AND (c.name_key > :after_key OR (c.name_key = :after_key AND c.id > :after_id))"
                params.update(after_key=after[0], after_id=int(after[1]))
            rows = tx.all(
                f"SELECT {LIST_COLUMNS} FROM contact c LEFT JOIN status s ON s.id = c.status_id"
                f" WHERE {where} ORDER BY c.name_key, c.id LIMIT :limit OFFSET :offset",
                {**params, "limit": limit, "offset": offset},
            )
            tags = self._tags_of(tx, [r[0] for r in rows])
            total = -1
            if with_total:
                total = self._count(tx, query)
            return Page(total, tuple(_row(r, tags.get(r[0], ())) for r in rows), limit, offset)

        return self._read(run)

    def count_contacts(self, query: Filter = EVERYTHING) -> int:
        """How many contacts ``query`` selects (each counted once)."""
        return self._read(lambda tx: self._count(tx, query))

    def _count(self, tx: Tx, query: Filter) -> int:
        where, params = self._selection(tx, query)
        return tx.scalar(f"SELECT COUNT(*) FROM contact c WHERE {where}", params)

    def iter_contacts(self, query: Filter = EVERYTHING, *, batch: int = 2000) -> Iterator[ContactRow]:
        """Every contact ``query`` selects, by name, streamed a batch at a time."""
        after: tuple[str, int] | None = None
        while True:
            page = self.list_contacts(query, limit=min(batch, 1000), after=after, with_total=False)
            yield from page.rows
            if len(page.rows) < page.limit:
                return
            last = page.rows[-1]
            after = (last.name_key, last.id)

    def _tags_of(self, tx: Tx, contact_ids: Sequence[int]) -> dict[int, tuple[TagRef, ...]]:
        if not contact_ids:
            return {}
        cond, params = self.db.in_list("ct.contact_id", "ids", list(contact_ids))
        out: dict[int, list[TagRef]] = {}
        for cid, *tag in tx.all(
            "SELECT ct.contact_id, t.id, t.name, t.slug, t.color, t.emoji FROM contact_tag ct"
            f" JOIN tag t ON t.id = ct.tag_id WHERE {cond} ORDER BY t.name_key, t.id",
            params,
        ):
            out.setdefault(cid, []).append(TagRef(*tag))
        return {cid: tuple(tags) for cid, tags in out.items()}

    def get_contact(self, ref: int | str) -> Contact:
        """One contact in full, by id or email."""
        return self._read(lambda tx: self._load_contact(tx, self._contact_id(tx, ref)))

    def _load_contact(self, tx: Tx, contact_id: int) -> Contact:
        row = tx.one(
            f"SELECT {FULL_COLUMNS} FROM contact c LEFT JOIN status s ON s.id = c.status_id WHERE c.id = :id",
            {"id": contact_id},
        )
        if row is None:
            raise NotFound(f"no contact {contact_id}", field="contact")
        tags = self._tag_refs(tx, contact_id)
        return Contact(
            *row[:7],
            status=row[7],
            tags=tags,
            status_id=row[8],
            status_color=row[9],
            name_key=row[10],
            notes=row[11],
            created_at=row[12],
            updated_at=row[13],
            rev=row[14],
        )

    # -- writing ---------------------------------------------------------------------

    def add_contact(self, name: str, **fields: Any) -> Contact:
        """A new contact. An email another contact has (any case) is a Conflict."""
        status = fields.pop("status", None)
        tags = fields.pop("tags", ())
        unknown = set(fields) - set(CONTACT_FIELDS)
        if unknown:
            raise ValidationError(f"unknown contact field {sorted(unknown)[0]!r}")
        clean = clean_contact_fields({"name": name, **fields}, creating=True)

        def run(tx: Tx) -> Contact:
            contact_id = self._insert_contact(tx, clean)
            if status is not None:
                self._set_status(tx, contact_id, self._status_id(tx, status))
            if tags:
                self._change_tags(tx, contact_id, [self._tag_id(tx, t) for t in tags], [])
            return self._load_contact(tx, contact_id)

        return self._write(run)

    def _insert_contact(self, tx: Tx, clean: dict[str, Any]) -> int:
        values = {k: clean.get(k) for k in CONTACT_FIELDS}
        values["followers"] = values["followers"] or 0
        self._check_email_free(tx, values["email"], None)
        stamp = now()
        try:
            contact_id = tx.scalar(
                "INSERT INTO contact (workspace_id, name, email, company, phone, assignee, followers,"
                " notes, status_id, name_key, email_key, assignee_key, search, created_at,"
                " updated_at, rev) VALUES (:ws, :name, :email, :company, :phone, :assignee,"
                " :followers, :notes, NULL, :name_key, :email_key, :assignee_key, :search, :at,"
                " :at, 1) RETURNING id",
                self._params(**values, **_keys(values), at=stamp),
            )
        except IntegrityViolation as exc:
            raise Conflict(
                f"a contact with the email {values['email']!r} already exists", field="email"
            ) from exc
        self._event(
            tx, "contact.created", "contact", contact_id, **{k: v for k, v in values.items() if v is not None}
        )
        return contact_id

    def _check_email_free(self, tx: Tx, email: str | None, contact_id: int | None) -> None:
        if email is None:
            return
        other = tx.one(
            "SELECT id, name FROM contact WHERE workspace_id = :ws AND email_key = :key",
            self._params(key=email.lower()),
        )
        if other and other[0] != contact_id:
            raise Conflict(
                f"contact {other[1]!r} (id {other[0]}) already has the email {email!r}",
                field="email",
            )

    def update_contact(self, ref: int | str, *, rev: int | None = None, **fields: Any) -> Contact:
        """Change only the given fields; ``rev`` +1. With ``rev``, only if still at that rev."""
        fields = {k: v for k, v in fields.items() if v is not UNSET}
        unknown = set(fields) - set(CONTACT_FIELDS)
        if unknown:
            raise ValidationError(f"unknown contact field {sorted(unknown)[0]!r}")
        clean = clean_contact_fields(fields, creating=False)

        def run(tx: Tx) -> Contact:
            contact_id = self._contact_id(tx, ref)
            # Derived keys are computed from the row as read: nobody may change it meanwhile.
            tx.lock("contact c", "c.id = :id", {"id": contact_id})
            before = self._load_contact(tx, contact_id)
            if rev is not None and before.rev != rev:
                raise Conflict(
                    f"contact {before.name!r} is at rev {before.rev}, not {rev}: it changed since"
                    " you read it; reload and try again",
                    field="rev",
                )
            if "email" in clean:
                self._check_email_free(tx, clean["email"], contact_id)
            changed = {k: v for k, v in clean.items() if getattr(before, k) != v}
            if not changed:
                return before
            merged = {k: getattr(before, k) for k in CONTACT_FIELDS} | changed
            values = {**changed, **_keys(merged)}
            sets = ", ".join(f"{col} = :{col}" for col in values)
            try:
                tx.execute(
                    f"UPDATE contact SET {sets}, updated_at = :at, rev = rev + 1 WHERE id = :id",
                    {**values, "at": now(), "id": contact_id},
                )
            except IntegrityViolation as exc:
                raise Conflict("another contact already has that email", field="email") from exc
            self._event(
                tx,
                "contact.updated",
                "contact",
                contact_id,
                before={k: getattr(before, k) for k in changed},
                after=changed,
            )
            return self._load_contact(tx, contact_id)

        return self._write(run)

    def delete_contacts(self, refs: Sequence[int | str]) -> int:
        """Delete contacts (all of them or, if one is unknown, none); returns how many."""
        refs = as_refs(refs, "contact")
        if not refs:
            raise ValidationError("name at least one contact to delete", field="contact")

        def run(tx: Tx) -> int:
            ids = self._contact_ids(tx, refs)
            cond, params = self.db.in_list("id", "ids", ids)
            rows = tx.all(f"SELECT id, name, email FROM contact WHERE {cond}", params)
            # contact_tag rows go with them (ON DELETE CASCADE).
            tx.execute(f"DELETE FROM contact WHERE {cond}", params)
            self._events(
                tx, "contact.deleted", "contact", [(r[0], {"name": r[1], "email": r[2]}) for r in rows]
            )
            return len(rows)

        return self._write(run)

    # -- tags on one contact ---------------------------------------------------------

    def change_tags(
        self,
        contact: int | str,
        *,
        add: Sequence[int | str] = (),
        remove: Sequence[int | str] = (),
    ) -> TagChange:
        """Add and remove tags in one call (reference 000); no-ops are fine (001)."""
        add, remove = as_refs(add, "add"), as_refs(remove, "remove")

        def run(tx: Tx) -> TagChange:
            contact_id = self._contact_id(tx, contact)
            add_ids = [self._tag_id(tx, t) for t in add]
            remove_ids = [self._tag_id(tx, t) for t in remove]
            both = set(add_ids) & set(remove_ids)
            if both:
                raise ValidationError("a tag cannot be both added and removed in one change", field="tags")
            return self._change_tags(tx, contact_id, add_ids, remove_ids)

        return self._write(run)

    def _current_tag_ids(self, tx: Tx, contact_id: int) -> set[int]:
        return {
            r[0]
            for r in tx.all("SELECT tag_id FROM contact_tag WHERE contact_id = :cid", {"cid": contact_id})
        }

    def _change_tags(
        self,
        tx: Tx,
        contact_id: int,
        add_ids: Sequence[int],
        remove_ids: Sequence[int],
        *,
        created: Sequence[int] = (),
    ) -> TagChange:
        # The tag limit is checked against the set as read: hold the contact until commit.
        tx.lock("contact c", "c.id = :id", {"id": contact_id})
        current = self._current_tag_ids(tx, contact_id)
        added = [t for t in dict.fromkeys(add_ids) if t not in current]
        removed = [t for t in dict.fromkeys(remove_ids) if t in current]
        after = (current | set(added)) - set(removed)
        self._check_tag_limit(tx, len(after), bool(added))
        stamp = now()
        tx.executemany(
            "INSERT INTO contact_tag (contact_id, tag_id, created_at) VALUES (:cid, :tid, :at)"
            " ON CONFLICT DO NOTHING",
            [{"cid": contact_id, "tid": t, "at": stamp} for t in added],
        )
        tx.executemany(
            "DELETE FROM contact_tag WHERE contact_id = :cid AND tag_id = :tid",
            [{"cid": contact_id, "tid": t} for t in removed],
        )
        if added or removed:
            self._event(
                tx,
                "contact.tags_changed",
                "contact",
                contact_id,
                added=added,
                removed=removed,
                created=list(created),
            )
        return TagChange(
            contact_id, self._tag_refs(tx, contact_id), tuple(added), tuple(removed), tuple(created)
        )

    def _check_tag_limit(self, tx: Tx, count_after: int, adds: bool) -> None:
        limit = self._settings(tx).max_tags_per_contact
        if limit is not None and adds and count_after > limit:
            raise ValidationError(
                f"a contact can have at most {limit} tags; this change would give it"
                f" {count_after}; nothing was changed",
                field="tags",
            )

    def sync_tags(
        self,
        *,
        contact_id: int | str | None = None,
        email: str | None = None,
        names: Sequence[str],
    ) -> TagChange:
        """Make ``names`` the contact's whole tag set, creating tags by slug (reference 002)."""
        if contact_id is None and (email is None or not str(email).strip()):
            raise ValidationError("name the contact by id or by email", field="contact")
        if isinstance(names, str) or not isinstance(names, Sequence):
            raise ValidationError("tags must be a list of names", field="tags")
        wanted: dict[str, str] = {}
        for raw in names:
            name, slug = clean_label_name(raw)
            wanted.setdefault(slug, name)  # the first spelling names a new tag

        def run(tx: Tx) -> TagChange:
            if contact_id is not None:
                # The id wins: an unknown id is NotFound even when the email matches.
                ident = as_id(contact_id)
                found = None
                if ident is not None:
                    found = tx.scalar(
                        "SELECT id FROM contact WHERE id = :id AND workspace_id = :ws", self._params(id=ident)
                    )
                if found is None:
                    raise NotFound(f"no contact with id {contact_id}", field="contact")
                cid = found
            else:
                cid = tx.scalar(
                    "SELECT id FROM contact WHERE workspace_id = :ws AND email_key = :key",
                    self._params(key=str(email).strip().lower()),
                )
                if cid is None:
                    raise NotFound(f"no contact with email {email!r}", field="contact")
            tx.lock("contact c", "c.id = :id", {"id": cid})
            target: list[int] = []
            created: list[int] = []
            for slug, name in wanted.items():
                tag_id, was_created = self._find_or_create_tag(tx, name, slug)  # type: ignore[attr-defined]
                target.append(tag_id)
                if was_created:
                    created.append(tag_id)
            current = self._current_tag_ids(tx, cid)
            remove = [t for t in current if t not in set(target)]
            return self._change_tags(tx, cid, target, sorted(remove), created=created)

        return self._write(run)

    # -- one tag on many contacts (reference 003) -----------------------------------------

    def assign(self, tag: int | str, contacts: Sequence[int | str]) -> BulkResult:
        """Give ``tag`` to 1 to ``bulk_limit`` contacts; all must exist, or nothing changes."""
        return self._bulk(tag, contacts, add=True)

    def unassign(self, tag: int | str, contacts: Sequence[int | str]) -> BulkResult:
        """Take ``tag`` from 1 to ``bulk_limit`` contacts; all must exist, or nothing changes."""
        return self._bulk(tag, contacts, add=False)

    def _bulk(self, tag: int | str, contacts: Sequence[int | str], *, add: bool) -> BulkResult:
        contacts = as_refs(contacts, "contact_ids")

        def run(tx: Tx) -> BulkResult:
            limit = self._settings(tx).bulk_limit
            if not contacts:
                raise ValidationError("name at least one contact", field="contact_ids")
            if len(contacts) > limit:
                raise ValidationError(
                    f"{len(contacts)} contacts in one call; the limit is {limit}"
                    " (see `tagtui settings --bulk-limit`)",
                    field="contact_ids",
                )
            tag_id = self._tag_id(tx, tag)
            ids = self._contact_ids(tx, contacts)
            changed = self._apply_tags(tx, ids, [tag_id] if add else [], [] if add else [tag_id])
            return BulkResult(tag_id, len(ids), changed)

        return self._write(run)

    # -- many tags on many contacts, set-based --------------------------------------------

    def bulk_change_tags(
        self,
        selection: Selection,
        *,
        add: Sequence[int | str] = (),
        remove: Sequence[int | str] = (),
    ) -> dict[str, int]:
        """Add/remove tags on every selected contact (a filter or ids), in set-based SQL.

        Returns how many contacts gained or lost each tag, by tag id (as ``"+id"``/``"-id"``).
        """

        add, remove = as_refs(add, "add"), as_refs(remove, "remove")

        def run(tx: Tx) -> dict[str, int]:
            add_ids = [self._tag_id(tx, t) for t in add]
            remove_ids = [self._tag_id(tx, t) for t in remove]
            if set(add_ids) & set(remove_ids):
                raise ValidationError("a tag cannot be both added and removed in one change", field="tags")
            if not add_ids and not remove_ids:
                raise ValidationError("choose at least one tag to add or remove", field="tags")
            where, params = self._selection(tx, selection)
            return self._apply_tags_where(tx, where, params, add_ids, remove_ids)

        return self._write(run)

    def _apply_tags(self, tx: Tx, ids: list[int], add_ids: list[int], remove_ids: list[int]) -> int:
        cond, params = self.db.in_list("c.id", "sel", ids)
        counts = self._apply_tags_where(
            tx,
            f"c.workspace_id = :ws AND {cond}",
            self._params(**params),
            add_ids,
            remove_ids,
            per_contact_events=True,
        )
        return sum(counts.values())

    def _apply_tags_where(
        self,
        tx: Tx,
        where: str,
        params: dict[str, Any],
        add_ids: Sequence[int],
        remove_ids: Sequence[int],
        *,
        per_contact_events: bool = False,
    ) -> dict[str, int]:
        limit = self._settings(tx).max_tags_per_contact
        if limit is not None and add_ids:
            tx.lock("contact c", where, params)
            add_list = ", ".join(str(int(t)) for t in add_ids)
            # Not "NOT IN (NULL)" when nothing is removed: that is never true and counted no tags.
            remove_list = ", ".join(str(int(t)) for t in remove_ids)
            kept = f" AND x.tag_id NOT IN ({remove_list})" if remove_list else ""
            over = tx.scalar(
                f"SELECT COUNT(*) FROM contact c WHERE {where} AND"
                f" (SELECT COUNT(*) FROM contact_tag x WHERE x.contact_id = c.id{kept})"
                " + (SELECT COUNT(*) FROM tag t WHERE t.id IN"
                f"   ({add_list}) AND NOT EXISTS (SELECT 1 FROM contact_tag y"
                "     WHERE y.contact_id = c.id AND y.tag_id = t.id)) > :lim"
                " AND EXISTS (SELECT 1 FROM tag t WHERE t.id IN"
                f"   ({add_list}) AND NOT EXISTS (SELECT 1 FROM contact_tag y"
                "     WHERE y.contact_id = c.id AND y.tag_id = t.id))",
                {**params, "lim": limit},
            )
            if over:
                raise ValidationError(
                    f"{over} of the selected contacts would have more than {limit} tags; nothing was changed",
                    field="tags",
                )
        stamp = now()
        counts: dict[str, int] = {}
        events: list[tuple[int, dict[str, Any]]] = []
        for tag_id in add_ids:
            if per_contact_events:
                gained = [
                    r[0]
                    for r in tx.all(
                        f"SELECT c.id FROM contact c WHERE {where} AND NOT EXISTS (SELECT 1 FROM"
                        f" contact_tag y WHERE y.contact_id = c.id AND y.tag_id = {int(tag_id)})",
                        params,
                    )
                ]
                events += [(cid, {"added": [tag_id], "removed": []}) for cid in gained]
            n = tx.execute(
                "INSERT INTO contact_tag (contact_id, tag_id, created_at)"
                f" SELECT c.id, {int(tag_id)}, :at FROM contact c WHERE {where}"
                " ON CONFLICT DO NOTHING",
                {**params, "at": stamp},
            ).rowcount
            counts[f"+{tag_id}"] = n
        for tag_id in remove_ids:
            if per_contact_events:
                lost = [
                    r[0]
                    for r in tx.all(
                        f"SELECT c.id FROM contact c WHERE {where} AND EXISTS (SELECT 1 FROM"
                        f" contact_tag y WHERE y.contact_id = c.id AND y.tag_id = {int(tag_id)})",
                        params,
                    )
                ]
                events += [(cid, {"added": [], "removed": [tag_id]}) for cid in lost]
            n = tx.execute(
                f"DELETE FROM contact_tag WHERE tag_id = {int(tag_id)} AND contact_id IN"
                f" (SELECT c.id FROM contact c WHERE {where})",
                params,
            ).rowcount
            counts[f"-{tag_id}"] = n
        if per_contact_events:
            self._events(tx, "contact.tags_changed", "contact", events)
        elif any(counts.values()):
            self._event(
                tx,
                "contacts.tags_changed",
                "workspace",
                None,
                added={k[1:]: v for k, v in counts.items() if k[0] == "+"},
                removed={k[1:]: v for k, v in counts.items() if k[0] == "-"},
            )
        return counts

    # -- statuses on contacts ----------------------------------------------------------

    def set_status(self, contact: int | str, status: int | str | None) -> Contact:
        """Set (or, with ``None``, clear) a contact's status."""

        def run(tx: Tx) -> Contact:
            contact_id = self._contact_id(tx, contact)
            status_id = None if status is None else self._status_id(tx, status)
            self._set_status(tx, contact_id, status_id)
            return self._load_contact(tx, contact_id)

        return self._write(run)

    def _set_status(self, tx: Tx, contact_id: int, status_id: int | None) -> None:
        tx.lock("contact c", "c.id = :id", {"id": contact_id})
        before = tx.scalar("SELECT status_id FROM contact WHERE id = :id", {"id": contact_id})
        if before == status_id:
            return
        tx.execute("UPDATE contact SET status_id = :sid WHERE id = :id", {"sid": status_id, "id": contact_id})
        self._event(tx, "contact.status_changed", "contact", contact_id, before=before, after=status_id)

    def bulk_set_status(self, selection: Selection, status: int | str | None) -> int:
        """Set or clear the status of every selected contact in one statement; returns how many changed."""

        def run(tx: Tx) -> int:
            status_id = None if status is None else self._status_id(tx, status)
            where, params = self._selection(tx, selection)
            differs = (
                "c.status_id IS NOT NULL"
                if status_id is None
                else (f"(c.status_id IS NULL OR c.status_id <> {int(status_id)})")
            )
            n = tx.execute(
                "UPDATE contact SET status_id = :sid WHERE id IN"
                f" (SELECT c.id FROM contact c WHERE {where} AND {differs})",
                {**params, "sid": status_id},
            ).rowcount
            if n:
                self._event(tx, "contacts.status_changed", "workspace", None, after=status_id, contacts=n)
            return n

        return self._write(run)

    # -- history ---------------------------------------------------------------------

    def history(
        self, *, contact: int | str | None = None, tag: int | str | None = None, limit: int = 50
    ) -> list[Event]:
        """The newest events about a contact, a tag, or the whole workspace."""
        check_limit(limit, 0)

        def run(tx: Tx) -> list[Event]:
            where = "workspace_id = :ws"
            params = self._params(limit=limit)
            if contact is not None:
                where += " AND subject_type = 'contact' AND subject_id = :sid"
                params["sid"] = self._contact_id(tx, contact)
            elif tag is not None:
                where += " AND subject_type = 'tag' AND subject_id = :sid"
                params["sid"] = self._tag_id(tx, tag)
            rows = tx.all(
                "SELECT id, at, kind, subject_type, subject_id, payload FROM event"
                f" WHERE {where} ORDER BY id DESC LIMIT :limit",
                params,
            )
            return [Event(*r[:5], payload=json.loads(r[5])) for r in rows]

        return self._read(run)


def _keys(values: dict[str, Any]) -> dict[str, Any]:
    """The derived key columns of a contact's fields."""
    email = values.get("email")
    assignee = values.get("assignee")
    return {
        "name_key": values["name"].lower(),
        "email_key": email.lower() if email else None,
        "assignee_key": assignee.lower() if assignee else None,
        "search": search_key(values["name"], email, values.get("company")),
    }


def _row(r: tuple, tags: tuple[TagRef, ...]) -> ContactRow:
    return ContactRow(*r[:7], status=r[7], tags=tags, status_id=r[8], status_color=r[9], name_key=r[10])
