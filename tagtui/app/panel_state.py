"""The side panel's marks and the query, kept in step through the filter model.

The panel owns a few top-level terms of the query: one ``tag:a,b`` term (any), single
``tag:x`` terms (all), negated tag terms (none), ``tag:none``, one ``status:a,b`` term and
``status:none``. Every other top-level term (free text, assignee, ``or`` groups …) is
kept as written, so cycling a tag never loses the rest of what the user typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from tagtui.identity import slugify
from tagtui.query import (
    EVERYTHING,
    Filter,
    NoStatus,
    Not,
    NoTags,
    Or,
    Statuses,
    Tags,
    all_of,
    render,
    top_level_terms,
)

TagMode = Literal["any", "all", "none"]
#: The order a key press walks a tag through; ``None`` is "off".
CYCLE: tuple[TagMode | None, ...] = (None, "any", "all", "none")


@dataclass(frozen=True)
class PanelState:
    tags: dict[str, TagMode] = field(default_factory=dict)  # slug -> mode, in the order chosen
    no_tags: bool = False
    statuses: tuple[str, ...] = ()  # slugs, in the order chosen
    no_status: bool = False
    others: tuple[Filter, ...] = ()

    def tag_mode(self, slug: str) -> TagMode | None:
        return self.tags.get(slug)

    def cycle_tag(self, slug: str) -> PanelState:
        """The next mode of a tag: off → any → all → none → off."""
        now = CYCLE.index(self.tags.get(slug))
        after = CYCLE[(now + 1) % len(CYCLE)]
        tags = dict(self.tags)
        tags.pop(slug, None)
        if after is not None:
            tags[slug] = after
        return replace(self, tags=tags)

    def toggle_no_tags(self) -> PanelState:
        return replace(self, no_tags=not self.no_tags)

    def toggle_status(self, slug: str) -> PanelState:
        if slug in self.statuses:
            return replace(self, statuses=tuple(s for s in self.statuses if s != slug))
        return replace(self, statuses=(*self.statuses, slug))

    def toggle_no_status(self) -> PanelState:
        return replace(self, no_status=not self.no_status)

    def clear(self) -> PanelState:
        return PanelState(others=self.others)

    def to_filter(self) -> Filter:
        """The query: the terms the panel does not own first, as written, then the panel's."""
        parts: list[Filter] = list(self.others)
        any_tags = tuple(s for s, m in self.tags.items() if m == "any")
        if any_tags:
            parts.append(Tags(any_tags))
        parts.extend(Tags((s,)) for s, m in self.tags.items() if m == "all")
        parts.extend(Not(Tags((s,))) for s, m in self.tags.items() if m == "none")
        if self.no_tags:
            parts.append(NoTags())
        if self.statuses and self.no_status:
            parts.append(Or((Statuses(self.statuses), NoStatus())))
        elif self.statuses:
            parts.append(Statuses(self.statuses))
        elif self.no_status:
            parts.append(NoStatus())
        return all_of(*parts)

    def to_query(self) -> str:
        return render(self.to_filter())


def _known(values: Iterable[str], slugs: set[str]) -> list[str] | None:
    """The slugs of ``values`` if every one names a known label, else ``None``."""
    out = []
    for value in values:
        slug = slugify(value)
        if slug not in slugs:
            return None
        out.append(slug)
    return out


def state_from_filter(f: Filter, tag_slugs: Iterable[str], status_slugs: Iterable[str]) -> PanelState:
    """The panel marks a typed query implies; terms the panel cannot show stay in ``others``."""
    tag_set, status_set = set(tag_slugs), set(status_slugs)
    tags: dict[str, TagMode] = {}
    no_tags = False
    statuses: tuple[str, ...] = ()
    no_status = False
    have_any = have_statuses = False
    others: list[Filter] = []
    terms = () if f == EVERYTHING else top_level_terms(f)
    for term in terms:
        match term:
            case Tags(values) if len(values) > 1 and not have_any:
                found = _known(values, tag_set)
                if found is not None and not any(s in tags for s in found):
                    tags.update(dict.fromkeys(found, "any"))
                    have_any = True
                    continue
            case Tags(values) if len(values) == 1:
                found = _known(values, tag_set)
                if found is not None and found[0] not in tags:
                    tags[found[0]] = "all"
                    continue
            case Not(Tags(values)):
                found = _known(values, tag_set)
                if found is not None and not any(s in tags for s in found):
                    tags.update(dict.fromkeys(found, "none"))
                    continue
            case NoTags() if not no_tags:
                no_tags = True
                continue
            case Statuses(values) if not have_statuses:
                found = _known(values, status_set)
                if found is not None:
                    statuses, have_statuses = tuple(dict.fromkeys(found)), True
                    continue
            case NoStatus() if not no_status and not have_statuses:
                no_status = True
                have_statuses = True
                continue
            case Or((Statuses(values), NoStatus())) | Or((NoStatus(), Statuses(values))) if not have_statuses:
                found = _known(values, status_set)
                if found is not None:
                    statuses, no_status, have_statuses = tuple(dict.fromkeys(found)), True, True
                    continue
        others.append(term)
    return PanelState(
        tags=tags, no_tags=no_tags, statuses=statuses, no_status=no_status, others=tuple(others)
    )
