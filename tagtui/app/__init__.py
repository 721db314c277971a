"""tagtui's terminal UI. Importing this package does not import Textual; ``run`` does."""

from __future__ import annotations

from typing import Any


def run(target: str, workspace: str = "default", *, demo: bool = False, upgrade_progress: Any = None) -> int:
    """Open the UI on a database (path or URL) and workspace; returns the exit code.

    ``upgrade_progress(stream)``: the context that shows the steps of a migration (the command
    line's), if any."""
    from tagtui.app.main import run as _run

    return _run(target, workspace, demo=demo, upgrade_progress=upgrade_progress)


__all__ = ["run"]
