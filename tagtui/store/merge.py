"""Merging contacts: one kept, the others folded into it and deleted, nothing lost, one undo step.

The kept contact's set fields stay (or the value chosen per field); its blank fields are
filled from the others in the order given; tags are the union; the status furthest along
the pipeline wins; notes are joined; every other value that differs is kept in the notes
as a labelled line ("Also email: x@y"). The others are deleted as ``delete_contacts``
deletes (their rows, tags and statuses noted for undo), then the kept contact changes
(a ``contact.merged`` event with its fields before and after): undo puts every contact
back as it was, ids, fields, tags, status and history.

What follows the kept contact:

- Saved views and rules: their queries name tags, statuses, assignees, follower counts and
  free text, and a rule's actions tag and status ids; the query language has no contact id
  (``id:`` is an unknown field), so nothing in them names a merged contact. The kept contact
  has the union of the tags and the furthest status, so a tag or status term that matched a
  merged contact matches the kept one (unless it is a negation the kept contact fails).
- "Not duplicates" pairs (``duplicate_ignore``): a merged contact said not to be a duplicate
  of X makes the kept contact not a duplicate of X either. The new pairs are listed in the
  ``contact.merged`` event (``ignored``), so undo takes them away and redo adds them again;
  the merged contacts' own pairs stay, for when undo brings them back.
- Sync links (``sync_item``): a merged contact's card in an address book links to the kept
  contact, so the next sync writes the merged contact there, unless the kept contact already
  has a card in that address book: then the merged contact's card stays linked to the gone
  contact and the next sync deletes it there, as for any contact deleted here (one person,
  one card). The links moved are in the ``contact.merged`` event (``synced``, item and
  contact ids), so undo links them back and redo again.
- History: the events of merged contacts are not rewritten (undo and the journal name them
  by their ids); ``history(contact=KEEP)`` reads them with the kept contact's own, for as
  long as the merge holds (see ``_merged_into``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagtui.store.base import StoreBase, as_id, as_refs
from tagtui.store.contacts import CONTACT_FIELDS, key_columns
from tagtui.store.db import IntegrityViolation, Tx
from tagtui.store.errors import Conflict, ValidationError
from tagtui.store.schema import now
from tagtui.store.types import Contact, JsonRecord
from tagtui.store.validation import NOTES_MAX

if TYPE_CHECKING:
    from tagtui.store.store import Store

#: The fields a merge chooses one value of; the others' different values go to the notes.
MERGED_FIELDS = ("name", "email", "company", "phone", "assignee", "followers")
LABELS = {
    "name": "Also name",
    "email": "Also email",
    "company": "Also company",
    "phone": "Also phone",
    "assignee": "Also assignee",
    "followers": "Also followers",
}
MERGE_MAX = 50


@dataclass(frozen=True)
class MergeResult(JsonRecord):
    """The kept contact after the merge, the ids merged into it, and the lines its notes gained."""

    contact: Contact
    merged: tuple[int, ...]
    kept_in_notes: tuple[str, ...]


def _blank(field: str, value: Any) -> bool:
    return value is None or value == "" or (field == "followers" and value == 0)


def _same(field: str, a: Any, b: Any, region: str | None) -> bool:
    """Whether two values of a field are one value written two ways (nothing to keep)."""
    from tagtui.store.matching import company_key, email_key, fold, phone_key

    if field == "email":
        return email_key(a) == email_key(b)
    if field == "phone":
        return phone_key(a, region) == phone_key(b, region)
    if field == "company":
        return company_key(a) == company_key(b)
    if field in ("name", "assignee"):
        return " ".join(fold(a).split()) == " ".join(fold(b).split())
    return bool(a == b)


def plan_fields(
    contacts: Sequence[Contact], choose: Mapping[str, int], region: str | None
) -> tuple[dict[str, Any], list[str]]:
    """The merged contact's fields (``contacts[0]`` is the kept one) and the labelled lines
    its notes gain. ``choose`` names, per field, the contact whose value to keep."""
    by_id = {c.id: c for c in contacts}
    values: dict[str, Any] = {}
    also: list[str] = []
    for field in MERGED_FIELDS:
        if field in choose:
            chosen = getattr(by_id[choose[field]], field)
        else:
            chosen = next(
                (getattr(c, field) for c in contacts if not _blank(field, getattr(c, field))),
                getattr(contacts[0], field),
            )
        values[field] = chosen
        kept: list[Any] = [] if _blank(field, chosen) else [chosen]
        for c in contacts:
            value = getattr(c, field)
            if _blank(field, value) or any(_same(field, value, k, region) for k in kept):
                continue
            kept.append(value)
            also.append(f"{LABELS[field]}: {value}")
    notes: list[str] = []
    for c in contacts:
        text = (c.notes or "").strip()
        if text and text not in notes:
            notes.append(text)
    body = "\n\n".join(notes)
    if also:
        body = (body + "\n\n" if body else "") + "\n".join(also)
    values["notes"] = body or None
    return values, also


class MergeService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions, ``store`` the whole store, through which it reaches the parts it is not given."""

    def __init__(self, core: StoreBase, store: Store) -> None:
        self._core = core
        self._store = store

    def merge_contacts(
        self,
        keep: int | str,
        others: Sequence[int | str],
        *,
        choose: Mapping[str, int | str] | None = None,
    ) -> MergeResult:
        """Merge ``others`` into ``keep`` (see the module doc) in one transaction and one undo step.

        ``choose`` maps a field (name, email, company, phone, assignee, followers) to the
        contact whose value the merged contact takes; the values it replaces go to the notes.
        """
        others = as_refs(others, "contact")
        if not others:
            raise ValidationError("name at least one contact to merge into the kept one", field="contact")
        if len(others) >= MERGE_MAX:
            raise ValidationError(f"merge at most {MERGE_MAX} contacts at once", field="contact")
        choose = dict(choose or {})
        unknown = set(choose) - set(MERGED_FIELDS)
        if unknown:
            raise ValidationError(
                f"cannot choose {sorted(unknown)[0]!r}: choose one of {', '.join(MERGED_FIELDS)}",
                field="choose",
            )

        def run(tx: Tx) -> MergeResult:
            keep_id = self._core._contact_id(tx, keep)
            other_ids = self._core._contact_ids(tx, others)
            if keep_id in other_ids:
                raise ValidationError("a contact cannot be merged into itself", field="contact")
            ids = [keep_id, *other_ids]
            cond, params = self._core.db.in_list("c.id", "ids", ids)
            tx.lock("contact c", cond, params)
            contacts = [self._store._contact_ops._load_contact(tx, i) for i in ids]
            chosen: dict[str, int] = {}
            for field, ref in choose.items():
                ident = as_id(ref)
                if ident not in ids:
                    raise ValidationError(
                        f"the {field} must come from one of the merged contacts, not {ref}", field="choose"
                    )
                chosen[field] = ident
            settings = self._core._settings(tx)
            values, also = plan_fields(contacts, chosen, settings.phone_region)
            if values["notes"] and len(values["notes"]) > NOTES_MAX:
                raise ValidationError(
                    f"the merged notes would be {len(values['notes']):,} characters (at most"
                    f" {NOTES_MAX:,}); shorten the contacts' notes first; nothing was changed",
                    field="notes",
                )
            kept = contacts[0]
            ignored = self._follow_ignored(tx, keep_id, other_ids)
            synced = self._follow_sync_links(tx, keep_id, other_ids)
            self._store._contact_ops._delete_contacts(tx, other_ids)
            changed = {k: v for k, v in values.items() if getattr(kept, k) != v}
            if changed:
                merged = {k: getattr(kept, k) for k in CONTACT_FIELDS} | changed
                columns = {**changed, **key_columns(merged)}
                sets = ", ".join(f"{c} = :{c}" for c in columns)
                try:
                    tx.execute(
                        f"UPDATE contact SET {sets}, updated_at = :at, rev = rev + 1 WHERE id = :id",
                        {**columns, "at": now(), "id": keep_id},
                    )
                except IntegrityViolation as exc:
                    raise Conflict("another contact already has that email", field="email") from exc
            self._core._event(
                tx,
                "contact.merged",
                "contact",
                keep_id,
                before={k: getattr(kept, k) for k in changed},
                after=changed,
                merged=other_ids,
                **({"ignored": ignored} if ignored else {}),
                **({"synced": synced} if synced else {}),
            )
            tags = {t.id for c in contacts for t in c.tags}
            missing = sorted(tags - {t.id for t in kept.tags})
            if missing:
                self._store._contact_ops._change_tags(tx, keep_id, missing, [])
            status = self._furthest_status(tx, [c.status_id for c in contacts])
            if status != kept.status_id:
                self._store._contact_ops._set_status(tx, keep_id, status)
            what = f"contact {contacts[1].name}" if len(other_ids) == 1 else f"{len(other_ids)} contacts"
            self._core._label(tx, "contacts.merged", f"Merged {what} into {values['name']}")
            return MergeResult(
                self._store._contact_ops._load_contact(tx, keep_id), tuple(other_ids), tuple(also)
            )

        return self._core._write(run)

    def preview_merge(
        self,
        keep: int | str,
        others: Sequence[int | str],
        *,
        choose: Mapping[str, int | str] | None = None,
    ) -> MergeResult:
        """What ``merge_contacts`` would make, from a rehearsal that is rolled back."""
        with self._core.db.rehearsal():
            return self.merge_contacts(keep, others, choose=choose)

    def _follow_ignored(self, tx: Tx, keep_id: int, other_ids: Sequence[int]) -> list[list[int]]:
        """Add (keep, X) to the "not duplicates" pairs for every (merged, X); return the new pairs."""
        merged = {keep_id, *other_ids}
        low, params = self._core.db.in_list("low_id", "ids", list(other_ids))
        high, _ = self._core.db.in_list("high_id", "ids", list(other_ids))
        rows = tx.all(
            f"SELECT low_id, high_id FROM duplicate_ignore WHERE workspace_id = :ws AND ({low} OR {high})",
            self._core._params(**params),
        )
        strangers = {b if a in merged else a for a, b in rows} - merged
        if not strangers:
            return []
        have = {
            (r[0], r[1])
            for r in tx.all(
                "SELECT low_id, high_id FROM duplicate_ignore WHERE workspace_id = :ws"
                " AND (low_id = :k OR high_id = :k)",
                self._core._params(k=keep_id),
            )
        }
        pairs = sorted({(min(x, keep_id), max(x, keep_id)) for x in strangers} - have)
        self._ignored_pairs(tx, [list(p) for p in pairs], add=True)
        return [list(p) for p in pairs]

    def _follow_sync_links(self, tx: Tx, keep_id: int, other_ids: Sequence[int]) -> list[list[int]]:
        """Link the merged contacts' cards to ``keep_id`` (one per address book, the kept
        contact's own first, then in the order given); return ``[item id, merged id]`` pairs."""
        ids = [keep_id, *other_ids]
        cond, params = self._core.db.in_list("i.contact_id", "ids", ids)
        rows = tx.all(
            "SELECT i.id, i.source_id, i.contact_id FROM sync_item i JOIN sync_source s ON s.id = i.source_id"
            f" WHERE s.workspace_id = :ws AND {cond}",
            self._core._params(**params),
        )
        rank = {cid: n for n, cid in enumerate(ids)}
        linked: set[int] = set()
        moved: list[list[int]] = []
        for item, source, contact in sorted(rows, key=lambda r: (rank[r[2]], r[0])):
            if source in linked:
                continue  # the kept contact has a card there: this one goes with its contact
            linked.add(source)
            if contact != keep_id:
                moved.append([item, contact])
        self._sync_links(tx, moved, keep_id, back=False)
        return moved

    def _sync_links(self, tx: Tx, moved: Sequence[Sequence[int]], keep_id: int, *, back: bool) -> None:
        """Link cards to the kept contact (a merge, its redo) or back to the merged ones (undo)."""
        if moved:
            tx.executemany(
                "UPDATE sync_item SET contact_id = :to WHERE id = :item AND contact_id = :from",
                [
                    {"item": item, "from": keep_id if back else merged, "to": merged if back else keep_id}
                    for item, merged in moved
                ],
            )

    def _ignored_pairs(self, tx: Tx, pairs: Sequence[Sequence[int]], *, add: bool) -> None:
        """Insert (``add``) or delete "not duplicates" pairs: a merge, or its undo and redo."""
        if not pairs:
            return
        if add:
            stamp = now()
            tx.executemany(
                "INSERT INTO duplicate_ignore (workspace_id, low_id, high_id, created_at)"
                " VALUES (:ws, :lo, :hi, :at) ON CONFLICT DO NOTHING",
                [self._core._params(lo=lo, hi=hi, at=stamp) for lo, hi in pairs],
            )
        else:
            tx.executemany(
                "DELETE FROM duplicate_ignore WHERE workspace_id = :ws AND low_id = :lo AND high_id = :hi",
                [self._core._params(lo=lo, hi=hi) for lo, hi in pairs],
            )

    def _merged_into(self, tx: Tx, keep_id: int) -> dict[int, int]:
        """The contacts merged into ``keep_id`` (and into those, and so on), each with the
        contact it was merged into, for the merges that hold now: a merge whose step is
        undone does not, nor one whose merged contact exists again."""
        out: dict[int, int] = {}
        frontier = [keep_id]
        while frontier:
            cond, params = self._core.db.in_list("e.subject_id", "ids", frontier)
            rows = tx.all(
                "SELECT e.subject_id, e.payload FROM event e JOIN step st ON st.id = e.step_id"
                f" WHERE e.workspace_id = :ws AND e.subject_type = 'contact' AND {cond}"
                " AND e.kind = 'contact.merged' AND st.state <> 'undone'",
                self._core._params(**params),
            )
            found = {
                int(i): sid
                for sid, payload in rows
                for i in json.loads(payload).get("merged") or ()
                if int(i) != keep_id and int(i) not in out
            }
            if found:
                cond, params = self._core.db.in_list("id", "ids", sorted(found))
                for (back,) in tx.all(f"SELECT id FROM contact WHERE {cond}", params):
                    found.pop(back, None)
            out |= found
            frontier = sorted(found)
        return out

    def _furthest_status(self, tx: Tx, status_ids: Sequence[int | None]) -> int | None:
        present = sorted({s for s in status_ids if s is not None})
        if not present:
            return None
        cond, params = self._core.db.in_list("id", "ids", present)
        row = tx.one(f"SELECT id FROM status WHERE {cond} ORDER BY position DESC, id LIMIT 1", params)
        return None if row is None else row[0]
