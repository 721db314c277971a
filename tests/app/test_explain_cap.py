"""The explain line of a query of more than 20 clauses says how many were not explained."""

from __future__ import annotations

from textual.widgets import Static

from tests.app.helpers import SIZE, drawn, settle


async def test_the_explain_line_names_the_clauses_not_explained(seeded, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(400, SIZE[1])) as pilot:
        await settle(pilot)
        query = " ".join(["-tag:cold"] * 23)
        app.show_query(query)
        await settle(pilot, typed=True)
        line = drawn(app.screen.query_one("#explain", Static))
        assert line.count("-tag:cold") == 20, line
        assert "→ 3 more clauses not explained" in line
