"""Read-only insight over a selection of contacts: query explain, tag co-occurrence, the funnel.

Every count comes from SQL (indexed ``COUNT`` per clause, one self-join of ``contact_tag``
for co-occurrence, one grouped count per status for the funnel), each operation in one
read transaction.

The funnel's conversion is cumulative: with the statuses in pipeline order s1..sn,
``conversion(si) = contacts at s(i+1) or later / contacts at si or later`` — the share of
the contacts that reached a stage which went further. The last stage and the "No status"
row have no conversion (``None``), nor has a stage that no contact reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tagtui.query.filter import EVERYTHING, Filter, all_of, top_level_terms
from tagtui.store.base import StoreBase
from tagtui.store.db import Tx
from tagtui.store.errors import ValidationError
from tagtui.store.identity import text_key
from tagtui.store.types import JsonRecord, TagRef

#: The most pairs ``tag_pairs`` returns, and the most tags of a co-occurrence matrix.
PAIRS_LIMIT_MAX = 1000
MATRIX_TAGS_MAX = 50
#: Explain counts the first this many clauses one by one; the rest only count in the total
#: (each clause costs a count of its own and one of the clauses so far: the work grows fast).
EXPLAIN_CLAUSES_MAX = 20


@dataclass(frozen=True)
class ExplainedClause(JsonRecord):
    """One top-level clause of a query: alone it matches ``matches`` contacts; ANDed with
    the clauses before it, ``running``."""

    clause: str
    matches: int
    running: int


@dataclass(frozen=True)
class Explanation(JsonRecord):
    """How a query narrows the contacts, clause by clause (in the order written).

    Only the first ``EXPLAIN_CLAUSES_MAX`` clauses are explained; ``not_explained`` holds
    the text of the others, which still count in ``total`` (the whole query's count).
    """

    clauses: tuple[ExplainedClause, ...]
    total: int
    not_explained: tuple[str, ...] = ()

    @property
    def emptied_by(self) -> int | None:
        """The index of the clause that leaves no contact (None if the list is not empty)."""
        for i, c in enumerate(self.clauses):
            if c.running == 0:
                return i
        return None

    JSON_OPTIONAL = frozenset({"not_explained"})


@dataclass(frozen=True)
class TagPair(JsonRecord):
    """Two tags and how many contacts have both; ``share`` is that count over the smaller tag's."""

    a: TagRef
    b: TagRef
    contacts: int
    share: float | None

    def to_json(self) -> dict[str, Any]:  # tags by name
        return {"a": self.a.name, "b": self.b.name, "contacts": self.contacts, "share": self.share}


@dataclass(frozen=True)
class Cooccurrence(JsonRecord):
    """A symmetric matrix: ``counts[i][j]`` contacts have both ``tags[i]`` and ``tags[j]``;
    the diagonal is how many have the tag at all. ``contacts`` is the size of the selection."""

    tags: tuple[TagRef, ...]
    counts: tuple[tuple[int, ...], ...]
    contacts: int

    def to_json(self) -> dict[str, Any]:  # tags by name
        return {
            "tags": [t.name for t in self.tags],
            "counts": [list(row) for row in self.counts],
            "contacts": self.contacts,
        }


@dataclass(frozen=True)
class FunnelStage(JsonRecord):
    """A pipeline stage (``status`` None: contacts without a status) and its conversion."""

    status: str | None
    status_id: int | None
    color: str | None
    contacts: int
    conversion: float | None

    JSON_FIELDS = ("status", "contacts", "conversion")


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _in_ids(column: str, ids: list[int]) -> str:
    # Tag ids come from our own tables (ints): inlined, the planner sees constants.
    return f"{column} IN ({', '.join(str(int(i)) for i in ids)})"


def _check_count(value: object, field: str, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise ValidationError(f"{field} must be a whole number from 1 to {most}", field=field)
    return value


class InsightService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions."""

    def __init__(self, core: StoreBase) -> None:
        self._core = core

    # -- query explain ----------------------------------------------------------------

    def explain(self, query: Filter | str) -> Explanation:
        """Each top-level clause's own count and the running count of the clauses so far.

        ``query`` is a Filter or query text; text keeps each clause as written (an ``or``
        at the top level or a parenthesised group is one clause).
        """
        from tagtui.query.parse import clauses as parse_clauses
        from tagtui.query.render import render

        if isinstance(query, str):
            parts = [(c.filter, c.text) for c in parse_clauses(query)]
        elif query == EVERYTHING:
            parts = []
        else:
            parts = [(f, render(f)) for f in top_level_terms(query)]

        skipped = tuple(text for _, text in parts[EXPLAIN_CLAUSES_MAX:])
        everything = all_of(*(f for f, _ in parts))
        parts = parts[:EXPLAIN_CLAUSES_MAX]

        def run(tx: Tx) -> Explanation:
            whole = self._core._compile(tx, everything) if skipped else None  # unknown names fail first
            compiled = [self._core._compile(tx, f) for f, _ in parts]
            out: list[ExplainedClause] = []
            running = -1
            for i, (text, own) in enumerate(zip((t for _, t in parts), compiled, strict=True)):
                matches = self._count_where(tx, own.sql, own.params)
                if i == 0:
                    running = matches
                elif running and matches:
                    both = self._core._compile(tx, all_of(*(f for f, _ in parts[: i + 1])))
                    running = self._count_where(tx, both.sql, both.params)
                else:
                    running = 0  # nothing left (or this clause matches nobody): no query needed
                out.append(ExplainedClause(text, matches, running))
            if whole is not None:
                total = self._count_where(tx, whole.sql, whole.params) if running else 0
            else:
                total = running if out else self._count_where(tx, "1 = 1", {})
            return Explanation(tuple(out), total, skipped)

        return self._core._read(run)

    def _count_where(self, tx: Tx, condition: str, params: dict[str, Any]) -> int:
        count: int = tx.scalar(
            f"SELECT COUNT(*) FROM contact c WHERE c.workspace_id = :ws AND {condition}",
            self._core._params(**params),
        )
        return count

    # -- tag co-occurrence ------------------------------------------------------------

    def _pairs_source(self, tx: Tx, query: Filter) -> tuple[str, dict[str, Any]]:
        """FROM … WHERE of the pairs (x, y) of assignments of one contact, x's tag first."""
        if query == EVERYTHING:
            # No contact row is needed: the workspace's tags bound the join.
            return (
                "contact_tag x JOIN contact_tag y ON y.contact_id = x.contact_id AND y.tag_id > x.tag_id"
                " WHERE x.tag_id IN (SELECT t.id FROM tag t WHERE t.workspace_id = :ws)",
                self._core._params(),
            )
        where, params = self._core._selection(tx, query)
        return (
            "contact c JOIN contact_tag x ON x.contact_id = c.id"
            " JOIN contact_tag y ON y.contact_id = c.id AND y.tag_id > x.tag_id"
            f" WHERE {where}",
            params,
        )

    def _tag_totals(self, tx: Tx, query: Filter, tag_ids: list[int]) -> dict[int, int]:
        """How many contacts of the selection have each of ``tag_ids``."""
        if not tag_ids:
            return {}
        ids_sql = _in_ids("ct.tag_id", tag_ids)
        if query == EVERYTHING:
            sql = f"SELECT ct.tag_id, COUNT(*) FROM contact_tag ct WHERE {ids_sql} GROUP BY ct.tag_id"
            params: dict[str, Any] = {}
        else:
            where, params = self._core._selection(tx, query)
            sql = (
                f"SELECT ct.tag_id, COUNT(*) FROM contact c JOIN contact_tag ct ON ct.contact_id = c.id"
                f" WHERE {where} AND {ids_sql} GROUP BY ct.tag_id"
            )
        return {tag_id: n for tag_id, n in tx.all(sql, params)}

    def _tag_refs_by_id(self, tx: Tx, tag_ids: list[int]) -> dict[int, TagRef]:
        if not tag_ids:
            return {}
        rows = tx.all(
            f"SELECT t.id, t.name, t.slug, t.color, t.emoji FROM tag t WHERE {_in_ids('t.id', tag_ids)}"
            " AND t.workspace_id = :ws",
            self._core._params(),
        )
        return {r[0]: TagRef(*r) for r in rows}

    def tag_pairs(self, query: Filter = EVERYTHING, *, limit: int = 20) -> list[TagPair]:
        """The pairs of tags most often on one contact of ``query``'s selection, most first.

        Pairs with equal counts are in name order; pairs no contact has are left out.
        """
        _check_count(limit, "limit", PAIRS_LIMIT_MAX)

        def run(tx: Tx) -> list[TagPair]:
            source, params = self._pairs_source(tx, query)
            rows = tx.all(
                "SELECT p.a, p.b, p.n FROM ("
                f"SELECT x.tag_id AS a, y.tag_id AS b, COUNT(*) AS n FROM {source}"
                " GROUP BY x.tag_id, y.tag_id) p"
                " JOIN tag ta ON ta.id = p.a JOIN tag tb ON tb.id = p.b"
                " ORDER BY p.n DESC,"  # ties: by the pair's names, the first in name order first
                " CASE WHEN ta.name_key <= tb.name_key THEN ta.name_key ELSE tb.name_key END,"
                " CASE WHEN ta.name_key <= tb.name_key THEN tb.name_key ELSE ta.name_key END,"
                " p.a, p.b LIMIT :limit",
                {**params, "limit": limit},
            )
            ids = sorted({r[0] for r in rows} | {r[1] for r in rows})
            refs = self._tag_refs_by_id(tx, ids)
            totals = self._tag_totals(tx, query, ids)
            out: list[TagPair] = []
            for a, b, n in rows:
                ra, rb = refs[a], refs[b]
                if (text_key(ra.name), ra.id) > (text_key(rb.name), rb.id):
                    ra, rb = rb, ra  # each pair reads in name order
                smaller = min(totals.get(a, 0), totals.get(b, 0))
                out.append(TagPair(ra, rb, n, _ratio(n, smaller)))
            return out

        return self._core._read(run)

    def cooccurrence(
        self, tags: list[int | str] | None = None, query: Filter = EVERYTHING, *, top: int = 8
    ) -> Cooccurrence:
        """The co-occurrence matrix of ``tags`` (ids, names or slugs) among ``query``'s selection.

        Without ``tags``: the ``top`` tags the most contacts of the selection have.
        """
        _check_count(top, "top", MATRIX_TAGS_MAX)
        if tags is not None and len(tags) > MATRIX_TAGS_MAX:
            raise ValidationError(f"at most {MATRIX_TAGS_MAX} tags in a matrix", field="tags")

        def run(tx: Tx) -> Cooccurrence:
            where, params = self._core._selection(tx, query)
            size = tx.scalar(f"SELECT COUNT(*) FROM contact c WHERE {where}", params)
            if tags is None:
                ids = self._top_tags(tx, query, top)
            else:
                ids = list(dict.fromkeys(self._core._tag_id(tx, ref) for ref in tags))
            refs = self._tag_refs_by_id(tx, ids)
            totals = self._tag_totals(tx, query, ids)
            both: dict[tuple[int, int], int] = {}
            if len(ids) > 1:
                source, params = self._pairs_source(tx, query)
                rows = tx.all(
                    f"SELECT x.tag_id, y.tag_id, COUNT(*) FROM {source}"
                    f" AND {_in_ids('x.tag_id', ids)} AND {_in_ids('y.tag_id', ids)}"
                    " GROUP BY x.tag_id, y.tag_id",
                    params,
                )
                both = {(a, b): n for a, b, n in rows}
            counts = tuple(
                tuple(totals.get(a, 0) if a == b else both.get((min(a, b), max(a, b)), 0) for b in ids)
                for a in ids
            )
            return Cooccurrence(tuple(refs[i] for i in ids), counts, size)

        return self._core._read(run)

    def _top_tags(self, tx: Tx, query: Filter, top: int) -> list[int]:
        if query == EVERYTHING:
            # Counted along the (tag_id, contact_id) index, grouped in its order: no sort of 3M rows.
            sql = (
                "SELECT t.id FROM (SELECT ct.tag_id, COUNT(*) AS n FROM contact_tag ct"
                " WHERE ct.tag_id IN (SELECT id FROM tag WHERE workspace_id = :ws) GROUP BY ct.tag_id) k"
                " JOIN tag t ON t.id = k.tag_id ORDER BY k.n DESC, t.name_key, t.id LIMIT :top"
            )
            params = self._core._params(top=top)
        else:
            where, params = self._core._selection(tx, query)
            sql = (
                "SELECT t.id FROM contact c JOIN contact_tag ct ON ct.contact_id = c.id"
                f" JOIN tag t ON t.id = ct.tag_id WHERE {where}"
                " GROUP BY t.id, t.name_key ORDER BY COUNT(*) DESC, t.name_key, t.id LIMIT :top"
            )
            params = {**params, "top": top}
        return [r[0] for r in tx.all(sql, params)]

    # -- the funnel -------------------------------------------------------------------

    def funnel(self, query: Filter = EVERYTHING) -> list[FunnelStage]:
        """Contacts per stage in pipeline order, then those without a status, with conversions.

        See the module docstring for what conversion means.
        """

        def run(tx: Tx) -> list[FunnelStage]:
            where, params = self._core._selection(tx, query)
            counts = {
                status_id: n
                for status_id, n in tx.all(
                    f"SELECT c.status_id, COUNT(*) FROM contact c WHERE {where} GROUP BY c.status_id", params
                )
            }
            statuses = tx.all(
                "SELECT s.id, s.name, s.color FROM status s WHERE s.workspace_id = :ws"
                " ORDER BY s.position, s.id",
                self._core._params(),
            )
            sizes = [counts.get(sid, 0) for sid, _, _ in statuses]
            # Contacts at each stage or later: the cumulative sums from the end.
            reached = [0] * (len(sizes) + 1)
            for i in range(len(sizes) - 1, -1, -1):
                reached[i] = reached[i + 1] + sizes[i]
            stages = [
                FunnelStage(
                    name,
                    sid,
                    color,
                    sizes[i],
                    _ratio(reached[i + 1], reached[i]) if i + 1 < len(sizes) else None,
                )
                for i, (sid, name, color) in enumerate(statuses)
            ]
            stages.append(FunnelStage(None, None, None, counts.get(None, 0), None))
            return stages

        return self._core._read(run)
