"""``tagtui config path`` and ``tagtui config show``: where the config file is and what it sets."""

from __future__ import annotations

import argparse

from tagtui.cli.common import add_json, command, group
from tagtui.cli.context import Context
from tagtui.cli.registry import help_for


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    config = group(sub, "config", help=help_for("config"), parents=parents)
    command(
        config,
        "path",
        help="print the config file's path (whether or not it exists)",
        handler=path,
        parents=parents,
    )
    p = command(
        config,
        "show",
        help="print the settings in force: the file's, and the database and workspace used",
        handler=show,
        parents=parents,
        epilog="examples:\n  tagtui config show\n  tagtui config show --json\n"
        "  TAGTUI_CONFIG=./tagtui.toml tagtui config show",
    )
    add_json(p, "{path, exists, theme, db, workspace, keys, columns, problems, database, database_source}")


def path(ctx: Context) -> int:
    from tagtui.config import config_path

    ctx.out.line(str(config_path()))
    return 0


def show(ctx: Context) -> int:
    from tagtui.store.db import redact_url as redact

    config = ctx.config
    info = config.as_dict()
    if info["db"]:
        info["db"] = redact(info["db"])
    info["database"] = redact(ctx.target)
    info["database_source"] = ctx.target_source
    info["workspace_in_use"] = ctx.workspace
    if ctx.json:
        ctx.out.json(info)
        return 0
    pairs: list[tuple[str, object]] = [
        ("file", f"{config.path}{'' if config.exists else '  (not there: every setting is a default)'}"),
        ("theme", config.theme or "(default)"),
        ("db", info["db"] or "(not set)"),
        ("workspace", config.workspace or "(not set)"),
        ("database in use", f"{info['database']}  (from {ctx.target_source})"),
        ("workspace in use", f"{ctx.workspace}  (from {ctx.workspace_source})"),
        ("columns", ", ".join(config.columns.get("contacts", [])) or "(default)"),
    ]
    pairs += [(f"keys {binding_id}", keys) for binding_id, keys in sorted(config.keys.items())]
    if not config.keys:
        pairs.append(("keys", "(defaults; see the README's key table)"))
    ctx.out.fields(pairs)
    return 0
