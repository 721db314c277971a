"""History in words: each event as one line a person reads (when, who, what, about what).

``tagtui history`` prints these lines as a table and the UI's History screen shows them;
both read them from ``history_lines`` so the wording lives once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagtui.store.base import StoreBase
from tagtui.store.db import Tx
from tagtui.store.types import Event

if TYPE_CHECKING:
    from tagtui.store.merge import MergeService
    from tagtui.store.store import Store

#: Ids of tags, statuses and contacts -> their names now, by table.
Names = dict[str, dict[int, str]]


@dataclass(frozen=True)
class HistoryLine:
    """One event in words. ``state``: ``undone`` or ``dropped`` when its step is (else ``None``)."""

    event: Event
    at: str
    actor: str
    what: str
    about: str
    state: str | None

    @property
    def marked_what(self) -> str:
        """``what`` with the step's state after it: ``tags: +VIP (undone)``."""
        return f"{self.what} ({self.state})" if self.state else self.what


class HistoryService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions, ``store`` the whole store, through which it reaches the parts it is not given."""

    def __init__(self, core: StoreBase, store: Store, merge: MergeService) -> None:
        self._core = core
        self._store = store
        self._merge = merge

    def history_lines(
        self, *, contact: int | str | None = None, tag: int | str | None = None, limit: int = 50
    ) -> list[HistoryLine]:
        """``history`` (same arguments), each event described in words, newest first."""
        events = self._store.history(contact=contact, tag=tag, limit=limit)
        names = self._core._read(lambda tx: self._history_names(tx, events, contact))
        return [describe(e, names) for e in events]

    def _history_names(self, tx: Tx, events: list[Event], contact: int | str | None = None) -> Names:
        names: Names = {"tag": {}, "status": {}, "contact": {}, "merged": {}}
        for table in ("tag", "status"):
            names[table] = dict(
                tx.all(f"SELECT id, name FROM {table} WHERE workspace_id = :ws", self._core._params())
            )
        ids = sorted(
            {e.subject_id for e in events if e.subject_type == "contact" and e.subject_id is not None}
        )
        if ids:
            cond, params = self._core.db.in_list("id", "ids", ids)
            names["contact"] = dict(tx.all(f"SELECT id, name FROM contact WHERE {cond}", params))
        if contact is not None:  # a contact's history holds the events of those merged into it
            keep = self._core._contact_id(tx, contact)
            merged = self._merge._merged_into(tx, keep)
            gone = sorted(set(merged) & set(ids))
            if gone:
                cond, params = self._core.db.in_list("subject_id", "ids", gone)
                for sid, payload in tx.all(
                    "SELECT subject_id, payload FROM event WHERE workspace_id = :ws"
                    f" AND kind = 'contact.deleted' AND subject_type = 'contact' AND {cond} ORDER BY id",
                    self._core._params(**params),
                ):
                    names["merged"][sid] = str(json.loads(payload).get("name") or f"#{sid}")
        return names


def describe(event: Event, names: Names) -> HistoryLine:
    state = event.step_state if event.step_state in ("undone", "dropped") else None
    return HistoryLine(
        event=event,
        at=event.at,
        actor=event.step_actor or str(event.payload.get("actor") or ""),
        what=_what(event, names),
        about=_about(event, names),
        state=state,
    )


def _name(names: Names, table: str, ident: Any) -> str:
    if ident is None:
        return "no status" if table == "status" else "—"
    found = names.get(table, {}).get(ident) if isinstance(ident, int) else None
    return found if found is not None else f"{table} #{ident} (deleted)"


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _what(event: Event, names: Names) -> str:
    p, kind = event.payload, event.kind
    if kind == "contact.tags_changed":
        parts = [f"+{_name(names, 'tag', t)}" for t in p.get("added") or ()]
        parts += [f"−{_name(names, 'tag', t)}" for t in p.get("removed") or ()]
        text = "tags: " + " ".join(parts)
    elif kind == "contact.status_changed":
        text = f"status: {_name(names, 'status', p.get('before'))} → {_name(names, 'status', p.get('after'))}"
    elif kind.endswith(".updated"):
        before, after = p.get("before") or {}, p.get("after") or {}
        text = "edited " + ", ".join(f"{k}: {_value(before.get(k))} → {_value(v)}" for k, v in after.items())
    elif kind == "contact.sync_conflict" and p.get("field") == "deleted":
        where = "here" if p.get("kept") == "local" else "in the address book"
        text = f"sync with {p.get('source')}: deleted on one side, changed on the other; kept, as {where}"
    elif kind == "contact.sync_conflict":
        kept, other = ("local", "remote") if p.get("kept") == "local" else ("remote", "local")
        text = (
            f"sync with {p.get('source')}, {p.get('field')} changed on both sides:"
            f" kept {kept} {_value(p.get(kept))}; {other} was {_value(p.get(other))}"
        )
    elif kind == "status.moved":
        text = f"moved from position {p.get('before')} to {p.get('after')}"
    elif kind in ("undo", "redo"):
        summary = p.get("summary") or p.get("step_kind") or "a change"
        text = f"{'undid' if kind == 'undo' else 'redid'}: {summary}"
    elif kind.endswith((".created", ".deleted")) and "." in kind:
        noun, verb = kind.split(".", 1)
        text = f"{'added' if noun == 'contact' and verb == 'created' else verb} {noun}"
    elif event.step_summary:
        text = event.step_summary
    else:
        text = kind.replace(".", " ").replace("_", " ")
    if p.get("bulk") and event.step_summary and text != event.step_summary:
        text += f" · {event.step_summary}"
    return text


def _about(event: Event, names: Names) -> str:
    kind, sid, p = event.subject_type, event.subject_id, event.payload
    if kind in ("contact", "tag", "status") and sid is not None:
        found = names.get(kind, {}).get(sid)
        if found is None and kind == "contact" and sid in names.get("merged", {}):
            return f"contact {names['merged'][sid]} (merged)"
        if found is None:
            found = f"{p.get('name') or f'#{sid}'} (deleted)"
        return f"{kind} {found}"
    return "workspace" if kind == "workspace" else kind
