"""The explain line under the query bar, the board's funnel and the Tag insight screen (Pilot)."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from tagtui.app.screens.board import BoardScreen, funnel_text
from tagtui.app.screens.insight import InsightScreen
from tagtui.store import Store
from tests.app.helpers import SIZE, drawn, open_tag_insight, settle, table_rows, type_text


async def _query(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash")
    await type_text(pilot, text)
    await settle(pilot, typed=True)


async def test_explain_line_shows_running_counts(seeded: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = app.screen.query_one("#explain", Static)
        assert not line.display  # no query: nothing to explain

        await _query(pilot, "tag:vip -tag:cold status:won")
        assert line.display
        assert drawn(line).strip() == "tag:vip 4 → -tag:cold 4 → status:won 1"

        # One clause: the count row says it all, the line goes.
        await pilot.press("ctrl+u")
        await type_text(pilot, "tag:vip")
        await settle(pilot, typed=True)
        assert not line.display


async def test_explain_line_highlights_the_clause_that_empties_the_list(seeded: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _query(pilot, "tag:vip tag:cold status:new")
        line = app.screen.query_one("#explain", Static)
        assert drawn(line).strip() == "tag:vip 4 → tag:cold 0 (2 alone) → status:new 0"
        rendered = line.render()
        spans = [(rendered.plain[s.start : s.end], str(s.style)) for s in rendered.spans]
        assert any(text == "tag:cold" and "red" in style and "bold" in style for text, style in spans)

        # A query that does not parse hides the line (the error shows instead).
        await type_text(pilot, " (")
        await settle(pilot, typed=True)
        assert not line.display


async def test_board_funnel(seeded: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        panel = board.query_one("#funnel", Static)
        assert not panel.display
        await pilot.press("i")
        await settle(pilot)
        assert panel.display
        lines = [line.strip() for line in drawn(panel).splitlines()]
        assert lines[0].split() == ["Stage", "Contacts", "Conversion"]
        # New 2, Qualified 2, Won 1, no status 5: 3 of the 5 at New or later went on, 1 of 3 after.
        assert lines[1].startswith("New        " + "█" * 16 + " ")
        assert lines[1].endswith("2  → 60.0%")
        assert lines[2].endswith("2  → 33.3%")
        assert lines[3].startswith("Won        " + "█" * 8 + " ") and lines[3].endswith(" 1")
        assert lines[4].startswith("No status  " + "█" * 40) and lines[4].endswith(" 5")

        # Moving a card updates the funnel: Alan (New) to Qualified.
        await pilot.press("shift+right")
        await settle(pilot)
        lines = [line.strip() for line in drawn(panel).splitlines()]
        assert lines[1].endswith("1  → 80.0%") and lines[2].endswith("3  → 25.0%")
        assert seeded.count_contacts(__import__("tagtui.query").query.parse("status:qualified")) == 3

        await pilot.press("i")
        await settle(pilot)
        assert not panel.display


def test_funnel_text_of_an_empty_pipeline() -> None:
    from tagtui.store.insight import FunnelStage

    text = funnel_text([FunnelStage(None, None, None, 0, None)]).plain.splitlines()
    assert text[1].split() == ["No", "status", "0"]


async def test_tag_insight_screen(seeded: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_tag_insight(pilot)
        assert str(screen.query_one("#insight-scope").render()).strip() == "Among all 10 contacts"
        matrix = drawn(screen.query_one("#insight-matrix")).splitlines()
        assert matrix[0].split() == ["VIP", "Partner", "Cold"]
        assert matrix[1].split() == ["⭐", "VIP", "4", "1", "·"]
        assert matrix[2].split() == ["Partner", "1", "3", "1"]
        assert matrix[3].split() == ["Cold", "·", "1", "2"]
        pairs = screen.query_one("#insight-pairs", DataTable)
        assert table_rows(pairs) == [["Cold", "Partner", "1", "50%"], ["Partner", "⭐ VIP", "1", "33%"]]
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, InsightScreen)


async def test_tag_insight_follows_the_current_filter(seeded: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _query(pilot, "tag:partner")
        await pilot.press("enter")
        await settle(pilot)
        screen = await open_tag_insight(pilot)
        scope = str(screen.query_one("#insight-scope").render()).strip()
        assert scope == "Among the 3 contacts matching tag:partner"
        matrix = drawn(screen.query_one("#insight-matrix")).splitlines()
        assert matrix[0].split() == ["Partner", "Cold", "VIP"]
        assert matrix[1].split() == ["Partner", "3", "1", "1"]


async def test_tag_insight_is_in_the_palette_and_help(seeded: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    from tagtui.app.commands import TagtuiCommands
    from tagtui.app.keymap import groups

    titles = [g.title for g in groups()]
    assert "Tag insight" in titles
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        provider = TagtuiCommands(app.screen)
        texts = [c.text for c in provider._commands()]
        assert "Tags: Tag insight" in texts and "Board: Funnel" in texts


async def test_tag_insight_of_contacts_without_tags(seeded: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _query(pilot, "tag:none")
        await pilot.press("enter")
        await settle(pilot)
        screen = await open_tag_insight(pilot)
        assert drawn(screen.query_one("#insight-matrix")).strip() == "No contact of this selection has a tag."
        title = str(screen.query_one("#insight-pairs-title").render()).strip()
        assert title == "Pairs: no two tags are on one contact here"
        assert screen.query_one("#insight-pairs", DataTable).row_count == 0
