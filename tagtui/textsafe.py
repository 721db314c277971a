"""Show text from the database literally: control and escape characters become visible.

A contact's name must never be able to recolour the terminal or set its title, so
every front end passes database text through ``visible`` before printing it.
"""

from __future__ import annotations

import unicodedata

# C0 controls map onto the Unicode "control pictures" block (U+2400 + code point).
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_PICTURES[0x7F] = "\u2421"  # ␡


def _replacement(ch: str) -> str | None:
    code = ord(ch)
    if code in _PICTURES:
        return _PICTURES[code]
    category = unicodedata.category(ch)
    if category == "Cc":  # C1 controls (U+0080–U+009F), e.g. the 8-bit CSI
        return f"<U+{code:04X}>"
    if category in ("Zl", "Zp"):
        return "\u2424"  # ␤
    if ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        # Bidirectional overrides and isolates would reorder the rest of the line.
        return f"<U+{code:04X}>"
    return None


def visible(text: str | None, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character replaced by a visible placeholder."""
    if not text:
        return text or ""
    if text.isprintable() and not any(0x2028 <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in text):
        return text
    out = []
    for ch in text:
        if keep_newlines and ch == "\n":
            out.append(ch)
            continue
        rep = _replacement(ch)
        out.append(ch if rep is None else rep)
    return "".join(out)
