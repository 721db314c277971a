"""The UI on a database it can only read: the header says read-only, a change is refused
with one message, and the data is untouched."""

from __future__ import annotations

import pytest
from textual.widgets import Header

from tagtui.app.app import TagtuiApp
from tagtui.store import Store
from tests.app.helpers import SIZE, drawn, seed, settle
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(
    bool(PG_URL), reason="a read-only file is SQLite's (the test opens it with mode=ro)"
)


async def test_a_read_only_database_says_so_and_refuses_changes(tmp_path) -> None:
    path = str(tmp_path / "crm.db")
    with Store.open(path) as writable:
        seed(writable)
        writable.create_tag("Undoable")  # a step that ctrl+z would take back
    store = Store.open(f"sqlite:///{path}?mode=ro")
    try:
        assert store.read_only
        app = TagtuiApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.sub_title == "default · read-only"
            assert "read-only" in drawn(app.screen.query_one(Header).query_one("HeaderTitle"))
            await pilot.press("ctrl+z")
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            refused = [m for m in messages if "read-only" in m]
            assert len(refused) == 1, messages
            assert refused[0].startswith("cannot change") and "mode=ro" in refused[0]
            assert app.is_running
        assert sorted(t.name for t in store.list_tags()) == ["Cold", "Partner", "Undoable", "VIP"]
    finally:
        store.close()
