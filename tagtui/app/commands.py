"""The command palette (``ctrl+p``): every section, every action of every section, and saved views."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from tagtui.app.sections import PLACES, SECTIONS
from tagtui.textsafe import visible

if TYPE_CHECKING:
    from tagtui.app.app import TagtuiApp


@dataclass(frozen=True)
class PaletteCommand:
    text: str
    help: str
    run: Callable[[], object]


def screen_bindings(cls: type) -> list[Binding]:
    """The described bindings a screen class declares, one per action (its first key)."""
    seen: set[str] = set()
    out: list[Binding] = []
    for item in getattr(cls, "BINDINGS", []):
        binding = item if isinstance(item, Binding) else Binding(*item)
        if not binding.description or binding.action in seen:
            continue
        seen.add(binding.action)
        out.append(binding)
    return out


class TagtuiCommands(Provider):
    """Offers the sections, the actions of the current screen and of every section, and saved views."""

    async def startup(self) -> None:
        app = cast("TagtuiApp", self.app)  # the palette of no other app
        try:
            self._views = await asyncio.to_thread(app.store.list_views)
        except Exception:
            self._views = []

    def _commands(self) -> Iterator[PaletteCommand]:
        app = cast("TagtuiApp", self.app)  # the palette of no other app
        screen = self.screen
        for section in SECTIONS:
            yield PaletteCommand(
                f"Go to {section.title}",
                f"show the {section.title} screen ({section.key})",
                _bind(app.action_section, section.name),
            )
        for place in PLACES:
            yield PaletteCommand(place.title, place.help, getattr(app, f"action_{place.name}"))
        title = screen.title or type(screen).__name__
        for binding in screen_bindings(type(screen)):
            yield PaletteCommand(
                f"{title}: {binding.description}",
                f"key {app.get_key_display(binding)}",
                _bind(app.run_action, binding.action, screen),
            )
        for section in SECTIONS:
            if section.screen is type(screen):
                continue
            for binding in screen_bindings(section.screen):
                yield PaletteCommand(
                    f"{section.title}: {binding.description}",
                    f"in {section.title}, key {app.get_key_display(binding)}",
                    _bind(app.run_in_section, section.name, binding.action),
                )
        for view in getattr(self, "_views", []):
            if view.broken:  # never run (the views picker says why)
                continue
            yield PaletteCommand(
                f"View: {visible(view.name)}",
                escape(visible(view.query)) or "(every contact)",  # help text is markup
                _bind(app.show_query, view.query),
            )

    async def discover(self) -> Hits:
        for command in self._commands():
            # Text, not a markup string: a view's name comes from the database.
            yield DiscoveryHit(Text(command.text), command.run, text=command.text, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(command.text), command.run, text=command.text, help=command.help
                )


def _bind(fn: Callable[..., object], *args: object) -> Callable[[], object]:
    def call() -> object:
        return fn(*args)

    return call
