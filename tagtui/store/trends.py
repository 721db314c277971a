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
  status event, a cleared status included). A contact still in its stage is left out, so a
  stage nobody has left yet has ``None``. Median and p90 are interpolated between ranks
  (as ``percentile_cont``).
- *tags*: for the tags most of the selection has, how many of the selection have each at
  the end of each week, counted from the current assignments' creation time (an
  assignment since removed is not counted: it is no longer in the database).

A query selects contacts as they are now. Without one, the events of deleted contacts count
too. Everything is computed in SQL in one read transaction, bounded to the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tagtui.query.filter import EVERYTHING, Filter
from tagtui.store.db import Tx
from tagtui.store.errors import ValidationError
from tagtui.store.insight import InsightOps

WEEKS_DEFAULT = 12
WEEKS_MAX = 104
#: How many tags the tag growth follows (those the most contacts of the selection have).
TREND_TAGS = 8


@dataclass(frozen=True)
class StageTime:
    """How long stays in a stage lasted, in days; ``stays`` is how many ended stays were measured."""

    median_days: float | None
    p90_days: float | None
    stays: int

    def to_json(self) -> dict[str, Any]:
        return {"median_days": self.median_days, "p90_days": self.p90_days, "stays": self.stays}


@dataclass(frozen=True)
class Trends:
    """Per-week series, each list one value per week of ``weeks``; stages in pipeline order."""

    weeks: tuple[str, ...]
    entered: dict[str, list[int]]
    conversion: dict[str, list[float | None]]
    time_in_stage: dict[str, StageTime]
    tags: dict[str, list[int]]
    colors: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "weeks": list(self.weeks),
            "entered": self.entered,
            "conversion": self.conversion,
            "time_in_stage": {k: v.to_json() for k, v in self.time_in_stage.items()},
            "tags": self.tags,
        }


def _now() -> datetime:
    return datetime.now(UTC)


def week_starts(weeks: int, today: datetime | None = None) -> list[datetime]:
    """The Mondays (00:00 UTC) of the last ``weeks`` ISO weeks, oldest first."""
    day = (today or _now()).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = day - timedelta(days=day.weekday())
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _percentile(ranked: dict[int, float], n: int, p: float) -> float | None:
    """The ``p`` percentile of ``n`` sorted values of which ``ranked`` holds the needed ranks (1-based)."""
    if n == 0:
        return None
    pos = 1 + p * (n - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, n)
    value = ranked[lo] + (pos - lo) * (ranked[hi] - ranked[lo])
    return round(value, 2)


def check_weeks(weeks: object) -> int:
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= WEEKS_MAX:
        raise ValidationError(f"weeks must be a whole number from 1 to {WEEKS_MAX}", field="weeks")
    return weeks


class TrendOps(InsightOps):
    def trends(self, query: Filter = EVERYTHING, *, weeks: int = WEEKS_DEFAULT) -> Trends:
        """The pipeline's trends over the last ``weeks`` weeks for ``query``'s selection (see the module)."""
        check_weeks(weeks)
        starts = week_starts(weeks)
        start, end = _stamp(starts[0]), _stamp(starts[-1] + timedelta(weeks=1))

        def run(tx: Tx) -> Trends:
            statuses = tx.all(
                "SELECT s.id, s.name, s.color FROM status s WHERE s.workspace_id = :ws"
                " ORDER BY s.position, s.id",
                self._params(),
            )
            names = {sid: name for sid, name, _ in statuses}
            entered = {name: [0] * weeks for _, name, _ in statuses}
            moved = {name: [0] * weeks for _, name, _ in statuses}
            ranked: dict[int, dict[int, float]] = {sid: {} for sid in names}
            stays: dict[int, int] = {}
            for part, sid, a, b, c in self._trend_rows(tx, query, start, end):
                name = names.get(sid)
                if name is None:
                    continue  # a status deleted since
                if part == "e":
                    entered[name][a] += b
                    moved[name][a] += int(c)
                else:
                    ranked[sid][a] = float(c)
                    stays[sid] = b
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
                    _percentile(ranked[sid], stays.get(sid, 0), 0.5),
                    _percentile(ranked[sid], stays.get(sid, 0), 0.9),
                    stays.get(sid, 0),
                )
                for sid in names
            }
            return Trends(
                weeks=tuple(s.date().isoformat() for s in starts),
                entered=entered,
                conversion=conversion,
                time_in_stage=time_in_stage,
                tags=self._tag_growth(tx, query, start, weeks),
                colors={name: color for _, name, color in statuses},
            )

        # A pass over the event log, however small the selection: exempt from the query budget.
        return self._read_unbounded(run)

    def _week(self, stamp: str) -> str:
        # ``:origin`` is the window's start as ``:start`` is: PostgreSQL types each parameter
        # once, and this one is a time, the other text compared with stored stamps.
        return self.db.floor_int(f"{self.db.days_between(stamp, ':origin')} / 7")

    def _trend_rows(self, tx: Tx, query: Filter, start: str, end: str) -> list[tuple[Any, ...]]:
        """Rows ('e', status, week, entries, moved on) and ('t', status, rank, stays, days)."""
        db = self.db
        if query == EVERYTHING:
            source, params = "event e", self._params()
            cond = ""
        else:
            where, params = self._selection(tx, query)
            source, cond = "event e JOIN contact c ON c.id = e.subject_id", f" AND {where}"
        order = "PARTITION BY ev.cid ORDER BY ev.at, ev.id"
        days = db.days_between("next_at", "at")
        sql = (
            "WITH ev AS ("
            f"SELECT e.id, e.subject_id AS cid, e.at, {db.json_int('e.payload', 'after')} AS sid"
            f" FROM {source}"
            " WHERE e.workspace_id = :ws AND e.kind = 'contact.status_changed'"
            f" AND e.at >= :start AND e.at < :end{cond}),"
            " seq AS (SELECT ev.sid, s.position AS pos, ev.at,"
            f" LEAD(ev.at) OVER ({order}) AS next_at,"
            f" MAX(s.position) OVER ({order} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS later"
            " FROM ev LEFT JOIN status s ON s.id = ev.sid AND s.workspace_id = :ws),"
            f" stay AS (SELECT sid, {days} AS days FROM seq WHERE pos IS NOT NULL AND next_at IS NOT NULL),"
            " ranked AS (SELECT sid, days, ROW_NUMBER() OVER (PARTITION BY sid ORDER BY days) AS rn,"
            " COUNT(*) OVER (PARTITION BY sid) AS n FROM stay)"
            f" SELECT 'e', sid, {self._week('at')} AS w, COUNT(*),"
            " SUM(CASE WHEN later > pos THEN 1 ELSE 0 END) FROM seq WHERE pos IS NOT NULL GROUP BY sid, w"
            " UNION ALL SELECT 't', sid, rn, n, days FROM ranked"
            # The ranks either side of the median's and the p90's positions (1 + p * (n - 1)).
            " WHERE rn IN (1 + (5 * (n - 1)) / 10, 2 + (5 * (n - 1)) / 10,"
            " 1 + (9 * (n - 1)) / 10, 2 + (9 * (n - 1)) / 10)"
        )
        return tx.all(sql, {**params, "start": start, "end": end, "origin": start})

    def _bulk_entries(self, tx: Tx, start: str, end: str) -> list[tuple[Any, ...]]:
        db = self.db
        return tx.all(
            f"SELECT {db.json_int('e.payload', 'after')} AS sid, {self._week('e.at')} AS w,"
            f" SUM({db.json_int('e.payload', 'contacts')}) FROM event e"
            " WHERE e.workspace_id = :ws AND e.kind = 'contacts.status_changed'"
            " AND e.at >= :start AND e.at < :end GROUP BY sid, w",
            self._params(start=start, end=end, origin=start),
        )

    def _tag_growth(self, tx: Tx, query: Filter, start: str, weeks: int) -> dict[str, list[int]]:
        ids = self._top_tags(tx, query, TREND_TAGS)
        if not ids:
            return {}
        tag_list = ", ".join(str(int(i)) for i in ids)
        week = f"CASE WHEN ct.created_at < :start THEN -1 ELSE {self._week('ct.created_at')} END"
        if query == EVERYTHING:
            source, params, cond = "contact_tag ct", {}, ""
        else:
            where, params = self._selection(tx, query)
            source, cond = "contact c JOIN contact_tag ct ON ct.contact_id = c.id", f" AND {where}"
        rows = tx.all(
            f"SELECT ct.tag_id, {week} AS w, COUNT(*) FROM {source}"
            f" WHERE ct.tag_id IN ({tag_list}){cond} GROUP BY ct.tag_id, w",
            {**params, "start": start, "origin": start},
        )
        names = dict(
            tx.all(
                f"SELECT t.id, t.name FROM tag t WHERE t.id IN ({tag_list}) AND t.workspace_id = :ws",
                self._params(),
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
