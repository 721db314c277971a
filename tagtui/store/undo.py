"""Undo and redo: a step (one user action) taken back or done again, in one transaction.

A step's events say which tags, statuses and contacts it created, changed or deleted
(with the whole row of a deleted one); ``step_contact_tag`` and ``step_contact_status``
hold the assignments and statuses it really changed, so a bulk change over 100,000
contacts is taken back by a few set-based statements. Undo runs in four phases, redo in
the mirror order: put back what the step deleted, change back what it edited, restore
assignments and statuses, take away what it created. Anything that cannot be restored
as it was is a Conflict, and the whole transaction is rolled back: never half a step.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tagtui.store import pairs
from tagtui.store.base import (
    CREATES,
    DELETES,
    EDITS,
    IMPORTED,
    KEPT,
    KEPT_CHUNK,
    id_runs_sql,
    workspace_event_sql,
)
from tagtui.store.columns import CONTACT_ROW, CONTACT_ROW_NAMES, TABLES, insert_sql
from tagtui.store.contacts import CONTACT_FIELDS, key_columns, tags_key_from
from tagtui.store.db import IntegrityViolation, Tx
from tagtui.store.errors import Conflict, NotFound
from tagtui.store.identity import email_key, text_key
from tagtui.store.schema import now
from tagtui.store.stored_queries import REWRITTEN
from tagtui.store.types import UndoResult

if TYPE_CHECKING:
    from tagtui.store.base import StoreBase
    from tagtui.store.merge import MergeService
    from tagtui.store.statuses import StatusService
    from tagtui.store.stored_queries import StoredQueryService

#: The kept contact of a merge: edited like ``contact.updated``, but after the merged contacts
#: are gone (and, undone, before they come back), since it may take one of their emails.
MERGED = "contact.merged"

_Event = tuple[str, int | None, dict[str, Any]]


#: Whose newest step ``undo``/``redo`` take: this running UI's, this actor's, or anyone's.
SCOPES = ("session", "actor", "any")
_ALL_ROWS = (*CREATES, *DELETES, *EDITS, MERGED)
#: What a ``KEPT`` event holds of each contact (``"contacts"``: a list of these, in order), and
#: its links (``"tags"``: ``[contact_id, tag_id, created_at]`` each).
_KEPT_COLUMNS = ("id", *CONTACT_FIELDS, "status_id", "created_at", "rev")
_INSERT_KEPT = workspace_event_sql(KEPT)
_LINK_ROW = (("contact_id", "bigint"), ("tag_id", "bigint"), ("created_at", "text"))
#: A kept contact's row as redo writes it: with its ``tags_key``.
_CONTACT_ROW = (*CONTACT_ROW, ("tags_key", "text"))
#: The JSON text of a ``KEPT`` event's payload (one encoder, as ``base`` has).
_JSON = json.JSONEncoder(ensure_ascii=False).encode


class UndoService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions; the services it calls are given too."""

    def __init__(
        self, core: StoreBase, merge: MergeService, statuses: StatusService, stored: StoredQueryService
    ) -> None:
        self._core = core
        self._merge = merge
        self._statuses = statuses
        self._stored = stored

    def undo(self, by: str = "any") -> UndoResult:
        """Take back the newest done step of ``by`` (``session``: this store's running UI,
        ``actor``: this actor, ``any``: the workspace); NotFound ("nothing to undo") when
        there is none. A step that a later change of someone else touched again is refused
        (Conflict) until that change is taken back."""
        return self._core._write(lambda tx: self._travel(tx, back=True, by=by))

    def redo(self, by: str = "any") -> UndoResult:
        """Do again the step of ``by`` undone last; NotFound ("nothing to redo") when there is none."""
        return self._core._write(lambda tx: self._travel(tx, back=False, by=by))

    # -- one step back or forward ----------------------------------------------------

    def _scope(self, by: str) -> tuple[str, dict[str, Any], str]:
        """The condition on ``step`` for ``by``, its parameters, and words for "nothing to …"."""
        if by == "any":
            return "", {}, ""
        if by == "actor":
            # Steps of versions before actors belong to everyone.
            return (
                " AND (actor = :actor OR actor IS NULL)",
                {"actor": self._core.actor},
                f" by {self._core.actor}",
            )
        if by == "session" and self._core.session is not None:
            return " AND session = :session", {"session": self._core.session}, " in this window"
        raise ValueError(f"undo by {by!r}: expected one of {', '.join(SCOPES)} (session needs a session)")

    def _travel(self, tx: Tx, *, back: bool, by: str = "any") -> UndoResult:
        tx.lock("workspace w", "w.id = :ws", self._core._params())
        action = "undo" if back else "redo"
        scope, scope_params, whose = self._scope(by)
        row = tx.one(
            f"SELECT id, kind, summary FROM step WHERE workspace_id = :ws AND state = :state{scope}"
            f" ORDER BY id {'DESC' if back else 'ASC'} LIMIT 1",
            self._core._params(state="done" if back else "undone", **scope_params),
        )
        if row is None:
            raise NotFound(f"nothing to {action}{whose}", field="step")
        step_id, kind, summary = row
        events: list[_Event] = [
            (k, sid, json.loads(payload))
            for k, sid, payload in tx.all(
                # Not the per-contact lines (a demo has millions): undo reads none of them.
                # Nor the contacts an undone import kept: redo reads them a chunk at a time.
                "SELECT kind, subject_id, payload FROM event WHERE step_id = :s"
                f" AND kind NOT IN ('contact.status_changed', 'contact.tags_changed', '{KEPT}') ORDER BY id",
                {"s": step_id},
            )
        ]
        if not summary:  # an operation that did not name its step: say what it did
            summary = self._describe_step(tx, step_id, events)
            tx.execute(
                "UPDATE step SET summary = :summary WHERE id = :id", {"summary": summary, "id": step_id}
            )
        self._check_untouched(tx, step_id, back=back, action=action, summary=summary)
        ordered = list(reversed(events)) if back else events
        counts: Counter[str] = Counter()
        restore, remove = (DELETES, CREATES) if back else (CREATES, DELETES)
        merges = [e for e in ordered if e[0] == MERGED]
        if back:  # a merged contact gives back what it took (an email) before the others return
            for event in merges:
                self._edit_back(tx, event, "before", counts, action)
        self._put_back(tx, step_id, [e for e in ordered if e[0] in restore], counts, action)
        for event in ordered:
            if event[0] in EDITS:
                self._edit_back(tx, event, "before" if back else "after", counts, action)
            elif event[0] == REWRITTEN:  # a view or rule that followed a rename, merge or delete
                self._stored._rewrite_back(
                    tx, event[2].get("stored", ""), event[1], event[2], "before" if back else "after"
                )
        self._assignments(tx, step_id, back=back, counts=counts, action=action)
        self._take_away(tx, step_id, [e for e in ordered if e[0] in remove], counts)
        if not back:  # ... and takes it again once they are gone
            for event in merges:
                self._edit_back(tx, event, "after", counts, action)
        for event in merges:  # the "not duplicates" pairs and the cards the kept contact took over
            keep_id = event[1]
            assert keep_id is not None  # a merge's event is the kept contact's
            self._merge._ignored_pairs(tx, event[2].get("ignored") or (), add=not back)
            self._merge._sync_links(tx, event[2].get("synced") or (), keep_id, back=back)
        # Views and rules that name what came back are whole again; any that name what went are broken.
        self._stored._recheck_stored(tx)
        redoable = not any(e[0] == "demo.generated" for e in events)
        if back and not redoable:
            # Demo contacts are computed, not recorded: undone, they cannot come back, and
            # nothing done after them may be redone either.
            undone = [
                r[0]
                for r in tx.all(
                    "SELECT id FROM step WHERE workspace_id = :ws AND state = 'undone'", self._core._params()
                )
            ]
            self._core._drop_steps(tx, [*undone, step_id])
            # The history it wrote goes with its contacts; the trend tables are made anew.
            tx.execute(
                "DELETE FROM event WHERE step_id = :s AND kind = 'contact.status_changed'", {"s": step_id}
            )
            tx.execute("DELETE FROM trend_state WHERE workspace_id = :ws", self._core._params())
        else:
            tx.execute(
                "UPDATE step SET state = :state WHERE id = :id",
                {"state": "undone" if back else "done", "id": step_id},
            )
        result = UndoResult(
            action=action,
            step_id=step_id,
            kind=kind,
            summary=summary,
            counts={k: counts.get(k, 0) for k in _COUNT_KEYS},
        )
        self._core._event(
            tx,
            action,
            "workspace",
            self._core.workspace_id,
            step=step_id,
            step_kind=kind,
            summary=summary,
            counts=result.counts,
            actor=self._core.actor,
        )
        return result

    def _check_untouched(self, tx: Tx, step_id: int, *, back: bool, action: str, summary: str) -> None:
        """Refuse (Conflict) to undo or redo a step whose rows changed since it was done or undone.

        Undo takes a step back to what it found, and redo does it again over what it left:
        both are true only while no later change (another actor's, another window's) touched
        the same contacts, assignments, tags or statuses, and while the rows still hold what
        the step left (undo) or found (redo). Otherwise the journal would no longer describe
        the database and a later undo would restore the wrong thing.
        """
        later = self._later_step_touching(tx, step_id)
        if later is not None:
            who, what = tx.one("SELECT actor, summary FROM step WHERE id = :id", {"id": later}) or ("", "")
            by = f" by {who}" if who else ""
            raise Conflict(
                f"cannot {action} {summary!r}: a later change{by} ({what or 'change'}) touched the same"
                " contacts; take that back first (tagtui undo --any)",
                field="step",
            )
        status = "after_id" if back else "before_id"
        there, gone = (1, 0) if back else (0, 1)  # pairs that must be there / must be gone now
        p = {"s": step_id}
        moved = tx.scalar(
            "SELECT COUNT(*) FROM step_contact_status x JOIN contact c ON c.id = x.contact_id"
            f" WHERE x.step_id = :s AND COALESCE(c.status_id, -1) <> COALESCE(x.{status}, -1)",
            p,
        )
        assigned = "SELECT 1 FROM contact_tag y WHERE y.contact_id = x.contact_id AND y.tag_id = x.tag_id"
        moved += tx.scalar(
            "SELECT COUNT(*) FROM step_contact_tag x JOIN contact c ON c.id = x.contact_id"
            " JOIN tag t ON t.id = x.tag_id WHERE x.step_id = :s AND"
            f" ((x.added = {there} AND NOT EXISTS ({assigned}))"
            f" OR (x.added = {gone} AND EXISTS ({assigned})))",
            p,
        )
        if moved:
            raise Conflict(
                f"cannot {action} {summary!r}: {moved:,} of the tags and statuses it changed were changed"
                " again since, outside its steps",
                field="step",
            )

    def _later_step_touching(self, tx: Tx, step_id: int) -> int | None:
        """The first done step after ``step_id`` that touched what it touched, if any."""
        p = self._core._params(s=step_id)
        if not tx.scalar(
            "SELECT 1 FROM step WHERE workspace_id = :ws AND id > :s AND state = 'done' LIMIT 1", p
        ):
            return None  # the common case: the newest step of the workspace
        later = "JOIN step s ON s.id = y.step_id AND s.state = 'done' AND s.workspace_id = :ws"
        kinds = ", ".join(f"'{k}'" for k in _ALL_ROWS)
        probes = (
            # the same contact's status, the same assignment
            "SELECT MIN(y.step_id) FROM step_contact_status x JOIN step_contact_status y"
            f" ON y.contact_id = x.contact_id AND y.step_id > x.step_id {later} WHERE x.step_id = :s",
            "SELECT MIN(y.step_id) FROM step_contact_tag x JOIN step_contact_tag y"
            " ON y.contact_id = x.contact_id AND y.tag_id = x.tag_id AND y.step_id > x.step_id"
            f" {later} WHERE x.step_id = :s",
            # a tag, status or contact it made, edited or deleted, named by a later event
            "SELECT MIN(y.step_id) FROM event x JOIN event y ON y.workspace_id = x.workspace_id"
            " AND y.subject_type = x.subject_type AND y.subject_id = x.subject_id AND y.step_id > x.step_id"
            f" {later} WHERE x.step_id = :s AND x.kind IN ({kinds})",
            # … or reached by a later bulk change of assignments or statuses
            "SELECT MIN(y.step_id) FROM event x JOIN step_contact_tag y ON y.step_id > x.step_id AND"
            " ((x.subject_type = 'contact' AND y.contact_id = x.subject_id)"
            " OR (x.subject_type = 'tag' AND y.tag_id = x.subject_id))"
            f" {later} WHERE x.step_id = :s AND x.kind IN ({kinds})",
            "SELECT MIN(y.step_id) FROM event x JOIN step_contact_status y ON y.step_id > x.step_id AND"
            " ((x.subject_type = 'contact' AND y.contact_id = x.subject_id) OR (x.subject_type = 'status'"
            " AND (y.before_id = x.subject_id OR y.after_id = x.subject_id)))"
            f" {later} WHERE x.step_id = :s AND x.kind IN ({kinds})",
        )
        found = [f for f in (tx.scalar(sql, p) for sql in probes) if f is not None]
        # The contacts an import made (``IMPORTED``: runs of ids, no event of their own),
        # named by a later event or reached by a later change of assignments or statuses.
        for (payload,) in tx.all(
            "SELECT payload FROM event WHERE step_id = :s AND kind = :kind", {"s": step_id, "kind": IMPORTED}
        ):
            runs = json.loads(payload).get("runs") or ()
            for start in range(0, len(runs), 100):
                chunk = runs[start : start + 100]
                named, params = id_runs_sql("y.subject_id", chunk)
                reached, _ = id_runs_sql("y.contact_id", chunk)
                q = {**p, **params}
                found += [
                    f
                    for f in (
                        tx.scalar(sql, q)
                        for sql in (
                            f"SELECT MIN(y.step_id) FROM event y {later} WHERE y.workspace_id = :ws"
                            f" AND y.subject_type = 'contact' AND y.step_id > :s AND {named}",
                            f"SELECT MIN(y.step_id) FROM step_contact_tag y {later} WHERE y.step_id > :s"
                            f" AND {reached}",
                            f"SELECT MIN(y.step_id) FROM step_contact_status y {later} WHERE y.step_id > :s"
                            f" AND {reached}",
                        )
                    )
                    if f is not None
                ]
        return min(found) if found else None

    def _describe_step(self, tx: Tx, step_id: int, events: Sequence[_Event]) -> str:
        """A step in words from what it changed: "+VIP on 1,204 contacts, −Cold on 311"."""
        names = {
            ("tag" if k.startswith("tag.") else "status", sid): p.get("name")
            for k, sid, p in events
            if k in CREATES + DELETES
        }
        for table in ("tag", "status"):
            names |= {
                (table, i): n
                for i, n in tx.all(
                    f"SELECT id, name FROM {table} WHERE workspace_id = :ws", self._core._params()
                )
            }
        parts: list[str] = []
        for tag_id, added, n in tx.all(
            "SELECT tag_id, added, COUNT(*) FROM step_contact_tag WHERE step_id = :s"
            " GROUP BY tag_id, added ORDER BY added DESC, tag_id",
            {"s": step_id},
        ):
            unit = f" contact{'s' if n != 1 else ''}" if not parts else ""
            parts.append(f"{'+' if added else '−'}{names.get(('tag', tag_id), tag_id)} on {n:,}{unit}")
        for after, n in tx.all(
            "SELECT after_id, COUNT(*) FROM step_contact_status WHERE step_id = :s GROUP BY after_id"
            " ORDER BY after_id",
            {"s": step_id},
        ):
            what = "no status" if after is None else f"status {names.get(('status', after), after)}"
            parts.append(f"{what} on {n:,} contact{'s' if n != 1 else ''}")
        imported = sum(int(p.get("contacts") or 0) for k, _, p in events if k == IMPORTED)
        if imported:
            parts.append(f"imported {imported:,} contact{'s' if imported != 1 else ''}")
        made = Counter(k for k, _, _ in events if k in CREATES + DELETES + EDITS and k != IMPORTED)
        for kind, n in sorted(made.items()):
            noun, verb = kind.split(".")
            parts.append(f"{verb} {n:,} {noun}{'' if n == 1 else ('es' if noun == 'status' else 's')}")
        return ", ".join(parts) or "change"

    # -- phase 1: put back what the step took away -------------------------------------

    def _put_back(
        self, tx: Tx, step_id: int, events: Sequence[_Event], counts: Counter[str], action: str
    ) -> None:
        contacts = [(sid, p) for kind, sid, p in events if kind.startswith("contact.") and sid is not None]
        imported = False
        for kind, sid, payload in events:
            if kind == IMPORTED:  # after the tags and statuses the step made (they name them)
                imported = True
                continue
            if kind.startswith("tag."):
                self._put_back_tag(tx, sid, payload, action)
            elif kind.startswith("status."):
                self._put_back_status(tx, sid, payload, action)
            elif kind.startswith("rule."):
                self._put_back_rule(tx, sid, payload, action)
            elif kind == "demo.generated":
                raise Conflict(f"cannot {action}: demo contacts cannot be made again; run the demo anew")
            else:
                continue
            counts["restored"] += 1
        if contacts:
            self._put_back_contacts(tx, contacts, action)
            counts["restored"] += len(contacts)
        if imported:
            self._put_back_kept(tx, step_id, counts, action)

    def _put_back_kept(self, tx: Tx, step_id: int, counts: Counter[str], action: str) -> None:
        """Redo of an import: its contacts as undo kept them (``KEPT`` events, a chunk at a
        time), with their ids, fields, statuses, ``created_at``, revs and tags; the events go."""
        kept = [
            r[0]
            for r in tx.all(
                "SELECT id FROM event WHERE step_id = :s AND kind = :kind ORDER BY id",
                {"s": step_id, "kind": KEPT},
            )
        ]
        for event_id in kept:
            payload = json.loads(tx.scalar("SELECT payload FROM event WHERE id = :id", {"id": event_id}))
            self._put_back_chunk(tx, payload, counts, action)
            tx.execute("DELETE FROM event WHERE id = :id", {"id": event_id})

    def _put_back_chunk(self, tx: Tx, payload: dict[str, Any], counts: Counter[str], action: str) -> None:
        columns = payload["columns"]
        contacts = [dict(zip(columns, row, strict=True)) for row in payload["contacts"]]
        links = payload.get("tags") or []
        self._check_emails_free(tx, [c.get("email") for c in contacts], action)
        statuses = self._core._ids_there(
            tx, "status", (c["status_id"] for c in contacts if c.get("status_id") is not None)
        )
        missing = sum(
            1 for c in contacts if c.get("status_id") is not None and c["status_id"] not in statuses
        )
        if missing:
            raise Conflict(
                f"cannot {action}: {missing:,} of its status changes name a contact or status deleted since"
            )
        tags = self._core._ids_there(tx, "tag", (t for _, t, _ in links))
        missing = sum(1 for _, t, _ in links if t not in tags)
        if missing:
            raise Conflict(
                f"cannot {action}: {missing:,} of its tag assignments name a contact or tag deleted since"
            )
        # Each contact is written with its ``tags_key`` (the trigger that would rewrite it at
        # each of its tags is paused, as an import does).
        names: dict[int, str] = dict(
            tx.all("SELECT id, name_key FROM tag WHERE workspace_id = :ws", self._core._params())
        )
        tagged: dict[int, list[int]] = {}
        for contact_id, tag_id, _ in links:
            tagged.setdefault(contact_id, []).append(tag_id)
        stamp = now()
        ws = self._core.workspace_id
        rows = []
        for c in contacts:
            values = {k: c.get(k) for k in CONTACT_FIELDS}
            values["followers"] = values["followers"] or 0
            row = {**values, **key_columns(values)}
            row.update(id=c["id"], workspace_id=ws, status_id=c.get("status_id"), rev=int(c.get("rev") or 1))
            row.update(created_at=c.get("created_at") or stamp, updated_at=stamp)
            tags_of = tagged.get(c["id"])
            row["tags_key"] = tags_key_from(names, tags_of) if tags_of else None
            rows.append(tuple(row[name] for name, _ in _CONTACT_ROW))
        engine = tx.db.engine
        keys_paused = engine.pause_tags_key_added(tx)
        # SQLite: the trend triggers of each assignment too; their counts made once, after.
        with pairs.paused(tx) as counted_after:
            try:
                tx.insert_many("contact", _CONTACT_ROW, rows)
                tx.insert_many("contact_tag", _LINK_ROW, [tuple(link) for link in links])
            except IntegrityViolation as exc:
                raise Conflict(f"cannot {action}: a contact it would put back exists again") from exc
            if counted_after and links:
                # The chunk's contacts are the only ones of their ids (a run of the import's).
                pairs.count_new_contacts(tx, rows[0][0], rows[-1][0])
        if keys_paused:
            engine.resume_tags_key_added(tx)
        counts["restored"] += len(rows)
        counts["tags_added"] += len(links)
        counts["statuses_changed"] += sum(1 for c in contacts if c.get("status_id") is not None)

    def _put_back_tag(self, tx: Tx, tag_id: int | None, p: dict[str, Any], action: str) -> None:
        taken = tx.one(
            "SELECT id, name FROM tag WHERE workspace_id = :ws AND (slug = :slug OR id = :id)",
            self._core._params(slug=p["slug"], id=tag_id),
        )
        if taken:
            raise Conflict(
                f"cannot {action}: tag {taken[1]!r} (id {taken[0]}) now has the name {p['name']!r}",
                field="name",
            )
        stamp = now()
        tx.execute(
            insert_sql(
                "tag",
                TABLES["tag"],
                workspace_id=":ws",
                name_key=":key",
                created_at=":created",
                updated_at=":at",
            ),
            self._core._params(
                id=tag_id,
                name=p["name"],
                key=text_key(p["name"]),
                slug=p["slug"],
                color=p["color"],
                emoji=p.get("emoji"),
                description=p.get("description"),
                created=p.get("created_at") or stamp,
                at=stamp,
                rev=int(p.get("rev") or 0) + 1,
            ),
        )

    def _put_back_rule(self, tx: Tx, rule_id: int | None, p: dict[str, Any], action: str) -> None:
        taken = tx.scalar(
            "SELECT id FROM rule WHERE workspace_id = :ws AND (name_key = :key OR id = :id)",
            self._core._params(key=text_key(p["name"]), id=rule_id),
        )
        if taken:
            raise Conflict(f"cannot {action}: another rule is now named {p['name']!r}", field="name")
        stamp = now()
        tx.execute(
            insert_sql(
                "rule",
                TABLES["rule"],
                workspace_id=":ws",
                name_key=":key",
                add_tags=":add",
                remove_tags=":remove",
                status_id="(SELECT id FROM status WHERE id = :sid AND workspace_id = :ws)",
                created_at=":created",
                updated_at=":at",
                rev="1",
            ),
            self._core._params(
                id=rule_id,
                name=p["name"],
                key=text_key(p["name"]),
                query=p["query"],
                add=json.dumps(p.get("add") or []),
                remove=json.dumps(p.get("remove") or []),
                sid=p.get("status"),
                broken=p.get("broken"),
                created=p.get("created_at") or stamp,
                at=stamp,
            ),
        )

    def _put_back_status(self, tx: Tx, status_id: int | None, p: dict[str, Any], action: str) -> None:
        taken = tx.one(
            "SELECT id, name FROM status WHERE workspace_id = :ws AND (slug = :slug OR id = :id)",
            self._core._params(slug=p["slug"], id=status_id),
        )
        if taken:
            raise Conflict(
                f"cannot {action}: status {taken[1]!r} (id {taken[0]}) now has the name {p['name']!r}",
                field="name",
            )
        tx.lock("workspace w", "w.id = :ws", self._core._params())
        position = int(p["position"])
        tx.execute(
            "UPDATE status SET position = position + 1 WHERE workspace_id = :ws AND position >= :pos",
            self._core._params(pos=position),
        )
        stamp = now()
        tx.execute(
            insert_sql(
                "status",
                TABLES["status"],
                workspace_id=":ws",
                position=":pos",
                created_at=":created",
                updated_at=":at",
            ),
            self._core._params(
                id=status_id,
                name=p["name"],
                slug=p["slug"],
                color=p["color"],
                pos=position,
                created=p.get("created_at") or stamp,
                at=stamp,
                rev=int(p.get("rev") or 0) + 1,
            ),
        )
        self._renumber_pipeline(tx)

    def _check_emails_free(self, tx: Tx, emails: Sequence[str | None], action: str) -> None:
        """Conflict when a contact put back would take an email another contact has now."""
        keys = [email_key(e) for e in emails if e]
        if not keys:
            return
        cond, params = self._core.db.in_list("email_key", "keys", keys)
        taken = tx.one(
            f"SELECT id, name, email FROM contact WHERE workspace_id = :ws AND {cond} LIMIT 1",
            self._core._params(**params),
        )
        if taken:
            raise Conflict(
                f"cannot {action}: contact {taken[1]!r} (id {taken[0]}) now has the email {taken[2]!r}",
                field="email",
            )

    def _put_back_contacts(self, tx: Tx, contacts: list[tuple[int, dict[str, Any]]], action: str) -> None:
        self._check_emails_free(tx, [p.get("email") for _, p in contacts], action)
        stamp = now()
        rows = []
        for contact_id, p in contacts:
            values = {k: p.get(k) for k in CONTACT_FIELDS}
            values["followers"] = values["followers"] or 0
            rows.append(
                self._core._params(
                    id=contact_id,
                    **values,
                    **key_columns(values),
                    created=p.get("created_at") or stamp,
                    at=stamp,
                    rev=int(p.get("rev") or 0) + 1,
                )
            )
        try:
            tx.executemany(
                insert_sql(
                    "contact",
                    CONTACT_ROW_NAMES,
                    workspace_id=":ws",
                    status_id="NULL",
                    created_at=":created",
                    updated_at=":at",
                ),
                rows,
            )
        except IntegrityViolation as exc:
            raise Conflict(f"cannot {action}: a contact it would put back exists again") from exc

    # -- phase 2: change back what the step edited ---------------------------------------

    def _edit_back(self, tx: Tx, event: _Event, side: str, counts: Counter[str], action: str) -> None:
        kind, sid, payload = event
        values = payload.get(side)
        if values is None or values == {} or sid is None:
            return
        table = kind.split(".")[0]
        exists = tx.scalar(
            f"SELECT id FROM {table} WHERE id = :id AND workspace_id = :ws", self._core._params(id=sid)
        )
        if exists is None:
            raise Conflict(f"cannot {action}: {table} {sid} was deleted since", field=table)
        stamp = now()
        if kind == "status.moved":
            tx.lock("workspace w", "w.id = :ws", self._core._params())
            order = [
                r[0]
                for r in tx.all(
                    "SELECT id FROM status WHERE workspace_id = :ws ORDER BY position, id",
                    self._core._params(),
                )
            ]
            order.remove(sid)
            order.insert(max(0, min(int(values), len(order) + 1) - 1), sid)
            self._statuses._renumber(tx, order)
            tx.execute(
                "UPDATE status SET updated_at = :at, rev = rev + 1 WHERE id = :id", {"at": stamp, "id": sid}
            )
        elif kind in ("tag.updated", "status.updated"):
            if "slug" in values:
                taken = tx.one(
                    f"SELECT id, name FROM {table} WHERE workspace_id = :ws AND slug = :slug AND id <> :id",
                    self._core._params(slug=values["slug"], id=sid),
                )
                if taken:
                    raise Conflict(
                        f"cannot {action}: {table} {taken[1]!r} (id {taken[0]}) now has the name"
                        f" {values.get('name')!r}",
                        field="name",
                    )
            columns = dict(values)
            if table == "tag" and "name" in columns:
                columns["name_key"] = text_key(columns["name"])
            sets = ", ".join(f"{c} = :{c}" for c in columns)
            tx.execute(
                f"UPDATE {table} SET {sets}, updated_at = :at, rev = rev + 1 WHERE id = :id",
                {**columns, "at": stamp, "id": sid},
            )
        else:  # contact.updated
            row = tx.one(f"SELECT {', '.join(CONTACT_FIELDS)} FROM contact WHERE id = :id", {"id": sid})
            assert row is not None
            merged = dict(zip(CONTACT_FIELDS, row, strict=True)) | values
            if values.get("email"):
                other = tx.one(
                    "SELECT id, name FROM contact WHERE workspace_id = :ws AND email_key = :key"
                    " AND id <> :id",
                    self._core._params(key=email_key(values["email"]), id=sid),
                )
                if other:
                    raise Conflict(
                        f"cannot {action}: contact {other[1]!r} (id {other[0]}) now has the email"
                        f" {values['email']!r}",
                        field="email",
                    )
            columns = {**values, **key_columns(merged)}
            sets = ", ".join(f"{c} = :{c}" for c in columns)
            tx.execute(
                f"UPDATE contact SET {sets}, updated_at = :at, rev = rev + 1 WHERE id = :id",
                {**columns, "at": stamp, "id": sid},
            )
        counts["reverted"] += 1

    # -- phase 3: assignments and statuses, set-based ----------------------------------

    def _assignments(self, tx: Tx, step_id: int, *, back: bool, counts: Counter[str], action: str) -> None:
        # Undo takes away the pairs the step added (added = 1) and gives back those it took
        # (added = 0); redo the other way round.
        take, give = (1, 0) if back else (0, 1)
        p = {"s": step_id}
        for (tag_id,) in tx.all(
            "SELECT DISTINCT tag_id FROM step_contact_tag WHERE step_id = :s AND added = :a", {**p, "a": take}
        ):
            counts["tags_removed"] += tx.execute(
                "DELETE FROM contact_tag WHERE tag_id = :t AND contact_id IN (SELECT x.contact_id FROM"
                " step_contact_tag x WHERE x.step_id = :s AND x.tag_id = :t AND x.added = :a)",
                {**p, "t": tag_id, "a": take},
            ).rowcount
        missing = tx.scalar(
            "SELECT COUNT(*) FROM step_contact_tag x LEFT JOIN contact c ON c.id = x.contact_id"
            " LEFT JOIN tag t ON t.id = x.tag_id WHERE x.step_id = :s AND x.added = :a"
            " AND (c.id IS NULL OR t.id IS NULL)",
            {**p, "a": give},
        )
        if missing:
            raise Conflict(
                f"cannot {action}: {missing:,} of its tag assignments name a contact or tag deleted since"
            )
        counts["tags_added"] += tx.execute(
            "INSERT INTO contact_tag (contact_id, tag_id, created_at) SELECT x.contact_id, x.tag_id,"
            " COALESCE(x.created_at, :at) FROM step_contact_tag x WHERE x.step_id = :s AND x.added = :a"
            " ON CONFLICT DO NOTHING",
            {**p, "a": give, "at": now()},
        ).rowcount
        column = "before_id" if back else "after_id"
        missing = tx.scalar(
            "SELECT COUNT(*) FROM step_contact_status x LEFT JOIN contact c ON c.id = x.contact_id"
            f" LEFT JOIN status s ON s.id = x.{column} WHERE x.step_id = :s"
            f" AND (c.id IS NULL OR (x.{column} IS NOT NULL AND s.id IS NULL))",
            p,
        )
        if missing:
            raise Conflict(
                f"cannot {action}: {missing:,} of its status changes name a contact or status deleted since"
            )
        counts["statuses_changed"] += tx.execute(
            # UPDATE … FROM: one join, on both engines (SQLite 3.33+; RETURNING needs 3.35 anyway).
            f"UPDATE contact SET status_id = x.{column} FROM step_contact_status x"
            " WHERE x.step_id = :s AND x.contact_id = contact.id",
            p,
        ).rowcount

    # -- phase 4: take away what the step made ----------------------------------------

    def _take_away(self, tx: Tx, step_id: int, events: Sequence[_Event], counts: Counter[str]) -> None:
        # An import's contacts go first: kept as they are, with the tags it may also have made.
        for kind, _, payload in events:
            if kind == IMPORTED:
                self._take_away_imported(tx, step_id, payload.get("runs") or (), counts)
        contact_ids = [sid for kind, sid, _ in events if kind.startswith("contact.") and sid is not None]
        if contact_ids:
            cond, params = self._core.db.in_list("id", "ids", contact_ids)
            counts["removed"] += tx.execute(
                f"DELETE FROM contact WHERE workspace_id = :ws AND {cond}", self._core._params(**params)
            ).rowcount
        for kind, sid, payload in events:
            if kind == "demo.generated":
                counts["removed"] += tx.execute(
                    "DELETE FROM contact WHERE workspace_id = :ws AND id BETWEEN :lo AND :hi",
                    self._core._params(lo=payload["first_id"], hi=payload["last_id"]),
                ).rowcount
            elif kind.startswith("tag."):
                counts["removed"] += tx.execute(
                    "DELETE FROM tag WHERE id = :id AND workspace_id = :ws", self._core._params(id=sid)
                ).rowcount
            elif kind.startswith("rule."):
                counts["removed"] += tx.execute(
                    "DELETE FROM rule WHERE id = :id AND workspace_id = :ws", self._core._params(id=sid)
                ).rowcount
            elif kind.startswith("status."):
                tx.lock("workspace w", "w.id = :ws", self._core._params())
                tx.execute(
                    "UPDATE contact SET status_id = NULL WHERE workspace_id = :ws AND status_id = :id",
                    self._core._params(id=sid),
                )
                counts["removed"] += tx.execute(
                    "DELETE FROM status WHERE id = :id AND workspace_id = :ws", self._core._params(id=sid)
                ).rowcount
                self._renumber_pipeline(tx)

    def _take_away_imported(
        self, tx: Tx, step_id: int, runs: Sequence[Sequence[int]], counts: Counter[str]
    ) -> None:
        """Undo of an import: delete the contacts it made (``runs`` of ids), keeping each for
        redo in ``KEPT`` events of the step, ``KEPT_CHUNK`` contacts an event (read a chunk
        at a time: the memory it takes does not grow with the import)."""
        select = (
            f"SELECT {', '.join(_KEPT_COLUMNS)} FROM contact WHERE workspace_id = :ws"
            " AND id > :after AND id <= :last ORDER BY id LIMIT :n"
        )
        for first, last in runs:
            after = int(first) - 1
            while rows := tx.all(select, self._core._params(after=after, last=int(last), n=KEPT_CHUNK)):
                after = rows[-1][0]
                links = tx.all(
                    "SELECT contact_id, tag_id, created_at FROM contact_tag"
                    " WHERE contact_id BETWEEN :a AND :b ORDER BY contact_id, tag_id",
                    {"a": rows[0][0], "b": after},
                )
                payload = {"columns": _KEPT_COLUMNS, "contacts": [list(r) for r in rows]}
                payload["tags"] = [list(link) for link in links]
                params = self._core._params(at=now(), payload=_JSON(payload), s=step_id)
                tx.execute(_INSERT_KEPT, params)
                counts["tags_removed"] += len(links)
                counts["statuses_changed"] += sum(1 for r in rows if r[-3] is not None)
                # A chunk a statement (their contact_tag rows go with them: ON DELETE CASCADE):
                # SQLite's statement journal, held in memory, is a chunk's, not the import's.
                counts["removed"] += tx.execute(
                    "DELETE FROM contact WHERE workspace_id = :ws AND id BETWEEN :first AND :last",
                    self._core._params(first=rows[0][0], last=after),
                ).rowcount
                del rows, links, payload

    def _renumber_pipeline(self, tx: Tx) -> None:
        order = [
            r[0]
            for r in tx.all(
                "SELECT id FROM status WHERE workspace_id = :ws ORDER BY position, id", self._core._params()
            )
        ]
        self._statuses._renumber(tx, order)


_COUNT_KEYS = ("tags_added", "tags_removed", "statuses_changed", "restored", "reverted", "removed")
