"""The far side of a sync: one protocol for a CardDAV address book and a vdir folder, and its
errors (``tagtui.sync.connect.open_remote`` picks the right one for a URL or a path)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from tagtui.store.errors import TagtuiError


class RemoteError(TagtuiError):
    """The address book could not be read or written: a dead server, a wrong password, a 5xx, a
    timeout, a missing folder. ``str(err)`` is one line that names the URL and never a password."""

    exit_code = 1
    kind = "sync"

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class RemoteChanged(RemoteError):
    """A write's precondition failed (HTTP 412, or the vdir file changed): the card changed on the
    far side since it was read. Nothing was overwritten; the next pass merges it."""


@dataclass(frozen=True)
class Changes:
    """What changed in an address book since a sync token: ``changed`` maps href -> etag."""

    changed: dict[str, str] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    token: str | None = None


@runtime_checkable
class Remote(Protocol):
    """An address book tagtui syncs with. Hrefs and etags are opaque strings, stable per card."""

    url: str  # never with a password in it

    def listing(self) -> dict[str, str]:
        """Every card: href -> etag."""
        ...

    def changes(self, token: str | None) -> Changes | None:
        """What changed since ``token`` (None = everything, with a first token); None when the far
        side has no sync tokens or the token is no longer valid (then use ``listing``)."""
        ...

    def fetch(self, hrefs: Sequence[str]) -> dict[str, tuple[str, str]]:
        """href -> (etag, text) for the cards asked for; hrefs that are gone are left out."""
        ...

    def create(self, uid: str, text: str) -> tuple[str, str]:
        """Store a new card, never over an existing one: (href, etag). RemoteChanged if one is there."""
        ...

    def update(self, href: str, etag: str, text: str) -> str:
        """Replace the card if it still has ``etag``: its new etag. RemoteChanged otherwise."""
        ...

    def delete(self, href: str, etag: str) -> None:
        """Delete the card if it still has ``etag`` (already gone is fine). RemoteChanged otherwise."""
        ...


def is_http_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))
