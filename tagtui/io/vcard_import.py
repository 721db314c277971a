"""vCard import: each card of a .vcf file (2.1, 3.0 or 4.0) becomes a row of contact fields.

The cards are read by ``tagtui.io.vcard`` (the parser sync and export share), streamed from
the file: FN (else N), the preferred EMAIL and TEL (else the first), ORG's first component,
NOTE, CATEGORIES as tags, and the X-TAGTUI-STATUS / -FOLLOWERS / -ASSIGNEE that export writes.
"""

from __future__ import annotations

from collections.abc import Iterator

from tagtui.io.text_files import (
    DEFAULT_ENCODING,
    FileContact,
    TextLines,
    check_encoding,
    file_size,
    open_file,
)
from tagtui.io.vcard import FOLLOWERS, Card, iter_cards, logical_lines
from tagtui.io.vcard import split_escaped as split_escaped  # re-exported for the importer's users
from tagtui.io.vcard import unescape as unescape
from tagtui.store.errors import ValidationError


class VcardFile:
    """The cards of a vCard file as ``FileContact``; iterating again reads the file again."""

    def __init__(self, path: str, encoding: str | None = None) -> None:
        self.path = path
        self.encoding = encoding or DEFAULT_ENCODING
        self.given = encoding
        check_encoding(self.encoding, encoding)
        self.position = 0
        self.size = file_size(path)

    def check(self) -> None:
        """ValidationError unless the file decodes up to its first card, which it must have."""
        with open_file(self.path) as fh:
            for _, _, text in logical_lines(TextLines(fh, self.given, self.path)):
                if text.strip().upper() == "BEGIN:VCARD":
                    return
        raise ValidationError(f"{self.path}: not a vCard file (no BEGIN:VCARD line)", field="file")

    def __iter__(self) -> Iterator[FileContact]:
        with open_file(self.path) as fh:
            lines = TextLines(fh, self.given, self.path)
            for line, card in iter_cards(lines):
                self.position = lines.position
                if card.complete:
                    yield _row(card, line)
                else:
                    row = FileContact()
                    row.line = line
                    row.problem = "the card has no END:VCARD (the file is cut short?)"
                    yield row


def _row(card: Card, line: int) -> FileContact:
    """A card's fields as text for the store, which checks them (followers as written)."""
    row = FileContact()
    row.line = line
    f = card.fields()
    fields = {
        "name": f.name,
        "email": f.email,
        "phone": f.phone,
        "company": f.company,
        "notes": f.notes,
        "status": f.status,
        "assignee": f.assignee,
    }
    followers = card.values(FOLLOWERS)
    fields["followers"] = followers[0].strip() if followers else None
    row.update({k: v for k, v in fields.items() if v})
    if f.tags:
        row["tags"] = list(f.tags)
    return row
