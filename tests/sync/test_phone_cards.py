"""Address books as phones fill them: cards that share an email, cards tagtui cannot take whole.
Each runs on a vdir, Radicale and Xandikos (the fixtures of ``test_engine``)."""

from __future__ import annotations

from tagtui.io.vcard import parse_cards
from tagtui.store import Store
from tests.sync import test_engine
from tests.sync.test_engine import Server, card, run

server = test_engine.server  # a vdir, then an address book on Radicale and on Xandikos
synced = test_engine.synced


def test_two_cards_of_one_email_keep_it_on_the_server(synced: Store, server: Server) -> None:
    """Emails are unique here, so the second card's contact has none; that is no removal to
    send: the card keeps its EMAIL through a no-change sync and through a tag added here."""
    server.put("one", card("one", "Shared One", "shared@example.com"))
    server.put("two", card("two", "Shared Two", "SHARED@example.com", "TEL:555"))
    first, _ = run(synced, server)
    assert first.pulled["created"] == 2
    two = next(c for c in synced.iter_contacts() if c.name == "Shared Two")
    assert two.email is None
    _, _, before = server.by_uid("two")

    again, remote = run(synced, server)
    assert remote.writes == [] and again.pushed == {"created": 0, "updated": 0, "deleted": 0}
    assert server.by_uid("two")[2] == before

    synced.create_tag("met")
    synced.assign("met", [two.id])
    _, remote = run(synced, server)
    assert remote.writes == [("update", server.by_uid("two")[0])]
    text = server.by_uid("two")[2]
    assert parse_cards(text)[0].fields().email == "SHARED@example.com"
    assert text.replace("CATEGORIES:met\r\n", "") == before
    _, remote = run(synced, server)
    assert remote.writes == [] and remote.fetched == []
