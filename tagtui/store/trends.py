"""Pipeline trends over the last weeks, from the event log: entries per stage, conversion,
time in stage and tag growth.

Weeks are ISO weeks (Monday 00:00 UTC); the last one is the current week. What counts:

- *entered*: the ``contact.status_changed`` events that set a stage, by the week they
  happened. A bulk ``contacts.status_changed`` event names no contact: its ``contacts`` count
  adds to *entered* only without a query (a query cannot tell which of them it selects), and
  never to conversion or time in stage.
- *conversion* of a stage in a week: of the contacts that entered it that week (one per
  per-contact event), the share that later reached a stage further down the pipeline
  (higher position, as the funnel counts: a move to "Lost" after "Proposal" counts).
  ``None`` for a week in which nobody entered the stage.
- *time in stage*: the stays that began in the window and have ended (the contact's next
  status event, a cleared status included), each rounded to whole days (halves up). A
  contact still in its stage is left out, so a stage nobody has left yet has ``None``.
  Median and p90 are interpolated between ranks (as ``percentile_cont``) of those whole
  days: exact to the day, and read from a histogram.
- *tags*: for the tags most of the selection has, how many of the selection have each at
  the end of each week, counted from the current assignments' creation time (an
  assignment since removed is not counted: it is no longer in the database).

A query selects contacts as they are now. Without one, the events of deleted contacts count
too.

Without a query the stage numbers come from tables the store keeps (schema 4), so a call
reads weeks × stages rows however long the log: ``trend_week`` (per week and stage: entries,
and how many of them moved on) and ``trend_stay`` (per week, stage and whole days: how many
stays began that week and lasted that long). ``trend_state`` holds the newest event folded
in and the pipeline order they were computed for. A read first folds in the events that
came since: the log is append-only, so only the contacts with new status events change,
and their contribution is recomputed from their own events (before and after) and the
difference added. A new pipeline order (a status moved, added or deleted), more new events
than ``FOLD_MAX``, or events taken out of the log (undoing a demo) rebuild the tables from
the log in one SQL pass.

A query reads ``trend_entry`` (schema 7), kept with those tables: one row per status event
that set a stage, with its week, whether the contact moved on and its stay's whole days.
The query's contact ids go to a temporary table once (``SELECTED``); its stage numbers are
their rows of the window grouped, its tags their assignments (those made in the window by
``ix_contact_tag_made``). A negated query (``-tag:vip``, ``-tag:a -status:lost``) that
selects most contacts counts its tags as the workspace's (``trend_tag``) less those of the
contacts it leaves out (``REST``, found by what it negates), far fewer rows to look up; its
stage numbers still come from its own contacts' rows.

Schema 10 reads no selection for two common shapes. ``tag:x`` and ``-tag:x`` take their tags
from ``trend_pair`` (tag × tag × week: of the holders of one, how many got the other that week;
kept by triggers on ``contact_tag``, and a statement at a time by SQLite's bulk writes, see
``pairs``): the holders' cells are x's pairs, the others' ``trend_tag`` less them. "None of these
tags" (``-tag:x``, ``-tag:a,b``) selecting most contacts (for one tag: over a quarter of them,
``ONE_TAG_WEIGHT``) fills only ``REST`` (those with one of
the tags, by the tag index; having a tag is true or false, so the others are the selection):
its stage numbers are the workspace's (``trend_week``, ``trend_stay``) less the rows of ``REST``
and of deleted contacts (``trend_gone``, noted by a trigger as they go). A read-only database whose tables are
behind computes the stage numbers from the log instead: one SQL pass over the window
(seconds at a million contacts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tagtui.query.compile import simplify
from tagtui.query.filter import EVERYTHING, And, Filter, Not, Tags, any_of
from tagtui.store.base import StoreBase
from tagtui.store.db import Tx
from tagtui.store.errors import ValidationError
from tagtui.store.identity import slugify
from tagtui.store.types import JsonRecord

if TYPE_CHECKING:
    from tagtui.store.contacts import ContactService

#: Weeks are numbered from this Monday (UTC) in the trend tables.
EPOCH = datetime(2000, 1, 3, tzinfo=UTC)
EPOCH_STAMP = "2000-01-03T00:00:00.000000Z"
#: A stamp after every stamp stored (they are ISO-8601 UTC text of one width).
LAST_STAMP = "9999-12-31T23:59:59.999999Z"
#: More new status events than this since the last fold: rebuild the tables in SQL instead.
FOLD_MAX = 20_000
WEEKS_DEFAULT = 12
WEEKS_MAX = 104
#: On a read-only database whose tables are behind, a query selecting fewer than 1/FEW of
#: the contacts reads their own events by index.
FEW = 20
#: The temporary table that holds a query's contact ids while its trends are computed.
SELECTED = "trend_selected"
#: The temporary table that holds the ids of the contacts a negated query leaves out (``REST``).
REST = "trend_rest"
#: How many tags the tag growth follows (those the most contacts of the selection have).
TREND_TAGS = 8


@dataclass(frozen=True)
class StageTime(JsonRecord):
    """How long stays in a stage lasted, in days; ``stays`` is how many ended stays were measured."""

    median_days: float | None
    p90_days: float | None
    stays: int


@dataclass(frozen=True)
class Trends(JsonRecord):
    """Per-week series, each list one value per week of ``weeks``; stages in pipeline order."""

    weeks: tuple[str, ...]
    entered: dict[str, list[int]]
    conversion: dict[str, list[float | None]]
    time_in_stage: dict[str, StageTime]
    tags: dict[str, list[int]]
    colors: dict[str, str]

    JSON_FIELDS = ("weeks", "entered", "conversion", "time_in_stage", "tags")


def _now() -> datetime:
    return datetime.now(UTC)


def week_starts(weeks: int, today: datetime | None = None) -> list[datetime]:
    """The Mondays (00:00 UTC) of the last ``weeks`` ISO weeks, oldest first."""
    day = (today or _now()).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = day - timedelta(days=day.weekday())
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def utc_stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def week_number(moment: datetime) -> int:
    """The week of ``moment`` as the trend tables number it (weeks since ``EPOCH``)."""
    return (moment - EPOCH) // timedelta(weeks=1)


def whole_days(seconds: float) -> int:
    """A stay's length in whole days, halves up (as the SQL of ``_whole_days``)."""
    return math.floor(seconds / 86400 + 0.5)


#: (week, status) -> [entered, moved on]; (week, status, days) -> stays.
Weeks = dict[tuple[int, int], list[int]]
Stays = dict[tuple[int, int, int], int]


#: One contact's status event that set a stage, as ``trend_entry`` holds it:
#: (event id, week, status, moved on (0/1), whole days of the stay or None while it goes on).
Entry = tuple[int, int, int, int, int | None]


def entries(events: list[tuple[int, str, int | None]], position: dict[int, int]) -> list[Entry]:
    """One contact's ``trend_entry`` rows from its status events ``(id, at, status)`` in any
    order; ``position`` of each status that exists."""
    ordered = sorted(events, key=lambda e: (e[1], e[0]))
    later: list[int | None] = [None] * len(ordered)
    best: int | None = None
    for i in range(len(ordered) - 1, -1, -1):
        later[i] = best
        status = ordered[i][2]
        pos = position.get(status) if status is not None else None
        if pos is not None and (best is None or pos > best):
            best = pos
    out: list[Entry] = []
    for i, (eid, at, sid) in enumerate(ordered):
        pos = position.get(sid) if sid is not None else None
        if pos is None or sid is None:
            continue
        moment = _moment(at)
        nxt = later[i]
        days = None
        if i + 1 < len(ordered):
            days = whole_days((_moment(ordered[i + 1][1]) - moment).total_seconds())
        out.append((eid, week_number(moment), sid, int(nxt is not None and nxt > pos), days))
    return out


def contribution(
    events: list[tuple[int, str, int | None]], position: dict[int, int], weeks: Weeks, stays: Stays, sign: int
) -> None:
    """Add (``sign`` 1) or take away (-1) one contact's part of the trend tables: its status
    events ``(id, at, status)`` in any order; ``position`` of each status that exists."""
    for _, week, sid, moved, days in entries(events, position):
        cell = weeks.setdefault((week, sid), [0, 0])
        cell[0] += sign
        cell[1] += sign * moved
        if days is not None:
            key = (week, sid, days)
            stays[key] = stays.get(key, 0) + sign


def percentile(histogram: list[tuple[int, int]], p: float) -> float | None:
    """The ``p`` percentile of the values a sorted histogram ``(value, count)`` holds,
    interpolated between ranks (as ``percentile_cont``)."""
    n = sum(c for _, c in histogram)
    if n == 0:
        return None
    pos = 1 + p * (n - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, n)

    def at(rank: int) -> int:
        seen = 0
        for value, count in histogram:
            seen += count
            if seen >= rank:
                return value
        return histogram[-1][0]

    return round(at(lo) + (pos - lo) * (at(hi) - at(lo)), 2)


def by_contacts(selected: int, rows: int) -> bool:
    """Whether to read the ``selected`` contacts' own rows (each by index) rather than all
    ``rows`` rows of the window or tags, each looked up in the selection."""
    return selected < rows


def by_rest(selected: int, contacts: int) -> bool:
    """Whether to count a selection's tags as the workspace's (``trend_tag``) less those of the
    contacts it leaves out: when they are fewer than it holds."""
    return selected * 2 > contacts


#: ``-tag:x`` counts its tags from ``trend_pair`` (weeks × tags rows), so the contacts it leaves
#: out are read only for its stages (their rows by the primary key), which is cheaper than
#: finding the selection (every contact looked at) and reading its rows even when they are
#: more: at ``-tag:newsletter`` on the 1M demo (530,367 left out, 469,633 selected) 0.34 s
#: against 1.8 s. ``by_rest`` is asked with the selection weighed by this (so the rest may be
#: up to three times the selection).
ONE_TAG_WEIGHT = 2


def _one_tag_weight(rest: Tags) -> int:
    """How ``by_rest`` weighs a selection that lacks the tags of ``rest`` (``ONE_TAG_WEIGHT``
    for one tag, whose tags ``trend_pair`` gives; 1 for several, counted from ``REST``)."""
    return ONE_TAG_WEIGHT if len(rest.values) == 1 else 1


def rest_of(query: Filter) -> Filter | None:
    """The contacts ``query`` leaves out, as a filter, when ``query`` is a negation (``-tag:vip``,
    ``-tag:a -status:lost``): what it negates, which an index finds. ``None`` otherwise."""
    if isinstance(query, Not):
        return query.child
    if isinstance(query, And) and query.children and all(isinstance(c, Not) for c in query.children):
        return any_of(*(c.child for c in query.children if isinstance(c, Not)))
    return None


def check_weeks(weeks: object) -> int:
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= WEEKS_MAX:
        raise ValidationError(f"weeks must be a whole number from 1 to {WEEKS_MAX}", field="weeks")
    return weeks


class TrendService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions; ``contacts`` is the service it selects and counts contacts with."""

    def __init__(self, core: StoreBase, contacts: ContactService) -> None:
        self._core = core
        self._contact_ops = contacts

    def trends(self, query: Filter = EVERYTHING, *, weeks: int = WEEKS_DEFAULT) -> Trends:
        """The pipeline's trends over the last ``weeks`` weeks for ``query``'s selection (see the module)."""
        check_weeks(weeks)
        starts = week_starts(weeks)
        start, end = utc_stamp(starts[0]), utc_stamp(starts[-1] + timedelta(weeks=1))
        folded = self._fold_trends()

        def run(tx: Tx) -> Trends:
            # "All but these tags" selecting most contacts: only those it leaves out are found.
            others = folded and query != EVERYTHING and self._select_others(tx, query)
            if query != EVERYTHING and not others:
                self._select(tx, query)
                self._select_rest(tx, query)
            statuses = tx.all(
                "SELECT s.id, s.name, s.color FROM status s WHERE s.workspace_id = :ws"
                " ORDER BY s.position, s.id",
                self._core._params(),
            )
            names = {sid: name for sid, name, _ in statuses}
            entered = {name: [0] * weeks for _, name, _ in statuses}
            moved = {name: [0] * weeks for _, name, _ in statuses}
            days: dict[int, dict[int, int]] = {sid: {} for sid in names}
            first = week_number(starts[0])
            if folded and query == EVERYTHING:
                rows = self._folded_rows(tx, first, weeks)
            elif others:
                rows = self._folded_rows(tx, first, weeks) + self._others_rows(tx, first, weeks)
            elif folded:
                rows = self._selected_rows(tx, first, weeks)
            else:
                rows = self._trend_rows(tx, query, start, end)
            for part, sid, w, a, b in rows:
                name = names.get(sid)
                if name is None:
                    continue  # a status deleted since
                if part == "e":
                    entered[name][w] += int(a)
                    moved[name][w] += int(b)
                else:
                    days[sid][int(a)] = days[sid].get(int(a), 0) + int(b)
            histograms = {sid: sorted((d, n) for d, n in h.items() if n) for sid, h in days.items()}
            # Only per-contact events enter the conversion's denominator.
            conversion = {
                name: [
                    round(m / e, 4) if e else None for m, e in zip(moved[name], entered[name], strict=True)
                ]
                for name in entered
            }
            if query == EVERYTHING:
                for sid, week, n in self._bulk_entries(tx, start, end):
                    if sid in names and n:
                        entered[names[sid]][week] += int(n)
            time_in_stage = {
                names[sid]: StageTime(
                    percentile(histograms[sid], 0.5),
                    percentile(histograms[sid], 0.9),
                    sum(n for _, n in histograms[sid]),
                )
                for sid in names
            }
            tags = self._tag_growth(tx, query, start, weeks)
            if query != EVERYTHING:
                self._unselect(tx)
            return Trends(
                weeks=tuple(s.date().isoformat() for s in starts),
                entered=entered,
                conversion=conversion,
                time_in_stage=time_in_stage,
                tags=tags,
                colors={name: color for _, name, color in statuses},
            )

        # A pass over the event log, however small the selection: exempt from the query budget.
        return self._core._read_unbounded(run)

    def _week(self, stamp: str) -> str:
        # ``:origin`` is the window's start as ``:start`` is: PostgreSQL types each parameter
        # once, and this one is a time, the other text compared with stored stamps.
        return self._core.db.floor_int(f"{self._core.db.days_between(stamp, ':origin')} / 7")

    def _whole_days(self, later: str, earlier: str) -> str:
        """A stay in whole days, halves up (as ``whole_days``)."""
        return self._core.db.floor_int(f"{self._core.db.days_between(later, earlier)} + 0.5")

    def _stage_sql(self, source: str, cond: str, week: str, *, kind: str = "e.kind") -> str:
        """Rows ('e', status, week, entries, moved on) and ('t', status, week, days, stays) of
        the status events of ``source`` (``event e``, maybe joined) that ``cond`` keeps;
        ``week`` numbers the week of a stamp ``at``; ``kind`` is how the kind is compared
        (``e.kind || ''`` keeps the index by kind and time out of the planner's reach)."""
        db = self._core.db
        order = "PARTITION BY ev.cid ORDER BY ev.at, ev.id"
        return (
            "WITH ev AS ("
            f"SELECT e.id, e.subject_id AS cid, e.at, {db.json_int('e.payload', 'after')} AS sid"
            f" FROM {source} WHERE e.workspace_id = :ws AND {kind} = 'contact.status_changed'{cond}),"
            " seq AS (SELECT ev.sid, s.position AS pos, ev.at,"
            f" LEAD(ev.at) OVER ({order}) AS next_at,"
            f" MAX(s.position) OVER ({order} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS later"
            " FROM ev LEFT JOIN status s ON s.id = ev.sid AND s.workspace_id = :ws)"
            f" SELECT 'e', sid, {week} AS w, COUNT(*), SUM(CASE WHEN later > pos THEN 1 ELSE 0 END)"
            " FROM seq WHERE pos IS NOT NULL GROUP BY sid, w"
            f" UNION ALL SELECT 't', sid, {week} AS w, {self._whole_days('next_at', 'at')} AS d, COUNT(*)"
            " FROM seq WHERE pos IS NOT NULL AND next_at IS NOT NULL GROUP BY sid, w, d"
        )

    def window_stages_sql(self) -> str:
        """The statement that computes every contact's stages in a window straight from the
        event log (``:ws``, ``:start``, ``:end`` and ``:origin``, the window's start), as
        ``trends`` without a query did before its tables: what ``tagtui bench`` compares with."""
        return self._stage_sql("event e", " AND e.at >= :start AND e.at < :end", self._week("at"))

    def _trend_rows(self, tx: Tx, query: Filter, start: str, end: str) -> list[tuple[Any, ...]]:
        """The window's rows (as ``_stage_sql``, weeks counted from the window's first),
        computed from the log: on a read-only database whose trend tables are behind."""
        window = " AND e.at >= :start AND e.at < :end"
        params = self._core._params()
        if query == EVERYTHING:
            sql = self._stage_sql("event e", window, self._week("at"))
        else:
            selected = f" AND e.subject_id IN (SELECT id FROM {SELECTED})"
            if self._selected_size(tx) * FEW < self._contacts(tx):  # their own events, by the subject index
                cond, kind = f" AND e.subject_type = 'contact'{selected}{window}", "e.kind || ''"
            else:  # the window's events, each looked up in the selection
                cond, kind = f"{window}{selected}", "e.kind"
            sql = self._stage_sql("event e", cond, self._week("at"), kind=kind)
        return tx.all(sql, {**params, "start": start, "end": end, "origin": start})

    # -- a query's selection: its contacts' ids in a temporary table, found once ------

    def _select(self, tx: Tx, query: Filter) -> None:
        """Put the ids of ``query``'s contacts in the temporary table ``SELECTED``."""
        source, where, params = self._contact_ops._shaped(tx, query, "count")
        self._core.db.snapshot(tx, SELECTED, f"SELECT c.id FROM {source} WHERE {where}", params)
        tx.memo["trend_selected"] = int(tx.scalar(f"SELECT COUNT(*) FROM {SELECTED}"))
        self._core.db.engine.analyze_temp(tx, SELECTED)  # a fresh temporary table has no statistics

    def _select_rest(self, tx: Tx, query: Filter) -> None:
        """For a negated query selecting most contacts (``by_rest``), put the ids of those it
        leaves out in the temporary table ``REST`` (``rest_of``: found by an index, where the
        selection is found by a lookup for each contact); its tags are then counted from them.
        Unless the two tables together hold each contact once, ``REST`` is left empty and unused."""
        tx.memo["trend_rest"] = False
        rest = rest_of(query)
        if rest is None or not by_rest(self._selected_size(tx), self._contacts(tx)):
            return
        source, where, params = self._contact_ops._shaped(tx, rest, "count")
        self._core.db.snapshot(tx, REST, f"SELECT c.id FROM {source} WHERE {where}", params)
        left = int(tx.scalar(f"SELECT COUNT(*) FROM {REST}"))
        if left + self._selected_size(tx) != self._contacts(tx):  # not the other contacts: unused
            tx.execute(f"DELETE FROM {REST}")
            return
        self._core.db.engine.analyze_temp(tx, REST)
        tx.memo["trend_rest"] = True

    def _select_others(self, tx: Tx, query: Filter) -> bool:
        """For a query that is "none of these tags" (``-tag:x``, ``-tag:a -tag:b``) selecting
        most contacts (``by_rest``), put the contacts that have one of them in ``REST`` (by the
        tag index) and nothing in ``SELECTED``: the selection is every other contact there is,
        its stages the workspace's less the rows of ``REST`` and of deleted contacts
        (``_others_rows``), its tags ``trend_tag`` less ``REST``'s. Whether it did."""
        shaped = simplify(query)
        rest = rest_of(shaped)
        if not (isinstance(rest, Tags) and rest.values and simplify(Not(rest)) == shaped):
            return False
        # Having a tag is true or false for every contact: the others are the selection.
        selected = self._contacts(tx) - self._contact_ops._count(tx, rest)
        if not by_rest(selected * _one_tag_weight(rest), self._contacts(tx)):
            return False
        source, where, params = self._contact_ops._shaped(tx, rest, "count")
        self._core.db.snapshot(tx, REST, f"SELECT c.id FROM {source} WHERE {where}", params)
        self._core.db.engine.analyze_temp(tx, REST)
        tx.memo["trend_selected"] = selected
        tx.memo["trend_rest"] = True
        tx.memo["trend_others"] = True
        return True

    def _one_tag(self, tx: Tx, query: Filter) -> tuple[int, bool] | None:
        """``(tag id, negated)`` when ``query`` is one tag (``tag:x``) or the contacts without it
        (``-tag:x``): their tag growth is read from ``trend_pair`` (the latter's, as the
        workspace's less the rest's, when ``by_rest``). ``None`` otherwise."""
        shaped = simplify(query)
        negated = isinstance(shaped, Not)
        term = shaped.child if isinstance(shaped, Not) else shaped
        if not isinstance(term, Tags) or len(term.values) != 1:
            return None
        found = tx.scalar(
            "SELECT id FROM tag WHERE workspace_id = :ws AND slug = :slug",
            self._core._params(slug=slugify(term.values[0], "tag")),
        )
        return None if found is None else (int(found), negated)

    def _others_rows(self, tx: Tx, first: int, weeks: int) -> list[tuple[Any, ...]]:
        """What to take from the workspace's rows (``_folded_rows``) to leave those of the
        contacts there are but ``REST``'s: the rows of ``REST`` and of the deleted contacts
        (``trend_gone``, those not there again), as negative counts."""
        p = self._core._params(lo=first, hi=first + weeks - 1)
        grouped = " BETWEEN :lo AND :hi GROUP BY e.week, e.status_id, e.days"
        gone = (
            "SELECT e.week, e.status_id, e.days, COUNT(*), SUM(e.moved)"
            " FROM trend_gone g CROSS JOIN trend_entry e WHERE g.workspace_id = :ws"
            " AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.id = g.contact_id AND c.workspace_id = :ws)"
            f" AND e.workspace_id = :ws AND e.contact_id = g.contact_id AND +e.week{grouped}"
        )
        rows: list[tuple[Any, ...]] = []
        left = int(tx.scalar(f"SELECT COUNT(*) FROM {REST}"))
        for part in (self._entry_cells(tx, first, weeks, REST, left), tx.all(gone, p)):
            for w, sid, d, n, m in part:
                rows.append(("e", sid, w - first, -int(n), -int(m)))
                if d is not None:
                    rows.append(("t", sid, w - first, d, -int(n)))
        return rows

    def _unselect(self, tx: Tx) -> None:
        # SQLite keeps a temporary table as long as the connection: free its memory now.
        self._core.db.engine.drop_temp(tx, SELECTED)
        self._core.db.engine.drop_temp(tx, REST)

    def _selected_size(self, tx: Tx) -> int:
        return int(tx.memo["trend_selected"])

    def _contacts(self, tx: Tx) -> int:
        """The workspace's contacts, once per call."""
        cache = tx.memo.get("trend_contacts")
        if cache is None:
            cache = max(1, self._contact_ops._count(tx, EVERYTHING))
            tx.memo["trend_contacts"] = cache
        return int(cache)

    def _selected_rows(self, tx: Tx, first: int, weeks: int) -> list[tuple[Any, ...]]:
        """The window's rows, as ``_folded_rows`` gives them, for the selected contacts."""
        rows: list[tuple[Any, ...]] = []
        for w, sid, d, n, m in self._entry_cells(tx, first, weeks, SELECTED, self._selected_size(tx)):
            rows.append(("e", sid, w - first, n, m))
            if d is not None:
                rows.append(("t", sid, w - first, d, n))
        return rows

    def _entry_cells(self, tx: Tx, first: int, weeks: int, table: str, size: int) -> list[tuple[Any, ...]]:
        """``(week, status, days, entries, moved on)``: the window's ``trend_entry`` rows of the
        ``size`` contacts whose ids the temporary table ``table`` holds, grouped. Fewer
        contacts than the window has entries: each contact's rows by the primary key; more:
        the window's rows by ``ix_trend_entry_cell``, each looked up in ``table``, in the order
        they are grouped (no sort)."""
        p = self._core._params(lo=first, hi=first + weeks - 1)
        window = int(
            tx.scalar(
                "SELECT COALESCE(SUM(entered), 0) FROM trend_week WHERE workspace_id = :ws"
                " AND week BETWEEN :lo AND :hi",
                p,
            )
        )
        grouped = " BETWEEN :lo AND :hi GROUP BY e.week, e.status_id, e.days"
        if by_contacts(size, window):
            # CROSS JOIN: SQLite keeps the tables in the order written (PostgreSQL plans
            # freely); +e.week: each contact's rows by the primary key, not the week index.
            sql = (
                "SELECT e.week, e.status_id, e.days, COUNT(*), SUM(e.moved)"
                f" FROM {table} s CROSS JOIN trend_entry e"
                f" WHERE e.workspace_id = :ws AND e.contact_id = s.id AND +e.week{grouped}"
            )
        else:
            sql = (
                "SELECT e.week, e.status_id, e.days, COUNT(*), SUM(e.moved) FROM trend_entry e"
                f" WHERE e.workspace_id = :ws AND e.contact_id IN (SELECT id FROM {table})"
                f" AND e.week{grouped}"
            )
        return tx.all(sql, p)

    # -- the trend tables (see the module docstring) -----------------------------------

    def _folded_rows(self, tx: Tx, first: int, weeks: int) -> list[tuple[Any, ...]]:
        """The window's rows, as ``_trend_rows`` gives them, read from the trend tables."""
        p = self._core._params(lo=first, hi=first + weeks - 1)
        return [
            ("e", sid, w - first, n, m)
            for w, sid, n, m in tx.all(
                "SELECT week, status_id, entered, moved FROM trend_week"
                " WHERE workspace_id = :ws AND week BETWEEN :lo AND :hi",
                p,
            )
        ] + [
            ("t", sid, w - first, d, n)
            for w, sid, d, n in tx.all(
                "SELECT week, status_id, days, stays FROM trend_stay"
                " WHERE workspace_id = :ws AND week BETWEEN :lo AND :hi",
                p,
            )
        ]

    def _pipeline(self, tx: Tx) -> list[int]:
        return [
            r[0]
            for r in tx.all(
                "SELECT id FROM status WHERE workspace_id = :ws ORDER BY position, id", self._core._params()
            )
        ]

    def _trend_state(self, tx: Tx) -> tuple[tuple[int, str] | None, int, str]:
        """(folded event id and pipeline, or None), the newest event id, the pipeline now."""
        state = tx.one(
            "SELECT last_event_id, pipeline FROM trend_state WHERE workspace_id = :ws", self._core._params()
        )
        newest = int(
            tx.scalar("SELECT MAX(id) FROM event WHERE workspace_id = :ws", self._core._params()) or 0
        )
        pipeline = ",".join(map(str, self._pipeline(tx)))
        return (None if state is None else (int(state[0]), str(state[1]))), newest, pipeline

    def _fold_trends(self) -> bool:
        """Bring the trend tables up to the newest event (a write, only when they are behind);
        False when they are behind on a read-only database (then the log is read instead)."""
        state, newest, pipeline = self._core._read(self._trend_state)
        if state == (newest, pipeline):
            return True
        if self._core.db.read_only is not None:
            return False
        with self._core.db.unbounded():  # a rebuild is a pass over the whole log
            self._core._write(self._fold)
        return True

    def _fold(self, tx: Tx) -> None:
        # ``_write`` holds the workspace: every writer of its events waits (PostgreSQL) or
        # queues (SQLite), so no event below the newest can still be on its way.
        state, newest, pipeline = self._trend_state(tx)
        if state is None or state[1] != pipeline:
            self._rebuild_trends(tx, newest, pipeline)
            return
        last = state[0]
        if last >= newest:
            return
        contacts = [
            r[0]
            for r in tx.all(
                "SELECT DISTINCT subject_id FROM event WHERE workspace_id = :ws AND id > :last"
                " AND id <= :newest AND kind = 'contact.status_changed' AND subject_id IS NOT NULL"
                " LIMIT :cap",
                self._core._params(last=last, newest=newest, cap=FOLD_MAX + 1),
            )
        ]
        if len(contacts) > FOLD_MAX:
            self._rebuild_trends(tx, newest, pipeline)
            return
        if contacts:
            position = {sid: n for n, sid in enumerate(self._pipeline(tx))}
            cond, params = self._core.db.in_list("subject_id", "ids", contacts)
            events: dict[int, list[tuple[int, str, int | None]]] = {}
            for eid, cid, at, sid in tx.all(
                f"SELECT id, subject_id, at, {self._core.db.json_int('payload', 'after')} FROM event"
                f" WHERE workspace_id = :ws AND subject_type = 'contact' AND {cond}"
                " AND kind = 'contact.status_changed' AND id <= :newest",
                self._core._params(newest=newest, **params),
            ):
                events.setdefault(cid, []).append((eid, at, None if sid is None else int(sid)))
            weeks: Weeks = {}
            stays: Stays = {}
            for own in events.values():
                contribution([e for e in own if e[0] <= last], position, weeks, stays, -1)
                contribution(own, position, weeks, stays, 1)
            self._add_trend_rows(tx, weeks, stays)
            gone, params = self._core.db.in_list("contact_id", "ids", contacts)
            tx.execute(
                f"DELETE FROM trend_entry WHERE workspace_id = :ws AND {gone}", self._core._params(**params)
            )
            rows = [
                self._core._params(cid=cid, eid=eid, w=w, sid=sid, m=m, d=d)
                for cid, own in events.items()
                for eid, w, sid, m, d in entries(own, position)
            ]
            if rows:
                tx.executemany(
                    "INSERT INTO trend_entry (workspace_id, contact_id, event_id, week, status_id, moved,"
                    " days) VALUES (:ws, :cid, :eid, :w, :sid, :m, :d)",
                    rows,
                )
        tx.execute(
            "UPDATE trend_state SET last_event_id = :newest WHERE workspace_id = :ws",
            self._core._params(newest=newest),
        )
        # Every event is folded in: a deleted contact without rows now never gets any, and one
        # that is there again is no longer gone (the trigger notes it if it goes again).
        tx.execute(
            "DELETE FROM trend_gone WHERE workspace_id = :ws AND (NOT EXISTS (SELECT 1 FROM trend_entry e"
            " WHERE e.workspace_id = :ws AND e.contact_id = trend_gone.contact_id) OR EXISTS (SELECT 1"
            " FROM contact c WHERE c.id = trend_gone.contact_id AND c.workspace_id = :ws))",
            self._core._params(),
        )

    def _add_trend_rows(self, tx: Tx, weeks: Weeks, stays: Stays) -> None:
        week_rows = [
            self._core._params(w=w, sid=sid, n=n, m=m) for (w, sid), (n, m) in weeks.items() if n or m
        ]
        if week_rows:
            tx.executemany(
                "INSERT INTO trend_week (workspace_id, week, status_id, entered, moved)"
                " VALUES (:ws, :w, :sid, :n, :m) ON CONFLICT (workspace_id, week, status_id) DO UPDATE SET"
                " entered = trend_week.entered + excluded.entered, moved = trend_week.moved + excluded.moved",
                week_rows,
            )
        stay_rows = [self._core._params(w=w, sid=sid, d=d, n=n) for (w, sid, d), n in stays.items() if n]
        if stay_rows:
            tx.executemany(
                "INSERT INTO trend_stay (workspace_id, week, status_id, days, stays)"
                " VALUES (:ws, :w, :sid, :d, :n) ON CONFLICT (workspace_id, week, status_id, days) DO UPDATE"
                " SET stays = trend_stay.stays + excluded.stays",
                stay_rows,
            )

    def _rebuild_trends(self, tx: Tx, newest: int, pipeline: str) -> None:
        """The trend tables anew from the whole log: ``trend_entry`` in one SQL pass, and
        ``trend_week`` and ``trend_stay`` its rows grouped. ``ix_trend_entry_cell`` is made
        again after the rows are in (a sort), not kept up to date by each row: its order (week,
        status, days) is not the order the rows go and come in (contact by contact), and at a
        million contacts the deletes and inserts at scattered places cost more CPU than the
        rest of the pass."""
        from tagtui.store.schema import TREND_ENTRY_CELL_INDEX

        tx.execute("DROP INDEX IF EXISTS ix_trend_entry_cell")  # before the old rows go too
        for table in ("trend_week", "trend_stay", "trend_entry"):
            tx.execute(f"DELETE FROM {table} WHERE workspace_id = :ws", self._core._params())
        db = self._core.db
        order = "PARTITION BY ev.cid ORDER BY ev.at, ev.id"
        # Weeks since EPOCH (a literal: PostgreSQL would type a parameter as text here).
        week = db.floor_int(f"{db.days_between('at', repr(EPOCH_STAMP))} / 7")
        tx.execute(
            "INSERT INTO trend_entry (workspace_id, contact_id, event_id, week, status_id, moved, days)"
            " WITH ev AS ("
            f"SELECT e.id, e.subject_id AS cid, e.at, {db.json_int('e.payload', 'after')} AS sid"
            " FROM event e WHERE e.workspace_id = :ws AND e.kind = 'contact.status_changed'"
            " AND e.subject_id IS NOT NULL AND e.id <= :newest),"
            " seq AS (SELECT ev.id, ev.cid, ev.sid, s.position AS pos, ev.at,"
            f" LEAD(ev.at) OVER ({order}) AS next_at,"
            f" MAX(s.position) OVER ({order} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS later"
            " FROM ev LEFT JOIN status s ON s.id = ev.sid AND s.workspace_id = :ws)"
            f" SELECT :ws, cid, id, {week}, sid, CASE WHEN later > pos THEN 1 ELSE 0 END,"
            f" CASE WHEN next_at IS NULL THEN NULL ELSE {self._whole_days('next_at', 'at')} END"
            " FROM seq WHERE pos IS NOT NULL",
            self._core._params(newest=newest),
        )
        tx.execute(TREND_ENTRY_CELL_INDEX)
        # The contacts of the log that are gone (``_others_rows`` takes their rows away).
        tx.execute("DELETE FROM trend_gone WHERE workspace_id = :ws", self._core._params())
        tx.execute(
            "INSERT INTO trend_gone (workspace_id, contact_id) SELECT :ws, e.contact_id FROM trend_entry e"
            " WHERE e.workspace_id = :ws AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.id = e.contact_id"
            " AND c.workspace_id = :ws) GROUP BY e.contact_id",
            self._core._params(),
        )
        tx.execute(
            "INSERT INTO trend_week (workspace_id, week, status_id, entered, moved)"
            " SELECT workspace_id, week, status_id, COUNT(*), SUM(moved) FROM trend_entry"
            " WHERE workspace_id = :ws GROUP BY workspace_id, week, status_id",
            self._core._params(),
        )
        tx.execute(
            "INSERT INTO trend_stay (workspace_id, week, status_id, days, stays)"
            " SELECT workspace_id, week, status_id, days, COUNT(*) FROM trend_entry"
            " WHERE workspace_id = :ws AND days IS NOT NULL GROUP BY workspace_id, week, status_id, days",
            self._core._params(),
        )
        tx.execute(
            "INSERT INTO trend_state (workspace_id, last_event_id, pipeline) VALUES (:ws, :newest, :pipeline)"
            " ON CONFLICT (workspace_id) DO UPDATE SET last_event_id = excluded.last_event_id,"
            " pipeline = excluded.pipeline",
            self._core._params(newest=newest, pipeline=pipeline),
        )

    def _bulk_entries(self, tx: Tx, start: str, end: str) -> list[tuple[Any, ...]]:
        db = self._core.db
        return tx.all(
            f"SELECT {db.json_int('e.payload', 'after')} AS sid, {self._week('e.at')} AS w,"
            f" SUM({db.json_int('e.payload', 'contacts')}) FROM event e"
            " WHERE e.workspace_id = :ws AND e.kind = 'contacts.status_changed'"
            " AND e.at >= :start AND e.at < :end GROUP BY sid, w",
            self._core._params(start=start, end=end, origin=start),
        )

    def _selected_tag_totals(self, tx: Tx) -> dict[int, int]:
        """The ``TREND_TAGS`` tags the most selected contacts have (most first, then by name),
        each with how many have it. Few selected contacts: their own assignments (by the
        primary key); many: the assignments of the tags, each looked up (``+ct.contact_id``:
        the tag index read in order, not searched for each selected id), the tags with the
        most assignments first (``trend_tag``): once ``TREND_TAGS`` are counted, a tag with
        fewer assignments than the last of the best counted cannot be among them, and it and
        the tags after it are not read."""
        if by_contacts(self._selected_size(tx) * 3, self._contacts(tx)):
            held = dict(
                self._core.db.engine.counts_by(
                    tx,
                    "ct.tag_id",
                    f"FROM {SELECTED} s CROSS JOIN contact_tag ct WHERE ct.contact_id = s.id",
                    None,
                )
            )
            names = dict(
                tx.all("SELECT id, name_key FROM tag WHERE workspace_id = :ws", self._core._params())
            )
            top = sorted((i for i in held if i in names), key=lambda i: (-held[i], names[i], i))[:TREND_TAGS]
            return {i: held[i] for i in top}
        bounds = tx.all(
            "SELECT t.id, t.name_key, COALESCE(SUM(k.n), 0) AS n FROM tag t"
            " LEFT JOIN trend_tag k ON k.tag_id = t.id WHERE t.workspace_id = :ws"
            " GROUP BY t.id, t.name_key ORDER BY n DESC, t.id",
            self._core._params(),
        )
        key = {int(i): str(k) for i, k, _ in bounds}
        found: dict[int, int] = {}
        at = 0
        while at < len(bounds):
            best = sorted(found.values(), reverse=True)[:TREND_TAGS]
            least = best[-1] if len(best) == TREND_TAGS else 0
            chunk = [int(i) for i, _, n in bounds[at : at + TREND_TAGS] if int(n) >= max(least, 1)]
            if not chunk:
                break
            at += len(chunk)
            tags = ", ".join(str(i) for i in chunk)
            found.update(
                (int(i), int(n))
                for i, n in tx.all(
                    f"SELECT ct.tag_id, COUNT(*) FROM contact_tag ct WHERE ct.tag_id IN ({tags})"
                    f" AND +ct.contact_id IN (SELECT id FROM {SELECTED}) GROUP BY ct.tag_id"
                )
            )
        top = sorted(found, key=lambda i: (-found[i], key[i], i))[:TREND_TAGS]
        return {i: found[i] for i in top}

    def _tags_by_rest(self, tx: Tx, start: str) -> tuple[list[int], list[tuple[int, int, int]]]:
        """The ``TREND_TAGS`` tags the most selected contacts have (most first, then by name),
        and their ``(tag, week, n)`` assignments to the selection (week -1: before the window),
        when ``REST`` holds the other contacts: the workspace's assignments by tag and week
        (``trend_tag``) less the rest's. The rest's tags are counted by their own assignments
        (the primary key's index), and the top tags' weeks from their assignments made since
        a day before the window (by ``ix_contact_tag_made``, each looked up in the rest), each
        given ``trend_tag``'s week, so that the two subtract cell by cell."""
        first = week_number(_moment(start))
        cells: dict[tuple[int, int], int] = {}
        for tag_id, w, n in tx.all(
            "SELECT k.tag_id, CASE WHEN k.week < :first THEN -1 ELSE k.week - :first END AS w, SUM(k.n)"
            " FROM trend_tag k JOIN tag t ON t.id = k.tag_id WHERE t.workspace_id = :ws GROUP BY k.tag_id, w",
            self._core._params(first=first),
        ):
            cells[(int(tag_id), int(w))] = int(n)
        totals: dict[int, int] = {}
        for (tag_id, _), n in cells.items():
            totals[tag_id] = totals.get(tag_id, 0) + n
        left = dict(
            self._core.db.engine.counts_by(
                tx, "ct.tag_id", f"FROM {REST} s CROSS JOIN contact_tag ct WHERE ct.contact_id = s.id", None
            )
        )
        for tag_id, n in left.items():
            totals[tag_id] = totals.get(tag_id, 0) - n
        names = dict(tx.all("SELECT id, name_key FROM tag WHERE workspace_id = :ws", self._core._params()))
        held = [i for i, n in totals.items() if n > 0 and i in names]
        top = sorted(held, key=lambda i: (-totals[i], names[i], i))[:TREND_TAGS]
        if not top:
            return [], []
        week = self._core.db.engine.week_of("ct.created_at")
        tag_list = ", ".join(str(i) for i in top)
        recent = tx.all(
            f"SELECT ct.tag_id, {week} - :first AS w, COUNT(*) FROM contact_tag ct"
            f" WHERE ct.tag_id IN ({tag_list}) AND ct.created_at >= :lo"
            f" AND +ct.contact_id IN (SELECT id FROM {REST}) GROUP BY ct.tag_id, w",
            {"first": first, "lo": utc_stamp(_moment(start) - timedelta(days=1))},
        )
        for tag_id, w, n in recent:
            key = (int(tag_id), max(int(w), -1))
            cells[key] = cells.get(key, 0) - int(n)
            left[int(tag_id)] -= int(n)
        for tag_id in top:  # the rest's assignments made before those
            cells[(tag_id, -1)] = cells.get((tag_id, -1), 0) - left.get(tag_id, 0)
        return top, [(i, w, n) for (i, w), n in cells.items() if i in top and n]

    def _tags_by_pairs(
        self, tx: Tx, start: str, tag_id: int, negated: bool
    ) -> tuple[list[int], list[tuple[int, int, int]]]:
        """As ``_tags_by_rest``, for the holders of one tag (``negated``: the other contacts),
        from ``trend_pair``: its row (tag, other, week) counts the holders of the tag given the
        other that week, so the holders' cells are the tag's pairs (and the tag's own
        ``trend_tag`` cells), and the others' are every tag's ``trend_tag`` cells less those.
        Weeks × tags rows, however many contacts."""
        p = self._core._params(first=week_number(_moment(start)), tag=tag_id)
        bucket = "CASE WHEN k.week < :first THEN -1 ELSE k.week - :first END"
        paired = tx.all(
            f"SELECT k.other_id, {bucket} AS w, SUM(k.n) FROM trend_pair k WHERE k.tag_id = :tag"
            " GROUP BY k.other_id, w",
            p,
        )
        cells: dict[tuple[int, int], int] = {}
        if negated:
            for other, w, n in tx.all(
                f"SELECT k.tag_id, {bucket} AS w, SUM(k.n) FROM trend_tag k JOIN tag t ON t.id = k.tag_id"
                " WHERE t.workspace_id = :ws AND k.tag_id <> :tag GROUP BY k.tag_id, w",
                p,
            ):
                cells[(int(other), int(w))] = int(n)
            for other, w, n in paired:
                key = (int(other), int(w))
                cells[key] = cells.get(key, 0) - int(n)
        else:
            own = tx.all(
                f"SELECT k.tag_id, {bucket} AS w, SUM(k.n) FROM trend_tag k WHERE k.tag_id = :tag"
                " GROUP BY k.tag_id, w",
                p,
            )
            for other, w, n in [*paired, *own]:
                key = (int(other), int(w))
                cells[key] = cells.get(key, 0) + int(n)
        totals: dict[int, int] = {}
        for (other, _), n in cells.items():
            totals[other] = totals.get(other, 0) + n
        names = dict(tx.all("SELECT id, name_key FROM tag WHERE workspace_id = :ws", self._core._params()))
        held = [i for i, n in totals.items() if n > 0 and i in names]
        top = sorted(held, key=lambda i: (-totals[i], names[i], i))[:TREND_TAGS]
        return top, [(i, w, n) for (i, w), n in cells.items() if i in top and n]

    def _tag_growth(self, tx: Tx, query: Filter, start: str, weeks: int) -> dict[str, list[int]]:
        if query == EVERYTHING:  # from trend_tag, which triggers keep: weeks × tags rows
            first = week_number(_moment(start))
            ids = [
                r[0]
                for r in tx.all(
                    "SELECT t.id FROM trend_tag k JOIN tag t ON t.id = k.tag_id WHERE t.workspace_id = :ws"
                    " GROUP BY t.id, t.name_key HAVING SUM(k.n) > 0 ORDER BY SUM(k.n) DESC, t.name_key, t.id"
                    " LIMIT :top",
                    self._core._params(top=TREND_TAGS),
                )
            ]
            if not ids:
                return {}
            tag_list = ", ".join(str(int(i)) for i in ids)
            rows = tx.all(
                "SELECT tag_id, CASE WHEN week < :first THEN -1 ELSE week - :first END AS w, SUM(n)"
                f" FROM trend_tag WHERE tag_id IN ({tag_list}) GROUP BY tag_id, w",
                {"first": first},
            )
        elif (one := self._one_tag(tx, query)) is not None and (
            not one[1] or by_rest(self._selected_size(tx) * ONE_TAG_WEIGHT, self._contacts(tx))
        ):
            ids, rows = self._tags_by_pairs(tx, start, *one)
            if not ids:
                return {}
            tag_list = ", ".join(str(int(i)) for i in ids)
        elif tx.memo.get("trend_rest", False):
            ids, rows = self._tags_by_rest(tx, start)
            if not ids:
                return {}
            tag_list = ", ".join(str(int(i)) for i in ids)
        else:
            totals = self._selected_tag_totals(tx)
            ids = list(totals)
            if not ids:
                return {}
            tag_list = ", ".join(str(int(i)) for i in ids)
            # The assignments made in the window (by ``ix_contact_tag_made``); those made
            # before are the rest of each tag's total.
            week = self._week("ct.created_at")
            # The window's assignments of these tags (trend_tag counts them): each selected
            # contact's tags (a row read for each) cost more than those when they are fewer.
            made = tx.scalar(
                f"SELECT COALESCE(SUM(n), 0) FROM trend_tag WHERE tag_id IN ({tag_list}) AND week >= :first",
                {"first": week_number(_moment(start))},
            )
            if by_contacts(self._selected_size(tx) * len(ids), int(made)):
                rows = tx.all(
                    f"SELECT ct.tag_id, {week} AS w, COUNT(*) FROM {SELECTED} s CROSS JOIN contact_tag ct"
                    f" WHERE ct.contact_id = s.id AND ct.tag_id IN ({tag_list}) AND ct.created_at >= :start"
                    " GROUP BY ct.tag_id, w",
                    {"start": start, "origin": start},
                )
            else:
                # Each tag's assignments of each week, a range of the index counted: no week
                # worked out and no sort per assignment (its lookup in the selection is the cost).
                # The last week takes the assignments stamped after it too, as ``added`` does.
                edges = [utc_stamp(_moment(start) + timedelta(weeks=k)) for k in range(weeks)] + [LAST_STAMP]
                cells = ", ".join(f"({i}, {k}, :e{k}, :e{k + 1})" for i in ids for k in range(weeks))
                rows = tx.all(
                    f"WITH cell (tag_id, w, lo, hi) AS (VALUES {cells})"
                    " SELECT cell.tag_id, cell.w, (SELECT COUNT(*) FROM contact_tag ct"
                    " WHERE ct.tag_id = cell.tag_id AND ct.created_at >= cell.lo AND ct.created_at < cell.hi"
                    f" AND ct.contact_id IN (SELECT id FROM {SELECTED})) FROM cell",
                    {f"e{k}": edge for k, edge in enumerate(edges)},
                )
            recent = {i: 0 for i in ids}
            for tag_id, _, n in rows:
                recent[tag_id] += int(n)
            rows = [*rows, *((i, -1, totals[i] - recent[i]) for i in ids)]
        names = dict(
            tx.all(
                f"SELECT t.id, t.name FROM tag t WHERE t.id IN ({tag_list}) AND t.workspace_id = :ws",
                self._core._params(),
            )
        )
        added = {i: [0] * (weeks + 1) for i in ids}  # slot 0: before the window
        for tag_id, w, n in rows:
            added[tag_id][min(int(w), weeks - 1) + 1] += n
        out: dict[str, list[int]] = {}
        for i in ids:
            total, series = added[i][0], []
            for n in added[i][1:]:
                total += n
                series.append(total)
            out[names[i]] = series
        return out
