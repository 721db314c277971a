"""``tagtui settings``, ``tagtui history`` and ``tagtui locate``: the workspace and where it lives."""

from __future__ import annotations

import argparse

from tagtui.cli.common import UsageError, add_json, command
from tagtui.cli.context import Context, data_dir
from tagtui.cli.output import Column, plural
from tagtui.cli.registry import help_for


def _max_tags(text: str) -> int | None:
    if text.strip().lower() in ("none", "unlimited", "off"):
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'none', not {text!r}") from None


def _on_off(text: str) -> bool:
    value = text.strip().lower()
    if value in ("on", "yes", "true", "1"):
        return True
    if value in ("off", "no", "false", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected on or off, not {text!r}")


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = command(
        sub,
        "settings",
        help=help_for("settings"),
        handler=settings,
        parents=parents,
        epilog="examples:\n  tagtui settings\n  tagtui settings --max-tags-per-contact 5\n"
        "  tagtui settings --max-tags-per-contact none --bulk-limit 1000\n"
        "  tagtui settings --phone-region US --email-folding on",
    )
    p.add_argument(
        "--max-tags-per-contact",
        type=_max_tags,
        metavar="N|none",
        default=argparse.SUPPRESS,
        help="at most N tags on one contact (1–1000), or none for no limit",
    )
    p.add_argument(
        "--bulk-limit",
        type=int,
        metavar="N",
        default=argparse.SUPPRESS,
        help="at most N contacts per assign/unassign call (1–10000)",
    )
    p.add_argument(
        "--phone-region",
        metavar="CC|none",
        default=argparse.SUPPRESS,
        help="country of phone numbers written without + (US, GB, DE …), for finding duplicates",
    )
    p.add_argument(
        "--email-folding",
        type=_on_off,
        metavar="on|off",
        default=argparse.SUPPRESS,
        help="compare emails without +tags and Gmail's dots when finding duplicates (default off)",
    )
    add_json(p, "the settings")

    p = command(
        sub,
        "history",
        help=help_for("history"),
        handler=history,
        parents=parents,
        epilog="examples:\n  tagtui history\n  tagtui history ada@example.org\n"
        "  tagtui history --tag VIP --limit 20 --json",
    )
    p.add_argument(
        "contact_ref", nargs="?", metavar="CONTACT", help="only changes to this contact (id or email)"
    )
    about = p.add_mutually_exclusive_group()
    about.add_argument("--contact", metavar="CONTACT", help="the same as CONTACT")
    about.add_argument("--tag", metavar="TAG", help="only changes to this tag")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N events (default 50)")
    add_json(p, "an array of events")

    p = command(
        sub,
        "locate",
        help=help_for("locate"),
        handler=locate,
        parents=parents,
    )
    add_json(p, "{database, source, data_dir, workspace}")


def settings(ctx: Context) -> int:
    a = ctx.args
    names = ("max_tags_per_contact", "bulk_limit", "phone_region", "email_folding")
    changes = {k: getattr(a, k) for k in names if hasattr(a, k)}
    store = ctx.store
    current = store.update_settings(**changes) if changes else store.settings()
    if ctx.json:
        ctx.out.json(current.to_json())
    else:
        limit = current.max_tags_per_contact
        ctx.out.fields(
            [
                ("workspace", current.workspace),
                ("max_tags_per_contact", "none (no limit)" if limit is None else limit),
                ("bulk_limit", current.bulk_limit),
                ("phone_region", current.phone_region or "none (only numbers written with +country)"),
                ("email_folding", "on" if current.email_folding else "off"),
            ]
        )
    return 0


def history(ctx: Context) -> int:
    a = ctx.args
    if a.contact_ref is not None and (a.contact is not None or a.tag is not None):
        raise UsageError("history: name one contact (CONTACT or --contact) or --tag, not both")
    contact = a.contact_ref if a.contact_ref is not None else a.contact
    events = ctx.store.history(contact=contact, tag=a.tag, limit=a.limit)
    if ctx.json:
        ctx.out.json([e.to_json() for e in events])
        return 0
    lines = ctx.store.history_lines(contact=contact, tag=a.tag, limit=a.limit)
    rows = [[_when(line.at), line.actor or "—", line.marked_what, line.about] for line in lines]
    ctx.out.table(
        [
            Column("WHEN"),
            Column("WHO", shrink=True),
            Column("WHAT", shrink=True),
            Column("ABOUT", shrink=True),
        ],
        rows,
        footer=plural(len(lines), "event"),
    )
    return 0


def _when(at: str) -> str:
    """A stored UTC time as local ``YYYY-MM-DD HH:MM``."""
    from datetime import UTC, datetime

    try:
        moment = datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).astimezone()
    except ValueError:
        return at[:16]
    return moment.strftime("%Y-%m-%d %H:%M")


def locate(ctx: Context) -> int:
    from tagtui.store.db import redact_url

    info = {
        "database": redact_url(ctx.target),
        "source": ctx.target_source,
        "data_dir": data_dir(),
        "workspace": ctx.workspace,
    }
    if ctx.json:
        ctx.out.json(info)
    else:
        ctx.out.fields(
            [
                ("database", f"{info['database']}  (from {info['source']})"),
                ("data folder", info["data_dir"]),
                ("workspace", info["workspace"]),
            ]
        )
    return 0
