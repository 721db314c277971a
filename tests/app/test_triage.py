"""Triage: one contact at a time, changed with hint keys; every change is checked in the store."""

from __future__ import annotations

import pytest

from tagtui.app.hints import TAG_ALPHABET, HintReader, assign_hints, stage_hints, tag_hints
from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.triage import TriageScreen
from tagtui.query import parse
from tests.app.helpers import SIZE, drawn, settle, type_text


def hints_for(store) -> tuple[dict[str, str], dict[str, str]]:
    """Hint keys by tag slug and by status slug, as the screen assigns them."""
    tags, statuses = store.list_tags(), store.list_statuses()
    th, sh = tag_hints(tags), stage_hints(statuses)
    return {t.slug: th[t.id] for t in tags}, {s.slug: sh[s.id] for s in statuses}


def counter(app) -> str:
    return str(app.screen.query_one("#triage-counter").render()).strip()


def card(app) -> str:
    return drawn(app.screen.query_one("#triage-contact"))


async def test_triage_five_contacts_with_hint_keys(seeded, make_app):
    tag, stage = hints_for(seeded)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, TriageScreen)
        assert app.screen.title == "Triage"
        assert counter(app) == "1 / 10"
        assert "Ada Lovelace" in card(app)

        # 1 Ada (vip; qualified): add cold, set won.
        await pilot.press(*tag["cold"], *stage["won"])
        await settle(pilot)
        ada = seeded.get_contact("ada@example.com")
        assert {t.slug for t in ada.tags} == {"vip", "cold"}
        assert ada.status == "Won"
        assert "Cold" in card(app)
        await pilot.press("right")
        await settle(pilot)
        assert counter(app) == "2 / 10"

        # 2 Alan (vip, partner; new): remove vip, set qualified.
        assert "Alan Turing" in card(app)
        await pilot.press(*tag["vip"], *stage["qualified"])
        await settle(pilot)
        alan = seeded.get_contact("alan@example.com")
        assert {t.slug for t in alan.tags} == {"partner"}
        assert alan.status == "Qualified"
        await pilot.press("enter")
        await settle(pilot)

        # 3 Barbara (partner; no status): skip without changes.
        assert "Barbara Liskov" in card(app)
        await pilot.press("space")
        await settle(pilot)
        assert counter(app) == "4 / 10"

        # 4 Claude (no tags; new): two tags, then the stage key twice clears it.
        assert "Claude Shannon" in card(app)
        await pilot.press(*tag["vip"], *tag["partner"], *stage["new"])
        await settle(pilot)
        claude = seeded.get_contact("claude@example.com")
        assert {t.slug for t in claude.tags} == {"vip", "partner"}
        assert claude.status is None
        await pilot.press("tab")
        await settle(pilot)

        # 5 Donald (cold): toggle cold off and on and off again, quickly; set new.
        assert "Donald Knuth" in card(app)
        await pilot.press(*tag["cold"], *tag["cold"], *tag["cold"], *stage["new"])
        await settle(pilot)
        donald = seeded.get_contact("don@example.com")
        assert donald.tags == ()
        assert donald.status == "New"
        assert counter(app) == "5 / 10"
        progress = str(app.screen.query_one("#triage-progress").render())
        assert "reviewed 3" in progress and "skipped 1" in progress and "changed 4" in progress

        # Back goes to the contact before, as it is now.
        await pilot.press("left")
        await settle(pilot)
        assert "Claude Shannon" in card(app)
        assert counter(app) == "4 / 10"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
    # Nobody else was touched.
    assert {t.slug for t in seeded.get_contact("edsger@example.com").tags} == {"vip"}
    assert seeded.get_contact("barbara@example.com").status is None


async def test_triage_follows_the_filter_and_ends(seeded, make_app):
    tag, _ = hints_for(seeded)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "-tag:cold tag:partner")
        await pilot.press("enter")
        await settle(pilot, typed=True)
        await pilot.press("g")
        await settle(pilot)
        assert counter(app) == "1 / 2"  # Alan, Barbara (Grace is cold)
        # Tagging Alan cold takes him out of the filter; triage goes on to Barbara.
        await pilot.press(*tag["cold"], "right")
        await settle(pilot)
        assert "Barbara Liskov" in card(app)
        await pilot.press("right")
        await settle(pilot)
        assert "That's everyone" in card(app)
        assert counter(app).startswith("done")
        await pilot.press("escape")
        await settle(pilot)
        # The contacts screen shows the change.
        assert str(app.screen.query_one("#count").render()) == "1 of 10 contacts"
    assert seeded.count_contacts(parse("tag:cold")) == 3


async def test_triage_starts_at_the_cursor(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down", "g")
        await settle(pilot)
        assert "Claude Shannon" in card(app)
        assert counter(app) == "4 / 10"


async def test_two_letter_hints_with_many_tags(store, make_app):
    for i in range(30):
        store.create_tag(f"Topic {i:02d}")
    contact = store.add_contact("Only One")
    tags = store.list_tags(limit=100)
    hints = tag_hints(tags)
    two = next(t for t in tags if len(hints[t.id]) == 2)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        await pilot.press(hints[two.id][0])
        assert f"typed {hints[two.id][0]}" in str(app.screen.query_one("#triage-pending").render())
        await pilot.press(hints[two.id][1])
        await settle(pilot)
    assert [t.id for t in store.get_contact(contact.id).tags] == [two.id]


# -- hint keys, without the UI --------------------------------------------------------------


def test_hints_prefer_the_first_letter_and_never_use_q():
    hints = assign_hints([(1, "vip"), (2, "partner"), (3, "quiet"), (4, "prospect")])
    assert hints == {1: "v", 2: "p", 3: "u", 4: "r"}
    assert "q" not in "".join(assign_hints([(i, "q" * 3) for i in range(40)]).values())


def test_hints_are_stable_when_tags_are_added():
    before = assign_hints([(1, "vip"), (2, "partner")])
    after = assign_hints([(1, "vip"), (2, "partner"), (3, "press")])
    assert after[1] == before[1] and after[2] == before[2]


@pytest.mark.parametrize("count", [1, 25, 26, 60, 300])
def test_hints_are_unique_and_prefix_free(count):
    hints = list(assign_hints([(i, f"tag-{i}") for i in range(count)]).values())
    assert len(set(hints)) == count
    assert all(set(h) <= set(TAG_ALPHABET) for h in hints)
    for a in hints:
        assert not any(b != a and b.startswith(a) for b in hints)
    assert max(len(h) for h in hints) == (1 if count <= 25 else 2)


def test_stage_hints_are_upper_case():
    class S:
        def __init__(self, i: int, slug: str) -> None:
            self.id, self.slug = i, slug

    assert stage_hints([S(1, "new"), S(2, "won"), S(3, "lost")]) == {1: "N", 2: "W", 3: "L"}


def test_hint_reader_waits_for_a_second_letter():
    reader = HintReader()
    reader.load({1: "a", 2: "zb"}, {3: "N"})
    assert reader.feed("a") == ("tag", 1)
    assert reader.feed("z") is None and reader.pending == "z"
    assert reader.feed("b") == ("tag", 2)
    assert reader.feed("N") == ("stage", 3)
    assert reader.feed("z") is None
    assert reader.feed("a") == ("tag", 1)  # not a hint after z: starts over
