"""The statements the filter engine runs for tag filters search the tag indexes: whatever
shape the planner's size estimates choose, ``EXPLAIN QUERY PLAN`` never shows a full scan of
``contact_tag`` (SQLite), and every shape selects the same contacts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tagtui.query import parse
from tagtui.query.compile import Sizes
from tagtui.query.filter import Not, NoTags, Or, Tags, criteria
from tagtui.store import Store
from tagtui.store.db import Tx
from tests.conftest import PG_URL

QUERIES = (
    Tags(("t1",)),
    Tags(("t1", "t2", "t3")),
    Not(Tags(("t4",))),
    NoTags(),
    criteria(all_tags=("t1", "t8")),
    parse("tag:t1 -tag:t2 status:s1"),
    parse("tag:t1,t2,t3 -tag:t5"),
    parse("tag:t3 person"),
    parse("tag:t2 status:s1,s2 followers>10"),
    Or((Tags(("t1",)), Tags(("t9",)))),
    parse("tag:t1 tag:t7 -status:s1"),
    parse("tag:t3 status:s1,s2"),
)

#: Size estimates that push the compiler into each of its shapes.
SCENARIOS: dict[str, Sizes] = {
    "rare tags": Sizes(tag=lambda i: 5, status=lambda i: 5000, total=1_000_000),
    "common tags": Sizes(tag=lambda i: 400_000, status=lambda i: 300_000, total=1_000_000),
    "rare status": Sizes(tag=lambda i: 200_000, status=lambda i: 10, total=1_000_000),
    "small": Sizes(tag=lambda i: 30, status=lambda i: 30, total=300),
}

#: The plan tests read SQLite's plans; skipped on PostgreSQL before ``filled`` fills a schema.
sqlite_plans = pytest.mark.skipif(
    PG_URL is not None, reason="EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans by its own statistics"
)

#: A plan line about contact_tag, under any alias the engine uses for it.
ON_CONTACT_TAG = re.compile(r"\b(SCAN|SEARCH) (contact_tag|ct\d*|x|y)\b")


@pytest.fixture
def filled(store: Store) -> Store:
    for i in range(10):
        store.create_tag(f"T{i}")
    for i in range(3):
        store.create_status(f"S{i}")
    # One import (set-based), not an add_contact each: on PostgreSQL a round trip per statement.
    store.import_rows(
        [
            {
                "name": f"Person {i:03d}",
                "tags": f"T{i % 10};T{(i * 7) % 10}" if i % 11 else "",
                "status": f"S{i % 3}" if i % 4 else "",
            }
            for i in range(300)
        ]
    )
    store._write(lambda tx: tx.execute("UPDATE contact SET followers = id % 50"))
    if store.db.dialect == "sqlite":
        store._write(lambda tx: tx.execute("ANALYZE"))
    return store


def _run_recorded(store: Store, monkeypatch: pytest.MonkeyPatch, call: Any) -> tuple[Any, list]:
    seen: list[tuple[str, dict]] = []
    real = Tx.execute

    def spy(self: Tx, sql: str, params: dict | None = None) -> Any:
        if sql.lstrip().upper().startswith("SELECT") and "contact_tag" in sql:
            seen.append((sql, dict(params or {})))
        return real(self, sql, params)

    monkeypatch.setattr(Tx, "execute", spy)
    try:
        return call(), seen
    finally:
        monkeypatch.setattr(Tx, "execute", real)


def _everything(store: Store, f: Any) -> tuple:
    page = store.list_contacts(f, limit=50, with_total=False)
    return (
        [r.id for r in page.rows],
        store.count_contacts(f),
        store.tag_counts(f),
        store.status_counts(f),
    )


@sqlite_plans
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_tag_filters_search_contact_tag_by_index(filled: Store, monkeypatch, scenario) -> None:
    monkeypatch.setattr(type(filled), "_sizes", lambda self, tx: SCENARIOS[scenario])
    for f in QUERIES:
        _, statements = _run_recorded(filled, monkeypatch, lambda f=f: _everything(filled, f))
        assert statements, f
        for sql, params in statements:
            plan = filled._read(
                lambda tx, sql=sql, params=params: tx.all(f"EXPLAIN QUERY PLAN {sql}", params)
            )
            details = [row[-1] for row in plan]
            for d in details:
                if ON_CONTACT_TAG.search(d):
                    assert d.startswith("SEARCH") and "INDEX" in d, (scenario, repr(f), sql, details)


def test_every_shape_selects_the_same_contacts(filled: Store, monkeypatch) -> None:
    """Runs on PostgreSQL too: the shapes (IN, EXISTS, counts over the tag index alone,
    unary-plus columns) are SQL both engines accept, and they agree."""
    expected = {f: _everything(filled, f) for f in QUERIES}
    for sizes in SCENARIOS.values():
        monkeypatch.setattr(type(filled), "_sizes", lambda self, tx, sizes=sizes: sizes)
        for f in QUERIES:
            assert _everything(filled, f) == expected[f], f
    # And the counts are what a plain filter over every row says.
    everyone = filled.list_contacts(limit=1000).rows
    for f in QUERIES:
        assert expected[f][1] == len(filled.list_contacts(f, limit=1000).rows)
    assert sum(filled.status_counts().values()) == len(everyone)
    assert filled.tag_counts() == {t.id: t.contacts for t in filled.list_tags() if t.contacts}


@sqlite_plans
def test_a_count_of_tags_and_rare_statuses_reads_no_contact_row(filled: Store, monkeypatch) -> None:
    """``tag:a tag:b -status:s`` counted: the tag index drives and the status clause is the
    status index's contacts (``c.id IN``), so no contact row is read (SQLite's plan)."""
    monkeypatch.setattr(type(filled), "_sizes", lambda self, tx: SCENARIOS["rare status"])
    for text in ("tag:t1 tag:t7 -status:s1", "tag:t3 status:s1,s2", "tag:t1 -tag:t2 status:s1"):
        f = parse(text)
        seen: list[tuple[str, dict]] = []
        real = Tx.scalar

        def spy(self: Tx, sql: str, params: dict | None = None, seen=seen, real=real) -> Any:
            seen.append((sql, dict(params or {})))
            return real(self, sql, params)

        monkeypatch.setattr(Tx, "scalar", spy)
        count = filled.count_contacts(f)
        monkeypatch.setattr(Tx, "scalar", real)
        sql, params = next((q, p) for q, p in seen if "contact_tag" in q)
        plan = [r[-1] for r in filled._read(lambda tx, q=sql, p=params: tx.all(f"EXPLAIN QUERY PLAN {q}", p))]
        on_contact = [d for d in plan if re.search(r"\b(SCAN|SEARCH) (c|s|contact)\b", d)]
        assert on_contact and all("COVERING INDEX" in d for d in on_contact), (text, plan)
        assert count == len(filled.list_contacts(f, limit=1000).rows) > 0, text


@sqlite_plans
def test_a_count_of_not_a_rare_tag_looks_ids_up_in_one_set(filled: Store, monkeypatch) -> None:
    """``-tag:x`` with x rare: the workspace's ids, each looked up in one set of x's contacts
    (no correlated probe of contact_tag per contact); with x common, a probe per contact
    (SQLite's plan). Either way the count is what a listing of every contact says."""
    everyone = filled.list_contacts(limit=1000).rows
    for scenario, one_set in (("rare tags", True), ("common tags", False)):
        monkeypatch.setattr(type(filled), "_sizes", lambda self, tx, s=scenario: SCENARIOS[s])
        f = parse("-tag:t4")
        seen: list[tuple[str, dict]] = []
        real = Tx.scalar

        def spy(self: Tx, sql: str, params: dict | None = None, seen=seen, real=real) -> Any:
            seen.append((sql, dict(params or {})))
            return real(self, sql, params)

        monkeypatch.setattr(Tx, "scalar", spy)
        count = filled.count_contacts(f)
        monkeypatch.setattr(Tx, "scalar", real)
        sql, params = next((q, p) for q, p in seen if "contact_tag" in q)
        plan = [r[-1] for r in filled._read(lambda tx, q=sql, p=params: tx.all(f"EXPLAIN QUERY PLAN {q}", p))]
        assert any(re.search(r"\b(SCAN|SEARCH) c\b", d) for d in plan), plan
        assert (not any(d.startswith("CORRELATED") for d in plan)) == one_set, (scenario, plan)
        assert count == sum(1 for r in everyone if "T4" not in {t.name for t in r.tags}) > 0
