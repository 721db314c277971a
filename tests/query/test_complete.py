"""Completing a query as typed, and the closest names to a misspelt one (issue 12.5)."""

from __future__ import annotations

import pytest

from tagtui.query.complete import Vocabulary, closest, complete

WORDS = Vocabulary(
    tags=(
        ("vip", "VIP"),
        ("cold-lead", "Cold Lead"),
        ("hot-lead", "Hot Lead"),
        ("very-important", "Very Important"),
    ),
    statuses=(("new", "New"), ("qualified", "Qualified"), ("won", "Won")),
    assignees=("Alex Rivera", "sam"),
)


@pytest.mark.parametrize(
    ("typed", "prefix_only", "fuzzy"),
    [
        ("tag:vi", "tag:vip", "tag:vip"),
        ("sta", "status:", "status:"),
        ("t", "tag:", "tag:"),
        ("fol", "followers", "followers"),
        ("ass", "assignee:", "assignee:"),
        ("x -tag:co", "x -tag:cold-lead", "x -tag:cold-lead"),
        ("(tag:h", "(tag:hot-lead", "(tag:hot-lead"),
        ("tag:Very", "tag:very-important", "tag:very-important"),  # by name, written as the slug
        ("status:new,w", "status:new,won", "status:new,won"),
        ("assignee:al", 'assignee:"Alex Rivera"', 'assignee:"Alex Rivera"'),
        ("tag:imp", None, "tag:very-important"),  # fuzzy: contains it
        ("tag:hl", None, "tag:hot-lead"),  # fuzzy: its letters in order
        ("stauts", None, "status:"),
        ("tag:vip", None, None),  # already whole
        ("acme", None, None),  # free text
        ("followers>1", None, None),
        ('tag:"hot', None, None),
        ("", None, None),
        ("tag:", None, None),
    ],
)
def test_complete(typed: str, prefix_only: str | None, fuzzy: str | None) -> None:
    assert complete(typed, WORDS, fuzzy=False) == prefix_only
    assert complete(typed, WORDS) == fuzzy


def test_closest_prefix_then_fuzzy() -> None:
    tags = list(WORDS.tags)
    assert closest("cold", tags) == ["cold-lead"]
    assert closest("lead", tags) == ["cold-lead", "hot-lead"]
    assert closest("vipp", tags) == ["vip"]
    assert closest("Cold L", tags) == ["cold-lead"]  # by name
    assert closest("zzz", tags) == []
    assert closest("", tags) == []
