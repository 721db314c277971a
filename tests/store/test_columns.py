"""``tagtui/store/columns.py`` is what ``scripts/columns.py`` writes from the models today, and
the store's whole-row SQL follows it (issue 16 §1)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tagtui.store.columns import CONTACT_BY_TRIGGERS, CONTACT_KEYS, CONTACT_ROW_NAMES, TABLES, insert_sql
from tagtui.store.contacts import key_columns
from tagtui.store.identity import contact_keys

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("columns_script", ROOT / "scripts" / "columns.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_columns_py_is_what_the_models_declare() -> None:
    wanted = _script().columns_text()
    current = (ROOT / "tagtui" / "store" / "columns.py").read_text(encoding="utf-8")
    assert current == wanted, "tagtui/store/columns.py is stale: run python scripts/columns.py"


def test_ddl_py_is_what_the_models_declare() -> None:
    from tagtui.store.ddl import TABLE_DDL
    from tagtui.store.models import ddl, ddl_by_table

    wanted = _script().ddl_text()
    current = (ROOT / "tagtui" / "store" / "ddl.py").read_text(encoding="utf-8")
    assert current == wanted, "tagtui/store/ddl.py is stale: run python scripts/columns.py"
    for dialect in ("sqlite", "postgresql"):
        assert TABLE_DDL[dialect] == tuple(statement for _, statement in ddl_by_table(dialect))
        # What a new database is made of (schema._create): models.ddl's statements.
        from tagtui.store.schema import create_statements

        made = list(create_statements(dialect))
        assert made == ddl(dialect)


def test_the_lists_match_the_tables() -> None:
    from sqlmodel import SQLModel

    import tagtui.store.models  # noqa: F401

    assert {t.name: tuple(c.name for c in t.columns) for t in SQLModel.metadata.sorted_tables} == TABLES
    assert set(CONTACT_ROW_NAMES) | set(CONTACT_BY_TRIGGERS) == set(TABLES["contact"])
    assert CONTACT_BY_TRIGGERS == ("tags_key",)


def test_the_derived_keys_are_the_columns_the_store_keeps() -> None:
    assert tuple(contact_keys("Ann", "a@x.org", "Bo", "Acme")) == CONTACT_KEYS
    assert tuple(key_columns({"name": "Ann"})) == CONTACT_KEYS


def test_insert_sql() -> None:
    assert (
        insert_sql("tag", ["id", "name", "rev"], rev="1")
        == "INSERT INTO tag (id, name, rev) VALUES (:id, :name, 1)"
    )
    with pytest.raises(ValueError, match="not columns of the insert into tag: revision"):
        insert_sql("tag", ["id"], revision="1")
