"""tagtui's terminal UI. Importing this package does not import Textual; ``run`` does."""

from __future__ import annotations


def run(target: str, workspace: str = "default", *, demo: bool = False) -> int:
    """Open the UI on a database (path or URL) and workspace; returns the exit code."""
    from tagtui.app.main import run as _run

    return _run(target, workspace, demo=demo)


__all__ = ["run"]
