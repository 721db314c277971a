"""The one list of export formats and CSV styles: the export engine, ``tagtui export`` and the UI's
export dialog all read it. Standard library only, so the command line's parser can import it cheaply."""

from __future__ import annotations

import os
from dataclasses import dataclass

#: What ``export`` writes (``--format``).
FORMATS = ("csv", "json", "vcf")
#: ``--for``: who reads a CSV export. A spreadsheet gets tagtui's columns with formula cells
#: neutralised (SPEC §6); Google Contacts and Outlook get the columns of their own CSV files
#: and every value as it is (they would keep a neutralising ``'`` as part of a phone number).
CSV_STYLES = ("spreadsheet", "google", "outlook")
#: File name suffixes that name a format other than by its own name.
_SUFFIX_ALIASES = {"vcard": "vcf"}


@dataclass(frozen=True)
class ExportChoice:
    """One way to export, as the UI's dialog offers it: a format, who reads it, a file name."""

    fmt: str
    style: str
    label: str
    file_name: str
    note: str


#: Every format and CSV style, in the order the export dialog lists them.
EXPORT_CHOICES = (
    ExportChoice(
        "csv", "spreadsheet", "CSV", "contacts.csv", "tagtui's columns, safe to open in a spreadsheet"
    ),
    ExportChoice(
        "csv",
        "google",
        "Google CSV",
        "contacts-google.csv",
        "for Google Contacts' import (not a spreadsheet)",
    ),
    ExportChoice(
        "csv", "outlook", "Outlook CSV", "contacts-outlook.csv", "for Outlook's import (not a spreadsheet)"
    ),
    ExportChoice("json", "spreadsheet", "JSON", "contacts.json", "what `tagtui contacts list --json` prints"),
    ExportChoice("vcf", "spreadsheet", "vCard", "contacts.vcf", "vCard 4.0, for address books"),
)


def in_words(names: tuple[str, ...]) -> str:
    """``csv, json or vcf``."""
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else "".join(names)


def format_from_suffix(path: str | None) -> str | None:
    """The format a file name's suffix names (``.vcard`` is vcf), or ``None``."""
    if not path:
        return None
    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    suffix = _SUFFIX_ALIASES.get(suffix, suffix)
    return suffix if suffix in FORMATS else None
