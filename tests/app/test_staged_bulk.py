"""Bulk changes over marked rows are counted and shown first; only a confirmation applies them."""

from __future__ import annotations

from textual.widgets import Label

from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.picker import TagPicker
from tagtui.query import parse
from tests.app.helpers import SIZE, confirm_question, settle, type_text


async def test_escape_at_the_summary_changes_nothing(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+a")  # every contact
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagPicker)
        await type_text(pilot, "cold")
        await pilot.press("enter", "enter")
        await settle(pilot)
        question = confirm_question(app)
        assert "+Cold on 8 contacts" in question  # Donald and Grace have it already
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert seeded.count_contacts(parse("tag:cold")) == 2


async def test_the_tag_limit_is_shown_and_respected(seeded, make_app):
    seeded.update_settings(max_tags_per_contact=2)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+a")
        await pilot.press("t")
        await settle(pilot)
        await type_text(pilot, "cold")
        await pilot.press("enter", "enter")
        await settle(pilot)
        question = str(app.screen.query_one("#question", Label).render())
        # Alan has VIP and Partner: a third tag passes the limit of 2.
        assert "+Cold on 7 contacts, 1 would pass the tag limit of 2 and is left out" in question
        await pilot.press("y")
        await settle(pilot)
        assert seeded.count_contacts(parse("tag:cold")) == 9
        assert "cold" not in {t.slug for t in seeded.get_contact("alan@example.com").tags}


async def test_one_contact_is_changed_at_once(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")  # nothing marked: the contact under the cursor (Ada)
        await settle(pilot)
        await type_text(pilot, "cold")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert "cold" in {t.slug for t in seeded.get_contact("ada@example.com").tags}
