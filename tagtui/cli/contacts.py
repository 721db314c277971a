"""``tagtui contacts …``: list by query, add, update, show, delete; their tags and status."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from tagtui.cli.common import (
    UsageError,
    add_json,
    add_paging,
    command,
    group,
    parse_query,
    quoted,
    split_names,
)
from tagtui.cli.context import Context
from tagtui.cli.output import Column, page_footer, plural
from tagtui.cli.progress import working
from tagtui.cli.registry import help_for
from tagtui.store.sorting import parse_sort

if TYPE_CHECKING:
    from tagtui.store import Contact, Page, TagChange

#: Options of ``add`` / ``update``: (option, store field, help).
FIELD_OPTIONS = (
    ("--email", "email", "email address (unique in the workspace, any case)"),
    ("--company", "company", "company"),
    ("--phone", "phone", "phone number"),
    ("--assignee", "assignee", "who owns the contact"),
    ("--followers", "followers", "follower count, a whole number ≥ 0"),
    ("--notes", "notes", "free notes (at most 10,000 characters)"),
)

QUERY_HELP = (
    "a query such as 'tag:vip -status:won acme' (see SPEC §3); it may start with '-': --query -tag:cold"
)


SORT_HELP = (
    "FIELD or FIELD:desc: name, email, company, status (pipeline order), tags (their names),"
    " assignee or followers"
)


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    contacts = group(sub, "contacts", help=help_for("contacts"), parents=parents)

    p = command(
        contacts,
        "list",
        help="list the contacts a query selects",
        handler=list_contacts,
        parents=parents,
        epilog="examples:\n  tagtui contacts list --query 'tag:vip status:qualified,won'\n"
        "  tagtui contacts list --query -tag:cold --limit 20\n  tagtui contacts list --view hot\n"
        "  tagtui contacts list --sort followers:desc --limit 10",
    )
    p.add_argument("--query", metavar="Q", help=QUERY_HELP)
    p.add_argument("--view", metavar="NAME", help="start from a saved view (and its sort)")
    p.add_argument("--sort", metavar="FIELD[:desc]", help=SORT_HELP + " (default: the view's, else name)")
    add_paging(p)
    add_json(p, "an array of contacts")

    p = command(
        contacts,
        "explain",
        help="how many contacts each clause of a query matches, alone and combined so far",
        handler=explain_query,
        parents=parents,
        epilog="example:\n  tagtui contacts explain --query 'tag:vip -tag:cold status:qualified'\n\n"
        "A clause is one term of the query's top-level AND; an 'or' at the top level or a\n"
        "parenthesised group is one clause. RUNNING is the count of the clauses so far\n"
        "combined, so the first clause where it reaches 0 is the one that empties the list.",
    )
    p.add_argument("--query", metavar="Q", required=True, help=QUERY_HELP)
    add_json(p, "{clauses: [{clause, matches, running}], total}")

    p = command(contacts, "add", help="add a contact", handler=add_contact, parents=parents)
    p.add_argument("--name", required=True, metavar="N", help="the contact's name")
    for option, _, text in FIELD_OPTIONS:
        p.add_argument(option, metavar=option[2:].upper(), help=text)
    p.add_argument("--status", metavar="STATUS", help="an existing status")
    p.add_argument("--tags", metavar="T,…", help="existing tags, separated by commas")
    add_json(p, "the new contact")

    p = command(
        contacts,
        "update",
        help="change a contact's fields ('' clears one)",
        handler=update_contact,
        parents=parents,
    )
    p.add_argument("contact", metavar="CONTACT", help="contact id or email")
    p.add_argument("--name", metavar="N", help="new name")
    for option, _, text in FIELD_OPTIONS:
        p.add_argument(option, metavar=option[2:].upper(), help=text)
    p.add_argument("--rev", type=int, metavar="N", help="only if the contact is still at revision N")
    add_json(p, "the updated contact")

    p = command(contacts, "show", help="show one contact", handler=show_contact, parents=parents)
    p.add_argument("contact", metavar="CONTACT", help="contact id or email")
    add_json(p, "the contact")

    p = command(
        contacts,
        "delete",
        help="delete contacts (all of them, or none if one is unknown)",
        handler=delete_contacts,
        parents=parents,
    )
    p.add_argument("contacts", metavar="CONTACT", nargs="+", help="contact id or email")
    add_json(p, "{deleted}")

    p = command(
        contacts,
        "tag",
        help="add and remove existing tags on one contact",
        handler=tag_contact,
        parents=parents,
        epilog="example:\n  tagtui contacts tag jane@example.com --add VIP,Partner --remove 'Cold Lead'",
    )
    p.add_argument("contact", metavar="CONTACT", help="contact id or email")
    p.add_argument("--add", metavar="T,…", help="tags to add, separated by commas")
    p.add_argument("--remove", metavar="T,…", help="tags to remove, separated by commas")
    add_json(p, "{contact_id, tags, added, removed}")

    p = command(
        contacts,
        "sync-tags",
        help="make a list of tag names a contact's whole tag set (missing tags are created)",
        handler=sync_tags,
        parents=parents,
        epilog='examples:\n  tagtui contacts sync-tags --email jane@example.com --tags "VIP,Follow-up"\n'
        '  tagtui contacts sync-tags --id 42 --tags ""      (clears every tag)',
    )
    p.add_argument("--id", metavar="ID", help="the contact's id (wins over --email)")
    p.add_argument("--email", metavar="E", help="the contact's email (any case)")
    p.add_argument("--tags", required=True, metavar='"A,B"', help="tag names, separated by commas")
    add_json(p, "{contact_id, tags, added, removed}")

    p = command(
        contacts,
        "merge",
        help="merge contacts into one (kept: KEEP; nothing is lost; one undo step)",
        handler=merge_contacts,
        parents=parents,
        epilog="examples:\n  tagtui contacts merge 12 40 41\n"
        "  tagtui contacts merge 12 40 --dry-run --json\n\n"
        "KEEP's set fields stay; its blank fields are filled from the others in the order given;\n"
        "tags are the union; the status furthest along the pipeline wins; notes are joined; any\n"
        "other value that differs is kept in the notes as a line such as 'Also email: x@y'.\n"
        "The others are deleted. 'tagtui undo' puts every contact back as it was.",
    )
    p.add_argument("keep", metavar="KEEP", help="the contact to keep (id or email)")
    p.add_argument("others", metavar="OTHER", nargs="+", help="contacts to merge into it (id or email)")
    add_json(p, "{contact, merged, kept_in_notes}")

    p = command(
        contacts, "status", help="set or clear a contact's status", handler=set_status, parents=parents
    )
    p.add_argument("contact", metavar="CONTACT", help="contact id or email")
    p.add_argument("status", metavar="STATUS", nargs="?", help="status id, name or slug")
    p.add_argument("--clear", action="store_true", help="remove the contact's status")
    add_json(p, "the contact")


CONTACT_COLUMNS = (
    Column("ID", ">"),
    Column("NAME", shrink=True),
    Column("EMAIL", shrink=True),
    Column("COMPANY", shrink=True),
    Column("ASSIGNEE", shrink=True),
    Column("STATUS", shrink=True),
    Column("TAGS", shrink=True),
)


def print_contact_page(ctx: Context, page: Page) -> None:
    """A page of contacts as the listing commands print it (``contacts list``, ``tags contacts``)."""
    if ctx.json:
        ctx.out.json([row.to_json() for row in page.rows])
        return
    rows = [
        [r.id, r.name, r.email, r.company, r.assignee, r.status, ", ".join(t.name for t in r.tags)]
        for r in page.rows
    ]
    total = page.total if page.total >= 0 else None
    ctx.out.table(CONTACT_COLUMNS, rows, footer=page_footer(len(rows), total, page.offset, "contact"))


def list_contacts(ctx: Context) -> int:
    from tagtui.query.filter import all_of

    a = ctx.args
    store = ctx.store
    query = parse_query(a.query)
    sort = parse_sort(a.sort)
    if a.view is not None:
        query = all_of(store.view_filter(a.view), query)
        if a.sort is None:
            sort = parse_sort(store.get_view(a.view).sort)
    print_contact_page(ctx, store.list_contacts(query, limit=a.limit, offset=a.offset, sort=sort))
    return 0


def explain_query(ctx: Context) -> int:
    parse_query(ctx.args.query)  # a malformed query fails here, with its position
    explained = ctx.store.explain(ctx.args.query)
    if ctx.json:
        ctx.out.json(explained.to_json())
        return 0
    columns = (
        Column("#", ">"),
        Column("CLAUSE", shrink=True),
        Column("MATCHES", ">"),
        Column("RUNNING", ">"),
    )
    rows = [
        [i, c.clause, f"{c.matches:,}", f"{c.running:,}"] for i, c in enumerate(explained.clauses, start=1)
    ]
    footer = f"total: {plural(explained.total, 'contact')}"
    emptied = explained.emptied_by
    if emptied is not None:
        footer += f" — clause {emptied + 1} ({explained.clauses[emptied].clause}) empties the list"
    ctx.out.table(columns, rows)
    ctx.out.say(footer)  # the clause is the user's text: printed with controls made visible
    skipped = len(explained.not_explained)
    if skipped:
        first = len(explained.clauses) + 1
        ctx.out.say(
            f"clauses {first}–{first + skipped - 1} not explained (explain looks at the first"
            f" {len(explained.clauses)}; the total counts them all)"
        )
    return 0


def _given_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields = {field: getattr(args, field) for _, field, _ in FIELD_OPTIONS}
    return {k: v for k, v in fields.items() if v is not None}


def add_contact(ctx: Context) -> int:
    a = ctx.args
    extra: dict[str, Any] = {}
    if a.status is not None:
        extra["status"] = a.status
    if a.tags is not None:
        extra["tags"] = split_names(a.tags)
    contact = ctx.store.add_contact(a.name, **_given_fields(a), **extra)
    if ctx.json:
        ctx.out.json(contact.to_json())
    else:
        ctx.out.say(f"Added contact {quoted(contact.name)} (id {contact.id})")
    return 0


def update_contact(ctx: Context) -> int:
    a = ctx.args
    fields = _given_fields(a)
    if a.name is not None:
        fields["name"] = a.name
    if not fields:
        raise UsageError(
            "nothing to change: give --name, --email, --company, --phone, --assignee, --followers or --notes"
        )
    contact = ctx.store.update_contact(a.contact, rev=a.rev, **fields)
    if ctx.json:
        ctx.out.json(contact.to_json())
    else:
        ctx.out.say(f"Updated contact {quoted(contact.name)} (id {contact.id}, now at rev {contact.rev})")
    return 0


def show_contact(ctx: Context) -> int:
    contact = ctx.store.get_contact(ctx.args.contact)
    if ctx.json:
        ctx.out.json(contact.to_json())
        return 0
    _print_contact(ctx, contact)
    return 0


def _print_contact(ctx: Context, c: Contact) -> None:
    ctx.out.fields(
        [
            ("id", c.id),
            ("name", c.name),
            ("email", c.email),
            ("company", c.company),
            ("phone", c.phone),
            ("assignee", c.assignee),
            ("followers", c.followers),
            ("status", c.status),
            ("tags", ", ".join(t.name for t in c.tags)),
            ("notes", c.notes),
            ("created", c.created_at),
            ("updated", c.updated_at),
            ("rev", c.rev),
        ]
    )


def delete_contacts(ctx: Context) -> int:
    refs = ctx.args.contacts
    if len(refs) == 1:
        contact = ctx.store.get_contact(refs[0])
        question = f"Delete contact {quoted(contact.name)} (id {contact.id})?"
    else:
        question = f"Delete {plural(len(refs), 'contact')}?"
    ctx.confirm(question)
    with working("contacts delete"):
        deleted = ctx.store.delete_contacts(refs)
    if ctx.json:
        ctx.out.json({"deleted": deleted})
    else:
        ctx.out.say(f"Deleted {plural(deleted, 'contact')}")
    return 0


def _print_change(ctx: Context, change: TagChange) -> None:
    if ctx.json:
        ctx.out.json(change.to_json())
        return
    names = {t.id: t.name for t in change.tags}
    added = [names.get(i, str(i)) for i in change.added]
    current = ", ".join(t.name for t in change.tags) or "(none)"
    parts = []
    if added:
        parts.append("added " + ", ".join(added))
    if change.removed:
        parts.append(f"removed {plural(len(change.removed), 'tag')}")
    ctx.out.say(
        f"Contact {change.contact_id} tags: {current}"
        + (f" ({'; '.join(parts)})" if parts else " (no change)")
    )


def tag_contact(ctx: Context) -> int:
    a = ctx.args
    if a.add is None and a.remove is None:
        raise UsageError("give --add T,… and/or --remove T,…")
    change = ctx.store.change_tags(a.contact, add=split_names(a.add), remove=split_names(a.remove))
    _print_change(ctx, change)
    return 0


def sync_tags(ctx: Context) -> int:
    a = ctx.args
    if a.id is None and a.email is None:
        raise UsageError("name the contact with --id ID or --email E")
    change = ctx.store.sync_tags(contact_id=a.id, email=a.email, names=split_names(a.tags))
    _print_change(ctx, change)
    return 0


def set_status(ctx: Context) -> int:
    a = ctx.args
    if a.clear == (a.status is not None):
        raise UsageError("give either a STATUS or --clear")
    contact = ctx.store.set_status(a.contact, None if a.clear else a.status)
    if ctx.json:
        ctx.out.json(contact.to_json())
    else:
        now = quoted(contact.status) if contact.status else "no status"
        ctx.out.say(f"Contact {quoted(contact.name)} (id {contact.id}) now has {now}")
    return 0


def merge_contacts(ctx: Context) -> int:
    a = ctx.args
    keep = ctx.store.get_contact(a.keep)
    ctx.confirm(f"Merge {plural(len(a.others), 'contact')} into {quoted(keep.name)} (id {keep.id})?")
    result = ctx.store.merge_contacts(a.keep, a.others)
    if ctx.json:
        ctx.out.json(result.to_json())
        return 0
    c = result.contact
    ctx.out.say(
        f"Merged {plural(len(result.merged), 'contact')} ({', '.join(map(str, result.merged))})"
        f" into {quoted(c.name)} (id {c.id})"
    )
    for line in result.kept_in_notes:
        ctx.out.say(f"  kept in notes: {line}")
    return 0
