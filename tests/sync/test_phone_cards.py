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


def test_a_contact_without_email_links_to_its_card_by_name_and_phone(synced: Store, server: Server) -> None:
    """A phone's contact often has a number only: a first sync (after an import, or after
    'sync remove') links it to the contact of the same name and phone, not a copy each side."""
    bob = synced.add_contact("Bob Phone", phone="+1 555 0101")
    synced.add_contact("Bob Phone", phone="+1 555 0202")  # another Bob: another number
    server.put("bob", card("bob", "bob  phone", None, "TEL;TYPE=CELL:+1 (555) 0101", "CATEGORIES:Golf"))
    report, _ = run(synced, server)
    assert report.pulled["created"] == 0 and report.pushed["created"] == 1  # the other Bob only
    phones = sorted((c.id, c.phone) for c in synced.iter_contacts())
    assert phones[0] == (bob.id, "+1 (555) 0101")  # a first link: the server's spelling (--prefer)
    assert len(phones) == 2
    assert [t.name for t in synced.get_contact(bob.id).tags] == ["Golf"]
    assert len(server.cards()) == 2
    again, remote = run(synced, server)
    assert remote.writes == [] and again.pulled == again.pushed == {"created": 0, "updated": 0, "deleted": 0}
