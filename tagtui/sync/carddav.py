"""A CardDAV address book (RFC 6352) over the standard library's ``http.client``.

Listing is a PROPFIND of depth 1 for etags; changes come from an RFC 6578 sync-collection REPORT
when the server keeps sync tokens; cards are read with addressbook-multiget REPORTs in batches and
written with PUT/DELETE guarded by ``If-Match`` / ``If-None-Match: *``. One keep-alive connection is
reused. Discovery goes from a server or principal URL (or ``/.well-known/carddav``) through
current-user-principal and addressbook-home-set to the address books.

Every failure is a one-line :class:`RemoteError` naming the URL (never a password).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import netrc
import os
import re
import secrets
import socket
import ssl
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.sax.saxutils import escape

from tagtui.sync.remote import Changes, RemoteChanged, RemoteError
from tagtui.sync.vdir import file_name

DAV = "{DAV:}"
CARD = "{urn:ietf:params:xml:ns:carddav}"
XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>'
NAMESPACES = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"'
#: Cards per addressbook-multiget REPORT: large enough that 5,000 cards take a handful of round
#: trips, small enough that one answer stays a few megabytes.
MULTIGET_BATCH = 500
#: How many truncated sync-collection answers (507 on the collection) are followed.
MAX_SYNC_ROUNDS = 100
MAX_REDIRECTS = 5
USER_AGENT = "tagtui-sync"
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_UNSUPPORTED = {400, 403, 405, 409, 412, 415, 422, 501}


_CANONICAL = re.compile(r"/[A-Za-z0-9/:@!$&'()*+,;=._~-]*")


def _norm(href: str) -> str:
    """An href as a path in one canonical percent-encoding, whatever form the server wrote it in."""
    if _CANONICAL.fullmatch(href):
        return href  # a plain path with nothing to decode or encode (the common case)
    return quote(unquote(urlsplit(href).path), safe=_PATH_SAFE)


def _dir(path: str) -> str:
    return path if path.endswith("/") else path + "/"


def _status_code(text: str | None) -> int | None:
    """``HTTP/1.1 404 Not Found`` -> 404."""
    if not text:
        return None
    parts = text.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def _crlf(text: str) -> str:
    """Card text with CRLF line ends (XML parsing turns CRLF into LF; vCard wants CRLF)."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


@dataclass
class _Response:
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes
    url: str  # the URL requested, without credentials


@dataclass
class _Entry:
    """One ``<response>`` of a multistatus: its href, its own status, and the props found (200)."""

    href: str
    status: int | None
    props: dict[str, ET.Element] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        el = self.props.get(name)
        return None if el is None or el.text is None else el.text.strip()

    def is_collection(self) -> bool:
        rt = self.props.get(DAV + "resourcetype")
        return rt is not None and rt.find(DAV + "collection") is not None

    def is_addressbook(self) -> bool:
        rt = self.props.get(DAV + "resourcetype")
        return rt is not None and rt.find(CARD + "addressbook") is not None

    def hrefs(self, name: str) -> list[str]:
        el = self.props.get(name)
        if el is None:
            return []
        return [h.text.strip() for h in el.iter(DAV + "href") if h.text and h.text.strip()]


def _multistatus(body: bytes, url: str) -> tuple[list[_Entry], ET.Element]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise RemoteError(f"{url}: the server's answer is not WebDAV XML ({exc})") from None
    if root.tag != DAV + "multistatus":
        raise RemoteError(f"{url}: the server's answer is not a WebDAV multistatus")
    entries: list[_Entry] = []
    for resp in root.iter(DAV + "response"):
        href_el = resp.find(DAV + "href")
        if href_el is None or not href_el.text:
            continue
        entry = _Entry(_norm(href_el.text.strip()), _status_code(resp.findtext(DAV + "status")))
        for propstat in resp.iter(DAV + "propstat"):
            code = _status_code(propstat.findtext(DAV + "status"))
            prop = propstat.find(DAV + "prop")
            if prop is None or (code is not None and not 200 <= code < 300):
                continue
            for el in prop:
                entry.props[el.tag] = el
        entries.append(entry)
    return entries, root


def _propfind_body(props: Iterable[str]) -> bytes:
    inner = "".join(f"<{p}/>" for p in props)
    return f"{XML_HEAD}<D:propfind {NAMESPACES}><D:prop>{inner}</D:prop></D:propfind>".encode()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


_DIGEST_HASHES = {"MD5": _md5, "MD5-SESS": _md5, "SHA-256": _sha256, "SHA-256-SESS": _sha256}
_AUTH_PARAM = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)')


def _auth_params(challenge: str) -> dict[str, str]:
    """``Digest realm="x", nonce="y"`` -> {"": "digest", "realm": "x", "nonce": "y"} (keys lower case)."""
    scheme, _, rest = challenge.strip().partition(" ")
    params = {"": scheme.lower()}
    for key, value in _AUTH_PARAM.findall(rest):
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[key.lower()] = value
    return params


def _quote_param(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


class _Http:
    """One origin (scheme, host, port) with basic auth, a timeout and one keep-alive connection."""

    def __init__(self, url: str, user: str | None, password: str | None, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RemoteError(f"{self._safe(url)}: not an http(s) URL")
        self.scheme = parts.scheme
        self.host = parts.hostname
        try:
            self.port = parts.port or (443 if self.scheme == "https" else 80)
        except ValueError:
            raise RemoteError(f"{self._safe(url)}: the port is not a number") from None
        if parts.username is not None and user is None:
            user = unquote(parts.username)
        if parts.password is not None and password is None:
            password = unquote(parts.password)
        if password is None:
            user, password = self._from_netrc(user)
        self.user = user
        self.password = password
        self.timeout = timeout
        default_port = 443 if self.scheme == "https" else 80
        netloc = self.host if ":" not in self.host else f"[{self.host}]"
        if self.port != default_port:
            netloc += f":{self.port}"
        self.origin = f"{self.scheme}://{netloc}"
        self.path = _norm(parts.path or "/")
        self._conn: http.client.HTTPConnection | None = None
        self._auth: str | None = None
        #: The server's Digest challenge (RFC 7616) once it asked for one, and requests made under it.
        self._digest: dict[str, str] | None = None
        self._nc = 0
        if user is not None:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
            self._auth = f"Basic {token}"

    @staticmethod
    def _safe(url: str) -> str:
        parts = urlsplit(url)
        if "@" not in parts.netloc:
            return url
        return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()

    def _from_netrc(self, user: str | None) -> tuple[str | None, str | None]:
        """User and password from ``~/.netrc`` for this host, when the caller gave no password."""
        path = os.path.join(os.path.expanduser("~"), ".netrc")
        if not os.path.isfile(path):
            return user, None
        try:
            found = netrc.netrc(path).authenticators(self.host)
        except (OSError, netrc.NetrcParseError):
            return user, None
        if not found or (user is not None and found[0] and found[0] != user):
            return user, None
        return (found[0] or user), found[2]

    def url(self, path: str) -> str:
        return self.origin + path

    def _connect(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> _Response:
        url = self.url(path)
        send = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        if body is not None and method in ("PROPFIND", "REPORT", "MKCOL"):
            send["Content-Type"] = 'application/xml; charset="utf-8"'
        send.update(headers or {})
        challenged = False
        attempt = 0
        while True:
            attempt += 1
            if self._digest is not None:
                send["Authorization"] = self._digest_header(method, path)
            elif self._auth:
                send["Authorization"] = self._auth
            reused = self._conn is not None and self._conn.sock is not None
            conn = self._connect()
            try:
                conn.request(method, path, body=body, headers=send)
                resp = conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()
                if reused and attempt == 1:
                    continue  # the server closed an idle keep-alive connection: once more, afresh
                raise self._connection_error(url, exc) from None
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise self._connection_error(url, exc) from None
            if resp.will_close:
                self.close()
            if resp.status == 401 and not challenged and self._take_digest(resp.headers):
                challenged = True
                continue  # asked for Digest (or a fresh nonce): once more, answering it
            return _Response(resp.status, resp.reason, resp.headers, data, url)

    # -- Digest (RFC 7616, over http.client) ------------------------------------------------------

    def _take_digest(self, headers: http.client.HTTPMessage) -> bool:
        """Whether a 401 carries a Digest challenge worth answering (we have a password, and
        it is new to us or says our nonce went stale): then it is kept for the next requests."""
        if self.user is None or self.password is None:
            return False
        offered = [_auth_params(c) for c in headers.get_all("WWW-Authenticate") or []]
        digests = [c for c in offered if c.get("") == "digest" and "nonce" in c]
        usable = [c for c in digests if c.get("algorithm", "MD5").upper() in _DIGEST_HASHES]
        if not usable:
            return False
        # SHA-256 where the server offers it, else MD5 (RFC 7616 §3.7: the first one we can do).
        usable.sort(key=lambda c: 0 if c.get("algorithm", "MD5").upper().startswith("SHA-256") else 1)
        chosen = usable[0]
        if self._digest is not None and chosen.get("stale", "").lower() != "true":
            return False  # our answer to this challenge was refused: a wrong user or password
        self._digest, self._nc = chosen, 0
        return True

    def _digest_header(self, method: str, path: str) -> str:
        c = self._digest
        assert c is not None and self.user is not None and self.password is not None
        algorithm = c.get("algorithm", "MD5")
        name = algorithm.upper().removesuffix("-SESS")
        h = _DIGEST_HASHES[name]
        realm, nonce = c.get("realm", ""), c["nonce"]
        qops = [q.strip() for q in c.get("qop", "").split(",") if q.strip()]
        self._nc += 1
        nc, cnonce = f"{self._nc:08x}", secrets.token_hex(16)
        ha1 = h(f"{self.user}:{realm}:{self.password}")
        if algorithm.upper().endswith("-SESS"):
            ha1 = h(f"{ha1}:{nonce}:{cnonce}")
        ha2 = h(f"{method}:{path}")
        parts = {"username": self.user, "realm": realm, "nonce": nonce, "uri": path}
        if "auth" in qops:
            response = h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            extra = f', qop=auth, nc={nc}, cnonce="{cnonce}"'
        else:
            response = h(f"{ha1}:{nonce}:{ha2}")
            extra = ""
        parts["response"] = response
        if "opaque" in c:
            parts["opaque"] = c["opaque"]
        quoted = ", ".join(f'{k}="{_quote_param(v)}"' for k, v in parts.items())
        return f"Digest {quoted}, algorithm={algorithm}{extra}"

    def _connection_error(self, url: str, exc: BaseException) -> RemoteError:
        if isinstance(exc, ConnectionRefusedError):
            return RemoteError(f"cannot connect to {url}: connection refused (is the server running?)")
        if isinstance(exc, socket.gaierror):
            return RemoteError(f"cannot connect to {url}: unknown host {self.host}")
        if isinstance(exc, TimeoutError | socket.timeout):
            return RemoteError(f"{url}: no answer within {self.timeout:g} s (timeout)")
        if isinstance(exc, ssl.SSLCertVerificationError):
            return RemoteError(f"{url}: TLS certificate not trusted ({exc.verify_message})")
        if isinstance(exc, ssl.SSLError) and exc.reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE"):
            # What OpenSSL says when the port answers in plain HTTP.
            return RemoteError(f"{url}: the server does not speak TLS on this port (is the URL http://?)")
        if isinstance(exc, ssl.SSLError):
            return RemoteError(f"{url}: TLS failed ({exc.reason or exc})")
        if isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError):
            return RemoteError(f"{url}: the server closed the connection without answering")
        if isinstance(exc, http.client.HTTPException):
            return RemoteError(f"{url}: not an HTTP answer ({type(exc).__name__})")
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return RemoteError(self.scrub(f"cannot connect to {url}: {reason}"))

    def scrub(self, message: str) -> str:
        if self.password:
            for secret in {self.password, quote(self.password, safe="")}:
                message = message.replace(secret, "***")
        return message

    def error(self, resp: _Response, doing: str) -> RemoteError:
        """The one-line error for an answer that is not what ``doing`` needed."""
        url, code = resp.url, resp.status
        if code == 401:
            challenges = resp.headers.get_all("WWW-Authenticate") or []
            offered = [c.split(None, 1)[0] for c in challenges if c.strip()]
            if offered and not any(c.lower() in ("basic", "digest") for c in offered):
                return RemoteError(
                    f"{url}: 401 Unauthorized: the server asks for {' or '.join(offered)} authentication; "
                    "tagtui speaks Basic and Digest, which the server's settings can turn on"
                )
            if self.user is None:
                why = "the server wants a user and password"
            elif self.password is None:
                why = (
                    f"no password was given for user {self.user!r} (add the address book with"
                    " --password-env or --password-command, or put it in ~/.netrc)"
                )
            else:
                why = f"wrong user or password (user {self.user!r})"
            return RemoteError(f"{url}: 401 Unauthorized: {why}")
        if code == 403:
            return RemoteError(f"{url}: 403 Forbidden: no permission to {doing}")
        if code == 404:
            return RemoteError(f"{url}: 404 Not Found")
        if 200 <= code < 300:
            return RemoteError(f"{url}: not a CardDAV address book (it answers {code} {resp.reason})")
        if code == 405:
            return RemoteError(f"{url}: 405 Method Not Allowed: no WebDAV there")
        if code >= 500:
            return RemoteError(self.scrub(f"{url}: server error {code} {resp.reason} on {doing}"))
        return RemoteError(self.scrub(f"{url}: {code} {resp.reason} on {doing}"))


class CardDavRemote:
    """The CardDAV address book collection at ``url``."""

    def __init__(
        self,
        url: str,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 30,
        *,
        _http: _Http | None = None,
    ) -> None:
        self._http = _http or _Http(url, user, password, timeout)
        self.path = _dir(_norm(url))
        self.url = self._http.url(self.path)
        self.batch = MULTIGET_BATCH
        #: The book's display name, when discovery read it.
        self.title: str | None = None

    def __repr__(self) -> str:
        return f"CardDavRemote({self.url!r})"

    def close(self) -> None:
        self._http.close()

    # -- reading -------------------------------------------------------------------------------

    def _cards(self, entries: list[_Entry]) -> dict[str, str]:
        found: dict[str, str] = {}
        for e in entries:
            if e.href.rstrip("/") == self.path.rstrip("/") or e.is_collection():
                continue
            etag = e.text(DAV + "getetag")
            ctype = (e.text(DAV + "getcontenttype") or "").lower()
            if etag is None or (ctype and "vcard" not in ctype and "directory" not in ctype):
                continue
            found[e.href] = etag
        return found

    def listing(self) -> dict[str, str]:
        body = _propfind_body(["D:resourcetype", "D:getetag", "D:getcontenttype"])
        resp = self._http.request("PROPFIND", self.path, body, {"Depth": "1"})
        if resp.status != 207:
            raise self._http.error(resp, "list the address book")
        entries, _ = _multistatus(resp.body, resp.url)
        return self._cards(entries)

    def changes(self, token: str | None) -> Changes | None:
        changed: dict[str, str] = {}
        deleted: set[str] = set()
        for _ in range(MAX_SYNC_ROUNDS):
            body = (
                f"{XML_HEAD}<D:sync-collection {NAMESPACES}>"
                f"<D:sync-token>{escape(token or '')}</D:sync-token><D:sync-level>1</D:sync-level>"
                "<D:prop><D:getetag/><D:getcontenttype/></D:prop></D:sync-collection>"
            ).encode()
            resp = self._http.request("REPORT", self.path, body, {"Depth": "0"})
            if resp.status in _UNSUPPORTED:
                return None  # no sync-collection here, or the token is no longer valid
            if resp.status != 207:
                raise self._http.error(resp, "read the changes")
            entries, root = _multistatus(resp.body, resp.url)
            new_token = (root.findtext(DAV + "sync-token") or "").strip()
            if not new_token:
                return None
            truncated = False
            for e in entries:
                if e.href.rstrip("/") == self.path.rstrip("/"):
                    truncated = truncated or e.status == 507
                elif e.status in (404, 410):
                    deleted.add(e.href)
                    changed.pop(e.href, None)
                else:
                    for href, etag in self._cards([e]).items():
                        changed[href] = etag
                        deleted.discard(href)
            token = new_token
            if not truncated:
                return Changes(changed, deleted, token)
        raise RemoteError(f"{self.url}: the server kept truncating its list of changes")

    def fetch(self, hrefs: Sequence[str]) -> dict[str, tuple[str, str]]:
        cards: dict[str, tuple[str, str]] = {}
        wanted = [_norm(h) for h in hrefs]
        for start in range(0, len(wanted), self.batch):
            batch = wanted[start : start + self.batch]
            got = self._multiget(batch)
            if got is None:
                got = self._get_each(batch)
            cards.update(got)
        return cards

    def _multiget(self, hrefs: list[str]) -> dict[str, tuple[str, str]] | None:
        body = (
            f"{XML_HEAD}<C:addressbook-multiget {NAMESPACES}>"
            "<D:prop><D:getetag/><C:address-data/></D:prop>"
            + "".join(f"<D:href>{escape(h)}</D:href>" for h in hrefs)
            + "</C:addressbook-multiget>"
        ).encode()
        resp = self._http.request("REPORT", self.path, body, {"Depth": "1"})
        if resp.status in (400, 403, 405, 415, 501):
            return None  # no multiget here: read the cards one by one
        if resp.status != 207:
            raise self._http.error(resp, "read cards")
        entries, _ = _multistatus(resp.body, resp.url)
        cards: dict[str, tuple[str, str]] = {}
        for e in entries:
            etag, data = e.text(DAV + "getetag"), e.props.get(CARD + "address-data")
            if etag is None or data is None or data.text is None:
                continue
            cards[e.href] = (etag, _crlf(data.text))
        return cards

    def _get_each(self, hrefs: list[str]) -> dict[str, tuple[str, str]]:
        cards: dict[str, tuple[str, str]] = {}
        for href in hrefs:
            resp = self._http.request("GET", href)
            if resp.status in (404, 410):
                continue
            if resp.status != 200:
                raise self._http.error(resp, "read a card")
            etag = resp.headers.get("ETag") or self._etag(href)
            if etag is not None:
                cards[href] = (etag, resp.body.decode("utf-8", errors="replace"))
        return cards

    def _etag(self, href: str) -> str | None:
        resp = self._http.request("PROPFIND", href, _propfind_body(["D:getetag"]), {"Depth": "0"})
        if resp.status == 404:
            return None
        if resp.status != 207:
            raise self._http.error(resp, "read a card's etag")
        entries, _ = _multistatus(resp.body, resp.url)
        return next((e.text(DAV + "getetag") for e in entries if e.text(DAV + "getetag")), None)

    # -- writing -------------------------------------------------------------------------------

    def _put(self, href: str, text: str, condition: dict[str, str]) -> tuple[str, str]:
        headers = {"Content-Type": "text/vcard; charset=utf-8", **condition}
        resp = self._http.request("PUT", href, text.encode("utf-8"), headers)
        if resp.status == 412:
            raise RemoteChanged(f"{resp.url}: changed on the server since it was read (412)")
        if resp.status == 409 and b"no-uid-conflict" in resp.body:
            raise RemoteChanged(f"{resp.url}: the server already has a card with this UID (409)")
        if resp.status == 404 and "If-Match" in condition:
            raise RemoteChanged(f"{resp.url}: deleted on the server since it was read (404)")
        if resp.status not in (200, 201, 204):
            raise self._http.error(resp, "write a card")
        location = resp.headers.get("Location")
        if location:
            href = _norm(urljoin(resp.url, location))
        etag = resp.headers.get("ETag") or self._etag(href)
        if etag is None:
            raise RemoteError(f"{resp.url}: the server stored the card but gives no etag for it")
        return href, etag

    def create(self, uid: str, text: str) -> tuple[str, str]:
        return self._put(self.path + quote(file_name(uid), safe=_PATH_SAFE), text, {"If-None-Match": "*"})

    def update(self, href: str, etag: str, text: str) -> str:
        return self._put(_norm(href), text, {"If-Match": etag})[1]

    def delete(self, href: str, etag: str) -> None:
        resp = self._http.request("DELETE", _norm(href), None, {"If-Match": etag})
        if resp.status in (200, 204, 404, 410):
            return
        if resp.status == 412:
            raise RemoteChanged(f"{resp.url}: changed on the server since it was read (412)")
        raise self._http.error(resp, "delete a card")

    # -- discovery -----------------------------------------------------------------------------

    @classmethod
    def discover(
        cls, url: str, user: str | None = None, password: str | None = None, timeout: float = 30
    ) -> CardDavRemote:
        """The address book at ``url``, or the one found from a server or principal URL."""
        return _Discovery(_Http(url, user, password, timeout)).run()


_INFO = ["D:resourcetype", "D:displayname", "D:current-user-principal", "C:addressbook-home-set"]


class _Discovery:
    """current-user-principal -> addressbook-home-set -> the address books (RFC 6352 §7, RFC 6764)."""

    def __init__(self, http: _Http) -> None:
        self.http = http
        self.start = http.url(http.path)
        self.path = http.path  # the path last asked (after redirects)

    def _propfind(
        self, path: str, depth: str, *, follow: bool = False, missing_ok: bool = False
    ) -> list[_Entry] | None:
        """The multistatus entries; None (with ``missing_ok``) when the path answers no WebDAV."""
        for _ in range(MAX_REDIRECTS + 1):
            self.path = path
            resp = self.http.request("PROPFIND", path, _propfind_body(_INFO), {"Depth": depth})
            if follow and resp.status in (301, 302, 303, 307, 308) and resp.headers.get("Location"):
                path = self._follow(resp)
                continue
            if resp.status == 207:
                try:
                    return _multistatus(resp.body, resp.url)[0]
                except RemoteError:
                    if missing_ok:
                        return None
                    raise
            if missing_ok and resp.status != 401 and resp.status < 500:
                return None
            raise self.http.error(resp, "find the address book")
        raise RemoteError(f"{self.start}: too many redirects")

    def _follow(self, resp: _Response) -> str:
        """Where a redirect goes: credentials go along only to the same host name (as curl does)."""
        return self._move(urljoin(resp.url, resp.headers["Location"]), https_keeps=False)

    def _move(self, url: str, *, https_keeps: bool) -> str:
        """The path of ``url`` on the connection, which moves to ``url``'s origin if it is another
        one (iCloud's books live on another host than its principal). Credentials go along to the
        same host name, and with ``https_keeps`` to any host over https."""
        target = urlsplit(urljoin(self.http.url("/"), url))
        origin = f"{target.scheme}://{target.netloc}"
        if target.scheme in ("http", "https") and origin != self.http.origin:
            keep = target.hostname == self.http.host or (https_keeps and target.scheme == "https")
            old, self.http = (
                self.http,
                _Http(
                    origin,
                    self.http.user if keep else None,
                    self.http.password if keep else None,
                    self.http.timeout,
                ),
            )
            old.close()
        return _norm(target.path or "/")

    @staticmethod
    def _self(entries: list[_Entry] | None, path: str) -> _Entry | None:
        if not entries:
            return None
        return next((e for e in entries if e.href.rstrip("/") == path.rstrip("/")), entries[0])

    def _book(self, entry: _Entry, http: _Http | None = None) -> CardDavRemote:
        book = CardDavRemote((http or self.http).url(_dir(entry.href)), _http=http or self.http)
        book.title = entry.text(DAV + "displayname") or None
        return book

    def run(self) -> CardDavRemote:
        path = self.http.path
        # A bare server address that is no WebDAV collection goes to the well-known URL (RFC 6764);
        # any other URL must answer itself: a typo in an address book's URL is an error, not a
        # quiet sync with some other book.
        root = path == "/"
        info = self._self(self._propfind(path, "0", follow=not root, missing_ok=root), self.path)
        path = self.path
        if info is None:
            known = self._propfind("/.well-known/carddav", "0", follow=True, missing_ok=True)
            info = self._self(known, self.path)
            if info is None:
                raise RemoteError(
                    f"{self.start}: no CardDAV server answers there (nor at /.well-known/carddav)"
                )
            path = self.path
        if info.is_addressbook():
            return self._book(info)
        homes = info.hrefs(CARD + "addressbook-home-set")
        principal = next(iter(info.hrefs(DAV + "current-user-principal")), None)
        if not homes and principal is not None:
            p = self._self(self._propfind(_norm(principal), "0", missing_ok=True), _norm(principal))
            homes = p.hrefs(CARD + "addressbook-home-set") if p else []
        books: dict[str, tuple[_Entry, _Http]] = {}  # book URL -> its entry, on its connection
        for href in dict.fromkeys(homes or [path]):
            home = _dir(self._move(href, https_keeps=True))
            for e in self._propfind(home, "1", missing_ok=True) or []:
                if e.is_addressbook():
                    books.setdefault(self.http.url(_dir(e.href)), (e, self.http))
        if len(books) == 1:
            [(_, (entry, http))] = books.items()
            return self._book(entry, http)
        if not books:
            raise RemoteError(
                f"{self.start}: no address book found there; create one on the server first"
                " (its web page, or a phone or mail client), then give its URL or this one again"
            )
        names = ", ".join(
            f"{url} ({e.text(DAV + 'displayname') or url.rstrip('/').rsplit('/', 1)[-1]})"
            for url, (e, _) in books.items()
        )
        raise RemoteError(f"{self.start}: found address books: {names}; give one of them as the URL")
