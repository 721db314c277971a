"""The registry of sections and places (tagtui.app.sections): the app's modes and keys, and the
command palette, are built from it, and each place's key opens its screen."""

from __future__ import annotations

from textual.binding import Binding

from tagtui.app.app import TagtuiApp
from tagtui.app.commands import TagtuiCommands
from tagtui.app.sections import PLACES, SECTIONS, place
from tests.app.helpers import SIZE, settle


def test_the_app_has_a_mode_and_a_key_per_section() -> None:
    assert {name: cls for name, cls in TagtuiApp.MODES.items()} == {s.name: s.screen for s in SECTIONS}
    bindings = {b.id: b for b in TagtuiApp.BINDINGS if isinstance(b, Binding)}
    for section in SECTIONS:
        binding = bindings[f"app.{section.name}"]
        assert (binding.key, binding.action, binding.description) == (
            section.key,
            f"section('{section.name}')",
            section.title,
        )


def test_every_place_is_an_action_of_the_app_and_its_screen_loads() -> None:
    for p in PLACES:
        assert callable(getattr(TagtuiApp, f"action_{p.name}", None)), p.name
        if p.module:
            assert p.screen().__name__ == p.class_name
    assert place("sync").title == "Sync"


async def test_the_palette_lists_every_section_and_place_in_registry_order(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        texts = [c.text for c in TagtuiCommands(app.screen)._commands()]
        wanted = [f"Go to {s.title}" for s in SECTIONS] + [p.title for p in PLACES]
        assert texts[: len(wanted)] == wanted
        assert texts[len(SECTIONS) : len(wanted)] == ["Help", "Undo", "Redo", "Rules", "History", "Sync"]


async def test_each_place_key_opens_its_screen_and_escape_goes_back(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, name in (("R", "rules"), ("S", "sync"), ("question_mark", "help")):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, place(name).screen()), name
            await pilot.press(key)  # the same key again: help closes, the others stay
            await settle(pilot)
            assert isinstance(app.screen, place(name).screen()) == (name != "help"), name
            if name != "help":
                await pilot.press("escape")
                await settle(pilot)
            assert app.screen.title == "Contacts", name
