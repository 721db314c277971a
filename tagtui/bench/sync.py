"""Sync rows of ``tagtui bench`` (issue 13): a local Radicale filled with N phone-style cards,
and tagtui's sync beside a bare ``http.client`` script making the same requests.

- first pull: ``tagtui`` syncs the book into an empty workspace (a fresh database each run);
  the bare script makes the same requests (a sync-collection REPORT without a token, then
  addressbook-multiget REPORTs of 500) and parses each answer once, nothing more.
- no change: ``tagtui`` syncs the synced workspace again; the bare script makes the one
  sync-collection REPORT with the token.

Radicale is the ``test`` extra, not a dependency of tagtui: without it the rows are skipped and
say so. ``scripts/carddav_bench.py`` uses the same server and the same bare requests.
"""

from __future__ import annotations

import base64
import http.client
import importlib.util
import os
import secrets
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MULTIGET = 500
DAV = "{DAV:}"
CARD_DATA = "{urn:ietf:params:xml:ns:carddav}address-data"


def radicale_missing() -> str | None:
    """Why the sync rows cannot run here, or None."""
    if importlib.util.find_spec("radicale") is None:
        return "skipped: radicale is not installed (pip install -e '.[test]')"
    return None


def phone_card(i: int) -> str:
    """A card as a phone keeps it: a name, an email, a phone number, two tags."""
    return (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:p{i}\r\nFN:Person {i}\r\nN:{i};Person;;;\r\n"
        f"EMAIL;TYPE=INTERNET:p{i}@example.com\r\nTEL;TYPE=CELL:+1 555 {i:07}\r\n"
        f"CATEGORIES:t{i % 20},lead\r\nEND:VCARD\r\n"
    )


class Radicale:
    """A Radicale process on 127.0.0.1 at a free port, with basic auth and one address book."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.user, self.password = "bench", secrets.token_hex(8)
        (self.folder / "users").write_text(f"{self.user}:{self.password}\n")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        (self.folder / "config").write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {self.folder / 'users'}\n"
            "htpasswd_encryption = plain\ndelay = 0\n[rights]\ntype = owner_only\n"
            f"[storage]\nfilesystem_folder = {self.folder / 'collections'}\n[logging]\nlevel = warning\n"
        )
        self.path = f"/{self.user}/book/"
        self.url = f"http://127.0.0.1:{self.port}{self.path}"
        self.process: subprocess.Popen[bytes] | None = None

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
        try:
            auth = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            conn.request(method, path, body=body, headers={"Authorization": f"Basic {auth}", **headers})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def __enter__(self) -> Radicale:
        log = open(self.folder / "server.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(self.folder / "config")],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "XDG_DATA_HOME": str(self.folder / "state")},
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            try:
                self.request("OPTIONS", "/")
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise RuntimeError("radicale did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def fill(self, cards: int) -> None:
        """A new address book of ``cards`` cards (Radicale's own bulk upload: one PUT), and its
        cache built (the first sync-collection of a book is slow once; a user meets it once)."""
        mkcol = (
            b'<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
            b"<D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>"
            b"</D:prop></D:set></D:mkcol>"
        )
        status, _ = self.request("MKCOL", self.path, mkcol)
        assert status == 201, status
        body = "".join(phone_card(i) for i in range(cards)).encode()
        status, _ = self.request("PUT", self.path, body, **{"Content-Type": "text/vcard"})
        assert status == 201, status
        bare_pull(self.url, self.user, self.password)


def _sync_collection(token: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">'
        f"<D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>"
        "<D:prop><D:getetag/><D:getcontenttype/></D:prop></D:sync-collection>"
    ).encode()


class _Bare:
    """One keep-alive connection with basic auth, nothing else."""

    def __init__(self, url: str, user: str | None, password: str | None) -> None:
        parts = urlsplit(url)
        self.path = parts.path
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=900)
        self.headers = {"Content-Type": "application/xml"}
        if user:
            auth = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
            self.headers["Authorization"] = f"Basic {auth}"

    def report(self, body: bytes, depth: str) -> ET.Element:
        self.conn.request("REPORT", self.path, body, {**self.headers, "Depth": depth})
        return ET.fromstring(self.conn.getresponse().read())


def bare_pull(url: str, user: str | None, password: str | None) -> int:
    """tagtui's requests of a first pull, made bare: the cards read."""
    bare = _Bare(url, user, password)
    try:
        root = bare.report(_sync_collection(""), "0")
        hrefs = [
            r.findtext(DAV + "href")
            for r in root.iter(DAV + "response")
            if r.find(f"{DAV}propstat/{DAV}prop/{DAV}getetag") is not None
        ]
        got = 0
        for i in range(0, len(hrefs), MULTIGET):
            body = (
                '<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
                "<D:prop><D:getetag/><C:address-data/></D:prop>"
                + "".join(f"<D:href>{h}</D:href>" for h in hrefs[i : i + MULTIGET])
                + "</C:addressbook-multiget>"
            ).encode()
            got += sum(1 for _ in bare.report(body, "1").iter(CARD_DATA))
        return got
    finally:
        bare.conn.close()


def bare_changes(url: str, user: str | None, password: str | None, token: str) -> int:
    """tagtui's request of a sync with nothing changed, made bare: the cards it names."""
    bare = _Bare(url, user, password)
    try:
        root = bare.report(_sync_collection(token), "0")
        return sum(1 for r in root.iter(DAV + "response") if r.findtext(DAV + "href", "") != bare.path)
    finally:
        bare.conn.close()


def sync_rows(
    folder: str,
    cards: int,
    runs: int,
    add: Callable[..., Any],
    progress: Callable[[str], None],
) -> None:
    """Add the two sync rows through ``add(op, group, ours, raw, check=..., note=..., runs=...)``
    (``Bench.add``): tagtui's side and the bare script's, the same number of runs each."""
    from tagtui.store import Store
    from tagtui.sync.engine import sync

    missing = radicale_missing()
    first = f"sync: first pull of {cards:,} cards (local Radicale)"
    quiet = f"sync: nothing changed, {cards:,} cards (local Radicale)"
    if missing is not None:
        for op in (first, quiet):
            add(op, 12, None, None, note=missing)
        return
    progress(f"sync: starting Radicale and storing {cards:,} cards")
    with Radicale(os.path.join(folder, "radicale")) as server:
        server.fill(cards)
        os.environ["TAGTUI_BENCH_DAV_PW"] = server.password
        made = iter(range(1_000_000))

        def pull() -> int:
            path = os.path.join(folder, f"sync-{next(made)}.db")
            store = Store.open(path)
            try:
                store.add_sync_source(
                    "bench", server.url, username=server.user, password_env="TAGTUI_BENCH_DAV_PW"
                )
                return sync(store, "bench").pulled["created"]
            finally:
                store.close()
                for suffix in ("", "-wal", "-shm", "-sync-1.lock"):
                    if os.path.exists(path + suffix):
                        os.unlink(path + suffix)

        add(
            first,
            12,
            pull,
            lambda: bare_pull(server.url, server.user, server.password),
            note="raw: http.client, the same REPORTs (sync-collection, multigets of 500), XML parsed once",
        )
        path = os.path.join(folder, "sync-quiet.db")
        store = Store.open(path)
        try:
            store.add_sync_source(
                "bench", server.url, username=server.user, password_env="TAGTUI_BENCH_DAV_PW"
            )
            sync(store, "bench")
            sync(store, "bench")  # the first sync's own changes here, read once; then noted
            token = store.get_sync_source("bench").sync_token or ""
            add(
                quiet,
                12,
                lambda: sum(sync(store, "bench").pulled.values()),
                lambda: bare_changes(server.url, server.user, server.password, token),
                note="raw: the one sync-collection REPORT with the token",
            )
        finally:
            store.close()
