"""How store values look on screen: tag chips, status chips, literal text. Rich ``Text`` only.

Every string from the database goes through ``literal`` (or a chip), so markup in a
name shows as its characters and control characters as visible placeholders.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from rich.text import Text

from tagtui.textsafe import visible

#: U+FE0F asks for an emoji's colour form (⚠️, 🎙️, 🛠️), which terminals draw one or two cells wide
#: as they please: a border after it moves. Without it every terminal and Rich agree on the width.
_EMOJI_FORM = "\ufe0f"


def shown(value: str | None) -> str:
    """Database text fit for a cell: controls made visible, no emoji-form selector."""
    text = visible(value or "")
    return text.replace(_EMOJI_FORM, "") if _EMOJI_FORM in text else text


def literal(value: str | None, style: str = "") -> Text:
    """Database text, shown exactly: never parsed as markup, controls made visible."""
    return Text(shown(value), style=style, end="")


def foreground_for(hex_color: str) -> str:
    """Black or white, whichever reads better on ``hex_color``."""
    try:
        r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#ffffff"
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#111111" if luminance > 150 else "#ffffff"


def chip(name: str, color: str, emoji: str | None = None) -> Text:
    """A colored label: `` ⭐ VIP `` on the tag's color."""
    label = f"{shown(emoji)} {shown(name)}" if emoji else shown(name)
    return Text(f" {label} ", style=f"{foreground_for(color)} on {color}", end="")


class Chipped(Protocol):
    """What a chip is drawn from: a tag, or a contact's reference to one."""

    @property
    def name(self) -> str: ...
    @property
    def color(self) -> str: ...
    @property
    def emoji(self) -> str | None: ...


def tag_chips(tags: Iterable[Chipped], *, limit: int | None = None) -> Text:
    """Chips for a contact's tags (objects with name, color, emoji), separated by spaces."""
    out = Text(end="")
    tags = list(tags)
    shown = tags if limit is None else tags[:limit]
    for i, tag in enumerate(shown):
        if i:
            out.append(" ")
        out.append_text(chip(tag.name, tag.color, tag.emoji))
    if limit is not None and len(tags) > limit:
        out.append(f" +{len(tags) - limit}", style="dim")
    return out


def status_chip(name: str | None, color: str | None) -> Text:
    if not name:
        return Text("—", style="dim", end="")
    return Text.assemble(("● ", color or "#64748b"), literal(name))


def swatch(color: str) -> Text:
    return Text("  ", style=f"on {color}", end="")


def count(n: int | None) -> str:
    return "…" if n is None else f"{n:,}"


def format_when(at: str, *, today: datetime | None = None, short: bool = False) -> str:
    """An event's time in local time: ``10:02`` today, ``2024-03-01 10:02`` before.

    ``short`` (narrow columns, at most 12 cells): ``Mar 01 10:02`` this year, ``2024-03-01`` before.
    """
    try:
        moment = datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).astimezone()
    except ValueError:
        return at[: 10 if short else 16]
    today = today or datetime.now().astimezone()
    if moment.date() == today.date():
        return moment.strftime("%H:%M")
    if not short:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.strftime("%b %d %H:%M") if moment.year == today.year else moment.strftime("%Y-%m-%d")
