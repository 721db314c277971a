"""Filtering (SPEC §3; references 000 and 001): tags any/all/none, no-tags/status/assignee, text, paging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tagtui.query import parse
from tagtui.query.filter import (
    EVERYTHING,
    And,
    Assignees,
    Filter,
    Followers,
    NoAssignee,
    NoStatus,
    Not,
    NoTags,
    Or,
    Statuses,
    Tags,
    Text,
    criteria,
)
from tagtui.store import Store, ValidationError
from tagtui.store.db import Tx
from tests.conftest import PG_URL


@dataclass
class World:
    store: Store
    ids: dict[str, int]

    def names(self, f: Filter) -> list[str]:
        """The names of the contacts ``f`` selects, in listing order; checks total and count agree."""
        page = self.store.list_contacts(f, limit=1000)
        assert page.total == self.store.count_contacts(f) == len(page.rows)
        assert len({r.id for r in page.rows}) == len(page.rows), "a contact listed twice"
        return [r.name for r in page.rows]


@pytest.fixture
def world(store: Store) -> World:
    for name in ("VIP", "Partner", "Hot Lead", "Cold"):
        store.create_tag(name)
    store.create_status("New")
    store.create_status("Won")
    rows: list[tuple[str, dict[str, Any]]] = [
        ("Alice", dict(email="a@acme.com", company="ACME", assignee="Sam", status="won",
                       tags=["vip", "partner", "hot-lead"])),
        ("bob", dict(assignee="sam", tags=["vip"], followers=150_000)),
        ("Carol", dict(status="new", assignee="Émile", tags=["partner"])),
        ("Dave", dict(company="50% Off")),
        ("Émile Zola", dict(email="emile@x.com", company="x_y", tags=["cold"])),
        ("eve", dict(company="Globex", tags=["hot-lead", "cold"])),
    ]  # fmt: skip
    ids = {name: store.add_contact(name, **fields).id for name, fields in rows}
    return World(store, ids)


ANY3 = Tags(("VIP", "partner", "Hot Lead"))


def test_any_of_three_tags_counts_each_contact_once(world: World) -> None:
    """Reference 001: an ANY match, and COUNT(DISTINCT) so Alice (all three tags) counts once."""
    assert world.names(ANY3) == ["Alice", "bob", "Carol", "eve"]
    page = world.store.list_contacts(ANY3, limit=2)
    assert page.total == 4 and [r.name for r in page.rows] == ["Alice", "bob"]


def test_all_of_a_set(world: World) -> None:
    assert world.names(criteria(all_tags=("vip", "partner"))) == ["Alice"]
    assert world.names(And((Tags(("hot-lead",)), Tags(("cold",))))) == ["eve"]
    assert world.names(criteria(all_tags=("vip", "cold"))) == []


def test_none_of_a_set(world: World) -> None:
    assert world.names(criteria(none_tags=("vip", "cold"))) == ["Carol", "Dave"]
    assert world.names(Not(ANY3)) == ["Dave", "Émile Zola"]


def test_no_tags_no_status_no_assignee(world: World) -> None:
    """Reference 000's noTags / noStatus / noAssignee."""
    assert world.names(NoTags()) == ["Dave"]
    assert world.names(NoStatus()) == ["bob", "Dave", "eve", "Émile Zola"]
    assert world.names(NoAssignee()) == ["Dave", "eve", "Émile Zola"]
    assert world.names(Not(NoTags())) == ["Alice", "bob", "Carol", "eve", "Émile Zola"]


def test_statuses_any_of_a_set(world: World) -> None:
    assert world.names(Statuses(("won",))) == ["Alice"]
    assert world.names(Statuses(("Won", "NEW"))) == ["Alice", "Carol"]
    assert world.names(Not(Statuses(("won",)))) == ["bob", "Carol", "Dave", "eve", "Émile Zola"]


def test_criteria_combine_with_and(world: World) -> None:
    """Reference 000: tags, statuses and assignees filters combine with AND."""
    assert world.names(criteria(any_tags=("hot-lead",), no_assignee=True)) == ["eve"]
    assert world.names(criteria(any_tags=("vip",), no_status=True)) == ["bob"]
    assert world.names(criteria(any_tags=("partner",), statuses=("won",), assignees=("sam",))) == ["Alice"]


def test_assignee_is_exact_and_case_insensitive(world: World) -> None:
    assert world.names(Assignees(("SAM",))) == ["Alice", "bob"]
    assert world.names(Assignees(("sam", "émile"))) == ["Alice", "bob", "Carol"]
    assert world.names(Assignees(("ÉMILE",))) == ["Carol"]
    assert world.names(Assignees(("sa",))) == []  # not a substring match
    assert world.names(Assignees(("nobody",))) == []  # an unknown assignee simply matches nobody
    assert world.names(Not(Assignees(("sam",)))) == ["Carol", "Dave", "eve", "Émile Zola"]


def test_text_over_name_email_and_company(world: World) -> None:
    assert world.names(Text("acme")) == ["Alice"]  # company and email
    assert world.names(Text("ACME.COM")) == ["Alice"]  # email only
    assert world.names(Text("GLOBEX")) == ["eve"]
    assert world.names(Text("BOB")) == ["bob"]
    assert world.names(Text("ÉMILE")) == ["Émile Zola"]  # not Carol, whose *assignee* is Émile
    assert world.names(Text("émile zola")) == ["Émile Zola"]
    assert world.names(Text("EMILE@X")) == ["Émile Zola"]
    assert world.names(Text("e")) == ["Alice", "Dave", "eve", "Émile Zola"]


def test_text_wildcards_are_literal(world: World) -> None:
    assert world.names(Text("%")) == ["Dave"]
    assert world.names(Text("50%")) == ["Dave"]
    assert world.names(Text("_")) == ["Émile Zola"]
    assert world.names(Text("x_y")) == ["Émile Zola"]
    assert world.names(Text("a_c")) == []
    assert world.names(Text("\\")) == []


def test_unknown_tag_or_status_in_a_filter_is_a_validation_error(world: World) -> None:
    s = world.store
    for f in (
        Tags(("nosuch",)),
        Tags(("vip", "nosuch")),
        Statuses(("nosuch",)),
        Or((Tags(("vip",)), Not(Statuses(("lost",))))),
        Tags(("⭐",)),
    ):
        with pytest.raises(ValidationError) as err:
            s.list_contacts(f)
        assert err.value.field == "query"
        with pytest.raises(ValidationError):
            s.count_contacts(f)
        with pytest.raises(ValidationError):
            s.check_query(f)


@pytest.mark.parametrize(
    "f",
    [
        Tags(()),
        Statuses(()),
        Assignees(()),
        Text(None),  # type: ignore[arg-type]
        Tags((None,)),  # type: ignore[arg-type]
        Followers(">", "3"),  # type: ignore[arg-type]
        Followers("; DELETE FROM contact; --", 1),  # type: ignore[arg-type]
        Followers("!=", 1),  # type: ignore[arg-type]
    ],
    ids=repr,
)
def test_a_malformed_filter_is_a_validation_error_never_bad_sql(world: World, f: Filter) -> None:
    """Filters built in code (not parsed) are checked too: the operator is spliced into SQL."""
    with pytest.raises(ValidationError):
        world.store.count_contacts(f)
    with pytest.raises(ValidationError):
        world.store.list_contacts(Not(f))
    assert world.store.count_contacts() == 6


def test_empty_and_or_are_everything_and_nothing(world: World) -> None:
    assert world.store.count_contacts(And(())) == 6
    assert world.store.count_contacts(Or(())) == 0
    assert world.store.count_contacts(Not(Or(()))) == 6


def test_followers_comparisons(world: World) -> None:
    assert world.names(Followers(">", 100_000)) == ["bob"]
    assert world.names(Followers(">=", 150_000)) == ["bob"]
    assert world.names(Followers("=", 0)) == ["Alice", "Carol", "Dave", "eve", "Émile Zola"]
    assert world.names(Followers("<", 1)) == world.names(Followers("<=", 0))


def test_tags_from_another_workspace_are_unknown(world: World, other: Store) -> None:
    other.create_tag("Theirs")
    other.add_contact("Them", tags=["theirs"])
    with pytest.raises(ValidationError):
        world.store.count_contacts(Tags(("theirs",)))
    assert "Them" not in world.names(EVERYTHING)
    assert [r.name for r in other.list_contacts().rows] == ["Them"]


def test_queries_from_the_language(world: World) -> None:
    assert world.names(parse("tag:vip or (tag:cold and not tag:hot-lead)")) == ["Alice", "bob", "Émile Zola"]
    assert world.names(parse('tag:"hot lead" -tag:vip')) == ["eve"]
    assert world.names(parse("tag:none")) == ["Dave"]
    assert world.names(parse("status:none assignee:none")) == ["Dave", "eve", "Émile Zola"]
    assert world.names(parse("status:won,new")) == ["Alice", "Carol"]


def test_listing_is_by_name_case_insensitively_then_id(world: World) -> None:
    s = world.store
    dup = s.add_contact("ALICE")
    names = world.names(EVERYTHING)
    assert names == ["Alice", "ALICE", "bob", "Carol", "Dave", "eve", "Émile Zola"]
    assert [r.id for r in s.list_contacts(limit=2).rows] == [world.ids["Alice"], dup.id]


@pytest.mark.parametrize("f", [EVERYTHING, ANY3, Not(NoStatus()), Text("e")], ids=repr)
def test_offset_and_keyset_paging_give_the_same_rows(world: World, f: Filter) -> None:
    s = world.store
    for n in range(12):
        s.add_contact(f"Extra {n % 4}", tags=["vip"] if n % 2 else [])
    everything = [r.id for r in s.list_contacts(f, limit=1000).rows]
    for size in (1, 2, 3, 5):
        by_offset: list[int] = []
        offset = 0
        while True:
            page = s.list_contacts(f, limit=size, offset=offset)
            assert page.total == len(everything)
            if not page.rows:
                break
            by_offset += [r.id for r in page.rows]
            offset += size
        by_key: list[int] = []
        after = None
        while True:
            page = s.list_contacts(f, limit=size, after=after, with_total=False)
            by_key += [r.id for r in page.rows]
            if len(page.rows) < size:
                break
            after = (page.rows[-1].name_key, page.rows[-1].id)
        assert by_offset == by_key == everything
    assert [r.id for r in s.iter_contacts(f, batch=3)] == everything


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (1001, 0), (10, -1)])
def test_contact_listing_limits(world: World, limit: int, offset: int) -> None:
    with pytest.raises(ValidationError):
        world.store.list_contacts(limit=limit, offset=offset)


def test_listed_rows_carry_tags_and_status(world: World) -> None:
    alice = world.store.list_contacts(Text("acme")).rows[0]
    assert alice.status == "Won"
    assert [t.name for t in alice.tags] == ["Hot Lead", "Partner", "VIP"]
    assert alice.to_json()["tags"] == ["Hot Lead", "Partner", "VIP"]


# -- the query plan ------------------------------------------------------------------------


def _recorded_selects(store: Store, monkeypatch: pytest.MonkeyPatch, call: Any) -> list[tuple[str, dict]]:
    seen: list[tuple[str, dict]] = []
    real = Tx.execute

    def spy(self: Tx, sql: str, params: dict | None = None) -> Any:
        if sql.lstrip().upper().startswith("SELECT") and "contact c" in sql:
            seen.append((sql, dict(params or {})))
        return real(self, sql, params)

    monkeypatch.setattr(Tx, "execute", spy)
    call()
    monkeypatch.undo()
    return seen


@pytest.mark.skipif(
    PG_URL is not None,
    reason="EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans differ by design and by statistics",
)
def test_a_tag_filter_searches_contact_tag_by_index(store: Store, monkeypatch) -> None:
    tags = [store.create_tag(f"T{i}").id for i in range(10)]
    for i in range(300):
        store.add_contact(f"C{i:03d}", tags=[tags[i % 10], tags[(i * 7) % 10]])
    store._write(lambda tx: tx.execute("ANALYZE"))
    for f in (
        Tags(("t1",)),
        Tags(("t1", "t2", "t3")),
        Not(Tags(("t4",))),
        NoTags(),
        criteria(all_tags=("t1", "t8")),
    ):
        statements = _recorded_selects(
            store, monkeypatch, lambda f=f: (store.list_contacts(f, limit=50), store.count_contacts(f))
        )
        assert statements
        for sql, params in statements:
            plan = store._read(lambda tx, sql=sql, params=params: tx.all(f"EXPLAIN QUERY PLAN {sql}", params))
            details = [row[-1] for row in plan]
            on_contact_tag = [d for d in details if " ct " in f" {d} " or "contact_tag" in d]
            assert on_contact_tag, details
            for d in on_contact_tag:
                assert d.startswith("SEARCH") and "INDEX" in d, (repr(f), details)
