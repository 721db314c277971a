"""Identity of names (SPEC §7), defined in ``tagtui.identity`` (which imports nothing of tagtui, so
``tagtui.query`` compares names as the store does without loading it)."""

from tagtui.identity import (
    INVISIBLE,
    KEY_MAX,
    contact_keys,
    email_key,
    name_keys,
    search_key,
    slugify,
    stored,
    text_key,
)

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
