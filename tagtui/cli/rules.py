"""``tagtui rules …``: automation rules — list, add, delete, preview and apply (see store/automation.py)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tagtui.cli.common import add_json, command, delete_named, group, quoted, report, split_names
from tagtui.cli.context import Context
from tagtui.cli.output import Column, plural
from tagtui.cli.progress import working
from tagtui.cli.registry import help_for

if TYPE_CHECKING:
    from tagtui.store.automation import RuleEffect

QUERY_HELP = (
    "the contacts the rule acts on, e.g. 'followers>100000' or 'tag:lead -status:won';"
    " it may start with '-': --query -tag:cold"
)


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    rules = group(sub, "rules", help=help_for("rules"), parents=parents)

    p = command(rules, "list", help="list the rules with their actions", handler=list_rules, parents=parents)
    add_json(p, "an array of {id, name, query, add, remove, status, matches, …}")

    p = command(
        rules,
        "add",
        help="add a rule: a query and the actions for the contacts it selects",
        handler=add_rule,
        parents=parents,
        epilog="examples:\n"
        "  tagtui rules add Influencers --query 'followers>100000' --add Influencer\n"
        "  tagtui rules add 'Quiet leads' --query -tag:replied --remove Hot --status Cold\n\n"
        "Tags named in --add or --remove that do not exist yet are created.",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--query", required=True, metavar="Q", help=QUERY_HELP)
    p.add_argument("--add", metavar="T,…", help="tags to add (created if missing), separated by commas")
    p.add_argument("--remove", metavar="T,…", help="tags to remove, separated by commas")
    p.add_argument("--status", metavar="S", help="the status to set")
    add_json(p, "the rule")

    p = command(rules, "delete", help="delete a rule", handler=delete_rule, parents=parents)
    p.add_argument("name", metavar="NAME")
    add_json(p, "{name}")

    p = command(
        rules,
        "preview",
        help="show what the rules (or the one named) would change; changes nothing",
        handler=preview_rules,
        parents=parents,
    )
    p.add_argument("name", metavar="NAME", nargs="?")
    add_json(p, "an array of {rule, matches, add, remove, status, left_out_by_tag_limit, summary}")

    p = command(
        rules,
        "apply",
        help="apply the rules (or the one named) now, all in one transaction",
        handler=apply_rules,
        parents=parents,
        epilog="Applying again changes nothing that the first apply did.",
    )
    p.add_argument("name", metavar="NAME", nargs="?")
    add_json(p, "an array of {rule, matches, add, remove, status, left_out_by_tag_limit, summary}")


def list_rules(ctx: Context) -> int:
    store = ctx.store
    rules = store.list_rules()
    matches = store.count_rule_matches()
    if ctx.json:
        ctx.out.json([{**r.to_json(), "matches": matches.get(r.name)} for r in rules])
        return 0
    footer = plural(len(rules), "rule")
    if not rules:
        footer += " — add one with `tagtui rules add NAME --query Q --add TAG`"
    columns = [
        Column("NAME", shrink=True),
        Column("QUERY", shrink=True),
        Column("ACTIONS", shrink=True),
        Column("MATCHES", align=">"),
    ]
    rows = [[r.name, r.query, r.actions(), _count(r.broken, matches.get(r.name))] for r in rules]
    if any(r.broken for r in rules):
        columns.append(Column("BROKEN", shrink=True))
        rows = [[*row, r.broken or ""] for row, r in zip(rows, rules, strict=True)]
    ctx.out.table(columns, rows, footer=footer)
    return 0


def _count(broken: str | None, n: int | None) -> str:
    if broken:
        return "broken"
    return "query no longer valid" if n is None else f"{n:,}"


def add_rule(ctx: Context) -> int:
    a = ctx.args
    rule = ctx.store.add_rule(
        a.name, a.query, add=split_names(a.add), remove=split_names(a.remove), status=a.status
    )
    return report(ctx, rule.to_json(), f"Added rule {quoted(rule.name)}: {rule.query} → {rule.actions()}")


def delete_rule(ctx: Context) -> int:
    return delete_named(ctx, "rule", ctx.store.get_rule, ctx.store.delete_rule)


def preview_rules(ctx: Context) -> int:
    effects = ctx.store.preview_rules(ctx.args.name)
    return _report(ctx, effects, done=False)


def apply_rules(ctx: Context) -> int:
    with working("rules apply"):
        effects = ctx.store.apply_rules(ctx.args.name)
    return _report(ctx, effects, done=True)


def _report(ctx: Context, effects: list[RuleEffect], *, done: bool) -> int:
    if ctx.json:
        ctx.out.json([e.to_json() for e in effects])
        return 0
    if not effects:
        ctx.out.line("No rules — add one with `tagtui rules add NAME --query Q --add TAG`")
        return 0
    for e in effects:
        if e.broken:
            ctx.out.say(f"{e.rule.name}: broken, not run ({e.broken})")
            continue
        ctx.out.say(f"{e.rule.name}: {plural(e.matches, 'contact')} match {e.rule.query}")
        ctx.out.say(f"  {'' if done else 'would: '}{e.plan.summary()}")
    broken = sum(1 for e in effects if e.broken)
    if done:
        changed = sum(1 for e in effects if e.plan.changes)
        rest = f"{changed} changed something" if changed else "nothing needed changing"
        if broken:
            rest += f"; {plural(broken, 'broken rule')} not run"
        ctx.out.line(f"Applied {plural(len(effects) - broken, 'rule')}; {rest}")
    return 0
