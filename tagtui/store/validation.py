"""Pure validation rules of the data model (SPEC §1): slugs, colors, names, limits."""

from __future__ import annotations

import re
import unicodedata

from tagtui.store.errors import ValidationError
from tagtui.store.identity import slugify, stored, text_key

NAME_MAX = 100
DESCRIPTION_MAX = 200
EMOJI_MAX = 16
CONTACT_NAME_MAX = 200
EMAIL_MAX = 254
COMPANY_MAX = 200
PHONE_MAX = 50
ASSIGNEE_MAX = 100
NOTES_MAX = 10_000
LIST_LIMIT_MAX = 1000
BULK_LIMIT_MAX = 10_000
MAX_TAGS_MAX = 1000
DEFAULT_BULK_LIMIT = 500
DEFAULT_TAG_COLOR = "#6366f1"
DEFAULT_STATUS_COLOR = "slate"

#: The named palette: Tailwind's 500 shades, as in the references' examples.
PALETTE: dict[str, str] = {
    "slate": "#64748b",
    "gray": "#6b7280",
    "zinc": "#71717a",
    "stone": "#78716c",
    "red": "#ef4444",
    "orange": "#f97316",
    "amber": "#f59e0b",
    "yellow": "#eab308",
    "lime": "#84cc16",
    "green": "#22c55e",
    "emerald": "#10b981",
    "teal": "#14b8a6",
    "cyan": "#06b6d4",
    "sky": "#0ea5e9",
    "blue": "#3b82f6",
    "indigo": "#6366f1",
    "violet": "#8b5cf6",
    "purple": "#a855f7",
    "fuchsia": "#d946ef",
    "pink": "#ec4899",
    "rose": "#f43f5e",
}

_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def normalize_color(value: str) -> str:
    """A palette name or ``#rgb`` / ``#rrggbb`` in any case -> lower-case ``#rrggbb``."""
    text = value.strip() if isinstance(value, str) else ""  # not text: refused below, like any bad form
    named = PALETTE.get(text.lower())
    if named:
        return named
    if _HEX.fullmatch(text):
        digits = text[1:].lower()
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return "#" + digits
    raise ValidationError(
        f"invalid color {value!r}: use a palette name (red, blue, …; see `tagtui tags colors`)"
        " or a hex code #rgb or #rrggbb",
        field="color",
    )


def color_name(hex_code: str) -> str | None:
    """The palette name of a stored color, if it has one."""
    for name, code in PALETTE.items():
        if code == hex_code:
            return name
    return None


def clean_label_name(value: str, *, what: str = "tag") -> tuple[str, str]:
    """A tag or status name, trimmed and checked, with its slug."""
    if not isinstance(value, str):
        raise ValidationError(f"{what} name must be text", field="name")
    name = stored(value.strip())
    if not name:
        raise ValidationError(f"{what} name must not be blank", field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(f"{what} name is {len(name)} characters; the limit is {NAME_MAX}", field="name")
    check_no_nul(name, field="name", label=f"{what} name")
    slug = slugify(name, what)
    if not slug or not text_key(name).strip():
        raise ValidationError(
            f"{what} name {name!r} has only invisible characters (zero-width or variation selectors)",
            field="name",
        )
    return name, slug


def clean_emoji(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("emoji must be text", field="emoji")
    emoji = value.strip()
    if not emoji:
        return None
    if len(emoji) > EMOJI_MAX:
        raise ValidationError(f"emoji is {len(emoji)} characters; the limit is {EMOJI_MAX}", field="emoji")
    for ch in emoji:
        if ch.isspace() or (unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200d\ufe0f"):
            raise ValidationError("emoji must not contain white space or control characters", field="emoji")
    return emoji


def clean_text(value: str | None, *, field: str, limit: int, required: bool = False) -> str | None:
    """Trim surrounding white space; blank is ``None`` unless the field is required."""
    if value is None:
        if required:
            raise ValidationError(f"{field} is required", field=field)
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text", field=field)
    text = stored(value.strip())
    if not text:
        if required:
            raise ValidationError(f"{field} must not be blank", field=field)
        return None
    if len(text) > limit:
        raise ValidationError(f"{field} is {len(text)} characters; the limit is {limit}", field=field)
    check_no_nul(text, field=field)
    return text


def check_no_nul(text: str, *, field: str, label: str | None = None) -> None:
    """Refuse U+0000: PostgreSQL cannot store it in text, so no engine takes it (same rules on both)."""
    if "\x00" in text:
        raise ValidationError(
            f"{label or field} contains a NUL character (U+0000), which cannot be stored", field=field
        )


def clean_email(value: str | None) -> str | None:
    email = clean_text(value, field="email", limit=EMAIL_MAX)
    if email is None:
        return None
    # Stripped already: white space inside splits it (str.split and isspace agree on what it is).
    if email.count("@") != 1 or len(email.split()) != 1:
        raise ValidationError(f"invalid email {email!r}", field="email")
    local, domain = email.split("@")
    if not local or not domain:
        raise ValidationError(f"invalid email {email!r}", field="email")
    return email


def clean_followers(value: int | str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValidationError("followers must be a whole number ≥ 0", field="followers")
    if isinstance(value, str):
        text = value.strip().replace("_", "").replace(",", "")
        if not text.isdigit() or not text.isascii():
            raise ValidationError(f"followers must be a whole number ≥ 0, not {value!r}", field="followers")
        value = int(text)
    if not isinstance(value, int) or value < 0:
        raise ValidationError("followers must be a whole number ≥ 0", field="followers")
    if value > 2**63 - 1:
        raise ValidationError("followers is too large", field="followers")
    return value


def check_limit(limit: int, offset: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= LIST_LIMIT_MAX:
        raise ValidationError(f"limit must be 1–{LIST_LIMIT_MAX}, not {limit}", field="limit")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError(f"offset must be ≥ 0, not {offset}", field="offset")


def check_max_tags_setting(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TAGS_MAX:
        raise ValidationError(
            f"max_tags_per_contact must be 1–{MAX_TAGS_MAX} or none, not {value}",
            field="max_tags_per_contact",
        )
    return value


def check_bulk_limit_setting(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= BULK_LIMIT_MAX:
        raise ValidationError(f"bulk_limit must be 1–{BULK_LIMIT_MAX}, not {value}", field="bulk_limit")
    return value
