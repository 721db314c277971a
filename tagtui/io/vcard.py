"""vCard 2.1, 3.0 and 4.0 read and written losslessly: the one parser of import, export and sync.

A ``Card`` keeps each content line as it was read (its raw, folded text with its line ends).
``fields()`` reads what tagtui models; ``with_fields()`` rewrites only the lines whose mapped
value changed, so PHOTO, ADR, groups like ``item1.X-ABLabel`` and unknown properties survive a
round trip byte for byte.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

VERSIONS = ("2.1", "3.0", "4.0")
LINE_OCTETS = 75
CRLF = "\r\n"

#: The tagtui fields written in properties of their own.
STATUS, FOLLOWERS, ASSIGNEE = "X-TAGTUI-STATUS", "X-TAGTUI-FOLLOWERS", "X-TAGTUI-ASSIGNEE"
TAGTUI_PROPERTIES = {STATUS: "status", FOLLOWERS: "followers", ASSIGNEE: "assignee"}
#: The properties whose first line is a field.
_SINGLE = frozenset({"UID", "FN", "N", "ORG", *TAGTUI_PROPERTIES})


@dataclass(frozen=True)
class CardFields:
    """What tagtui models of a card, as plain values (``None``/``()`` for absent)."""

    uid: str | None = None
    name: str = ""  # FN, else N assembled (given, additional, family)
    email: str | None = None  # the preferred EMAIL (PREF=1 / TYPE=pref), else the first
    phone: str | None = None  # the preferred TEL, else the first
    company: str | None = None  # ORG's first component
    notes: str | None = None  # the NOTE lines, joined by newlines
    tags: tuple[str, ...] = field(default=())  # every CATEGORIES line, split on unescaped commas
    status: str | None = None  # X-TAGTUI-STATUS
    assignee: str | None = None  # X-TAGTUI-ASSIGNEE
    followers: int | None = None  # X-TAGTUI-FOLLOWERS (a whole number, else None)


class Line(NamedTuple):
    """One content line of a card: its raw text as read (physical lines, line ends included)
    and its parts. ``name`` is upper case, and empty for a line that is no property of the card
    itself (a blank line, a line of a card nested in 2.1's AGENT)."""

    raw: str
    group: str
    name: str
    params: tuple[str, ...]  # as written: "TYPE=pref", "PREF=1", "INTERNET", 'TYPE="voice,cell"'
    value: str  # unfolded, still escaped (and quoted-printable encoded)


class Card:
    """One vCard, kept losslessly: its content lines as read (unfolded parts plus raw folded form)."""

    __slots__ = ("_fields", "_positions", "complete", "lines", "version")

    def __init__(self, lines: Sequence[Line], complete: bool = True) -> None:
        self.lines: tuple[Line, ...] = tuple(lines)
        #: False for a card cut short (no END:VCARD).
        self.complete = complete
        self.version = next((line.value.strip() for line in self.lines if line.name == "VERSION"), "3.0")
        self._fields: CardFields | None = None
        self._positions: dict[str, list[int]] | None = None

    def __repr__(self) -> str:
        return f"Card({self.fields()!r}, version={self.version!r})"

    def text(self) -> str:
        """The card serialised; a card read and not changed gives back its text exactly."""
        return "".join([line.raw for line in self.lines])

    def values(self, name: str) -> list[str]:
        """The text of each ``name`` property (decoded, escapes undone), in card order."""
        name = name.upper()
        return [_text(line) for line in self.lines if line.name == name]

    def fields(self) -> CardFields:
        if self._fields is None:
            self._fields = self._read_fields()
        return self._fields

    def _index(self, name: str) -> list[int]:
        """Positions of the ``name`` lines."""
        if self._positions is None:
            self._positions = {}
            for i, line in enumerate(self.lines):
                if line.name:
                    self._positions.setdefault(line.name, []).append(i)
        return self._positions.get(name, [])

    def _preferred(self, name: str) -> int | None:
        """Position of the preferred non-empty ``name`` line (EMAIL, TEL), else of the first."""
        best: tuple[int, int] | None = None
        for i in self._index(name):
            line = self.lines[i]
            if _address(line):
                rank = _preference(line)
                if best is None or rank < best[0]:
                    best = (rank, i)
        return best[1] if best else None

    def _read_fields(self) -> CardFields:
        """One pass over the lines (import reads a million cards)."""
        first: dict[str, Line] = {}
        best: dict[str, tuple[int, str]] = {}  # EMAIL/TEL: (preference, address)
        notes: list[str] = []
        tags: list[str] = []
        for line in self.lines:
            name = line.name
            if name == "EMAIL" or name == "TEL":
                address = _address(line)
                if address:
                    rank = _preference(line)
                    if name not in best or rank < best[name][0]:
                        best[name] = (rank, address)
            elif name == "NOTE":
                notes.append(_text(line))
            elif name == "CATEGORIES":
                tags += _tags(line)
            elif name in _SINGLE and name not in first:
                first[name] = line

        def single(name: str) -> str | None:
            line = first.get(name)
            return (_text(line).strip() or None) if line else None

        name = single("FN") or ""
        if not name and (n := first.get("N")):
            family, given, additional, *_ = [*split_escaped(_decoded(n), ";"), "", "", ""]
            name = " ".join(p.strip() for p in (given, additional, family) if p.strip())
        org = first.get("ORG")
        note = "\n".join(n for n in notes if n.strip()).strip()
        followers = single(FOLLOWERS)
        return CardFields(
            uid=single("UID"),
            name=name,
            email=best["EMAIL"][1] if "EMAIL" in best else None,
            phone=best["TEL"][1] if "TEL" in best else None,
            company=(split_escaped(_decoded(org), ";")[0].strip() or None) if org else None,
            notes=note or None,
            tags=tuple(tags),
            status=single(STATUS),
            assignee=single(ASSIGNEE),
            followers=int(followers) if followers and followers.isascii() and followers.isdigit() else None,
        )

    def with_fields(self, fields: CardFields) -> Card:
        """A new Card where only the properties whose mapped value differs are rewritten.

        Every other line (PHOTO, ADR, extra EMAIL/TEL, groups, unknown X- properties, params,
        order) is kept byte for byte, in the card's own version's syntax. A field set to None
        (``()`` for tags) removes that property (every EMAIL line for ``email=None``, so that
        ``card.with_fields(f).fields() == f``), and a group's label lines go with the last
        property of their group. A changed name rewrites FN and N (keeping N's prefix/suffix).
        """
        old = self.fields()
        fields = _normal(fields)
        if fields == old:
            return self
        edit = _Edit(self)
        for key, prop in (("uid", "UID"), ("status", STATUS), ("assignee", ASSIGNEE)):
            if getattr(fields, key) != getattr(old, key):
                edit.single(prop, escape(getattr(fields, key)) or None)
        if fields.followers != old.followers:
            edit.single(FOLLOWERS, None if fields.followers is None else str(fields.followers))
        if fields.name != old.name:
            edit.name(fields.name)
        for key, prop in (("email", "EMAIL"), ("phone", "TEL")):
            if getattr(fields, key) != getattr(old, key):
                edit.address(prop, getattr(fields, key))
        if fields.company != old.company:
            edit.company(fields.company)
        if fields.notes != old.notes:
            edit.notes(fields.notes)
        if set(fields.tags) != set(old.tags):
            edit.tags(fields.tags)
        return edit.card()


def _normal(fields: CardFields) -> CardFields:
    """``fields`` with empty text as None (an absent property), as ``fields()`` reads it."""
    empty = {
        key: None
        for key in ("uid", "email", "phone", "company", "notes", "status", "assignee")
        if getattr(fields, key) == ""
    }
    return replace(fields, **empty) if empty else fields


def parse_cards(text: str) -> list[Card]:
    """The cards of a .vcf body (text between cards is dropped; a card cut short is kept)."""
    return [card for _, card in iter_cards(_LINE.findall(text))]


def iter_cards(lines: Iterable[str]) -> Iterator[tuple[int, Card]]:
    """(line number of BEGIN:VCARD, card) of each card in ``lines`` (physical lines with their
    line ends). Folded lines are joined, and vCard 2.1's quoted-printable soft line breaks; a
    card inside a card (2.1's AGENT) stays lines of the outer card."""
    depth = 0
    start = 0
    card: list[Line] = []
    for number, raw, text in logical_lines(lines):
        line = _line(raw, text)
        name = line.name
        if name == "BEGIN" and line.value.strip().upper() == "VCARD":
            depth += 1
            if depth == 1:
                start, card = number, [line]
                continue
        elif depth == 0:
            continue  # text between cards
        elif name == "END" and line.value.strip().upper() == "VCARD":
            depth -= 1
            if depth == 0:
                card.append(line)
                yield start, Card(card)
                continue
        if depth > 1:  # a line of a nested card: kept, but no property of this one
            line = Line(raw, "", "", (), text)
        card.append(line)
    if depth:
        yield start, Card(card, complete=False)


def new_card(fields: CardFields, version: str = "3.0") -> Card:
    """A card of ``fields`` alone (for a contact the address book lacks), CRLF and folded."""
    f = fields
    text = card_text(
        f.name, f.email, f.company, f.phone, f.assignee, f.followers, f.status, f.tags, f.notes,
        uid=f.uid, version=version,
    )  # fmt: skip
    return next(iter_cards(_LINE.findall(text)))[1]


def card_text(
    name: str,
    email: str | None,
    company: str | None,
    phone: str | None,
    assignee: str | None,
    followers: int | None,
    status: str | None,
    tags: Sequence[str],
    notes: str | None,
    *,
    uid: str | None = None,
    version: str = "4.0",
) -> str:
    """A card's text from plain values (in the order of export's value tuples), CRLF line ends,
    folded at 75 octets; each property that has a value on a line of its own. Export writes a
    million of these: the usual short ASCII line is appended as it is."""
    if version not in VERSIONS:
        raise ValueError(f"unknown vCard version {version!r}: use {', '.join(VERSIONS)}")
    given, family = split_name(name)
    card = [f"BEGIN:VCARD\r\nVERSION:{version}\r\n"]
    for line in (
        "UID:" + escape(uid) if uid else "",
        "FN:" + escape(name),
        f"N:{escape(family)};{escape(given)};;;",
        "EMAIL:" + escape(email) if email else "",
        "ORG:" + escape(company) if company else "",
        "TEL:" + escape(phone) if phone else "",
        "CATEGORIES:" + ",".join([escape(t) for t in tags]) if tags else "",
        "NOTE:" + escape(notes) if notes else "",
        "X-TAGTUI-STATUS:" + escape(status) if status else "",
        "" if followers is None else f"X-TAGTUI-FOLLOWERS:{followers}",
        "X-TAGTUI-ASSIGNEE:" + escape(assignee) if assignee else "",
    ):
        if not line:
            continue
        if len(line) <= LINE_OCTETS and line.isascii():  # one octet a character, nothing to fold
            card.append(line + CRLF)
        elif version == "2.1":
            prop, _, value = line.partition(":")
            card.append(_render("", prop, (), value, version, CRLF))
        else:
            card.append(fold(line))
    card.append("END:VCARD\r\n")
    return "".join(card)


def split_name(name: str) -> tuple[str, str]:
    """(given, family): the last word is the family name; one word is a given name."""
    given, space, family = name.rpartition(" ")
    return (given, family) if space else (name, "")


# -- escaping and folding ------------------------------------------------------------------------

_ESCAPES: dict[int, str | None] = {
    ord("\\"): "\\\\",
    ord(","): "\\,",
    ord(";"): "\\;",
    ord("\n"): "\\n",
    ord("\r"): "\\n",
}
# Other control characters are not allowed in a vCard value (tab is): they are dropped.
_ESCAPES.update({c: None for c in (*range(0x20), 0x7F) if chr(c) not in "\t\n\r"})
#: A character ``escape`` changes: one of ``_ESCAPES``.
_SPECIAL = re.compile("[" + re.escape("".join(map(chr, _ESCAPES))) + "]")


def escape(text: str | None) -> str:
    """A text value with RFC 6350's escapes: backslash, comma, semicolon and newline."""
    if not text:
        return ""
    if not _SPECIAL.search(text):  # the usual case, and far cheaper than translate()
        return text
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_ESCAPES)


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
    if "\\" not in text:
        return text.split(sep)
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


def fold(line: str, newline: str = CRLF) -> str:
    """``line`` + CRLF, folded so no physical line passes 75 octets (never inside a character)."""
    if len(line) <= LINE_OCTETS and line.isascii():  # the usual case: one octet a character
        return line + newline
    data = line.encode("utf-8")
    if len(data) <= LINE_OCTETS:
        return line + newline
    parts: list[bytes] = []
    limit = LINE_OCTETS
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a UTF-8 continuation byte
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
        limit = LINE_OCTETS - 1  # continuation lines begin with a space
    parts.append(data)
    return (newline + " ").join(p.decode("utf-8") for p in parts) + newline


def _qp_fold(head: str, value: str, newline: str) -> str:
    """A quoted-printable line: ``head`` + the value encoded, with soft line breaks (``=``) so
    no physical line passes 75 octets; a space that would end or begin a physical line is
    encoded (=20), so no line is taken for a folded one."""
    pieces = [_QP_SAFE.get(b) or f"={b:02X}" for b in value.encode("utf-8")]
    lines: list[str] = []
    current = head
    start = len(head)  # the first line breaks only after some of the value (never in the head)
    for piece in pieces:
        if len(current) + len(piece) > LINE_OCTETS - 3 and len(current) > start:
            lines.append(_qp_end(current) + "=")
            current, start = "", 0
        current += "=20" if piece == " " and not current else piece
    lines.append(_qp_end(current))
    return newline.join(lines) + newline


def _qp_end(text: str) -> str:
    return text[:-1] + "=20" if text.endswith(" ") else text


#: The bytes quoted-printable writes as themselves: printable ASCII and the space, but ``=``.
_QP_SAFE = {b: chr(b) for b in range(32, 127) if b != ord("=")}


# -- reading lines -------------------------------------------------------------------------------

#: A physical line with its line end (CR LF, LF or a lone CR), or a last line without one.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def logical_lines(lines: Iterable[str]) -> Iterator[tuple[int, str, str]]:
    """(first line number, raw physical lines, unfolded text) of each logical line: a line
    beginning with a space or tab continues the one before, and so does the line after a
    quoted-printable value ending in ``=`` (vCard 2.1's soft line break)."""
    lines = iter(lines)
    raw = next(lines, None)
    if raw is None:
        return
    raw = raw.removeprefix("\ufeff")  # a byte-order mark is no part of a card
    parts: list[str] | None = None  # the physical lines, once there is more than one
    text = raw.rstrip("\r\n")
    first = number = 1
    for physical in lines:
        number += 1
        if physical[:1] in (" ", "\t"):
            if parts is None:
                parts = [raw]
            parts.append(physical)
            text += physical[1:].rstrip("\r\n")
            continue
        content = physical.rstrip("\r\n")
        if text[-1:] == "=" and _quoted_printable(text):
            if parts is None:
                parts = [raw]
            parts.append(physical)
            text = text[:-1] + content
            continue
        yield first, raw if parts is None else "".join(parts), text
        raw, parts, text, first = physical, None, content, number
    yield first, raw if parts is None else "".join(parts), text


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


def _line(raw: str, text: str) -> Line:
    """The parts of a content line; a line without a colon has no name."""
    colon = text.find(":")
    if colon < 0:
        return Line(raw, "", "", (), text)
    head = text[:colon]
    if '"' in head:  # a quoted parameter value may hold ':' or ';'
        parts = _split_unquoted(text, ":", 1)
        if len(parts) < 2:
            return Line(raw, "", "", (), text)
        head, value = parts
        name, *rest = _split_unquoted(head, ";")
        params = tuple(rest)
    else:
        value = text[colon + 1 :]
        if ";" in head:
            name, *rest = head.split(";")
            params = tuple(rest)
        else:
            name, params = head, ()
    group = ""
    if "." in name:
        group, _, name = name.rpartition(".")
    return Line(raw, group, name.strip().upper(), params, value)


Params = dict[str, list[str]]


def _params(raw: Iterable[str]) -> Params:
    """Parameters by upper-case name; 2.1's bare values are TYPE (or ENCODING)."""
    params: Params = {}
    for item in raw:
        key, sep, values = item.partition("=")
        if not sep:
            encoding = key.strip().upper() in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "B")
            key, values = ("ENCODING" if encoding else "TYPE"), key
        params.setdefault(key.strip().upper(), []).extend(
            v.strip().strip('"') for v in _split_unquoted(values, ",")
        )
    return params


def _preference(line: Line) -> int:
    """RFC 6350's PREF (1 is most preferred); vCard 3.0's TYPE=pref counts as 1; none is 101."""
    if not line.params:
        return 101
    params = _params(line.params)
    for value in params.get("PREF", ()):
        if value.isdigit():
            return int(value)
    if any(v.lower() == "pref" for v in params.get("TYPE", ())):
        return 1
    return 101


def _is_qp(line: Line) -> bool:
    return any("QUOTED-PRINTABLE" in p.upper() for p in line.params)


def _decoded(line: Line) -> str:
    """The value with 2.1's quoted-printable decoded (escapes still in)."""
    if not line.params or not _is_qp(line):
        return line.value
    params = _params(line.params)
    if not any(v.upper() == "QUOTED-PRINTABLE" for v in params.get("ENCODING", ())):
        return line.value
    data = quopri.decodestring(line.value.encode("utf-8"))
    charset = (params.get("CHARSET") or ["utf-8"])[0]
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _text(line: Line) -> str:
    return unescape(_decoded(line))


def _address(line: Line) -> str:
    """An EMAIL or TEL value without its ``mailto:``/``tel:`` URI scheme."""
    text = _text(line).strip()
    scheme = "mailto:" if line.name == "EMAIL" else "tel:"
    return text[len(scheme) :].strip() if text[: len(scheme)].lower() == scheme else text


def _tags(line: Line) -> list[str]:
    return [t.strip() for t in split_escaped(_decoded(line), ",") if t.strip()]


# -- writing lines -------------------------------------------------------------------------------

_ENCODING_PARAMS = ("ENCODING=", "CHARSET=")
_BARE_ENCODINGS = ("QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT")


def _without_pref(params: Sequence[str]) -> tuple[str, ...]:
    """``params`` without a preference: no PREF=n, no bare PREF (2.1), no ``pref`` in TYPE."""
    out: list[str] = []
    for param in params:
        key, sep, values = param.partition("=")
        key = key.strip().upper()
        if key == "PREF":
            continue
        if sep and key == "TYPE":
            quoted = len(values) > 1 and values.startswith('"') and values.endswith('"')
            items = (values[1:-1] if quoted else values).split(",")
            kept = [v for v in items if v.strip().lower() != "pref"]
            if not kept:
                continue
            if len(kept) < len(items):
                joined = ",".join(kept)
                param = param[: param.index("=") + 1] + (f'"{joined}"' if quoted else joined)
        out.append(param)
    return tuple(out)


def _render(group: str, name: str, params: Sequence[str], value: str, version: str, newline: str) -> str:
    """A content line of an escaped ``value``, folded: in 2.1 a value that is not short ASCII
    is quoted-printable UTF-8 (soft line breaks cannot be mistaken), else plain UTF-8."""
    kept = [
        p
        for p in params
        if not p.strip().upper().startswith(_ENCODING_PARAMS) and p.strip().upper() not in _BARE_ENCODINGS
    ]
    head = (f"{group}." if group else "") + name + "".join(";" + p for p in kept)
    line = f"{head}:{value}"
    if version == "2.1" and not (len(line) <= LINE_OCTETS and line.isascii()):
        return _qp_fold(head + ";CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:", value, newline)
    return fold(line, newline)


class _Edit:
    """The changes ``with_fields`` makes to a card: lines replaced, removed and added."""

    def __init__(self, card: Card) -> None:
        self.card_ = card
        self.lines: list[Line | None] = list(card.lines)
        self.added: list[Line] = []
        begin = card.lines[0].raw if card.lines else ""
        self.newline = "\n" if begin.endswith("\n") and not begin.endswith("\r\n") else CRLF
        self.emptied: set[str] = set()  # groups a removed line belonged to

    def _make(self, old: Line | None, name: str, value: str, params: Sequence[str] | None = None) -> Line:
        group = old.group if old else ""
        if params is None:
            params = old.params if old else ()
        raw = _render(group, name, params, value, self.card_.version, self.newline)
        return next(_line(r, t) for _, r, t in logical_lines(_LINE.findall(raw)))

    def _indices(self, name: str) -> list[int]:
        return [i for i in self.card_._index(name) if self.lines[i] is not None]

    def _remove(self, i: int) -> None:
        line = self.lines[i]
        if line is not None and line.group:
            self.emptied.add(line.group.upper())
        self.lines[i] = None

    def _set(self, i: int | None, name: str, value: str) -> None:
        """Line ``i`` with a new value, keeping its group and params; a new line if ``i`` is None."""
        if i is None:
            self.added.append(self._make(None, name, value))
        else:
            self.lines[i] = self._make(self.lines[i], name, value)

    def single(self, name: str, value: str | None) -> None:
        found = self._indices(name)
        if value is None:
            for i in found:
                self._remove(i)
        else:
            self._set(found[0] if found else None, name, value)

    def name(self, name: str) -> None:
        self.single("FN", escape(name))
        for i in self._indices("N")[:1]:
            line = self.lines[i]
            assert line is not None
            prefix, suffix = [*split_escaped(_decoded(line), ";"), *[""] * 5][3:5]
            bare = name  # "Dr. Jane Roe" with N's prefix "Dr." is given "Jane", family "Roe"
            if prefix.strip() and bare.startswith(prefix.strip() + " "):
                bare = bare[len(prefix.strip()) + 1 :]
            if suffix.strip() and bare.endswith(" " + suffix.strip()):
                bare = bare[: -len(suffix.strip()) - 1]
            given, family = split_name(bare.strip())
            self._set(i, "N", ";".join(escape(p) for p in (family, given, "", prefix, suffix)))

    def address(self, name: str, value: str | None) -> None:
        if value is None:
            for i in self._indices(name):
                self._remove(i)
            return
        i = self.card_._preferred(name)
        twin = next(
            (
                j
                for j in self._indices(name)
                if j != i and _address(self.card_.lines[j]).lower() == value.lower()
            ),
            None,
        )
        if i is not None and twin is not None:  # an address the card has already: prefer that line
            self._prefer(name, twin, i)
            i = twin
            if _address(self.card_.lines[i]) == value:
                return
        scheme = "mailto:" if name == "EMAIL" else "tel:"
        line = self.lines[i] if i is not None else None
        if line is not None and _text(line).strip().lower().startswith(scheme):
            value = scheme + value
        self._set(i, name, escape(value))

    def _prefer(self, name: str, target: int, old: int) -> None:
        """Line ``target`` marked preferred (PREF=1, TYPE=pref in 3.0, PREF in 2.1), and the
        mark taken from ``old`` and from any line before ``target`` that ranks as high."""
        for j in self._indices(name):
            line = self.lines[j]
            assert line is not None
            if j == target:
                params = _without_pref(line.params)
                lower = any(p.startswith("type=") for p in params)
                mark = {"4.0": "PREF=1", "2.1": "PREF"}.get(
                    self.card_.version, "type=pref" if lower else "TYPE=pref"
                )
                params = (*params, mark)
            elif j == old or (j < target and _preference(line) == 1):
                params = _without_pref(line.params)
            else:
                continue
            self.lines[j] = self._make(line, name, _decoded(line), params)

    def company(self, company: str | None) -> None:
        found = self._indices("ORG")
        if not found:
            if company is not None:
                self._set(None, "ORG", escape(company))
            return
        line = self.lines[found[0]]
        assert line is not None
        parts = split_escaped(_decoded(line), ";")
        parts[0] = company or ""
        if not any(p.strip() for p in parts):
            self._remove(found[0])
        else:
            self._set(found[0], "ORG", ";".join(escape(p) for p in parts))

    def notes(self, notes: str | None) -> None:
        found = self._indices("NOTE")
        for i in found[1:] if notes is not None else found:
            self._remove(i)
        if notes is not None:
            self._set(found[0] if found else None, "NOTE", escape(notes))

    def tags(self, tags: Sequence[str]) -> None:
        wanted = set(tags)
        found = self._indices("CATEGORIES")
        had: set[str] = set()
        kept: dict[int, list[str]] = {}
        for i in found:
            line = self.lines[i]
            assert line is not None
            names = _tags(line)
            had.update(names)
            kept[i] = [t for t in names if t in wanted]
        new = list(dict.fromkeys(t for t in tags if t not in had))
        if new and found:
            kept[found[-1]] += new
        elif new:
            self._set(None, "CATEGORIES", ",".join(escape(t) for t in new))
        for i in found:
            line = self.lines[i]
            assert line is not None
            if not kept[i]:
                self._remove(i)
            elif kept[i] != _tags(line):
                self._set(i, "CATEGORIES", ",".join(escape(t) for t in kept[i]))

    def card(self) -> Card:
        lines = self.lines
        if self.emptied:  # a group's labels (item1.X-ABLabel) go with its last property
            alive = {
                line.group.upper()
                for line in lines
                if line is not None and line.group and not line.name.startswith("X-")
            }
            for i, line in enumerate(lines):
                if line is not None and line.group.upper() in self.emptied - alive:
                    lines[i] = None
        out = [line for line in lines if line is not None]
        if self.added:  # before END:VCARD; in a card cut short, after its last property
            if self.card_.complete:
                at = len(out) - 1
            else:
                at = next((i + 1 for i in range(len(out) - 1, -1, -1) if out[i].name), len(out))
                if not out[at - 1].raw.endswith(("\n", "\r")):
                    out[at - 1] = out[at - 1]._replace(raw=out[at - 1].raw + self.newline)
            out[at:at] = self.added
        return Card(out, complete=self.card_.complete)
