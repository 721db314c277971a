"""No password is ever printed: every URL form, through every message that shows a database
(a newer schema, another program's tables, a refused connection, ``tagtui locate``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest

from tagtui.store import Store
from tagtui.store.db import redact_url
from tests.cli.conftest import Cli, assert_one_error_line
from tests.conftest import PG_URL, _pg_admin

#: Every password below contains this marker; it must appear in no output.
MARK = "Zq7Secret"


def url_forms(scheme: str, user: str, hostport: str, path: str, query: str = "") -> list[tuple[str, str]]:
    """(name, URL) for each way of writing a password into a PostgreSQL URL."""
    sep = "&" if query else "?"
    q = f"?{query}" if query else ""
    forms = []
    for s in (scheme, "postgresql"):
        forms += [
            (f"{s} user:pass@", f"{s}://{user}:{MARK}-1@{hostport}{path}{q}"),
            (f"{s} :pass@", f"{s}://:{MARK}-2@{hostport}{path}{q}{sep}user={user}"),
            (f"{s} ?password=", f"{s}://{user}@{hostport}{path}{q}{sep}password={MARK}-3"),
            (f"{s} raw @ in password", f"{s}://{user}:p@ss-{MARK}-4@{hostport}{path}{q}"),
            (f"{s} %40 in password", f"{s}://{user}:p%40ss-{MARK}-5@{hostport}{path}{q}"),
            (
                f"{s} ?...&password=",
                f"{s}://{user}@{hostport}{path}{q}{sep}sslmode=disable&password={MARK}-6",
            ),
        ]
    return forms


def assert_no_secret(text: str) -> None:
    assert MARK not in text, text
    assert "ss-" not in text, text  # no tail of the "p@ss-…" password either


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://me:secret@db.example/t", "postgresql://me:***@db.example/t"),
        ("postgresql://:secret@db.example/t", "postgresql://:***@db.example/t"),
        (
            "postgresql+psycopg://me@db.example/t?password=secret",
            "postgresql+psycopg://me@db.example/t?password=***",
        ),
        (
            "postgresql://me@h/t?sslmode=off&password=secret&x=1",
            "postgresql://me@h/t?sslmode=off&password=***&x=1",
        ),
        ("postgresql://me:p@ss@h:5432/t", "postgresql://me:***@h:5432/t"),
        ("postgresql://me:p%40ss@h/t", "postgresql://me:***@h/t"),
        ("postgres://me:a/b@h/t", "postgres://me:***@h/t"),
        ("postgresql://h/t?user=me@example.com", "postgresql://h/t?user=me@example.com"),
        ("/home/me/tagtui.db", "/home/me/tagtui.db"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize(("name", "url"), url_forms("postgresql+psycopg", "me", "db.example:5432", "/tagtui"))
def test_locate_never_prints_a_password(run: Cli, name: str, url: str) -> None:
    for argv in (("locate",), ("locate", "--json")):
        result = run(*argv, "--db", url)
        assert result.code == 0, result.err
        assert_no_secret(result.out + result.err)
        assert "db.example" in result.out


@pytest.mark.parametrize(("name", "url"), url_forms("postgresql+psycopg", "me", "127.0.0.1:1", "/tagtui"))
def test_a_refused_connection_never_prints_a_password(run: Cli, name: str, url: str) -> None:
    result = run("tags", "list", "--db", url)
    assert_one_error_line(result, 1, "cannot connect to", "127.0.0.1")
    assert_no_secret(result.err)


def test_a_badly_encoded_password_is_not_echoed_by_the_driver(run: Cli) -> None:
    # libpq quotes the bad token, which here is the password itself.
    result = run("tags", "list", "--db", f"postgresql://me:{MARK}%zz@127.0.0.1:1/t")
    assert result.code == 1
    assert_no_secret(result.err)


# -- on a real server: the schema messages -------------------------------------------------

needs_pg = pytest.mark.skipif(not PG_URL, reason="needs TAGTUI_TEST_PG_URL (a PostgreSQL server)")


@pytest.fixture
def pg_schema() -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    _pg_admin(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        _pg_admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def pg_forms(schema: str) -> list[tuple[str, str]]:
    parts = urlsplit(PG_URL or "")
    hostport = parts.hostname + (f":{parts.port}" if parts.port else "")  # type: ignore[operator]
    option = "options=" + quote(f"-csearch_path={schema}")
    query = "&".join(p for p in (parts.query, option) if p)
    return url_forms(parts.scheme, parts.username or "postgres", hostport, parts.path, query)


@needs_pg
def test_every_form_connects(pg_schema: str) -> None:
    """The forms are real: each reaches the server (trust or not, the password is parsed)."""
    for _, url in pg_forms(pg_schema):
        Store.open(url).close()


@needs_pg
def test_a_newer_schema_never_prints_a_password(run: Cli, pg_schema: str) -> None:
    forms = pg_forms(pg_schema)
    Store.open(forms[0][1]).close()
    _pg_admin(f"UPDATE \"{pg_schema}\".tagtui_meta SET value = '99' WHERE key = 'schema_version'")
    for _, url in forms:
        result = run("tags", "list", "--db", url)
        assert_one_error_line(result, 1, "newer tagtui", "***")
        assert_no_secret(result.err)


@needs_pg
def test_foreign_tables_never_print_a_password(run: Cli, pg_schema: str) -> None:
    _pg_admin(f'CREATE TABLE "{pg_schema}".contact (id int)')
    for _, url in pg_forms(pg_schema):
        result = run("tags", "list", "--db", url)
        assert_one_error_line(result, 1, "not a tagtui database", "***")
        assert_no_secret(result.err)
