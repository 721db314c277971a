"""``tagtui trends``: the pipeline over the last weeks, from the event log."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tagtui.cli.common import add_json, command, parse_query
from tagtui.cli.context import Context
from tagtui.cli.output import Column, cell_width
from tagtui.cli.registry import help_for

TRENDS_EPILOG = """\
examples:
  tagtui trends
  tagtui trends --weeks 26 --query tag:vip --json

ENTERED is how many contacts entered each stage in each week (ISO weeks, Monday
first; the last is this week). CONVERSION is the share of those who entered a
stage in a week that later reached a further stage. TIME IN STAGE is the median
and 90th percentile of the stays that began in the window and have ended (a
contact still in its stage is left out). TAGS is how many of the contacts have
each of the most common tags at the end of each week. Without --json a narrow
terminal shows the last 8 weeks."""

#: A terminal too narrow for every week shows this many (the latest).
NARROW_WEEKS = 8


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = command(sub, "trends", help=help_for("trends"), handler=trends, parents=parents, epilog=TRENDS_EPILOG)
    p.add_argument(
        "--query",
        metavar="Q",
        help="only the contacts this query selects; it may start with '-': --query -tag:cold",
    )
    p.add_argument("--weeks", type=int, default=12, metavar="N", help="the last N weeks (1–104, default 12)")
    add_json(p, "{weeks, entered, conversion, time_in_stage, tags}")


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def trends(ctx: Context) -> int:
    result = ctx.store.trends(parse_query(ctx.args.query), weeks=ctx.args.weeks)
    if ctx.json:
        ctx.out.json(result.to_json())
        return 0
    weeks = list(result.weeks)
    shown = len(weeks)
    names = [*result.entered, *result.tags]
    label = max((cell_width(n) for n in names), default=5) + 2
    if ctx.out.width is not None and label + 7 * len(weeks) > ctx.out.width:
        shown = min(shown, NARROW_WEEKS)
    heads = [w[5:] for w in weeks[-shown:]]  # MM-DD

    def series(title: str, data: Mapping[str, Sequence[Any]], show: Callable[[Any], str]) -> None:
        columns = [Column(title, shrink=True), *(Column(h, ">") for h in heads)]
        ctx.out.table(columns, [[name, *(show(v) for v in values[-shown:])] for name, values in data.items()])

    if not result.entered:
        ctx.out.line("no statuses: the pipeline is empty ('tagtui statuses setup' adds the standard one)")
        return 0
    series("ENTERED", result.entered, lambda v: f"{v:,}")
    ctx.out.line()
    series("CONVERSION", result.conversion, lambda v: "" if v is None else f"{v:.0%}")
    ctx.out.line()
    columns = (Column("TIME IN STAGE", shrink=True), Column("MEDIAN DAYS", ">"), Column("P90 DAYS", ">"))
    columns += (Column("STAYS", ">"),)
    rows = [
        [name, _days(t.median_days), _days(t.p90_days), f"{t.stays:,}"]
        for name, t in result.time_in_stage.items()
    ]
    ctx.out.table(columns, rows)
    if result.tags:
        ctx.out.line()
        series("TAGS", result.tags, lambda v: f"{v:,}")
    if shown < len(weeks):
        ctx.out.line(f"(the last {shown} of {len(weeks)} weeks; --json has them all)")
    return 0
