"""``tagtui statuses …``: the pipeline — list, show, create, update, move, delete, setup."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tagtui.cli.common import (
    UsageError,
    add_json,
    changes_given,
    command,
    group,
    quoted,
    report,
    report_setup,
    show_color,
    updated,
)
from tagtui.cli.context import Context
from tagtui.cli.output import Column, plural
from tagtui.cli.progress import working
from tagtui.cli.registry import help_for
from tagtui.cli.views import breaking, broke
from tagtui.store.stored_queries import delete_refused

if TYPE_CHECKING:
    from tagtui.store import Status


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    statuses = group(sub, "statuses", help=help_for("statuses"), parents=parents)

    p = command(
        statuses, "list", help="list statuses in pipeline order", handler=list_statuses, parents=parents
    )
    add_json(p, "an array of statuses")

    p = command(statuses, "show", help="show one status", handler=show_status, parents=parents)
    p.add_argument("status", metavar="STATUS", help="status id, name or slug")
    add_json(p, "the status")

    p = command(
        statuses,
        "create",
        help="add a status at the end of the pipeline",
        handler=create_status,
        parents=parents,
        epilog="example:\n  tagtui statuses create 'Demo Scheduled' --color teal",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--color", metavar="C", help="a palette name or #rgb / #rrggbb (default: slate)")
    add_json(p, "the new status")

    p = command(statuses, "update", help="rename or recolor a status", handler=update_status, parents=parents)
    p.add_argument("status", metavar="STATUS", help="status id, name or slug")
    p.add_argument("--name", metavar="N", help="new name (the slug follows)")
    p.add_argument("--color", metavar="C", help="new color")
    p.add_argument("--rev", type=int, metavar="N", help="only if the status is still at revision N")
    add_json(p, "the updated status")

    p = command(
        statuses,
        "move",
        help="move a status to another place in the pipeline",
        handler=move_status,
        parents=parents,
        epilog="example:\n  tagtui statuses move Won --to 1",
    )
    p.add_argument("status", metavar="STATUS", help="status id, name or slug")
    p.add_argument("--to", type=int, required=True, metavar="POS", help="1-based position (1 = first)")
    add_json(p, "the moved status")

    p = command(
        statuses,
        "delete",
        help="delete a status and clear it on its contacts",
        handler=delete_status,
        parents=parents,
    )
    p.add_argument("status", metavar="STATUS", help="status id, name or slug")
    p.add_argument(
        "--force", action="store_true", help="delete it even if saved views or rules name it (they break)"
    )
    add_json(p, "{id, name, contacts, broken}")

    p = command(
        statuses,
        "setup",
        help="create the standard pipeline (safe to run again)",
        handler=setup_statuses,
        parents=parents,
    )
    add_json(p, "an array of {name, created}")


STATUS_COLUMNS = (
    Column("POS", ">"),
    Column("ID", ">"),
    Column("NAME", shrink=True),
    Column("SLUG", shrink=True),
    Column("COLOR"),
    Column("CONTACTS", ">"),
)


def list_statuses(ctx: Context) -> int:
    statuses = ctx.store.list_statuses()
    if ctx.json:
        ctx.out.json([s.to_json() for s in statuses])
        return 0
    rows = [[s.position, s.id, s.name, s.slug, show_color(s.color), s.contacts] for s in statuses]
    footer = plural(len(statuses), "status", "statuses")
    if not statuses:
        footer += " — create the standard pipeline with `tagtui statuses setup`"
    ctx.out.table(STATUS_COLUMNS, rows, footer=footer)
    return 0


def _print_status(ctx: Context, status: Status) -> None:
    if ctx.json:
        ctx.out.json(status.to_json())
        return
    ctx.out.fields(
        [
            ("id", status.id),
            ("name", status.name),
            ("slug", status.slug),
            ("color", show_color(status.color)),
            ("position", status.position),
            ("contacts", status.contacts),
            ("created", status.created_at),
            ("updated", status.updated_at),
            ("rev", status.rev),
        ]
    )


def show_status(ctx: Context) -> int:
    _print_status(ctx, ctx.store.get_status(ctx.args.status))
    return 0


def create_status(ctx: Context) -> int:
    status = ctx.store.create_status(ctx.args.name, color=ctx.args.color)
    return report(
        ctx,
        status.to_json(),
        f"Created status {quoted(status.name)} (id {status.id}, position {status.position},"
        f" color {show_color(status.color)})",
    )


def update_status(ctx: Context) -> int:
    a = ctx.args
    changes = changes_given(a, "name", "color")
    if not changes:
        raise UsageError("nothing to change: give --name or --color")
    status = ctx.store.update_status(a.status, rev=a.rev, **changes)
    return report(ctx, status.to_json(), updated("status", status))


def move_status(ctx: Context) -> int:
    status = ctx.store.move_status(ctx.args.status, ctx.args.to)
    return report(ctx, status.to_json(), f"Moved status {quoted(status.name)} to position {status.position}")


def delete_status(ctx: Context) -> int:
    store = ctx.store
    status = store.get_status(ctx.args.status)
    users = store.stored_queries_naming("status", status.id)
    if users and not ctx.args.force:
        raise delete_refused("status", status.name, users)
    ctx.confirm(
        f"Delete status {quoted(status.name)} and clear it on {plural(status.contacts or 0, 'contact')}"
        f"{breaking(users)}?"
    )
    with working("statuses delete"):
        cleared = store.delete_status(status.id, force=ctx.args.force)
    return report(
        ctx,
        {"id": status.id, "name": status.name, "contacts": cleared, "broken": users},
        f"Deleted status {quoted(status.name)}; cleared it on {plural(cleared, 'contact')}{broke(users)}",
    )


def setup_statuses(ctx: Context) -> int:
    return report_setup(ctx, ctx.store.setup_statuses())
