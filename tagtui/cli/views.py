"""``tagtui views …``: named queries — list, save (checked first), delete."""

from __future__ import annotations

import argparse

from tagtui.cli.common import UsageError, add_json, command, delete_named, group, quoted, report
from tagtui.cli.contacts import SORT_HELP
from tagtui.cli.context import Context
from tagtui.cli.output import Column, plural
from tagtui.cli.registry import help_for


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    views = group(sub, "views", help=help_for("views"), parents=parents)

    p = command(views, "list", help="list saved views", handler=list_views, parents=parents)
    add_json(p, "an array of {name, query, broken, sort} (broken: why it no longer runs, or null)")

    p = command(
        views,
        "save",
        help="save a query as a view (replacing one of the same name)",
        handler=save_view,
        parents=parents,
        epilog="examples:\n  tagtui views save cold -tag:cold\n"
        "  tagtui views save hot 'tag:\"hot lead\" -status:lost'\n\n"
        "  tagtui views save cold --query -tag:cold\n"
        "  tagtui views save --sort followers:desc big tag:vip\n\n"
        "Everything after NAME is the query, whatever it starts with (or give it as --query Q).",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("query", metavar="QUERY", nargs="?", help="the query (the rest of the line)")
    p.add_argument("--query", dest="query_option", metavar="Q", help="the query, as an option")
    p.add_argument("--sort", metavar="FIELD[:desc]", help=SORT_HELP + " (default: name)")
    add_json(p, "{name, query, broken, sort}")

    p = command(views, "delete", help="delete a saved view", handler=delete_view, parents=parents)
    p.add_argument("name", metavar="NAME")
    add_json(p, "{name}")


def list_views(ctx: Context) -> int:
    views = ctx.store.list_views()
    if ctx.json:
        ctx.out.json([v.to_json() for v in views])
    else:
        footer = plural(len(views), "view")
        if not views:
            footer += " — save one with `tagtui views save NAME QUERY`"
        columns = [Column("NAME", shrink=True), Column("QUERY", shrink=True)]
        rows = [[v.name, v.query] for v in views]
        if any(v.sort for v in views):
            columns.append(Column("SORT"))
            rows = [[*row, v.sort or ""] for row, v in zip(rows, views, strict=True)]
        if any(v.broken for v in views):
            columns.append(Column("BROKEN", shrink=True))
            rows = [[*row, v.broken or ""] for row, v in zip(rows, views, strict=True)]
        ctx.out.table(columns, rows, footer=footer)
    return 0


def breaking(titles: list[str]) -> str:
    """`` and break view 'a', rule 'b'`` for a delete's question (empty when none)."""
    return f" and break {', '.join(titles)}" if titles else ""


def broke(titles: list[str]) -> str:
    """``; now broken: view 'a', rule 'b'`` for a delete's report (empty when none)."""
    return f"; now broken: {', '.join(titles)}" if titles else ""


def save_view(ctx: Context) -> int:
    positional, option = ctx.args.query, ctx.args.query_option
    if positional is not None and option is not None:
        raise UsageError("views save: give the query once, either after NAME or as --query")
    if positional is None and option is None:
        raise UsageError("views save: the following arguments are required: QUERY")
    view = ctx.store.save_view(ctx.args.name, option if option is not None else positional, ctx.args.sort)
    sorted_by = f" (sorted by {view.sort})" if view.sort else ""
    return report(ctx, view.to_json(), f"Saved view {quoted(view.name)}: {view.query}{sorted_by}")


def delete_view(ctx: Context) -> int:
    return delete_named(ctx, "view", ctx.store.get_view, ctx.store.delete_view)
