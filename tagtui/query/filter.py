"""The filter model: one immutable expression tree shared by the UI, the CLI and export.

A filter is a tree of terms (``Tags``, ``NoTags``, ``Statuses`` ...) combined with
``And``, ``Or`` and ``Not``. Values are kept exactly as the user wrote them (a tag
may be named by its name or its slug); they are resolved against a workspace only
when the filter is compiled to SQL. ``parse`` and ``render`` convert to and from
the one-line query language, and ``parse(render(f)) == f`` for every filter built
with the constructors below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FollowersOp = Literal[">", ">=", "<", "<=", "="]
FOLLOWERS_OPS: tuple[str, ...] = (">=", "<=", ">", "<", "=")


@dataclass(frozen=True)
class Tags:
    """Has at least one of these tags (each a name or slug, as written)."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class NoTags:
    """Has no tags at all."""


@dataclass(frozen=True)
class Statuses:
    """Status is one of these (each a name or slug, as written)."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class NoStatus:
    """Has no status."""


@dataclass(frozen=True)
class Assignees:
    """Assignee is one of these (case-insensitive, exact)."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class NoAssignee:
    """Has no assignee."""


@dataclass(frozen=True)
class Text:
    """Case-insensitive substring of name, email or company."""

    value: str


@dataclass(frozen=True)
class Followers:
    """A numeric comparison on the follower count."""

    op: FollowersOp
    value: int


@dataclass(frozen=True)
class Not:
    child: Filter


@dataclass(frozen=True)
class And:
    """All children match. ``And(())`` matches everything (the empty filter)."""

    children: tuple[Filter, ...]


@dataclass(frozen=True)
class Or:
    """At least one child matches (always two or more children)."""

    children: tuple[Filter, ...]


Term = Tags | NoTags | Statuses | NoStatus | Assignees | NoAssignee | Text | Followers
Filter = Term | Not | And | Or

EVERYTHING: Filter = And(())


def all_of(*filters: Filter) -> Filter:
    """The conjunction of ``filters``; empty filters drop out, one filter stands alone."""
    kept = tuple(f for f in filters if f != EVERYTHING)
    if not kept:
        return EVERYTHING
    if len(kept) == 1:
        return kept[0]
    return And(kept)


def any_of(*filters: Filter) -> Filter:
    """The disjunction of ``filters``; one filter stands alone."""
    if not filters:
        raise ValueError("any_of needs at least one filter")
    if len(filters) == 1:
        return filters[0]
    return Or(tuple(filters))


def criteria(
    *,
    any_tags: tuple[str, ...] = (),
    all_tags: tuple[str, ...] = (),
    none_tags: tuple[str, ...] = (),
    no_tags: bool = False,
    statuses: tuple[str, ...] = (),
    no_status: bool = False,
    assignees: tuple[str, ...] = (),
    no_assignee: bool = False,
    text: str = "",
) -> Filter:
    """The structured criteria of SPEC §3, combined with AND, as one filter.

    ``any_tags`` becomes one ``tag:a,b`` term, every tag of ``all_tags`` its own
    ``tag:x`` term, and every tag of ``none_tags`` a negated term.
    """
    parts: list[Filter] = []
    if any_tags:
        parts.append(Tags(tuple(any_tags)))
    parts.extend(Tags((t,)) for t in all_tags)
    parts.extend(Not(Tags((t,))) for t in none_tags)
    if no_tags:
        parts.append(NoTags())
    if statuses:
        parts.append(Statuses(tuple(statuses)))
    if no_status:
        parts.append(NoStatus())
    if assignees:
        parts.append(Assignees(tuple(assignees)))
    if no_assignee:
        parts.append(NoAssignee())
    if text:
        parts.append(Text(text))
    return all_of(*parts)


def top_level_terms(f: Filter) -> tuple[Filter, ...]:
    """The clauses that AND together at the top of ``f`` (what the side panel edits)."""
    if isinstance(f, And):
        return f.children
    return (f,)
