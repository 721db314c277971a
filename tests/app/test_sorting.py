"""Sorting the Contacts table (issue 12.6): by a key and by a click on a column's label, both
ways, with an arrow in the header; the pages that load as the cursor moves keep the store's
order exactly; a saved view keeps its sort."""

from __future__ import annotations

from textual.widgets import Input

from tagtui.app.widgets import contact_table
from tagtui.app.widgets.contact_table import MAX_PAGES, ContactTable
from tagtui.query import EVERYTHING
from tagtui.store import Store
from tagtui.store.sorting import Sort
from tests.app.helpers import drawn, settle, type_text

WIDE = (160, 40)
PAGE = 20


def fill(store: Store, n: int = PAGE * (MAX_PAGES + 1) + 7) -> None:
    for i in range(n):
        store.add_contact(
            f"Person {i % 9}",  # names repeat: ties broken by id
            email=None if i % 6 == 0 else f"z{(i * 31) % n:03d}@example.com",  # 31 and n share no factor
            followers=(i * 7) % 5,
        )


def store_order(store: Store, sort: Sort) -> list[int]:
    page = store.list_contacts(EVERYTHING, limit=1000, sort=sort, with_total=False)
    return [r.id for r in page.rows]


def label_x(table: ContactTable, key: str) -> int:
    """Where column ``key``'s label starts in the header."""
    x = 0
    for shown, column in table.columns.items():
        if shown == key:
            return x + 1
        x += column.render_width
    raise KeyError(key)


def window_matches(table: ContactTable, order: list[int]) -> None:
    """The rows in the table are the store's, at the place the position line says."""
    start = table.position - 1 - table.cursor_row
    assert [r.id for r in table.rows_in_window] == order[start : start + table.row_count]
    assert table.current is not None and table.current.id == order[table.position - 1]


async def test_sort_by_a_key_and_page_down_in_the_stores_order(store, make_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(contact_table, "PAGE_SIZE", PAGE)
    monkeypatch.setattr(contact_table, "NEAR", 5)
    fill(store)
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        await pilot.press("b")  # the next column after the name: email
        await settle(pilot)
        assert table.sort == Sort("email")
        assert "Email ▲" in drawn(table).splitlines()[0]
        order = store_order(store, Sort("email"))
        window_matches(table, order)
        # Page down past the first pages: each page that loads continues the order exactly.
        for _ in range(len(order) // 30 + 3):
            await pilot.press("pagedown")
            await settle(pilot)
            window_matches(table, order)
        assert table.position == len(order)
        await pilot.press("pageup", "pageup", "pageup")
        await settle(pilot)
        window_matches(table, order)
        # O turns the order round.
        await pilot.press("B")
        await settle(pilot)
        assert table.sort == Sort("email", True)
        assert "Email ▼" in drawn(table).splitlines()[0]
        window_matches(table, store_order(store, Sort("email", True)))


async def test_a_click_on_a_label_sorts_by_it_then_reverses(store, make_app) -> None:  # type: ignore[no-untyped-def]
    fill(store, 30)
    for tag in ("Beta", "alpha", "VIP"):
        store.create_tag(tag)
    sets = [["VIP"], [], ["alpha", "Beta"], ["Beta"], ["alpha"]]
    for i, row in enumerate(store_order(store, Sort("name"))):
        store.change_tags(row, add=sets[i % len(sets)])
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        await pilot.click(ContactTable, offset=(label_x(table, "followers"), 0))
        await settle(pilot)
        assert table.sort == Sort("followers")
        window_matches(table, store_order(store, Sort("followers")))
        followers = [r.followers for r in table.rows_in_window]
        assert followers == sorted(followers)
        header = drawn(table).splitlines()[0]
        # The arrow is in the sorted column (its label cut to make room when narrow).
        assert header.count("▲") == 1 and header.index("▲") > header.index("Assignee")
        await pilot.click(ContactTable, offset=(label_x(table, "followers"), 0))
        await settle(pilot)
        assert table.sort == Sort("followers", True)
        window_matches(table, store_order(store, Sort("followers", True)))
        assert "▼" in drawn(table).splitlines()[0]
        # The tags column sorts by the tag names it shows.
        await pilot.click(ContactTable, offset=(label_x(table, "tags"), 0))
        await settle(pilot)
        assert table.sort == Sort("tags")
        window_matches(table, store_order(store, Sort("tags")))
        assert "Tags ▲" in drawn(table).splitlines()[0]
        shown = [[t.name for t in r.tags] for r in table.rows_in_window]
        assert shown[:3] == [["alpha"]] * 3 and shown[-1] == []


async def test_a_saved_view_keeps_the_sort(store, make_app) -> None:  # type: ignore[no-untyped-def]
    fill(store, 30)
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        await pilot.press("B")  # by name, Z to A
        await settle(pilot)
        await pilot.press("v")
        await type_text(pilot, "backwards")
        await pilot.press("enter")
        await settle(pilot)
        assert [(v.name, v.sort) for v in store.list_views()] == [("backwards", "name:desc")]
        # Back to A to Z, then the view brings its order back.
        await pilot.press("B")
        await settle(pilot)
        assert table.sort == Sort("name")
        await pilot.press("V")
        await settle(pilot)
        await pilot.press("b", "enter")
        await settle(pilot, typed=True)
        assert app.screen.query_one("#query", Input).value == ""
        assert table.sort == Sort("name", True)
        window_matches(table, store_order(store, Sort("name", True)))
    # A view saved from the command line restores its sort too.
    store.save_view("most followed", "", "followers:desc")
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        await pilot.press("V")
        await settle(pilot)
        await pilot.press("m", "enter")
        await settle(pilot, typed=True)
        assert table.sort == Sort("followers", True)
        window_matches(table, store_order(store, Sort("followers", True)))


async def test_triage_walks_and_counts_in_the_tables_order(store, make_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tagtui.app.screens import triage
    from tagtui.app.screens.triage import TriageScreen
    from tagtui.query import parse

    # The triage reads 50 contacts at a time; 10 walks past a read the same way in 24 steps, not 120.
    BATCH = 10
    monkeypatch.setattr(triage, "BATCH", BATCH)
    fill(store, 3 * BATCH)
    query = "followers>=1"
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, query)
        await settle(pilot, typed=True)
        await pilot.press("escape")
        table = app.screen.query_one(ContactTable)
        table.focus()
        await pilot.press("b", "B")  # by email, Z to A: blanks last, two segments of the store
        await settle(pilot)
        assert table.sort == Sort("email", True)
        page = store.list_contacts(parse(query), limit=1000, sort=Sort("email", True), with_total=False)
        order = [r.id for r in page.rows]
        total = len(order)
        assert BATCH + 10 < total < 3 * BATCH  # more than one page of the triage's reads
        await pilot.press("down", "down", "down")
        await settle(pilot)
        assert table.current is not None and table.current.id == order[3]
        await pilot.press("g")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TriageScreen)

        def at() -> tuple[int | None, str]:
            shown = str(screen.query_one("#triage-counter").render()).strip()
            return (screen.contact.id if screen.contact else None), shown

        assert at() == (order[3], f"4 / {total}")
        # Each step is the next contact of the table's order, past the triage's first read.
        for i in range(4, total):
            await pilot.press("right")
            await settle(pilot)
            assert at() == (order[i], f"{i + 1} / {total}")
        await pilot.press("right")
        await settle(pilot)
        assert at() == (None, f"done · {total}")
        # Back goes over the same contacts the other way.
        await pilot.press("left", "left")
        await settle(pilot)
        assert at() == (order[total - 2], f"{total - 1} / {total}")
