"""Compile a filter into one SQL condition over the ``contact`` table (aliased ``c``).

Every term is two-valued (never NULL), so ``NOT`` means exactly "does not match".
Tag and status names are resolved through a ``Resolver``; an unknown name is a
ValidationError, never a silent empty result.

Given ``Sizes`` (how many contacts each tag and status has, roughly), the compiler also
chooses the statement's shape, in SQL both engines accept:

* counting (``purpose="count"``): the rarest top-level tag clause drives, as
  ``c.id IN (SELECT contact_id FROM contact_tag WHERE tag_id ...)`` (a range of the tag
  index, not an EXISTS probe per contact); when every clause is about tags alone, or about
  tags and (negated or not) statuses whose contacts are fewer than the rows the tag would
  read (``c.id IN (SELECT id ... status_id ...)``, a range of the status index), the count
  never reads a contact row at all (``Compiled.source``);
  ``-tag:x`` alone, with x rare, is ``NOT (c.id IN (SELECT contact_id …))``: one set of
  x's contacts;
* a page by name (``purpose="rows"``): when matches are common, walking the name index
  until a page is full beats collecting every match and sorting it, so a status clause
  is written ``+c.status_id`` (unary plus: the same value, but no index the planner
  could prefer to the name order); when matches are rare, the rarest tag drives.

The estimates only pick a shape: every shape selects exactly the same contacts.

Long queries stay set-based: ``simplify`` first folds an OR of terms on one field into one
term (``tag:a or tag:b or …`` is one ``tag_id IN (…)`` over the tag ids, however many) and an
AND of negated tag terms into one ``NOT EXISTS``; what is left of a long AND or OR is written
as a balanced tree, so no engine meets an expression thousands of levels deep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tagtui.errors import ValidationError
from tagtui.identity import text_key
from tagtui.query.filter import (
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
    top_level_terms,
)

#: Maps a tag (or status) as written in a query to its id; raises ValidationError.
Resolver = Callable[[str], int]


def like_pattern(needle: str) -> str:
    """A LIKE pattern for "contains ``needle``", with LIKE's wildcards escaped."""
    escaped = text_key(needle).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class Compiled:
    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    #: For counts only: a FROM item (aliased ``c``, one column ``id``) that yields the
    #: candidate contacts without touching ``contact``; ``None`` means ``contact c``.
    source: str | None = None
    #: Whether the workspace condition should be written so no index is used for it
    #: (``+c.workspace_id``): another clause drives, or a scan of the table is cheapest.
    plain_workspace: bool = False


@dataclass
class Sizes:
    """Rough sizes for choosing a plan: contacts per tag id and per status id, and in all."""

    tag: Callable[[int], int]
    status: Callable[[int], int]
    total: int


#: Rows a page asks for, when choosing between walking the name index and sorting matches.
PAGE_ROWS = 100
#: Reading a contact row by id, in steps of an index walk or of a table scan (roughly).
ROW_READ_COST = 4
#: ``-tag:x`` is counted from one set of x's contacts when they are fewer than the contacts
#: over this (a set of many is no faster than a probe per contact: measured at half of them).
RARE_NEGATED = 4
#: An AND or OR of more children than this is written as a balanced tree of groups
#: (SQLite refuses an expression more than 1,000 levels deep).
GROUP_MAX = 64


def simplify(f: Filter) -> Filter:
    """A filter selecting exactly the contacts ``f`` selects, in fewer terms.

    In an OR, the terms on one field merge (``tag:a or tag:b`` → ``tag:a,b``, and so for
    statuses and assignees); in an AND, the negated tag terms merge (``-tag:a -tag:b`` →
    ``-tag:a,b``); nested ORs in an OR (ANDs in an AND) are flattened.
    """
    match f:
        case Not(child):
            return Not(simplify(child))
        case Or(children):
            kept: list[Filter | type] = []
            values: dict[type, dict[str, None]] = {}  # field -> its values, in order, once each
            for child in _flat(Or, children):
                if isinstance(child, Tags | Statuses | Assignees) and child.values:  # empty: refused later
                    kind = type(child)
                    if kind not in values:
                        values[kind] = {}
                        kept.append(kind)  # the merged term goes where the first one was
                    values[kind].update(dict.fromkeys(child.values))
                else:
                    kept.append(child)
            merged = [k(tuple(values[k])) if isinstance(k, type) else k for k in kept]
            return merged[0] if len(merged) == 1 else Or(tuple(merged))
        case And(children) if children:
            out: list[Filter | None] = []
            none_of: dict[str, None] = {}
            for child in _flat(And, children):
                if isinstance(child, Not) and isinstance(child.child, Tags) and child.child.values:
                    if not none_of:
                        out.append(None)  # the merged NOT goes where the first one was
                    none_of.update(dict.fromkeys(child.child.values))
                else:
                    out.append(child)
            done = [Not(Tags(tuple(none_of))) if c is None else c for c in out]
            return done[0] if len(done) == 1 else And(tuple(done))
    return f


def _flat(kind: type[And] | type[Or], children: tuple[Filter, ...]) -> list[Filter]:
    """``children`` simplified, with those of the same kind (an OR in an OR) spliced in."""
    flat: list[Filter] = []
    for child in children:
        child = simplify(child)
        flat.extend(child.children if isinstance(child, kind) else (child,))
    return flat


def _joined(op: str, parts: list[str]) -> str:
    """``(a OP b OP …)``, as a balanced tree of groups of at most ``GROUP_MAX``."""
    if len(parts) <= GROUP_MAX:
        return "(" + f" {op} ".join(parts) + ")"
    size = -(-len(parts) // GROUP_MAX)  # ceil: at most GROUP_MAX groups
    return _joined(op, [_joined(op, parts[i : i + size]) for i in range(0, len(parts), size)])


class _Compiler:
    def __init__(self, tag_id: Resolver, status_id: Resolver) -> None:
        self.tag_id = tag_id
        self.status_id = status_id
        self.params: dict[str, Any] = {}
        #: The top-level tag clause written as an IN over the tag index (it drives the plan).
        self.drive: Filter | None = None
        #: Write status clauses so that no status index is used (the name order wins).
        self.plain_status = False
        #: Write status clauses as the ids of the status index's contacts (``:ws`` bound by
        #: the caller), so that no contact row is read.
        self.status_by_id = False

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
            case Tags(values) if f is self.drive:
                return (
                    "c.id IN (SELECT ct.contact_id FROM contact_tag ct"
                    f" WHERE ct.tag_id {self.ids(self.tag_id, values)})"
                )
            case Tags(values):
                return (
                    "EXISTS (SELECT 1 FROM contact_tag ct WHERE ct.contact_id = c.id"
                    f" AND ct.tag_id {self.ids(self.tag_id, values)})"
                )
            case NoTags():
                return "NOT EXISTS (SELECT 1 FROM contact_tag ct WHERE ct.contact_id = c.id)"
            case Statuses(values) if self.status_by_id:
                return (
                    "c.id IN (SELECT s.id FROM contact s WHERE s.workspace_id = :ws"
                    f" AND s.status_id {self.ids(self.status_id, values)})"
                )
            case Statuses(values):
                column = "+c.status_id" if self.plain_status else "c.status_id"
                return f"(c.status_id IS NOT NULL AND {column} {self.ids(self.status_id, values)})"
            case NoStatus():
                return "c.status_id IS NULL"
            case Assignees(values):
                _check_values(values)
                keys = sorted({text_key(v.strip()) for v in values})
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
                return _joined("AND", [self.compile(c) for c in children])
            case Or(children):
                if not children:
                    return "1 = 0"
                return _joined("OR", [self.compile(c) for c in children])
        raise TypeError(f"not a filter: {f!r}")


def _estimate(ids: set[int], size: Callable[[int], int], total: int) -> int:
    """Contacts with any of ``ids``, roughly: the sum of their sizes, stopping at ``total``
    (so a term over a thousand tags does not look up a thousand sizes when a few suffice)."""
    found = 0
    for i in sorted(ids):
        found += size(i)
        if found >= total:
            break
    return found


def _check_values(values: tuple[str, ...]) -> None:
    if not values:
        raise ValidationError("a term needs at least one value", field="query")
    if not all(isinstance(v, str) for v in values):
        raise ValidationError("term values must be text", field="query")


def _tags_only(f: Filter) -> bool:
    """Whether ``f`` looks at a contact's tags alone (so ``c.id`` is all it needs)."""
    match f:
        case Tags() | NoTags():
            return True
        case Not(child):
            return _tags_only(child)
        case And(children) | Or(children):
            return all(_tags_only(c) for c in children)
    return False


def _status_term(f: Filter) -> Statuses | None:
    """The status clause of ``f`` when ``f`` is one (``status:x`` or ``-status:x``)."""
    match f:
        case Statuses():
            return f
        case Not(Statuses() as child):
            return child
    return None


def compile_filter(
    f: Filter,
    *,
    tag_id: Resolver,
    status_id: Resolver,
    sizes: Sizes | None = None,
    purpose: str = "rows",
) -> Compiled:
    """``f`` as an SQL condition on ``contact c`` plus its parameters.

    With ``sizes``, the condition is shaped for ``purpose``: ``"rows"`` (a page by name)
    or ``"count"`` (which may also give a ``source`` to count from); see the module doc.
    """
    f = simplify(f)
    compiler = _Compiler(tag_id, status_id)
    source = None
    plain_workspace = False
    if sizes is not None and f != EVERYTHING:
        terms = top_level_terms(f)
        # (estimated contacts, term, how many ids) for each top-level clause an index can start from.
        starts: list[tuple[int, Tags | Statuses, int]] = []
        for term in terms:
            if isinstance(term, Tags | Statuses):
                _check_values(term.values)
                resolve, size = (tag_id, sizes.tag) if isinstance(term, Tags) else (status_id, sizes.status)
                ids = {int(resolve(v)) for v in term.values}
                starts.append((_estimate(ids, size, sizes.total), term, len(ids)))
        tag_starts = [s for s in starts if isinstance(s[1], Tags)]
        rarest_tag = min(tag_starts, key=lambda s: s[0]) if tag_starts else None
        if purpose == "count" and rarest_tag is not None:
            best = rarest_tag[1]
            total = max(sizes.total, 1)
            # A status clause reads the contacts of its statuses from the status index
            # (their ids, once) rather than each candidate's row, when that is fewer steps.
            status_rows = sum(
                _estimate({int(status_id(v)) for v in t.values}, sizes.status, sizes.total)
                for t in map(_status_term, terms)
                if t is not None
            )
            by_index = status_rows < rarest_tag[0] * ROW_READ_COST
            if all(_tags_only(t) or (by_index and _status_term(t) is not None) for t in terms):
                # Count over the tag index (and the status index) alone: no contact row is read.
                compiler.status_by_id = True
                ids_sql = compiler.ids(tag_id, best.values)
                distinct = "DISTINCT " if rarest_tag[2] > 1 else ""
                source = (
                    f"(SELECT {distinct}+ct0.contact_id AS id FROM contact_tag ct0"
                    f" WHERE ct0.tag_id {ids_sql}) c"
                )
                rest = tuple(t for t in terms if t is not best)
                sql = compiler.compile(And(rest)) if rest else "1 = 1"
                return Compiled(sql, compiler.params, source)
            # Reading a contact by id costs a few steps of a covering status index (or of a
            # scan): the tag drives only when it is that much rarer.
            statuses = [s[0] for s in starts if isinstance(s[1], Statuses)]
            if rarest_tag[0] * ROW_READ_COST < min(statuses, default=total):
                compiler.drive = best
                compiler.plain_status = plain_workspace = True
            elif not statuses:
                plain_workspace = True
        elif purpose == "count" and not starts:
            # Nothing to start from: reading the table beats an index, unless the query is
            # only "not these tags" and they are rare: then the workspace's ids, each looked
            # up in one set of those tags' contacts (not a probe of contact_tag per contact).
            negated = terms[0].child if len(terms) == 1 and isinstance(terms[0], Not) else None
            rare = False
            if isinstance(negated, Tags):
                _check_values(negated.values)
                ids = {int(tag_id(v)) for v in negated.values}
                rare = _estimate(ids, sizes.tag, sizes.total) * RARE_NEGATED < sizes.total
            if isinstance(negated, Tags) and rare:
                compiler.drive = negated
            else:
                plain_workspace = True
        elif purpose == "rows" and starts:
            total = max(sizes.total, 1)
            # Clauses taken as independent: how many contacts match, roughly.
            matches = float(total)
            for estimate, _, _ in starts:
                matches *= min(estimate, total) / total
            # A one-status clause walks its own index in name order; else the name index.
            ordered = [s[0] for s in starts if isinstance(s[1], Statuses) and s[2] == 1]
            walked = min(ordered) if ordered else total
            walk = PAGE_ROWS * walked / max(matches, 1.0)  # index entries read to fill a page
            if rarest_tag is not None and rarest_tag[0] < walk:
                compiler.drive = rarest_tag[1]
                compiler.plain_status = plain_workspace = True
            elif not ordered:
                compiler.plain_status = True
    sql = compiler.compile(f)
    return Compiled(sql, compiler.params, source, plain_workspace)
