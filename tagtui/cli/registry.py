"""The top-level commands: which module implements each, and its one-line help.

Only the module of the command being run is imported (a quick command should not
pay for building every other command's parser).
"""

from __future__ import annotations

#: command -> (module under ``tagtui.cli``, one-line help), in the order ``--help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "tags": ("tags", "list, create, edit and assign tags"),
    "statuses": ("statuses", "list, create, edit and order the pipeline's statuses"),
    "contacts": ("contacts", "list, add and edit contacts; tag them; set their status"),
    "views": ("views", "save queries under a name"),
    "duplicates": ("duplicates", "contacts that look like one person (merge them with 'contacts merge')"),
    "rules": ("rules", "automation rules: a query and the tags or status to give its contacts"),
    "funnel": ("insight", "contacts per pipeline stage and the conversion to the next"),
    "trends": ("trends", "the pipeline over the last weeks: entries, conversion, time in stage, tags"),
    "settings": ("workspace", "show or change the workspace's settings"),
    "history": ("workspace", "show recent changes (the event log)"),
    "undo": ("undo", "take back the last change (one step: a bulk edit, a merge, an import)"),
    "redo": ("undo", "do again the change undone last"),
    "locate": ("workspace", "print where the database and the data folder are"),
    "config": ("config", "where the config file is and the settings it gives (theme, keys, columns)"),
    "demo": ("transfer", "fill the workspace with demo contacts, tags and statuses"),
    "import": ("transfer", "import contacts from a CSV file (matched by email)"),
    "sync": ("sync", "two-way sync with CardDAV address books and vdir folders (add, list, remove, run)"),
    "export": ("transfer", "export the contacts a query selects as CSV, JSON or vCard"),
    "serve": ("serve", "open the terminal UI in web browsers (textual-serve; this machine only by default)"),
    "bench": ("bench", "time tagtui beside raw SQLite on a demo database of N contacts"),
    "completion": ("completion", "print a shell completion script for bash, zsh or fish"),
}


def help_for(command: str) -> str:
    return COMMANDS[command][1]
