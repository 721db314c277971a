"""The command line as a real process: what it imports, its exit codes, a closed pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tagtui.store import Store

HEAVY = ("textual", "sqlalchemy", "sqlmodel")

# Runs main() once per command line given (as JSON), then reports the heavy packages loaded.
PROBE = """
import json, sys
from tagtui.cli.main import main
codes = [main(argv) for argv in json.loads(sys.argv[1])]
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"textual", "sqlalchemy", "sqlmodel", "rich"})
print("LOADED=" + ",".join(loaded), file=sys.stderr)
raise SystemExit(max(codes))
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTUI_")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _probe(*argvs: list[str]) -> tuple[int, str, list[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argvs)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    *err, loaded = proc.stderr.splitlines()
    assert loaded.startswith("LOADED="), proc.stderr
    return proc.returncode, proc.stdout, [*err, loaded.removeprefix("LOADED=")]


@pytest.fixture
def existing(db_url: str) -> str:
    with Store.open(db_url) as store:
        store.setup_tags()
        store.add_contact("Jane", email="jane@example.com")
    return db_url


def test_commands_do_not_import_textual_or_sqlalchemy(existing: str) -> None:
    argvs = [
        ["tags", "list"],
        ["tags", "list", "--json"],
        ["tags", "show", "hot-lead"],
        ["contacts", "list", "--query", "-tag:cold-lead"],
        ["contacts", "show", "jane@example.com", "--json"],
        ["statuses", "list"],
        ["settings"],
        ["views", "list"],
        ["locate"],
    ]
    code, out, err = _probe(*[["--db", existing, *argv] for argv in argvs])
    assert code == 0, err
    assert "Jane" in out and "Hot Lead" in out
    assert err[-1] == "", f"imported {err[-1]}"


def test_creating_a_database_does_not_import_textual(tmp_path) -> None:
    code, _, err = _probe(["--db", str(tmp_path / "new.db"), "tags", "setup"])
    assert code == 0
    assert "textual" not in err[-1] and "rich" not in err[-1]


def test_python_dash_m_and_exit_codes(existing: str) -> None:
    def tagtui(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tagtui", "--db", existing, *argv],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=60,
        )

    listed = tagtui("tags", "list", "--json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 6
    for argv, code in (
        (("tags", "create", "Hot Lead"), 4),
        (("tags", "show", "ghost"), 3),
        (("contacts", "list", "--query", "nosuch:1"), 2),
        (("tags", "list", "--nope"), 2),
    ):
        proc = tagtui(*argv)
        assert proc.returncode == code, (argv, proc.stderr)
        assert proc.stdout == ""
        assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("tagtui: error: ")
        assert "Traceback" not in proc.stderr


def test_a_refused_database_as_a_process(tmp_path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    before = path.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "tagtui", "--db", str(path), "tags", "list"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1
    assert path.read_bytes() == before


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path) -> None:
    db = str(tmp_path / "big.db")
    with Store.open(db) as store:
        from tagtui.io.demo import generate

        generate(store, contacts=1000, seed=2)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tagtui", "--db", db, "contacts", "list", "--limit", "1000", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert err == ""
