"""The config file module: reading it, checking it, and saving one setting without losing the rest."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tagtui.config import ConfigNotSaved, load_config, save_setting, valid_key


@pytest.mark.parametrize("key", ["a", "?", "ctrl+b", "shift+left", "question_mark", "f5", "alt+up", "K"])
def test_valid_keys(key: str) -> None:
    assert valid_key(key)


@pytest.mark.parametrize("key", ["", "ctrl+", "hyperdrive", "cmd+a", "ctrl+nope", " "])
def test_invalid_keys(key: str) -> None:
    assert not valid_key(key)


def test_saving_keeps_comments_order_and_other_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    original = (
        "# my settings\n"
        'theme = "nord"   # dark\n'
        'workspace = "sales"\n'
        "\n"
        "[keys]\n"
        '"contacts.new" = "a"  # like vim\n'
    )
    path.write_text(original)
    save_setting(None, "theme", "gruvbox", path)
    save_setting("columns", "contacts", ["name", "tags"], path)
    text = path.read_text()
    assert text.startswith('# my settings\ntheme = "gruvbox"\nworkspace = "sales"\n')
    assert '"contacts.new" = "a"  # like vim' in text
    data = tomllib.loads(text)
    assert data == {
        "theme": "gruvbox",
        "workspace": "sales",
        "keys": {"contacts.new": "a"},
        "columns": {"contacts": ["name", "tags"]},
    }
    config = load_config(path)
    assert config.theme == "gruvbox" and config.columns == {"contacts": ["name", "tags"]}


def test_saving_into_a_missing_file_creates_it(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    save_setting(None, "theme", 'odd "name" \\ ünï', path)
    save_setting(None, "workspace", "w", path)
    assert tomllib.loads(path.read_text()) == {"theme": 'odd "name" \\ ünï', "workspace": "w"}


def test_a_top_level_setting_goes_before_the_first_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\n"app.quit" = "ctrl+q"\n')
    save_setting(None, "theme", "nord", path)
    assert tomllib.loads(path.read_text()) == {"theme": "nord", "keys": {"app.quit": "ctrl+q"}}


def test_a_value_on_several_lines_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n[columns]\ncontacts = [\n  "name",\n  "email",\n]\n')
    save_setting("columns", "contacts", ["name", "status"], path)
    assert tomllib.loads(path.read_text()) == {"theme": "nord", "columns": {"contacts": ["name", "status"]}}


def test_a_file_with_a_syntax_error_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("theme = \n")
    with pytest.raises(ConfigNotSaved, match="not saved"):
        save_setting(None, "theme", "nord", path)
    assert path.read_text() == "theme = \n"
