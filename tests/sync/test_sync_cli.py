"""``tagtui sync`` against real servers: a password from a variable or a command reaches the
server and no output shows it; a server that dies midway leaves the contacts whole, and the
next sync carries on."""

from __future__ import annotations

import io
import json
import shlex
import sys
from pathlib import Path

import pytest

from tagtui.cli.main import main
from tagtui.store import Store
from tagtui.sync import RemoteError, open_remote
from tagtui.sync.engine import sync
from tests.sync.servers import DavServer, card


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("TAGTUI_DB", "TAGTUI_WORKSPACE", "TAGTUI_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc of the machine
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def tagtui(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*argv, "--db", db_url])
    out, err = capsys.readouterr()
    return code, out, err


def test_passwords_from_a_variable_a_command_or_netrc_and_never_shown(
    radicale: DavServer, db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch, tmp_path: Path
) -> None:
    books = {how: radicale.new_book() for how in ("env", "cmd", "netrc")}
    for how, book in books.items():  # a card of its own in each (one name would link to one contact)
        book.put("ada.vcf", card("ada", f"Ada Lovelace ({how})"))
    env, cmd, net = books["env"], books["cmd"], books["netrc"]
    monkeypatch.setenv("TAGTUI_TEST_DAV_PW", env.password or "")
    secret = tmp_path / "secret"
    secret.write_text(f"{cmd.password}\n")
    command = (
        f"{shlex.quote(sys.executable)} -c 'import sys; print(open(sys.argv[1]).read().strip())' {secret}"
    )
    outputs: list[str] = []

    def ok(*argv: str) -> str:
        code, out, err = tagtui(capsys, db_url, *argv)
        outputs.append(out + err)
        assert code == 0, err
        return out

    ok("sync", "add", "env", env.url, "--user", env.user or "", "--password-env", "TAGTUI_TEST_DAV_PW")
    ok("sync", "add", "cmd", cmd.url, "--user", cmd.user or "", "--password-command", command)
    # ~/.netrc, by the server's host, when neither is given.
    (tmp_path / ".netrc").write_text(f"machine 127.0.0.1 login {net.user} password {net.password}\n")
    (tmp_path / ".netrc").chmod(0o600)
    ok("sync", "add", "netrc", net.url)
    for name in books:
        assert json.loads(ok("sync", name, "--json"))["pulled"]["created"] == 1
    ok("sync", "list")
    ok("sync", "list", "--json")

    # A wrong password: one line, exit 1, no password in it.
    monkeypatch.setenv("TAGTUI_TEST_DAV_PW", f"wrong-{env.password}")
    code, out, err = tagtui(capsys, db_url, "sync", "env")
    outputs.append(out + err)
    assert code == 1 and out == "" and len(err.splitlines()) == 1 and "Traceback" not in err
    passwords = [b.password for b in books.values() if b.password]
    assert len(passwords) == 3
    assert not any(p in text for p in passwords for text in outputs)
    with Store.open(db_url) as store:
        rows = repr(store._read(lambda tx: tx.all("SELECT * FROM sync_source")))
        assert not any(p in rows for p in passwords)


def test_a_server_that_dies_midway_leaves_the_contacts_whole(own_xandikos: DavServer, store: Store) -> None:
    book = own_xandikos.new_book()
    book.put("ada.vcf", card("ada", "Ada Lovelace", extra="EMAIL:ada@example.com\r\n"))
    for i in range(5):
        store.add_contact(f"Local {i}", email=f"local{i}@example.com")
    store.add_sync_source("ab", book.url)
    remote = open_remote(book.url)
    writes: list[str] = []

    class Dying:
        url = remote.url

        def __getattr__(self, name: str):  # listing, changes, fetch: as they are
            return getattr(remote, name)

        def create(self, uid: str, text: str) -> tuple[str, str]:
            if len(writes) == 2:
                own_xandikos.stop()  # the server goes away after two cards
            writes.append(uid)
            return remote.create(uid, text)

    with pytest.raises(RemoteError):
        sync(store, "ab", remote=Dying())  # type: ignore[arg-type]
    # The pulled card is here, whole, and the two cards written are recorded.
    assert store.get_contact("ada@example.com").name == "Ada Lovelace"
    assert len(store.sync_items("ab")) == 3
    own_xandikos.start()
    remote = open_remote(own_xandikos.base_url + book.path)
    report = sync(store, "ab", remote=remote)
    assert report.pushed == {"created": 3, "updated": 0, "deleted": 0}
    assert report.pulled == {"created": 0, "updated": 0, "deleted": 0}
    assert len(book.names()) == 6 and store.count_contacts() == 6
    again = sync(store, "ab", remote=remote)
    assert again.pushed == again.pulled == {"created": 0, "updated": 0, "deleted": 0}


def test_sync_list_shows_the_time_of_the_last_sync_as_people_read_it(
    db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "vdir"
    folder.mkdir()
    (folder / "ada.vcf").write_text(card("ada", "Ada Lovelace"), newline="")
    assert tagtui(capsys, db_url, "sync", "add", "phone", str(folder))[0] == 0
    code, out, _ = tagtui(capsys, db_url, "sync", "list")
    assert code == 0 and "never" in out
    assert tagtui(capsys, db_url, "sync", "phone")[0] == 0
    code, out, _ = tagtui(capsys, db_url, "sync", "list")
    stamp = json.loads(tagtui(capsys, db_url, "sync", "list", "--json")[1])[0]["last_sync"]
    assert code == 0 and f"{stamp[:10]} {stamp[11:16]} UTC" in out  # not the stored ISO text
    assert stamp not in out


def test_an_address_book_that_fails_does_not_stop_the_others(
    db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """'tagtui sync' with a dead server first: the folder after it is synced all the same, and
    the run ends with the dead one's line and exit 1."""
    folder = tmp_path / "vdir"
    folder.mkdir()
    (folder / "ada.vcf").write_text(card("ada", "Ada Lovelace"), newline="")
    assert tagtui(capsys, db_url, "sync", "add", "aaa-dead", "http://127.0.0.1:9/", "--no-check")[0] == 0
    assert tagtui(capsys, db_url, "sync", "add", "phone", str(folder))[0] == 0
    code, out, err = tagtui(capsys, db_url, "sync", "--json")
    assert code == 1 and len(err.splitlines()) == 1 and "127.0.0.1:9" in err
    assert [(d["name"], d["pulled"]["created"]) for d in json.loads(out)] == [("phone", 1)]
    with Store.open(db_url) as store:
        assert [c.name for c in store.iter_contacts()] == ["Ada Lovelace"]


def test_a_user_without_a_password_is_told_how_to_give_one(
    radicale: DavServer, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    book = radicale.new_book()
    argv = ("sync", "add", "phone", book.url, "--user", book.user or "")
    code, out, err = tagtui(capsys, db_url, *argv)  # sync add tries it: nothing is saved
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "no password was given" in err and "--password-env" in err and "nothing was saved" in err
    assert tagtui(capsys, db_url, "sync", "list", "--json")[1].strip() == "[]"
    assert tagtui(capsys, db_url, *argv, "--no-check")[0] == 0
    code, out, err = tagtui(capsys, db_url, "sync", "phone")
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "no password was given" in err and "--password-env" in err


def test_an_https_url_to_a_plain_http_port_says_so(
    radicale: DavServer, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    book = radicale.new_book()
    https = book.url.replace("http://", "https://", 1)
    argv = ("sync", "add", "phone", https, "--user", book.user or "")
    code, out, err = tagtui(capsys, db_url, *argv)
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "does not speak TLS on this port (is the URL http://?)" in err
    assert tagtui(capsys, db_url, *argv, "--no-check")[0] == 0
    code, out, err = tagtui(capsys, db_url, "sync", "phone")
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "does not speak TLS on this port (is the URL http://?)" in err


def test_a_new_user_without_an_address_book_is_told_to_create_one(
    radicale: DavServer, db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Radicale makes no address book for a new user: the first sync says what to do."""
    user, password = radicale.add_user()
    monkeypatch.setenv("TAGTUI_TEST_DAV_PW", password)
    argv = (
        "sync",
        "add",
        "mine",
        radicale.base_url + "/",
        "--user",
        user,
        "--password-env",
        "TAGTUI_TEST_DAV_PW",
    )
    code, out, err = tagtui(capsys, db_url, *argv)
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "no address book found there; create one on the server first" in err
    assert password not in err
    assert tagtui(capsys, db_url, *argv, "--no-check")[0] == 0
    code, out, err = tagtui(capsys, db_url, "sync", "mine")
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "no address book found there; create one on the server first" in err


def test_sync_add_finds_the_book_and_says_so(
    radicale: DavServer, db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """'sync add' with the server's address: the one book found is named and is what is saved
    (a second book made later on the server does not change which one syncs)."""
    book = radicale.new_book(name="family")
    monkeypatch.setenv("TAGTUI_TEST_DAV_PW", book.password or "")
    login = ("--user", book.user or "", "--password-env", "TAGTUI_TEST_DAV_PW")
    code, out, err = tagtui(capsys, db_url, "sync", "add", "home", radicale.base_url + "/", *login)
    assert code == 0, err
    assert out.splitlines()[0] == (
        f"Added address book home: {book.url} (family, found from {radicale.base_url}/)"
    )
    radicale.new_book(name="work", user=(book.user or "", book.password or ""))
    listed = json.loads(tagtui(capsys, db_url, "sync", "list", "--json")[1])
    assert listed[0]["url"] == book.url
    assert tagtui(capsys, db_url, "sync", "home")[0] == 0
    # The book's own URL is named as it is; now that there are two, the server's address lists them.
    code, out, err = tagtui(capsys, db_url, "sync", "add", "again", book.url, *login)
    assert code == 4 and "already syncs with" in err
    code, out, err = tagtui(capsys, db_url, "sync", "add", "both", radicale.base_url + "/", *login)
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "found address books:" in err and "(family)" in err and "(work)" in err
    assert "nothing was saved" in err and (book.password or "?") not in err


@pytest.mark.parametrize("wrong", ["password", "url", "folder"])
def test_sync_add_with_a_wrong_url_or_password_saves_nothing(
    radicale: DavServer,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    wrong: str,
) -> None:
    book = radicale.new_book()
    monkeypatch.setenv("TAGTUI_TEST_DAV_PW", book.password or "")
    url = book.url
    if wrong == "password":
        monkeypatch.setenv("TAGTUI_TEST_DAV_PW", f"not-{book.password}")
    elif wrong == "url":
        url = book.url.rstrip("/") + "-typo/"
    else:
        url = str(tmp_path / "no-such-folder")
    argv = ("sync", "add", "phone", url, "--user", book.user or "", "--password-env", "TAGTUI_TEST_DAV_PW")
    code, out, err = tagtui(capsys, db_url, *argv)
    assert code == 1 and out == "" and len(err.splitlines()) == 1 and "Traceback" not in err
    expected = {"password": "wrong user or password", "url": "404 Not Found", "folder": "no such folder"}
    assert expected[wrong] in err and "nothing was saved" in err
    assert (book.password or "?") not in err
    assert tagtui(capsys, db_url, "sync", "list", "--json")[1].strip() == "[]"
