"""Completing a query as it is typed, and the closest names to a misspelt one.

Pure functions over a ``Vocabulary`` (the workspace's tag and status slugs and names and its
assignees, read by one store call): the query bar's Tab and inline suggestion use
``complete``, and the "did you mean" of an unknown tag or status uses ``closest``.
Prefix matches come first, then fuzzy ones (a subsequence, ranked by ``difflib``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from tagtui.query.parse import FIELDS, ends_bare_word
from tagtui.query.render import quote

__all__ = ["FIELD_WORDS", "Vocabulary", "closest", "complete"]

#: What Tab offers for a field name: the text it inserts.
FIELD_WORDS: tuple[str, ...] = ("tag:", "status:", "assignee:", "followers")


@dataclass(frozen=True)
class Vocabulary:
    """The words a query may use in this workspace."""

    #: ``(slug, name)`` of every tag and every status.
    tags: tuple[tuple[str, str], ...] = ()
    statuses: tuple[tuple[str, str], ...] = ()
    #: Every assignee, as first written.
    assignees: tuple[str, ...] = field(default=())

    def values(self, field_name: str) -> list[tuple[str, str]]:
        """``(text to insert, name)`` for the values of ``tag``, ``status`` or ``assignee``."""
        if field_name == "tag":
            return list(self.tags)
        if field_name == "status":
            return list(self.statuses)
        return [(a, a) for a in self.assignees]


def _subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def closest(word: str, candidates: list[tuple[str, str]] | list[str], *, limit: int = 3) -> list[str]:
    """The candidates nearest ``word``: those it begins, then fuzzy ones (by ``difflib``).

    A candidate is a text, or ``(text, name)`` when it may also be found by another name
    (a slug and its tag's name); the text is what is returned.
    """
    pairs = [(c, c) if isinstance(c, str) else c for c in candidates]
    needle = word.strip().lower()
    if not needle:
        return []
    out: list[str] = []

    def add(text: str) -> None:
        if text not in out and len(out) < limit:
            out.append(text)

    for text, name in pairs:
        if text.lower().startswith(needle) or name.lower().startswith(needle):
            add(text)
    # Fuzzy: those that contain it, the closest by similarity ratio, those that hold its
    # letters in order (closest first).
    keys: dict[str, str] = {}
    for text, name in pairs:
        keys.setdefault(text.lower(), text)
        keys.setdefault(name.lower(), text)
    for key in keys:
        if len(needle) >= 2 and needle in key:
            add(keys[key])
    for key in difflib.get_close_matches(needle, list(keys), n=limit * 2, cutoff=0.6):
        add(keys[key])
    scored = sorted(
        (-difflib.SequenceMatcher(None, needle, key).ratio(), key)
        for key in keys
        if len(needle) >= 2 and _subsequence(needle, key)
    )
    for _, key in scored:
        add(keys[key])
    return out


def _last_word_start(text: str) -> int:
    """Where the word that ``text`` ends with begins (after white space or ``(``)."""
    i = len(text)
    while i > 0 and not (text[i - 1].isspace() or text[i - 1] == "("):
        i -= 1
    return i


def _bare(value: str) -> str:
    ok = value and not any(ends_bare_word(ch) or ch == '"' for ch in value) and value.lower() != "none"
    return value if ok else quote(value)


def complete(text: str, words: Vocabulary, *, fuzzy: bool = True) -> str | None:
    """``text`` with the word it ends with completed, or ``None`` when nothing fits.

    A field name (``sta`` → ``status:``), or a value after ``tag:``, ``status:`` or
    ``assignee:`` (``tag:vi`` → ``tag:vip``; after a comma too). Prefix matches only unless
    ``fuzzy``; a value already complete is left alone.
    """
    start = _last_word_start(text)
    word = text[start:]
    head = text[:start]
    negation = ""
    while word.startswith("-"):
        negation += "-"
        word = word[1:]
    if not word or any(ch in word for ch in '"<>='):
        return None  # quoted text, or a number comparison: nothing to complete
    colon = word.find(":")
    if colon < 0:
        lowered = word.lower()
        if lowered in ("and", "or", "not"):
            return None
        for option in FIELD_WORDS:
            if option.startswith(lowered) and option != lowered:
                return head + negation + option
        if fuzzy and len(lowered) >= 3:
            near = difflib.get_close_matches(lowered, [w.rstrip(":") for w in FIELD_WORDS], n=1, cutoff=0.7)
            if near:
                return head + negation + next(w for w in FIELD_WORDS if w.rstrip(":") == near[0])
        return None
    field_name = FIELDS.get(word[:colon].lower())
    if field_name is None or field_name == "followers":
        return None
    values = word[colon + 1 :]
    comma = values.rfind(",")
    partial = values[comma + 1 :]
    done = word[: colon + 1] + values[: comma + 1]
    candidates = words.values(field_name)
    if not partial:
        return None
    lowered = partial.lower()
    if any(lowered in (text.lower(), name.lower()) for text, name in candidates):
        return None  # already a whole value
    prefixed = [
        t for t, name in candidates if t.lower().startswith(lowered) or name.lower().startswith(lowered)
    ]
    if prefixed:
        choice = prefixed[0]
    elif fuzzy:
        near = closest(partial, candidates, limit=1)
        if not near:
            return None
        choice = near[0]
    else:
        return None
    return head + negation + done + _bare(choice)
