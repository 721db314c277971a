"""Deleting a tag or status that views and rules name, in the UI: the confirmation lists them;
confirmed, they are marked broken, and the Rules screen and the views picker say why (12.2)."""

from __future__ import annotations

from textual.widgets import DataTable, Input, OptionList, Static

from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.picker import ViewPicker
from tagtui.app.screens.rules import RulesScreen
from tagtui.app.screens.statuses import StatusesScreen
from tagtui.app.screens.tags import TagsScreen
from tagtui.app.widgets.dialogs import ConfirmDialog
from tests.app.helpers import SIZE, cursor_to, go, plain, settle


async def test_deleting_a_named_tag_lists_views_and_rules_then_marks_them_broken(seeded, make_app):
    seeded.save_view("vip open", "tag:vip -status:won")
    seeded.add_rule("Promote", "tag:vip", status="Qualified")
    vip = seeded.get_tag("VIP")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "2")
        assert isinstance(app.screen, TagsScreen)
        await cursor_to(pilot, app.screen.query_one("#tags-table", DataTable), str(vip.id))
        await go(pilot, "d")
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == (
            "Delete tag 'VIP'? 4 contacts lose it. Named by view 'vip open', rule 'Promote':"
            " they will be marked broken and no longer run."
        )
        await go(pilot, "n")
        assert seeded.get_tag("VIP").contacts == 4
        await go(pilot, "d")
        await go(pilot, "y")
        assert isinstance(app.screen, TagsScreen)
        assert seeded.list_views()[0].broken == "tag 'VIP' was deleted"
        assert seeded.get_rule("Promote").broken == "tag 'VIP' was deleted"

        # The Rules screen marks the rule and says why under it.
        await go(pilot, "R")
        assert isinstance(app.screen, RulesScreen)
        table = app.screen.query_one("#rules-table", DataTable)
        assert plain(table.get_row_at(0)[3]) == "broken"
        why = plain(app.screen.query_one("#rules-preview", Static).render())
        assert "Broken: tag 'VIP' was deleted" in why
        await go(pilot, "escape")
        await go(pilot, "1")

        # The views picker shows it broken, and choosing it runs nothing.
        assert isinstance(app.screen, ContactsScreen)
        query = app.screen.query_one("#query", Input).value
        await go(pilot, "V")
        assert isinstance(app.screen, ViewPicker)
        option = app.screen.query_one(OptionList).get_option_at_index(0)
        assert "broken: tag 'VIP' was deleted" in plain(option.prompt)
        await go(pilot, "enter")
        assert isinstance(app.screen, ViewPicker)
        assert any("is broken" in n.message for n in app._notifications)
        await go(pilot, "escape")
        assert app.screen.query_one("#query", Input).value == query


async def test_deleting_a_status_no_view_names_asks_the_usual_question(seeded, make_app):
    seeded.save_view("won", "status:won")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "3")
        assert isinstance(app.screen, StatusesScreen)
        table = app.screen.query_one(DataTable)
        await cursor_to(pilot, table, str(seeded.get_status("New").id))
        await go(pilot, "d")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Named by" not in app.screen.question
        await go(pilot, "escape")
        await cursor_to(pilot, table, str(seeded.get_status("Won").id))
        await go(pilot, "d")
        assert "Named by view 'won': it will be marked broken" in app.screen.question
        await go(pilot, "y")
        assert seeded.list_views()[0].broken == "status 'Won' was deleted"


async def test_the_palette_offers_whole_views_only(seeded, make_app):
    from textual.command import CommandList

    seeded.save_view("vips", "tag:vip")
    seeded.save_view("partners", "tag:partner")
    seeded.delete_tag("Partner", force=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"View:")
        await pilot.pause(0.5)
        await settle(pilot)
        commands = app.screen.query_one(CommandList)
        offered = [plain(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
        assert any("View: vips" in o for o in offered), offered
        assert not any("partners" in o for o in offered), offered
        await pilot.press("escape")
