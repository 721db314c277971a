"""Export: the contacts a filter selects, streamed as CSV, JSON or vCard 4.0.

Rows come from ``Store.iter_contacts`` (keyset pages), so an export of a million contacts
never holds them all in memory. CSV cells that a spreadsheet would run as a formula are
neutralised (SPEC §6) in a way ``import`` undoes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, TextIO

from tagtui.query.filter import Filter
from tagtui.store.errors import ValidationError
from tagtui.store.imports import IMPORT_COLUMNS, TAG_SEPARATOR, neutralise
from tagtui.store.types import ContactRow

if TYPE_CHECKING:
    from tagtui.store import Store

FORMATS = ("csv", "json", "vcf")
CSV_COLUMNS = IMPORT_COLUMNS  # what export writes, import reads
BATCH = 1000
VCARD_LINE_OCTETS = 75

Progress = Callable[[int, int], None]


def export_contacts(
    store: Store, query: Filter, fmt: str, out: TextIO, *, progress: Progress | None = None
) -> int:
    """Write the contacts ``query`` selects to ``out`` in ``fmt``; returns how many.

    ``out`` for CSV should be opened with ``newline=""`` (the csv module writes CRLF).
    An unknown format or a query naming an unknown tag is a ValidationError raised before
    anything is written.
    """
    writers = {"csv": _write_csv, "json": _write_json, "vcf": _write_vcards}
    if fmt not in writers:
        raise ValidationError(f"unknown export format {fmt!r}: use csv, json or vcf", field="format")
    store.check_query(query)
    total = store.count_contacts(query) if progress else 0
    counted = _Counted(store.iter_contacts(query), progress, total)
    writers[fmt](store, counted, out)
    if progress:
        progress(counted.done, max(total, counted.done))
    return counted.done


class _Counted:
    """The rows, counted as they pass, with ``progress`` told every batch."""

    def __init__(self, rows: Iterator[ContactRow], progress: Progress | None, total: int) -> None:
        self._rows = rows
        self._progress = progress
        self._total = total
        self.done = 0

    def __iter__(self) -> Iterator[ContactRow]:
        for row in self._rows:
            yield row
            self.done += 1
            if self._progress and self.done % BATCH == 0:
                self._progress(self.done, max(self._total, self.done))

    def batches(self) -> Iterator[list[ContactRow]]:
        rows = iter(self)
        while batch := list(islice(rows, BATCH)):
            yield batch


# -- CSV ------------------------------------------------------------------------------------


def csv_cells(row: ContactRow) -> list[str]:
    """A contact as CSV cells in ``CSV_COLUMNS`` order, formula-neutralised."""
    values = (
        row.id,
        row.name,
        row.email,
        row.company,
        row.phone,
        row.assignee,
        row.followers,
        row.status,
        TAG_SEPARATOR.join(t.name for t in row.tags),
    )
    return ["" if v is None else neutralise(str(v)) for v in values]


def _write_csv(store: Store, rows: Iterable[ContactRow], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(csv_cells(row))


# -- JSON -----------------------------------------------------------------------------------


def _write_json(store: Store, rows: Iterable[ContactRow], out: TextIO) -> None:
    """An array of the objects ``contacts list --json`` prints, one per line."""
    first = True
    out.write("[")
    for row in rows:
        out.write("\n" if first else ",\n")
        out.write(json.dumps(row.to_json(), ensure_ascii=False))
        first = False
    out.write("]\n" if first else "\n]\n")


# -- vCard 4.0 (RFC 6350) -----------------------------------------------------------------------


def _write_vcards(store: Store, rows: _Counted, out: TextIO) -> None:
    for batch in rows.batches():
        notes = store.contact_notes([r.id for r in batch])
        for row in batch:
            out.write(vcard(row, notes.get(row.id)))


def vcard(row: ContactRow, notes: str | None = None) -> str:
    """One contact as a vCard 4.0, CRLF line ends, folded at 75 octets."""
    given, family = _split_name(row.name)
    props: list[tuple[str, str | None]] = [
        ("BEGIN", "VCARD"),
        ("VERSION", "4.0"),
        ("FN", escape(row.name)),
        ("N", ";".join((escape(family), escape(given), "", "", ""))),
        ("EMAIL", escape(row.email)),
        ("ORG", escape(row.company)),
        ("TEL", escape(row.phone)),
        ("CATEGORIES", ",".join(escape(t.name) for t in row.tags) or None),
        ("NOTE", escape(notes)),
        ("X-TAGTUI-STATUS", escape(row.status)),
        ("X-TAGTUI-FOLLOWERS", str(row.followers)),
        ("X-TAGTUI-ASSIGNEE", escape(row.assignee)),
        ("END", "VCARD"),
    ]
    return "".join(fold(f"{name}:{value}") for name, value in props if value)


_ESCAPES: dict[int, str | None] = {
    ord("\\"): "\\\\",
    ord(","): "\\,",
    ord(";"): "\\;",
    ord("\n"): "\\n",
    ord("\r"): "\\n",
}
# Other control characters are not allowed in a vCard value (tab is): they are dropped.
_ESCAPES.update({c: None for c in (*range(0x20), 0x7F) if chr(c) not in "\t\n\r"})


def escape(text: str | None) -> str:
    """A text value with RFC 6350's escapes: backslash, comma, semicolon and newline."""
    if not text:
        return ""
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_ESCAPES)


def fold(line: str) -> str:
    """``line`` + CRLF, folded so no physical line passes 75 octets (never inside a character)."""
    data = line.encode("utf-8")
    if len(data) <= VCARD_LINE_OCTETS:
        return line + "\r\n"
    parts: list[bytes] = []
    limit = VCARD_LINE_OCTETS
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a UTF-8 continuation byte
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
        limit = VCARD_LINE_OCTETS - 1  # continuation lines begin with a space
    parts.append(data)
    return "\r\n ".join(p.decode("utf-8") for p in parts) + "\r\n"


def _split_name(name: str) -> tuple[str, str]:
    """(given, family): the last word is taken as the family name."""
    parts = name.rsplit(" ", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (name, "")
