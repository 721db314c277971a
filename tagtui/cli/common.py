"""Pieces the command modules share: option helpers, name lists, queries, colors."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from tagtui.cli.context import Context

if TYPE_CHECKING:
    from tagtui.query.filter import Filter
    from tagtui.store.types import SetupItem

Handler = Callable[[Context], int]


class UsageError(Exception):
    """A command line that does not parse: unknown option, missing argument, bad number."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line and exit code 2, via UsageError."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def global_options() -> argparse.ArgumentParser:
    """``--db``, ``--workspace``, ``--yes`` and ``--dry-run``, accepted before and after any subcommand.

    Their default is SUPPRESS so that a value given before the subcommand is not
    overwritten by the subcommand's own (absent) one.
    """
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=argparse.SUPPRESS,
        help="database file or URL (default: $TAGTUI_DB, else tagtui.db in the user data folder)",
    )
    parent.add_argument(
        "--workspace",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="workspace to work in (default: $TAGTUI_WORKSPACE, else 'default'; created on first use)",
    )
    parent.add_argument(
        "--yes",
        "-y",
        action="store_true",
        default=argparse.SUPPRESS,
        help="do not ask for confirmation (never asked when stdin is not a terminal)",
    )
    parent.add_argument(
        "--dry-run",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show what a command would change and change nothing (read-only commands ignore it)",
    )
    return parent


def command(
    sub: argparse._SubParsersAction,
    name: str,
    *,
    help: str,
    handler: Handler | None = None,
    description: str | None = None,
    epilog: str | None = None,
    parents: list[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """A subcommand parser that takes the global options and runs ``handler``."""
    parser = sub.add_parser(
        name,
        help=help,
        description=description or help[:1].upper() + help[1:] + ".",
        epilog=epilog,
        parents=parents,
        allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def group(
    sub: argparse._SubParsersAction, name: str, *, help: str, parents: list[argparse.ArgumentParser]
) -> argparse._SubParsersAction:
    """A command with actions of its own (``tags list``, ``tags create`` …)."""
    parser = command(sub, name, help=help, parents=parents)
    return parser.add_subparsers(dest="action", metavar="ACTION", required=True, title="actions")


def add_json(parser: argparse.ArgumentParser, what: str = "the result") -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")


def add_paging(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit", type=int, default=100, metavar="N", help="at most N rows (1–1000, default 100)"
    )
    parser.add_argument(
        "--offset", type=int, default=0, metavar="N", help="skip the first N rows (default 0)"
    )


def split_names(text: str | None) -> list[str]:
    """``"VIP, Follow-up,,"`` -> ``["VIP", "Follow-up"]``; ``""`` -> ``[]``."""
    if not text:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_query(text: str | None) -> Filter:
    """The filter a query means (empty: everything). Malformed: ValidationError with a position."""
    from tagtui.query.filter import EVERYTHING

    if text is None or not text.strip():
        return EVERYTHING
    from tagtui.query.parse import parse

    return parse(text)


def show_color(hex_code: str) -> str:
    """``#a855f7 purple`` for a palette color, the hex code alone otherwise."""
    from tagtui.store.validation import color_name

    name = color_name(hex_code)
    return f"{hex_code} {name}" if name else hex_code


def quoted(text: str | None) -> str:
    """A database string in quotes, for a sentence (``Output.say`` makes it printable)."""
    return f"'{text or ''}'"


def report_setup(ctx: Context, items: list[SetupItem]) -> int:
    """Print what a preset created and what already existed (``tags setup``, ``statuses setup``)."""
    if ctx.json:
        ctx.out.json([item.to_json() for item in items])
    else:
        for item in items:
            ctx.out.say(f"{'Created' if item.created else 'Exists'}: {item.name}")
    return 0


def report(ctx: Context, document: object, sentence: str) -> int:
    """Print a command's result: ``document`` as JSON with ``--json``, else ``sentence``; exit 0."""
    if ctx.json:
        ctx.out.json(document)
    else:
        ctx.out.say(sentence)
    return 0


def changes_given(args: argparse.Namespace, *options: str) -> dict[str, object]:
    """The ``update`` options the user gave (``--name``, ``--color`` …), by field name."""
    return {name: getattr(args, name) for name in options if getattr(args, name) is not None}


def delete_named(ctx: Context, kind: str, get: Callable[[str], Any], delete: Callable[[str], object]) -> int:
    """``rules delete NAME`` / ``views delete NAME``: confirm, delete, report ``{name}``."""
    item = get(ctx.args.name)
    ctx.confirm(f"Delete {kind} {quoted(item.name)}?")
    delete(item.name)
    return report(ctx, {"name": item.name}, f"Deleted {kind} {quoted(item.name)}")


def updated(kind: str, item: Any) -> str:
    """The sentence after ``tags update`` / ``statuses update``."""
    return f"Updated {kind} {quoted(item.name)} (id {item.id}, now at rev {item.rev})"
