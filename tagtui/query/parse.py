"""The one-line query language (SPEC §3): ``parse`` turns typed text into a ``Filter``.

Every malformed query raises ``ValidationError(field="query")`` whose ``position`` is
the 0-based character offset of the problem; no other exception escapes ``parse``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, auto
from typing import NoReturn

from tagtui.errors import ValidationError
from tagtui.query.filter import (
    EVERYTHING,
    And,
    Assignees,
    Filter,
    Followers,
    FollowersOp,
    NoAssignee,
    NoStatus,
    Not,
    NoTags,
    Or,
    Statuses,
    Tags,
    Text,
)

__all__ = ["FIELDS", "KEYWORDS", "MAX_NESTING", "MAX_QUERY_CHARS", "Clause", "clauses", "parse"]

#: Field names as typed (lower-cased) -> canonical field name.
FIELDS: dict[str, str] = {
    "tag": "tag",
    "tags": "tag",
    "status": "status",
    "statuses": "status",
    "assignee": "assignee",
    "followers": "followers",
}
KEYWORDS = frozenset({"and", "or", "not"})
#: Groups and negations deeper than this are refused, so that parsing (and
#: everything that walks the tree afterwards) never hits the recursion limit.
MAX_NESTING = 50
#: A longer query is refused: no one types it, and its cost would have no bound.
MAX_QUERY_CHARS = 10_000

# A field name and its operator at the start of a word. Shared with render so that
# both sides agree on which bare words would be read as a field term.
FIELD_PREFIX = re.compile(r"([A-Za-z]+)(>=|<=|:|>|<|=)")
_DIGITS = re.compile(r"[0-9]+")


def ends_bare_word(ch: str) -> bool:
    """True if ``ch`` ends a bare word (whitespace, ``,``, ``(`` or ``)``)."""
    return ch.isspace() or ch in ",()"


class _Kind(Enum):
    TERM = auto()
    NOT = auto()
    AND = auto()
    OR = auto()
    LPAREN = auto()
    RPAREN = auto()


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    pos: int
    text: str
    term: Filter | None = None


def _fail(problem: str, pos: int, hint: str | None = None) -> NoReturn:
    message = f"{problem} at position {pos}"
    if hint:
        message += f"; {hint}"
    raise ValidationError(message, field="query", position=pos)


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    def tokens(self) -> list[_Token]:
        text, out, i = self.text, [], 0
        while i < self.n:
            ch = text[i]
            if ch.isspace():
                i += 1
            elif ch == "(":
                out.append(_Token(_Kind.LPAREN, i, ch))
                i += 1
            elif ch == ")":
                out.append(_Token(_Kind.RPAREN, i, ch))
                i += 1
            elif ch == "-":
                out.append(_Token(_Kind.NOT, i, ch))
                i += 1
            elif ch == ",":
                _fail("unexpected ','", i, "quote text that contains ','")
            elif ch == '"':
                value, end = self._quoted(i)
                if not value:
                    _fail("empty quoted text", i)
                out.append(_Token(_Kind.TERM, i, text[i:end], Text(value)))
                i = end
            else:
                token, i = self._word(i)
                out.append(token)
        return out

    def _quoted(self, start: int) -> tuple[str, int]:
        """The string quoted at ``start`` and the offset just past it."""
        text, buf, i = self.text, [], start + 1
        while i < self.n:
            ch = text[i]
            if ch == "\\" and i + 1 < self.n and text[i + 1] in '"\\':
                buf.append(text[i + 1])
                i += 2
            elif ch == '"':
                i += 1
                if i < self.n and not ends_bare_word(text[i]):
                    _fail("expected a space, ',' or ')' after the closing quote", i)
                return "".join(buf), i
            else:
                buf.append(ch)
                i += 1
        _fail("unterminated quote", start, "close it with '\"'")

    def _bare_end(self, i: int) -> int:
        while i < self.n and not ends_bare_word(self.text[i]):
            i += 1
        return i

    def _word(self, start: int) -> tuple[_Token, int]:
        m = FIELD_PREFIX.match(self.text, start)
        if m and m.group(1).lower() in FIELDS:
            return self._field_term(start, m)
        end = self._bare_end(start)
        word = self.text[start:end]
        lowered = word.lower()
        if lowered in KEYWORDS:
            kind = {"and": _Kind.AND, "or": _Kind.OR, "not": _Kind.NOT}[lowered]
            return _Token(kind, start, lowered), end
        if ":" in word:
            prefix = word[: word.index(":")]
            hint = "quote free text that contains ':'"
            if not prefix:
                _fail("unexpected ':'", start, hint)
            _fail(f"unknown field {prefix!r}", start, hint)
        return _Token(_Kind.TERM, start, word, Text(word)), end

    def _field_term(self, start: int, m: re.Match[str]) -> tuple[_Token, int]:
        field = FIELDS[m.group(1).lower()]
        op = m.group(2)
        written = m.group(0).lower()
        if field == "followers":
            value, end = self._number(m.end(), written)
            term: Filter = Followers("=" if op == ":" else _as_op(op), value)
            return _Token(_Kind.TERM, start, self.text[start:end], term), end
        if op != ":":
            _fail(f"expected ':' after {m.group(1).lower()!r}, not {op!r}", m.start(2))
        values, end = self._values(m.end(), written)
        term = _field_filter(field, values, written)
        return _Token(_Kind.TERM, start, self.text[start:end], term), end

    def _values(self, i: int, written: str) -> tuple[list[tuple[str, bool, int]], int]:
        """Comma-separated values from ``i``: (value, was_quoted, position) each."""
        values: list[tuple[str, bool, int]] = []
        after = written
        while True:
            if i < self.n and self.text[i] == '"':
                value, end = self._quoted(i)
                if not value:
                    _fail(f"empty value after {after!r}", i)
                values.append((value, True, i))
            else:
                end = self._bare_end(i)
                if end == i:
                    _fail(f"expected a value after {after!r}", i)
                values.append((self.text[i:end], False, i))
            i = end
            if i < self.n and self.text[i] == ",":
                after = ","
                i += 1
                continue
            return values, i

    def _number(self, i: int, written: str) -> tuple[int, int]:
        end = self._bare_end(i)
        digits = self.text[i:end]
        if not _DIGITS.fullmatch(digits):
            _fail(f"expected a whole number after {written!r}", i)
        # Follower counts are 64-bit integers in the store; anything larger is a typo.
        if len(digits) > 19 or int(digits) > FOLLOWERS_MAX:
            _fail(f"number too large (the most is {FOLLOWERS_MAX})", i)
        return int(digits), end


FOLLOWERS_MAX = 2**63 - 1


def _as_op(op: str) -> FollowersOp:
    ops: dict[str, FollowersOp] = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "=": "="}
    return ops[op]


def _field_filter(field: str, values: list[tuple[str, bool, int]], written: str) -> Filter:
    if len(values) == 1 and not values[0][1] and values[0][0].lower() == "none":
        nones: dict[str, Filter] = {"tag": NoTags(), "status": NoStatus(), "assignee": NoAssignee()}
        return nones[field]
    for value, quoted, pos in values:
        if not quoted and value.lower() == "none":
            _fail(
                f"'none' in a list of values after {written!r}",
                pos,
                f'quote it ({field}:"none") to mean a {field} named none',
            )
    names = tuple(value for value, _, _ in values)
    kinds: dict[str, type[Tags | Statuses | Assignees]] = {
        "tag": Tags,
        "status": Statuses,
        "assignee": Assignees,
    }
    return kinds[field](names)


class _Parser:
    """Recursive descent over the tokens, following the grammar of SPEC §3."""

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0
        #: Token ranges [start, end) of the clauses the last top-level ``and_expr`` combined.
        self.top_spans: list[tuple[int, int]] = []

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def query(self) -> Filter:
        result = self.or_expr(None, 0)
        leftover = self.peek()
        if leftover is not None:  # only a ')' can stop or_expr early
            _fail(f"unmatched {leftover.text!r}", leftover.pos)
        return result

    def or_expr(self, before: _Token | None, depth: int) -> Filter:
        parts = [self.and_expr(before, depth)]
        while (token := self.peek()) is not None and token.kind is _Kind.OR:
            parts.append(self.and_expr(self.take(), depth))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self, before: _Token | None, depth: int) -> Filter:
        spans: list[tuple[int, int]] = []

        def clause(before: _Token | None) -> Filter:
            start = self.i
            node = self.unary(before, depth)
            spans.append((start, self.i))
            return node

        parts = [clause(before)]
        while (token := self.peek()) is not None:
            if token.kind is _Kind.AND:
                parts.append(clause(self.take()))
            elif token.kind in (_Kind.TERM, _Kind.NOT, _Kind.LPAREN):
                parts.append(clause(token))
            else:
                break
        if depth == 0:
            self.top_spans = spans
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def span_text(self, start: int, end: int) -> tuple[int, int]:
        """The character offsets [start, end) of the tokens ``start``..``end - 1``."""
        last = self.tokens[end - 1]
        return self.tokens[start].pos, last.pos + len(last.text)

    def unary(self, before: _Token | None, depth: int) -> Filter:
        negations = 0
        while (token := self.peek()) is not None and token.kind is _Kind.NOT:
            before = self.take()
            negations += 1
            if depth + negations > MAX_NESTING:
                _fail("too many nested negations", token.pos)
        node = self.primary(before, depth + negations)
        for _ in range(negations):
            node = Not(node)
        return node

    def primary(self, before: _Token | None, depth: int) -> Filter:
        token = self.peek()
        if token is None:
            where = f" after {before.text!r}" if before is not None else ""
            _fail(f"expected a term{where}", len(self.text))
        if token.kind is _Kind.TERM:
            self.take()
            assert token.term is not None
            return token.term
        if token.kind is _Kind.LPAREN:
            self.take()
            after = self.peek()
            if after is None:
                _fail("unmatched '('", token.pos)
            if after.kind is _Kind.RPAREN:
                _fail("empty parentheses", token.pos)
            if depth + 1 > MAX_NESTING:
                _fail("too many nested parentheses", token.pos)
            node = self.or_expr(token, depth + 1)
            if self.peek() is None:
                _fail("unmatched '('", token.pos)
            self.take()  # the ')': or_expr stops only there or at the end
            return node
        if token.kind is _Kind.RPAREN and (before is None or before.kind is _Kind.LPAREN):
            _fail("unmatched ')'", token.pos)
        if before is None or before.kind is _Kind.LPAREN:
            _fail(f"expected a term before {token.text!r}", token.pos)
        _fail(f"expected a term after {before.text!r}", token.pos)


def _check_length(text: str) -> None:
    if isinstance(text, str) and len(text) > MAX_QUERY_CHARS:
        raise ValidationError(
            f"the query is {len(text):,} characters long; the most is {MAX_QUERY_CHARS:,}",
            field="query",
            position=MAX_QUERY_CHARS,
        )


@dataclass(frozen=True)
class Clause:
    """One clause of the top-level AND of a query, and where it was written."""

    filter: Filter
    text: str
    start: int
    end: int


def clauses(text: str) -> tuple[Clause, ...]:
    """The clauses that AND together at the top of ``text``, each as written.

    They are ``top_level_terms(parse(text))`` in order, except that a parenthesised
    group is one clause even when it is the whole query; an ``or`` at the top level
    makes the whole query one clause. An empty query has none. Malformed text raises
    the same ``ValidationError`` as ``parse``.

    >>> [c.text for c in clauses("tag:vip and -(a or b)  status:won")]
    ['tag:vip', '-(a or b)', 'status:won']
    """
    _check_length(text)
    tokens = _Lexer(text).tokens()
    if not tokens:
        return ()
    parser = _Parser(text, tokens)
    result = parser.query()
    if isinstance(result, Or):  # a top-level "or": the whole query is one clause
        spans = [(0, len(tokens))]
        parts: tuple[Filter, ...] = (result,)
    else:
        spans = parser.top_spans
        parts = result.children if isinstance(result, And) and len(spans) > 1 else (result,)
    out = []
    for node, (first, last) in zip(parts, spans, strict=True):
        start, end = parser.span_text(first, last)
        out.append(Clause(node, text[start:end], start, end))
    return tuple(out)


def parse(text: str) -> Filter:
    """The filter a query means; an empty query means everything.

    >>> parse("tag:vip -status:won")
    And(children=(Tags(values=('vip',)), Not(child=Statuses(values=('won',)))))
    """
    _check_length(text)
    tokens = _Lexer(text).tokens()
    if not tokens:
        return EVERYTHING
    return _Parser(text, tokens).query()
