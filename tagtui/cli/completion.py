"""``tagtui completion bash|zsh|fish``: a shell completion script, generated from the parser by shtab.

Subcommands and options come from the argparse parser itself (every command built in
full); a TAG or STATUS argument and a saved view's name complete from the database
through a hidden ``tagtui completion --names KIND``, which the script runs as you press tab.
shtab is imported here only, so no other command pays for it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator

from tagtui.cli.common import UsageError, command
from tagtui.cli.context import Context
from tagtui.cli.registry import help_for

SHELLS = ("bash", "zsh", "fish")
NAME_KINDS = ("tags", "statuses", "views")
#: Arguments that name a tag, a status or a view: by metavar, or by (command words, dest).
_BY_METAVAR = {"TAG": "tags", "STATUS": "statuses", "FILE": "files", "PATH_OR_URL": "files"}
_BY_PLACE = {(("views", "delete"), "name"): "views", (("contacts", "list"), "view"): "views"}
#: Where a view's name, a tag's or a status's slug may not go: a completion word has no spaces.
_NAMES_PER_PAGE = 1000

EPILOG = """\
install (see the README):
  bash:  tagtui completion bash > ~/.local/share/bash-completion/completions/tagtui
  zsh:   tagtui completion zsh > "${fpath[1]}/_tagtui"    (a folder on $fpath)
  fish:  tagtui completion fish > ~/.config/fish/completions/tagtui.fish

TAG and STATUS arguments complete to the slugs of the database that --db, $TAGTUI_DB or
the default names when you press tab."""


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = command(
        sub, "completion", help=help_for("completion"), handler=completion, parents=parents, epilog=EPILOG
    )
    p.add_argument("shell", nargs="?", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    # What the script runs to complete names (one a line); not for people.
    p.add_argument("--names", choices=NAME_KINDS, help=argparse.SUPPRESS)


def completion(ctx: Context) -> int:
    a = ctx.args
    if a.names:
        for name in _names(ctx, a.names):
            ctx.out.line(name)
        return 0
    if a.shell is None:
        raise UsageError("name the shell: tagtui completion bash|zsh|fish (see 'tagtui completion --help')")
    ctx.out.line(script(a.shell).rstrip("\n"))
    return 0


def script(shell: str) -> str:
    """The completion script for ``shell``, from the parser with every command in full."""
    import shtab

    from tagtui.cli.main import build_parser

    parser = build_parser(every=True)
    for action, kind in _name_arguments(parser):
        if kind == "files":
            action.complete = shtab.FILE  # type: ignore[attr-defined]
        else:
            action.complete = shtab.cmd(f"tagtui completion --names {kind} 2>/dev/null")  # type: ignore[attr-defined]
    return shtab.complete(parser, shell=shell)


def _name_arguments(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> Iterator[tuple[argparse.Action, str]]:
    """Each argument of the command tree that names a tag, a status, a view or a file, with which."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for word, child in action.choices.items():
                yield from _name_arguments(child, (*words, word))
            continue
        kind = _BY_PLACE.get((words, action.dest)) or _BY_METAVAR.get(str(action.metavar))
        if kind:
            yield action, kind


def _names(ctx: Context, kind: str) -> list[str]:
    """The slugs (tags, statuses) or names (views) to complete; none if there is no database yet.

    A database file that does not exist is not made by pressing tab; any error is no names.
    """
    target = ctx.target
    if "://" not in target and not os.path.exists(os.path.expanduser(target)):
        return []
    try:
        store = ctx.store
        if kind == "tags":
            names: list[str] = []
            while True:
                page = store.list_tags(limit=_NAMES_PER_PAGE, offset=len(names))
                names += [t.slug for t in page]
                if len(page) < _NAMES_PER_PAGE:
                    return names
        if kind == "statuses":
            return [s.slug for s in store.list_statuses(counts=False)]
        return [v.name for v in store.list_views() if not any(ch.isspace() for ch in v.name)]
    except Exception:  # pressing tab must never print an error into the command line
        return []
