"""``trend_pair`` (schema 10) holds what the assignments say, after every way one comes or goes
(one contact's tags, a bulk change, assign, sync, an import of new and known contacts, a merge of
contacts or tags, a deleted contact or tag, undo and redo, a demo, an assignment's time moved),
on seeded random sequences: compared with pairs counted in Python from ``contact_tag``. And the
trends of ``tag:x`` and ``-tag:x`` (read from it, and for "all but" from the workspace's stage
rows less those of the rest and of deleted contacts, ``trend_gone``) equal the plain Python
computation over the log, whichever plan is taken."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tagtui.errors import TagtuiError
from tagtui.query import parse
from tagtui.store import Store
from tagtui.store.models import week_of
from tagtui.store.trends import utc_stamp
from tests.store.test_trends import _tag_counts
from tests.store.test_trends_query import WEEKS, _add_events, _expected, _status_ids

TAGS = [f"t{i}" for i in range(6)]


def _pairs(store: Store) -> tuple[dict, dict]:
    """trend_pair's rows, and what it must hold: for each contact, each ordered pair of two of
    its tags (a, b) in the week of b's assignment (no row for a pair nobody has)."""

    def run(tx):  # type: ignore[no-untyped-def]
        kept = {(a, b, w): n for a, b, w, n in tx.all("SELECT tag_id, other_id, week, n FROM trend_pair")}
        week = week_of(store.db.dialect, "created_at")
        rows = tx.all(f"SELECT contact_id, tag_id, {week} FROM contact_tag")
        return kept, rows

    kept, rows = store._read(run)
    by_contact: dict[int, list[tuple[int, int]]] = {}
    for cid, tid, w in rows:
        by_contact.setdefault(cid, []).append((tid, w))
    real: Counter[tuple[int, int, int]] = Counter()
    for own in by_contact.values():
        for a, _ in own:
            for b, w in own:
                if a != b:
                    real[(a, b, w)] += 1
    return kept, dict(real)


def _check(store: Store, what: str) -> None:
    kept, real = _pairs(store)
    assert kept == real, what
    kept, real = _tag_counts(store)
    assert kept == real, what


def _backdate(store: Store, rng: random.Random) -> None:
    """Move some assignments' times into earlier weeks (an UPDATE: the update triggers)."""
    now = datetime.now(UTC)

    def run(tx):  # type: ignore[no-untyped-def]
        rows = tx.all("SELECT contact_id, tag_id FROM contact_tag ORDER BY contact_id, tag_id")
        for cid, tid in rng.sample(rows, min(len(rows), 8)):
            at = utc_stamp(now - timedelta(days=rng.uniform(0, 70)))
            tx.execute(
                "UPDATE contact_tag SET created_at = :at WHERE contact_id = :c AND tag_id = :t",
                {"at": at, "c": cid, "t": tid},
            )

    store._write(run)


def _step(store: Store, rng: random.Random, n: int) -> str:
    """One random write through the store; what it was."""
    contacts = [c.id for c in store.iter_contacts()]
    tags = [t.name for t in store.list_tags(limit=1000)]
    some = lambda k: rng.sample(tags, min(k, len(tags)))  # noqa: E731
    kind = rng.choice(
        [
            *("add", "tag", "tag", "sync", "bulk", "bulk", "assign", "unassign", "delete", "merge", "import"),
            *("undo", "undo", "redo", "backdate", "merge_tags", "delete_tag", "create_tag"),
        ]
    )
    if len(contacts) < 4:
        kind = "add"
    if kind == "add":
        store.add_contact(f"p{n}", email=f"p{n}@example.com", tags=some(rng.randint(0, 4)))
    elif kind == "tag":
        store.change_tags(rng.choice(contacts), add=some(2), remove=[])
        store.change_tags(rng.choice(contacts), add=[], remove=some(2))
    elif kind == "sync":
        store.sync_tags(contact_id=rng.choice(contacts), names=some(rng.randint(0, 3)))
    elif kind == "bulk":
        query = rng.choice(["tag:t0", "-tag:t1", "status:won", "ann", "tag:none"])
        add = some(1)
        remove = [t for t in some(2) if t not in add]
        store.bulk_change_tags(parse(query), add=add, remove=remove)
    elif kind == "assign":
        store.assign(rng.choice(tags), rng.sample(contacts, 3))
    elif kind == "unassign":
        store.unassign(rng.choice(tags), rng.sample(contacts, 3))
    elif kind == "delete":
        store.delete_contacts(rng.sample(contacts, 2))
    elif kind == "merge":
        keep, *others = rng.sample(contacts, 3)
        store.merge_contacts(keep, others)
    elif kind == "import":
        rows = [
            {"name": f"i{n}-{k}", "email": f"i{n}-{k}@example.com", "tags": ";".join(some(rng.randint(0, 3)))}
            for k in range(4)
        ]
        known = store.list_contacts(limit=3).rows
        rows += [{"email": c.email, "tags": ";".join(some(2))} for c in known if c.email]
        store.import_rows(rows)
    elif kind == "undo":
        store.undo()
    elif kind == "redo":
        store.redo()
    elif kind == "backdate":
        _backdate(store, rng)
    elif kind == "merge_tags" and len(tags) > 3:
        a, b = rng.sample(tags, 2)
        store.merge_tags(a, b)
    elif kind == "delete_tag" and len(tags) > 3:
        store.delete_tag(rng.choice(tags), force=True)
    elif kind == "create_tag":
        store.create_tag(f"n{n}")
    return kind


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pairs_follow_every_way_an_assignment_comes_or_goes(store: Store, seed: int) -> None:
    rng = random.Random(seed)
    store.setup_statuses()
    for name in TAGS:
        store.create_tag(name)
    for i in range(12):
        store.add_contact(
            "ann" if i % 5 == 0 else f"c{i}",
            status=rng.choice(["New", "Won", None]),
            tags=rng.sample(TAGS, 3),
        )
    _check(store, "start")
    seen = []
    for n in range(60):
        try:
            seen.append(_step(store, rng, n))
        except TagtuiError:  # nothing to undo or redo, a merge refused: nothing changed
            seen.append("refused")
        _check(store, f"after {seen}")


def test_pairs_of_a_demo_and_its_undo(store: Store) -> None:
    from tagtui.io.demo import generate

    generate(store, contacts=300, seed=3)
    _check(store, "demo")
    ids = [c.id for c in store.list_contacts(limit=40).rows]
    store.bulk_change_tags(ids, add=["VIP"], remove=["Customer"])
    _check(store, "bulk")
    store.delete_tag("Newsletter", force=True)
    _check(store, "tag deleted")
    store.undo()
    _check(store, "tag back")
    store.undo()
    store.undo()
    _check(store, "demo undone")


@pytest.fixture
def history(store: Store) -> Store:
    """Contacts with tags made over the weeks and status events at random times; some
    contacts deleted after their events (their rows stay in the log, but not in a query)."""
    rng = random.Random(11)
    store.setup_statuses()
    for name in TAGS:
        store.create_tag(name)
    for i in range(70):
        store.add_contact("ann" if i % 9 == 0 else f"c{i}", tags=rng.sample(TAGS, rng.randint(0, 3)))
    _backdate(store, rng)
    _backdate(store, rng)
    contacts = [c.id for c in store.iter_contacts()]
    _add_events(store, rng, contacts, [*_status_ids(store).values(), None], 300)
    store.trends()  # the tables made: the deletes below come after
    store.delete_contacts(contacts[:4])
    _add_events(store, rng, contacts[4:], [*_status_ids(store).values(), None], 40)
    store.delete_contacts(contacts[4:6])
    return store


@pytest.mark.parametrize("query", ["tag:t0", "-tag:t1", "-tag:t2,t3", "-tag:t4 -tag:t5"])
def test_one_tag_and_all_but_some_equal_python_by_every_plan(
    history: Store, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    store = history
    expected = _expected(store, query)
    for by_contacts in (True, False):
        for by_rest in (True, False):
            monkeypatch.setattr("tagtui.store.trends.by_contacts", lambda *_, b=by_contacts: b)
            monkeypatch.setattr("tagtui.store.trends.by_rest", lambda *_, b=by_rest: b)
            got = store.trends(parse(query), weeks=WEEKS).to_json()
            assert got == expected, (query, by_contacts, by_rest)
    assert expected["tags"] and sum(sum(v) for v in expected["entered"].values()) > 0  # type: ignore[attr-defined]


def test_all_but_a_tag_after_contacts_come_back_and_go(
    history: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deleted contact given back (undo) counts again; deleted again, it does not."""
    store = history
    monkeypatch.setattr("tagtui.store.trends.by_rest", lambda *_: True)
    store.undo()  # the second delete
    assert store.trends(parse("-tag:t1"), weeks=WEEKS).to_json() == _expected(store, "-tag:t1")
    store.redo()
    assert store.trends(parse("-tag:t1"), weeks=WEEKS).to_json() == _expected(store, "-tag:t1")
    gone = [c.id for c in store.list_contacts(limit=3).rows]
    store.delete_contacts(gone)
    assert store.trends(parse("-tag:t1"), weeks=WEEKS).to_json() == _expected(store, "-tag:t1")
