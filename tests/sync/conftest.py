"""Sync fixtures: one Radicale (basic auth) and one Xandikos per test session, a fresh address book
per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sync.servers import Book, DavServer


def _server(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DavServer]:
    server = DavServer(kind, tmp_path_factory.mktemp(kind)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DavServer]:
    yield from _server("radicale", tmp_path_factory)


@pytest.fixture(scope="session")
def xandikos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DavServer]:
    yield from _server("xandikos", tmp_path_factory)


@pytest.fixture(params=["radicale", "xandikos"])
def dav_server(request: pytest.FixtureRequest) -> DavServer:
    """Each real server in turn (a test using it runs once per server)."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def book(dav_server: DavServer) -> Book:
    """A fresh, empty address book on each server in turn."""
    return dav_server.new_book()


@pytest.fixture
def own_xandikos(tmp_path) -> Iterator[DavServer]:
    """A Xandikos of this test's own (to stop it, or to see its one default address book)."""
    server = DavServer("xandikos", tmp_path / "xandikos").start()
    try:
        yield server
    finally:
        server.stop()
