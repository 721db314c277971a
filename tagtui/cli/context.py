"""What every command gets: the parsed arguments, the output, the store (opened on first use).

Where the database lives is decided here and only here: ``--db``, then ``TAGTUI_DB``,
then ``db`` in the config file, then ``tagtui.db`` in the platform's user data folder.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from tagtui.cli.output import Output, is_tty

if TYPE_CHECKING:
    from tagtui.config import Config
    from tagtui.store import Store

APP_NAME = "tagtui"
DB_FILE = "tagtui.db"
DEFAULT_WORKSPACE = "default"


class Cancelled(Exception):
    """The person answered no at a confirmation prompt."""


def data_dir() -> str:
    import platformdirs

    return platformdirs.user_data_dir(APP_NAME)


def resolve_target(flag: str | None, config: Config | None = None) -> tuple[str, str]:
    """The database path or URL to use, and where that choice came from."""
    if flag:
        return flag, "--db"
    env = os.environ.get("TAGTUI_DB", "").strip()
    if env:
        return env, "TAGTUI_DB"
    if config is not None and config.db:
        return config.db, "config file"
    return os.path.join(data_dir(), DB_FILE), "default"


def resolve_workspace(flag: str | None, config: Config | None = None) -> tuple[str, str]:
    if flag is not None:
        return flag, "--workspace"
    env = os.environ.get("TAGTUI_WORKSPACE", "").strip()
    if env:
        return env, "TAGTUI_WORKSPACE"
    if config is not None and config.workspace:
        return config.workspace, "config file"
    return DEFAULT_WORKSPACE, "default"


class Context:
    def __init__(self, args: argparse.Namespace, out: Output) -> None:
        self.args = args
        self.out = out
        from tagtui.config import load_config

        #: The config file's settings; a mistake in it is one line on stderr, and is ignored.
        self.config = load_config()
        if self.config.problem_line:
            out.note(f"tagtui: {self.config.problem_line}")
        self.target, self.target_source = resolve_target(getattr(args, "db", None), self.config)
        self.workspace, self.workspace_source = resolve_workspace(
            getattr(args, "workspace", None), self.config
        )
        self._store: Store | None = None

    @property
    def dry_run(self) -> bool:
        """``--dry-run``: the command runs inside a store rehearsal and nothing is kept."""
        return bool(getattr(self.args, "dry_run", False))

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def store(self) -> Store:
        if self._store is None:
            from tagtui.store import Store

            if self.target_source == "default":
                # The default data folder is ours to create; a --db or TAGTUI_DB folder is not.
                folder = os.path.dirname(self.target)
                try:
                    os.makedirs(folder, mode=0o700, exist_ok=True)
                except OSError as exc:
                    from tagtui.store.errors import FileError

                    raise FileError(f"cannot create the data folder {folder}: {exc.strerror}") from exc
            from tagtui.cli.progress import upgrade_progress

            # An older database is migrated first: at a terminal, a line says which step runs.
            with upgrade_progress(self.out.stderr) as stages:
                self._store = Store.open(
                    self.target,
                    workspace=self.workspace,
                    on_wait=self._say_waiting if is_tty(self.out.stderr) else None,
                    on_upgrade=stages,
                )
        return self._store

    def _say_waiting(self) -> None:
        self.out.note("tagtui: waiting for another writer (another tagtui or program holds the database)…")

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def confirm(self, question: str) -> None:
        """Ask ``question`` at a terminal; raise Cancelled on anything but yes.

        With ``--yes``, ``--dry-run`` (nothing will be kept), or when standard input is not a
        terminal, the answer is yes.
        """
        if getattr(self.args, "yes", False) or self.dry_run or not is_tty(sys.stdin):
            return
        self.out.stderr.write(f"{question} [y/N] ")
        self.out.stderr.flush()
        answer = sys.stdin.readline()
        if answer.strip().lower() not in ("y", "yes"):
            raise Cancelled()
