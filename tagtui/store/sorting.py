"""The orders contacts are listed in, and the keyset that pages through each of them exactly.

A sort is a field and a direction (``email``, ``followers:desc``). The store lists a sort as a
run of *segments*, each one statement an index serves in order: the contacts with an email by
``email_key`` (then id), then those without one by id; for ``status``, the contacts of each
status in pipeline order (by name within it), then those with none. Empty values come last
in both directions. A page's key, ``(segment, value, id)`` of its last row, is where the next
page starts: in that segment, after that value and id; then the following segments.
"""

from __future__ import annotations

from dataclasses import dataclass

from tagtui.store.errors import ValidationError

#: The fields a listing can be sorted by, in the order the UI offers them.
SORT_FIELDS = ("name", "email", "company", "status", "tags", "assignee", "followers")
#: field -> the SQL value it sorts by, and whether a contact may have none.
_KEYS: dict[str, tuple[str, bool]] = {
    "name": ("c.name_key", False),
    "email": ("c.email_key", True),
    "company": ("lower(c.company)", True),
    # The tags as the column shows them, by name (``models.tags_key_of``); none: last.
    "tags": ("c.tags_key", True),
    "assignee": ("c.assignee_key", True),
    "followers": ("c.followers", False),
}


@dataclass(frozen=True)
class Sort:
    """A listing's order: ``field`` (one of ``SORT_FIELDS``), descending or not."""

    field: str = "name"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.field not in SORT_FIELDS:
            raise ValidationError(
                f"cannot sort by {self.field!r}: choose one of {', '.join(SORT_FIELDS)}", field="sort"
            )

    @property
    def text(self) -> str:
        """As written on the command line and stored with a view: ``email`` or ``email:desc``."""
        return f"{self.field}:desc" if self.descending else self.field

    def reversed(self) -> Sort:
        return Sort(self.field, not self.descending)


BY_NAME = Sort()


def parse_sort(text: str | None) -> Sort:
    """``FIELD`` or ``FIELD:asc`` / ``FIELD:desc`` (None or empty: by name)."""
    if text is None or not text.strip():
        return BY_NAME
    if not isinstance(text, str):
        raise ValidationError("the sort must be text such as 'email:desc'", field="sort")
    field, _, direction = text.strip().lower().partition(":")
    if direction not in ("", "asc", "desc"):
        raise ValidationError(f"sort direction {direction!r}: use asc or desc", field="sort")
    return Sort(field.strip(), direction == "desc")


@dataclass(frozen=True)
class Segment:
    """One part of a sort's order: the contacts ``condition`` selects, ordered by ``key`` (None:
    by id alone) in ``descending`` order, ties by id in the same direction."""

    condition: str
    key: str | None
    descending: bool

    def order_by(self) -> str:
        way = " DESC" if self.descending else ""
        return f"{self.key}{way}, c.id{way}" if self.key else f"c.id{way}"

    def after(self, value: object) -> str:
        """The condition for rows after ``(value, :after_id)`` (``:after_value`` is ``value``).
        The first conjunct is a range the index can seek to."""
        past, to = ("<", "<=") if self.descending else (">", ">=")
        if self.key is None:
            return f"c.id {past} :after_id"
        return f"{self.key} {to} :after_value AND ({self.key} {past} :after_value OR c.id {past} :after_id)"


def segments(sort: Sort, statuses: list[int]) -> list[Segment]:
    """The segments of ``sort``, in order; ``statuses`` are the status ids in pipeline order."""
    way = sort.descending
    if sort.field == "status":
        ordered = list(reversed(statuses)) if way else list(statuses)
        # Within a status the names go A to Z either way: "descending" is the pipeline reversed.
        return [Segment(f"c.status_id = {int(s)}", "c.name_key", False) for s in ordered] + [
            Segment("c.status_id IS NULL", "c.name_key", False)
        ]
    key, nullable = _KEYS[sort.field]
    if not nullable:
        return [Segment("1 = 1", key, way)]
    return [Segment(present(key), key, way), Segment(f"{key} IS NULL", None, way)]


def present(key: str) -> str:
    """The condition for rows whose sort value ``key`` is not NULL, as a range an index seeks to.

    SQLite seeks past the NULLs of a column's index for ``IS NOT NULL`` (``email_key>?``),
    not past those of an expression's: ``lower(c.company) IS NOT NULL`` walked the 90,715
    contacts with no company before the first page by company (7 ms at 1M). Every text that
    is not NULL is ``>= ''``, a range both engines seek to.
    """
    return f"{key} >= ''" if key.startswith("lower(") else f"{key} IS NOT NULL"


def combined_order(sort: Sort, statuses: list[int]) -> str:
    """The whole order of ``sort`` as one ORDER BY (for a page found by offset, not by key)."""
    if sort.field == "status":
        ordered = list(reversed(statuses)) if sort.descending else list(statuses)
        rank = " ".join(f"WHEN {int(s)} THEN {i}" for i, s in enumerate(ordered))
        place = f"CASE c.status_id {rank} ELSE {len(ordered)} END" if ordered else "0"
        return f"{place}, c.name_key, c.id"
    key, nullable = _KEYS[sort.field]
    way = " DESC" if sort.descending else ""
    blanks = f"CASE WHEN {key} IS NULL THEN 1 ELSE 0 END, " if nullable else ""
    return f"{blanks}{key}{way}, c.id{way}"


def segment_of(sort: Sort, statuses: list[int], status_id: int | None, value: object) -> int:
    """Which of ``segments(sort, statuses)`` a row with ``status_id`` and sort ``value`` is in."""
    if sort.field == "status":
        ordered = list(reversed(statuses)) if sort.descending else list(statuses)
        return ordered.index(status_id) if status_id in ordered else len(ordered)
    return 1 if value is None and _KEYS[sort.field][1] else 0
