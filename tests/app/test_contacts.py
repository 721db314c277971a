"""The contacts screen, driven by keys only; each test checks the screen and the store."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.coordinate import Coordinate
from textual.widgets import Input, Label

from tagtui.app.screens.contact_form import ContactForm
from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.picker import StatusPicker, TagPicker
from tagtui.app.widgets.contact_table import MAX_PAGES, PAGE_SIZE, ContactTable
from tagtui.app.widgets.dialogs import ConfirmDialog
from tagtui.app.widgets.filter_panel import FilterPanel
from tagtui.query import Statuses, Tags, parse
from tests.app.helpers import (
    SIZE,
    confirm_question,
    drawn,
    record_list_contacts,
    settle,
    text_of,
    type_text,
)


def cell(app, row: int, column: str) -> str:
    """The text of one cell of the table, by row index and column key."""
    table = app.screen.query_one(ContactTable)
    return table.get_cell_at(Coordinate(row, table.get_column_index(column))).plain


def shown_names(app) -> list[str]:
    """The names in the table, as drawn."""
    return [cell(app, i, "name") for i in range(app.screen.query_one(ContactTable).row_count)]


def marks(app) -> list[str]:
    return [cell(app, i, "mark").strip() for i in range(app.screen.query_one(ContactTable).row_count)]


async def test_opens_on_every_contact(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert app.screen.title == "Contacts"
        assert text_of(app, "#count") == "10 contacts"
        assert shown_names(app)[:3] == ["Ada Lovelace", "Alan Turing", "Barbara Liskov"]
        assert len(shown_names(app)) == seeded.count_contacts()


async def test_typing_a_query_filters_the_list(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await type_text(pilot, "tag:vip")
        await settle(pilot, typed=True)
        expected = seeded.count_contacts(parse("tag:vip"))
        assert expected == 4
        assert text_of(app, "#count") == "4 of 10 contacts"
        assert shown_names(app) == ["Ada Lovelace", "Alan Turing", "Edsger Dijkstra", "Ivan Sutherland"]
        # More terms narrow it further: free text and a status.
        await type_text(pilot, " status:qualified")
        await settle(pilot, typed=True)
        assert shown_names(app) == ["Ada Lovelace"]
        assert text_of(app, "#count") == "1 of 10 contacts"
        # The panel follows the typed query.
        panel = app.screen.query_one(FilterPanel)
        assert panel.state.tag_mode("vip") == "all"
        assert panel.state.statuses == ("qualified",)


async def test_an_invalid_query_shows_where_and_keeps_the_last_good_rows(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "tag:partner")
        await settle(pilot, typed=True)
        good = shown_names(app)
        assert good == ["Alan Turing", "Barbara Liskov", "Grace Hopper"]
        await type_text(pilot, " and (")
        await settle(pilot, typed=True)
        error = text_of(app, "#query-error")
        assert "^" in error and "position" in error
        assert app.screen.query_one("#query-error").has_class("-shown")
        assert shown_names(app) == good
        # The last good rows stay, dimmed and called stale (issue 12.5).
        assert text_of(app, "#count").startswith("3 of 10 contacts · stale")
        # The caret sits under the problem: the unclosed "(" in the bar.
        bar = app.screen.query_one("#query", Input)
        caret_column = error.index("^") + app.screen.query_one("#query-error").content_region.x
        assert caret_column == bar.content_region.x + len("tag:partner and ")
        # Fixing it clears the error and runs the query.
        await type_text(pilot, "tag:vip)")
        await settle(pilot, typed=True)
        assert not app.screen.query_one("#query-error").has_class("-shown")
        assert shown_names(app) == ["Alan Turing"]


async def test_an_unknown_tag_is_an_error_not_an_empty_list(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "tag:nosuch")
        await settle(pilot, typed=True)
        assert "unknown tag 'nosuch'" in text_of(app, "#query-error")
        assert len(shown_names(app)) == 10


async def test_cycling_a_tag_in_the_panel_rewrites_the_query(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")  # the filter panel; its first row is "(no tags)", then tags by name
        await pilot.press("down", "down", "down")  # Cold, Partner, VIP
        query = app.screen.query_one("#query", Input)
        await pilot.press("space")
        await settle(pilot)
        assert query.value == "tag:vip"
        assert text_of(app, "#count") == "4 of 10 contacts"
        await pilot.press("space")  # all: the same set for one tag
        await settle(pilot)
        assert query.value == "tag:vip"
        await pilot.press("space")  # none
        await settle(pilot)
        assert query.value == "-tag:vip"
        assert text_of(app, "#count") == "6 of 10 contacts"
        assert "Ada Lovelace" not in shown_names(app)
        await pilot.press("space")  # off
        await settle(pilot)
        assert query.value == ""
        assert text_of(app, "#count") == "10 contacts"
        # Two tags in "any" make one tag:a,b term; a status joins with AND.
        await pilot.press("space", "up", "space")  # vip any, partner any
        await settle(pilot)
        assert query.value == "tag:vip,partner"
        assert seeded.count_contacts(parse(query.value)) == 6
        assert text_of(app, "#count") == "6 of 10 contacts"
        await pilot.press("up", "up", "space")  # (no tags)
        await settle(pilot)
        assert query.value == "tag:vip,partner tag:none"
        assert text_of(app, "#count") == "0 of 10 contacts"
        await pilot.press("c")  # clear every mark
        await settle(pilot)
        assert query.value == ""


async def test_panel_statuses_toggle_and_keep_typed_terms(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "example")
        await pilot.press("enter")
        await settle(pilot, typed=True)
        app.screen.query_one("#panel-statuses").focus()
        await pilot.press("down", "down")  # (no status), New, Qualified
        await pilot.press("space")
        await settle(pilot)
        query = app.screen.query_one("#query", Input)
        assert query.value == "example status:qualified"
        assert shown_names(app) == ["Ada Lovelace", "Grace Hopper"]
        await pilot.press("up", "up", "space")  # and no status
        await settle(pilot)
        assert query.value == "example (status:qualified or status:none)"
        assert len(shown_names(app)) == 2 + 5


async def test_mark_three_rows_and_add_a_tag_with_the_picker(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Barbara, Claude and Donald: rows 3 to 5.
        await pilot.press("down", "down", "x", "x", "x")
        assert marks(app)[:6] == ["", "", "●", "●", "●", ""]
        assert "3 marked" in text_of(app, "#selection")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagPicker)
        await type_text(pilot, "vi")
        await pilot.press("enter")  # choose VIP, clear the search
        await pilot.press("enter")  # apply
        await settle(pilot)
        # A change over marked rows is shown first and applied on confirmation.
        assert isinstance(app.screen, ConfirmDialog)
        assert "+VIP on 3 contacts" in str(app.screen.query_one("#question", Label).render())
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        for name in ("Barbara Liskov", "Claude Shannon", "Donald Knuth"):
            contact = seeded.get_contact(f"{name.split()[0].lower()}@example.com".replace("donald", "don"))
            assert "vip" in {t.slug for t in contact.tags}, name
        assert seeded.count_contacts(parse("tag:vip")) == 7
        assert any("Done: +VIP on 3 contacts" in n.message for n in app._notifications)
        # The table shows the new chips (Barbara's: Partner and VIP, or a count when narrow).
        assert "VIP" in cell(app, 3, "tags")  # Claude had none
        barbara = cell(app, 2, "tags")
        assert "VIP" in barbara or barbara.endswith("+1")


async def test_remove_a_tag_from_the_contact_under_the_cursor(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down")  # Alan Turing: vip, partner
        await pilot.press("T")
        await settle(pilot)
        assert isinstance(app.screen, TagPicker)
        await type_text(pilot, "partner")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert [t.slug for t in seeded.get_contact("alan@example.com").tags] == ["vip"]


async def test_mark_everything_that_matches_and_set_a_status(seeded, make_app, store):
    app = make_app()
    calls: list[object] = []
    original = store.apply_bulk_change

    def spy(selection, **change):
        calls.append(selection)
        return original(selection, **change)

    store.apply_bulk_change = spy
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "tag:partner")
        await pilot.press("enter")
        await settle(pilot, typed=True)
        await pilot.press("ctrl+a")
        assert "all 3 marked" in text_of(app, "#selection")
        assert marks(app) == ["●", "●", "●"]
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatusPicker)
        await type_text(pilot, "won")
        await pilot.press("enter")
        await settle(pilot)
        # Staged: the effect first, applied on confirmation.
        question = confirm_question(app)
        assert question.endswith("Status → Won on 3 contacts")
        await pilot.press("y")
        await settle(pilot)
    # Set-based: the store got the filter, not a list of ids.
    assert calls == [Tags(("partner",))]
    assert seeded.count_contacts(parse("tag:partner status:won")) == 3
    assert seeded.count_contacts(parse("status:won")) == 4  # Edsger was already won
    assert seeded.get_contact("claude@example.com").status == "New"


async def test_escape_clears_the_marks(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x", "x", "escape")
        assert set(marks(app)) == {""}
        assert text_of(app, "#selection") == ""


async def test_the_tables_filter_total_and_marks_are_reactives(seeded, make_app):
    """A watcher of the contacts table sees its filter, its count and its marks change as keys
    change them (the count row is drawn from them)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        seen: list[tuple[str, object]] = []

        def watcher(name: str) -> Callable[[object], None]:
            return lambda value: seen.append((name, value))

        for name in ("filter", "total", "selected", "all_selected"):
            app.screen.watch(table, name, watcher(name), init=False)
        await pilot.press("slash")
        await type_text(pilot, "tag:vip")
        await settle(pilot, typed=True)
        assert ("filter", parse("tag:vip")) in seen
        assert ("total", 4) in seen and table.total == 4
        assert text_of(app, "#count") == "4 of 10 contacts"
        await pilot.press("enter")  # back to the table
        await settle(pilot)
        seen.clear()
        first, second = table.current.id, table.rows_in_window[1].id
        await pilot.press("x", "x")
        assert seen == [("selected", frozenset({first})), ("selected", frozenset({first, second}))]
        assert text_of(app, "#selection") == "● 2 marked"
        await pilot.press("ctrl+a")  # every match: no ids
        assert seen[2:] == [("all_selected", True), ("selected", frozenset())]
        assert text_of(app, "#selection") == "● all 4 marked"
        await pilot.press("escape")
        assert seen[4:] == [("all_selected", False)]
        assert text_of(app, "#selection") == ""


async def test_new_contact_with_a_bad_email_shows_the_error_then_saves(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        await type_text(pilot, "Zed")
        await pilot.press("tab")
        await type_text(pilot, "zed.io")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = form.query_one("#error-email")
        assert error.has_class("-shown")
        assert "invalid email" in str(error.render())
        assert form.query_one("#field-email").has_class("-invalid")
        assert seeded.count_contacts() == 10
        # Fix it: the focus is back on the email field.
        assert app.focused is form.query_one("#field-email")
        await pilot.press("home", "Z", "@")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert seeded.get_contact("z@zed.io").name == "Zed"
        assert "Zed" in shown_names(app)
        assert text_of(app, "#count") == "11 contacts"


async def test_a_duplicate_email_is_shown_on_the_email_field(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await type_text(pilot, "Ad")
        await pilot.press("tab")
        await type_text(pilot, "ADA@example.com")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        assert "already has the email" in str(app.screen.query_one("#error-email").render())


async def test_edit_a_contact(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        assert form.query_one("#field-name", Input).value == "Ada Lovelace"
        await pilot.press("tab", "tab")  # company
        await pilot.press("ctrl+u")
        await type_text(pilot, "Babbage & Co")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert seeded.get_contact("ada@example.com").company == "Babbage & Co"
        assert cell(app, 0, "company") == "Babbage & Co"


async def test_database_text_is_shown_literally(store, make_app):
    store.create_tag("[red]tag[/]", color="red")
    store.add_contact("[bold]x[/]", email="x@example.com", company="\x1b[31mred", tags=["[red]tag[/]"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        assert cell(app, 0, "name") == "[bold]x[/]"
        assert cell(app, 0, "company") == "␛[31mred"
        assert "[red]tag[/]" in cell(app, 0, "tags")
        # And drawn as those characters on the screen (not bold, no markup eaten).
        shown = drawn(table)
        assert "[bold]x[/]" in shown and "␛[31mred" in shown


async def test_the_table_never_asks_for_more_than_a_page(store, make_app, monkeypatch):
    # Small pages, so that a few key presses cross several of them.
    from tagtui.app.widgets import contact_table

    page = 20
    monkeypatch.setattr(contact_table, "PAGE_SIZE", page)
    monkeypatch.setattr(contact_table, "NEAR", 5)
    total = page * (MAX_PAGES + 2) + 7
    for i in range(total):
        store.add_contact(f"Person {i:04d}")
    calls = record_list_contacts(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        assert table.row_count == page
        # Walk to the end, a screen at a time: pages load as the cursor nears the end.
        for _ in range(total // 30 + 4):
            await pilot.press("pagedown")
            await settle(pilot)
            assert table.row_count <= MAX_PAGES * page
        assert table.current is not None and table.current.name == f"Person {total - 1:04d}"
        assert text_of(app, "#position") == f"{total:,} / {total:,}"
        assert shown_names(app)[-1] == f"Person {total - 1:04d}"
        # Back up, by keyset pages remembered on the way.
        for _ in range(3):
            await pilot.press("pageup")
            await settle(pilot)
        assert table.row_count <= MAX_PAGES * page
        assert table.position < total - 60
        assert shown_names(app)[table.cursor_row] == table.current.name
        # The first and the last contact, straight away.
        await pilot.press("ctrl+home")
        await settle(pilot)
        assert table.current.name == "Person 0000"
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table.current.name == f"Person {total - 1:04d}"
    assert len(calls) >= MAX_PAGES + 2
    assert all(c["limit"] <= page for c in calls)
    # Pages after the first are fetched by keyset (after=), not by offset.
    assert sum(1 for c in calls if c.get("after")) >= MAX_PAGES + 1


def test_the_page_size_is_a_page():
    assert PAGE_SIZE <= 200 and MAX_PAGES * PAGE_SIZE <= 1000


async def test_save_a_view_and_recall_it(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "-tag:cold")
        await pilot.press("enter")
        await settle(pilot, typed=True)
        await pilot.press("v")
        await type_text(pilot, "warm")
        await pilot.press("enter")
        await settle(pilot)
        assert [(v.name, v.query) for v in seeded.list_views()] == [("warm", "-tag:cold")]
        # Clear the query, then recall the view.
        await pilot.press("slash", "ctrl+u", "enter")
        await settle(pilot, typed=True)
        assert text_of(app, "#count") == "10 contacts"
        await pilot.press("V")
        await settle(pilot)
        await pilot.press("w", "enter")
        await settle(pilot, typed=True)
        assert app.screen.query_one("#query", Input).value == "-tag:cold"
        assert text_of(app, "#count") == "8 of 10 contacts"


async def test_hint_keys_over_marked_rows(seeded, make_app):
    from tagtui.app.hints import stage_hints, tag_hints
    from tagtui.app.screens.hint_overlay import HintOverlay

    tags = seeded.list_tags()
    statuses = seeded.list_statuses()
    cold = tag_hints(tags)[next(t.id for t in tags if t.slug == "cold")]
    won = stage_hints(statuses)[next(s.id for s in statuses if s.slug == "won")]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x", "x")  # Ada, Alan
        await pilot.press("semicolon")
        await settle(pilot)
        assert isinstance(app.screen, HintOverlay)
        await pilot.press(*cold, *won)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
    for email in ("ada@example.com", "alan@example.com"):
        contact = seeded.get_contact(email)
        assert "cold" in {t.slug for t in contact.tags}
        assert contact.status == "Won"
    assert seeded.count_contacts(parse("tag:cold")) == 4
    assert seeded.count_contacts(Statuses(("won",))) == 3


async def test_export_the_current_filter(seeded, make_app, tmp_path, monkeypatch):
    import csv

    pytest.importorskip("tagtui.io.export")
    from tagtui.app.screens.export import ExportDialog

    monkeypatch.setenv("HOME", str(tmp_path))  # a relative name is in the documents folder or home
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "tag:vip")
        await pilot.press("enter")
        await settle(pilot, typed=True)
        await pilot.press("X")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        # A folder that does not exist: the error shows in the dialog, nothing is written.
        await pilot.press("ctrl+u")
        await type_text(pilot, "nope/x.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "does not exist" in str(dialog.query_one("#error").render())
        await pilot.press("ctrl+u")
        await type_text(pilot, "vip.csv")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
    with open(tmp_path / "vip.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = sorted(r["name"] for r in rows)
    assert names == ["Ada Lovelace", "Alan Turing", "Edsger Dijkstra", "Ivan Sutherland"]
    assert not (tmp_path / "nope").exists()


# -- the panel and the query, without the UI -----------------------------------------------


def test_panel_state_round_trips_through_the_query():
    from tagtui.app.panel_state import PanelState, state_from_filter

    tags, statuses = ["vip", "partner", "cold", "hot-lead"], ["new", "won"]
    text = 'acme tag:vip,partner tag:cold -tag:"Hot Lead" (status:won or status:none) assignee:ann'
    state = state_from_filter(parse(text), tags, statuses)
    assert state.tags == {"vip": "any", "partner": "any", "cold": "all", "hot-lead": "none"}
    assert state.statuses == ("won",) and state.no_status
    assert [type(t).__name__ for t in state.others] == ["Text", "Assignees"]
    again = state_from_filter(parse(state.to_query()), tags, statuses)
    assert again == state
    # Cycling walks any -> all -> none -> off; other terms stay as typed.
    state = PanelState(others=(parse("acme"),)).cycle_tag("vip")
    assert state.to_query() == "acme tag:vip"
    state = state.cycle_tag("vip").cycle_tag("vip")
    assert state.to_query() == "acme -tag:vip"
    assert state.cycle_tag("vip").to_query() == "acme"


def test_terms_the_panel_cannot_show_are_kept():
    from tagtui.app.panel_state import state_from_filter

    tags = ["vip", "cold"]
    state = state_from_filter(parse("tag:vip or tag:cold tag:nosuch -(tag:vip tag:cold)"), tags, [])
    assert state.tags == {}
    assert state.to_query() == "tag:vip or tag:cold tag:nosuch -(tag:vip tag:cold)"
    # A tag named twice keeps its first meaning; the second term stays as written.
    state = state_from_filter(parse("tag:vip -tag:vip"), tags, [])
    assert state.tags == {"vip": "all"} and len(state.others) == 1
