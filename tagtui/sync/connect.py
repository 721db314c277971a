"""``open_remote``: the address book at a URL or a path, a CardDAV address book or a vdir folder.

Apart from ``remote`` (the protocol and errors both kinds import), so that neither imports back
the module that chooses between them.
"""

from __future__ import annotations

from tagtui.sync.remote import Remote, is_http_url


def open_remote(
    url: str, user: str | None = None, password: str | None = None, timeout: float = 30
) -> Remote:
    """The address book at ``url``: a folder path (or ``file://`` URL) is a vdir; an ``http(s)://`` URL
    is a CardDAV address book, or a server/principal URL whose one address book is found by discovery
    (several found: RemoteError naming them)."""
    if is_http_url(url):
        from tagtui.sync.carddav import CardDavRemote

        return CardDavRemote.discover(url, user=user, password=password, timeout=timeout)
    from tagtui.sync.vdir import VdirRemote

    return VdirRemote(url)
