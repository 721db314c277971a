"""The ``tagtui`` command: builds the parser, runs one command, and maps every error to an exit code.

This is the one place where errors become exit codes (SPEC §2): ValidationError 2,
NotFound 3, Conflict 4, a refused database or an unreadable/unwritable file 1, a
usage error 2. Nothing here imports textual (or the store) until a command needs it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tagtui import __version__
from tagtui.cli.common import Parser, UsageError, global_options
from tagtui.cli.context import Cancelled, Context
from tagtui.cli.output import Output
from tagtui.cli.registry import COMMANDS

#: Options before the command that take a value (so their value is not the command).
_TOP_VALUED = frozenset({"--db", "--workspace"})

DESCRIPTION = """\
Organise contacts with tags and statuses, in the terminal.

Run without a command to open the terminal UI. Every command takes --db,
--workspace, --yes and --dry-run, before or after the command's name."""

EPILOG = """\
examples:
  tagtui tags setup && tagtui statuses setup
  tagtui contacts add --name 'Jane Doe' --email jane@example.com
  tagtui contacts sync-tags --email jane@example.com --tags "VIP,Follow-up"
  tagtui contacts list --query 'tag:vip -status:lost'
  tagtui export --query tag:vip --output vip.csv

exit codes: 0 ok, 1 database or file problem, 2 invalid input or usage,
3 not found, 4 conflict (duplicate, or changed since read: reload and retry)"""


def build_parser(argv: Sequence[str] = (), *, every: bool = False) -> Parser:
    """The parser for ``argv``: the command it names in full, every other command as a stub.

    Building all ~40 subparsers costs more than the rest of a quick command; the stubs
    keep ``tagtui --help`` and "invalid choice" messages complete. ``every``: all of them
    in full (for ``tagtui completion``).
    """
    common = global_options()
    parser = Parser(
        prog="tagtui",
        description=DESCRIPTION,
        epilog=EPILOG,
        parents=[common],
        allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tagtui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the UI on demo data (filled in first if the workspace has no contacts)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    wanted = command_word(argv)
    full = COMMANDS[wanted][0] if wanted in COMMANDS else None
    registered: set[str] = set()
    for name, (module, text) in COMMANDS.items():
        if every and module not in registered:
            registered.add(module)
            _register(module, sub, common)
        elif not every and module != full:
            sub.add_parser(name, help=text, add_help=False)
        elif not every and name == wanted:
            _register(module, sub, common)
    return parser


def _register(module: str, sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the commands of ``tagtui.cli.<module>`` to ``sub``, in full."""
    import importlib

    importlib.import_module(f"tagtui.cli.{module}").register(sub, [common])


def command_word(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs (``tags`` in ``--db x tags list``), if any."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            return argv[i + 1] if i + 1 < len(argv) else None
        if token in _TOP_VALUED:
            i += 2
            continue
        if not token.startswith("-"):
            return token
        i += 1
    return None


@dataclass(frozen=True)
class OptionNames:
    """The ``--options`` of a command tree: all of them, and those that take a value."""

    all: frozenset[str]
    valued: frozenset[str]

    def is_option(self, token: str) -> bool:
        return token in self.all or token.split("=", 1)[0] in self.valued or token in ("-h", "-y")


def option_names(parser: argparse.ArgumentParser) -> OptionNames:
    every: set[str] = set()
    valued: set[str] = set()
    stack = [parser]
    while stack:
        current = stack.pop()
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
            elif action.option_strings:
                names = {o for o in action.option_strings if o.startswith("--")}
                every |= names
                if action.nargs != 0:
                    valued |= names
    return OptionNames(frozenset(every), frozenset(valued))


#: Options ``views save`` takes besides NAME and the query (with a value: glued form).
_VIEW_SAVE_FLAGS = frozenset({"--json", "--yes", "-y", "--dry-run", "-h", "--help"})
_VIEW_SAVE_VALUED = ("--db", "--workspace", "--query", "--sort")


def prepare_argv(argv: Sequence[str], options: OptionNames) -> list[str]:
    """Make arguments that start with ``-`` reach the options and positionals that take them.

    ``--query -tag:cold`` becomes ``--query=-tag:cold`` (and so for every option that
    takes a value, unless what follows is itself an option: ``--color --json`` is a
    missing color), and ``views save NAME QUERY…`` takes the rest of the line as its
    query, whatever it starts with.
    """
    out: list[str] = []
    words: list[str] = []  # command words seen so far ("views", "save")
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            out.extend(argv[i:])
            break
        if words == ["views", "save"]:
            out.extend(_view_save_rest(argv[i:]))
            break
        if token in options.valued and i + 1 < len(argv) and not options.is_option(argv[i + 1]):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        if not token.startswith("-") and len(words) < 2:
            words.append(token)
        out.append(token)
        i += 1
    return out


def _is_view_save_option(token: str) -> bool:
    return token in _VIEW_SAVE_FLAGS or token.split("=", 1)[0] in _VIEW_SAVE_VALUED


def _view_save_rest(rest: Sequence[str]) -> list[str]:
    options: list[str] = []
    positional: list[str] = []
    i = 0
    while i < len(rest):
        token = rest[i]
        if token == "--":
            positional.extend(rest[i + 1 :])
            break
        if token in _VIEW_SAVE_FLAGS or token.startswith(tuple(f"{o}=" for o in _VIEW_SAVE_VALUED)):
            options.append(token)
        elif token in _VIEW_SAVE_VALUED:
            if i + 1 == len(rest) or _is_view_save_option(rest[i + 1]):
                options.append(token)  # no value: argparse says so
            else:
                options.append(f"{token}={rest[i + 1]}")
                i += 1
        else:
            positional.append(token)
        i += 1
    if len(positional) > 2:
        positional = [positional[0], " ".join(positional[1:])]
    return [*options, "--", *positional] if positional else options


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tagtui`` with ``argv`` (default: the process's) and return the exit code."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    out = Output.for_process()
    ctx: Context | None = None
    try:
        parser = build_parser(args_in)
        args = parser.parse_args(prepare_argv(args_in, option_names(parser)))
        ctx = Context(args, out)
        handler = getattr(args, "handler", None)
        if handler is not None and ctx.dry_run:
            code = rehearse(ctx, handler)
        elif ctx.dry_run:
            raise UsageError("--dry-run needs a command that changes data (see 'tagtui --help')")
        else:
            code = open_ui(ctx) if handler is None else handler(ctx)
        out.flush()  # a reader that went away is seen here, not at interpreter exit
        return code
    except UsageError as exc:
        out.error(str(exc))
        return 2
    except Cancelled:
        out.note("Cancelled; nothing was changed.")
        return 1
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        out.error("interrupted")
        return 130
    except Exception as exc:
        return _report(exc, out, ctx.target if ctx is not None else None)
    finally:
        if ctx is not None:
            with contextlib.suppress(Exception):
                ctx.close()


DRY_RUN_NOTE = "Dry run — nothing was changed."


def rehearse(ctx: Context, handler: Callable[[Context], int]) -> int:
    """``--dry-run``: run the command as usual inside a store rehearsal, then roll it all back.

    The command prints its usual summary (the numbers are real: it saw its own changes);
    a note on stderr then says nothing was kept, and a JSON object gets ``"dry_run": true``.
    A dry run that fails says only why (one error line, as the command would), not that
    nothing changed. Commands that touch files look at ``ctx.dry_run`` themselves (export
    writes nothing).
    """
    ctx.out.dry_run = True
    store = ctx.store  # opened (and migrated, if need be) before the rehearsal begins
    with store.rehearsal():
        code = handler(ctx)
    if code == 0:
        ctx.out.note(DRY_RUN_NOTE)
    return code


def _report(exc: Exception, out: Output, target: str | None = None) -> int:
    from tagtui.store.db import scrub
    from tagtui.store.errors import TagtuiError

    if isinstance(exc, TagtuiError):
        out.error(scrub(str(exc), target) if target else str(exc))
        return exc.exit_code
    if os.environ.get("TAGTUI_DEBUG"):
        raise exc
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if target:
        detail = scrub(detail, target)
    out.error(
        f"unexpected {type(exc).__name__}{': ' + detail if detail else ''} (set TAGTUI_DEBUG=1 for details)"
    )
    return 1


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the exit-time flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def open_ui(ctx: Context) -> int:
    """``tagtui`` with no command: check the database, then open the UI on it.

    With ``--demo`` the UI fills an empty workspace with demo data itself, showing
    its progress, before the contacts appear.
    """
    ctx.store.settings()  # a refused or unreachable database fails here, with one line
    ctx.close()
    try:
        from tagtui.app import run
    except ImportError as exc:
        ctx.out.error(f"the terminal UI is not available in this installation ({exc})")
        return 1
    from tagtui.cli.progress import upgrade_progress

    return int(
        run(ctx.target, ctx.workspace, demo=bool(ctx.args.demo), upgrade_progress=upgrade_progress) or 0
    )


if __name__ == "__main__":
    raise SystemExit(main())
