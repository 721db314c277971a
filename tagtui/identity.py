"""Identity of names (SPEC §7): what is stored and what is compared, derived in one place.

Names are stored NFC. Every key — tag and status slugs, the ``*_key`` columns, the email key
and the free-text ``search`` column — is NFKC + case-folded with zero-width characters and
variation selectors removed, so two spellings that look alike are one name: "Café" written
with é or with e + U+0301, "V\\u200bIP" and "VIP", "⭐\\ufe0f" and "⭐". An email's domain is
compared in its ASCII (punycode) form, so ``jane@bücher.example`` is
``jane@xn--bcher-kva.example``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = [
    "INVISIBLE",
    "KEY_MAX",
    "contact_keys",
    "email_key",
    "name_keys",
    "search_key",
    "slugify",
    "stored",
    "text_key",
]

#: Characters that change nothing a reader sees: zero-width space, non-joiner and joiner,
#: word joiner, BOM, and the variation selectors (emoji vs text presentation).
INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef]")
#: A key is cut at this many characters: NFKC can expand a character up to 18 times, and
#: PostgreSQL's index entries hold at most ~2,700 bytes.
KEY_MAX = 500


def stored(text: str) -> str:
    """``text`` as the store keeps it: NFC (é is one character, however it was typed)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


def text_key(text: str) -> str:
    """What two names are compared by: NFKC + case-folded, without invisible characters."""
    if text.isascii():
        return text.lower()[:KEY_MAX]  # the same, fast: casefold and NFKC change no ASCII
    text = INVISIBLE.sub("", text)
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())[:KEY_MAX]


def email_key(email: str) -> str:
    """An email as emails are compared: ``text_key`` of it, its domain in punycode."""
    if email.isascii():  # the same, fast: text_key lowers it, and its domain is ASCII already
        return email.strip().lower()[:KEY_MAX]
    key = text_key(email.strip())
    local, at, domain = key.rpartition("@")
    if at and domain and not domain.isascii():
        domain = _ascii_domain(domain)
    return (local + at + domain)[:KEY_MAX]


def _ascii_domain(domain: str) -> str:
    """``bücher.example`` -> ``xn--bcher-kva.example``; the domain as it is if IDNA refuses it."""
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:  # an empty label, a label over 63 characters, a character IDNA forbids
        return domain


def search_key(name: str, email: str | None, company: str | None) -> str:
    """The text free-text search looks in (see ``models.ContactTableRow.search``)."""
    return "\x1f".join((text_key(name), text_key(email or ""), text_key(company or "")))


def contact_keys(
    name: str, email: str | None, assignee: str | None, company: str | None
) -> dict[str, str | None]:
    """The derived key columns of a contact: ``name_key``, ``email_key``, ``assignee_key``, ``search``."""
    name_key, assignee_key, search = name_keys(name, email, assignee, company)
    return {
        "name_key": name_key,
        "email_key": email_key(email) if email else None,
        "assignee_key": assignee_key,
        "search": search,
    }


def name_keys(
    name: str,
    email: str | None,
    assignee: str | None,
    company: str | None,
    shared: Callable[[str], str] = text_key,
) -> tuple[str, str | None, str]:
    """``name_key``, ``assignee_key`` and ``search`` of a contact (``contact_keys`` without the
    email's key). ``shared`` keys the company and assignee names, which repeat from contact to
    contact: an import passes a cached ``text_key``."""
    name_key = text_key(name)
    # search_key's text, the name's key not worked out twice
    search = "\x1f".join((name_key, text_key(email or ""), shared(company) if company else ""))
    return name_key, shared(assignee) if assignee else None, search


def slugify(name: str, what: str = "tag") -> str:
    """The slug of a tag or status name (SPEC §1, §7), ``""`` only for a name with nothing visible.

    The key of the name, with each run of anything but letters, digits and combining marks
    made one ``-``, trimmed of ``-``. A name of symbols only is spelled by their Unicode
    names (``⭐`` -> ``white-medium-star``); characters without one by their code points
    (``tag-e000``). Never invisible, and the same name always gives the same slug.
    """
    key = text_key(name)
    slug = _runs(key)
    if slug:
        return slug
    chars = [ch for ch in key if not ch.isspace()]
    if not chars:
        return ""
    names = [unicodedata.name(ch, "") for ch in chars]
    if any(names):
        return _runs(" ".join(n or f"{ord(ch):x}" for n, ch in zip(names, chars, strict=True)).lower())
    return _runs(f"{what} " + " ".join(f"{ord(ch):x}" for ch in chars))


def _runs(text: str) -> str:
    out: list[str] = []
    pending_dash = False
    for ch in text:
        if ch.isalnum() or unicodedata.category(ch) in ("Mn", "Mc"):
            # Combining marks stay with their letter (a mark NFKC cannot compose).
            if pending_dash and out:
                out.append("-")
            pending_dash = False
            out.append(ch)
        else:
            pending_dash = True
    return "".join(out)[:KEY_MAX].rstrip("-")
