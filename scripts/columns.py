"""Write ``tagtui/store/columns.py``: every table's column list, from the one declaration of the
tables (``tagtui/store/models.py``), for the store's SQL, which runs on the DB-API without
importing SQLModel (the start-up budget); and ``tagtui/store/ddl.py``: each engine's CREATE TABLE
and CREATE INDEX statements, from which a new database is made without importing SQLAlchemy.

    python scripts/columns.py          # rewrite them
    python scripts/columns.py --check  # exit 1 if one is out of date

``tests/store/test_columns.py`` fails when it drifts from the models.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = ROOT / "tagtui" / "store" / "columns.py"
DDL_TARGET = ROOT / "tagtui" / "store" / "ddl.py"
#: The engines (SQLAlchemy's dialect names) ``ddl.py`` holds the statements of.
DIALECTS = ("postgresql", "sqlite")

HELPERS = '''

def columns_of(table: str, *, but: Sequence[str] = ()) -> tuple[str, ...]:
    """The columns of ``table`` (``TABLES``) in order, but those in ``but`` (an id the table gives)."""
    return tuple(column for column in TABLES[table] if column not in but)


def insert_sql(table: str, columns: Sequence[str], **values: str) -> str:
    """``INSERT INTO table (columns) VALUES (…)``: each column's value is the parameter of its
    name (``:name``) unless ``values`` gives its SQL (``workspace_id=":ws"``, ``rev="1"``)."""
    unknown = sorted(set(values) - set(columns))
    if unknown:
        raise ValueError(f"not columns of the insert into {table}: {', '.join(unknown)}")
    shown = ", ".join(values.get(column, f":{column}") for column in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({shown})"
'''


def _array_type(column: object) -> str:
    """The element type of the PostgreSQL array ``Tx.insert_many`` sends a column as."""
    from sqlalchemy import Integer

    return "bigint" if isinstance(column.type, Integer) else "text"  # type: ignore[attr-defined]


def _strings(values: list[str], indent: int) -> str:
    """A tuple of strings, one a line with a trailing comma (as ``ruff format`` keeps it)."""
    pad = " " * indent
    if len(values) == 1:
        return f'("{values[0]}",)'
    return "(" + "".join(f'\n{pad}    "{v}",' for v in values) + f"\n{pad})" if values else "()"


def columns_text() -> str:
    from sqlmodel import SQLModel

    import tagtui.store.models  # noqa: F401  (declares the tables)

    tables = {t.name: t for t in SQLModel.metadata.sorted_tables}
    contact = tables["contact"]
    kept = {c.name: c.info.get("kept_by") for c in contact.columns}
    keys = [name for name, by in kept.items() if by == "store"]
    by_triggers = [name for name, by in kept.items() if by == "triggers"]
    row = [(c.name, _array_type(c)) for c in contact.columns if kept[c.name] != "triggers"]
    body = "".join(
        f'    "{name}": {_strings([c.name for c in tables[name].columns], 4)},\n' for name in sorted(tables)
    )
    row_text = "".join(f'\n    ("{name}", "{kind}"),' for name, kind in row)
    return (
        '"""The tables\' columns, written by ``python scripts/columns.py`` from ``models.py`` (the one\n'
        "declaration of the tables): do not edit. The store speaks SQL through the DB-API, so every\n"
        "list of a whole row's columns comes from here; ``tests/store/test_columns.py`` fails when\n"
        'this is stale."""\n\n'
        "from __future__ import annotations\n\n"
        "from collections.abc import Sequence\n\n"
        "#: Every table's columns, in the order ``models.py`` declares them.\n"
        f"TABLES: dict[str, tuple[str, ...]] = {{\n{body}}}\n"
        "#: The contact's columns the store derives from its fields (``identity.contact_keys``).\n"
        f"CONTACT_KEYS: tuple[str, ...] = {_strings(keys, 0)}\n"
        "#: The contact's columns that triggers keep (``engines``: the tags_key triggers).\n"
        f"CONTACT_BY_TRIGGERS: tuple[str, ...] = {_strings(by_triggers, 0)}\n"
        "#: A new contact's row as the store writes it: every column but those triggers keep, each\n"
        "#: with the type of the PostgreSQL array ``Tx.insert_many`` sends it in.\n"
        f"CONTACT_ROW: tuple[tuple[str, str], ...] = ({row_text}\n)\n"
        "#: ``CONTACT_ROW``'s names.\n"
        "CONTACT_ROW_NAMES: tuple[str, ...] = tuple(name for name, _ in CONTACT_ROW)\n" + HELPERS
    )


def _literal(text: str) -> str:
    """``text`` as a string literal the way ``ruff format`` writes it: in double quotes, unless
    single ones need fewer escapes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    escaped = (
        text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace(quote, "\\" + quote)
    )
    return quote + escaped + quote


def ddl_text() -> str:
    from tagtui.store.models import ddl_by_table

    body = "".join(
        f'    "{dialect}": (\n'
        + "".join(f"        {_literal(statement)},\n" for _, statement in ddl_by_table(dialect))
        + "    ),\n"
        for dialect in DIALECTS
    )
    return (
        '"""Each engine\'s CREATE TABLE and CREATE INDEX statements, written by ``python\n'
        "scripts/columns.py`` from ``models.py`` (SQLAlchemy renders them): do not edit. A new database\n"
        "is made from these (and the engine's triggers) without importing SQLAlchemy, the larger part\n"
        "of the start-up of a command that makes one; ``tests/store/test_columns.py`` fails when this\n"
        'is stale."""\n\n'
        "# ruff: noqa: E501\n\n"
        "from __future__ import annotations\n\n"
        "#: ``models.ddl_by_table(dialect)``'s statements, in order, by SQLAlchemy's dialect name.\n"
        f"TABLE_DDL: dict[str, tuple[str, ...]] = {{\n{body}}}\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when out of date")
    args = parser.parse_args()
    stale_any = False
    for target, text in ((TARGET, columns_text()), (DDL_TARGET, ddl_text())):
        stale = not target.exists() or target.read_text(encoding="utf-8") != text
        stale_any = stale_any or stale
        if args.check:
            if stale:
                name = target.relative_to(ROOT)
                print(f"{name} is out of date: run python scripts/columns.py", file=sys.stderr)
        elif stale:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    return 1 if args.check and stale_any else 0


if __name__ == "__main__":
    raise SystemExit(main())
