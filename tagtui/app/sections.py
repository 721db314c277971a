"""The one registry of where the app goes from anywhere: the four sections (SPEC §4, one mode each,
reached by their number key) and what the app's own keys open over them. The app builds its modes
and section keys from it and the command palette lists it; neither names a screen by hand."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from textual.screen import Screen

from tagtui.app.screens.board import BoardScreen
from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.statuses import StatusesScreen
from tagtui.app.screens.tags import TagsScreen


@dataclass(frozen=True)
class Section:
    """A section: a mode of the app that keeps its state while another is shown."""

    #: The mode's name (``action_section``'s argument, the ``app.<name>`` binding id).
    name: str
    key: str
    title: str
    screen: type[Screen[Any]]


@dataclass(frozen=True)
class Place:
    """What the app's own action ``action_<name>`` does from any section, as the palette offers it.

    ``module`` and ``class_name`` name the screen it pushes over the section (imported when first
    shown, so start-up does not pay for it); empty for an action that shows no screen of its own.
    """

    name: str
    title: str
    help: str
    module: str = ""
    class_name: str = ""

    def screen(self) -> type[Screen[Any]]:
        cls: type[Screen[Any]] = getattr(importlib.import_module(self.module), self.class_name)
        return cls


#: The sections, in the order of their keys.
SECTIONS: tuple[Section, ...] = (
    Section("contacts", "1", "Contacts", ContactsScreen),
    Section("tags", "2", "Tags", TagsScreen),
    Section("statuses", "3", "Statuses", StatusesScreen),
    Section("board", "4", "Board", BoardScreen),
)

_SCREENS = "tagtui.app.screens"

#: The app's own places and steps, in the order the command palette lists them (after the sections).
PLACES: tuple[Place, ...] = (
    Place("help", "Help", "every key of every screen (?)", f"{_SCREENS}.help", "HelpScreen"),
    Place("undo", "Undo", "take back the last change (ctrl+z)"),
    Place("redo", "Redo", "do again the change undone last (ctrl+y)"),
    Place("rules", "Rules", "automation rules: add, preview, apply (R)", f"{_SCREENS}.rules", "RulesScreen"),
    Place(
        "history",
        "History",
        "what changed, who changed it, what was undone",
        f"{_SCREENS}.history",
        "HistoryScreen",
    ),
    Place(
        "sync", "Sync", "address books: sync now, last sync, conflicts (S)", f"{_SCREENS}.sync", "SyncScreen"
    ),
)


_PLACES = {p.name: p for p in PLACES}


def place(name: str) -> Place:
    """The place named ``name`` (KeyError for a name not in ``PLACES``)."""
    return _PLACES[name]
