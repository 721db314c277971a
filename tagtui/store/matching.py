"""What makes two contacts look like one person: normalised emails, phones, names and companies,
and the score of a pair (SPEC §7 "Duplicates").

Pure functions, no database: the scan in ``duplicates.py`` and the tests both use them.
This module, ``phonenumbers`` and ``rapidfuzz`` are imported on first use, never when the
CLI starts (``tagtui tags list`` must stay under half a second).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

# Letters that NFKD does not take apart but a user types without their accent.
_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ß": "ss"}
)
_INVISIBLE = dict.fromkeys([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0xFE00, 0xFE10)])
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = str.maketrans("", "", "'’`´")
#: Words that are not part of who someone is.
_HONORIFICS = frozenset(
    "mr mrs ms miss mx dr prof sir dame jr sr ii iii iv phd md esq herr frau mme mlle".split()  # noqa: SIM905
)
#: Words that say what kind of company it is, not which one.
_COMPANY_NOISE = frozenset(
    [
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "bv",
        "nv",
        "co",
        "corp",
        "corporation",
        "company",
        "the",
        "and",
        "kg",
        "oy",
        "ab",
        "as",
        "spa",
        "srl",
        "pty",
        "pvt",
    ]
)

#: Given names that are one name. Each line is one group; a name may sit in two groups.
_NICKNAMES = """
john jon jonathan jonathon johnny jonny jack
william bill billy will willy liam
robert bob bobby rob robbie bert
richard rick ricky dick rich richie
james jim jimmy jamie
joseph joe joey
michael mike mikey mick mickey
thomas tom tommy
christopher chris kit
christina christine chris tina kristina
charles charlie chuck chas
edward ed eddie ted ned
elizabeth liz lizzie beth betty eliza libby
margaret maggie meg peggy marge
katherine catherine kathryn kate katie kathy cathy kat
alexander alex alexandra sasha alejandro alessandro
daniel dan danny
david dave davy
benjamin ben benny
matthew matt matty
nicholas nick nicky nico
anthony tony antonio
andrew andy drew
samuel sam sammy
samantha sam sammy
patrick pat paddy
patricia pat patty trish
steven stephen steve
jennifer jen jenny
susan sue susie suzanne
rebecca becky becca
deborah debbie deb
victoria vicky tori
peter pete
gregory greg
timothy tim timmy
kenneth ken kenny
ronald ron ronnie
donald don donnie
lawrence larry
gerald gerry jerry
henry harry hank hal
harold harry hal
frederick fred freddie
francis frank
jose pepe
isabella isabel bella izzy
evelyn eve evie
eleanor ellie nora
sophia sophie
theodore theo ted
zachary zach zack
joshua josh
jacob jake
nathan nathaniel nate
abigail abby
dmitri dmitry dima
"""


def _nickname_table() -> dict[str, frozenset[int]]:
    table: dict[str, set[int]] = {}
    for group, line in enumerate(_NICKNAMES.strip().splitlines()):
        for name in line.split():
            table.setdefault(name, set()).add(group)
    return {name: frozenset(groups) for name, groups in table.items()}


NICKNAMES = _nickname_table()


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case-folded, accents stripped, invisible characters removed: how a user compares by eye."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.translate(_INVISIBLE))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold().translate(_LETTERS)


# -- emails ----------------------------------------------------------------------------------


def email_key(email: str | None, *, fold_aliases: bool = False) -> str | None:
    """An email as compared: trimmed and case-folded (NFKC, invisible characters removed).

    With ``fold_aliases`` (a workspace setting), ``+tags`` are dropped from the local part
    and Gmail's dots are ignored: ``J.Doe+news@gmail.com`` = ``jdoe@gmail.com``.
    """
    if not email:
        return None
    key = unicodedata.normalize("NFKC", email.strip().translate(_INVISIBLE)).casefold()
    if not key:
        return None
    if fold_aliases and "@" in key:
        local, domain = key.rsplit("@", 1)
        local = local.split("+", 1)[0] or local
        if domain in ("gmail.com", "googlemail.com"):
            local, domain = local.replace(".", ""), "gmail.com"
        key = f"{local}@{domain}"
    return key


# -- phones ----------------------------------------------------------------------------------

#: International numbers written with plain separators only: their E.164 form is their digits.
_PLAIN_INTERNATIONAL = re.compile(r"\+[0-9 ()./\-]+")
_NOT_DIGITS = re.compile(r"[^0-9]")


def phone_regions() -> frozenset[str]:
    """Every region code ``phonenumbers`` knows (``US``, ``GB``, ``DE`` …)."""
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


@functools.lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    import phonenumbers

    return frozenset(str(c) for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


@functools.lru_cache(maxsize=65536)
def phone_key(phone: str | None, region: str | None = None) -> str | None:
    """A phone number as compared: E.164 (``+14155550100``) when ``phonenumbers`` can read it
    (``region`` is the country of numbers written without ``+``), else ``#`` and its digits.

    A number in international form with plain separators (``+1 (415) 555-0100``) is read
    without the parser, which is what it would give (tested), at a fiftieth of the cost;
    a national trunk ``0`` after the country code goes through the parser.
    """
    if not phone:
        return None
    text = phone.strip()
    digits = _NOT_DIGITS.sub("", text)
    if len(digits) < 3:
        return None
    if _PLAIN_INTERNATIONAL.fullmatch(text) and "(0)" not in text:
        codes = _country_codes()
        for size in (1, 2, 3):
            if digits[:size] in codes:
                rest = digits[size:]
                if (
                    4 <= len(rest) <= 14
                    and rest[0] not in "01"
                    and not (digits[:size] == "7" and rest[0] == "8")
                ):
                    return "+" + digits
                break
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return "#" + digits
    if not phonenumbers.is_possible_number(number):
        return "#" + digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_phone_region(value: str | None) -> str | None:
    """A region code for ``--phone-region`` (``us`` -> ``US``); ``none`` clears it."""
    from tagtui.store.errors import ValidationError

    if value is None or value.strip().lower() in ("", "none", "off"):
        return None
    code = value.strip().upper()
    if code not in phone_regions():
        raise ValidationError(
            f"unknown phone region {value.strip()!r}: use a two-letter country code such as US, GB or DE",
            field="phone_region",
        )
    return code


# -- names and companies ---------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def name_tokens(name: str | None) -> tuple[str, ...]:
    """A name as words to compare: ``"Smith, John"`` -> ``("john", "smith")``; accents, case,
    apostrophes and titles gone (``"Dr. Seán O'Brien"`` -> ``("sean", "obrien")``)."""
    if not name:
        return ()
    text = name.strip()
    if text.count(",") == 1:
        last, first = text.split(",")
        if last.strip() and first.strip():
            text = f"{first} {last}"
    words = _WORD.findall(fold(text).translate(_APOSTROPHES))
    kept = tuple(w for w in words if w not in _HONORIFICS)
    return kept or tuple(words)


@functools.lru_cache(maxsize=16384)
def company_key(company: str | None) -> str | None:
    """A company as compared: ``"ACME, Inc."`` = ``"Acme"``."""
    if not company:
        return None
    words = _WORD.findall(fold(company).translate(_APOSTROPHES))
    kept = [w for w in words if w not in _COMPANY_NOISE] or words
    return " ".join(kept) or None


def canonical(token: str) -> str:
    """A given name's group for blocking: ``jon`` -> the first name of its nickname group."""
    groups = NICKNAMES.get(token)
    return f"~{min(groups)}" if groups else token


def token_similarity(a: str, b: str) -> float:
    """How alike two words of a name are: 1 equal, 0.95 nicknames, 0.9 an initial or a short
    form (``jon``/``jonathan``), 0.85 one typo in a long word, else 0 (a different name)."""
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return 0.9 if a[0] == b[0] else 0.0
    if NICKNAMES.get(a, frozenset()) & NICKNAMES.get(b, frozenset()):
        return 0.95
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if 3 <= len(short) <= 5 and long.startswith(short):
        return 0.9
    if len(short) >= 5:
        from rapidfuzz.distance import OSA

        if OSA.distance(a, b, score_cutoff=1) <= 1:
            return 0.85
    return 0.0


def name_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """How alike two names are, 0–1, word by word in any order: each word of the shorter name
    paired with its best match in the other. A word with no match makes them different people
    (``John Smith`` / ``Mary Smith`` stay apart, even with one phone); extra words (a middle
    name) cost a little."""
    if not a or not b:
        return 0.0
    if a == b or sorted(a) == sorted(b):
        return 1.0
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    left = list(long)
    sims: list[float] = []
    for word in sorted(short, key=len, reverse=True):
        best, at = 0.0, -1
        for i, other in enumerate(left):
            s = token_similarity(word, other)
            if s > best:
                best, at = s, i
                if s == 1.0:
                    break
        if at < 0:
            from rapidfuzz import fuzz

            # A different person; how different still orders the low scores.
            return 0.3 * fuzz.token_sort_ratio(" ".join(a), " ".join(b)) / 100
        sims.append(best)
        left.pop(at)
    return max(0.0, sum(sims) / len(sims) - 0.04 * len(left))


# -- the score of a pair ---------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What two contacts share and where they disagree (``None``: one side is blank)."""

    email: bool | None
    phone: bool | None
    company: bool | None


def score(name: float, e: Evidence) -> float:
    """The chance-like score (0–1) that two contacts are one person.

    A same email is nearly certain. Otherwise the names carry it (0.75 for a same name
    alone), a same phone adds 0.25 and a same company 0.15; a different email takes 0.2
    off, a different company 0.1, a different phone 0.05; and names that are not alike
    (below 0.8) cap the score at their similarity, whatever else agrees (families share
    a phone and an address).
    """
    if e.email:
        return round(0.85 + 0.15 * name, 4)
    s = 0.15 + 0.6 * name
    s += 0.25 if e.phone else (-0.05 if e.phone is False else 0.0)
    s += 0.15 if e.company else (-0.1 if e.company is False else 0.0)
    if e.email is False:
        s -= 0.2
    if name < 0.8:
        s = min(s, name)
    return round(min(1.0, max(0.0, s)), 4)


def reasons(name: float, e: Evidence, phone: str | None) -> list[str]:
    """Why a pair was suggested, in words: ``["same email", "same phone +14155550100", …]``."""
    out: list[str] = []
    if e.email:
        out.append("same email")
    if e.phone:
        out.append(f"same phone {phone}" if phone else "same phone")
    if e.company:
        out.append("same company")
    out.append("same name" if name >= 1.0 else f"similar name {name:.2f}")
    return out


def compare(a: dict[str, Any], b: dict[str, Any]) -> tuple[float, Evidence, float]:
    """Two contacts' keys (``email``, ``phone``, ``company``, ``tokens``) -> (score, evidence,
    name similarity). For tests and for the few pairs a scan reports."""

    def same(x: Any, y: Any) -> bool | None:
        return None if not x or not y else x == y

    e = Evidence(same(a["email"], b["email"]), same(a["phone"], b["phone"]), same(a["company"], b["company"]))
    n = name_similarity(a["tokens"], b["tokens"])
    return score(n, e), e, n
