"""Trends of a query (schema 7: ``trend_entry``, ``ix_contact_tag_made``) equal a plain
Python computation over the event log and the assignments, on seeded random histories:
status events at random times (cleared statuses, a deleted status, events before the window),
tags assigned at random times, and more events after a first call (folded in, not rebuilt).
Both plans (each selected contact's rows, or the window's rows looked up) are checked."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta

import pytest

from tagtui.query import parse
from tagtui.store import Store, trends
from tagtui.store.db import Tx
from tagtui.store.trends import week_starts

WEEKS = 6
DAY = timedelta(days=1)
QUERIES = [
    "tag:t0",
    "status:won",
    "tag:t0 tag:t1 -status:lost",
    "ann",
    "-tag:t2",
    "tag:t3 or status:new",
    "-tag:t0 -status:lost",
    "-(tag:t1 or ann)",
]


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _status_ids(store: Store) -> dict[str, int]:
    return dict(
        store._read(
            lambda tx: tx.all("SELECT name, id FROM status WHERE workspace_id = :ws", store._params())
        )
    )


def _add_events(
    store: Store, rng: random.Random, contacts: list[int], statuses: list[int | None], n: int
) -> None:
    """``n`` status events of random contacts at random times from 10 weeks ago to now."""
    start = week_starts(WEEKS)[0] - 4 * 7 * DAY
    now = datetime.now(start.tzinfo)
    rows = []
    for _ in range(n):
        at = start + (now - start) * rng.random()
        rows.append(
            store._params(
                at=_at(at),
                sid=rng.choice(contacts),
                payload=json.dumps({"before": None, "after": rng.choice(statuses)}),
            )
        )
    store._write(
        lambda tx: tx.executemany(
            "INSERT INTO event (workspace_id, at, kind, subject_type, subject_id, payload)"
            " VALUES (:ws, :at, 'contact.status_changed', 'contact', :sid, :payload)",
            rows,
        )
    )


def _percentile(values: list[int], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    pos = p * (len(values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(values) - 1)
    return round(values[lo] + (pos - lo) * (values[hi] - values[lo]), 2)


def _expected(store: Store, query: str) -> dict[str, object]:
    """The trends of ``query`` computed in Python from the log and the assignments."""
    selected = {c.id for c in store.iter_contacts(parse(query))}
    starts = week_starts(WEEKS)
    start, end = starts[0], starts[-1] + 7 * DAY

    def read(tx):  # type: ignore[no-untyped-def]
        p = store._params()
        return (
            tx.all("SELECT id, name, position FROM status WHERE workspace_id = :ws ORDER BY position, id", p),
            tx.all(
                "SELECT id, subject_id, at, payload FROM event WHERE workspace_id = :ws"
                " AND kind = 'contact.status_changed'",
                p,
            ),
            tx.all(
                "SELECT ct.contact_id, t.id, t.name, t.name_key, ct.created_at FROM contact_tag ct"
                " JOIN tag t ON t.id = ct.tag_id WHERE t.workspace_id = :ws",
                p,
            ),
        )

    statuses, events, assignments = store._read(read)
    position = {sid: pos for sid, _, pos in statuses}
    name = {sid: n for sid, n, _ in statuses}
    entered = {n: [0] * WEEKS for _, n, _ in statuses}
    moved = {n: [0] * WEEKS for _, n, _ in statuses}
    stays: dict[str, list[int]] = {n: [] for _, n, _ in statuses}
    by_contact: dict[int, list[tuple[datetime, int, int | None]]] = {}
    for eid, cid, at, payload in events:
        if cid in selected:
            by_contact.setdefault(cid, []).append((_moment(at), eid, json.loads(payload)["after"]))
    for own in by_contact.values():
        own.sort()
        for i, (at, _, sid) in enumerate(own):
            if sid not in position or not start <= at < end:
                continue
            w = (at - start) // (7 * DAY)
            entered[name[sid]][w] += 1
            if any(s in position and position[s] > position[sid] for _, _, s in own[i + 1 :]):
                moved[name[sid]][w] += 1
            if i + 1 < len(own):
                stays[name[sid]].append(math.floor((own[i + 1][0] - at).total_seconds() / 86400 + 0.5))
    counts: dict[tuple[int, str, str], list[datetime]] = {}
    for cid, tid, tname, key, made in assignments:
        if cid in selected:
            counts.setdefault((tid, tname, key), []).append(_moment(made))
    top = sorted(counts, key=lambda t: (-len(counts[t]), t[2], t[0]))[: trends.TREND_TAGS]
    tags = {
        t[1]: [
            len(counts[t]) if k == WEEKS - 1 else sum(m < starts[k] + 7 * DAY for m in counts[t])
            for k in range(WEEKS)
        ]
        for t in top
    }
    return {
        "weeks": [s.date().isoformat() for s in starts],
        "entered": entered,
        "conversion": {
            n: [round(m / e, 4) if e else None for m, e in zip(moved[n], entered[n], strict=True)]
            for n in entered
        },
        "time_in_stage": {
            n: {"median_days": _percentile(v, 0.5), "p90_days": _percentile(v, 0.9), "stays": len(v)}
            for n, v in stays.items()
        },
        "tags": tags,
    }


def _spy_rest_reads(monkeypatch: pytest.MonkeyPatch, read: list[str]) -> None:
    """Put in ``read`` each statement that reads the contacts a negated query leaves out
    (``REST``) to count their tags (not the statements that fill or count that table)."""
    for name in ("all", "execute"):
        real = getattr(Tx, name)

        def spy(self: Tx, sql: str, params: dict | None = None, _real=real):  # type: ignore[no-untyped-def]
            if f"FROM {trends.REST} s" in sql or f"IN (SELECT id FROM {trends.REST})" in sql:
                read.append(sql)
            return _real(self, sql, params)

        monkeypatch.setattr(Tx, name, spy)


@pytest.fixture
def random_history(store: Store) -> Store:
    rng = random.Random(17)
    store.setup_statuses()
    names = ["Ann", "Bob", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jo", "Joanne", "Kit"]
    contacts = [store.add_contact(f"{rng.choice(names)} {i}").id for i in range(70)]
    for t in range(5):
        store.create_tag(f"t{t}")
        store.assign(f"t{t}", rng.sample(contacts, rng.randint(5, 40)))
    # Assignments made at random times, some before the window, some in it.
    start = week_starts(WEEKS)[0]
    store._write(
        lambda tx: tx.executemany(
            "UPDATE contact_tag SET created_at = :at WHERE contact_id = :c",
            [{"c": c, "at": _at(start + rng.uniform(-20, 6 * 7) * DAY)} for c in contacts],
        )
    )
    ids = _status_ids(store)
    store.create_status("Gone")
    gone = _status_ids(store)["Gone"]
    _add_events(store, rng, contacts, [*ids.values(), None, gone], 400)
    store.delete_status("Gone")
    store.set_status(contacts[0], "Won")  # an event of now, through the store
    return store


def test_a_query_equals_python_over_the_log_by_either_plan(
    random_history: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each plan: by each selected contact's rows or by the window's, and a negated query's
    tags counted from the contacts it leaves out (``REST``) or from its own."""
    store = random_history
    rest_read: list[str] = []
    _spy_rest_reads(monkeypatch, rest_read)
    for query in QUERIES:
        expected = _expected(store, query)
        for by_contacts in (True, False):
            for by_rest in (True, False):
                monkeypatch.setattr("tagtui.store.trends.by_contacts", lambda *_, b=by_contacts: b)
                monkeypatch.setattr("tagtui.store.trends.by_rest", lambda *_, b=by_rest: b)
                rest_read.clear()
                got = store.trends(parse(query), weeks=WEEKS).to_json()
                assert got == expected, (query, by_contacts, by_rest)
                negated = query.startswith("-") and " or " not in query.split(")")[-1]
                assert bool(rest_read) == (by_rest and negated), (query, by_rest, rest_read)
        if query.startswith("-"):
            assert expected["tags"], query
    assert sum(sum(v) for v in expected["entered"].values()) > 0  # type: ignore[attr-defined]


def test_events_after_a_first_call_are_folded_in(random_history: Store) -> None:
    store = random_history
    store.trends(parse("tag:t0"), weeks=WEEKS)  # the tables are made
    rng = random.Random(3)
    contacts = [c.id for c in store.iter_contacts()]
    _add_events(store, rng, contacts, [*_status_ids(store).values(), None], 60)
    store.set_status(contacts[5], "Lost")
    store.delete_contacts([contacts[7]])
    for query in QUERIES:
        assert store.trends(parse(query), weeks=WEEKS).to_json() == _expected(store, query), query


@pytest.mark.parametrize("top", [1, 2])
def test_the_most_held_tags_of_a_large_selection_are_found_without_reading_every_tag(
    random_history: Store, monkeypatch: pytest.MonkeyPatch, top: int
) -> None:
    """Many selected contacts: the tags are counted most assigned first and those that cannot
    reach the ``top`` best counts are not read; the tags found equal the plain computation's
    (ties by name), and fewer tags are read than exist when the counts allow it."""
    store = random_history
    monkeypatch.setattr(trends, "TREND_TAGS", top)
    monkeypatch.setattr("tagtui.store.trends.by_contacts", lambda *_: False)
    monkeypatch.setattr("tagtui.store.trends.by_rest", lambda *_: False)  # each selected tag counted
    read: list[str] = []
    real = Tx.all

    def spy(self: Tx, sql: str, params: dict | None = None) -> list:
        if sql.startswith("SELECT ct.tag_id, COUNT(*) FROM contact_tag ct WHERE ct.tag_id IN"):
            read.extend(sql.split("IN (", 1)[1].split(")", 1)[0].split(", "))
        return real(self, sql, params)

    monkeypatch.setattr(Tx, "all", spy)
    for query in [*QUERIES, "-tag:t0", "ann or bob"]:
        read.clear()
        assert store.trends(parse(query), weeks=WEEKS).to_json() == _expected(store, query), query
        assert len(read) == len(set(read)), query  # no tag counted twice
    read.clear()
    store.trends(parse("-tag:t4"), weeks=WEEKS)
    assert 0 < len(read) < 5, read  # of the 5 tags, those that could be among the best


def test_many_selected_contacts_window_rows_are_grouped_as_the_index_reads_them(
    random_history: Store, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    """The window's rows of a large selection are counted in the order ``ix_trend_entry_cell``
    holds them (SQLite: no sort of them before grouping), and give the plain computation's
    numbers. (PostgreSQL plans the grouping itself: there only the numbers are checked.)"""
    store = random_history
    monkeypatch.setattr("tagtui.store.trends.by_contacts", lambda *_: False)
    seen: list[str] = []
    real = Tx.all

    def spy(self: Tx, sql: str, params: dict | None = None) -> list:
        rows = real(self, sql, params)
        if "FROM trend_entry e" in sql and backend == "sqlite":
            plan = real(self, "EXPLAIN QUERY PLAN " + sql, params)
            seen.append(" / ".join(str(r[-1]) for r in plan))
        return rows

    monkeypatch.setattr(Tx, "all", spy)
    assert store.trends(parse("-tag:t2"), weeks=WEEKS).to_json() == _expected(store, "-tag:t2")
    if backend == "sqlite":
        assert len(seen) == 1, seen
        assert "ix_trend_entry_cell" in seen[0] and "GROUP BY" not in seen[0], seen[0]


def test_contacts_left_out_that_are_not_the_rest_are_not_used(
    random_history: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If what a negated query leaves out, as found, and the selection do not together hold
    each contact once, the tags are counted from the selection itself: the same numbers."""
    store = random_history
    monkeypatch.setattr("tagtui.store.trends.by_rest", lambda *_: True)
    monkeypatch.setattr("tagtui.store.trends.rest_of", lambda _: parse("tag:t0"))  # not the rest
    read: list[str] = []
    _spy_rest_reads(monkeypatch, read)
    assert store.trends(parse("-tag:t2"), weeks=WEEKS).to_json() == _expected(store, "-tag:t2")
    assert read == []
