"""Hypothesis strategies for filters: normalized ``Filter`` trees that round-trip.

Reused by the SQL-vs-Python model test, which passes the names that exist in its
data set: ``filters(tag_names=[...], status_names=[...], ...)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from tagtui.query import (
    EVERYTHING,
    FOLLOWERS_OPS,
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

# Words that a careless renderer would get wrong.
TRICKY_WORDS = (
    "none",
    "NONE",
    "and",
    "Or",
    "not",
    "-x",
    "-",
    "a:b",
    "tag:vip",
    "followers>3",
    "status=x",
    'say "hi"',
    "back\\slash",
    "\\",
    '\\"',
    "a,b",
    "(x)",
    ")",
    "hot lead",
    " padded ",
    "naïve",
    "日本",
    "emoji 🎉",
)

# Any character but lone surrogates; free text also leaves out control characters.
_ANY_VALUE = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=10)
_ANY_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=10)


def _names(given: Sequence[str] | None, default: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    if given is not None:
        return st.sampled_from(list(given))
    return st.one_of(st.sampled_from(TRICKY_WORDS), default)


def _name_tuples(names: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(names, min_size=1, max_size=3).map(tuple)


def terms(
    *,
    tag_names: Sequence[str] | None = None,
    status_names: Sequence[str] | None = None,
    assignee_names: Sequence[str] | None = None,
    texts: Sequence[str] | None = None,
    follower_counts: Sequence[int] | None = None,
) -> st.SearchStrategy[Filter]:
    """Single terms (the leaves of a filter tree)."""
    counts = (
        st.sampled_from(list(follower_counts))
        if follower_counts is not None
        else st.integers(min_value=0, max_value=10**9)
    )
    return st.one_of(
        _name_tuples(_names(tag_names, _ANY_VALUE)).map(Tags),
        st.just(NoTags()),
        _name_tuples(_names(status_names, _ANY_VALUE)).map(Statuses),
        st.just(NoStatus()),
        _name_tuples(_names(assignee_names, _ANY_VALUE)).map(Assignees),
        st.just(NoAssignee()),
        _names(texts, _ANY_TEXT).map(Text),
        st.builds(Followers, st.sampled_from(FOLLOWERS_OPS), counts),
    )


def filters(
    *,
    tag_names: Sequence[str] | None = None,
    status_names: Sequence[str] | None = None,
    assignee_names: Sequence[str] | None = None,
    texts: Sequence[str] | None = None,
    follower_counts: Sequence[int] | None = None,
    max_leaves: int = 8,
    allow_everything: bool = True,
) -> st.SearchStrategy[Filter]:
    """Normalized filters: ``And``/``Or`` of two or more children, ``Not`` of anything.

    Names are drawn from the given lists when passed (each list must be non-empty),
    otherwise from tricky words and arbitrary text. ``EVERYTHING`` appears only at
    the top, and only if ``allow_everything``.
    """
    leaves = terms(
        tag_names=tag_names,
        status_names=status_names,
        assignee_names=assignee_names,
        texts=texts,
        follower_counts=follower_counts,
    )

    def combine(children: st.SearchStrategy[Filter]) -> st.SearchStrategy[Filter]:
        groups = st.lists(children, min_size=2, max_size=4).map(tuple)
        return st.one_of(children.map(Not), groups.map(And), groups.map(Or))

    tree = st.recursive(leaves, combine, max_leaves=max_leaves)
    if allow_everything:
        return st.one_of(st.just(EVERYTHING), tree)
    return tree
