"""Start the UI: open the store (one line on stderr if that fails), run the app, close the store."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any

from tagtui.store import Store, TagtuiError
from tagtui.textsafe import visible

#: Makes the context that shows a migration's steps (``tagtui.cli.progress.upgrade_progress``):
#: given by the command line, which the UI does not import (no import cycle).
UpgradeProgress = Callable[[Any], contextlib.AbstractContextManager[Any]]


def run(
    target: str,
    workspace: str = "default",
    *,
    demo: bool = False,
    upgrade_progress: UpgradeProgress | None = None,
) -> int:
    """Open ``Store.open(target, workspace)`` and run the app on it; 1 if the database is refused."""
    try:
        # Before the first screen: an older database is migrated, a line at a time on stderr.
        shown = upgrade_progress(sys.stderr) if upgrade_progress else contextlib.nullcontext()
        with shown as stages:
            store = Store.open(target, workspace, on_upgrade=stages)
    except TagtuiError as exc:
        print(f"tagtui: {visible(str(exc))}", file=sys.stderr)
        return 1
    except Exception as exc:  # a driver error we did not foresee: still one line, no traceback
        from tagtui.store.db import scrub

        first = scrub((str(exc).strip().splitlines() or [type(exc).__name__])[0], target)
        print(f"tagtui: cannot open the database: {visible(first)}", file=sys.stderr)
        return 1
    try:
        from tagtui.app.app import TagtuiApp
        from tagtui.config import load_config

        app = TagtuiApp(store, demo=demo, config=load_config())
        result = app.run()
        return int(result or 0) if app.return_code in (None, 0) else int(app.return_code or 1)
    finally:
        store.close()


def main() -> int:
    """``python -m tagtui.app [DB] [WORKSPACE]``: the UI alone, without the command line."""
    import os

    args = sys.argv[1:]
    target = args[0] if args else os.environ.get("TAGTUI_DB", "tagtui.db")
    workspace = args[1] if len(args) > 1 else "default"
    return run(target, workspace)


if __name__ == "__main__":
    raise SystemExit(main())
