"""Global options (``--db``, ``--workspace``, ``--yes``), where the database is, ``locate``,
and the argument preprocessing that lets values start with ``-``."""

from __future__ import annotations

import os

import pytest

from tagtui.cli.main import build_parser, command_word, option_names, prepare_argv
from tests.cli.conftest import Cli


def test_db_before_or_after_the_command(run: Cli, db_url: str) -> None:
    assert run("--db", db_url, "tags", "create", "Before").code == 0
    assert run("tags", "--db", db_url, "create", "Middle").code == 0
    assert run("tags", "create", "After", "--db", db_url).code == 0
    assert run(f"--db={db_url}", "tags", "create", "Glued").code == 0
    names = [t["name"] for t in run("tags", "list", "--json", f"--db={db_url}").json]
    assert names == ["After", "Before", "Glued", "Middle"]


def test_db_after_the_command_wins_over_before(run: Cli, tmp_path) -> None:
    first, second = str(tmp_path / "first.db"), str(tmp_path / "second.db")
    assert run("--db", first, "tags", "create", "X", "--db", second).code == 0
    assert run("tags", "list", "--json", "--db", second).json[0]["name"] == "X"
    assert run("tags", "list", "--json", "--db", first).json == []


def test_workspaces_are_separate(run: Cli, db_url: str) -> None:
    assert run("--db", db_url, "--workspace", "team", "tags", "create", "VIP").code == 0
    assert run("--db", db_url, "tags", "list", "--json").json == []
    assert [t["name"] for t in run("tags", "list", "--json", "--db", db_url, "--workspace", "team").json] == [
        "VIP"
    ]
    # The same name in another workspace is no conflict (reference 001).
    assert run("--db", db_url, "tags", "create", "VIP").code == 0


def test_workspace_from_the_environment(run: Cli, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGTUI_WORKSPACE", "envspace")
    assert run("--db", db_url, "tags", "create", "VIP").code == 0
    assert run("--db", db_url, "settings", "--json").json["workspace"] == "envspace"
    assert run("--db", db_url, "--workspace", "default", "tags", "list", "--json").json == []


def test_db_precedence_flag_then_env_then_default(
    run: Cli, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag, env = tmp_path / "flag.db", tmp_path / "env.db"
    default = tmp_path / "xdg-data" / "tagtui" / "tagtui.db"

    located = run("locate", "--json").json
    assert (located["database"], located["source"]) == (str(default), "default")
    assert located["data_dir"] == str(default.parent)
    assert run("tags", "create", "InDefault").code == 0
    assert default.exists()

    monkeypatch.setenv("TAGTUI_DB", str(env))
    assert run("locate", "--json").json["source"] == "TAGTUI_DB"
    assert run("tags", "create", "InEnv").code == 0
    assert env.exists()

    assert run("locate", "--json", "--db", str(flag)).json == {
        "database": str(flag),
        "source": "--db",
        "data_dir": str(default.parent),
        "workspace": "default",
    }
    assert run("--db", str(flag), "tags", "create", "InFlag").code == 0

    def names(*db: str) -> list[str]:
        return [t["name"] for t in run("tags", "list", "--json", *db).json]

    assert names() == ["InEnv"]
    assert names("--db", str(flag)) == ["InFlag"]
    monkeypatch.setenv("TAGTUI_DB", "")  # empty: as if unset
    assert names() == ["InDefault"]


def test_locate_text_and_password_redaction(run: Cli) -> None:
    text = run("locate", "--db", "postgresql+psycopg://me:secret@db.example/tagtui").out
    assert "postgresql+psycopg://me:***@db.example/tagtui  (from --db)" in text
    assert "secret" not in text
    assert "data folder" in text and "workspace" in text


def test_an_unsupported_url_is_refused(run: Cli) -> None:
    result = run("tags", "list", "--db", "mysql://localhost/x")
    assert result.code == 1 and "unsupported database URL" in result.err


def test_no_command_opens_the_ui(run: Cli, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake_run(target: str, workspace: str, *, demo: bool = False, upgrade_progress: object = None) -> int:
        calls.append((target, workspace, demo, upgrade_progress))
        return 0

    import tagtui.app
    from tagtui.cli.progress import upgrade_progress

    monkeypatch.setattr(tagtui.app, "run", fake_run, raising=False)
    assert run("--db", db_url, "--workspace", "w").code == 0
    # The command line hands the UI its migration progress line (the app never imports the CLI).
    assert calls == [(db_url, "w", False, upgrade_progress)]


def test_demo_flag_is_passed_to_the_ui(run: Cli, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import tagtui.app
    from tagtui.cli.progress import upgrade_progress

    calls = []
    monkeypatch.setattr(tagtui.app, "run", lambda *a, **k: calls.append((a, k)) or 0, raising=False)
    assert run("--demo", "--db", db_url).code == 0
    assert calls == [((db_url, "default"), {"demo": True, "upgrade_progress": upgrade_progress})]


def test_ui_unavailable_is_one_line(run: Cli, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_app(name, globals=None, locals=None, fromlist=(), level=0):
        if name == "tagtui.app" or name.startswith("tagtui.app."):
            raise ImportError("No module named 'textual'")
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", no_app)
    result = run("--db", db_url)
    assert result.code == 1
    assert result.err_lines == [
        "tagtui: error: the terminal UI is not available in this installation (No module named 'textual')"
    ]


def test_the_ui_is_not_opened_on_a_refused_database(run: Cli, tmp_path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"junk" * 100)
    result = run("--db", str(path))
    assert result.code == 1 and "not an SQLite database" in result.err


# -- argument preprocessing -------------------------------------------------------------


@pytest.fixture(scope="module")
def names():
    return option_names(build_parser(["contacts"]))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["contacts", "list", "--query", "-tag:cold"], ["contacts", "list", "--query=-tag:cold"]),
        (["contacts", "list", "--query=-tag:cold"], ["contacts", "list", "--query=-tag:cold"]),
        (["contacts", "list", "--query", "--json"], ["contacts", "list", "--query", "--json"]),
        (["--db", "-odd.db", "contacts", "list"], ["--db=-odd.db", "contacts", "list"]),
        (["contacts", "list", "--", "--query", "x"], ["contacts", "list", "--", "--query", "x"]),
        (["contacts", "list", "--query"], ["contacts", "list", "--query"]),
    ],
)
def test_values_starting_with_a_dash_are_glued(names, argv: list[str], expected: list[str]) -> None:
    assert prepare_argv(argv, names) == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["views", "save", "cold", "-tag:cold"], ["views", "save", "--", "cold", "-tag:cold"]),
        (["views", "save", "cold", "not", "tag:cold"], ["views", "save", "--", "cold", "not tag:cold"]),
        (
            ["views", "save", "--json", "c", "-tag:x", "--db", "a.db", "-y"],
            ["views", "save", "--json", "--db=a.db", "-y", "--", "c", "-tag:x"],
        ),
        (["--db", "a.db", "views", "save", "c", "-x"], ["--db=a.db", "views", "save", "--", "c", "-x"]),
        (["views", "save", "c", "--", "--json"], ["views", "save", "--", "c", "--json"]),
        (["views", "save"], ["views", "save"]),
    ],
)
def test_views_save_takes_the_rest_as_its_query(argv: list[str], expected: list[str]) -> None:
    assert prepare_argv(argv, option_names(build_parser(argv))) == expected


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["tags", "list"], "tags"),
        (["--db", "tags", "contacts", "list"], "contacts"),
        (["--db=x", "--yes", "views"], "views"),
        (["--demo"], None),
        ([], None),
    ],
)
def test_command_word(argv: list[str], word: str | None) -> None:
    assert command_word(argv) == word


def test_the_process_environment_is_left_alone(run: Cli, db_url: str) -> None:
    before = dict(os.environ)
    run("tags", "list", "--db", db_url)
    assert dict(os.environ) == before
