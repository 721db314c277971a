"""Hide and show the Contacts table's columns (``c``); the choice is kept in the config file."""

from __future__ import annotations

import tomllib

from textual.widgets import SelectionList

from tagtui.app.screens.columns import ColumnChooser
from tagtui.app.widgets.contact_table import ContactTable
from tagtui.config import load_config
from tests.app.helpers import settle


def shown(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one(ContactTable)
    return [str(key.value) for key in table.columns if key.value != "mark"]


async def test_hiding_a_column_is_shown_and_saved(seeded, make_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text('# my settings\ntheme = "nord"\n')
    app = make_app(config=load_config(path))
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert "email" in shown(app) and "assignee" in shown(app)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ColumnChooser)
        choices = app.screen.query_one(SelectionList)
        # Name cannot be hidden: the highlight starts on Email.
        assert choices.get_option_at_index(choices.highlighted or 0).value == "email"
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ColumnChooser)
        assert "email" not in shown(app) and "name" in shown(app) and "tags" in shown(app)
    data = tomllib.loads(path.read_text())
    assert data["theme"] == "nord" and path.read_text().startswith("# my settings\n")
    assert data["columns"]["contacts"] == ["name", "company", "status", "tags", "assignee", "followers"]
    # The next start shows the same columns.
    app = make_app(config=load_config(path))
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert "email" not in shown(app) and "company" in shown(app)


async def test_escape_changes_nothing(seeded, make_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    app = make_app(config=load_config(path))
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        before = shown(app)
        await pilot.press("c", "space", "escape")
        await settle(pilot)
        assert shown(app) == before
    assert not path.exists()


async def test_the_config_columns_apply_at_start(seeded, make_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text('[columns]\ncontacts = ["name", "tags"]\n')
    app = make_app(config=load_config(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert shown(app) == ["name", "tags"]
