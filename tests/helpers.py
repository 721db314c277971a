"""Helpers more than one test folder uses: a dump of every row of every table."""

from __future__ import annotations

from typing import Any

from tagtui.store import Store


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the database, sorted: "nothing changed" means equal.

    It reads whatever tables the schema has today, so a new table is covered too.
    """

    def read(tx: Any) -> dict[str, list[tuple[Any, ...]]]:
        if store.db.dialect == "sqlite":
            names = [r[0] for r in tx.all("SELECT name FROM sqlite_master WHERE type = 'table'")]
        else:
            names = [
                r[0]
                for r in tx.all(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                )
            ]
        return {
            n: sorted((tuple(r) for r in tx.all(f'SELECT * FROM "{n}"')), key=repr) for n in sorted(names)
        }

    return store._read(read)
