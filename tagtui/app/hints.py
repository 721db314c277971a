"""Hint keys for triage: a short, stable key sequence for every tag and pipeline stage.

Tags get lower-case hints, stages upper-case ones, so the two never clash and one
keystroke (two when there are many tags) toggles a tag or sets a stage. Hints are
derived from the slugs alone, in creation order (by id): a tag keeps its hint when
tags are added after it, and nothing has to be stored. ``q`` is never a hint (it
quits everywhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

#: Lower-case hint letters: every letter but ``q`` (the shared quit key).
TAG_ALPHABET = "abcdefghijklmnoprstuvwxyz"
#: Upper-case hint letters for pipeline stages.
STAGE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _preferred(slug: str, alphabet: str) -> list[str]:
    """The letters a label would like as its hint: its own letters first, then the rest."""
    wanted: list[str] = []
    for word in slug.split("-"):
        if word:
            wanted.append(word[0])
    wanted.extend(slug.replace("-", ""))
    fold = str.upper if alphabet.isupper() else str.lower
    out: list[str] = []
    for ch in (fold(c) for c in wanted):
        if ch in alphabet and ch not in out:
            out.append(ch)
    out.extend(c for c in alphabet if c not in out)
    return out


def _singles_for(count: int, size: int) -> int:
    """How many one-letter hints to hand out so that ``count`` labels all get a hint.

    The remaining letters become prefixes of two-letter hints (``size`` combinations each).
    """
    if count <= size:
        return count
    for singles in range(size - 1, -1, -1):
        if singles + (size - singles) * size >= count:
            return singles
    raise ValueError(f"too many labels for two-letter hints: {count}")


def assign_hints(labels: Sequence[tuple[int, str]], alphabet: str = TAG_ALPHABET) -> dict[int, str]:
    """Hints for ``(id, slug)`` pairs: one letter each while the alphabet lasts, then two.

    Deterministic and prefix-free: no hint is the start of another, so a typed key
    is either a whole hint or waits for its second letter.
    """
    ordered = sorted(labels)
    size = len(alphabet)
    singles = _singles_for(len(ordered), size)
    # Letters that rarely start a word become the prefixes of the two-letter hints.
    prefixes = [c for c in reversed(alphabet)][: size - singles] if singles < len(ordered) else []
    free = [c for c in alphabet if c not in prefixes]
    hints: dict[int, str] = {}
    taken: set[str] = set()
    rest: list[tuple[int, str]] = []
    for i, (ident, slug) in enumerate(ordered):
        if i >= singles:
            rest.append((ident, slug))
            continue
        for ch in _preferred(slug, alphabet):
            if ch in free and ch not in taken:
                hints[ident] = ch
                taken.add(ch)
                break
    for ident, slug in rest:
        choice = None
        for second in _preferred(slug, alphabet):
            for prefix in prefixes:
                if prefix + second not in taken:
                    choice = prefix + second
                    break
            if choice:
                break
        assert choice is not None
        hints[ident] = choice
        taken.add(choice)
    return hints


class Hinted(Protocol):
    """What a hint is made for: a tag or a stage, by its id and slug."""

    @property
    def id(self) -> int: ...
    @property
    def slug(self) -> str: ...


def tag_hints(tags: Sequence[Hinted]) -> dict[int, str]:
    """Lower-case hints for tags (objects with ``id`` and ``slug``)."""
    return assign_hints([(t.id, t.slug) for t in tags], TAG_ALPHABET)


def stage_hints(statuses: Sequence[Hinted]) -> dict[int, str]:
    """Upper-case hints for pipeline stages (objects with ``id`` and ``slug``)."""
    return assign_hints([(s.id, s.slug) for s in statuses], STAGE_ALPHABET)


class HintReader:
    """Turns typed characters into a hint: a whole hint, a prefix waiting for more, or nothing."""

    def __init__(self) -> None:
        self.pending = ""
        self._hints: dict[str, tuple[str, int]] = {}

    def load(self, tags: dict[int, str], stages: dict[int, str]) -> None:
        self._hints = {h: ("tag", i) for i, h in tags.items()}
        self._hints.update({h: ("stage", i) for i, h in stages.items()})
        self.pending = ""

    def is_hint_char(self, ch: str | None) -> bool:
        return ch is not None and len(ch) == 1 and (ch in TAG_ALPHABET or ch in STAGE_ALPHABET)

    def feed(self, ch: str) -> tuple[str, int] | None:
        """Add a character; returns ``(kind, id)`` when a hint is complete."""
        typed = self.pending + ch
        found = self._hints.get(typed)
        if found is not None:
            self.pending = ""
            return found
        if any(h.startswith(typed) for h in self._hints):
            self.pending = typed
            return None
        # Not a hint: start over with this character alone.
        self.pending = ""
        if typed != ch:
            return self.feed(ch)
        return None
