"""Real CardDAV servers for the sync tests: Radicale and Xandikos (the ``test`` extra) started as
subprocesses on 127.0.0.1 at a free port, each with a temp folder of its own.

Radicale runs with basic auth (a plain htpasswd file); every :meth:`DavServer.new_book` there is a
new user with one address book, so discovery from the server root finds exactly that book.
Xandikos runs without auth; its books are made side by side in ``/user/contacts/``.

The helpers here speak HTTP with ``urllib`` on their own, never through ``tagtui.sync``, so a
test checks the client against what the server really holds.
"""

from __future__ import annotations

import base64
import itertools
import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

READY_TIMEOUT_S = 60.0
MKCOL_ADDRESSBOOK = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>'
    "<D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>"
    "<D:displayname>{name}</D:displayname>"
    "</D:prop></D:set></D:mkcol>"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def card(uid: str, name: str = "Ada Lovelace", version: str = "3.0", extra: str = "") -> str:
    """A small vCard (CRLF line ends)."""
    return f"BEGIN:VCARD\r\nVERSION:{version}\r\nUID:{uid}\r\nFN:{name}\r\n{extra}END:VCARD\r\n"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Book:
    """One address book on a server: its URL and the credentials that open it."""

    server: DavServer
    url: str
    path: str
    user: str | None = None
    password: str | None = None
    name: str = ""

    def request(self, method: str, name: str = "", body: bytes | None = None, **headers: str) -> Answer:
        return self.server.request(method, self.path + name, body, headers, self.user, self.password)

    def put(self, name: str, text: str) -> str:
        """Store a card as another client would; its etag."""
        answer = self.request("PUT", name, text.encode(), **{"Content-Type": "text/vcard"})
        assert answer.status in (201, 204), answer
        return answer.headers.get("etag") or ""

    def get(self, name: str) -> str | None:
        answer = self.request("GET", name)
        return answer.body.decode() if answer.status == 200 else None

    def remove(self, name: str) -> None:
        answer = self.request("DELETE", name)
        assert answer.status in (200, 204), answer

    def names(self) -> set[str]:
        """The card file names the server holds (a PROPFIND made here)."""
        answer = self.request(
            "PROPFIND", body=b'<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>', Depth="1"
        )
        assert answer.status == 207, answer
        import xml.etree.ElementTree as ET

        hrefs = [h.text or "" for h in ET.fromstring(answer.body).iter("{DAV:}href")]
        return {h.rsplit("/", 1)[1] for h in hrefs if not h.endswith("/")}

    def fill(self, cards: dict[str, str]) -> None:
        """Many cards at once (``name -> text``): thousands of PUTs would take minutes on a shared
        machine. An empty Radicale book takes Radicale's own bulk upload (one PUT of the whole
        address book; it names each card ``<UID>.vcf``); otherwise the cards are written into the
        server's storage the way it writes them itself (Xandikos: one git commit)."""
        self.server.fill(self, cards)


class DavServer:
    """A Radicale or Xandikos server process with its own folder."""

    def __init__(self, kind: str, folder: Path, route_prefix: str = "/", tls: bool = False) -> None:
        assert kind in ("radicale", "xandikos")
        assert not tls or kind == "radicale", "TLS is set up for Radicale"
        self.kind = kind
        self.prefix = route_prefix.rstrip("/")
        self.tls = tls
        #: With ``tls``: the server's self-signed certificate (trust it with SSL_CERT_FILE).
        self.certificate = folder / "cert.pem"
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._counter = itertools.count(1)
        self.htpasswd = folder / "users"
        self.htpasswd.touch()

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def __repr__(self) -> str:
        return f"DavServer({self.kind}, {self.base_url})"

    def _command(self) -> list[str]:
        if self.kind == "radicale":
            config = self.folder / "config"
            tls = ""
            if self.tls:
                key = self.folder / "key.pem"
                _self_signed(self.certificate, key)
                tls = f"ssl = True\ncertificate = {self.certificate}\nkey = {key}\n"
            config.write_text(
                f"[server]\nhosts = 127.0.0.1:{self.port}\n{tls}"
                f"[auth]\ntype = htpasswd\nhtpasswd_filename = {self.htpasswd}\n"
                "htpasswd_encryption = plain\ndelay = 0\n"
                "[rights]\ntype = owner_only\n"
                f"[storage]\nfilesystem_folder = {self.folder / 'collections'}\n"
                "[logging]\nlevel = warning\nmask_passwords = True\n"
            )
            return [sys.executable, "-m", "radicale", "--config", str(config)]
        return [
            sys.executable,
            "-m",
            "xandikos",
            "serve",
            "--directory",
            str(self.folder / "data"),
            "--defaults",
            "--listen-address",
            "127.0.0.1",
            "--port",
            str(self.port),
            *(["--route-prefix", self.prefix + "/"] if self.prefix else []),
        ]

    def start(self) -> DavServer:
        for _ in range(3):  # another process may take the free port first
            self.port = free_port()
            log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - kept open for the process
            env = {**os.environ, "XDG_DATA_HOME": str(self.folder / "state")}
            self.process = subprocess.Popen(
                self._command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )
            log.close()
            if self._wait_ready():
                return self
        raise RuntimeError(f"{self.kind} did not start: {self.log_tail()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_S
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                self.request("OPTIONS", "/")
                return True
            except OSError:
                time.sleep(0.1)
        self.stop()
        return False

    def log_tail(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 60,
    ) -> Answer:
        send = dict(headers or {})
        if body is not None and "Content-Type" not in send:
            send["Content-Type"] = "application/xml; charset=utf-8"
        if user is not None:
            send["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        req = urllib.request.Request(self.base_url + path, data=body, method=method, headers=send)
        context = ssl.create_default_context(cafile=str(self.certificate)) if self.tls else None
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:
                return Answer(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
        except urllib.error.HTTPError as err:
            return Answer(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())

    def add_user(self) -> tuple[str, str]:
        user = f"user{next(self._counter)}"
        password = f"pw-{secrets.token_hex(8)}"
        with open(self.htpasswd, "a") as fh:
            fh.write(f"{user}:{password}\n")
        return user, password

    def new_book(self, name: str | None = None, user: tuple[str, str] | None = None) -> Book:
        """A fresh, empty address book (on Radicale: of a new user, unless ``user`` is given)."""
        name = name or f"book-{uuid.uuid4().hex[:8]}"
        if self.kind == "radicale":
            login, password = user or self.add_user()
            path = f"/{login}/{name}/"
        else:
            login = password = None
            path = f"{self.prefix}/user/contacts/{name}/"
        body = MKCOL_ADDRESSBOOK.format(name=name).encode()
        answer = self.request("MKCOL", path, body, None, login, password)
        assert answer.status == 201, (answer, self.log_tail())
        return Book(self, self.base_url + path, path, login, password, name)

    def fill(self, book: Book, cards: dict[str, str]) -> None:
        if (
            self.kind == "radicale"
            and not book.names()
            and all(_named_by_uid(n, t) for n, t in cards.items())
        ):
            # Radicale's own bulk upload: a PUT of the whole address book (as its web page does).
            body = "".join(cards.values()).encode()
            answer = self.request(
                "PUT", book.path, body, {"Content-Type": "text/vcard"}, book.user, book.password, timeout=600
            )
            assert answer.status == 201, answer
            return
        if self.kind == "radicale":
            folder = self.folder / "collections" / "collection-root" / book.path.strip("/")
            for name, text in cards.items():
                (folder / name).write_bytes(text.encode())
            # Radicale parses and caches each new file on first read, as it does on a PUT: do it
            # here, so the tests time the listing a user meets, not this one-off.
            answer = self.request(
                "PROPFIND",
                book.path,
                b'<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>',
                {"Depth": "1"},
                book.user,
                book.password,
                timeout=600,
            )
            assert answer.status == 207, answer
            return
        _git_commit_cards(self.folder / "data" / book.path[len(self.prefix) :].strip("/"), cards)


def _named_by_uid(name: str, text: str) -> bool:
    return f"\r\nUID:{name.removesuffix('.vcf')}\r\n" in text


def _self_signed(cert: Path, key: Path) -> None:
    """A self-signed certificate for 127.0.0.1 (the openssl command line tool)."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip


def _git_commit_cards(repo_path: Path, cards: dict[str, str]) -> None:
    """Add the cards to a Xandikos collection (a git repository with a work tree) in one commit,
    the way Xandikos itself adds one card: file, blob, index entry, commit."""
    from dulwich.index import index_entry_from_stat, locked_index
    from dulwich.objects import Blob
    from dulwich.repo import Repo

    repo = Repo(str(repo_path))
    with locked_index(repo.index_path()) as index:
        blobs = []
        for name, text in cards.items():
            data = text.encode()
            path = repo_path / name
            path.write_bytes(data)
            blob = Blob.from_string(data)
            blobs.append((blob, None))
            index[name.encode()] = index_entry_from_stat(os.lstat(path), blob.id)
        repo.object_store.add_objects(blobs)
        tree = index.commit(repo.object_store)
        repo.get_worktree().commit(message=b"tests: add cards", tree=tree)


class DigestProxy:
    """HTTP Digest authentication (RFC 7616: qop=auth, MD5 or SHA-256, nonce counts, stale
    nonces) in front of a real server that has none (Xandikos): neither Radicale nor Xandikos
    speaks Digest. It checks each request's answer to its challenge the way a server does
    (its own parser and hashes, nothing of tagtui's), then forwards the request as it is.
    A nonce serves ``nonce_uses`` requests; then the answer is 401 with ``stale=true``."""

    realm = "tagtui-test"

    def __init__(self, upstream: str, user: str, password: str, *, algorithm: str = "SHA-256",
                 nonce_uses: int = 1000) -> None:  # fmt: skip
        import http.client
        import http.server
        import threading
        from urllib.parse import urlsplit

        self.user, self.password, self.algorithm = user, password, algorithm
        self.nonce_uses = nonce_uses
        self.nonces: dict[str, int] = {}  # nonce -> requests served with it
        self.refused = 0
        self.accepted = 0
        target = urlsplit(upstream)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stale = proxy._check(self.command, self.path, self.headers.get("Authorization") or "")
                if stale is not None:
                    proxy.refused += 1
                    nonce = secrets.token_hex(16)
                    proxy.nonces[nonce] = 0
                    challenge = (
                        f'Digest realm="{proxy.realm}", qop="auth", algorithm={proxy.algorithm},'
                        f' nonce="{nonce}", opaque="op4que"' + (", stale=true" if stale else "")
                    )
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", challenge)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                proxy.accepted += 1
                upstream_conn = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
                skip = {"authorization", "host", "connection", "content-length"}
                headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                upstream_conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = upstream_conn.getresponse()
                data = resp.read()
                upstream_conn.close()
                self.send_response(resp.status, resp.reason)
                for name, value in resp.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = do_MKCOL = _any

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _check(self, method: str, uri: str, header: str) -> bool | None:
        """None: a right answer; False: none or a wrong one; True: right, but its nonce is stale."""
        import hashlib
        import re

        if not header.startswith("Digest "):
            return False
        params = {
            k.lower(): v[1:-1] if v.startswith('"') else v
            for k, v in re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', header[len("Digest ") :])
        }
        nonce = params.get("nonce", "")
        if nonce not in self.nonces or params.get("uri") != uri or params.get("username") != self.user:
            return False
        if params.get("algorithm", "MD5").upper() != self.algorithm.upper():
            return False

        def h(text: str) -> str:
            name = "md5" if self.algorithm.upper().startswith("MD5") else "sha256"
            return hashlib.new(name, text.encode()).hexdigest()

        ha1 = h(f"{self.user}:{self.realm}:{self.password}")
        ha2 = h(f"{method}:{uri}")
        expected = h(f"{ha1}:{nonce}:{params.get('nc')}:{params.get('cnonce')}:auth:{ha2}")
        if params.get("qop") != "auth" or params.get("response") != expected:
            return False
        if params.get("opaque") != "op4que":
            return False
        self.nonces[nonce] += 1
        if self.nonces[nonce] > self.nonce_uses:
            return True
        return None
