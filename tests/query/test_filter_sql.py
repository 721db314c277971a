"""Property: the SQL filter engine agrees with a plain-Python model of SPEC §3 on random data.

Each example fills a fresh workspace of one database (everything is workspace-scoped, so
earlier examples' rows sit beside it and must never leak in), draws a random filter tree,
and compares ``list_contacts`` / ``count_contacts`` with the model evaluated in memory.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagtui.query.filter import (
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
)
from tagtui.store import Store
from tests.conftest import PG_URL
from tests.query.strategies import filters

TAG_NAMES = ("VIP", "Hot Lead", "Émile's", "日本", "x_y")
STATUS_NAMES = ("New", "Qualified", "Won")
# Every way a query may name them: as written, in another case, by slug.
TAG_SPELLINGS = (
    "VIP",
    "vip",
    "Hot Lead",
    "HOT LEAD",
    "hot-lead",
    "Émile's",
    "ÉMILE'S",
    "émile-s",
    "日本",
    "x_y",
    "X-Y",
)
STATUS_SPELLINGS = ("New", "NEW", "qualified", "Won", "won")

CONTACT_NAMES = (
    "Jane Doe", "jane doe", "JANE", "Émile", "ÉMILE Zola", "émile", "Zoë", "bob", "Bob",
    "100% Real", "x_y", "Åsa", "日本太郎", "a",
)  # fmt: skip
EMAIL_LOCALS = ("jane", "Émile", "X_Y", "pct%", "BOB")
EMAIL_DOMAINS = ("example.com", "ACME.io", "émile.fr")
COMPANIES = ("ACME", "acme inc", "Émile & Co", "50% Off", "x_y", "Globex", "ZOË GmbH")
ASSIGNEES = ("Alice", "alice", "ÉMILE", "émile", " Bob ", "Zoë")
ASSIGNEE_QUERIES = ("alice", "ALICE", "émile", "Émile", "bob", "BOB", "zoë", "ZOË", "nobody", "ali")
TEXTS = (
    "a", "ACME", "émile", "ÉMILE", "%", "_", "@", "example", "jo", "x_y", "50%", "doe", "Ö", "zoë",
    "日本", "e z", ".io", "JANE D", "xy", "\\", "é",
)  # fmt: skip
FOLLOWERS = (0, 1, 10, 100, 150_000)
# PostgreSQL pays a round trip per statement: fewer examples there keep the run near a minute.
EXAMPLES = 200 if PG_URL else 400

_workspaces = itertools.count()


@dataclass
class Person:
    name: str
    email: str | None
    company: str | None
    assignee: str | None
    followers: int
    status: int | None  # index into STATUS_NAMES
    tags: frozenset[int]  # indexes into TAG_NAMES
    id: int = 0


@dataclass
class World:
    people: list[Person]
    tag_ids: list[int] = field(default_factory=list)
    status_ids: list[int] = field(default_factory=list)


@st.composite
def people(draw: st.DrawFn) -> list[Person]:
    n = draw(st.integers(min_value=0, max_value=10))
    out = []
    for i in range(n):
        email = None
        if draw(st.booleans()):
            email = f"{draw(st.sampled_from(EMAIL_LOCALS))}{i}@{draw(st.sampled_from(EMAIL_DOMAINS))}"
        out.append(
            Person(
                name=draw(st.sampled_from(CONTACT_NAMES)),
                email=email,
                company=draw(st.none() | st.sampled_from(COMPANIES)),
                assignee=draw(st.none() | st.sampled_from(ASSIGNEES)),
                followers=draw(st.sampled_from(FOLLOWERS)),
                status=draw(st.none() | st.integers(0, len(STATUS_NAMES) - 1)),
                tags=frozenset(draw(st.sets(st.integers(0, len(TAG_NAMES) - 1)))),
            )
        )
    return out


# -- the model ------------------------------------------------------------------------------


def _tag_index(value: str) -> int:
    """Which tag a query value names: its name in any case, or its slug (written out here)."""
    slugs = ("vip", "hot-lead", "émile-s", "日本", "x-y")
    key = value.strip().lower()
    for i, name in enumerate(TAG_NAMES):
        if key in (name.lower(), slugs[i]):
            return i
    raise AssertionError(f"the strategy drew an unknown tag {value!r}")


def _status_index(value: str) -> int:
    key = value.strip().lower()
    return [n.lower() for n in STATUS_NAMES].index(key)


def matches(f: Filter, p: Person) -> bool:
    match f:
        case Tags(values):
            return any(_tag_index(v) in p.tags for v in values)
        case NoTags():
            return not p.tags
        case Statuses(values):
            return p.status is not None and p.status in {_status_index(v) for v in values}
        case NoStatus():
            return p.status is None
        case Assignees(values):
            return p.assignee is not None and p.assignee.strip().lower() in {
                v.strip().lower() for v in values
            }
        case NoAssignee():
            return p.assignee is None
        case Text(value):
            needle = value.lower()
            return any(needle in (x or "").lower() for x in (p.name, p.email, p.company))
        case Followers(op, value):
            return {
                ">": p.followers > value,
                ">=": p.followers >= value,
                "<": p.followers < value,
                "<=": p.followers <= value,
                "=": p.followers == value,
            }[op]
        case Not(child):
            return not matches(child, p)
        case And(children):
            return all(matches(c, p) for c in children)
        case Or(children):
            return any(matches(c, p) for c in children)
    raise TypeError(f"not a filter: {f!r}")


def expected_ids(f: Filter, world: World) -> list[int]:
    chosen = [p for p in world.people if matches(f, p)]
    return [p.id for p in sorted(chosen, key=lambda p: (p.name.lower(), p.id))]


# -- the property ---------------------------------------------------------------------------


def _fill(store: Store, world: World) -> None:
    world.tag_ids = [store.create_tag(name).id for name in TAG_NAMES]
    world.status_ids = [store.create_status(name).id for name in STATUS_NAMES]
    for p in world.people:
        p.id = store.add_contact(
            p.name,
            email=p.email,
            company=p.company,
            assignee=p.assignee,
            followers=p.followers,
            status=None if p.status is None else world.status_ids[p.status],
            tags=[world.tag_ids[t] for t in sorted(p.tags)],
        ).id


FILTERS = filters(
    tag_names=TAG_SPELLINGS,
    status_names=STATUS_SPELLINGS,
    assignee_names=ASSIGNEE_QUERIES,
    texts=TEXTS,
    follower_counts=FOLLOWERS,
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(crowd=people(), f=FILTERS, page_size=st.integers(min_value=1, max_value=4))
def test_sql_engine_agrees_with_the_python_model(
    db_url: str, crowd: list[Person], f: Filter, page_size: int
) -> None:
    world = World(crowd)
    store = Store.open(db_url, workspace=f"w{next(_workspaces)}")
    try:
        _fill(store, world)
        want = expected_ids(f, world)

        page = store.list_contacts(f, limit=1000)
        assert [r.id for r in page.rows] == want
        assert page.total == len(want)
        assert store.count_contacts(f) == len(want)

        # Each row carries its own status and tags.
        by_id = {p.id: p for p in world.people}
        for row in page.rows:
            p = by_id[row.id]
            assert row.status == (None if p.status is None else STATUS_NAMES[p.status])
            assert {t.id for t in row.tags} == {world.tag_ids[t] for t in p.tags}

        # Offset paging and keyset paging walk the same rows.
        by_offset = [
            r.id
            for offset in range(0, len(want) + 1, page_size)
            for r in store.list_contacts(f, limit=page_size, offset=offset, with_total=False).rows
        ]
        assert by_offset == want
        assert [r.id for r in store.iter_contacts(f, batch=page_size)] == want

        # A set-based bulk change over the filter touches exactly the matching contacts.
        vip = world.tag_ids[0]
        gaining = [i for i in want if 0 not in by_id[i].tags]
        counts = store.bulk_change_tags(f, add=[vip])
        assert counts == {f"+{vip}": len(gaining)}
        for i in want:
            by_id[i].tags |= {0}
        assert [r.id for r in store.list_contacts(Tags(("vip",)), limit=1000).rows] == expected_ids(
            Tags(("vip",)), world
        )
        # The filter may name vip itself, so what it selects now is asked of the model again.
        want = expected_ids(f, world)
        assert [r.id for r in store.list_contacts(f, limit=1000).rows] == want
        assert store.bulk_set_status(f, None) == sum(1 for i in want if by_id[i].status is not None)
        for i in want:
            by_id[i].status = None
        assert [r.id for r in store.list_contacts(NoStatus(), limit=1000).rows] == expected_ids(
            NoStatus(), world
        )
    finally:
        store.close()
