"""Sorted listings (issue 12.6): every sort order, paged by keyset, is exactly the order of the
whole result sorted in Python (ties by id, empty values last), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tagtui.query import EVERYTHING, parse
from tagtui.store import Store, ValidationError
from tagtui.store.schema import SCHEMA_VERSION
from tagtui.store.sorting import SORT_FIELDS, Sort, parse_sort

COMPANIES = ["Acme", "acme", None, "Babbage & Co", "Zeta", None, "beta"]
ASSIGNEES = ["Sam", None, "alex", "Sam", None]


@pytest.fixture
def filled(store: Store) -> Store:
    for tag in ("VIP", "alpha", "Zeta", "beta"):
        store.create_tag(tag)
    # Tag lists that share a start and differ after it ("VIP" before "VIP, Zeta" before "Zeta").
    tag_sets = [["VIP"], [], ["alpha", "VIP"], ["Zeta"], ["VIP", "Zeta"], ["beta", "alpha", "Zeta"], ["beta"]]
    for name in ("New", "Qualified", "Won"):
        store.create_status(name)
    statuses = ["new", "qualified", "won", None]
    # One import (set-based, ids in row order), not an add_contact each: on PostgreSQL a round
    # trip per statement.
    store.import_rows(
        [
            {
                # Names repeat, so that ties are broken by id.
                "name": f"Person {i % 7}",
                "email": "" if i % 5 == 0 else f"p{(i * 37) % 61:02d}@example.com",
                "company": COMPANIES[i % len(COMPANIES)] or "",
                "assignee": ASSIGNEES[i % len(ASSIGNEES)] or "",
                "followers": str((i * 13) % 9),
                "status": statuses[i % 4] or "",
                "tags": ";".join(sorted({*tag_sets[i % len(tag_sets)], *(["VIP"] if i % 3 == 0 else [])})),
            }
            for i in range(61)
        ]
    )
    return store


def expected(store: Store, query, sort: Sort) -> list[int]:  # type: ignore[no-untyped-def]
    """The ids ``query`` matches, sorted in Python as the sort promises."""
    rows = []
    after = None
    while True:  # every match (by name), to be sorted here
        page = store.list_contacts(query, limit=1000, after=after, with_total=False)
        rows += page.rows
        if page.next_after is None or len(page.rows) < 1000:
            break
        after = page.next_after
    statuses = [s.id for s in store.list_statuses()]
    desc = sort.descending

    if sort.field == "status":
        order = list(reversed(statuses)) if desc else statuses
        place = {s: i for i, s in enumerate(order)}
        rows.sort(key=lambda r: (place.get(r.status_id, len(order)), r.name_key, r.id))
        return [r.id for r in rows]
    value = {
        "name": lambda r: r.name_key,
        "email": lambda r: r.email.lower() if r.email else None,
        "company": lambda r: r.company.lower() if r.company else None,
        "assignee": lambda r: r.assignee.lower() if r.assignee else None,
        "followers": lambda r: r.followers,
        # The names the Tags column shows, in its order, compared name by name.
        "tags": lambda r: [t.name.lower() for t in r.tags] or None,
    }[sort.field]
    present = sorted((r for r in rows if value(r) is not None), key=lambda r: (value(r), r.id), reverse=desc)
    blank = sorted((r for r in rows if value(r) is None), key=lambda r: r.id, reverse=desc)
    return [r.id for r in present + blank]


@pytest.mark.parametrize("field", SORT_FIELDS)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("query", ["", "tag:vip", "-status:won"])
def test_keyset_pages_give_the_sorted_order_exactly(filled: Store, field, descending, query) -> None:  # type: ignore[no-untyped-def]
    sort = Sort(field, descending)
    f = parse(query) if query else EVERYTHING
    want = expected(filled, f, sort)
    got: list[int] = []
    after = None
    while True:
        page = filled.list_contacts(f, limit=7, after=after, with_total=False, sort=sort)
        got += [r.id for r in page.rows]
        if len(page.rows) < 7:
            break
        after = page.next_after
    assert got == want
    # A page found by offset (a jump to the end) is the same slice of the same order.
    for offset in (0, 7, len(want) - 3):
        page = filled.list_contacts(f, limit=7, offset=max(offset, 0), sort=sort.text)
        assert [r.id for r in page.rows] == want[max(offset, 0) : max(offset, 0) + 7]
        assert page.total == len(want)


def test_a_sort_is_field_and_direction() -> None:
    assert parse_sort("followers:desc") == Sort("followers", True)
    assert parse_sort(" Email ") == Sort("email") == parse_sort("email:asc")
    assert parse_sort(None) == parse_sort("") == Sort("name")
    for bad in ("tag", "bogus", "email:up", "name:desc:x"):
        with pytest.raises(ValidationError):
            parse_sort(bad)


def test_a_saved_view_keeps_its_sort(filled: Store) -> None:
    view = filled.save_view("big", "tag:vip", "followers:desc")
    assert view.sort == "followers:desc"
    assert filled.get_view("big").sort == "followers:desc"
    assert [v.sort for v in filled.list_views()] == ["followers:desc"]
    # Saved again without a sort: by name (stored as none).
    assert filled.save_view("big", "tag:vip").sort is None
    assert filled.get_view("big").sort is None
    with pytest.raises(ValidationError):
        filled.save_view("bad", "tag:vip", "nope")
    assert [v.name for v in filled.list_views()] == ["big"]


def test_a_schema_4_database_gains_the_sort_column_and_indexes(db_url: str, backend: str) -> None:
    from tests.store.test_migration_sync import _run

    with Store.open(db_url) as store:
        store.save_view("cold", "-tag:none")
        store.add_contact("Ann", company="Acme", followers=3)
    for index in ("ix_contact_assignee_order", "ix_contact_followers", "ix_contact_company"):
        _run(db_url, f"DROP INDEX {index}")
    _run(db_url, "ALTER TABLE saved_view DROP COLUMN sort")
    _run(db_url, "UPDATE tagtui_meta SET value = '4' WHERE \"key\" = 'schema_version'")

    with Store.open(db_url) as store:
        assert store.get_view("cold").sort is None  # kept, by name
        assert store.save_view("cold", "-tag:none", "company:desc").sort == "company:desc"
        assert [r.name for r in store.list_contacts(sort="followers:desc").rows] == ["Ann"]
    if backend == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    names = {r[0] for r in _run(db_url, sql)}
    assert {"ix_contact_assignee_order", "ix_contact_followers", "ix_contact_company"} <= names
    assert _run(db_url, "SELECT value FROM tagtui_meta WHERE \"key\" = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]


def test_the_tags_order_follows_every_change_of_tags(filled: Store) -> None:
    """The stored key the tags order walks is kept by the database: a tag added, removed (one
    contact, in bulk, undone), renamed so that it sorts elsewhere, merged and deleted."""
    from tagtui.query import parse as p

    def check() -> None:
        for descending in (False, True):
            sort = Sort("tags", descending)
            got = [r.id for r in filled.list_contacts(limit=1000, with_total=False, sort=sort).rows]
            assert got == expected(filled, EVERYTHING, sort)

    check()
    first = filled.list_contacts(limit=1).rows[0]
    filled.change_tags(first.id, add=["Zeta"], remove=["VIP"])
    check()
    filled.bulk_change_tags(p("status:won"), add=["alpha"])
    check()
    filled.undo(by="any")
    check()
    filled.update_tag("alpha", name="Zz top")  # from first place among the tags to last
    check()
    filled.merge_tags("beta", "VIP")
    check()
    filled.delete_tag("Zeta", force=True)
    check()


def test_a_schema_5_database_gains_the_tags_order(filled: Store, db_url: str, backend: str) -> None:
    """Schema 6 fills every contact's tags key from its tags (one statement), then the triggers
    keep it: the tags order is exact at once and after a change."""
    from tests.store.test_migration_sync import _run

    filled.close()
    if backend == "sqlite":
        triggers = [
            r[0] for r in _run(db_url, "SELECT name FROM sqlite_master WHERE name LIKE 'contact_tags_key%'")
        ]
        for name in triggers:
            _run(db_url, f"DROP TRIGGER {name}")
    else:
        for name in ("added", "removed", "changed"):
            _run(db_url, f"DROP TRIGGER contact_tags_key_{name} ON contact_tag")
        _run(db_url, "DROP TRIGGER contact_tags_key_renamed ON tag")
        for name in ("added", "removed", "changed", "renamed"):
            _run(db_url, f"DROP FUNCTION contact_tags_key_{name}()")
    _run(db_url, "DROP INDEX ix_contact_tags")
    _run(db_url, "ALTER TABLE contact DROP COLUMN tags_key")
    _run(db_url, "UPDATE tagtui_meta SET value = '5' WHERE \"key\" = 'schema_version'")

    with Store.open(db_url) as store:
        for descending in (False, True):
            sort = Sort("tags", descending)
            got = [r.id for r in store.list_contacts(limit=1000, with_total=False, sort=sort).rows]
            assert got == expected(store, EVERYTHING, sort)
        store.update_tag("VIP", name="AAA")
        sort = Sort("tags")
        got = [r.id for r in store.list_contacts(limit=1000, with_total=False, sort=sort).rows]
        assert got == expected(store, EVERYTHING, sort)
    assert _run(db_url, "SELECT value FROM tagtui_meta WHERE \"key\" = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]
