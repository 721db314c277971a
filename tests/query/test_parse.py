"""parse: every example of SPEC §3 (as refined for the query language) and every error."""

from __future__ import annotations

import subprocess
import sys

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
)
from tagtui.store.errors import ValidationError

a, b, c = Text("a"), Text("b"), Text("c")

EXAMPLES: list[tuple[str, Filter]] = [
    ("tag:vip", Tags(("vip",))),
    ("tag:vip,partner", Tags(("vip", "partner"))),
    ("tag:vip tag:partner", And((Tags(("vip",)), Tags(("partner",))))),
    ("-tag:cold", Not(Tags(("cold",)))),
    ("not tag:cold", Not(Tags(("cold",)))),
    ("NOT tag:cold", Not(Tags(("cold",)))),
    ("tag:none", NoTags()),
    ('tag:"none"', Tags(("none",))),
    ('tag:"none",vip', Tags(("none", "vip"))),
    ("status:qualified,won", Statuses(("qualified", "won"))),
    ("status:none", NoStatus()),
    ("assignee:ann,bob", Assignees(("ann", "bob"))),
    ("assignee:none", NoAssignee()),
    ("followers>100000", Followers(">", 100000)),
    ("followers>=5", Followers(">=", 5)),
    ("followers<5", Followers("<", 5)),
    ("followers<=5", Followers("<=", 5)),
    ("followers=5", Followers("=", 5)),
    ("followers:5", Followers("=", 5)),
    ("followers>007", Followers(">", 7)),
    ("acme", Text("acme")),
    ('"jane doe"', Text("jane doe")),
    ('acme "jane doe"', And((Text("acme"), Text("jane doe")))),
    ("a or (b and not c)", Or((a, And((b, Not(c)))))),
    # structure: flat chains, groups stay nested, single-term groups vanish
    ("a or b or c", Or((a, b, c))),
    ("a b c", And((a, b, c))),
    ("a and b and c", And((a, b, c))),
    ("a b or c", Or((And((a, b)), c))),
    ("a or b c", Or((a, And((b, c))))),
    ("a (b c)", And((a, And((b, c))))),
    ("(a b) c", And((And((a, b)), c))),
    ("(a or b) or c", Or((Or((a, b)), c))),
    ("(a)", a),
    ("((a))", a),
    ("((a b))", And((a, b))),
    ("-(a or b)", Not(Or((a, b)))),
    ("not (a b)", Not(And((a, b)))),
    ("not(a)", Not(a)),
    ("--a", Not(Not(a))),
    ("not not a", Not(Not(a))),
    ("- a", Not(a)),
    ("-acme", Not(Text("acme"))),
    ("a -b", And((a, Not(b)))),
    ("(a)(b)", And((a, b))),
    # empty
    ("", EVERYTHING),
    ("   \t\n ", EVERYTHING),
    # case-insensitive keywords and fields, plural aliases; values kept as written
    ("a OR b AnD c", Or((a, And((b, c))))),
    ("TAG:VIP", Tags(("VIP",))),
    ("Tags:vip", Tags(("vip",))),
    ("STATUSES:won", Statuses(("won",))),
    ("Assignee:Ann", Assignees(("Ann",))),
    ("FOLLOWERS>1", Followers(">", 1)),
    ("tag:NONE", NoTags()),
    # values: quoting, escapes, separate quoting in lists, odd characters
    ('tag:"hot lead",vip', Tags(("hot lead", "vip"))),
    ('tag:vip,"hot lead"', Tags(("vip", "hot lead"))),
    (r'tag:"say \"hi\""', Tags(('say "hi"',))),
    (r'"back\\slash"', Text("back\\slash")),
    (r'"a\b"', Text("a\\b")),
    ("tag:a:b", Tags(("a:b",))),
    ("tag:-x", Tags(("-x",))),
    ("tag:naïve", Tags(("naïve",))),
    ("(tag:a)", Tags(("a",))),
    ('("a")', a),
    ('"a:b"', Text("a:b")),
    ('"or"', Text("or")),
    ('"-a"', Text("-a")),
    ("none", Text("none")),
    ("tag", Text("tag")),
    ("foo-bar", Text("foo-bar")),
    ("x>5", Text("x>5")),
    ("a=b", Text("a=b")),
    ("tagline", Text("tagline")),
]


@pytest.mark.parametrize(("query", "expected"), EXAMPLES, ids=[q for q, _ in EXAMPLES])
def test_parse(query: str, expected: Filter) -> None:
    assert parse(query) == expected


ERRORS: list[tuple[str, int, str]] = [
    # (query, position, part of the message)
    ("nosuch:3", 0, "unknown field 'nosuch'"),
    ("a nosuch:3", 2, "quote free text that contains ':'"),
    ("http://x", 0, "unknown field 'http'"),
    ("tagx:1", 0, "unknown field 'tagx'"),
    (":x", 0, "unexpected ':'"),
    ("tag:none,vip", 4, 'quote it (tag:"none")'),
    ("tag:vip,none", 8, "'none' in a list"),
    ("tag:", 4, "expected a value after 'tag:'"),
    ("tag: vip", 4, "expected a value after 'tag:'"),
    ("tag:a,,b", 6, "expected a value after ','"),
    ("tag:a,", 6, "expected a value after ','"),
    ('tag:""', 4, "empty value"),
    ('tag:a,""', 6, "empty value"),
    ("status:", 7, "expected a value"),
    ("assignee:", 9, "expected a value"),
    ("followers>abc", 10, "expected a whole number after 'followers>'"),
    ("followers:none", 10, "expected a whole number"),
    ("followers>", 10, "expected a whole number"),
    ("followers>-5", 10, "expected a whole number"),
    ("followers>1.5", 10, "expected a whole number"),
    ('followers>"5"', 10, "expected a whole number"),
    ("followers>²", 10, "expected a whole number"),
    ("tag>3", 3, "expected ':' after 'tag'"),
    ("status=won", 6, "expected ':' after 'status'"),
    ("(a", 0, "unmatched '('"),
    ("a (b (c)", 2, "unmatched '('"),
    ("a)", 1, "unmatched ')'"),
    (")", 0, "unmatched ')'"),
    ("(a))", 3, "unmatched ')'"),
    ('"abc', 0, "unterminated quote"),
    ('a "b c', 2, "unterminated quote"),
    ('tag:"abc', 4, "unterminated quote"),
    (r'"abc\"', 0, "unterminated quote"),
    ('"a"b', 3, "after the closing quote"),
    ('tag:"a"b', 7, "after the closing quote"),
    ("a or", 4, "expected a term after 'or'"),
    ("a or ", 5, "expected a term after 'or'"),
    ("a and", 5, "expected a term after 'and'"),
    ("or a", 0, "expected a term before 'or'"),
    ("and a", 0, "expected a term before 'and'"),
    ("(or a)", 1, "expected a term before 'or'"),
    ("a or or b", 5, "expected a term after 'or'"),
    ("a and or b", 6, "expected a term after 'and'"),
    ("(a or)", 5, "expected a term after 'or'"),
    ("not", 3, "expected a term after 'not'"),
    ("-", 1, "expected a term after '-'"),
    ("a -", 3, "expected a term after '-'"),
    ("(-)", 2, "expected a term after '-'"),
    ("not or a", 4, "expected a term after 'not'"),
    ("()", 0, "empty parentheses"),
    ("a ( )", 2, "empty parentheses"),
    ("(", 0, "unmatched '('"),
    (",", 0, "unexpected ','"),
    ("a, b", 1, "unexpected ','"),
    ('""', 0, "empty quoted text"),
    ("(" * 60 + "a" + ")" * 60, 50, "too many nested parentheses"),
    ("-" * 60 + "a", 50, "too many nested negations"),
    ("followers>" + "9" * 5000, 10, "number too large"),
]


@pytest.mark.parametrize(("query", "position", "message"), ERRORS, ids=[q[:20] for q, _, _ in ERRORS])
def test_malformed_query(query: str, position: int, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(query)
    err = caught.value
    assert err.field == "query"
    assert err.position == position
    assert message in err.message
    assert f"at position {position}" in err.message


def test_nesting_up_to_the_limit_parses() -> None:
    assert parse("(" * 50 + "a" + ")" * 50) == Text("a")
    deep = parse("-" * 50 + "a")
    for _ in range(50):
        assert isinstance(deep, Not)
        deep = deep.child
    assert deep == Text("a")


def test_package_is_import_light() -> None:
    code = (
        "import sys, tagtui.query\n"
        "heavy = [m for m in ('textual', 'sqlalchemy', 'sqlmodel') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
