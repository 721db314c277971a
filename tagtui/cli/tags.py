"""``tagtui tags …``: list, show, colors, create, update, delete, setup, assign, unassign, contacts."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tagtui.cli.common import (
    UsageError,
    add_json,
    add_paging,
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
from tagtui.cli.output import Column, page_footer, plural
from tagtui.cli.progress import working
from tagtui.cli.registry import help_for
from tagtui.cli.views import breaking, broke
from tagtui.store.stored_queries import delete_refused

if TYPE_CHECKING:
    from tagtui.store import Tag


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    tags = group(sub, "tags", help=help_for("tags"), parents=parents)

    p = command(
        tags,
        "list",
        help="list tags with their contact counts",
        handler=list_tags,
        parents=parents,
        epilog="examples:\n  tagtui tags list --search vip\n"
        "  tagtui tags list --sort updated --updated-before 2026-01-01T00:00:00Z",
    )
    p.add_argument("--search", metavar="S", help="only tags whose name contains S (any case)")
    add_paging(p)
    p.add_argument("--sort", choices=("name", "updated"), default="name", help="order (default: name)")
    p.add_argument(
        "--updated-before",
        metavar="TS",
        help="only tags last updated before this ISO-8601 time (pages through --sort updated)",
    )
    add_json(p, "an array of tags")

    p = command(tags, "show", help="show one tag", handler=show_tag, parents=parents)
    p.add_argument("tag", metavar="TAG", help="tag id, name or slug")
    add_json(p, "the tag")

    p = command(tags, "colors", help="list the named colors", handler=colors, parents=parents)
    add_json(p, "an array of {name, hex}")

    p = command(
        tags,
        "create",
        help="create a tag",
        handler=create_tag,
        parents=parents,
        epilog="example:\n  tagtui tags create VIP --color purple --emoji ⭐",
    )
    p.add_argument("name", metavar="NAME")
    _tag_field_options(p)
    p.add_argument("--description", metavar="D", help="a description (at most 200 characters)")
    add_json(p, "the new tag")

    p = command(
        tags,
        "update",
        help="change a tag's name, color, emoji or description",
        handler=update_tag,
        parents=parents,
    )
    p.add_argument("tag", metavar="TAG", help="tag id, name or slug")
    p.add_argument("--name", metavar="N", help="new name (the slug follows)")
    _tag_field_options(p)
    described = p.add_mutually_exclusive_group()
    described.add_argument("--description", metavar="D", help="new description")
    described.add_argument("--clear-description", action="store_true", help="remove the description")
    p.add_argument("--rev", type=int, metavar="N", help="only if the tag is still at revision N")
    add_json(p, "the updated tag")

    p = command(
        tags, "delete", help="delete a tag and take it off every contact", handler=delete_tag, parents=parents
    )
    p.add_argument("tag", metavar="TAG", help="tag id, name or slug")
    p.add_argument(
        "--force", action="store_true", help="delete it even if saved views or rules name it (they break)"
    )
    add_json(p, "{id, name, contacts, broken}")

    p = command(
        tags,
        "merge",
        help="move the contacts of SOURCE to TARGET and delete SOURCE (one undo step)",
        handler=merge_tags,
        parents=parents,
        epilog="examples:\n  tagtui tags merge 'Hot Leads' 'Hot Lead'\n  tagtui tags merge vip-old VIP --yes",
    )
    p.add_argument("source", metavar="SOURCE", help="the tag to merge away (id, name or slug)")
    p.add_argument("target", metavar="TARGET", help="the tag its contacts end with")
    add_json(p, "{source, source_name, target, target_name, contacts, gained, tag}")

    p = command(
        tags,
        "setup",
        help="create the standard tag set (safe to run again)",
        handler=setup_tags,
        parents=parents,
    )
    add_json(p, "an array of {name, created}")

    for name, handler, verb in (("assign", assign, "give"), ("unassign", unassign, "take")):
        p = command(
            tags,
            name,
            help=f"{verb} a tag {'to' if name == 'assign' else 'from'} contacts (1 to bulk_limit at once)",
            handler=handler,
            parents=parents,
        )
        p.add_argument("tag", metavar="TAG", help="tag id, name or slug")
        p.add_argument("contacts", metavar="CONTACT", nargs="+", help="contact id or email")
        add_json(p, "{tag_id, requested, changed}")

    p = command(
        tags,
        "pairs",
        help="the pairs of tags most often on one contact (tag co-occurrence)",
        handler=tag_pairs,
        parents=parents,
        epilog="examples:\n  tagtui tags pairs --limit 10\n  tagtui tags pairs --query status:won --json\n\n"
        "SHARE is CONTACTS over the contacts (of the query) that have the rarer tag of the pair.",
    )
    p.add_argument(
        "--query",
        metavar="Q",
        help="only among the contacts this query selects; it may start with '-': --query -tag:cold",
    )
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N pairs (1–1000, default 20)")
    add_json(p, "an array of {a, b, contacts, share}")

    p = command(
        tags, "contacts", help="list the contacts that have a tag", handler=tag_contacts, parents=parents
    )
    p.add_argument("tag", metavar="TAG", help="tag id, name or slug")
    add_paging(p)
    add_json(p, "an array of contacts")


def _tag_field_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--color", metavar="C", help="a palette name (see `tagtui tags colors`) or #rgb / #rrggbb")
    p.add_argument("--emoji", metavar="E", help="an emoji shown before the name ('' removes it)")


TAG_COLUMNS = (
    Column("ID", ">"),
    Column("NAME", shrink=True),
    Column("SLUG", shrink=True),
    Column("COLOR"),
    Column("EMOJI"),
    Column("CONTACTS", ">"),
    Column("DESCRIPTION", shrink=True),
)


def list_tags(ctx: Context) -> int:
    a = ctx.args
    store = ctx.store
    tags = store.list_tags(
        search=a.search, limit=a.limit, offset=a.offset, sort=a.sort, updated_before=a.updated_before
    )
    if ctx.json:
        ctx.out.json([t.to_json() for t in tags])
        return 0
    columns = list(TAG_COLUMNS)
    rows = [_tag_row(t) for t in tags]
    if a.sort == "updated":
        columns.append(Column("UPDATED"))
        rows = [[*row, t.updated_at] for row, t in zip(rows, tags, strict=True)]
    total = store.count_tags(a.search) if a.updated_before is None else None
    footer = page_footer(len(tags), total, a.offset, "tag")
    if total == 0 and not a.search:
        footer += " — create some with `tagtui tags create NAME` or `tagtui tags setup`"
    ctx.out.table(columns, rows, footer=footer)
    return 0


def _tag_row(t: Tag) -> list[object]:
    return [t.id, t.name, t.slug, show_color(t.color), t.emoji or "", t.contacts, t.description or ""]


def show_tag(ctx: Context) -> int:
    tag = ctx.store.get_tag(ctx.args.tag)
    if ctx.json:
        ctx.out.json(tag.to_json())
    else:
        _print_tag(ctx, tag)
    return 0


def _print_tag(ctx: Context, tag: Tag) -> None:
    ctx.out.fields(
        [
            ("id", tag.id),
            ("name", tag.name),
            ("slug", tag.slug),
            ("color", show_color(tag.color)),
            ("emoji", tag.emoji or ""),
            ("description", tag.description or ""),
            ("contacts", tag.contacts),
            ("created", tag.created_at),
            ("updated", tag.updated_at),
            ("rev", tag.rev),
        ]
    )


def colors(ctx: Context) -> int:
    palette = _palette()
    if ctx.json:
        ctx.out.json([{"name": name, "hex": code} for name, code in palette])
    else:
        ctx.out.table([Column("NAME"), Column("HEX")], palette, footer=plural(len(palette), "color"))
    return 0


def _palette() -> list[tuple[str, str]]:
    # The palette is fixed: listing it needs no database.
    from tagtui.store.validation import PALETTE

    return list(PALETTE.items())


def create_tag(ctx: Context) -> int:
    a = ctx.args
    tag = ctx.store.create_tag(a.name, color=a.color, emoji=a.emoji, description=a.description)
    return report(
        ctx,
        tag.to_json(),
        f"Created tag {quoted(tag.name)} (id {tag.id}, slug {tag.slug}, color {show_color(tag.color)})",
    )


def update_tag(ctx: Context) -> int:
    a = ctx.args
    changes = changes_given(a, "name", "color", "emoji", "description")
    if a.clear_description:
        changes["description"] = None
    if not changes:
        raise UsageError(
            "nothing to change: give --name, --color, --emoji, --description or --clear-description"
        )
    tag = ctx.store.update_tag(a.tag, rev=a.rev, **changes)
    return report(ctx, tag.to_json(), updated("tag", tag))


def delete_tag(ctx: Context) -> int:
    store = ctx.store
    tag = store.get_tag(ctx.args.tag)
    users = store.stored_queries_naming("tag", tag.id)
    if users and not ctx.args.force:
        raise delete_refused("tag", tag.name, users)
    ctx.confirm(
        f"Delete tag {quoted(tag.name)} from {plural(tag.contacts or 0, 'contact')}{breaking(users)}?"
    )
    with working("tags delete"):
        lost = store.delete_tag(tag.id, force=ctx.args.force)
    return report(
        ctx,
        {"id": tag.id, "name": tag.name, "contacts": lost, "broken": users},
        f"Deleted tag {quoted(tag.name)}; {plural(lost, 'contact')} lost it{broke(users)}",
    )


def merge_tags(ctx: Context) -> int:
    store = ctx.store
    source, target = store.get_tag(ctx.args.source), store.get_tag(ctx.args.target)
    if source.id != target.id:
        ctx.confirm(
            f"Merge tag {quoted(source.name)} into {quoted(target.name)}"
            f" ({plural(source.contacts or 0, 'contact')}) and delete {quoted(source.name)}?"
        )
    with working("tags merge"):
        result = store.merge_tags(source.id, target.id)
    if ctx.json:
        ctx.out.json(result.to_json())
    else:
        ctx.out.say(
            f"Merged tag {quoted(result.source_name)} into {quoted(result.target_name)}:"
            f" {plural(result.contacts, 'contact')} moved ({result.gained:,} gained it);"
            " `tagtui undo` takes it back"
        )
    return 0


def setup_tags(ctx: Context) -> int:
    return report_setup(ctx, ctx.store.setup_tags())


def assign(ctx: Context) -> int:
    return _bulk(ctx, add=True)


def unassign(ctx: Context) -> int:
    return _bulk(ctx, add=False)


def _bulk(ctx: Context, *, add: bool) -> int:
    store = ctx.store
    a = ctx.args
    with working("tags assign" if add else "tags unassign"):
        result = store.assign(a.tag, a.contacts) if add else store.unassign(a.tag, a.contacts)
    if ctx.json:
        ctx.out.json(result.to_json())
        return 0
    name = store.get_tag(result.tag_id).name if result.tag_id is not None else a.tag
    unchanged = result.requested - result.changed
    if add:
        text = f"Tagged {plural(result.changed, 'contact')} with {quoted(name)}"
        extra = f"{unchanged} already had it"
    else:
        text = f"Took {quoted(name)} off {plural(result.changed, 'contact')}"
        extra = f"{unchanged} did not have it"
    ctx.out.say(text + (f" ({extra})" if unchanged else ""))
    return 0


def tag_pairs(ctx: Context) -> int:
    from tagtui.cli.common import parse_query

    with working("tags pairs"):  # every two tags of every contact: seconds at a million contacts
        pairs = ctx.store.tag_pairs(parse_query(ctx.args.query), limit=ctx.args.limit)
    if ctx.json:
        ctx.out.json([p.to_json() for p in pairs])
        return 0
    columns = (
        Column("TAG A", shrink=True),
        Column("TAG B", shrink=True),
        Column("CONTACTS", ">"),
        Column("SHARE", ">"),
    )
    rows = [
        [p.a.name, p.b.name, f"{p.contacts:,}", "" if p.share is None else f"{p.share:.1%}"] for p in pairs
    ]
    ctx.out.table(
        columns, rows, footer=plural(len(pairs), "pair") if pairs else "no two tags share a contact"
    )
    return 0


def tag_contacts(ctx: Context) -> int:
    from tagtui.cli.contacts import print_contact_page
    from tagtui.query.filter import Tags

    store = ctx.store
    tag = store.get_tag(ctx.args.tag)
    page = store.list_contacts(Tags((tag.slug,)), limit=ctx.args.limit, offset=ctx.args.offset)
    print_contact_page(ctx, page)
    return 0
