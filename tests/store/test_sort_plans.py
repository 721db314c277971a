"""Every sort order's pages are read along that order's index (issue 12.6 §6: the first page of
any sort at 1M contacts within 2x of raw sqlite3): ``EXPLAIN QUERY PLAN`` of each statement a
first page and a next page run shows an index search, no sort of its own, and for a value a
contact may lack (email, company, assignee) a seek past the contacts without one, not a walk
over them. The rows a page carries (fields and tags) are the same whichever way they are read."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tagtui.store import Store
from tagtui.store.db import Tx
from tagtui.store.sorting import SORT_FIELDS, Sort
from tagtui.store.types import ContactRow, TagRef
from tests.conftest import PG_URL

NULLABLE = {"email", "company", "assignee"}


@pytest.fixture
def filled(store: Store) -> Store:
    tags = [store.create_tag(name) for name in ("VIP", "Cold", "Partner")]
    for name in ("New", "Won"):
        store.create_status(name)
    for i in range(120):
        store.add_contact(
            f"Person {i % 13}",
            # Most contacts lack the optional values: they come first in an ascending index.
            email=f"p{i}@example.com" if i % 4 == 0 else None,
            company=f"Company {i % 7}" if i % 5 == 0 else None,
            assignee="Sam" if i % 6 == 0 else None,
            followers=i % 9,
            status=["new", "won", None][i % 3],
            tags=[t.name for n, t in enumerate(tags) if i % (n + 2) == 0],
        )
    return store


def _statements(store: Store, call: Any) -> tuple[Any, list[tuple[str, dict]]]:
    seen: list[tuple[str, dict]] = []
    real = Tx.execute

    def spy(self: Tx, sql: str, params: dict | None = None) -> Any:
        if "FROM contact c" in sql and sql.lstrip().startswith("SELECT"):
            seen.append((sql, dict(params or {})))
        return real(self, sql, params)

    Tx.execute = spy  # type: ignore[method-assign]
    try:
        return call(), seen
    finally:
        Tx.execute = real  # type: ignore[method-assign]


# Skipped on PostgreSQL before ``filled`` fills a schema.
@pytest.mark.skipif(
    PG_URL is not None, reason="EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans by its own statistics"
)
@pytest.mark.parametrize("field", SORT_FIELDS)
@pytest.mark.parametrize("descending", [False, True])
def test_each_sort_reads_its_index_and_seeks_past_empty_values(
    filled: Store, field: str, descending: bool
) -> None:
    sort = Sort(field, descending)
    first, statements = _statements(
        filled, lambda: filled.list_contacts(limit=5, with_total=False, sort=sort)
    )
    after = first.next_after
    _, more = _statements(
        filled, lambda: filled.list_contacts(limit=5, after=after, with_total=False, sort=sort)
    )
    assert statements and more
    for n, (sql, params) in enumerate(statements + more):
        plan = [
            r[-1]
            for r in filled._read(
                lambda tx, sql=sql, params=params: tx.all(f"EXPLAIN QUERY PLAN {sql}", params)
            )
        ]
        on_contact = [d for d in plan if re.match(r"(SEARCH|SCAN) c\b", d)]
        assert on_contact and all(d.startswith("SEARCH c USING") and "INDEX" in d for d in on_contact), (
            sql,
            plan,
        )
        assert not any("TEMP B-TREE" in d for d in plan), (sql, plan)
        if field in NULLABLE and n == 0:
            # The contacts that have the value: a range the index seeks to (NULLs sort first).
            assert any(">?" in d or "<?" in d for d in on_contact), (sql, plan)


def test_rows_carry_their_fields_and_tags_in_name_order(filled: Store) -> None:
    everyone = {c.id: c for c in (filled.get_contact(r.id) for r in filled.list_contacts(limit=1000).rows)}
    for field in SORT_FIELDS:
        for descending in (False, True):
            rows = filled.list_contacts(limit=1000, with_total=False, sort=Sort(field, descending)).rows
            assert sorted(r.id for r in rows) == sorted(everyone)
            for row in rows:
                c = everyone[row.id]
                assert isinstance(row, ContactRow)
                assert (row.name, row.email, row.company, row.assignee, row.followers, row.status) == (
                    c.name,
                    c.email,
                    c.company,
                    c.assignee,
                    c.followers,
                    c.status,
                )
                assert [t.name for t in row.tags] == sorted(t.name for t in c.tags)
                assert all(isinstance(t, TagRef) for t in row.tags)
                # The same row as the dataclass made field by field (equal and hashable alike).
                same = ContactRow(
                    row.id,
                    row.name,
                    row.email,
                    row.company,
                    row.phone,
                    row.assignee,
                    row.followers,
                    row.status,
                    tuple(TagRef(t.id, t.name, t.slug, t.color, t.emoji) for t in row.tags),
                    row.status_id,
                    row.status_color,
                    row.name_key,
                )
                assert row == same and hash(row) == hash(same)
