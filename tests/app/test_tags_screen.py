"""The Tags screen and its form, driven by keys, checked on the screen and in the store."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual import events
from textual.widgets import DataTable, Input, Label

from tagtui.app.app import TagtuiApp
from tagtui.app.screens.tag_form import TagForm
from tagtui.app.screens.tags import TagsScreen
from tagtui.app.widgets.dialogs import ConfirmDialog
from tagtui.store import NotFound, Store
from tests.app.helpers import column_texts, cursor_to, go, plain, row_texts, seed_standard, settle, type_text

SIZE = (140, 40)


@pytest.fixture
def app(store: Store, make_app: Callable[..., TagtuiApp]) -> TagtuiApp:
    seed_standard(store)
    return make_app()


def tags_table(app: TagtuiApp) -> DataTable:
    assert isinstance(app.screen, TagsScreen)
    return app.screen.query_one("#tags-table", DataTable)


def error_of(app: TagtuiApp, field: str) -> str:
    label = app.screen.query_one(f"#{field}-error", Label)
    return plain(label.render()) if label.has_class("-shown") else ""


async def test_list_search_and_delete_with_confirmation(app: TagtuiApp, store: Store) -> None:
    odd = store.create_tag("[red]x[/]", color="red", emoji="⭐", description="[b]not bold[/b]")
    vip = store.create_tag("VIP", color="amber")
    for i in range(3):
        c = store.add_contact(f"C{i}")
        store.change_tags(c.id, add=[vip.id] + ([odd.id] if i == 0 else []))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "2")
        assert app.screen.title == "Tags"
        table = tags_table(app)
        assert table.row_count == 8
        # every column, and markup in database text shown as typed
        assert row_texts(table, str(odd.id))[1:] == ["⭐", "[red]x[/]", "red-x", "[b]not bold[/b]", "1"]
        assert row_texts(table, str(vip.id))[2:] == ["VIP", "vip", "", "3"]
        assert plain(app.screen.query_one("#tags-summary", Label).render()) == "8 tags"

        # "/" searches within the tags; enter goes back to the list; escape clears
        await go(pilot, "slash")
        await type_text(pilot, "lead")
        await settle(pilot)
        assert column_texts(table, "name") == ["Cold Lead", "Hot Lead", "Warm Lead"]
        assert "3 of 8 tags match" in plain(app.screen.query_one("#tags-summary", Label).render())
        await go(pilot, "enter")
        assert table.has_focus
        await go(pilot, "escape")
        assert table.row_count == 8

        # delete: the question says how many contacts lose the tag; "n" keeps it, "y" deletes
        await cursor_to(pilot, table, str(vip.id))
        await go(pilot, "d")
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == "Delete tag 'VIP'? 3 contacts lose it."
        await go(pilot, "n")
        assert isinstance(app.screen, TagsScreen)
        assert store.get_tag(vip.id).contacts == 3
        await go(pilot, "d")
        await go(pilot, "y")
        assert isinstance(app.screen, TagsScreen)
        with pytest.raises(NotFound):
            store.get_tag(vip.id)
        assert "VIP" not in column_texts(table, "name")
        assert store.count_contacts() == 3


async def test_create_shows_store_errors_inline_then_saves(app: TagtuiApp, store: Store) -> None:
    palette = store.colors()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "2")
        await go(pilot, "n")
        assert isinstance(app.screen, TagForm)
        await type_text(pilot, "Prospect")
        await pilot.press("tab")  # the color field
        await type_text(pilot, "nope")
        await go(pilot, "ctrl+s")
        assert isinstance(app.screen, TagForm)
        assert "invalid color 'nope'" in error_of(app, "color")
        assert error_of(app, "name") == ""
        with pytest.raises(NotFound):
            store.get_tag("prospect")

        await pilot.press("backspace", "backspace", "backspace", "backspace")
        assert error_of(app, "color") == ""  # editing the field clears its message
        await type_text(pilot, "#0F0")
        await go(pilot, "enter")
        assert isinstance(app.screen, TagsScreen)
        tag = store.get_tag("prospect")
        assert (tag.name, tag.color) == ("Prospect", "#00ff00")
        table = tags_table(app)
        assert "Prospect" in column_texts(table, "name")
        assert table.cursor_row == table.get_row_index(str(tag.id))  # the cursor is on the new tag

        # a taken slug and a long name are shown under the name
        await go(pilot, "n")
        await type_text(pilot, "hot LEAD")
        await go(pilot, "enter")
        assert "already has the slug 'hot-lead'" in error_of(app, "name")
        await pilot.press("home", "ctrl+k")  # clear the field
        app.screen.query_one("#name", Input).post_message(events.Paste("x" * 101))  # a paste, not 101 keys
        await go(pilot, "enter")
        assert "the limit is 100" in error_of(app, "name")
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, "Picked")

        # the swatches: tab past the color text, then arrows (the first "right" picks the first)
        await pilot.press("tab", "tab")
        await pilot.press("right", "right", "right", "left")
        assert app.screen.query_one("#color", Input).value == palette[1][0]
        await pilot.press("end")
        assert app.screen.query_one("#color", Input).value == palette[-1][0]
        await go(pilot, "ctrl+s")
        assert isinstance(app.screen, TagsScreen)
    assert store.get_tag("picked").color == palette[-1][1]
    assert store.count_tags() == 8


async def test_edit_passes_rev_and_a_concurrent_change_offers_reload(app: TagtuiApp, store: Store) -> None:
    tag = store.create_tag("Alpha", color="red")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "2")
        table = tags_table(app)
        await cursor_to(pilot, table, str(tag.id))
        await go(pilot, "e")
        assert isinstance(app.screen, TagForm)
        assert app.screen.query_one("#name", Input).value == "Alpha"
        assert app.screen.query_one("#color", Input).value == "red"
        store.update_tag(tag.id, description="changed elsewhere")  # another process, meanwhile
        await pilot.press("end")
        await type_text(pilot, "2")
        await go(pilot, "ctrl+s")
        assert isinstance(app.screen, TagForm)
        assert "ctrl+r" in error_of(app, "form")
        assert store.get_tag(tag.id).name == "Alpha"

        await go(pilot, "ctrl+r")
        assert app.screen.query_one("#description", Input).value == "changed elsewhere"
        await pilot.press("end")
        await type_text(pilot, "2")
        await go(pilot, "ctrl+s")
        assert isinstance(app.screen, TagsScreen)
    saved = store.get_tag(tag.id)
    assert (saved.name, saved.description, saved.rev) == ("Alpha2", "changed elsewhere", 3)


async def test_many_tags_load_a_page_at_a_time(app: TagtuiApp, store: Store) -> None:
    for i in range(230):
        store.create_tag(f"bulk {i:03d}")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "2")
        table = tags_table(app)
        assert table.row_count == 100
        await go(pilot, "ctrl+end")
        await go(pilot, "ctrl+end")
        await go(pilot, "ctrl+end")
        assert table.row_count == 236
        assert len(set(column_texts(table, "slug"))) == 236


async def test_down_in_the_search_box_goes_to_the_list(app: TagtuiApp, store: Store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "2")
        await go(pilot, "slash")
        await type_text(pilot, "lead")
        await settle(pilot)
        table = tags_table(app)
        assert not table.has_focus
        await go(pilot, "down")
        assert table.has_focus
        assert column_texts(table, "name") == ["Cold Lead", "Hot Lead", "Warm Lead"]  # the search stays
        await go(pilot, "down")  # and down then moves in the list
        assert table.cursor_row == 1


async def test_the_merge_picker_chooses_one_tag_and_its_button_says_merge(
    app: TagtuiApp, store: Store
) -> None:
    from textual.widgets import Button, OptionList

    from tagtui.app.screens.tags import MergeTargetPicker

    cold = store.get_tag("cold-lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "2")
        table = tags_table(app)
        await cursor_to(pilot, table, str(cold.id))
        await go(pilot, "m")
        picker = app.screen
        assert isinstance(picker, MergeTargetPicker)
        prompts = [plain(o.prompt) for o in picker.query_one(OptionList).options]
        assert prompts and not any("[ ]" in p or "[x]" in p for p in prompts)  # no check boxes
        assert not picker.query("#chosen")  # no "Chosen:" line
        await type_text(pilot, "hot")
        await go(pilot, "enter")
        assert isinstance(app.screen, ConfirmDialog)
        assert str(app.screen.query_one("#yes", Button).label) == "Merge (y)"
        await go(pilot, "y")
        assert [t.slug for t in store.list_tags() if t.slug.endswith("lead")] == ["hot-lead", "warm-lead"]


async def test_after_a_merge_the_cursor_is_on_the_tag_merged_into(app: TagtuiApp, store: Store) -> None:
    from textual.coordinate import Coordinate

    cold, warm = store.get_tag("cold-lead"), store.get_tag("warm-lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go(pilot, "2")
        table = tags_table(app)
        await cursor_to(pilot, table, str(cold.id))
        await go(pilot, "m")
        await type_text(pilot, "warm")
        await go(pilot, "enter")
        await go(pilot, "y")
        assert store.get_tag("warm-lead").id == warm.id
        row_key, _ = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0))
        assert row_key.value == str(warm.id)
