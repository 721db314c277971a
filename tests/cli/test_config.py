"""``tagtui config path|show`` and what the config file changes on the command line (SPEC §7)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Cli


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return Path(os.environ["TAGTUI_CONFIG"])


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_path_is_printed_whether_or_not_the_file_exists(run: Cli, config_file: Path) -> None:
    result = run("config", "path")
    assert (result.code, result.out, result.err) == (0, f"{config_file}\n", "")
    assert not config_file.exists()


def test_path_defaults_to_the_user_config_folder(
    run: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TAGTUI_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert run("config", "path").out.strip() == str(tmp_path / "xdg" / "tagtui" / "config.toml")


def test_show_without_a_file_lists_the_defaults(run: Cli) -> None:
    result = run("config", "show", "--json")
    assert result.code == 0 and result.err == ""
    doc = result.json
    assert doc["exists"] is False
    assert (doc["theme"], doc["db"], doc["workspace"], doc["keys"], doc["columns"]) == (
        None,
        None,
        None,
        {},
        {},
    )
    assert doc["database_source"] == "default" and doc["problems"] == []


def test_show_prints_the_settings_in_force(run: Cli, config_file: Path) -> None:
    write(
        config_file,
        '# mine\ntheme = "nord"\ndb = "leads.db"\nworkspace = "sales"\n'
        '[keys]\n"contacts.new" = "a"\n[columns]\ncontacts = ["name", "email", "tags"]\n',
    )
    doc = run("config", "show", "--json").json
    assert doc["theme"] == "nord" and doc["workspace"] == "sales"
    # A relative db is read from the config file's folder.
    assert doc["db"] == str(config_file.parent / "leads.db") == doc["database"]
    assert doc["database_source"] == "config file" and doc["workspace_in_use"] == "sales"
    assert doc["keys"] == {"contacts.new": "a"}
    assert doc["columns"] == {"contacts": ["name", "email", "tags"]}
    text = run("config", "show").out
    assert "nord" in text and "contacts.new" in text and "name, email, tags" in text


def test_the_config_db_and_workspace_are_used_and_flags_win(
    run: Cli, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(config_file, f'db = "{tmp_path / "from-config.db"}"\nworkspace = "sales"\n')
    assert run("tags", "create", "VIP").code == 0
    assert (tmp_path / "from-config.db").exists()
    assert [t["name"] for t in run("tags", "list", "--json", "--workspace", "sales").json] == ["VIP"]
    assert run("tags", "list", "--json", "--workspace", "default").json == []
    other = tmp_path / "flag.db"
    assert run("--db", str(other), "tags", "list", "--json").json == []
    monkeypatch.setenv("TAGTUI_DB", str(tmp_path / "env.db"))
    assert run("locate", "--json").json["source"] == "TAGTUI_DB"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('theme = "nord"\n[keys\n', 2, "not valid TOML"),
        ('theme = "nord"\n\n[keys]\n"contacts.nwe" = "a"\n', 4, "unknown binding id 'contacts.nwe'"),
        ('[keys]\n"contacts.new" = "ctrl+nope"\n', 2, "invalid key 'ctrl+nope'"),
        ('[keys]\n"contacts.new" = "hyperdrive"\n', 2, "invalid key 'hyperdrive'"),
        ("theme = 7\n", 1, "theme must be a non-empty string"),
        ('[columns]\ncontacts = ["name", "emial"]\n', 2, "unknown column 'emial'"),
        ('colour = "red"\n', 1, "unknown setting 'colour'"),
    ],
)
def test_a_bad_file_is_one_line_naming_file_and_line(
    run: Cli, config_file: Path, text: str, line: int, words: str
) -> None:
    write(config_file, text)
    result = run("config", "show", "--json")
    assert result.code == 0
    assert len(result.err_lines) == 1, result.err
    err = result.err_lines[0]
    assert f"{config_file}, line {line}" in err and words in err
    assert "Traceback" not in result.err
    # The rest of the file still counts where it can; the bad setting does not.
    doc = result.json
    assert doc["keys"] == {} and doc["columns"] == {}


def test_a_bad_file_does_not_stop_a_command(run: Cli, config_file: Path, db_url: str) -> None:
    write(config_file, "[keys\n")
    result = run("--db", db_url, "tags", "create", "VIP")
    assert result.code == 0 and len(result.err_lines) == 1 and "not valid TOML" in result.err


def test_the_command_line_does_not_import_textual_to_read_the_config(config_file: Path) -> None:
    write(config_file, 'theme = "nord"\n[keys]\n"contacts.new" = "a"\n')
    code = (
        "import sys; from tagtui.cli.main import main; main(['config', 'show']);"
        "print('textual' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == "False"
