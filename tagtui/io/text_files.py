"""Reading a contact file, for the CSV and the vCard reader alike: its encoding (a byte-order mark,
``--encoding`` or UTF-8), its lines decoded one chunk at a time (a byte that does not decode is
reported with its line number), and the row a reader makes of each contact (``FileContact``).
"""

from __future__ import annotations

import codecs
import os
import re
from collections import deque
from itertools import islice
from typing import BinaryIO

from tagtui.store.errors import FileError, ValidationError
from tagtui.store.imports import ImportRow

DEFAULT_ENCODING = "utf-8-sig"  # UTF-8, with or without a byte-order mark


class FileContact(ImportRow):
    """One contact read from a file: fields as plain text (``tags`` a list), and its line.

    ``problem`` says why a reader could not make a contact of it (e.g. a card cut short).
    """


def check_encoding(name: str, given: str | None) -> None:
    try:
        codecs.lookup(name)
    except LookupError:
        raise ValidationError(f"unknown encoding {given!r}", field="encoding") from None


def file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def open_file(path: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise FileError(f"cannot read {path}: {exc.strerror or exc}", field="file") from exc


#: Byte-order marks that say which Unicode encoding a file is in, longest first (UTF-32 LE's
#: starts with UTF-16 LE's). A file that starts with one is read in it, whatever ``--encoding``
#: says: a BOM cannot be the start of text in any other encoding a contact file would use.
#: The BOM is decoded as U+FEFF, which the readers drop from the start of the first line.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: A line ends at ``\r\n``, ``\n`` or a lone ``\r`` (old Mac files); nothing else.
_LINE_END = re.compile(r"\r\n|\r|\n")
_CHUNK = 1 << 16


def sniff_encoding(fh: BinaryIO, given: str | None) -> str:
    """The encoding a file's byte-order mark names, else ``given``, else UTF-8 — or UTF-16 when
    the file starts with an ASCII character in UTF-16 (a NUL byte beside it, which UTF-8
    text never has). ``fh`` is left at its start."""
    head = fh.read(4)
    fh.seek(0)
    for bom, name in BOMS:
        if head.startswith(bom):
            if name == "utf-8-sig" and given and codecs.lookup(given).name != "utf-8":
                return given  # a UTF-8 BOM is valid Latin-1 etc. text: --encoding wins
            return name
    if given:
        return given
    if len(head) >= 2 and head[0] and not head[1] and head[0] < 0x80:
        return "utf-16-le"
    if len(head) >= 2 and head[1] and not head[0] and head[1] < 0x80:
        return "utf-16-be"
    return DEFAULT_ENCODING


class TextLines:
    """The file's lines (each with its line end), decoded; ``count`` is how many were read.

    A line ends at CR LF, LF or a lone CR, and nowhere else (not at a form feed or U+2028,
    which may sit in a cell). The file is read and decoded 64 KiB at a time, then split: a
    byte that does not decode is reported with the number of its line. ``peek`` looks at
    lines ahead without counting them.
    """

    def __init__(self, fh: BinaryIO, encoding: str | None, path: str) -> None:
        self._fh = fh
        self._encoding = sniff_encoding(fh, encoding)
        self._decoder = codecs.getincrementaldecoder(self._encoding)("strict")
        self._path = path
        self.count = 0
        self.position = 0
        self._pending = ""  # decoded, not yet a whole line
        self._ready: deque[str] = deque()  # whole lines, not yet returned
        self._done = False

    def __iter__(self) -> TextLines:
        return self

    def __next__(self) -> str:
        if not self._ready and not self._fill():
            raise StopIteration
        self.count += 1
        return self._ready.popleft()

    def peek(self, n: int) -> list[str]:
        """Up to ``n`` of the next lines, which iterating still returns."""
        while len(self._ready) < n and self._fill():
            pass
        return list(islice(self._ready, n))

    def _fill(self) -> bool:
        """Read on until at least one more whole line is ready; False at the end of the file."""
        start = len(self._ready)
        while len(self._ready) == start and not self._done:
            raw = self._fh.read(_CHUNK)
            self.position += len(raw)
            self._done = not raw
            try:
                text = self._pending + self._decoder.decode(raw, final=self._done)
            except UnicodeDecodeError as exc:
                before = self._pending + _decoded_before(exc, self._encoding)
                line = self.count + len(self._ready) + 1 + len(_LINE_END.findall(before))
                raise decode_error(self._path, line, self._encoding, exc) from exc
            lines = _split_lines(text)
            # The last piece is not a whole line yet, unless the file ends; nor is a CR at
            # the end of what was read, whose LF may come with the next read.
            if not self._done and lines and not lines[-1].endswith("\n"):
                self._pending = lines.pop()
            else:
                self._pending = ""
            self._ready.extend(lines)
        return len(self._ready) > start


#: Line breaks of ``str.splitlines`` that are not line ends in a CSV or vCard file.
_OTHER_BREAK_CHARS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _split_lines(text: str) -> list[str]:
    """``text`` cut after each CR LF, LF or lone CR (fast when it has no other break)."""
    if _other_breaks(text):
        return _LINE.findall(text)
    return text.splitlines(keepends=True)


def _other_breaks(text: str) -> bool:
    """Whether ``text`` holds one of ``_OTHER_BREAK_CHARS``: a fast scan for each (quicker
    than a character-class search, which tests every character against the set)."""
    return any(ch in text for ch in _OTHER_BREAK_CHARS)


def _decoded_before(exc: UnicodeDecodeError, encoding: str) -> str:
    """The text before the byte that did not decode (to count the lines before it)."""
    try:
        return bytes(exc.object[: exc.start]).decode(encoding, "replace")
    except (LookupError, TypeError):
        return ""


def decode_error(path: str, line: int, encoding: str, exc: UnicodeDecodeError) -> ValidationError:
    bad = exc.object[exc.start : exc.start + 1].hex() if exc.object else ""
    return ValidationError(
        f"{path}, line {line}: not valid {encoding.removesuffix('-sig')} text"
        f" (byte 0x{bad}); name the file's encoding with --encoding (e.g. latin-1)",
        field="file",
    )
