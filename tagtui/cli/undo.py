"""``tagtui undo`` and ``tagtui redo``: take back the last change, or do it again, as one step."""

from __future__ import annotations

import argparse

from tagtui.cli.common import add_json, command
from tagtui.cli.context import Context
from tagtui.cli.progress import working
from tagtui.cli.registry import help_for
from tagtui.store.types import UndoResult


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    for name, handler in (("undo", undo), ("redo", redo)):
        p = command(
            sub,
            name,
            help=help_for(name),
            handler=handler,
            parents=parents,
            epilog=f"examples:\n  tagtui {name}\n  tagtui {name} --any --json\n\n"
            "Takes this actor's newest step (TAGTUI_ACTOR, else user@host); --any the workspace's.\n"
            "Settings and saved views are outside undo. `tagtui history` lists the changes.",
        )
        p.add_argument(
            "--any",
            action="store_true",
            help=f"{name} the workspace's newest step, whoever made it (default: this actor's)",
        )
        add_json(p, "{action, step_id, kind, summary, counts}")


def undo(ctx: Context) -> int:
    with working("undo"):  # a step may be an import or a bulk change of a million contacts
        result = ctx.store.undo(by="any" if ctx.args.any else "actor")
    return _report(ctx, result)


def redo(ctx: Context) -> int:
    with working("redo"):
        result = ctx.store.redo(by="any" if ctx.args.any else "actor")
    return _report(ctx, result)


def _report(ctx: Context, result: UndoResult) -> int:
    if ctx.json:
        ctx.out.json(result.to_json())
        return 0
    verb = "Undid" if result.action == "undo" else "Redid"
    ctx.out.say(f"{verb}: {result.summary or result.kind}")
    details = describe_counts(result.counts)
    if details:
        ctx.out.say(f"  {details}")
    return 0


def describe_counts(counts: dict[str, int]) -> str:
    """``3 tag assignments removed, 1 tag restored``: the non-zero counts in words."""
    words = {
        "tags_added": "tag assignment{} given",
        "tags_removed": "tag assignment{} taken",
        "statuses_changed": "status{} set",
        "restored": "item{} put back",
        "reverted": "edit{} reverted",
        "removed": "item{} removed",
    }
    parts = []
    for key, phrase in words.items():
        n = counts.get(key, 0)
        if n:
            plural = ("es" if key == "statuses_changed" else "s") if n != 1 else ""
            parts.append(f"{n:,} {phrase.format(plural)}")
    return ", ".join(parts)
