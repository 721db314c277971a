"""An import's undo journal: one ``contacts.imported`` event for the contacts it made (runs of
their ids), no per-contact undo rows for them; undo deletes them (kept in ``contacts.kept``
events), redo puts them back as they were. Imports journalled the old way still undo."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tagtui.store import Conflict, Store
from tagtui.store.base import IMPORTED, KEPT

ROWS = [
    {"name": "Eve", "email": "eve@x.org", "company": "EC", "tags": "VIP;Imported", "status": "Lead"},
    {"name": "Fay", "email": "fay@x.org", "tags": "Cold"},
    {"name": "Gus", "phone": "+1 555 0100", "status": "Won"},
    # an upsert of a contact that was there before
    {
        "name": "Ada Lovelace",
        "email": "ADA@example.org",
        "company": "Engines",
        "tags": "Cold",
        "status": "Won",
    },
]


@pytest.fixture
def s(store: Store) -> Store:
    store.create_tag("VIP")
    store.create_tag("Cold")
    store.create_status("New")
    store.create_status("Won")
    store.add_contact("Ada", email="ada@example.org", company="AE", tags=["VIP"], status="New")
    store.add_contact("Bob", email="bob@example.org", tags=["Cold"])
    store.actor = "me"
    return store


def rows(store: Store) -> dict[str, Any]:
    """Every row an import or its undo changes, with the times redo must restore (revs apart:
    undo and redo of an edit count as edits; see ``revs``)."""

    def run(tx: Any) -> dict[str, Any]:
        ws = {"ws": store.workspace_id}
        return {
            "contacts": tx.all(
                "SELECT id, name, email, company, phone, assignee, followers, notes, status_id, name_key,"
                " email_key, assignee_key, tags_key, search, created_at FROM contact"
                " WHERE workspace_id = :ws ORDER BY id",
                ws,
            ),
            "links": tx.all(
                "SELECT ct.contact_id, ct.tag_id, ct.created_at FROM contact_tag ct"
                " JOIN contact c ON c.id = ct.contact_id WHERE c.workspace_id = :ws ORDER BY 1, 2",
                ws,
            ),
            "tags": tx.all("SELECT id, name, slug FROM tag WHERE workspace_id = :ws ORDER BY id", ws),
            "statuses": tx.all("SELECT id, name FROM status WHERE workspace_id = :ws ORDER BY id", ws),
            # what the trend triggers count (or redo counts with them paused)
            "trend_tag": tx.all("SELECT tag_id, week, n FROM trend_tag WHERE n <> 0 ORDER BY 1, 2"),
            "trend_pair": tx.all("SELECT tag_id, other_id, week, n FROM trend_pair ORDER BY 1, 2, 3"),
        }

    return store._read(run)


def revs(store: Store, ids: list[int]) -> list[int]:
    return [store.get_contact(i).rev for i in ids]


def step_of_import(store: Store) -> int:
    return store._read(
        lambda tx: tx.scalar(
            "SELECT MAX(id) FROM step WHERE workspace_id = :ws AND kind = 'import'",
            {"ws": store.workspace_id},
        )
    )


def events(store: Store, step: int) -> list[tuple[str, int | None, dict[str, Any]]]:
    return [
        (k, sid, json.loads(p))
        for k, sid, p in store._read(
            lambda tx: tx.all(
                "SELECT kind, subject_id, payload FROM event WHERE step_id = :s ORDER BY id", {"s": step}
            )
        )
    ]


def ids_of(store: Store, *emails_or_names: str) -> list[int]:
    found = {c.email or c.name: c.id for c in store.list_contacts().rows}
    return [found[k] for k in emails_or_names]


def test_one_import_event_and_no_step_rows_for_new_contacts(s: Store) -> None:
    result = s.import_rows(ROWS)
    assert (result.created, result.updated) == (3, 1)
    step = step_of_import(s)
    evs = events(s, step)
    imported = [p for k, _, p in evs if k == IMPORTED]
    assert len(imported) == 1
    new = ids_of(s, "eve@x.org", "fay@x.org", "Gus")
    assert imported[0]["contacts"] == 3
    assert imported[0]["runs"] == [[min(new), max(new)]]
    assert imported[0]["stamp"]
    assert not [k for k, _, _ in evs if k == "contact.created"]
    # The new contacts' statuses are still events (trends read them).
    statuses = {sid for k, sid, _ in evs if k == "contact.status_changed"}
    assert statuses >= {new[0], new[2]}
    (ada,) = ids_of(s, "ada@example.org")

    def step_rows(tx: Any) -> tuple[set[int], set[int]]:
        tags = {
            r[0] for r in tx.all("SELECT contact_id FROM step_contact_tag WHERE step_id = :s", {"s": step})
        }
        st = {
            r[0] for r in tx.all("SELECT contact_id FROM step_contact_status WHERE step_id = :s", {"s": step})
        }
        return tags, st

    assert s._read(step_rows) == ({ada}, {ada})


def test_undo_removes_exactly_the_imported_contacts_and_redo_restores_them(s: Store) -> None:
    before = rows(s)
    s.import_rows(ROWS)
    after = rows(s)
    new = ids_of(s, "eve@x.org", "fay@x.org", "Gus")
    made = revs(s, new)
    step = step_of_import(s)
    undone = s.undo()
    assert undone.counts["removed"] >= 3
    assert rows(s) == before
    assert [k for k, _, _ in events(s, step)].count(KEPT) == 1
    s.redo()
    # Same ids, fields, statuses, tags, created_at, rev and link times (a contact that was
    # there before gets its tag as of the redo, as redo always gave it).
    redone = rows(s)
    assert {**redone, "links": None} == {**after, "links": None}
    assert [r for r in redone["links"] if r[0] in new] == [r for r in after["links"] if r[0] in new]
    assert [r[:2] for r in redone["links"]] == [r[:2] for r in after["links"]]
    assert revs(s, new) == made
    assert KEPT not in [k for k, _, _ in events(s, step)]
    s.undo()
    assert rows(s) == before


def test_kept_contacts_are_chunked(s: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tagtui.store.undo.KEPT_CHUNK", 2)
    many = [{"name": f"P{i}", "email": f"p{i}@x.org", "tags": "VIP" if i % 2 else ""} for i in range(7)]
    s.import_rows(many)
    after = rows(s)
    step = step_of_import(s)
    s.undo()
    kept = [p for k, _, p in events(s, step) if k == KEPT]
    assert [len(p["contacts"]) for p in kept] == [2, 2, 2, 1]
    s.redo()
    assert rows(s) == after


def test_upserted_contact_undoes_to_its_prior_values(s: Store) -> None:
    (ada,) = ids_of(s, "ada@example.org")
    old = s.get_contact(ada)
    s.import_rows(ROWS)
    changed = s.get_contact(ada)
    assert (changed.name, changed.company, changed.status) == ("Ada Lovelace", "Engines", "Won")
    s.undo()
    back = s.get_contact(ada)
    assert (back.name, back.company, back.status, [t.name for t in back.tags]) == (
        old.name,
        old.company,
        old.status,
        [t.name for t in old.tags],
    )
    s.redo()
    again = s.get_contact(ada)
    assert (again.name, again.company, again.status) == ("Ada Lovelace", "Engines", "Won")
    assert {t.name for t in again.tags} == {"VIP", "Cold"}


def test_contact_made_and_changed_by_one_import(s: Store) -> None:
    before = rows(s)
    result = s.import_rows([*ROWS, {"name": "Eve E", "email": "eve@x.org", "tags": "Cold", "status": "New"}])
    assert (result.created, result.updated) == (3, 1)
    after = rows(s)
    s.undo()
    assert rows(s) == before
    s.redo()
    redone = rows(s)
    # The link the second row gave is noted like any other (its time is that of the redo).
    assert redone["contacts"] == after["contacts"]
    assert [r[:2] for r in redone["links"]] == [r[:2] for r in after["links"]]


def test_a_later_change_of_an_imported_contact_blocks_its_undo(s: Store) -> None:
    s.import_rows(ROWS)
    (eve,) = ids_of(s, "eve@x.org")
    s.actor = "someone else"
    s.update_contact(eve, notes="called")
    s.actor = "me"
    with pytest.raises(Conflict, match="a later change by someone else"):
        s.undo(by="actor")
    s.actor = "someone else"
    s.undo(by="actor")
    s.actor = "me"
    s.undo(by="actor")
    assert not ids_of_all(s, "eve@x.org")


def test_later_tags_or_status_of_an_imported_contact_block_its_undo(s: Store) -> None:
    s.import_rows(ROWS)
    fay, gus = ids_of(s, "fay@x.org", "Gus")
    s.actor = "someone else"
    s.change_tags(fay, add=["VIP"])
    s.actor = "me"
    with pytest.raises(Conflict, match="later change"):
        s.undo(by="actor")
    s.actor = "someone else"
    s.undo(by="actor")
    s.bulk_set_status([gus], "New")
    s.actor = "me"
    with pytest.raises(Conflict, match="later change"):
        s.undo(by="actor")


def test_a_later_change_elsewhere_does_not_block(s: Store) -> None:
    before = rows(s)
    s.import_rows(ROWS[:3])
    s.actor = "someone else"
    s.update_contact("bob@example.org", notes="n")
    s.actor = "me"
    s.undo(by="actor")
    assert [c for c in rows(s)["contacts"] if c[2] in ("eve@x.org", "fay@x.org")] == []
    assert len(rows(s)["contacts"]) == len(before["contacts"])


def ids_of_all(store: Store, *keys: str) -> list[int]:
    found = {c.email or c.name: c.id for c in store.list_contacts().rows}
    return [found[k] for k in keys if k in found]


def test_redo_conflicts_on_a_taken_email_or_a_deleted_tag(s: Store) -> None:
    s.import_rows(ROWS[:3])
    s.undo()
    s.actor = "someone else"  # their step leaves my redo as it is
    s.add_contact("Eve Two", email="EVE@x.org")
    s.actor = "me"
    kept = rows(s)
    with pytest.raises(Conflict, match="now has the email"):
        s.redo()
    assert rows(s) == kept
    s.actor = "someone else"
    s.undo(by="actor")
    s.delete_tag("Cold")
    s.actor = "me"
    with pytest.raises(Conflict, match="tag assignments name a contact or tag deleted since"):
        s.redo()


def test_redo_conflicts_on_a_deleted_status_and_changes_nothing(s: Store) -> None:
    s.import_rows(ROWS[:3])  # Gus is "Won", a status there before the import
    s.undo()
    s.actor = "someone else"
    s.delete_status("Won")
    s.actor = "me"
    kept = rows(s)
    with pytest.raises(Conflict, match="status changes name a contact or status deleted since"):
        s.redo()
    assert rows(s) == kept


def test_history_of_an_imported_contact(s: Store) -> None:
    s.import_rows(ROWS)
    (eve,) = ids_of(s, "eve@x.org")
    history = s.history(contact=eve)
    assert [e.kind for e in history] == ["contact.tags_changed", "contact.status_changed", "contact.created"]
    assert history[-1].payload == {"name": "Eve", "email": "eve@x.org", "company": "EC", "followers": 0}
    lines = s.history_lines(contact=eve)
    assert lines[-1].what == "added contact"
    assert lines[0].what.startswith("tags: +VIP +Imported") or lines[0].what.startswith(
        "tags: +Imported +VIP"
    )
    # An edit since: the line still says what it was made with.
    s.update_contact(eve, name="Eve Renamed")
    assert s.history(contact=eve)[-1].payload["name"] == "Eve"
    # The tag's history has the import's tags event.
    assert "contacts.tags_changed" in [e.kind for e in s.history(tag="Imported")]
    # The workspace's history does not show what an undo keeps.
    s.undo()
    s.undo()
    assert KEPT not in [e.kind for e in s.history(limit=500)]


def _to_old_format(store: Store, step: int) -> None:
    """Journal the import ``step`` as imports before ``contacts.imported`` did: a
    ``contact.created`` event per new contact and undo rows of its tags and status."""

    def run(tx: Any) -> None:
        (event_id, payload) = tx.one(
            "SELECT id, payload FROM event WHERE step_id = :s AND kind = :k", {"s": step, "k": IMPORTED}
        )
        for lo, hi in json.loads(payload)["runs"]:
            for cid, name, email, company, phone, followers, status_id in tx.all(
                "SELECT id, name, email, company, phone, followers, status_id FROM contact"
                " WHERE id BETWEEN :lo AND :hi ORDER BY id",
                {"lo": lo, "hi": hi},
            ):
                fields = {
                    "name": name,
                    "email": email,
                    "company": company,
                    "phone": phone,
                    "followers": followers,
                }
                tx.execute(
                    "INSERT INTO event (workspace_id, at, kind, subject_type, subject_id, payload, step_id)"
                    " VALUES (:ws, '2026-01-01T00:00:00', 'contact.created', 'contact', :c, :p, :s)",
                    {
                        "ws": store.workspace_id,
                        "c": cid,
                        "s": step,
                        "p": json.dumps({k: v for k, v in fields.items() if v is not None}),
                    },
                )
                if status_id is not None:
                    tx.execute(
                        "INSERT INTO step_contact_status (step_id, contact_id, before_id, after_id)"
                        " VALUES (:s, :c, NULL, :a)",
                        {"s": step, "c": cid, "a": status_id},
                    )
                tx.execute(
                    "INSERT INTO step_contact_tag (step_id, tag_id, contact_id, added, created_at)"
                    " SELECT :s, tag_id, contact_id, 1, NULL FROM contact_tag WHERE contact_id = :c",
                    {"s": step, "c": cid},
                )
        tx.execute("DELETE FROM event WHERE id = :id", {"id": event_id})

    store.db.run(run, write=True)


def test_old_format_import_still_undoes_and_redoes(s: Store) -> None:
    before = rows(s)
    s.import_rows(ROWS)
    step = step_of_import(s)
    _to_old_format(s, step)
    after = rows(s)
    (eve,) = ids_of(s, "eve@x.org")
    assert "contact.created" in [e.kind for e in s.history(contact=eve)]
    s.undo()
    assert rows(s) == before
    assert KEPT not in [k for k, _, _ in events(s, step)]
    s.redo()
    again = rows(s)
    # The old journal put contacts back as new (rev 1, created now) and their tags as of now.
    assert [c[:-1] for c in again["contacts"]] == [c[:-1] for c in after["contacts"]]
    assert [r[:2] for r in again["links"]] == [r[:2] for r in after["links"]]
    s.undo()
    assert rows(s)["contacts"] == before["contacts"]
