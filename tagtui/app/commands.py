"""The command palette (``ctrl+p``): every section, every action of every section, and saved views."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

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
        app: TagtuiApp = self.app  # type: ignore[assignment]
        try:
            self._views = await asyncio.to_thread(app.store.list_views)
        except Exception:
            self._views = []

    def _commands(self) -> Iterator[PaletteCommand]:
        from tagtui.app.app import SECTIONS

        app: TagtuiApp = self.app  # type: ignore[assignment]
        screen = self.screen
        for mode, (key, title, _) in SECTIONS.items():
            yield PaletteCommand(
                f"Go to {title}", f"show the {title} screen ({key})", _bind(app.action_section, mode)
            )
        yield PaletteCommand("Help", "every key of every screen (?)", app.action_help)
        yield PaletteCommand("Undo", "take back the last change (ctrl+z)", app.action_undo)
        yield PaletteCommand("Redo", "do again the change undone last (ctrl+y)", app.action_redo)
        yield PaletteCommand("Rules", "automation rules: add, preview, apply (R)", app.action_rules)
        yield PaletteCommand("History", "what changed, who changed it, what was undone", app.action_history)
        yield PaletteCommand("Sync", "address books: sync now, last sync, conflicts (S)", app.action_sync)
        title = screen.title or type(screen).__name__
        for binding in screen_bindings(type(screen)):
            yield PaletteCommand(
                f"{title}: {binding.description}",
                f"key {app.get_key_display(binding)}",
                _bind(app.run_action, binding.action, screen),
            )
        for mode, (_, title, cls) in SECTIONS.items():
            if cls is type(screen):
                continue
            for binding in screen_bindings(cls):
                yield PaletteCommand(
                    f"{title}: {binding.description}",
                    f"in {title}, key {app.get_key_display(binding)}",
                    _bind(app.run_in_section, mode, binding.action),
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
