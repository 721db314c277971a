"""The History screen (issue 12.7): the workspace's, a contact's or a tag's changes in words,
with who made them and undone/dropped steps marked; opened by keys and from the palette."""

from __future__ import annotations

from textual.widgets import DataTable

from tagtui.app.screens.detail import ContactDetailScreen
from tagtui.app.screens.history import HistoryScreen
from tagtui.query import parse
from tests.app.helpers import SIZE, pin_times, settle, type_text


def rows(app) -> list[list[str]]:
    table = app.screen.query_one("#history-table", DataTable)
    return [[str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)]


def _history_of_changes(store) -> None:
    """A change, an undone change, and a dropped one, each by a named actor."""
    store.actor = "ada"
    store.bulk_change_tags(parse("status:new"), add=["Partner"])
    store.actor = "bob"
    grace = store.list_contacts(parse("Grace")).rows[0]
    store.set_status(grace.id, "Won")
    store.create_tag("Gone")
    store.undo(by="actor")
    store.create_tag("Kept")  # bob's redo is cleared: "Gone" is dropped
    store.actor = "ada"
    store.undo(by="actor")  # ada's bulk change: undone


async def test_history_screen_from_contacts_detail_and_palette(seeded, make_app):
    _history_of_changes(seeded)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        lines = rows(app)
        assert lines[0][1:3] == ["ada", "undid: +Partner on 1 contact"]
        assert lines[1][1:] == ["bob", "created tag", "tag Kept"]
        assert lines[3][1:] == ["bob", "created tag  (dropped)", "tag Gone (deleted)"]
        status_line = next(r for r in lines if r[2].startswith("status: "))
        assert status_line[1:] == ["bob", "status: Qualified → Won", "contact Grace Hopper"]
        bulk = next(r for r in lines if "+Partner on" in r[2] and not r[2].startswith("undid"))
        assert bulk[1:] == ["ada", "+Partner on 1 contact  (undone)", "workspace"]
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HistoryScreen)

        # One contact's: open the detail, then H.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        name = app.screen.contact.name
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert str(app.screen.query_one("#history-title").render()).startswith(f"History of contact {name}")
        assert all(r[3] == f"contact {name}" for r in rows(app))
        assert rows(app)[-1][2].startswith("added contact")
        await pilot.press("escape", "escape")
        await settle(pilot)

        # The command palette.
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "History")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert rows(app)[1][2] == "created tag"


async def test_a_tags_history_from_the_tags_screen(seeded, make_app):
    _history_of_changes(seeded)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        while app.screen.current_item() is None or app.screen.current_item().name != "Partner":
            await pilot.press("down")
            await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        whats = [r[2] for r in rows(app)]
        assert whats[-1] == "created tag"
        assert any(w.startswith("+Partner on") for w in whats)


def test_history_screen_snapshot(seeded, make_app, snap_compare, fixed_clock):
    _history_of_changes(seeded)
    pin_times(seeded)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(120, 34))


def test_the_contact_detail_marks_undone_and_dropped_changes() -> None:
    from tagtui.app.screens.detail import describe_event
    from tagtui.store.types import Event

    def line(state: str) -> str:
        event = Event(1, "", "contact.status_changed", "contact", 1, {"before": None, "after": 2}, 7, state)
        return describe_event(event, {}, {2: "Won"}).plain

    assert line("done") == "status: no status → Won"
    assert line("undone") == "status: no status → Won  (undone)"
    assert line("dropped") == "status: no status → Won  (dropped)"
