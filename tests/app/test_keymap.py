"""The key registry: every binding has an id, the README's key table and ``tagtui/ui_registry.py`` are
what the bindings say now (``python scripts/keys_table.py`` rewrites them), keys read in plain words."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from tagtui.app.keymap import all_bindings, binding_classes, groups, key_display

ROOT = Path(__file__).resolve().parents[2]


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("keys_table", ROOT / "scripts" / "keys_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_binding_has_an_id() -> None:
    missing = [f"{b.key} → {b.action}" for b in all_bindings() if not b.id]
    assert missing == []


def test_an_id_names_one_action() -> None:
    actions: dict[str, set[str]] = {}
    for b in all_bindings():
        actions.setdefault(b.id or "", set()).add(b.action)
    assert {i: a for i, a in actions.items() if len(a) > 1} == {}


def test_every_binding_is_in_a_help_group() -> None:
    shown = {i for g in groups() for row in g.rows for i in row.binding_ids}
    assert {b.id for b in all_bindings() if not b.system} - shown == set()
    titles = Counter(g.title for g in groups())
    assert titles.most_common(1)[0][1] == 1, "two groups share a title"
    assert len(binding_classes()) > 20


def test_readme_key_table_is_generated_from_the_bindings() -> None:
    script = _script()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == script.readme_text(readme), "README key table is stale: run python scripts/keys_table.py"


def test_ui_registry_is_generated_from_the_bindings() -> None:
    script = _script()
    current = (ROOT / "tagtui" / "ui_registry.py").read_text(encoding="utf-8")
    assert current == script.registry_text(), (
        "tagtui/ui_registry.py is stale: run python scripts/keys_table.py"
    )


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("shift+left", "shift+←"),
        ("less_than_sign", "<"),
        ("question_mark", "?"),
        ("ctrl+z", "ctrl+z"),
        ("escape", "esc"),
        ("left_square_bracket", "["),
        ("enter", "enter"),
        ("K", "K"),
    ],
)
def test_keys_in_plain_words(key: str, shown: str) -> None:
    assert key_display(key) == shown


def test_remapped_keys_show_in_the_groups() -> None:
    rows = {i: row for g in groups({"contacts.new": "a,ctrl+n"}) for row in g.rows for i in row.binding_ids}
    assert rows["contacts.new"].keys == ("a", "ctrl+n")
    assert rows["contacts.new"].keys_text == "a ctrl+n"


async def test_the_config_keymap_is_in_force_and_help_shows_it(seeded, make_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tagtui.app.screens.help import HelpScreen
    from tagtui.config import load_config
    from tests.app.helpers import settle
    from tests.app.test_app import drawn

    path = tmp_path / "config.toml"
    path.write_text(
        '[keys]\n"app.help" = "f1"\n"app.tags" = "ctrl+t"\n"board.move_right" = "shift+right,L"\n'
    )
    app = make_app(config=load_config(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # no longer Tags
        await settle(pilot)
        assert app.screen.title == "Contacts"
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.screen.title == "Tags"
        await pilot.press("question_mark")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(drawn(box) for box in app.screen.query(".help-group"))
        assert "ctrl+t" in text and "f1" in text and "shift+→ L" in text
        assert "greater_than_sign" not in text and "less_than_sign" not in text


async def test_a_bad_config_is_one_notification_and_the_app_starts(seeded, make_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tagtui.config import load_config
    from tests.app.helpers import settle

    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n[keys]\n"contacts.nwe" = "a"\n')
    app = make_app(config=load_config(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        notes = [n.message for n in app._notifications]
        assert len(notes) == 1 and f"{path}, line 3" in notes[0] and "contacts.nwe" in notes[0]
        assert app.theme == "nord"  # the good settings still count
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.title == "Tags"


async def test_a_theme_picked_in_the_ui_is_saved(seeded, make_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import tomllib

    from tagtui.config import load_config
    from tests.app.helpers import settle

    path = tmp_path / "config.toml"
    path.write_text('# mine\nworkspace = "default"\n')
    app = make_app(config=load_config(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.theme = "gruvbox"  # what the palette's "Change theme" does
        await settle(pilot)
    assert tomllib.loads(path.read_text()) == {"workspace": "default", "theme": "gruvbox"}
    assert path.read_text().startswith("# mine\n")
    app = make_app(config=load_config(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "gruvbox"
