"""CSV cells as tagtui writes and reads them: formula neutralising (SPEC §6) and quoting.

The rule is defined once, here, and applied in two places: by Python (``neutralise``,
``csv_quote``) and by the engine, whose SQL (``neutralise_sql``) is generated from the
same definition, so the two cannot drift apart (``tests/io/test_export_cells.py`` checks
them against each other and against the ``csv`` module on hostile text).

A cell whose first character a spreadsheet would run as a formula (``FORMULA_STARTS``)
gets a ``'`` in front. Text that already starts with quotes before such a character gets
one more, so that ``unneutralise`` gives back exactly the original.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tagtui.store.db import Database

#: Export puts ``QUOTE`` before a cell starting with one of these (CSV formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: What neutralising puts in front, and may already stand (repeated) before a formula start.
QUOTE = "'"
_FIRST_CHARS = frozenset((*FORMULA_STARTS, QUOTE))
#: What separates a contact's tags in its CSV cell (export writes it, import splits on it).
TAG_SEPARATOR = ";"
#: What makes ``csv.writer`` (QUOTE_MINIMAL) quote a cell.
CSV_SPECIAL = (",", '"', "\r", "\n")


def needs_neutralising(text: str) -> bool:
    """True if a spreadsheet would read ``text`` (or ``text`` less its leading quotes) as a formula."""
    return text[:1] in _FIRST_CHARS and text.lstrip(QUOTE)[:1] in FORMULA_STARTS


def neutralise(text: str) -> str:
    """``text`` safe to open in a spreadsheet: a ``'`` before a leading formula character."""
    return QUOTE + text if needs_neutralising(text) else text


def unneutralise(cell: str) -> str:
    """The cell as it was before ``neutralise``: the one ``'`` it added removed."""
    if cell[:1] == QUOTE and cell[1:].lstrip(QUOTE)[:1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def csv_quote(cell: str) -> str:
    """A CSV cell as ``csv.writer`` writes it: quoted (quotes doubled) only when it holds a
    comma, a quote, a CR or an LF."""
    if "," in cell or '"' in cell or "\r" in cell or "\n" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


#: The parameters ``neutralise_sql`` expressions take.
SQL_PARAMS: dict[str, Any] = {"xv_quote": QUOTE}


def neutralise_sql(db: Database, column: str) -> str:
    """SQL for ``neutralise`` of the text expression ``column`` (NULL stays NULL), made from
    the same definition: ``needs_neutralising``'s two tests of a first character, as code
    points (one cheap test of the first character decides for most cells). Takes
    ``SQL_PARAMS``."""
    first = ", ".join(str(ord(c)) for c in sorted(_FIRST_CHARS))
    starts = ", ".join(str(ord(c)) for c in sorted(FORMULA_STARTS))
    return (
        f"CASE WHEN {db.first_code(column)} IN ({first})"
        f" AND {db.first_code(f'ltrim({column}, :xv_quote)')} IN ({starts})"
        f" THEN :xv_quote || {column} ELSE {column} END"
    )
