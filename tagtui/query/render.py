"""``render`` writes a ``Filter`` as its canonical one-line query (SPEC §3).

``parse(render(f)) == f`` for every normalized filter: ``And``/``Or`` with two or more
children and terms with non-empty values. Values are written bare when that reads
back the same, and quoted otherwise.
"""

from __future__ import annotations

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
)
from tagtui.query.parse import FIELD_PREFIX, FIELDS, KEYWORDS, ends_bare_word

__all__ = ["quote", "render"]


def quote(value: str) -> str:
    """``value`` as a double-quoted string, with ``"`` and ``\\`` escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _plain(value: str) -> bool:
    """True if ``value`` is one bare word: non-empty, no space, quote, comma or paren."""
    return bool(value) and '"' not in value and not any(ends_bare_word(ch) for ch in value)


def _bare_value_ok(value: str) -> bool:
    """True if ``value`` after ``field:`` reads back as itself without quotes."""
    return _plain(value) and value.lower() != "none"


def _bare_text_ok(value: str) -> bool:
    """True if ``value`` alone reads back as free text ``value`` without quotes."""
    if not _plain(value) or value.startswith("-") or ":" in value:
        return False
    if value.lower() in KEYWORDS:
        return False
    m = FIELD_PREFIX.match(value)
    return not (m and m.group(1).lower() in FIELDS)


def _values(field: str, values: tuple[str, ...]) -> str:
    if not values or not all(values):
        raise ValueError(f"a {field}: term needs non-empty values, got {values!r}")
    written = (v if _bare_value_ok(v) else quote(v) for v in values)
    return f"{field}:{','.join(written)}"


def _term(f: Filter) -> str:
    match f:
        case Tags(values):
            return _values("tag", values)
        case Statuses(values):
            return _values("status", values)
        case Assignees(values):
            return _values("assignee", values)
        case NoTags():
            return "tag:none"
        case NoStatus():
            return "status:none"
        case NoAssignee():
            return "assignee:none"
        case Text(value):
            if not value:
                raise ValueError("free text must not be empty")
            return value if _bare_text_ok(value) else quote(value)
        case Followers(op, value):
            if value < 0:
                raise ValueError(f"a follower count is never negative, got {value}")
            return f"followers{op}{value}"
    raise TypeError(f"not a filter: {f!r}")


def _unwrap(f: Filter) -> Filter:
    """``f`` without one-child ``And``/``Or`` wrappers (never built by parse)."""
    while isinstance(f, (And, Or)) and len(f.children) == 1:
        f = f.children[0]
    return f


def _render(f: Filter) -> str:
    f = _unwrap(f)
    if isinstance(f, Not):
        child = _unwrap(f.child)
        if isinstance(child, (And, Or)):
            return f"-({_render(child)})"
        return f"-{_render(child)}"
    if isinstance(f, (And, Or)):
        if not f.children:
            raise ValueError(f"cannot write an empty {type(f).__name__} inside a filter")
        if isinstance(f, And):
            return " ".join(_group(c, (And, Or)) for c in f.children)
        return " or ".join(_group(c, (Or,)) for c in f.children)
    return _term(f)


def _group(child: Filter, needs_parens: tuple[type, ...]) -> str:
    child = _unwrap(child)
    text = _render(child)
    return f"({text})" if isinstance(child, needs_parens) else text


def render(f: Filter) -> str:
    """The canonical query text of ``f``; the empty filter is the empty string.

    >>> render(And((Tags(("vip", "hot lead")), Not(Text("acme")))))
    'tag:vip,"hot lead" -acme'
    """
    if f == EVERYTHING:
        return ""
    return _render(f)
