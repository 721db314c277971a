"""Compile a filter into one SQL condition over the ``contact`` table (aliased ``c``).

Every term is two-valued (never NULL), so ``NOT`` means exactly "does not match".
Tag and status names are resolved through a ``Resolver``; an unknown name is a
ValidationError, never a silent empty result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tagtui.query.filter import (
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
from tagtui.store.errors import ValidationError

#: Maps a tag (or status) as written in a query to its id; raises ValidationError.
Resolver = Callable[[str], int]


def like_pattern(needle: str) -> str:
    """A LIKE pattern for "contains ``needle``", with LIKE's wildcards escaped."""
    escaped = needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class Compiled:
    sql: str
    params: dict[str, Any] = field(default_factory=dict)


class _Compiler:
    def __init__(self, tag_id: Resolver, status_id: Resolver) -> None:
        self.tag_id = tag_id
        self.status_id = status_id
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        name = f"f{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def ids(self, resolve: Resolver, values: tuple[str, ...]) -> str:
        # Ids come from our own tables (ints), so they are inlined: the planner sees
        # constants and can pick the tag index.
        _check_values(values)
        unique = sorted({int(resolve(v)) for v in values})
        if len(unique) == 1:
            return f"= {unique[0]}"
        return "IN (" + ", ".join(str(i) for i in unique) + ")"

    def compile(self, f: Filter) -> str:
        match f:
            case Tags(values):
                return (
                    "EXISTS (SELECT 1 FROM contact_tag ct WHERE ct.contact_id = c.id"
                    f" AND ct.tag_id {self.ids(self.tag_id, values)})"
                )
            case NoTags():
                return "NOT EXISTS (SELECT 1 FROM contact_tag ct WHERE ct.contact_id = c.id)"
            case Statuses(values):
                return f"(c.status_id IS NOT NULL AND c.status_id {self.ids(self.status_id, values)})"
            case NoStatus():
                return "c.status_id IS NULL"
            case Assignees(values):
                _check_values(values)
                keys = sorted({v.strip().lower() for v in values})
                placeholders = ", ".join(self.param(k) for k in keys)
                return f"(c.assignee_key IS NOT NULL AND c.assignee_key IN ({placeholders}))"
            case NoAssignee():
                return "c.assignee_key IS NULL"
            case Text(value):
                if not isinstance(value, str):
                    raise ValidationError("free text must be text", field="query")
                return f"c.search LIKE {self.param(like_pattern(value))} ESCAPE '\\'"
            case Followers(op, value):
                # The operator is spliced into the SQL: only the known ones may pass.
                if op not in FOLLOWERS_OPS or isinstance(value, bool) or not isinstance(value, int):
                    raise ValidationError(f"invalid followers comparison {op!r} {value!r}", field="query")
                return f"c.followers {op} {self.param(value)}"
            case Not(child):
                return f"NOT ({self.compile(child)})"
            case And(children):
                if not children:
                    return "1 = 1"
                return "(" + " AND ".join(self.compile(c) for c in children) + ")"
            case Or(children):
                if not children:
                    return "1 = 0"
                return "(" + " OR ".join(self.compile(c) for c in children) + ")"
        raise TypeError(f"not a filter: {f!r}")


def _check_values(values: tuple[str, ...]) -> None:
    if not values:
        raise ValidationError("a term needs at least one value", field="query")
    if not all(isinstance(v, str) for v in values):
        raise ValidationError("term values must be text", field="query")


def compile_filter(f: Filter, *, tag_id: Resolver, status_id: Resolver) -> Compiled:
    """``f`` as an SQL condition on ``contact c`` plus its parameters."""
    compiler = _Compiler(tag_id, status_id)
    sql = compiler.compile(f)
    return Compiled(sql, compiler.params)
