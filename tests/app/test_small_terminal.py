"""At 80×24 every screen and dialog is usable (issue 12.3): the side panel hides and comes back with
ctrl+b, dialog buttons stay in view, triage shows every field and stage, label lists keep their
counts, the footer shows the section keys; wide terminals give the Email column its share; an emoji
with U+FE0F never shifts a border."""

from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console
from textual.widgets import Button

from tagtui.app.screens.contact_form import ContactForm
from tagtui.app.widgets.contact_table import ContactTable
from tagtui.app.widgets.footer import AppFooter
from tests.app.helpers import settle

SMALL = (80, 24)


def screen_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    """What the terminal shows, line by line."""
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text().splitlines()


def fully_visible(app, widget) -> bool:  # type: ignore[no-untyped-def]
    region = widget.region
    return region.height > 0 and region.y >= 0 and region.bottom <= app.size.height


async def test_side_panel_starts_hidden_when_narrow_and_ctrl_b_toggles_it(seeded, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        panel = app.screen.query_one("#panel")
        assert not panel.display or panel.region.width == 0
        text = "\n".join(screen_lines(app))
        assert "Email" in text and "Company" in text  # the table has the room instead
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert panel.region.width > 0 and "Tags · 3" in "\n".join(screen_lines(app))
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert panel.region.width == 0
        # "f" (go to the panel) shows it too.
        await pilot.press("f")
        await settle(pilot)
        assert panel.region.width > 0 and panel.has_focus_within


async def test_side_panel_starts_shown_when_wide(seeded, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one("#panel")
        assert panel.region.width > 0
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert panel.region.width == 0


async def test_new_contact_dialog_buttons_are_reachable_at_80x24(seeded, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        save = app.screen.query_one("#save", Button)
        assert fully_visible(app, save) and fully_visible(app, app.screen.query_one("#cancel", Button))
        await pilot.press(*"Zoe Small")
        await pilot.click("#save")
        await settle(pilot)
        assert not isinstance(app.screen, ContactForm)
    assert [c.name for c in seeded.list_contacts(limit=100).rows if c.name == "Zoe Small"] == ["Zoe Small"]


async def test_triage_shows_every_field_and_stage_at_80x24(seeded, make_app) -> None:  # type: ignore[no-untyped-def]
    for name in ("Demo", "Proposal", "Contacted", "Lost"):
        seeded.create_status(name)
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        lines = screen_lines(app)[:-1]  # not the footer
        text = "\n".join(lines)
        for label in ("Email", "Company", "Phone", "Assignee", "Followers", "Stage", "Tags"):
            assert label in text, label
        assert "ada@example.com" in text and "Analytical" in text
        for stage in ("New", "Qualified", "Won", "Demo", "Proposal", "Contacted", "Lost"):
            assert f"● {stage}" in text, stage
        # The keys still act: Lost is the 7th stage.
        hint = next(line for line in lines if "● Lost" in line).split("● Lost")[0].split()[-1]
        await pilot.press(hint)
        await settle(pilot)
    assert seeded.get_contact(seeded.list_contacts(limit=1).rows[0].id).status == "Lost"


async def test_tags_and_statuses_keep_their_count_column_at_80x24(seeded, make_app) -> None:  # type: ignore[no-untyped-def]
    seeded.create_tag("A tag with a rather long name indeed", description="and a long description " * 4)
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for key in ("2", "3"):
            await pilot.press(key)
            await settle(pilot)
            lines = screen_lines(app)
            header = next(line for line in lines if "Name" in line and "Slug" in line)
            assert header.rstrip().endswith("Contacts"), header


def footer_keys(app):  # type: ignore[no-untyped-def]
    """The footer's palette key, and its other entries (keys, groups, labels) in order."""
    footer = app.screen.query_one(AppFooter)
    palette = footer.query_children(".-command-palette").first()
    return palette, [child for child in footer.children if child is not palette]


async def test_footer_shows_the_section_keys_and_help(seeded, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for key in ("1", "2", "3", "4"):
            await pilot.press(key)
            await settle(pilot)
            footer = screen_lines(app)[-1]
            assert "1234 Sections" in footer and "? Help" in footer, footer


async def test_footer_shows_whole_keys_only_and_more_when_wider(seeded, make_app) -> None:  # type: ignore[no-untyped-def]
    """At 80 columns the footer drops the keys that do not fit instead of cutting one mid-word
    under the palette key ("s Sta▏^p palette"); widened, it shows them again."""
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for key in ("1", "2", "3", "4"):
            await pilot.press(key)
            await settle(pilot)
            palette, entries = footer_keys(app)
            shown = [child for child in entries if child.display]
            assert shown and len(shown) < len(entries), key
            assert all(child.region.right <= palette.region.x for child in shown), key
            line = screen_lines(app)[-1]
            before_palette = line[: line.index("▏")]
            assert before_palette.endswith(" "), line
            narrow = len(shown)
        await pilot.resize_terminal(200, 30)
        await settle(pilot)
        palette, entries = footer_keys(app)
        assert len([child for child in entries if child.display]) > narrow  # the palette key aside
        assert "Refresh" in screen_lines(app)[-1]


async def test_footer_hides_and_shows_its_keys_without_building_them_again(seeded, make_app) -> None:  # type: ignore[no-untyped-def]
    """`/` takes the letter keys (they leave the footer) and enter gives them back: the footer
    shows and hides the keys it built (adding the new one), fitted at 80 columns, instead of
    building them again."""
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(AppFooter)
        built = list(footer.children)
        before = screen_lines(app)[-1]
        assert "n New" in before, before
        await pilot.press("slash")
        await settle(pilot)
        typing = screen_lines(app)[-1]
        assert "n New" not in typing and "Back to the list" in typing, typing
        assert set(built) <= set(footer.children)
        await pilot.press("enter")
        await settle(pilot)
        assert screen_lines(app)[-1] == before
        assert set(built) <= set(footer.children)
        palette, entries = footer_keys(app)
        shown = [child for child in entries if child.display]
        assert shown and all(child.region.right <= palette.region.x for child in shown)


async def test_email_column_takes_its_share_on_a_wide_terminal(seeded, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(200, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        widths = {str(key.value): column.width for key, column in table.columns.items()}
        assert widths["email"] >= 24 and widths["email"] > widths["company"]


async def test_emoji_with_a_variation_selector_keeps_borders_in_place(store, make_app) -> None:  # type: ignore[no-untyped-def]
    for name, emoji in (("Churn risk", "⚠️"), ("Podcast", "🎙️"), ("Tools", "🛠️")):
        store.create_tag(name, color="amber", emoji=emoji)
    store.create_status("New")
    for i in range(3):
        store.add_contact(f"Person {i}", tags=["churn-risk", "podcast", "tools"], status="new")
    app = make_app()
    for size, keys in ((SMALL, ()), ((120, 30), ()), (SMALL, ("2",)), ((120, 30), ("g",))):
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press(*keys)
            await settle(pilot)
            lines = screen_lines(app)
            text = "\n".join(lines)
            assert "\ufe0f" not in text
            assert "⚠" in text
            # Every line is exactly as wide as the terminal: no cell pushed or left over.
            assert {cell_len(line) for line in lines} == {size[0]}
        app = make_app()
