"""Fixtures for the command line: ``cli(...)`` runs ``main`` in-process on the test's database."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tagtui.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


Cli = Callable[..., Result]


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No setting leaks in from the machine, the default database is under tmp_path,
    and standard input is not a terminal (so nothing prompts)."""
    for name in ("TAGTUI_DB", "TAGTUI_WORKSPACE", "TAGTUI_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Cli:
    """``run(*argv)``: main() with exactly these arguments."""

    def invoke(*argv: str) -> Result:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def cli(run: Cli, db_url: str) -> Cli:
    """``cli(*argv)``: main() on this test's database (``--db`` is added after the command)."""

    def invoke(*argv: str) -> Result:
        return run(*argv, "--db", db_url)

    return invoke


@pytest.fixture
def ok(cli: Cli) -> Cli:
    """Like ``cli`` but the command must succeed, silently on stderr."""

    def invoke(*argv: str) -> Result:
        result = cli(*argv)
        assert result.code == 0, (argv, result.err)
        assert result.err == "", (argv, result.err)
        return result

    return invoke


def assert_one_error_line(result: Result, code: int, *needles: str) -> None:
    """Failed with ``code``, nothing on stdout, exactly one line on stderr, no traceback."""
    assert result.code == code, (result.code, result.err)
    assert result.out == ""
    lines = result.err_lines
    assert len(lines) == 1, result.err
    assert lines[0].startswith("tagtui: error: "), lines[0]
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
