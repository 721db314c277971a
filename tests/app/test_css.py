"""The app's CSS is read and parsed once: every screen's stylesheet at start-up, and a section
shown for the first time restyles nothing else (TagtuiApp.CSS_PATH, TagtuiApp.refresh_css).
A theme change still restyles every section."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen

import tagtui.app.screens
from tagtui.app.app import TagtuiApp
from tests.app.helpers import SIZE, settle


def _screens() -> list[type[Screen]]:
    for info in pkgutil.iter_modules(tagtui.app.screens.__path__):
        importlib.import_module(f"tagtui.app.screens.{info.name}")
    found: list[type[Screen]] = []
    todo: list[type] = [Screen]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("tagtui.app.screens."):
            found.append(cls)
    return found


def test_every_screens_css_is_read_with_the_apps() -> None:
    app_dir = Path(inspect.getfile(TagtuiApp)).parent
    read = {(app_dir / path).resolve() for path in TagtuiApp.CSS_PATH}
    screens = [cls for cls in _screens() if cls.CSS_PATH]
    assert len(screens) >= 12
    for cls in screens:
        paths = [cls.CSS_PATH] if isinstance(cls.CSS_PATH, str | Path) else list(cls.CSS_PATH)
        for path in paths:
            assert (Path(inspect.getfile(cls)).parent / path).resolve() in read, (cls.__name__, path)


@pytest.fixture
def reparses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the times the app's stylesheet is parsed again from scratch."""
    calls: list[int] = []
    original = Stylesheet.reparse

    def counted(self: Stylesheet) -> None:
        calls.append(1)
        original(self)

    monkeypatch.setattr(Stylesheet, "reparse", counted)
    return calls


async def test_sections_shown_the_first_time_parse_no_css_again(seeded, make_app, reparses) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("4", "2", "3", "1"):
            await pilot.press(key)
            await settle(pilot)
        assert reparses == []
        # The board's own rules (board.tcss) styled its columns all the same.
        await pilot.press("4")
        await settle(pilot)
        column = app.screen.query_one(".board-column")
        assert column.styles.width is not None and column.styles.width.value == 28


async def test_a_theme_change_restyles_every_section(seeded, make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        column = app.screen.query_one(".board-column")
        before = column.styles.background
        await pilot.press("1")
        await settle(pilot)
        app.theme = "textual-light"
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        after = column.styles.background
        assert after != before
        # What a full restyle with the new theme gives.
        app.stylesheet.update(app.screen)
        assert column.styles.background == after
