"""Export: the contacts a filter selects, streamed as CSV, JSON or vCard 4.0.

Rows come from the store in keyset pages (tags named from the same row), so an export
of a million contacts never holds them all in memory; each batch is written at once.
tagtui's own CSV comes as lines the engine makes (``Store.iter_contact_csv``: quoted as
``csv.writer`` quotes, cells that a spreadsheet would run as a formula neutralised, SPEC §6,
in a way ``import`` undoes), JSON as objects the engine makes (``Store.iter_contact_json``:
escaped as the json module escapes); the other formats from plain tuples
(``Store.iter_contact_values``: ``csv.writer.writerows``, one ``write`` of joined vCards).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TextIO, TypeVar

from tagtui.io.formats import CSV_STYLES, FORMATS, in_words
from tagtui.io.vcard import card_text, split_name
from tagtui.io.vcard import escape as escape  # re-exported: export's escaping is the vCard writer's
from tagtui.io.vcard import fold as fold
from tagtui.query.filter import Filter
from tagtui.store.cells import TAG_SEPARATOR, neutralise
from tagtui.store.errors import ValidationError
from tagtui.store.imports import IMPORT_COLUMNS
from tagtui.store.jobs import Progress
from tagtui.store.types import ContactRow

if TYPE_CHECKING:
    from tagtui.store import Store

CSV_COLUMNS = IMPORT_COLUMNS  # what export writes, import reads
#: Google Contacts' CSV (the layout its "Google CSV" export wrote, which its import reads).
GOOGLE_COLUMNS = (
    "Name",
    "Given Name",
    "Family Name",
    "Notes",
    "Group Membership",
    "E-mail 1 - Type",
    "E-mail 1 - Value",
    "Phone 1 - Type",
    "Phone 1 - Value",
    "Organization 1 - Name",
)
GOOGLE_SEPARATOR = " ::: "
#: The group Google puts every contact of an account in.
GOOGLE_MY_CONTACTS = "* myContacts"
#: Outlook's CSV columns that hold tagtui's fields (Outlook maps them by name).
OUTLOOK_COLUMNS = (
    "First Name",
    "Last Name",
    "Company",
    "Mobile Phone",
    "Categories",
    "E-mail Address",
    "Notes",
)
OUTLOOK_SEPARATOR = ";"


#: Contacts read from the store at a time (one statement each) ...
READ_BATCH = 5000
#: ... and written, and told to ``progress``, at a time.
BATCH = 1000

T = TypeVar("T")


def export_contacts(
    store: Store,
    query: Filter,
    fmt: str,
    out: TextIO,
    *,
    progress: Progress | None = None,
    style: str = "spreadsheet",
) -> int:
    """Write the contacts ``query`` selects to ``out`` in ``fmt``; returns how many.

    ``style`` (one of ``CSV_STYLES``) says who reads a CSV: a spreadsheet, Google Contacts
    or Outlook. ``out`` for CSV should be opened with ``newline=""`` (the csv module writes
    CRLF). An unknown format or style, a style for another format than CSV, or a query
    naming an unknown tag is a ValidationError raised before anything is written.
    """
    if fmt not in FORMATS:
        raise ValidationError(f"unknown export format {fmt!r}: use {in_words(FORMATS)}", field="format")
    check_style(fmt, style)
    store.check_query(query)
    total = store.count_contacts(query) if progress else 0
    done = 0
    written_batches: Iterable[int]
    if fmt == "csv" and style == "spreadsheet":
        # The engine makes each line (quoted and neutralised as csv.writer would, SPEC §6).
        written_batches = _write_csv(_chunks(store.iter_contact_csv(query, batch=READ_BATCH)), out)
    elif fmt == "json":
        # The engine makes each object (escaped as the json module escapes).
        written_batches = _write_json(_chunks(store.iter_contact_json(query, batch=READ_BATCH)), out)
    else:
        writers = {
            "vcf": _write_vcards,
            "google": _write_google,
            "outlook": _write_outlook,
        }
        values = store.iter_contact_values(query, batch=READ_BATCH, notes=True)
        written_batches = writers[style if fmt == "csv" else fmt](_chunks(values), out)
    for written in written_batches:
        done += written
        if progress:
            progress(done, max(total, done))
    if progress and not done:
        progress(0, total)
    return done


def check_style(fmt: str, style: str) -> None:
    """ValidationError unless ``style`` is one of ``CSV_STYLES`` and fits ``fmt``."""
    if style not in CSV_STYLES:
        raise ValidationError(f"unknown export style {style!r}: use {', '.join(CSV_STYLES)}", field="for")
    if style != "spreadsheet" and fmt != "csv":
        raise ValidationError(f"an export for {style} is CSV, not {fmt}", field="for")


def _chunks(batches: Iterable[list[T]]) -> Iterator[list[T]]:
    for batch in batches:
        for start in range(0, len(batch), BATCH):
            yield batch[start : start + BATCH]


#: A contact as ``Store.iter_contact_values`` gives it: (id, name, email, company, phone,
#: assignee, followers, status, tag names, notes).
Values = tuple
Batches = Iterable[list[Values]]


# -- CSV ------------------------------------------------------------------------------------


def _scalars(row: ContactRow) -> tuple[object, ...]:
    """A contact's own fields, in the order CSV columns and ``_vcard`` take them."""
    return (row.id, row.name, row.email, row.company, row.phone, row.assignee, row.followers, row.status)


def csv_cells(row: ContactRow) -> list[str]:
    """A contact as CSV cells in ``CSV_COLUMNS`` order, formula-neutralised."""
    values = (*_scalars(row), TAG_SEPARATOR.join(t.name for t in row.tags))
    return ["" if v is None else neutralise(str(v)) for v in values]


def _write_csv(batches: Iterable[list[str]], out: TextIO) -> Iterator[int]:
    """tagtui's CSV: the header, then the lines the store made (``Store.iter_contact_csv``),
    a batch at a write."""
    csv.writer(out).writerow(CSV_COLUMNS)
    for lines in batches:
        out.write("".join(lines))
        yield len(lines)


def _write_google(batches: Batches, out: TextIO) -> Iterator[int]:
    """Google Contacts' columns; tags as groups after ``* myContacts``, joined by `` ::: ``."""
    writer = csv.writer(out)
    writer.writerow(GOOGLE_COLUMNS)
    for batch in batches:
        rows = []
        for _id, name, email, company, phone, _assignee, _followers, _status, tags, notes in batch:
            given, family = split_name(name)
            groups = GOOGLE_SEPARATOR.join((GOOGLE_MY_CONTACTS, *tags))
            rows.append(
                (
                    name,
                    given,
                    family,
                    notes,
                    groups,
                    "* Other" if email else None,
                    email,
                    "Mobile" if phone else None,
                    phone,
                    company,
                )
            )
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        out.write(buffer.getvalue())
        yield len(batch)


def _write_outlook(batches: Batches, out: TextIO) -> Iterator[int]:
    """Outlook's columns, tags as ``;``-separated categories, after a UTF-8 byte-order mark
    (without one, Outlook reads the file in the system's legacy code page)."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(OUTLOOK_COLUMNS)
    for batch in batches:
        rows = []
        for _id, name, email, company, phone, _assignee, _followers, _status, tags, notes in batch:
            given, family = split_name(name)
            rows.append((given, family, company, phone, OUTLOOK_SEPARATOR.join(tags), email, notes))
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        out.write(buffer.getvalue())
        yield len(batch)


# -- JSON -----------------------------------------------------------------------------------


def _write_json(batches: Iterable[list[str]], out: TextIO) -> Iterator[int]:
    """An array of the objects ``contacts list --json`` prints (``Store.iter_contact_json``),
    one per line."""
    first = True
    out.write("[")
    for objects in batches:
        out.write(("\n" if first else ",\n") + ",\n".join(objects))
        first = False
        yield len(objects)
    out.write("]\n" if first else "\n]\n")


# -- vCard 4.0 (RFC 6350), written by tagtui.io.vcard -------------------------------------------


def _write_vcards(batches: Batches, out: TextIO) -> Iterator[int]:
    for batch in batches:
        out.write("".join([card_text(*v[1:]) for v in batch]))
        yield len(batch)


def vcard(row: ContactRow, notes: str | None = None) -> str:
    """One contact as a vCard 4.0, CRLF line ends, folded at 75 octets."""
    return card_text(*_scalars(row)[1:], [t.name for t in row.tags], notes)  # type: ignore[arg-type]
