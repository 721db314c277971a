"""The Duplicates screen: groups best first, values chosen by keys, staged merge, not duplicates, undo."""

from __future__ import annotations

from textual.widgets import DataTable, Label, Static
from textual.widgets.data_table import ColumnKey

from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.duplicates import DuplicatesScreen
from tagtui.store import NotFound, Store
from tests.app.helpers import SIZE, settle


def plant(store: Store) -> tuple[int, int, int]:
    """Two contacts that are Ada (one phone written two ways), and a second Grace at the same company."""
    store.update_settings(phone_region="GB")
    ada = store.get_contact("ada@example.com")
    store.update_contact(ada.id, phone="+44 20 7946 0958")
    twin = store.add_contact(
        "Lovelace, Ada",
        phone="020 7946 0958",
        company="Analytical Engines Ltd",
        assignee="Sam",
        tags=["Partner"],
    )
    grace = store.add_contact("G. Hopper", company="Navy")
    return ada.id, twin.id, grace.id


def compare_cell(app, field: str, column: int) -> str:
    table = app.screen.query_one("#dup-compare", DataTable)
    return str(table.get_row(field)[column])


async def open_duplicates(pilot) -> None:
    await settle(pilot)
    await pilot.press("D")
    await settle(pilot)


async def test_groups_compare_choose_and_merge_then_undo(seeded: Store, make_app) -> None:
    ada, twin, grace = plant(seeded)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_duplicates(pilot)
        screen = app.screen
        assert isinstance(screen, DuplicatesScreen)
        assert [g.ids for g in screen.groups] == [
            (ada, twin),
            (seeded.get_contact("grace@example.com").id, grace),
        ]
        status = str(screen.query_one("#dup-status", Label).render())
        assert "Group 1 of 2" in status and "same phone +442079460958" in status
        # Side by side: KEEP is the first; the names differ (highlighted), the kept one marked.
        assert compare_cell(app, "name", 1) == "✓ Ada Lovelace"
        assert compare_cell(app, "name", 2) == "Lovelace, Ada"
        assert compare_cell(app, "company", 1) == "✓ Analytical"
        # Choose the other contact's company: move to the company row, then ].
        table = screen.query_one("#dup-compare", DataTable)
        table.move_cursor(row=2)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert compare_cell(app, "company", 2) == "✓ Analytical Engines Ltd"
        # m shows the result first; nothing is merged yet.
        await pilot.press("m")
        await settle(pilot)
        preview = str(screen.query_one("#dup-preview", Static).render())
        assert "The merge would make" in preview and "Analytical Engines Ltd" in preview
        assert "kept in notes: Also company: Analytical" in preview
        assert seeded.get_contact(twin).name == "Lovelace, Ada"
        await pilot.press("y")
        await settle(pilot)
        merged = seeded.get_contact(ada)
        assert merged.company == "Analytical Engines Ltd" and merged.assignee == "Sam"
        assert sorted(t.name for t in merged.tags) == ["Partner", "VIP"]
        try:
            seeded.get_contact(twin)
            raise AssertionError("the other contact should be gone")
        except NotFound:
            pass
        assert [g.ids[1] for g in screen.groups] == [grace]
        # ctrl+z takes the merge back, and the scan shows the group again.
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert seeded.get_contact(twin).name == "Lovelace, Ada"
        assert seeded.get_contact(ada).company == "Analytical"
        assert app.screen.groups[0].ids == (ada, twin)


async def test_not_duplicates_and_keep_another(seeded: Store, make_app) -> None:
    ada, twin, grace = plant(seeded)
    assert ada != twin
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_duplicates(pilot)
        screen = app.screen
        assert isinstance(screen, DuplicatesScreen)
        await pilot.press("o")  # keep the other (second) contact instead
        await settle(pilot)
        columns = screen.query_one("#dup-compare", DataTable).columns
        assert str(columns[ColumnKey(str(twin))].label) == f"KEEP #{twin}"
        assert str(columns[ColumnKey(str(ada))].label) == f"#{ada}"
        await pilot.press("n")
        await settle(pilot)
        assert len(screen.groups) == 1 and grace in screen.groups[0].ids
        assert seeded.find_duplicates()[0].ids[1] == grace  # stored: never suggested again
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)


async def test_the_scan_can_be_cancelled(seeded: Store, make_app, monkeypatch) -> None:
    import tagtui.store.duplicates as duplicates

    plant(seeded)
    monkeypatch.setattr(duplicates, "BATCH", 1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = DuplicatesScreen()
        screen._cancel.set()  # the person pressed escape before the first batch was read

        def scan_cancelled_at_once() -> None:
            screen.scanning = True
            screen._scan(screen._cancel, screen.start_read("scan"))

        monkeypatch.setattr(screen, "rescan", scan_cancelled_at_once)
        await app.push_screen(screen)
        await settle(pilot)
        assert "cancelled" in str(screen.query_one("#dup-status", Label).render())
        assert screen.groups == []
        await pilot.press("r")
        await settle(pilot)


async def test_leaving_while_the_scan_runs(seeded: Store, make_app) -> None:
    plant(seeded)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("D", "1")  # away before the scan is done
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert not [n for n in app._notifications if n.severity == "error"]
        await pilot.press("D")  # and back: a new scan
        await settle(pilot)
        assert isinstance(app.screen, DuplicatesScreen) and len(app.screen.groups) == 2


async def test_a_scan_started_again_shows_only_the_newest_answer(seeded: Store, make_app) -> None:
    """An undo while a scan runs starts another (``reload``): the first scan, begun before the
    change and answering after the second, is not shown, and the screen stays 'scanning' until
    the newest answers."""
    import asyncio

    from tests.app.keys_burst import slow_next_call

    ada, twin, _ = plant(seeded)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        slow_next_call(seeded, "find_duplicates", 0.6, caller="_scan")
        await pilot.press("D")
        await pilot.pause(0.2)  # the first scan has read both groups and is slow to answer
        screen = app.screen
        assert isinstance(screen, DuplicatesScreen) and screen.scanning
        shown: list[int] = []
        scanned = screen._scanned

        def recorded(groups) -> None:  # type: ignore[no-untyped-def]
            scanned(groups)
            shown.append(len(screen.groups))

        screen._scanned = recorded  # type: ignore[method-assign]
        seeded.ignore_duplicates([ada, twin])
        screen.reload()  # as an undo does: a second scan, which answers first
        await pilot.pause(0.1)
        for _ in range(30):  # the first scan's answer comes 0.6 s after it read
            await asyncio.sleep(0.05)
            await pilot.pause()
        await settle(pilot)
        assert len(seeded.find_duplicates()) == 1
        assert shown == [1]
        assert not screen.scanning and len(screen.groups) == 1
