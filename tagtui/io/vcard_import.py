"""vCard import: each card of a .vcf file (2.1, 3.0 or 4.0) becomes a row of contact fields.

Read: FN (else N), the preferred EMAIL and TEL (else the first), ORG's first component, NOTE,
CATEGORIES as tags, and the X-TAGTUI-STATUS / -FOLLOWERS / -ASSIGNEE that export writes.
Lines are unfolded, RFC 6350's escapes undone; vCard 2.1's quoted-printable values decoded.
"""

from __future__ import annotations

import quopri
from collections.abc import Iterator

from tagtui.io.csv_import import DEFAULT_ENCODING, ContactRow, _check_encoding, _Lines, _open, _size
from tagtui.store.errors import ValidationError

#: The tagtui fields export writes in properties of their own.
TAGTUI_PROPERTIES = {
    "X-TAGTUI-STATUS": "status",
    "X-TAGTUI-FOLLOWERS": "followers",
    "X-TAGTUI-ASSIGNEE": "assignee",
}

Params = dict[str, list[str]]


class VcardFile:
    """The cards of a vCard file as ``ContactRow``; iterating again reads the file again."""

    def __init__(self, path: str, encoding: str | None = None) -> None:
        self.path = path
        self.encoding = encoding or DEFAULT_ENCODING
        self.given = encoding
        _check_encoding(self.encoding, encoding)
        self.position = 0
        self.size = _size(path)

    def check(self) -> None:
        """ValidationError unless the file decodes up to its first card, which it must have."""
        for _, text in self._lines():
            if text.strip().upper() == "BEGIN:VCARD":
                return
        raise ValidationError(f"{self.path}: not a vCard file (no BEGIN:VCARD line)", field="file")

    def __iter__(self) -> Iterator[ContactRow]:
        start = 0
        depth = 0
        props: list[tuple[str, Params, str]] = []
        for line, text in self._lines():
            name, params, value = _property(text)
            if name == "BEGIN" and value.strip().upper() == "VCARD":
                depth += 1
                if depth == 1:
                    start, props = line, []
                continue  # a card inside a card (2.1's AGENT) is not a contact of its own
            if depth == 0:
                continue  # text between cards
            if name == "END" and value.strip().upper() == "VCARD":
                depth -= 1
                if depth == 0:
                    yield _row(props, start)
                continue
            if depth == 1 and name:
                props.append((name, params, value))
        if depth:
            row = ContactRow()
            row.line = start
            row.problem = "the card has no END:VCARD (the file is cut short?)"
            yield row

    def _lines(self) -> Iterator[tuple[int, str]]:
        """(line number, text) of each logical line: folded lines joined, and 2.1's
        quoted-printable soft line breaks (a line ending in ``=``) too."""
        with _open(self.path) as fh:
            lines = _Lines(fh, self.given, self.path)
            current: str | None = None
            first = 0
            for number, raw in enumerate(lines, start=1):
                text = raw.rstrip("\r\n")
                if number == 1:
                    text = text.lstrip("\ufeff")
                self.position = lines.position
                if current is not None and text[:1] in (" ", "\t"):
                    current += text[1:]
                    continue
                if current is not None and current.endswith("=") and _quoted_printable(current):
                    current = current[:-1] + text
                    continue
                if current is not None:
                    yield first, current
                current, first = text, number
            if current is not None:
                yield first, current


def _quoted_printable(text: str) -> bool:
    if "QUOTED-PRINTABLE" not in text.upper():
        return False
    return "QUOTED-PRINTABLE" in _split_unquoted(text, ":", 1)[0].upper()


def _split_unquoted(text: str, sep: str, limit: int = -1) -> list[str]:
    """``text`` split on ``sep`` outside double quotes, at most ``limit`` times."""
    if '"' not in text:
        return text.split(sep, limit)
    parts: list[str] = []
    quoted = False
    begin = 0
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted and (limit < 0 or len(parts) < limit):
            parts.append(text[begin:i])
            begin = i + 1
    parts.append(text[begin:])
    return parts


def _property(text: str) -> tuple[str, Params, str]:
    """(NAME without its group, params, raw value) of a content line; ``("", …)`` if not one."""
    head, *rest = _split_unquoted(text, ":", 1)
    if not rest:
        return "", {}, ""
    name, *raw_params = _split_unquoted(head, ";")
    name = name.rsplit(".", 1)[-1].strip().upper()
    params: Params = {}
    for raw in raw_params:
        key, sep, values = raw.partition("=")
        if not sep:  # vCard 2.1: a bare TYPE value, or the encoding
            encoding = key.upper() in ("QUOTED-PRINTABLE", "BASE64", "8BIT")
            key, values = ("ENCODING" if encoding else "TYPE"), key
        params.setdefault(key.strip().upper(), []).extend(
            v.strip().strip('"') for v in _split_unquoted(values, ",")
        )
    value = rest[0]
    if any(v.upper() == "QUOTED-PRINTABLE" for v in params.get("ENCODING", ())):
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        data = quopri.decodestring(value.encode("utf-8"))
        try:
            value = data.decode(charset, errors="replace")
        except LookupError:
            value = data.decode("utf-8", errors="replace")
    return name, params, value


def unescape(text: str) -> str:
    """A text value with ``\\n``, ``\\,``, ``\\;`` and ``\\\\`` undone."""
    if "\\" not in text:
        return text
    out: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            out.append("\n" if nxt in ("n", "N") else nxt)
        else:
            out.append(ch)
    return "".join(out)


def split_escaped(text: str, sep: str) -> list[str]:
    """``text`` split on ``sep`` where it is not escaped, each part unescaped."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            current.append(ch + next(chars, ""))
        elif ch == sep:
            parts.append(unescape("".join(current)))
            current = []
        else:
            current.append(ch)
    parts.append(unescape("".join(current)))
    return parts


def _preference(params: Params) -> int:
    """RFC 6350's PREF (1 is most preferred); vCard 3.0's TYPE=pref counts as 1; none is 101."""
    for value in params.get("PREF", ()):
        if value.isdigit():
            return int(value)
    if any(v.lower() == "pref" for v in params.get("TYPE", ())):
        return 1
    return 101


def _row(props: list[tuple[str, Params, str]], line: int) -> ContactRow:
    row = ContactRow()
    row.line = line
    first: dict[str, str] = {}
    best: dict[str, tuple[int, str]] = {}
    notes: list[str] = []
    tags: list[str] = []
    for name, params, value in props:
        if name in ("EMAIL", "TEL"):
            text = unescape(value).strip()
            text = text.removeprefix("mailto:") if name == "EMAIL" else text.removeprefix("tel:")
            rank = _preference(params)
            if text and (name not in best or rank < best[name][0]):
                best[name] = (rank, text)
        elif name == "NOTE":
            notes.append(unescape(value))
        elif name == "CATEGORIES":
            tags += [t.strip() for t in split_escaped(value, ",") if t.strip()]
        elif name in ("FN", "N", "ORG", *TAGTUI_PROPERTIES) and name not in first:
            first[name] = value
    name = unescape(first.get("FN", "")).strip()
    if not name and "N" in first:
        family, given, additional, *_ = [*split_escaped(first["N"], ";"), "", "", ""]
        name = " ".join(p.strip() for p in (given, additional, family) if p.strip())
    fields = {
        "name": name,
        "email": best.get("EMAIL", (0, ""))[1],
        "phone": best.get("TEL", (0, ""))[1],
        "company": split_escaped(first.get("ORG", ""), ";")[0].strip(),
        "notes": "\n".join(n for n in notes if n.strip()).strip(),
    }
    for prop, key in TAGTUI_PROPERTIES.items():
        fields[key] = unescape(first.get(prop, "")).strip()
    row.update({k: v for k, v in fields.items() if v})
    if tags:
        row["tags"] = tags
    return row
