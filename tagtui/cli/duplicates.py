"""``tagtui duplicates``: contacts that look like one person, and pairs that are not."""

from __future__ import annotations

import argparse
import contextlib

from tagtui.cli.common import add_json, command, parse_query
from tagtui.cli.context import Context
from tagtui.cli.output import Column, plural
from tagtui.cli.progress import Phases, wants_progress
from tagtui.cli.registry import help_for

EPILOG = """\
examples:
  tagtui duplicates
  tagtui duplicates --query 'status:lead' --min-score 0.9 --json
  tagtui duplicates ignore 12 40          (12 and 40 are not duplicates: never suggested again)
  tagtui contacts merge 12 40 41          (keep 12; 40 and 41 are folded into it)

The score is 0-1: a same email is nearly certain (0.85+); a same name alone is 0.75; a same
phone or company raises it, a different email lowers it. Emails compare trimmed and
case-folded, phones as E.164 (see 'tagtui settings --phone-region'), names without case,
accents, order ("Smith, John") or nicknames ("Jon"/"Jonathan", "J. Smith")."""


def _score(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, not {text!r}") from None


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    from tagtui.store.duplicates import DEFAULT_MIN_SCORE

    p = command(sub, "duplicates", help=help_for("duplicates"), handler=find, parents=parents, epilog=EPILOG)
    p.add_argument("--query", metavar="Q", help="look only among the contacts this query selects")
    p.add_argument(
        "--min-score",
        type=_score,
        default=DEFAULT_MIN_SCORE,
        metavar="S",
        help=f"report pairs scoring at least S, 0-1 (default {DEFAULT_MIN_SCORE})",
    )
    p.add_argument(
        "--limit", type=int, default=100, metavar="N", help="at most N groups (1–1000, default 100)"
    )
    add_json(p, "an array of {score, contacts, reasons}")
    actions = p.add_subparsers(dest="action", metavar="ACTION", title="actions")
    q = command(
        actions,
        "ignore",
        help="mark contacts as not duplicates of each other (every pair among them)",
        handler=ignore,
        parents=parents,
    )
    q.add_argument("contacts", metavar="CONTACT", nargs="+", help="contact id or email (two or more)")
    add_json(q, "{contacts, pairs}")


def find(ctx: Context) -> int:
    a = ctx.args
    # At a terminal: the contacts read of those the query selects, then the blocks of
    # look-alike contacts compared (a million contacts take seconds of each).
    shown = (
        Phases("duplicates", "contacts", {}, units={"comparing": "blocks"})
        if wants_progress()
        else contextlib.nullcontext()
    )
    with shown as progress:
        groups = ctx.store.find_duplicates(
            parse_query(a.query), min_score=a.min_score, limit=a.limit, progress=progress
        )
    if ctx.json:
        ctx.out.json([g.to_json() for g in groups])
        return 0
    rows = []
    for number, g in enumerate(groups, 1):
        for i, c in enumerate(g.contacts):
            first = i == 0
            rows.append(
                [
                    number if first else "",
                    f"{g.score:.2f}" if first else "",
                    c.id,
                    c.name,
                    c.email,
                    c.phone,
                    c.company,
                    ", ".join(g.reasons) if first else "",
                ]
            )
    columns = (
        Column("#", ">"),
        Column("SCORE", ">"),
        Column("ID", ">"),
        Column("NAME", shrink=True),
        Column("EMAIL", shrink=True),
        Column("PHONE", shrink=True),
        Column("COMPANY", shrink=True),
        Column("WHY", shrink=True),
    )
    footer = plural(len(groups), "group")
    if groups:
        footer += " — merge with: tagtui contacts merge KEEP OTHER…; or: tagtui duplicates ignore ID ID…"
    ctx.out.table(columns, rows, footer=footer)
    return 0


def ignore(ctx: Context) -> int:
    refs = ctx.args.contacts
    added = ctx.store.ignore_duplicates(refs)
    if ctx.json:
        ctx.out.json({"contacts": refs, "pairs": added})
    else:
        ctx.out.say(f"Marked {plural(len(refs), 'contact')} as not duplicates ({plural(added, 'new pair')})")
    return 0
