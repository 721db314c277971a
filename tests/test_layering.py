"""Layering: the store and the query package never import textual, and only ``tagtui.store.models``
(imported to create or migrate a database) may import SQLAlchemy or SQLModel, so the command line
starts fast (SPEC §6)."""

from __future__ import annotations

import ast
import json
import os
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


MODULES = _modules("tagtui.store") + _modules("tagtui.query")
MODULES += ["tagtui.config", "tagtui.ui_registry", "tagtui.errors", "tagtui.identity"]


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


#: ``_imported_by`` of every module at once (POSIX): one interpreter imports the packages
#: ``tagtui.store`` and ``tagtui.query`` if that leaves it without any heavy package (else
#: nothing), then forks a child per module, which imports it and reports the heavy packages it
#: then holds. What a child reports is what a fresh interpreter would: the heavy packages
#: importing the module reaches are those of the modules the parent had not imported, since the
#: parent's own held none. (45 interpreters each importing the store took ~12 s of CPU.)
_EACH = """
import importlib, json, os, sys
heavy, modules = set(json.loads(sys.argv[1])), json.loads(sys.argv[2])

def held():
    return sorted({m.split('.')[0] for m in sys.modules} & heavy)

def forked(module):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(module)
            found = held()
        except BaseException as exc:
            found = {"error": repr(exc)}
        os.write(write, json.dumps(found).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        found = json.loads(pipe.read() or '{"error": "the child said nothing"}')
    os.waitpid(pid, 0)
    return found

preloaded = forked("tagtui.store") == [] and forked("tagtui.query") == []
if preloaded:
    import tagtui.query, tagtui.store
print(json.dumps({module: forked(module) for module in modules}))
"""
_heavy_of: dict[str, object] = {}


def _heavy(module: str) -> set[str]:
    if not hasattr(os, "fork"):
        return _imported_by(module)
    if not _heavy_of:
        out = subprocess.run(
            [sys.executable, "-c", _EACH, json.dumps(HEAVY), json.dumps(MODULES)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT.parent,
        )
        _heavy_of.update(json.loads(out.stdout.strip().splitlines()[-1]))
    found = _heavy_of[module]
    assert isinstance(found, list), f"importing {module} failed: {found}"
    return set(found)


def test_the_forked_imports_agree_with_fresh_interpreters() -> None:
    """``_heavy`` (forked children) says what ``_imported_by`` (a fresh interpreter) says, here
    for the one module allowed the ORM, one of the store and one of the query package."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform: every module is checked in a fresh interpreter")
    for module in ("tagtui.store.models", "tagtui.store.imports", "tagtui.query.compile"):
        assert _heavy(module) == _imported_by(module), module
    assert {"sqlalchemy", "sqlmodel"} <= _heavy("tagtui.store.models")


def test_the_packages_have_the_expected_modules() -> None:
    assert {"tagtui.store.store", "tagtui.store.models", "tagtui.query.compile", "tagtui.query.parse"} <= set(
        MODULES
    )


@pytest.mark.parametrize("module", MODULES)
def test_module_does_not_import_ui_or_orm(module: str) -> None:
    heavy = _heavy(module)
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


def test_making_a_database_does_not_import_the_orm(tmp_path: Path) -> None:
    """A new database is made from the statements ``scripts/columns.py`` wrote down (store/ddl.py)."""
    db = str(tmp_path / "t.db")
    code = (
        "import json, sys\n"
        "from tagtui.store import Store\n"
        f"s = Store.open({db!r})\n"
        "s.import_rows([{'name': 'A', 'email': 'a@x.org', 'tags': 'x;y', 'status': 'New'}])\n"
        "assert s.count_contacts() == 1, s.count_contacts()\n"
        "s.close()\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))\n"
    )
    assert json.loads(_run(code)) == []


def test_importing_into_an_existing_database_does_not_import_the_orm(tmp_path: Path) -> None:
    """An import's SQLite triggers and tags_key come from the engine, not from the schema module."""
    db = str(tmp_path / "t.db")
    _run(f"from tagtui.store import Store\nStore.open({db!r}).close()\nprint('made')")
    code = (
        "import json, sys\n"
        "from tagtui.store import Store\n"
        f"s = Store.open({db!r})\n"
        "s.import_rows([{'name': 'A', 'email': 'a@x.org', 'tags': 'x;y'}])\n"
        "s.import_rows([{'name': 'A', 'email': 'a@x.org', 'tags': 'z'}])\n"
        "assert s.count_contacts() == 1, s.count_contacts()\n"
        "s.close()\n"
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


# -- import cycles and private names ---------------------------------------------------------------


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, source: str, is_package: bool) -> list[tuple[str, list[str], int]]:
    """Every import ``source`` runs (inside functions too; not under ``if TYPE_CHECKING``), as
    (module imported, names taken from it, line)."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            skipped |= {id(n) for sub in node.body for n in ast.walk(sub)}
    found: list[tuple[str, list[str], int]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            found.append((target, [a.name for a in node.names], node.lineno))
    return found


def _sources(root: Path = ROOT) -> dict[str, tuple[str, bool]]:
    """tagtui's modules by dotted name: (source, is a package)."""
    out: dict[str, tuple[str, bool]] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        out[".".join(parts)] = (path.read_text(encoding="utf-8"), package)
    return out


def _layer(module: str) -> str:
    """The part of tagtui a module belongs to: ``tagtui.store``, ``tagtui.query``, ``tagtui.errors`` …"""
    return ".".join(module.split(".")[:2])


def layer_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """Which part of tagtui imports which. Importing ``tagtui.store.errors`` runs
    ``tagtui/store/__init__.py`` first, so it counts as importing ``tagtui.store``; the root
    package (a version string) is left out."""
    graph: dict[str, set[str]] = {}
    for module, (source, package) in sources.items():
        if module == "tagtui":
            continue
        edges = graph.setdefault(_layer(module), set())
        for target, _, _ in _imports(module, source, package):
            if target.startswith("tagtui.") and _layer(target) != _layer(module):
                edges.add(_layer(target))
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """A cycle of ``graph`` as the path around it (first node repeated at the end), or []."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import() -> None:
    sources = {
        "tagtui.store": ("from tagtui.store.store import Store\n", True),
        "tagtui.store.store": ("def f():\n    from tagtui.query.compile import c\n", False),
        "tagtui.query.compile": ("from tagtui.store.errors import E\n", False),
        "tagtui.query.parse": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tagtui.app import App\n",
            False,
        ),
    }
    graph = layer_graph(sources)
    assert graph == {"tagtui.store": {"tagtui.query"}, "tagtui.query": {"tagtui.store"}}
    assert find_cycle(graph) == ["tagtui.query", "tagtui.store", "tagtui.query"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle_between_the_parts_of_tagtui() -> None:
    """store ← query, io, sync, cli, app: counting imports made inside functions."""
    graph = layer_graph(_sources())
    assert {"tagtui.store", "tagtui.query", "tagtui.app", "tagtui.cli"} <= set(graph)
    assert find_cycle(graph) == []
    assert graph["tagtui.query"] <= {"tagtui.errors", "tagtui.identity"}


def module_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """Which module of tagtui imports which (inside functions too): ``from package import name``
    counts as importing the module ``package.name`` when there is one, else the package."""
    graph: dict[str, set[str]] = {}
    for module, (source, package) in sources.items():
        edges = graph.setdefault(module, set())
        for target, names, _ in _imports(module, source, package):
            for name in names or [""]:
                sub = f"{target}.{name}"
                found = sub if name and sub in sources else target
                if found in sources and found != module:
                    edges.add(found)
    return graph


def test_the_module_graph_follows_imports_inside_functions() -> None:
    sources = {
        "tagtui.sync": ("from tagtui.sync.remote import E\n", True),
        "tagtui.sync.remote": ("def f():\n    from tagtui.sync import carddav\n", False),
        "tagtui.sync.carddav": ("from .remote import E\nimport json\n", False),
        "tagtui.sync.vdir": ("from tagtui.sync import open_remote\n", False),
    }
    graph = module_graph(sources)
    assert graph == {
        "tagtui.sync": {"tagtui.sync.remote"},
        "tagtui.sync.remote": {"tagtui.sync.carddav"},
        "tagtui.sync.carddav": {"tagtui.sync.remote"},
        "tagtui.sync.vdir": {"tagtui.sync"},
    }
    assert find_cycle(graph) == ["tagtui.sync.remote", "tagtui.sync.carddav", "tagtui.sync.remote"]


def test_no_import_cycle_between_the_modules_of_tagtui() -> None:
    """No module imports one that imports it back, directly or around a loop, counting imports
    made inside functions: the app's screens included (the app and its sections import the
    screens; a screen imports the screens it opens, never the app or the sections)."""
    graph = module_graph(_sources())
    assert {"tagtui.store.db", "tagtui.io.csv_import", "tagtui.sync.remote", "tagtui.app.app"} <= set(graph)
    assert find_cycle(graph) == []


def test_the_query_package_loads_without_the_store() -> None:
    code = (
        "import json, sys\n"
        "import tagtui.query, tagtui.query.compile, tagtui.query.complete, tagtui.query.refs\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('tagtui.store'))))\n"
    )
    assert json.loads(_run(code)) == []


def _private(name: str) -> bool:
    """``_name``, not ``__name__`` (``__version__``, ``__main__``: public by convention)."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """``module:line name`` for each private name (or private module) of tagtui that a module
    imports from another module."""
    found: list[str] = []
    for module, (source, package) in sources.items():
        for target, names, line in _imports(module, source, package):
            if not target.startswith("tagtui"):
                continue
            if any(_private(part) for part in target.split(".")):
                found.append(f"{module}:{line} {target}")
            found += [f"{module}:{line} {target}.{n}" for n in names if _private(n) and target != module]
    return found


def _names_a_store(node: ast.expr) -> bool:
    """``store``, ``self.store``, ``Store.open(...)``: an expression that is a store."""
    if isinstance(node, ast.Call):
        return ast.unparse(node.func) in {"Store", "Store.open"}
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name == "store"


def private_store_uses(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """``module:line expression`` for each private member of a store (``store._x``,
    ``self.store._x``, or ``s._x`` after ``s = self.store`` in the same module) used outside
    ``tagtui.store``."""
    found: list[str] = []
    for module, (source, _) in sources.items():
        if module.startswith("tagtui.store"):
            continue
        tree = ast.parse(source)
        aliases = {
            target.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and _names_a_store(node.value)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr.startswith("_")):
                continue
            owner = node.value
            store = _names_a_store(owner) or (isinstance(owner, ast.Name) and owner.id in aliases)
            if store and not node.attr.startswith("__"):
                found.append(f"{module}:{node.lineno} {ast.unparse(node)}")
    return found


def test_the_private_name_checks_find_what_they_look_for() -> None:
    sources = {
        "tagtui.io.demo": ("def f(store):\n    store._write(1)\n    self.store._params()\n", False),
        "tagtui.io.e": ("s = self.store\nx = s._week('at')\nt = Store.open(p)\nt._tx()\nu._v\n", False),
        "tagtui.io.b": (
            "from tagtui.store.contacts import CONTACT_FIELDS, _keys\nimport tagtui.x._y\n",
            False,
        ),
        "tagtui.io.c": ("from tagtui.app.main import run as _run\nfrom .d import _e\n", False),
        "tagtui.store.base": ("def f(self):\n    self._write(1)\n    store._params()\n", False),
    }
    assert private_imports(sources) == [
        "tagtui.io.b:1 tagtui.store.contacts._keys",
        "tagtui.io.b:2 tagtui.x._y",
        "tagtui.io.c:2 tagtui.io.d._e",
    ]
    assert private_store_uses(sources) == [
        "tagtui.io.demo:2 store._write",
        "tagtui.io.demo:3 self.store._params",
        "tagtui.io.e:2 s._week",
        "tagtui.io.e:4 t._tx",
    ]


def test_no_private_name_is_imported_across_modules() -> None:
    assert private_imports(_sources()) == []


def test_nothing_outside_the_store_uses_its_private_members() -> None:
    assert private_store_uses(_sources()) == []


# -- engines: one module knows SQLite from PostgreSQL ------------------------------------------

ENGINE_NAMES = {"sqlite", "postgresql", "postgres"}
ENGINE_MODULE = "tagtui.store.engines"


def _names_an_engine(node: ast.expr) -> bool:
    """An engine's name (``"sqlite"``, a tuple of them) or a ``dialect`` value."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.lower() in ENGINE_NAMES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_an_engine(e) for e in node.elts)
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return "dialect" in name.lower()


def engine_checks(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """``module:line expression`` for each place outside the engine module that asks which
    engine it has: a comparison with an engine's name or a ``dialect``, or an ``isinstance``
    of an engine class."""
    found: list[str] = []
    for module, (source, _) in sources.items():
        if module == ENGINE_MODULE:
            continue
        for node in ast.walk(ast.parse(source)):
            compares = isinstance(node, ast.Compare) and any(
                _names_an_engine(side) for side in [node.left, *node.comparators]
            )
            tests_class = (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "isinstance"
                and "Engine" in ast.unparse(node.args[1] if len(node.args) > 1 else node)
            )
            if compares or tests_class:
                found.append(f"{module}:{node.lineno} {ast.unparse(node)}")
    return sorted(found, key=lambda hit: (hit.split(":")[0], int(hit.split(":")[1].split()[0])))


def test_the_engine_check_finds_what_it_looks_for() -> None:
    sources = {
        "tagtui.io.demo": (
            "if tx.db.dialect == 'postgresql':\n    pass\n"
            "x = 'a' if dialect_name != 'sqlite' else 'b'\n"
            "y = base in ('postgres', 'postgresql')\n"
            "z = isinstance(db.engine, SqliteEngine)\n"
            "w = db.engine.name == 'SQLite'\n"
            "ok = {'sqlite': 1}['sqlite'] == 1 or db.engine.row_triggers\n",
            False,
        ),
        "tagtui.store.engines": ("if base == 'sqlite':\n    pass\n", False),
    }
    assert engine_checks(sources) == [
        "tagtui.io.demo:1 tx.db.dialect == 'postgresql'",
        "tagtui.io.demo:3 dialect_name != 'sqlite'",
        "tagtui.io.demo:4 base in ('postgres', 'postgresql')",
        "tagtui.io.demo:5 isinstance(db.engine, SqliteEngine)",
        "tagtui.io.demo:6 db.engine.name == 'SQLite'",
    ]


def test_only_the_engine_module_asks_which_engine_it_has() -> None:
    """SQLite and PostgreSQL differ in ``tagtui.store.engines`` alone (issue 16 §2)."""
    assert engine_checks(_sources()) == []
