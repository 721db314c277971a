"""The query bar helps write the query (issue 12.5): tab completes, a suggestion shows as you
type, an unknown name says what was meant, and a malformed query marks the rows stale."""

from __future__ import annotations

from textual.widgets import Input

from tagtui.app.widgets.contact_table import ContactTable
from tagtui.query import parse
from tests.app.helpers import SIZE, settle, text_of, type_text


def bar(app) -> Input:
    return app.screen.query_one("#query", Input)


def shown(widget) -> str:
    """Every line the widget draws, border included."""
    from textual.geometry import Region

    size = widget.outer_size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, size.width, size.height)))


async def open_bar(pilot) -> None:
    await settle(pilot)
    await pilot.press("slash")
    await settle(pilot)


async def test_tab_completes_tags_fields_statuses_and_assignees(seeded, make_app):
    seeded.update_contact("ada@example.com", assignee="Sam Chen")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_bar(pilot)
        await type_text(pilot, "tag:vi")
        await pilot.press("tab")
        assert bar(app).value == "tag:vip"
        assert bar(app).has_focus  # tab completed: the keyboard stays in the bar
        await type_text(pilot, " sta")
        await pilot.press("tab")
        assert bar(app).value == "tag:vip status:"
        await type_text(pilot, "qu")
        await pilot.press("tab")
        assert bar(app).value == "tag:vip status:qualified"
        await type_text(pilot, " -tag:prtnr")  # no prefix fits: the closest by letters
        await pilot.press("tab")
        assert bar(app).value == "tag:vip status:qualified -tag:partner"
        await type_text(pilot, " assignee:sa")
        await pilot.press("tab")
        assert bar(app).value == 'tag:vip status:qualified -tag:partner assignee:"Sam Chen"'
        await pilot.press("enter")
        await settle(pilot, typed=True)
        assert seeded.count_contacts(parse(bar(app).value)) == 1
        assert app.screen.query_one(ContactTable).row_count == 1


async def test_tab_with_nothing_to_complete_moves_focus_on(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_bar(pilot)
        await type_text(pilot, "acme")
        await pilot.press("tab")
        assert bar(app).value == "acme"
        assert not bar(app).has_focus


async def test_the_suggestion_shows_as_you_type(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_bar(pilot)
        await type_text(pilot, "tag:pa")
        await settle(pilot)
        assert bar(app)._suggestion == "tag:partner"
        assert "tag:partner" in shown(bar(app))  # "tag:pa" typed, "rtner" dimmed
        await pilot.press("right")  # takes the suggestion, as in any Textual input
        assert bar(app).value == "tag:partner"


async def test_completion_follows_a_tag_created_meanwhile(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seeded.create_tag("Zebra Crossing")
        await pilot.press("r")  # refresh (as after any change the app makes)
        await open_bar(pilot)
        await type_text(pilot, "tag:zeb")
        await pilot.press("tab")
        assert bar(app).value == "tag:zebra-crossing"


async def test_an_unknown_tag_says_what_was_meant(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_bar(pilot)
        await type_text(pilot, "tag:vipp")
        await settle(pilot, typed=True)
        assert "unknown tag 'vipp' — did you mean vip?" in text_of(app, "#query-error")


async def test_a_malformed_query_marks_the_results_stale_until_a_valid_one_runs(seeded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_bar(pilot)
        await type_text(pilot, "tag:vip")
        await settle(pilot, typed=True)
        table = app.screen.query_one(ContactTable)
        assert not table.has_class("-stale")
        assert text_of(app, "#count") == "4 of 10 contacts"
        await type_text(pilot, " (")
        await settle(pilot, typed=True)
        assert table.has_class("-stale")
        assert text_of(app, "#count").startswith("4 of 10 contacts · stale")
        assert table.row_count == 4  # the last results stay, dimmed
        await pilot.press("backspace", "backspace")
        await type_text(pilot, " status:won")
        await settle(pilot, typed=True)
        assert not table.has_class("-stale")
        assert text_of(app, "#count") == "1 of 10 contacts"
        # An unknown tag (found when the query runs) is stale too.
        await type_text(pilot, " tag:nosuch")
        await settle(pilot, typed=True)
        assert table.has_class("-stale") and "stale" in text_of(app, "#count")


async def test_the_placeholder_is_a_valid_query_on_the_demo_data(store, make_app):
    from tagtui.io.demo import generate

    generate(store, contacts=50, seed=1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        example = bar(app).placeholder.split("   ")[0]
        store.check_query(parse(example))
        assert "tag:" in example and "status:" in example


async def test_a_slow_query_dims_the_last_rows_and_says_it_is_loading(seeded, make_app):
    """A first page still out after ``SLOW_FETCH_S`` (a text search at a million contacts):
    the last rows stay, dimmed, and the count row says "loading…" beside its working bar;
    the new rows bring both back. A page quicker than that shows neither (no flicker)."""
    from tests.app.keys_burst import slow_next_call

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one(ContactTable)
        working = screen.query_one("#working")
        rows = table.row_count
        slow_next_call(seeded, "list_contacts", 1.0, caller="_fetch")
        screen.set_query("tag:vip")
        await pilot.pause(0.6)
        assert table.waiting and table.has_class("-waiting")
        assert text_of(app, "#working-label") == "loading…" and working.display
        assert table.row_count == rows and table.filter != parse("tag:vip")  # the last rows stay
        await pilot.pause(0.8)
        await settle(pilot)
        assert table.filter == parse("tag:vip") and table.row_count < rows
        assert not table.waiting and not table.has_class("-waiting")
        assert text_of(app, "#working-label") == "" and not working.display


async def test_a_quick_query_never_shows_loading(seeded, make_app, monkeypatch):
    from tagtui.app.widgets import contact_table

    # Long enough that no page of this small database, on a loaded machine, takes it.
    monkeypatch.setattr(contact_table, "SLOW_FETCH_S", 1.5)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        seen: list[bool] = []
        app.screen.watch(table, "waiting", seen.append, init=False)
        await pilot.press("slash")
        await type_text(pilot, "tag:vip")
        await pilot.press("enter")
        await settle(pilot)
        assert table.filter == parse("tag:vip")
        await pilot.pause(1.6)  # past the timer: the page came first, so it shows nothing
        assert seen == [] and not table.has_class("-waiting")


async def test_loading_and_a_staged_change_share_the_count_row(seeded, make_app):
    """The working bar stays while anything is under way; the label says the latest."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        working = screen.query_one("#working")
        screen._working(True, "counting…")
        screen._table_waiting(True)
        assert text_of(app, "#working-label") == "loading…" and working.display
        screen._table_waiting(False)
        assert text_of(app, "#working-label") == "counting…" and working.display
        screen._working(False)
        assert text_of(app, "#working-label") == "" and not working.display
