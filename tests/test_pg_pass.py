"""What the PostgreSQL pass runs (``pytest_collection_modifyitems`` in tests/conftest.py): every
test that reaches the store, and not the tests that would run the same code on either backend
(snapshots, and tests that never get a test database). Collected the way the pass collects, with
``TAGTUI_TEST_PG_URL`` set (collecting connects to no server)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: test -> whether the PostgreSQL pass runs it
EXPECTED = {
    # takes ``store``: reaches the database of the pass
    "tests/io/test_vcard.py::test_apple_contacts_vcard_3": True,
    # takes no database, but its module makes PostgreSQL schemas of its own
    "tests/store/test_migration_schema.py::test_the_comparison_sees_a_difference": True,
    # an app test: ``make_app`` takes ``store``
    "tests/app/test_rules.py::test_add_preview_apply_and_delete_a_rule": True,
    # a parser of vCard text, no database
    "tests/io/test_vcard.py::test_unescape_and_split": False,
    # mypy on the sources
    "tests/test_types.py::test_mypy_strict_passes_on_the_listed_modules": False,
    # a picture of a screen
    "tests/app/test_snapshots_small.py::test_welcome_at_80x24": False,
}


def collected(pg_url: str | None) -> set[str]:
    env = {k: v for k, v in os.environ.items() if k != "TAGTUI_TEST_PG_URL"}
    if pg_url:
        env["TAGTUI_TEST_PG_URL"] = pg_url
    files = sorted({test.split("::")[0] for test in EXPECTED})
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--collect-only",
            *files,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return {line.strip() for line in out.stdout.splitlines() if "::" in line}


def test_the_postgresql_pass_runs_what_reaches_the_store_and_deselects_the_rest() -> None:
    on_postgresql = collected("postgresql+psycopg://postgres@127.0.0.1:1/never-connected")
    assert {test: test in on_postgresql for test in EXPECTED} == EXPECTED
    on_sqlite = collected(None)
    assert set(EXPECTED) <= on_sqlite
    assert on_postgresql < on_sqlite
