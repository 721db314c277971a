"""Import from files: CSV (tagtui's columns or another tool's, mapped by alias) and vCard.

A file becomes rows of contact fields. Rows that cannot become a contact are skipped and
reported with their line and why; ``Store.import_rows`` applies SPEC §5's rules to the rest
in one transaction. The file is read as a stream (never whole into memory), split into lines
(CR LF, LF or a lone CR) and decoded line by line, so that a byte that does not decode is
reported with its line number; UTF-16/32 (found by a byte-order mark) is decoded first.
"""

from __future__ import annotations

import contextlib
import csv
import os
import pickle
import re
import struct
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, TYPE_CHECKING, Any, BinaryIO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from tagtui.io.text_files import (
    DEFAULT_ENCODING,
    FileContact,
    TextLines,
    check_encoding,
    file_size,
    open_file,
    sniff_encoding,
)
from tagtui.store.engines import cores
from tagtui.store.errors import FileError, ValidationError
from tagtui.store.imports import (
    BATCH,
    IMPORT_COLUMNS,
    CheckedRow,
    CheckedRows,
    ImportResult,
    SkippedRow,
    check_rows,
    unneutralise,
)
from tagtui.store.types import JsonRecord

if TYPE_CHECKING:
    from tagtui.store import Store


#: The fields a column can be mapped to. ``first_name``, ``middle_name`` and ``last_name`` make
#: the name when no ``name`` column has one; ``id`` is read and ignored (as SPEC §5 says).
FIELDS = (
    "name",
    "first_name",
    "middle_name",
    "last_name",
    "email",
    "company",
    "phone",
    "tags",
    "status",
    "assignee",
    "followers",
    "notes",
    "id",
)

#: Column names other tools write, per field, best first. Compared without case, spaces or
#: punctuation ("E-mail Address" = "email address" = "EmailAddress").
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "name": ("name", "full name", "display name", "contact name", "person - name", "person name"),
    "first_name": ("first name", "given name", "firstname", "person - first name"),
    "middle_name": ("middle name", "additional name", "middlename"),
    "last_name": ("last name", "family name", "surname", "lastname", "person - last name"),
    "email": (
        "email",
        "e-mail address",  # Outlook
        "e-mail 1 - value",  # Google
        "email address",
        "primary email",
        "person - email",
        "person - email - work",  # Pipedrive
        "email - work",
        "work email",
        "person - email - home",
        "email - home",
        "person - email - other",
        "e-mail 2 address",
        "e-mail 2 - value",
    ),
    "company": (
        "company",
        "company name",  # HubSpot
        "organization",
        "organization name",  # Google (current layout)
        "organization 1 - name",  # Google (older layout)
        "organization - name",  # Pipedrive
        "person - organization",
        "organisation",
        "account name",
    ),
    "phone": (
        "phone",
        "phone number",  # HubSpot
        "primary phone",
        "mobile phone",
        "mobile phone number",
        "business phone",
        "phone 1 - value",  # Google
        "person - phone",
        "person - phone - work",  # Pipedrive
        "phone - work",
        "person - phone - mobile",
        "phone - mobile",
        "mobile",
        "work phone",
        "home phone",
        "telephone",
    ),
    "tags": (
        "tags",
        "labels",  # Google (current layout), Pipedrive
        "label",
        "person - labels",
        "person - label",
        "categories",  # Outlook
        "group membership",  # Google (older layout)
    ),
    "status": ("status", "lifecycle stage", "stage", "deal stage", "deal - stage", "lead status"),
    "assignee": ("assignee", "owner", "contact owner", "person - owner", "assigned to"),
    "followers": ("followers", "follower count"),
    "notes": ("notes", "note", "person - notes", "person - note", "description"),
}

#: Google's system groups, which every contact is in or which only mark a favourite.
GOOGLE_SYSTEM_GROUPS = frozenset({"mycontacts", "starred", "other"})
#: ``progress`` is told once per this many rows read (and once at the end).
PROGRESS_ROWS = 500
#: How many skipped rows a report keeps with their reasons (all are counted).
SKIPPED_KEPT = 1000
#: A nameless row finds the contact a row this many rows before it named (or any number:
#: earlier batches are in the database by then, the current one is in the store's memory).
NAMED_KEPT = 4 * BATCH

#: csv's default limit on a cell: a longer cell skips its row, reported (no field holds that
#: much). Cells up to ``READ_LIMIT`` are read to find where their row ends; a longer one
#: (a quote left open, most likely) refuses the file.
CELL_LIMIT = 131_072
READ_LIMIT = 64 * 1024 * 1024
if csv.field_size_limit() < READ_LIMIT:
    csv.field_size_limit(READ_LIMIT)  # process-wide: tagtui's only CSV reader is this module

Progress = Callable[[int, int], None]

__all__ = [
    "FIELDS",
    "ColumnMapping",
    "ImportReport",
    "ImportResult",
    "Skipped",
    "import_csv",
    "import_file",
    "parse_map",
    "preview_file",
    "read_csv",
]


def _key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


_ALIAS_RANK: dict[str, tuple[str, int]] = {}
for _field, _names in ALIASES.items():
    for _rank, _name in enumerate(_names):
        _ALIAS_RANK.setdefault(_key(_name), (_field, _rank))


# -- the mapping ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping(JsonRecord):
    """The field each column of a file goes to (``None``: ignored), in the file's order."""

    columns: tuple[str, ...]
    fields: tuple[str | None, ...]
    #: Columns whose field the user chose: they come first when several hold one field.
    chosen: frozenset[int] = frozenset()

    @classmethod
    def detect(cls, columns: Sequence[str]) -> ColumnMapping:
        """Each column mapped by its name: tagtui's own, or an alias other tools use."""
        fields: list[str | None] = []
        for column in columns:
            found = _ALIAS_RANK.get(_key(column))
            fields.append(found[0] if found else None)
        return cls(tuple(columns), tuple(fields))

    def override(self, overrides: Mapping[str, str | None]) -> ColumnMapping:
        """The mapping with ``{column: field or None}`` applied; ValidationError for a column
        the file lacks or a field tagtui does not have."""
        fields = list(self.fields)
        chosen = set(self.chosen)
        for column, value in overrides.items():
            target = _field_name(value)
            positions = [i for i, c in enumerate(self.columns) if c.strip() == column.strip()]
            if not positions:
                positions = [i for i, c in enumerate(self.columns) if _key(c) == _key(column)]
            if not positions:
                known = ", ".join(repr(c) for c in self.columns[:12] if c) or "none"
                raise ValidationError(
                    f"--map {column!r}: the file has no such column (its columns are {known})",
                    field="map",
                )
            for i in positions:
                fields[i] = target
                chosen.add(i)
        return ColumnMapping(self.columns, tuple(fields), frozenset(chosen))

    def with_field(self, index: int, value: str | None) -> ColumnMapping:
        """The mapping with column ``index`` sent to ``value`` (the UI changes one at a time)."""
        fields = list(self.fields)
        fields[index] = _field_name(value)
        return ColumnMapping(self.columns, tuple(fields), self.chosen | {index})

    @property
    def used(self) -> list[tuple[str, str]]:
        return [(c, f) for c, f in zip(self.columns, self.fields, strict=True) if f]

    @property
    def ignored(self) -> list[str]:
        return [c for c, f in zip(self.columns, self.fields, strict=True) if not f and c.strip()]

    @property
    def is_plain(self) -> bool:
        """Whether the file has exactly tagtui's own columns (as export writes them)."""
        return all(_key(c) == f for c, f in zip(self.columns, self.fields, strict=True))

    def to_json(self) -> dict[str, Any]:  # the columns used, as pairs
        return {
            "columns": [{"column": c, "field": f} for c, f in self.used],
            "ignored": self.ignored,
        }

    def describe(self) -> list[str]:
        """Lines for a person: ``column → field`` for each used column, then the ignored ones."""
        lines = [f"  {c} → {f}" for c, f in self.used]
        if self.ignored:
            lines.append("  ignored: " + ", ".join(self.ignored))
        return lines

    def check(self, where: str) -> None:
        """ValidationError unless some column gives a name or an email."""
        if not {"name", "first_name", "last_name", "email"} & set(self.fields):
            found = ", ".join(repr(c) for c in self.columns[:10] if c) or "none"
            raise ValidationError(
                f"{where}: no 'name' or 'email' column (the columns are {found});"
                f" expected {', '.join(IMPORT_COLUMNS)}, or another tool's name for name or"
                " email (e.g. 'Full Name', 'First Name', 'E-mail Address')",
                field="file",
            )

    def _plan(self) -> dict[str, list[int]]:
        """For each field, its columns in the order they are tried (chosen, then best alias)."""
        plan: dict[str, list[tuple[tuple[int, int, int], int]]] = {}
        for i, (column, target) in enumerate(zip(self.columns, self.fields, strict=True)):
            if not target:
                continue
            alias = _ALIAS_RANK.get(_key(column))
            rank = alias[1] if alias and alias[0] == target else len(ALIASES.get(target, ()))
            plan.setdefault(target, []).append(((0 if i in self.chosen else 1, rank, i), i))
        return {f: [i for _, i in sorted(items)] for f, items in plan.items()}


def _field_name(value: str | None) -> str | None:
    if value is None:
        return None
    name = value.strip().lower().replace(" ", "_").replace("-", "_")
    if name in ("", "ignore", "none"):
        return None
    if name not in FIELDS:
        raise ValidationError(
            f"unknown field {value!r}: use one of {', '.join(FIELDS)}, or nothing to ignore the column",
            field="map",
        )
    return name


def parse_map(options: Iterable[str]) -> dict[str, str | None]:
    """``--map COLUMN=FIELD`` options as ``{column: field or None}`` (``COLUMN=`` ignores it)."""
    overrides: dict[str, str | None] = {}
    for option in options:
        column, sep, value = option.rpartition("=")
        if not sep or not column.strip():
            raise ValidationError(
                f'--map {option!r}: write COLUMN=FIELD (e.g. "E-mail 1 - Value=email"),'
                " or COLUMN= to ignore a column",
                field="map",
            )
        overrides[column] = _field_name(value)
    return overrides


# -- rows to contacts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped(JsonRecord):
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportReport(JsonRecord):
    """What an import did: the store's counts, the mapping used and the rows skipped."""

    result: ImportResult
    format: str
    mapping: ColumnMapping | None
    skipped: list[Skipped]
    skipped_count: int

    def to_json(self) -> dict[str, Any]:  # the store's counts, then what the file's reading adds
        data = self.result.to_json()
        data["format"] = self.format
        data["skipped"] = self.skipped_count
        data["skipped_rows"] = [s.to_json() for s in self.skipped]
        if self.mapping is not None:
            data["mapping"] = self.mapping.to_json()
        return data


class Checked:
    """The rows of a reader for ``Store.import_rows``, and the report of those it skips.

    The store checks each row once: one that cannot become a contact (a reader's problem, no
    name and no email, a value the store would refuse — an invalid email, a field past its
    length, followers that are not a whole number, a tag or status name without letters or
    digits — or no name for an email no contact has) comes back to ``skip`` and is kept in
    ``skipped`` with its line and why; with ``strict`` it refuses the import. Iterating
    again starts the report afresh (the store may retry a transaction).
    """

    def __init__(
        self,
        store: Store,
        rows: Iterable[FileContact],
        progress: Callable[[], None] | None,
        *,
        strict: bool = False,
    ) -> None:
        self._strict = strict
        self._store = store
        self._rows = rows
        self._progress = progress
        self.skipped: list[Skipped] = []
        self.skipped_count = 0

    def __iter__(self) -> Iterator[FileContact]:
        self.skipped = []
        self.skipped_count = 0
        progress = self._progress
        if progress is None:
            yield from self._rows
            return
        for n, row in enumerate(self._rows, start=1):
            if n % PROGRESS_ROWS == 0:
                progress()
            yield row
        progress()

    def skip(self, row: Any, reason: str) -> None:
        line = getattr(row, "line", None) or 0
        if self._strict:
            raise ValidationError(f"line {line}: {reason}; nothing was imported", field="file")
        self.skipped_count += 1
        if len(self.skipped) < SKIPPED_KEPT:
            self.skipped.append(Skipped(line, reason))


class _CheckedElsewhere(Checked, CheckedRows):
    """``Checked`` over rows the store's ``check_rows`` checked already (``ParallelRows``): the
    store takes them as they are, and reports the skipped ones to ``skip`` as ever."""


# -- CSV ----------------------------------------------------------------------------------------


class CsvFile:
    """A CSV file's header and data rows; iterating again reads the file again.

    The delimiter is ``delimiter`` when given, else the one Excel's ``sep=X`` first line
    names, else the one of ``,``, ``;``, tab and ``|`` that the header line holds most of
    (outside quotes; ``,`` on a tie or when it holds none).
    """

    def __init__(self, path: str, encoding: str | None = None, delimiter: str | None = None) -> None:
        self.path = path
        self.encoding = encoding or DEFAULT_ENCODING
        self.given = encoding
        check_encoding(self.encoding, encoding)
        self.delimiter = parse_delimiter(delimiter)
        self.position = 0  # bytes read so far, for progress
        self.size = file_size(path)

    def header(self) -> tuple[list[str], int]:
        """The columns (as written, a BOM removed) and the line they are on."""
        for line, record in self._records():
            return record, line
        raise ValidationError(
            f"{self.path} is empty: the first line must name the columns"
            f" ({', '.join(IMPORT_COLUMNS)}), with at least name or email",
            field="file",
        )

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) of each data row."""
        records = self._records()
        next(records, None)
        yield from records

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        fh = open_file(self.path)
        with fh:
            lines = TextLines(fh, self.given, self.path)
            delimiter = self._delimiter(lines)
            # strict: a quote left open at the end of the file is an error, not one long cell
            reader = csv.reader(lines, strict=True, delimiter=delimiter)
            first = True
            while True:
                start = lines.count + 1
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    message = f"{self.path}, line {start}: {_csv_error(exc)}"
                    raise ValidationError(message, field="file") from exc
                except OSError as exc:
                    raise FileError(f"cannot read {self.path}: {exc.strerror or exc}", field="file") from exc
                self.position = lines.position
                if not any(map(str.strip, record)):
                    continue  # a blank line
                if first:
                    record = [c.strip() for c in record]
                    record[0] = record[0].lstrip("\ufeff").strip()  # a BOM left by --encoding utf-8
                    first = False
                yield start, record

    def _delimiter(self, lines: TextLines) -> str:
        """The delimiter (see the class), reading past a ``sep=X`` line if there is one."""
        head = lines.peek(1)
        if head and (sep := _SEP_LINE.fullmatch(head[0].lstrip("\ufeff").rstrip("\r\n"))):
            next(lines)  # Excel's "sep=;": not the header, and not data
            return self.delimiter or sep.group(1) or sep.group(2)
        if self.delimiter:
            return self.delimiter
        for text in lines.peek(MAX_HEADER_LINES):
            if text.strip():
                return guess_delimiter(text)
        return ","

    def sample(self, limit: int = 50) -> tuple[list[str], list[str]]:
        """The columns and, for each, the first value met in the first ``limit`` rows."""
        columns, _ = self.header()
        values = [""] * len(columns)
        for n, (_, record) in enumerate(self.records()):
            if n >= limit or all(values):
                break
            for i, cell in enumerate(record[: len(columns)]):
                if not values[i] and cell.strip():
                    values[i] = cell.strip()
        return columns, values


#: Excel's first line naming the delimiter: ``sep=;`` (sometimes quoted: ``"sep=;"``).
_SEP_LINE = re.compile(r'(?i)\s*(?:sep=(.)|"sep=(.)")[,;\t|]*\s*')
#: The delimiters a file's header line is searched for, preferred in this order on a tie.
DELIMITERS = (",", ";", "\t", "|")
#: How many lines are looked through for the header (blank lines may come first).
MAX_HEADER_LINES = 20
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}


def parse_delimiter(value: str | None) -> str | None:
    """``--delimiter``: one character, or ``tab`` / ``\\t``, ``comma``, ``semicolon``, ``pipe``."""
    if value is None or value == "":
        return None
    found = _DELIMITER_NAMES.get(value.lower(), value)
    if len(found) != 1 or found in ('"', "\r", "\n"):
        raise ValidationError(
            f"--delimiter {value!r}: give one character (e.g. ';'), or tab, comma, semicolon or pipe",
            field="delimiter",
        )
    return found


def guess_delimiter(line: str) -> str:
    """The one of ``DELIMITERS`` that ``line`` (a header) holds most of outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # the first of the best on a tie
    return best if counts[best] else ","


def _csv_error(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"a cell is larger than {csv.field_size_limit():,} characters (is a quote left open?);"
            " nothing was imported"
        )
    return text


def rows_of_csv(
    source: CsvFile, mapping: ColumnMapping, skip: int = 0, stop: int | None = None
) -> Iterator[FileContact]:
    """The file's rows as the mapping reads them: those from ``skip`` (the rows before are
    read, not made) up to ``stop`` (None: the end)."""
    plan = mapping._plan()
    width = len(mapping.columns)
    # The mapping worked out once: a field from one column (the usual case; email and phone
    # apart, for Google's " ::: "), a field tried in several columns (the first non-blank
    # wins), and the tag columns. ``id`` is read and ignored: it is not looked at.
    split = ("email", "phone")
    single = [(t, ps[0]) for t, ps in plan.items() if t not in ("tags", "id") and len(ps) == 1]
    plain = [(t, i) for t, i in single if t not in split]
    multi = [(t, i) for t, i in single if t in split]
    several = [(t, ps) for t, ps in plan.items() if t not in ("tags", "id") and len(ps) > 1]
    tag_columns = [(i, _key(mapping.columns[i]) == "tags") for i in plan.get("tags", ())]
    parts = [k for k in ("first_name", "middle_name", "last_name") if k in plan]
    padding = [""] * width
    for line, record in islice(source.records(), skip, stop):
        row = FileContact()
        row.line = line
        n = len(record)
        longest = max(map(len, record), default=0)
        if longest > CELL_LIMIT:
            row.problem = f"a cell of {longest:,} characters (at most {CELL_LIMIT:,})"
            yield row
            continue
        if n < width:
            record += padding[n:]  # a short row's missing cells are blank
        elif n > width:
            # A row longer than the header lost its alignment (a stray comma or quote):
            # which cell is which is a guess, so the row is reported rather than imported.
            extra = [c for c in map(_cell, record[width:]) if c]
            if extra:
                row.problem = (
                    f"{n} cells but the header names {width}"
                    f" (extra: {', '.join(repr(c[:20]) for c in extra[:3])})"
                )
        # Each cell used: the ' that export put before a formula cell taken off (SPEC §5),
        # then the blanks (``_cell``, written out here: this runs for every cell of the file).
        for target, i in plain:
            value = record[i]
            if value and (value := (value if value[:1] != "'" else unneutralise(value)).strip()):
                row[target] = value
        for target, i in multi:
            value = record[i]
            if value and (value := (value if value[:1] != "'" else unneutralise(value)).strip()):
                if " ::: " in value:
                    value = value.split(" ::: ")[0].strip()  # Google: several in one cell
                row[target] = value
        for target, positions in several:
            values = [c for i in positions if (c := _cell(record[i]))]
            if values:
                value = values[0]
                if target in split and " ::: " in value:
                    value = value.split(" ::: ")[0].strip()
                row[target] = value
        if tag_columns:
            tags = [t for i, own in tag_columns if (c := _cell(record[i])) for t in _tags(c, own)]
            if tags:
                row["tags"] = tags
        if parts:
            names = [row.pop(k) for k in parts if k in row]
            if names and "name" not in row:
                row["name"] = " ".join(names)
        yield row


def _cell(cell: str) -> str:
    """A cell's text: the ' export put before a formula cell taken off, then the blanks."""
    return (cell if cell[:1] != "'" else unneutralise(cell)).strip()


def _tags(cell: str, own: bool) -> list[str]:
    """The tags of a cell: tagtui's own ``tags`` column (``own``) split on ``;``; another
    tool's labels on ``:::`` (Google), else ``;`` or ``,``. Google's system groups are left
    out, others lose ``* ``."""
    if not cell:
        return []
    if own:
        if "*" not in cell:
            return [name for part in cell.split(";") if (name := part.strip())]
        parts = cell.split(";")
    elif ":::" in cell:
        parts = cell.split(":::")
    else:
        parts = cell.replace(",", ";").split(";")
    tags = []
    for part in parts:
        name = part.strip()
        if name.startswith("*"):
            name = name[1:].strip()
            if _key(name) in GOOGLE_SYSTEM_GROUPS:
                continue
        if name:
            tags.append(name)
    return tags


# -- a large file: read in a second process ---------------------------------------------------
#
# Reading a CSV file and checking its rows (``rows_of_csv``, then the store's ``check_rows``) is
# about two fifths of an import's time and needs nothing of the database; writing the rows is the
# rest and needs none of the reading. So for a file of ``PARALLEL_BYTES`` or more on a machine
# with more than one core, a child process (``tagtui.io.parallel``) reads and checks the rows
# and sends them over a pipe a batch at a time while this process writes the batch before: the
# store gets the same ``CheckedRow`` and ``SkippedRow`` objects, in the same order, as it would
# make itself (``Store.import_rows`` takes a ``CheckedRows`` as it is). The pipe holds a few
# batches (``PIPE_BYTES``), so the child is never far ahead (memory stays that of a few batches).

#: A smaller file is read in this process: starting the child (~0.1 s) would cost more than
#: reading it alongside saves (a 2 MB file is ~20,000 rows, ~0.25 s of reading and checking).
PARALLEL_BYTES = 2_000_000


#: The rows this process reads itself while the child starts (the child reads past them).
LOCAL_ROWS = 5_000


def reads_in_parallel(size: int, path: str = "") -> bool:
    """Whether a CSV file of ``size`` bytes at ``path`` is read in a second process: not
    ``/dev/stdin`` and its kin, which are another file in the child."""
    own = not os.path.abspath(path).startswith(("/dev/", "/proc/"))
    return size >= PARALLEL_BYTES and cores() > 1 and own


class ParallelRows(CheckedRows):
    """The checked rows of a CSV file, read in a child process (see above).

    ``position`` is how many bytes of the file the child has read of the rows received so
    far, ``size`` the file's size: what the import's progress shows."""

    skipping = True

    def __init__(
        self, path: str, encoding: str | None, delimiter: str | None, mapping: ColumnMapping, size: int
    ) -> None:
        self.path = path
        self.encoding = encoding
        self.delimiter = delimiter
        self.mapping = mapping
        self.position = 0
        self.size = size

    def __iter__(self) -> Iterator[CheckedRow | SkippedRow]:
        self.position = 0
        here = CsvFile(self.path, self.encoding, self.delimiter)
        child = self._start()
        try:
            # The first rows are read here while the child starts (~0.1 s of Python's start-up
            # and imports), which this process would otherwise spend waiting for them.
            yield from check_rows(rows_of_csv(here, self.mapping, 0, LOCAL_ROWS), skipping=True)
            self.position = here.position
            done = LOCAL_ROWS  # rows of the file checked so far, by either process
            while child is not None and child.stdout is not None:
                message = receive(child.stdout)
                if message is None:
                    break  # it stopped before the end (killed, out of memory): see below
                if message[0] == "rows":
                    _, self.position, done, items = message
                    yield from _unpacked(items)
                elif message[0] == "error":
                    raise message[1]  # the file's own error, where the file has it
                else:  # "done"
                    return
            # The child could not start or stopped: the rows it did not send are read here,
            # as a smaller file's are (the second process only ever saves time).
            rest = CsvFile(self.path, self.encoding, self.delimiter)
            for row in check_rows(rows_of_csv(rest, self.mapping, done), skipping=True, start=done + 1):
                self.position = rest.position
                yield row
        finally:
            if child is not None:
                assert child.stdout is not None
                child.stdout.close()
                if child.poll() is None:
                    child.kill()  # an error here, or ctrl+c: the rest of the file is not wanted
                child.wait()

    def _start(self) -> subprocess.Popen[bytes] | None:
        """The child, given its job; None if it cannot be started."""
        # ``python -m tagtui.io.parallel`` (why not ``multiprocessing``: see there), in a
        # session of its own: ctrl+c at the terminal reaches this process only, which stops it.
        try:
            child = subprocess.Popen(
                child_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            return None
        assert child.stdin is not None
        try:
            with child.stdin:
                child.stdin.write(
                    pickle.dumps((self.path, self.encoding, self.delimiter, self.mapping, LOCAL_ROWS))
                )
        except OSError:  # it ended at once (a broken pipe)
            child.kill()
            child.wait()
            return None
        _widen(child.stdout)
        return child


#: How many bytes the child's pipe holds, where the system lets it be set (Linux; its default
#: limit for a process without privileges): ~3.5 batches (a batch is ~280 KB pickled). At the
#: usual 64 KiB the child was never a batch ahead: it waited while this process wrote a batch,
#: and this process waited while it read the next one. (An import of 100,000 rows, alternating
#: four times each, twice: 2.75-2.88 s against 2.94-3.14 s, and 2.54-2.80 s against 2.86-2.93 s.)
PIPE_BYTES = 1 << 20


def _widen(pipe: IO[bytes] | None) -> None:
    """Let ``pipe`` hold ``PIPE_BYTES`` where the system allows it; else leave it."""
    size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if pipe is None or size is None:
        return
    with contextlib.suppress(OSError):  # past the system's limit: the pipe stays as it was
        fcntl.fcntl(pipe.fileno(), size, PIPE_BYTES)


def child_command() -> list[str]:
    """How the child is started: ``tagtui.io.parallel``, by this Python."""
    return [sys.executable, "-m", "tagtui.io.parallel"]


#: Each message from the child: its length, then its pickle (``tagtui.io.parallel`` sends them).
FRAME = struct.Struct("<Q")


def receive(pipe: BinaryIO) -> tuple[Any, ...] | None:
    """The next message, or None when the child ended without one."""
    head = pipe.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    (size,) = FRAME.unpack(head)
    data = pipe.read(size)
    if len(data) < size:
        return None
    message: tuple[Any, ...] = pickle.loads(data)
    return message


def _unpacked(items: list[tuple[Any, ...]]) -> Iterator[CheckedRow | SkippedRow]:
    """The objects again, of the tuples ``tagtui.io.parallel._packed`` sent."""
    for item in items:
        source = FileContact()
        if item[0] is None:
            source.line = item[2]
            yield SkippedRow(source, item[1])
            continue
        fields, tags, status, index, key, keys, source.line = item
        yield CheckedRow(fields, tags, status, source, index, key, keys)


# -- entry points -------------------------------------------------------------------------------


def is_vcard(path: str) -> bool:
    """By the name (.vcf, .vcard), else by the content (BEGIN:VCARD before anything else)."""
    if os.path.splitext(path)[1].lower() in (".vcf", ".vcard"):
        return True
    try:
        with open(path, "rb") as fh:
            encoding = sniff_encoding(fh, None)
            head = fh.read(512)
    except OSError:
        return False
    text = head.decode(encoding, errors="ignore")  # a UTF-16 file's head too
    return text.lstrip("\ufeff").lstrip().upper().startswith("BEGIN:VCARD")


@dataclass
class Preview:
    """What the UI shows before importing: the format, the mapping and a sample value per column."""

    path: str
    format: str
    mapping: ColumnMapping | None
    samples: list[str] = field(default_factory=list)


def preview_file(
    path: str,
    *,
    encoding: str | None = None,
    overrides: Mapping[str, str | None] | None = None,
    delimiter: str | None = None,
) -> Preview:
    """The detected mapping (with ``overrides``) and sample values; raises what import would."""
    _check_readable(path)
    if is_vcard(path):
        return Preview(path, "vcard", None)
    source = CsvFile(path, encoding, delimiter)
    columns, samples = source.sample()
    _, line = source.header()
    mapping = ColumnMapping.detect(columns).override(overrides or {})
    mapping.check(f"{path}, line {line}")
    return Preview(path, "csv", mapping, samples)


def import_file(
    store: Store,
    path: str,
    *,
    encoding: str | None = None,
    overrides: Mapping[str, str | None] | None = None,
    mapping: ColumnMapping | None = None,
    progress: Progress | None = None,
    strict: bool = False,
    delimiter: str | None = None,
) -> ImportReport:
    """Import a CSV or vCard file into ``store``'s workspace: the good rows, all or nothing.

    The reader is picked by the name (``.vcf``/``.vcard``) or the content. FileError when the
    file cannot be read; ValidationError (naming the line) when it does not decode or has no
    name or email column, and when the store refuses a row (e.g. past max_tags_per_contact):
    then nothing is imported. Rows that cannot become a contact are skipped and reported;
    with ``strict`` the first of them is a ValidationError and nothing is imported.
    """
    _check_readable(path)
    if is_vcard(path):
        from tagtui.io.vcard_import import VcardFile

        if overrides:
            raise ValidationError("--map applies to CSV files, not vCards", field="map")
        source: Any = VcardFile(path, encoding)
        rows: Iterable[FileContact] = source
        source.check()  # a wrong file fails before a transaction is opened
        used = None
        fmt = "vcard"
    else:
        source = CsvFile(path, encoding, delimiter)
        columns, line = source.header()
        used = mapping or ColumnMapping.detect(columns).override(overrides or {})
        used.check(f"{path}, line {line}")
        fmt = "csv"
        if reads_in_parallel(source.size, path):
            # Read and checked in a second process while this one writes (``tagtui.io.parallel``).
            source = rows = ParallelRows(path, encoding, delimiter, used, source.size)
        else:
            rows = _Replay(lambda: rows_of_csv(source, used))

    def tell() -> None:
        if progress is not None:
            progress(source.position, max(source.size, source.position))

    kind = _CheckedElsewhere if isinstance(rows, CheckedRows) else Checked
    checked = kind(store, rows, tell if progress else None, strict=strict)
    result = store.import_rows(checked, skip=checked.skip)
    return ImportReport(result, fmt, used, checked.skipped, checked.skipped_count)


def import_csv(
    store: Store, path: str, *, encoding: str | None = None, delimiter: str | None = None
) -> ImportResult:
    """The store's counts of ``import_file`` (kept for callers that want only those)."""
    return import_file(store, path, encoding=encoding, delimiter=delimiter).result


def read_csv(path: str, *, encoding: str | None = None, delimiter: str | None = None) -> CsvFile:
    return CsvFile(path, encoding, delimiter)


class _Replay:
    """An iterable that makes a fresh iterator each time (so a retried transaction re-reads)."""

    def __init__(self, make: Callable[[], Iterator[FileContact]]) -> None:
        self._make = make

    def __iter__(self) -> Iterator[FileContact]:
        return self._make()


def _check_readable(path: str) -> None:
    if os.path.isdir(path):
        raise FileError(f"cannot read {path}: it is a folder", field="file")
    if not os.path.exists(path):
        raise FileError(f"cannot read {path}: it does not exist", field="file")
