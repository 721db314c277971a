"""The contacts screen asks the store for a page at a time, never more, while the person
scrolls and changes the filter; and it never asks a page for its count (counting is a
separate worker that typing does not wait for)."""

from __future__ import annotations

from tagtui.app.widgets import contact_table
from tagtui.app.widgets.contact_table import MAX_PAGES, ContactTable
from tagtui.query import EVERYTHING, parse
from tests.app.helpers import SIZE, record_list_contacts, settle, type_text


async def test_scrolling_and_filtering_ask_for_a_page_at_a_time(store, make_app, monkeypatch):
    page = 20
    monkeypatch.setattr(contact_table, "PAGE_SIZE", page)
    monkeypatch.setattr(contact_table, "NEAR", 5)
    vip = store.create_tag("VIP").id
    store.create_tag("Partner")
    total = page * (MAX_PAGES + 3) + 3
    for i in range(total):
        store.add_contact(f"Person {i:04d}", tags=[vip] if i % 2 else [])
    asked = record_list_contacts(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ContactTable)
        for _ in range(total // 25 + 3):
            await pilot.press("pagedown")
            await settle(pilot)
        assert table.current is not None and table.current.name == f"Person {total - 1:04d}"
        # Filter changes, typed: the first page of each, one page.
        await pilot.press("slash")
        await type_text(pilot, "tag:vip")
        await settle(pilot, typed=True)
        assert table.filter == parse("tag:vip")
        assert table.row_count == page
        assert all("VIP" in [t.name for t in r.tags] for r in table.rows_in_window)
        app.screen.set_query("-tag:vip")  # as the side panel and saved views do
        await settle(pilot)
        assert table.filter == parse("-tag:vip")
        table.focus()
        for _ in range(4):
            await pilot.press("pagedown")
            await settle(pilot)
        assert table.row_count <= MAX_PAGES * page
    assert len(asked) >= MAX_PAGES + 4
    assert max(a["limit"] for a in asked) <= page, sorted({a["limit"] for a in asked})
    assert not any(a.get("with_total", True) for a in asked), "a page asked for its count"
    queried = {a["query"] for a in asked}
    assert {EVERYTHING, parse("tag:vip"), parse("-tag:vip")} <= queried
