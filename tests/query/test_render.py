"""render: canonical query text, quoting only when a bare word would read back wrong."""

from __future__ import annotations

import pytest

from tagtui.query import (
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
    parse,
    render,
)

a, b, c = Text("a"), Text("b"), Text("c")

RENDERED: list[tuple[Filter, str]] = [
    (EVERYTHING, ""),
    (Tags(("vip",)), "tag:vip"),
    (Tags(("vip", "partner")), "tag:vip,partner"),
    (Tags(("hot lead", "vip")), 'tag:"hot lead",vip'),
    (Tags(("none",)), 'tag:"none"'),
    (Tags(("None", "vip")), 'tag:"None",vip'),
    (Tags(("a:b",)), "tag:a:b"),
    (Tags(("-x",)), "tag:-x"),
    (Tags(("or",)), "tag:or"),
    (Tags(("a,b",)), 'tag:"a,b"'),
    (Tags(("(x)",)), 'tag:"(x)"'),
    (Tags(('say "hi"',)), r'tag:"say \"hi\""'),
    (Tags(("back\\slash",)), "tag:back\\slash"),
    (Tags(('a"b\\',)), r'tag:"a\"b\\"'),
    (NoTags(), "tag:none"),
    (Statuses(("qualified", "won")), "status:qualified,won"),
    (NoStatus(), "status:none"),
    (Assignees(("ann", "bob")), "assignee:ann,bob"),
    (NoAssignee(), "assignee:none"),
    (Followers(">", 100000), "followers>100000"),
    (Followers("<=", 0), "followers<=0"),
    (Followers("=", 3), "followers=3"),
    (Text("acme"), "acme"),
    (Text("jane doe"), '"jane doe"'),
    (Text("none"), "none"),
    (Text("a:b"), '"a:b"'),
    (Text("OR"), '"OR"'),
    (Text("not"), '"not"'),
    (Text("-acme"), '"-acme"'),
    (Text("x>5"), "x>5"),
    (Text("tag>5"), '"tag>5"'),
    (Text("Followers=5"), '"Followers=5"'),
    (Text("tag"), "tag"),
    (Text("naïve"), "naïve"),
    (Not(Tags(("cold",))), "-tag:cold"),
    (Not(Not(a)), "--a"),
    (Not(Text("-a")), '-"-a"'),
    (Not(Or((a, b))), "-(a or b)"),
    (Not(And((a, b))), "-(a b)"),
    (And((a, b, c)), "a b c"),
    (Or((a, b, c)), "a or b or c"),
    (Or((a, And((b, Not(c))))), "a or b -c"),
    (And((a, Or((b, c)))), "a (b or c)"),
    (And((a, And((b, c)))), "a (b c)"),
    (Or((Or((a, b)), c)), "(a or b) or c"),
    (Or((And((a, b)), c)), "a b or c"),
    # one-child groups are never built by parse; render reads them as their child
    (And((a,)), "a"),
    (And((a, Or((b,)))), "a b"),
    (Not(And((Or((a, b)),))), "-(a or b)"),
]


@pytest.mark.parametrize(("f", "expected"), RENDERED, ids=[t for _, t in RENDERED])
def test_render(f: Filter, expected: str) -> None:
    assert render(f) == expected


CANONICAL: list[tuple[str, str]] = [
    ("  TAG:vip   AND  acme ", "tag:vip acme"),
    ("not tag:cold", "-tag:cold"),
    ("tags:a,b STATUSES:won", "tag:a,b status:won"),
    ('tag:"vip"', "tag:vip"),
    ('"acme"', "acme"),
    ("((a) OR (b))", "a or b"),
    ("a or (b and not c)", "a or b -c"),
    ("followers:5", "followers=5"),
    ("followers>=007", "followers>=7"),
    ("TAG:NONE", "tag:none"),
    ("", ""),
]


@pytest.mark.parametrize(("query", "expected"), CANONICAL, ids=[q for q, _ in CANONICAL])
def test_render_of_parse_is_tidy(query: str, expected: str) -> None:
    assert render(parse(query)) == expected


@pytest.mark.parametrize(
    "f",
    [
        Tags(()),
        Tags(("",)),
        Statuses(("a", "")),
        Assignees(()),
        Text(""),
        Followers(">", -1),
        Not(EVERYTHING),
        And((a, Or(()))),
    ],
    ids=repr,
)
def test_render_refuses_what_cannot_be_written(f: Filter) -> None:
    with pytest.raises(ValueError):
        render(f)
