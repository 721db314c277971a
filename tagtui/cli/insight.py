"""``tagtui funnel``: contacts per pipeline stage and the conversion from each stage to the next."""

from __future__ import annotations

import argparse

from tagtui.cli.common import add_json, command, parse_query
from tagtui.cli.context import Context
from tagtui.cli.output import Column
from tagtui.cli.registry import help_for

FUNNEL_EPILOG = """\
examples:
  tagtui funnel
  tagtui funnel --query tag:vip --json

CONVERSION of a stage is the contacts at the next stage or later over the
contacts at this stage or later (statuses in pipeline order): the share of
those who reached the stage that went further. The last stage and the
"No status" row have none."""


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = command(sub, "funnel", help=help_for("funnel"), handler=funnel, parents=parents, epilog=FUNNEL_EPILOG)
    p.add_argument(
        "--query",
        metavar="Q",
        help="only the contacts this query selects; it may start with '-': --query -tag:cold",
    )
    add_json(p, "an array of {status, contacts, conversion}")


def funnel(ctx: Context) -> int:
    stages = ctx.store.funnel(parse_query(ctx.args.query))
    if ctx.json:
        ctx.out.json([s.to_json() for s in stages])
        return 0
    columns = (Column("STATUS", shrink=True), Column("CONTACTS", ">"), Column("CONVERSION", ">"))
    rows = [
        [
            s.status if s.status is not None else "(no status)",
            f"{s.contacts:,}",
            "" if s.conversion is None else f"{s.conversion:.1%}",
        ]
        for s in stages
    ]
    ctx.out.table(columns, rows, footer=f"{sum(s.contacts for s in stages):,} contacts")
    return 0
