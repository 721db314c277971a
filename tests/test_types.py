"""The type checker passes on the modules of tagtui/store and tagtui/query that ``[tool.mypy]`` in
pyproject.toml lists, strict (issue 16 §6): a change that breaks their types fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_passes_on_the_listed_modules(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues found in" in out.stdout


def test_every_module_of_the_store_and_the_query_package_is_checked() -> None:
    """A new module of tagtui/store or tagtui/query is type-checked from its first commit."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["mypy"]["files"])
    modules = {
        str(path.relative_to(ROOT))
        for package in ("tagtui/store", "tagtui/query")
        for path in (ROOT / package).glob("*.py")
    }
    assert modules and modules - listed == set()


def test_the_store_and_the_query_package_have_no_type_ignore() -> None:
    """Their types are real: one part of the store reaches another's rules through
    ``self._store`` (typed as the whole Store) and keeps what it needs for the rest of a
    transaction in ``tx.memo``, not in attributes set on the transaction under an ignore."""
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in ("tagtui/store", "tagtui/query")
        for path in sorted((ROOT / package).glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "# type: ignore" in line
    ]
    assert found == []
