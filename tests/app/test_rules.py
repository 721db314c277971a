"""The Rules screen: add (with the query checked as typed), preview, apply on confirmation, delete."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Label, Static

from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.rules import RuleForm, RulesScreen
from tagtui.app.widgets.dialogs import ConfirmDialog
from tagtui.query import parse
from tests.app.helpers import SIZE, settle, type_text


def followers(store) -> None:
    for email, n in (("ada@example.com", 250_000), ("alan@example.com", 120_000), ("don@example.com", 5)):
        store.update_contact(email, followers=n)


def label_text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).render())


async def test_add_preview_apply_and_delete_a_rule(seeded, make_app):
    followers(seeded)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        assert app.screen.query_one("#rules-empty", Static).display

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, RuleForm)
        await type_text(pilot, "Influencers")
        await pilot.press("tab")
        await type_text(pilot, "followers>1o0000")
        await pilot.pause()
        error = label_text(app, "#rule-query-error")
        assert "position 10" in error and "^" in error
        await pilot.press("ctrl+s")  # refused: the query is wrong
        await settle(pilot)
        assert isinstance(app.screen, RuleForm)
        assert seeded.list_rules() == []
        query = app.screen.query_one("#rule-query", Input)
        query.value = "followers>100000"
        await pilot.pause()
        assert label_text(app, "#rule-query-error") == ""
        await pilot.press("tab")
        await type_text(pilot, "Influencer")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        (rule,) = seeded.list_rules()
        assert rule.name == "Influencers" and [t.name for t in rule.add] == ["Influencer"]
        table = app.screen.query_one("#rules-table", DataTable)
        assert table.row_count == 1
        assert str(table.get_row_at(0)[3]) == "2"

        await pilot.press("p")
        await settle(pilot)
        preview = str(app.screen.query_one("#rules-preview", Static).render())
        assert "+Influencer on 2 contacts" in preview
        assert seeded.count_contacts(parse("tag:influencer")) == 0

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # cancel: nothing changes
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        assert seeded.count_contacts(parse("tag:influencer")) == 0

        await pilot.press("enter")
        await settle(pilot)
        assert "+Influencer on 2 contacts" in label_text(app, "#question")
        await pilot.press("y")
        await settle(pilot)
        assert seeded.count_contacts(parse("tag:influencer")) == 2
        assert any("Applied" in n.message for n in app._notifications)

        await pilot.press("enter")  # applying again has nothing to do
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        assert any("Nothing to change" in n.message for n in app._notifications)

        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert seeded.list_rules() == []
        assert app.screen.query_one("#rules-table", DataTable).row_count == 0

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)


async def test_the_form_shows_store_errors_under_their_field(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await type_text(pilot, "Nope")
        await pilot.press("tab")
        await type_text(pilot, "tag:vip")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "needs an action" in label_text(app, "#rule-form-error")
        app.screen.query_one("#rule-status", Input).value = "Missing"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "no status 'Missing'" in label_text(app, "#rule-status-error")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        assert seeded.list_rules() == []


async def test_rules_from_the_command_palette(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "Rules")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
