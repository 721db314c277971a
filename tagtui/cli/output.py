"""What the command line prints: aligned tables, key/value blocks, JSON documents, error lines.

Every string that may come from the database goes through ``visible`` here, so a
contact named ``\\x1b]0;pwned\\x07`` or ``[bold]x`` is printed as its characters.
"""

from __future__ import annotations

import contextlib
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from tagtui.textsafe import visible

ELLIPSIS = "…"
GAP = "  "
#: The narrowest a shrinkable column gets when a table is squeezed to the terminal.
MIN_SHRUNK = 6

# Characters json.dumps(ensure_ascii=False) leaves raw but a terminal may act on:
# DEL, the C1 controls (8-bit CSI among them), line/paragraph separators, bidi controls.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufe0e\ufe0f")


def cell_width(text: str) -> int:
    """How many terminal cells ``text`` takes (wide East Asian and emoji count 2)."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if ch in _ZERO_WIDTH or unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, ending in ``…`` if anything was cut."""
    if cell_width(text) <= width:
        return text
    out: list[str] = []
    used = 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, width: int, align: str = "<") -> str:
    fill = " " * max(0, width - cell_width(text))
    return fill + text if align == ">" else text + fill


@dataclass(frozen=True)
class Column:
    """A table column: its header, alignment and whether it may be shortened to fit."""

    header: str
    align: str = "<"
    shrink: bool = False


def render_table(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, width: int | None = None
) -> list[str]:
    """Lines of an aligned table. With ``width``, shrinkable columns are cut to fit it."""
    cells = [[visible("" if v is None else str(v)) for v in row] for row in rows]
    widths = [cell_width(c.header) for c in columns]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], cell_width(value))
    if width is not None:
        widths = _fit(columns, widths, width)
    # The last column is not padded, so lines carry no trailing blanks.
    last = len(columns) - 1

    def line(values: Sequence[str]) -> str:
        parts = []
        for i, (col, value) in enumerate(zip(columns, values, strict=True)):
            value = truncate(value, widths[i])
            parts.append(value if i == last and col.align == "<" else pad(value, widths[i], col.align))
        return GAP.join(parts).rstrip()

    return [line([c.header for c in columns]), *(line(row) for row in cells)]


def _fit(columns: Sequence[Column], widths: list[int], available: int) -> list[int]:
    widths = list(widths)
    floor = [
        max(MIN_SHRUNK, cell_width(c.header)) if c.shrink else w for c, w in zip(columns, widths, strict=True)
    ]
    excess = sum(widths) + len(GAP) * (len(widths) - 1) - available
    while excess > 0:
        candidates = [i for i, w in enumerate(widths) if w > floor[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def render_fields(pairs: Sequence[tuple[str, Any]]) -> list[str]:
    """A key/value block; multi-line values continue under their first line."""
    key_width = max((len(k) for k, _ in pairs), default=0)
    lines = []
    for key, value in pairs:
        text = visible("" if value is None else str(value), keep_newlines=True)
        first, *rest = text.split("\n") or [""]
        lines.append(f"{key.ljust(key_width)}  {first}".rstrip())
        lines.extend(f"{' ' * key_width}  {more}".rstrip() for more in rest)
    return lines


def to_json_text(document: Any, *, ascii_only: bool = False) -> str:
    import json

    text = json.dumps(document, ensure_ascii=ascii_only, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def page_footer(shown: int, total: int | None, offset: int, noun: str, nouns: str | None = None) -> str:
    """``3 of 120 contacts``; ``101–200 of 1,200 contacts (next: --offset 200)``."""
    many = nouns or noun + "s"
    if total is None:
        return plural(shown, noun, many) + (f" from #{offset + 1}" if offset and shown else "")
    word = noun if total == 1 else many
    if offset and shown:
        text = f"{offset + 1}–{offset + shown} of {total:,} {word}"
    else:
        text = f"{shown:,} of {total:,} {word}"
    if total > offset + shown and shown:
        text += f" (next: --offset {offset + shown})"
    return text


def is_tty(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _speaks_unicode(stream: Any) -> bool:
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    return encoding in ("utf8", "utf8sig", "utf16", "utf32")


class Output:
    """Where and how to print. ``width`` is the terminal's when stdout is one, else None."""

    def __init__(self, stdout: TextIO, stderr: TextIO, *, width: int | None) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.width = width
        #: A stdout that cannot encode all of Unicode gets JSON with \u escapes.
        self.ascii_json = not _speaks_unicode(stdout)
        #: Under ``--dry-run`` a JSON object gets ``"dry_run": true`` as its first field.
        self.dry_run = False

    @classmethod
    def for_process(cls) -> Output:
        width = None
        if is_tty(sys.stdout):
            import shutil

            width = shutil.get_terminal_size().columns
        for stream in (sys.stdout, sys.stderr):
            if not _speaks_unicode(stream):
                # A name in another script must not crash a listing on a Latin-1 terminal.
                with contextlib.suppress(AttributeError, ValueError, OSError):
                    stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        return cls(sys.stdout, sys.stderr, width=width)

    def line(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def say(self, text: str) -> None:
        """A sentence that may hold database text: printed with every control made visible."""
        print(visible(text), file=self.stdout)

    def lines(self, lines: Iterable[str]) -> None:
        for text in lines:
            print(text, file=self.stdout)

    def json(self, document: Any) -> None:
        if self.dry_run and isinstance(document, dict):
            document = {"dry_run": True, **document}
        print(to_json_text(document, ascii_only=self.ascii_json), file=self.stdout)

    def table(
        self, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, footer: str | None = None
    ) -> None:
        self.lines(render_table(columns, rows, width=self.width))
        if footer:
            self.line(footer)

    def fields(self, pairs: Sequence[tuple[str, Any]]) -> None:
        self.lines(render_fields(pairs))

    def flush(self) -> None:
        self.stdout.flush()

    def note(self, text: str) -> None:
        """A message for the person, not for a pipe: on stderr."""
        print(text, file=self.stderr)

    def error(self, message: str) -> None:
        one_line = visible(" ".join(message.split("\n"))).strip() or "unknown error"
        print(f"tagtui: error: {one_line}", file=self.stderr)
