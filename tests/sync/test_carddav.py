"""The CardDAV Remote against real servers (Radicale with basic auth, Xandikos): reading, writing
with If-Match / If-None-Match, sync tokens, discovery and the one-line errors a user sees."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tagtui.sync import Remote, RemoteChanged, RemoteError, open_remote
from tagtui.sync.carddav import CardDavRemote
from tests.sync.servers import Book, DavServer, DigestProxy, card


def remote_of(book: Book, **kw: object) -> CardDavRemote:
    remote = open_remote(book.url, book.user, book.password, **kw)  # type: ignore[arg-type]
    assert isinstance(remote, CardDavRemote)
    return remote


def same_card(a: str | None, b: str) -> bool:
    """The same card lines (Radicale stores a card re-serialised: its properties in another order)."""
    return a is not None and sorted(a.splitlines()) == sorted(b.splitlines())


def test_create_list_fetch_update_delete(book: Book) -> None:
    remote = remote_of(book)
    assert isinstance(remote, Remote)
    assert remote.url == book.url
    assert remote.listing() == {}

    text = card("uid-1", "Zoë Ünïcode 😀", version="4.0", extra="EMAIL:zoe@example.com\r\n")
    href, etag = remote.create("uid-1", text)
    assert href == book.path + "uid-1.vcf"
    assert etag
    assert same_card(book.get("uid-1.vcf"), text)
    assert remote.listing() == {href: etag}
    assert remote.fetch([href]) == {href: (etag, book.get("uid-1.vcf"))}

    edited = card("uid-1", "Zoë King", version="4.0")
    new_etag = remote.update(href, etag, edited)
    assert new_etag != etag
    assert same_card(book.get("uid-1.vcf"), edited)
    assert remote.listing() == {href: new_etag}
    assert remote.fetch([href]) == {href: (new_etag, book.get("uid-1.vcf"))}

    remote.delete(href, new_etag)
    assert book.names() == set()
    assert remote.listing() == {}
    remote.delete(href, new_etag)  # already gone is fine


def test_cards_from_other_clients_are_listed_and_fetched(book: Book) -> None:
    texts = {f"c{i}.vcf": card(f"c{i}", f"Person {i}") for i in range(3)}
    etags = {name: book.put(name, text) for name, text in texts.items()}
    remote = remote_of(book)
    listing = remote.listing()
    assert listing == {book.path + name: etag for name, etag in etags.items()}
    fetched = remote.fetch([*listing, book.path + "gone.vcf"])
    assert {h.rsplit("/", 1)[1]: text for h, (_, text) in fetched.items()} == {
        name: book.get(name) for name in texts
    }
    assert all(same_card(fetched[book.path + name][1], text) for name, text in texts.items())
    assert {h: etag for h, (etag, _) in fetched.items()} == listing


def test_fetch_reads_in_batches(book: Book) -> None:
    book.fill({f"b{i}.vcf": card(f"b{i}", f"Batch {i}") for i in range(23)})
    remote = remote_of(book)
    remote.batch = 5
    fetched = remote.fetch(sorted(remote.listing()))
    assert len(fetched) == 23
    assert same_card(fetched[book.path + "b7.vcf"][1], card("b7", "Batch 7"))


def test_the_fallbacks_read_what_multiget_reads(book: Book) -> None:
    """A server without multiget is read card by card (GET), and a PUT answered without an ETag
    is followed by a PROPFIND for it: both paths give what the usual ones give."""
    book.fill({f"g{i}.vcf": card(f"g{i}", f"Get {i}") for i in range(4)})
    remote = remote_of(book)
    listing = remote.listing()
    hrefs = [*listing, book.path + "gone.vcf"]
    assert remote._get_each(hrefs) == remote.fetch(hrefs)
    assert all(remote._etag(href) == etag for href, etag in listing.items())
    assert remote._etag(book.path + "gone.vcf") is None


def test_a_unsafe_uid_gets_a_safe_href(book: Book) -> None:
    remote = remote_of(book)
    href, etag = remote.create("a/b c?", card("a/b c?"))
    name = href.rsplit("/", 1)[1]
    assert href.startswith(book.path) and name.endswith(".vcf") and "?" not in name
    [(got_etag, text)] = remote.fetch([href]).values()
    assert got_etag == etag and same_card(text, card("a/b c?"))


def test_a_card_changed_on_the_server_is_never_overwritten(book: Book) -> None:
    remote = remote_of(book)
    href, etag = remote.create("u1", card("u1", "Mine"))
    book.put("u1.vcf", card("u1", "Theirs"))
    with pytest.raises(RemoteChanged, match="412") as info:
        remote.update(href, etag, card("u1", "Mine, edited"))
    assert book.url + "u1.vcf" in str(info.value)
    with pytest.raises(RemoteChanged):
        remote.delete(href, etag)
    assert same_card(book.get("u1.vcf"), card("u1", "Theirs"))


def test_create_never_replaces_a_card_that_is_there(book: Book) -> None:
    book.put("u2.vcf", card("u2", "Theirs"))
    with pytest.raises(RemoteChanged):
        remote_of(book).create("u2", card("u2", "Mine"))
    assert same_card(book.get("u2.vcf"), card("u2", "Theirs"))


def test_an_update_of_a_card_deleted_on_the_server_is_a_change(book: Book) -> None:
    remote = remote_of(book)
    href, etag = remote.create("u3", card("u3"))
    book.remove("u3.vcf")
    with pytest.raises(RemoteChanged):
        remote.update(href, etag, card("u3", "Edited"))
    assert book.names() == set()


def test_sync_token_reports_what_changed(book: Book) -> None:
    book.put("keep.vcf", card("keep"))
    book.put("edit.vcf", card("edit"))
    book.put("drop.vcf", card("drop"))
    remote = remote_of(book)
    first = remote.changes(None)
    assert first is not None and first.token
    assert first.changed == remote.listing()
    assert first.deleted == set()

    book.put("edit.vcf", card("edit", "Edited"))
    book.remove("drop.vcf")
    book.put("new.vcf", card("new"))
    second = remote.changes(first.token)
    assert second is not None and second.token and second.token != first.token
    listing = remote.listing()
    assert second.changed == {h: listing[h] for h in (book.path + "edit.vcf", book.path + "new.vcf")}
    assert second.deleted == {book.path + "drop.vcf"}

    quiet = remote.changes(second.token)
    assert quiet is not None
    assert (quiet.changed, quiet.deleted) == ({}, set())


def test_an_unknown_sync_token_means_fall_back_to_listing(book: Book, dav_server: DavServer) -> None:
    remote = remote_of(book)
    token = "http://radicale.org/ns/sync/" + "0" * 64 if dav_server.kind == "radicale" else "0" * 40
    assert remote.changes(token) is None
    assert remote.changes("not a token at all") is None
    assert remote.listing() == {}


# -- discovery ---------------------------------------------------------------------------------


def test_radicale_root_finds_the_users_one_address_book(radicale: DavServer) -> None:
    book = radicale.new_book()
    for url in (radicale.base_url, radicale.base_url + "/", f"{radicale.base_url}/{book.user}/"):
        remote = open_remote(url, book.user, book.password)
        assert remote.url == book.url
    second = radicale.new_book("work", user=(book.user or "", book.password or ""))
    with pytest.raises(RemoteError, match="found address books") as info:
        open_remote(radicale.base_url, book.user, book.password)
    message = str(info.value)
    assert book.url in message and second.url in message and "(work)" in message
    assert book.password not in message


def test_xandikos_root_finds_its_one_address_book(own_xandikos: DavServer) -> None:
    remote = open_remote(own_xandikos.base_url)
    assert remote.url == own_xandikos.base_url + "/user/contacts/addressbook/"
    assert open_remote(own_xandikos.base_url + "/user/").url == remote.url
    other = own_xandikos.new_book("family")
    with pytest.raises(RemoteError, match="found address books") as info:
        open_remote(own_xandikos.base_url)
    assert f"{remote.url} (addressbook)" in str(info.value)
    assert f"{other.url} (family)" in str(info.value)


def test_a_bare_host_is_found_through_the_well_known_url(tmp_path: Path) -> None:
    server = DavServer("xandikos", tmp_path / "x", route_prefix="/dav").start()
    try:
        remote = open_remote(server.base_url)
        assert remote.url == server.base_url + "/dav/user/contacts/addressbook/"
        remote.create("wk", card("wk"))
        assert set(remote.listing()) == {"/dav/user/contacts/addressbook/wk.vcf"}
    finally:
        server.stop()


def test_a_mistyped_address_book_is_404_not_another_book(radicale: DavServer) -> None:
    book = radicale.new_book()
    with pytest.raises(RemoteError, match="404") as info:
        open_remote(book.url + "typo/", book.user, book.password)
    assert str(info.value).startswith(book.url + "typo/")


# -- errors a user meets -------------------------------------------------------------------------


def test_wrong_password_is_one_line_without_the_password(radicale: DavServer) -> None:
    book = radicale.new_book()
    secret = "Wr0ng-p@ss:word"
    for url in (book.url, radicale.base_url):
        with pytest.raises(RemoteError, match="401 Unauthorized: wrong user or password") as info:
            open_remote(url, book.user, secret).listing()
        assert secret not in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(RemoteError, match="wants a user and password"):
        open_remote(book.url).listing()
    remote = CardDavRemote(book.url, book.user, book.password)
    remote._http.password = secret  # the password goes stale while a sync runs
    remote._http._auth = "Basic d3Jvbmc6d3Jvbmc="
    with pytest.raises(RemoteError, match="401") as info:
        remote.fetch([book.path + "x.vcf"])
    assert secret not in str(info.value)


def test_credentials_in_the_url_work_and_are_never_shown(radicale: DavServer) -> None:
    book = radicale.new_book()
    url = book.url.replace("http://", f"http://{book.user}:{book.password}@")
    remote = open_remote(url)
    assert remote.url == book.url
    assert book.password not in repr(remote)
    remote.create("n1", card("n1"))
    assert book.names() == {"n1.vcf"}
    with pytest.raises(RemoteError) as info:
        open_remote(url.replace(book.password or "", "bad-secret")).listing()
    assert "bad-secret" not in str(info.value)


def test_netrc_gives_the_password(
    radicale: DavServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = radicale.new_book()
    netrc = tmp_path / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login {book.user} password {book.password}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert open_remote(book.url).listing() == {}
    assert open_remote(radicale.base_url).url == book.url


def test_a_stopped_server_is_one_clear_line(own_xandikos: DavServer) -> None:
    remote = open_remote(own_xandikos.base_url)
    assert remote.listing() == {}
    own_xandikos.stop()
    for call in (remote.listing, lambda: remote.fetch(["/user/contacts/addressbook/a.vcf"])):
        with pytest.raises(RemoteError, match="connection refused") as info:
            call()
        assert remote.url in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(RemoteError, match="connection refused"):
        open_remote(own_xandikos.base_url)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that takes connections and never answers (a hung proxy)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/book/"
    finally:
        sock.close()


def test_a_server_that_does_not_answer_times_out(silent_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(RemoteError, match=r"no answer within 0.5 s \(timeout\)") as info:
        open_remote(silent_server, timeout=0.5)
    assert str(info.value).startswith(silent_server)
    assert time.monotonic() - started < 10


@contextmanager
def answering(status: int, headers: dict[str, str], body: bytes = b"") -> Iterator[str]:
    """A stdlib HTTP server giving every PROPFIND one fixed answer, for what neither real server
    can be made to do (a 5xx, Digest auth, a principal on another host); its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PROPFIND(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_5xx_is_one_clear_line() -> None:
    """A proxy whose backend is down answers 503."""
    with answering(503, {}) as base:
        url = base + "/dav/book/"
        with pytest.raises(RemoteError, match="server error 503 Service Unavailable") as info:
            open_remote(url, "me", "s3cret-pw")
        assert str(info.value).startswith(url) and "s3cret-pw" not in str(info.value)


@pytest.mark.parametrize("algorithm", ["SHA-256", "MD5"])
def test_digest_auth_in_front_of_a_real_server(own_xandikos: DavServer, algorithm: str) -> None:
    """A server that wants HTTP Digest (RFC 7616; older Nextcloud and Radicale setups behind a
    proxy): everything a sync does works through it, its nonces going stale on the way."""
    book = own_xandikos.new_book()
    book.put("ada.vcf", card("ada", "Ada Lovelace"))
    proxy = DigestProxy(own_xandikos.base_url, "me", "s3cret-digest", algorithm=algorithm, nonce_uses=3)
    try:
        remote = open_remote(proxy.base_url + book.path, "me", "s3cret-digest")
        listing = remote.listing()
        assert [h.rsplit("/", 1)[1] for h in listing] == ["ada.vcf"]
        assert "Ada Lovelace" in remote.fetch(list(listing))[next(iter(listing))][1]
        href, etag = remote.create("bob", card("bob", "Bob"))
        etag = remote.update(href, etag, card("bob", "Bob Two"))
        changes = remote.changes(None)
        assert changes is not None and href in changes.changed
        remote.delete(href, etag)
        assert book.names() == {"ada.vcf"}
        assert proxy.accepted >= 7 and 1 <= proxy.refused <= 4  # the first challenge, then stale nonces
        with pytest.raises(RemoteError, match="401 Unauthorized: wrong user or password") as info:
            open_remote(proxy.base_url + book.path, "me", "not-the-password")
        assert "not-the-password" not in str(info.value)
    finally:
        proxy.stop()


def test_a_server_that_wants_another_auth_says_so() -> None:
    with answering(401, {"WWW-Authenticate": 'Negotiate realm="dav"'}) as base:
        with pytest.raises(
            RemoteError, match="asks for Negotiate authentication; tagtui speaks Basic and Digest"
        ) as info:
            open_remote(base + "/dav/book/", "me", "s3cret-pw")
        assert "s3cret-pw" not in str(info.value)


def test_address_books_on_another_host_than_the_principal(own_xandikos: DavServer) -> None:
    """iCloud's principal names an address-book home on another host: the books are found there."""
    home = own_xandikos.base_url + "/user/contacts/"
    principal = (
        '<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><response><href>/</href>'
        f"<propstat><prop><resourcetype><collection/></resourcetype><C:addressbook-home-set><href>{home}"
        "</href></C:addressbook-home-set></prop><status>HTTP/1.1 200 OK</status></propstat></response>"
        "</multistatus>"
    ).encode()
    with answering(207, {"Content-Type": "application/xml"}, principal) as base:
        remote = open_remote(base + "/", "me", "pw")
    assert remote.url == home + "addressbook/"
    href, etag = remote.create("far", card("far"))
    assert remote.listing() == {href: etag}


def test_a_host_that_does_not_exist() -> None:
    with pytest.raises(RemoteError, match=r"cannot connect to https://no-such-host\.invalid/"):
        open_remote("https://no-such-host.invalid/", timeout=5)


def test_not_a_url_nor_a_folder(tmp_path: Path) -> None:
    with pytest.raises(RemoteError, match="no such folder"):
        open_remote(str(tmp_path / "missing"))


# -- size ------------------------------------------------------------------------------------------


def test_five_thousand_cards_are_listed_and_fetched(book: Book, dav_server: DavServer) -> None:
    count = 5000
    texts = {
        f"p{i}.vcf": card(f"p{i}", f"Person {i}", extra=f"EMAIL:p{i}@example.com\r\nCATEGORIES:a,b\r\n")
        for i in range(count)
    }
    book.fill(texts)
    remote = remote_of(book)
    started = time.perf_counter()
    listing = remote.listing()
    listed = time.perf_counter()
    fetched = remote.fetch(list(listing))
    done = time.perf_counter()
    print(
        f"\n{dav_server.kind}: {count} cards listed in {listed - started:.2f} s, "
        f"fetched in {done - listed:.2f} s ({count / (done - listed):.0f} cards/s)"
    )
    assert len(listing) == count
    assert len(fetched) == count
    assert all(same_card(fetched[book.path + name][1], text) for name, text in texts.items())
    assert {h: etag for h, (etag, _) in fetched.items()} == listing


@pytest.fixture
def tls_radicale(tmp_path: Path) -> Iterator[DavServer]:
    server = DavServer("radicale", tmp_path / "radicale-tls", tls=True).start()
    try:
        yield server
    finally:
        server.stop()


def test_https_with_basic_auth(tls_radicale: DavServer, monkeypatch: pytest.MonkeyPatch) -> None:
    book = tls_radicale.new_book()
    assert book.url.startswith("https://")
    with pytest.raises(RemoteError, match="TLS certificate not trusted") as info:
        open_remote(tls_radicale.base_url, book.user, book.password)
    assert str(info.value).startswith(tls_radicale.base_url + "/") and book.password not in str(info.value)
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_radicale.certificate))  # trust this server's certificate
    remote = open_remote(tls_radicale.base_url, book.user, book.password)
    assert remote.url == book.url
    href, etag = remote.create("tls-1", card("tls-1"))
    assert remote.listing() == {href: etag}
    with pytest.raises(RemoteError, match="401"):
        open_remote(book.url, book.user, "wrong").listing()
