"""Layering: the store and the query package never import textual, and only ``tagtui.store.models``
(imported to create or migrate a database) may import SQLAlchemy or SQLModel, so the command line
starts fast (SPEC §6)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import tagtui

ROOT = Path(tagtui.__file__).resolve().parent
HEAVY = ("textual", "sqlalchemy", "sqlmodel")
ORM_ALLOWED = {"tagtui.store.models"}


def _modules(package: str) -> list[str]:
    path = ROOT / package.split(".", 1)[1]
    names = [package]
    names += [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(path)])]
    return sorted(names)


MODULES = _modules("tagtui.store") + _modules("tagtui.query") + ["tagtui.config", "tagtui.ui_registry"]


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT.parent
    )
    return out.stdout.strip().splitlines()[-1]


def _imported_by(module: str) -> set[str]:
    """The heavy top-level packages in ``sys.modules`` after importing ``module`` in a fresh interpreter."""
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))\n"
    )
    return set(json.loads(_run(code)))


def test_the_packages_have_the_expected_modules() -> None:
    assert {"tagtui.store.store", "tagtui.store.models", "tagtui.query.compile", "tagtui.query.parse"} <= set(
        MODULES
    )


@pytest.mark.parametrize("module", MODULES)
def test_module_does_not_import_ui_or_orm(module: str) -> None:
    heavy = _imported_by(module)
    assert "textual" not in heavy, f"{module} imports textual"
    if module not in ORM_ALLOWED:
        assert not heavy & {"sqlalchemy", "sqlmodel"}, f"{module} imports {sorted(heavy)}"


def test_opening_an_existing_database_does_not_import_the_orm(tmp_path: Path) -> None:
    """Only creating a database needs the schema module; the CLI's everyday path does not."""
    db = str(tmp_path / "t.db")
    _run(f"from tagtui.store import Store\nStore.open({db!r}).close()\nprint('made')")
    code = (
        "import json, sys\n"
        "from tagtui.store import Store\n"
        "from tagtui.query import parse\n"
        f"s = Store.open({db!r})\n"
        "s.list_tags(); s.list_statuses(); s.list_contacts(parse('tag:none or acme')); s.close()\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))\n"
    )
    assert json.loads(_run(code)) == []


def _private_textual_imports(source: str) -> list[str]:
    """``textual`` modules or names below a leading underscore that ``source`` imports (Textual's
    private API, which changes without notice between releases)."""
    import ast
    import re

    found: list[str] = []

    def private(dotted: str) -> bool:
        parts = dotted.split(".")
        return parts[0] == "textual" and any(p.startswith("_") for p in parts[1:])

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if private(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [f"{node.module}.{a.name}" for a in node.names if private(f"{node.module}.{a.name}")]
        elif (  # importlib.import_module("textual.widgets._data_table") and the like
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and re.fullmatch(r"textual(\.\w+)+", node.value)
            and private(node.value)
        ):
            found.append(node.value)
    return found


def test_the_checker_finds_private_textual_imports() -> None:
    source = (
        "from textual.widgets._data_table import SegmentLines\n"
        "import textual._animator\n"
        "from textual.widgets import _data_table\n"
        "import importlib; importlib.import_module('textual._compositor')\n"
        "from textual.widgets import DataTable\n"
        "from textual.scroll_view import ScrollView\n"
    )
    assert _private_textual_imports(source) == [
        "textual.widgets._data_table.SegmentLines",
        "textual._animator",
        "textual.widgets._data_table",
        "textual._compositor",
    ]


def test_no_module_imports_private_textual_api() -> None:
    """Everything in tagtui is built on Textual's public API, so an upgrade cannot break it silently."""
    found = {
        str(path.relative_to(ROOT.parent)): hits
        for path in sorted(ROOT.rglob("*.py"))
        if (hits := _private_textual_imports(path.read_text(encoding="utf-8")))
    }
    assert found == {}
