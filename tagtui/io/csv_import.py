"""CSV import: a file becomes rows of ``{column: text}``; ``Store.import_rows`` applies the rules.

The file is read as a stream (never whole into memory), decoded line by line so that a
byte that does not decode is reported with its line number, and parsed by ``csv``.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from tagtui.store.errors import FileError, ValidationError
from tagtui.store.imports import IMPORT_COLUMNS, ImportResult

if TYPE_CHECKING:
    from tagtui.store import Store

DEFAULT_ENCODING = "utf-8-sig"  # UTF-8, with or without a byte-order mark

__all__ = ["ImportResult", "import_csv", "read_csv"]


def import_csv(store: Store, path: str, *, encoding: str | None = None) -> ImportResult:
    """Import the CSV file at ``path`` into ``store``'s workspace, all of it or nothing.

    FileError when the file cannot be read; ValidationError (naming the line) when it does
    not decode, lacks both a ``name`` and an ``email`` column, or holds an invalid row.
    """
    rows = read_csv(path, encoding=encoding)
    rows.check_header()  # a wrong file fails before a transaction is opened
    return store.import_rows(rows)


class CsvRow(dict[str, str]):
    """A data row, keyed by lower-case column name, that knows the line it starts on."""

    line: int = 0


def read_csv(path: str, *, encoding: str | None = None) -> CsvRows:
    return CsvRows(path, encoding)


class CsvRows:
    """The data rows of a CSV file; iterating again reads the file again (a retry can replay it)."""

    def __init__(self, path: str, encoding: str | None = None) -> None:
        self.path = path
        self.encoding = encoding or DEFAULT_ENCODING
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise ValidationError(f"unknown encoding {encoding!r}", field="encoding") from None

    def check_header(self) -> list[str | None]:
        """The known column of each position of the header; ValidationError if unusable."""
        for item in self._records(header_only=True):
            assert isinstance(item, list)
            return item
        raise AssertionError("unreachable")

    def __iter__(self) -> Iterator[CsvRow]:
        for item in self._records(header_only=False):
            if isinstance(item, CsvRow):
                yield item

    def _records(self, *, header_only: bool) -> Iterator[CsvRow | list[str | None]]:
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 (closed below; a generator owns it)
        except OSError as exc:
            raise FileError(f"cannot read {self.path}: {exc.strerror or exc}", field="file") from exc
        with fh:
            lines = _Lines(fh, self.encoding, self.path)
            reader = csv.reader(lines)
            columns: list[str | None] | None = None
            while True:
                start = lines.count + 1
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    raise ValidationError(f"{self.path}, line {start}: {exc}", field="file") from exc
                except OSError as exc:
                    raise FileError(f"cannot read {self.path}: {exc.strerror or exc}", field="file") from exc
                if not record:
                    continue  # a blank line
                if columns is None:
                    columns = _header(record, self.path, start)
                    yield columns
                    if header_only:
                        return
                    continue
                row = CsvRow()
                row.line = start
                for key, value in zip(columns, record, strict=False):
                    if key is not None:
                        row[key] = value
                yield row
            if columns is None:
                raise ValidationError(
                    f"{self.path} is empty: the first line must name the columns"
                    f" ({', '.join(IMPORT_COLUMNS)}), with at least name or email",
                    field="file",
                )


def _header(record: list[str], path: str, line: int) -> list[str | None]:
    names = [cell.strip().lower() for cell in record]
    if names:
        names[0] = names[0].lstrip("\ufeff").strip()  # a BOM left by an explicit --encoding utf-8
    columns: list[str | None] = []
    for name in names:
        if name not in IMPORT_COLUMNS:
            columns.append(None)  # unknown columns are ignored
        elif name in columns:
            raise ValidationError(f"{path}, line {line}: the column {name!r} appears twice", field="file")
        else:
            columns.append(name)
    if "name" not in columns and "email" not in columns:
        found = ", ".join(repr(n) for n in names[:10] if n) or "none"
        raise ValidationError(
            f"{path}, line {line}: no 'name' or 'email' column (the columns are {found});"
            f" expected {', '.join(IMPORT_COLUMNS)}",
            field="file",
        )
    return columns


class _Lines:
    """The file's lines, decoded one at a time; ``count`` is how many were read so far."""

    def __init__(self, fh: BinaryIO, encoding: str, path: str) -> None:
        self._fh = fh
        self._decoder = codecs.getincrementaldecoder(encoding)("strict")
        self._encoding = encoding
        self._path = path
        self.count = 0
        self._done = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        while not self._done:
            raw = self._fh.readline()
            final = not raw
            try:
                text = self._decoder.decode(raw, final=final)
            except UnicodeDecodeError as exc:
                line = self.count + 1
                bad = exc.object[exc.start : exc.start + 1].hex() if exc.object else ""
                raise ValidationError(
                    f"{self._path}, line {line}: not valid {self._encoding.removesuffix('-sig')} text"
                    f" (byte 0x{bad}); name the file's encoding with --encoding (e.g. latin-1)",
                    field="file",
                ) from exc
            if final:
                self._done = True
            if text:
                self.count += text.count("\n") or (1 if final else 0)
                return text
        raise StopIteration
