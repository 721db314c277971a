"""Showing a database: its path or URL with every password redacted, and a driver's message
scrubbed of them. Standard library only (the engines and the connections both use it)."""

from __future__ import annotations

import re
from urllib.parse import unquote, unquote_plus

_PASSWORD_PARAM = re.compile(r"(?i)([?&;\s]|^)(\w*password)=([^&#;\s]*)")


def _userinfo_end(rest: str) -> int:
    """Where the ``user:password`` part of a URL (after ``//``) ends (its ``@``), or -1.

    The host is what follows the LAST ``@`` before the path, so a raw ``@`` in a password
    counts as the password's. A password holding a raw ``/`` or ``?`` (which should have been
    written ``%2F``, ``%3F``) still ends at the last ``@`` that no query parameter precedes.
    """
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        return authority.rfind("@")
    at = rest.rfind("@")
    while at > 0:
        if "=" not in rest[:at] and ":" in rest[:at]:
            return at
        at = rest.rfind("@", 0, at)
    return -1


def redact_url(target: str) -> str:
    """A database path or URL fit to print: every password replaced by ``***``.

    Covers ``user:pass@``, ``:pass@``, a password holding ``@`` (raw or ``%40``), and
    ``password=`` query parameters (``sslpassword=`` too). A file path is returned as is.
    Everything that shows a database (messages, ``tagtui locate``, sync) goes through here.
    """
    if "://" not in target:
        return target
    scheme, rest = target.split("://", 1)
    end = _userinfo_end(rest)
    if end >= 0:
        userinfo, tail = rest[:end], rest[end:]
        if ":" in userinfo:
            rest = userinfo.split(":", 1)[0] + ":***" + tail
    rest = _PASSWORD_PARAM.sub(lambda m: f"{m[1]}{m[2]}=***", rest)
    return f"{scheme}://{rest}"


def url_secrets(target: str) -> list[str]:
    """The passwords written in ``target`` (raw and percent-decoded), longest first."""
    if "://" not in target:
        return []
    rest = target.split("://", 1)[1]
    found: list[str] = []
    end = _userinfo_end(rest)
    if end >= 0 and ":" in rest[:end]:
        found.append(rest[:end].split(":", 1)[1])
    found += [m[3] for m in _PASSWORD_PARAM.finditer(rest)]
    every = {s for f in found for s in (f, unquote(f), unquote_plus(f)) if s}
    return sorted(every, key=len, reverse=True)


def scrub(text: str, target: str) -> str:
    """``text`` (a driver's message, say) with the URL shown redacted and no password of
    ``target`` left in it, however the driver quoted it."""
    text = text.replace(target, redact_url(target))
    for secret in url_secrets(target):
        text = text.replace(secret, "***")
    return text
