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
