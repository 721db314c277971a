"""``tagtui sync``: two-way sync with CardDAV address books and vdir folders (issue 13)."""

from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING

from tagtui.cli.common import UsageError, add_json, command
from tagtui.cli.context import Context
from tagtui.cli.output import Column, plural
from tagtui.cli.progress import Phases, wants_progress
from tagtui.cli.registry import help_for
from tagtui.store.sync import sync_time

if TYPE_CHECKING:
    from tagtui.sync.engine import SyncReport

USAGE = """\
tagtui sync add NAME URL [--user U] [--password-env VAR | --password-command CMD] [--no-check]
       tagtui sync list [--json]
       tagtui sync [NAME] [--json] [--dry-run] [--prefer local|remote] [--force]
       tagtui sync remove NAME"""

EPILOG = """\
examples:
  tagtui sync add phone https://dav.example.com/dav/addressbooks/me/contacts/ \\
      --user me --password-env DAV_PASSWORD
  tagtui sync add khard ~/.local/share/contacts/default     (a vdir: one .vcf per card)
  tagtui sync                     (every address book)
  tagtui sync phone --dry-run --json
  tagtui sync remove phone        (forgets the link; deletes no contact anywhere)

URL is a CardDAV address book, or a server or principal URL (its address book is found;
several found are listed), or a folder path. 'sync add' contacts it first (the password is
tried) and saves the book it found; --no-check saves it as given (offline setup).
The password comes from the variable or the command named (never stored, never printed),
else from ~/.netrc by the URL's host.
Fields both sides changed differently take --prefer (default remote); the other value is
kept in the contact's history. A sync that would delete more than half of either side (and
more than 10 contacts) stops with exit 4 unless --force. A sync is one undo step here."""

ACTIONS = ("add", "list", "remove")


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = command(sub, "sync", help=help_for("sync"), handler=run, parents=parents, epilog=EPILOG)
    p.usage = USAGE
    p.add_argument(
        "words", nargs="*", metavar="NAME", help="an address book to sync (default: all), or add/list/remove"
    )
    p.add_argument("--user", metavar="U", help="add: the user name on the server")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument(
        "--password-env", metavar="VAR", help="add: the environment variable holding the password"
    )
    secret.add_argument(
        "--password-command",
        metavar="CMD",
        help="add: a command that prints the password (e.g. 'pass show dav')",
    )
    p.add_argument(
        "--no-check",
        action="store_true",
        help="add: save the address book without contacting it (offline setup)",
    )
    p.add_argument(
        "--prefer",
        choices=("local", "remote"),
        default=None,
        help="a field both sides changed differently takes this side's value (default remote)",
    )
    p.add_argument("--force", action="store_true", help="sync even if it deletes more than half of a side")
    add_json(p, "what the sync did: {name, pulled, pushed, conflicts} (a list when several)")


def run(ctx: Context) -> int:
    a = ctx.args
    words = list(a.words)
    action = words[0] if words and words[0] in ACTIONS else None
    syncing_options = [o for o, given in (("--prefer", a.prefer is not None), ("--force", a.force)) if given]
    adding_options = [
        o
        for o, given in (
            ("--user", a.user is not None),
            ("--password-env", a.password_env is not None),
            ("--password-command", a.password_command is not None),
            ("--no-check", a.no_check),
        )
        if given
    ]
    if action != "add" and adding_options:
        raise UsageError(f"{adding_options[0]} goes with 'tagtui sync add' (see 'tagtui sync --help')")
    if action is not None and syncing_options:
        raise UsageError(
            f"{syncing_options[0]} goes with a sync, not 'sync {action}' (see 'tagtui sync --help')"
        )
    expected = {"add": 3, "list": 1, "remove": 2}.get(action or "")
    if expected is not None and len(words) != expected:
        shapes = {"add": "sync add NAME URL", "list": "sync list", "remove": "sync remove NAME"}
        raise UsageError(f"usage: tagtui {shapes[action or '']} (see 'tagtui sync --help')")
    if action is None and len(words) > 1:
        raise UsageError("sync one address book at a time, or all of them (see 'tagtui sync --help')")
    if action == "add":
        return add(ctx, words[1], words[2])
    if action == "list":
        return listing(ctx)
    if action == "remove":
        return remove(ctx, words[1])
    return sync_now(ctx, words[0] if words else None)


def add(ctx: Context, name: str, url: str) -> int:
    from tagtui.sync.engine import add_source

    a = ctx.args
    added = add_source(
        ctx.store,
        name,
        url,
        username=a.user,
        password_env=a.password_env,
        password_command=a.password_command,
        check=not a.no_check,
    )
    source = added.source
    if ctx.json:
        ctx.out.json(source.to_json())
    else:
        ctx.out.say(f"Added address book {source.name}: {source.url} ({added.found})")
        ctx.out.say(f"Sync it with: tagtui sync {source.name}")
    return 0


def listing(ctx: Context) -> int:
    sources = ctx.store.sync_sources()
    if ctx.json:
        ctx.out.json([s.to_json() for s in sources])
        return 0
    rows = [[s.name, s.url, sync_time(s.last_sync), s.contacts] for s in sources]
    columns = (Column("NAME"), Column("URL", shrink=True), Column("LAST SYNC"), Column("CONTACTS", ">"))
    ctx.out.table(columns, rows, footer=plural(len(sources), "address book"))
    return 0


def remove(ctx: Context, name: str) -> int:
    source = ctx.store.get_sync_source(name)
    linked = ctx.store.remove_sync_source(name)
    if ctx.json:
        ctx.out.json({"name": source.name, "contacts": linked})
    else:
        ctx.out.say(
            f"Forgot address book {source.name} ({plural(linked, 'linked contact')}); no contact was deleted"
        )
    return 0


def sync_now(ctx: Context, name: str | None) -> int:
    from tagtui.store.errors import NotFound, TagtuiError
    from tagtui.sync.engine import PULL, PUSH, SAVE, sync

    if name is None:
        names = [s.name for s in ctx.store.sync_sources()]
        if not names:
            raise NotFound(
                "no address book to sync with; add one with 'tagtui sync add NAME URL'", field="name"
            )
    else:
        names = [ctx.store.get_sync_source(name).name]
    a, store = ctx.args, ctx.store
    prefer = a.prefer or "remote"
    reports = []
    failure: TagtuiError | None = None
    words = {PULL: "fetching", SAVE: "saving", PUSH: "sending"}  # each phase on the progress line
    for n in names:  # one address book that fails (a dead server, the guard) does not stop the others
        shown = Phases(f"sync {n}", "cards", words) if wants_progress() else contextlib.nullcontext()
        try:
            with shown as progress:
                report = sync(store, n, prefer=prefer, force=a.force, dry_run=ctx.dry_run, progress=progress)
            reports.append(report)
        except TagtuiError as exc:
            if name is not None or len(names) == 1:
                raise
            failure = failure or exc
    if ctx.json:
        documents = [r.to_json() for r in reports]
        ctx.out.json(documents if failure is not None or len(names) > 1 else documents[0])
    else:
        for report in reports:
            _say(ctx, report)
    if failure is not None:
        raise failure  # after what the others did was printed
    return 0


def _say(ctx: Context, report: SyncReport) -> None:
    def counts(side: dict[str, int]) -> str:
        return f"{side['created']:,} new, {side['updated']:,} updated, {side['deleted']:,} deleted"

    verb = "would pull" if report.dry_run else "pulled"
    pushed = "would push" if report.dry_run else "pushed"
    line = f"{report.name}: {verb} {counts(report.pulled)}; {pushed} {counts(report.pushed)}"
    if report.conflicts:
        line += f"; {plural(len(report.conflicts), 'conflict')}"
    ctx.out.say(line)
    for c in report.conflicts:
        kept, other = (c.local, c.remote) if c.kept == "local" else (c.remote, c.local)
        who = f"{c.name} ({c.contact_id})" if c.contact_id is not None else c.name
        lost = "remote" if c.kept == "local" else "local"
        ctx.out.say(f"  conflict: {who} {c.field}: kept {c.kept} {_shown(kept)}; {lost} was {_shown(other)}")
    if report.deferred:
        ctx.out.say(
            f"  {plural(report.deferred, 'card')} changed on the server meanwhile: merged on the next sync"
        )


def _shown(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:39] + "…")
