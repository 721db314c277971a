"""Screens and widgets reach the app's store through one typed property (tagtui.app.screens.base.InApp)."""

from __future__ import annotations

from pathlib import Path

import tagtui
from tagtui.app.screens.base import InApp, TagtuiModal, TagtuiScreen
from tests.app.helpers import SIZE, settle


def test_screens_and_dialogs_have_the_store_property() -> None:
    assert issubclass(TagtuiScreen, InApp) and issubclass(TagtuiModal, InApp)


def test_no_screen_reaches_for_the_untyped_app_store() -> None:
    app_dir = Path(tagtui.__file__).parent / "app"
    found = [
        str(path.relative_to(app_dir))
        for path in sorted((app_dir / "screens").glob("*.py"))
        if "self.app.store" in path.read_text(encoding="utf-8")
    ]
    assert found == []


async def test_the_store_of_a_screen_is_the_apps(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("1", "2", "4", "R"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen.store is app.store is seeded
            assert app.screen.tagtui_app is app


def test_the_app_has_no_type_ignore() -> None:
    """The app is typed through InApp, protocols and Textual's public types: nothing silenced."""
    app_dir = Path(tagtui.__file__).parent / "app"
    found = [
        f"{path.relative_to(app_dir)}:{number}"
        for path in sorted(app_dir.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "# type: ignore" in line
    ]
    assert found == []


async def test_a_workers_result_runs_on_the_ui_thread_and_a_failing_one_is_a_notification(
    seeded, make_app
) -> None:
    import threading

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        ran: list[tuple[int, int]] = []

        def shown(value: int) -> None:
            ran.append((value, threading.get_ident()))

        def broken() -> None:
            raise RuntimeError("the handler broke")

        def worker() -> None:
            screen.post_result(shown, 7)
            screen.post_result(broken)

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()  # the worker does not wait for its handlers
        assert ran == []
        await settle(pilot)
        assert ran == [(7, threading.get_ident())]
        assert [n.message for n in app._notifications] == ["RuntimeError: the handler broke"]
        assert app.is_running
