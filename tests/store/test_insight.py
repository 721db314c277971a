"""Query explain, tag co-occurrence and the funnel, on a small data set built here explicitly."""

from __future__ import annotations

import pytest

from tagtui.query import parse, top_level_terms
from tagtui.query.parse import clauses
from tagtui.store import Store, ValidationError
from tests.store.conftest import snapshot

#: name -> (tags, status). Tag counts: A 5, B 4, C 4. Pairs: A+B 3, A+C 2, B+C 2.
#: Stages: S1 2, S2 2, S3 2, no status 2.
PEOPLE: dict[str, tuple[tuple[str, ...], str | None]] = {
    "c1": (("A", "B"), "S1"),
    "c2": (("A", "B", "C"), "S2"),
    "c3": (("A",), "S3"),
    "c4": (("B", "C"), "S2"),
    "c5": ((), None),
    "c6": (("C",), None),
    "c7": (("A", "C"), "S3"),
    "c8": (("A", "B"), "S1"),
}


@pytest.fixture
def known(store: Store, other: Store) -> Store:
    for name in ("A", "B", "C"):
        store.create_tag(name)
        other.create_tag(name)
    for name in ("S1", "S2", "S3"):
        store.create_status(name)
        other.create_status(name)
    for name, (tags, status) in PEOPLE.items():
        store.add_contact(name, tags=list(tags), status=status)
    # Another workspace of the same database must never leak into the counts.
    other.add_contact("x", tags=["A", "B", "C"], status="S1")
    return store


def _explained(store: Store, query: str) -> list[tuple[str, int, int]]:
    return [(c.clause, c.matches, c.running) for c in store.explain(query).clauses]


def test_explain_counts_each_clause_alone_and_running(known: Store) -> None:
    result = known.explain("tag:a  -tag:c and status:s1,s2")
    assert _explained(known, "tag:a  -tag:c and status:s1,s2") == [
        ("tag:a", 5, 5),  # c1 c2 c3 c7 c8
        ("-tag:c", 4, 3),  # alone c1 c3 c5 c8; with tag:a c1 c3 c8
        ("status:s1,s2", 4, 2),  # alone c1 c2 c4 c8; so far c1 c8
    ]
    assert result.total == 2 == known.count_contacts(parse("tag:a  -tag:c and status:s1,s2"))
    assert result.emptied_by is None
    assert result.to_json() == {
        "clauses": [
            {"clause": "tag:a", "matches": 5, "running": 5},
            {"clause": "-tag:c", "matches": 4, "running": 3},
            {"clause": "status:s1,s2", "matches": 4, "running": 2},
        ],
        "total": 2,
    }


def test_explain_names_the_clause_that_empties_the_list(known: Store) -> None:
    result = known.explain("tag:b status:s3 tag:a")
    assert [(c.matches, c.running) for c in result.clauses] == [(4, 4), (2, 0), (5, 0)]
    assert result.emptied_by == 1 and result.total == 0


def test_explain_keeps_groups_and_top_level_or_as_one_clause(known: Store) -> None:
    assert _explained(known, "(tag:a or tag:b) and -tag:c") == [("(tag:a or tag:b)", 6, 6), ("-tag:c", 4, 3)]
    assert _explained(known, "tag:a or tag:b -tag:c") == [("tag:a or tag:b -tag:c", 5, 5)]  # AND binds first
    # A filter object (no text) is explained with each clause rendered.
    assert [c.clause for c in known.explain(parse('tag:A  -"c5"')).clauses] == ["tag:A", "-c5"]


def test_explain_of_nothing_and_of_bad_queries(known: Store) -> None:
    empty = known.explain("  ")
    assert empty.clauses == () and empty.total == 8
    with pytest.raises(ValidationError) as bad:
        known.explain("tag:a (")
    assert bad.value.position == 6
    with pytest.raises(ValidationError, match="unknown tag 'nope'"):
        known.explain("tag:a tag:nope")


def test_clauses_keep_the_text_as_written() -> None:
    text = '  tag:VIP and not -(a or b)   followers>=10 "x y"'
    found = clauses(text)
    assert [c.text for c in found] == ["tag:VIP", "not -(a or b)", "followers>=10", '"x y"']
    assert all(text[c.start : c.end] == c.text for c in found) and found[0].start == 2
    assert tuple(c.filter for c in found) == top_level_terms(parse(text))
    assert clauses("") == ()


def test_tag_pairs_ranked_with_share(known: Store) -> None:
    pairs = known.tag_pairs()
    assert [p.to_json() for p in pairs] == [
        {"a": "A", "b": "B", "contacts": 3, "share": 0.75},  # 3 of B's 4
        {"a": "A", "b": "C", "contacts": 2, "share": 0.5},
        {"a": "B", "b": "C", "contacts": 2, "share": 0.5},
    ]
    assert [p.to_json() for p in known.tag_pairs(limit=1)] == [pairs[0].to_json()]
    # Among c2 (A B C) and c4 (B C) only.
    assert [(p.a.name, p.b.name, p.contacts, p.share) for p in known.tag_pairs(parse("status:s2"))] == [
        ("B", "C", 2, 1.0),
        ("A", "B", 1, 1.0),
        ("A", "C", 1, 1.0),
    ]
    assert known.tag_pairs(parse("tag:none")) == []
    with pytest.raises(ValidationError):
        known.tag_pairs(limit=0)


def test_cooccurrence_matrix(known: Store) -> None:
    matrix = known.cooccurrence(["A", "b", "C"])
    assert [t.name for t in matrix.tags] == ["A", "B", "C"]
    assert matrix.counts == ((5, 3, 2), (3, 4, 2), (2, 2, 4))
    assert matrix.contacts == 8
    top = known.cooccurrence(top=2)  # the two most used tags: A (5), then B before C (4 each, by name)
    assert [t.name for t in top.tags] == ["A", "B"] and top.counts == ((5, 3), (3, 4))
    among = known.cooccurrence(query=parse("-status:s1"))  # c2..c7
    assert [t.name for t in among.tags] == ["C", "A", "B"]
    assert among.counts == ((4, 2, 2), (2, 3, 1), (2, 1, 2)) and among.contacts == 6


def test_funnel_numbers(known: Store) -> None:
    rows = [s.to_json() for s in known.funnel()]
    assert rows == [
        {"status": "S1", "contacts": 2, "conversion": 0.6667},  # 4 of the 6 at S1 or later went on
        {"status": "S2", "contacts": 2, "conversion": 0.5},  # 2 of 4
        {"status": "S3", "contacts": 2, "conversion": None},  # the last stage
        {"status": None, "contacts": 2, "conversion": None},
    ]
    # tag:a: S1 c1 c8, S2 c2, S3 c3 c7.
    assert [(s.status, s.contacts, s.conversion) for s in known.funnel(parse("tag:a"))] == [
        ("S1", 2, 0.6),
        ("S2", 1, 0.6667),
        ("S3", 2, None),
        (None, 0, None),
    ]
    # Nobody reached a stage: no conversion rather than a division by zero.
    assert [s.conversion for s in known.funnel(parse("status:none"))] == [None, None, None, None]


def test_insight_changes_nothing(known: Store) -> None:
    before = snapshot(known)
    known.explain("tag:a -tag:c")
    known.tag_pairs()
    known.cooccurrence()
    known.funnel(parse("tag:b"))
    assert snapshot(known) == before
