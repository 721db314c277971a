"""The contact detail screen: fields shown literally, tags toggled, status chosen, history in words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from textual.widgets import DataTable, Static

from tagtui.app.app import TagtuiApp
from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.detail import ContactDetailScreen, describe_event, format_when
from tagtui.store import Event, Store
from tests.app.helpers import cursor_to, go, plain, seed_standard, settle, type_text

SIZE = (140, 40)


@pytest.fixture
def app(store: Store, make_app: Callable[..., TagtuiApp]) -> TagtuiApp:
    seed_standard(store)
    return make_app()


def history(app: TagtuiApp) -> list[str]:
    table = app.screen.query_one("#detail-history", DataTable)
    return [plain(c) for c in table.get_column("change")]


def fields_text(app: TagtuiApp) -> str:
    static = app.screen.query_one("#detail-fields", Static)
    return "\n".join(line.text for line in static.render_lines(static.region.reset_offset))


async def open_first_contact(pilot, contact_id: int) -> None:  # type: ignore[no-untyped-def]
    """The contacts screen (home) has the cursor on the first contact: enter opens it."""
    await go(pilot, "enter")
    assert isinstance(pilot.app.screen, ContactDetailScreen)
    assert pilot.app.screen.contact_id == contact_id


async def test_toggle_tags_and_set_status_by_keys(app: TagtuiApp, store: Store) -> None:
    odd = store.create_tag("[red]x[/]", color="red")
    ann = store.add_contact(
        "Ann [b]Lee[/b]", email="ann@example.com", company="Acme", notes="first line\nsecond [i]line[/i]"
    )
    store.set_status(ann.id, "new")
    vip = store.get_tag("customer")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_first_contact(pilot, ann.id)
        assert app.screen.title == "Contact"
        text = fields_text(app)
        assert "Ann [b]Lee[/b]" in text
        assert "ann@example.com" in text
        assert "second [i]line[/i]" in text
        assert history(app)[:2] == ["status: no status → New", "created as Ann [b]Lee[/b]"]

        tags = app.screen.query_one("#detail-tags", DataTable)
        assert tags.has_focus
        await cursor_to(pilot, tags, str(vip.id))
        await go(pilot, "space")
        assert [t.id for t in store.get_contact(ann.id).tags] == [vip.id]
        assert plain(tags.get_row(str(vip.id))[0]) == "✓"
        assert history(app)[0] == "tags: +Customer"

        await cursor_to(pilot, tags, str(odd.id))
        await pilot.press("space", "enter")  # enter toggles too: on, then off again
        await settle(pilot)
        assert [t.id for t in store.get_contact(ann.id).tags] == [vip.id]
        assert history(app)[:2] == ["tags: −[red]x[/]", "tags: +[red]x[/]"]  # literal, newest first

        await go(pilot, "right_square_bracket")
        assert store.get_contact(ann.id).status == "Contacted"
        assert history(app)[0] == "status: New → Contacted"
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert store.get_contact(ann.id).status is None
        assert history(app)[0] == "status: New → no status"

        await go(pilot, "s")
        await type_text(pilot, "won")
        await go(pilot, "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        assert store.get_contact(ann.id).status == "Won"
        assert "● Won" in fields_text(app)

        await go(pilot, "e")  # the contact form
        assert type(app.screen).__name__ == "ContactForm"
        await go(pilot, "escape")
        assert isinstance(app.screen, ContactDetailScreen)

        # deleted meanwhile: the screen says so, and keys do nothing harmful
        store.delete_contacts([ann.id])
        await go(pilot, "r")
        assert "no longer exists" in fields_text(app)
        await go(pilot, "space")
        await go(pilot, "escape")
        assert isinstance(app.screen, ContactsScreen)


def _event(kind: str, **payload: object) -> Event:
    return Event(1, "2024-03-01T09:02:00.000000Z", kind, "contact", 1, dict(payload))


def test_history_lines_are_readable() -> None:
    tags = {1: "VIP", 2: "Cold Lead"}
    statuses = {5: "New", 6: "Qualified"}
    line = describe_event(_event("contact.tags_changed", added=[1], removed=[2], created=[]), tags, statuses)
    assert line.plain == "tags: +VIP −Cold Lead"
    line = describe_event(_event("contact.tags_changed", added=[9], removed=[]), tags, statuses)
    assert line.plain == "tags: +tag #9 (deleted)"
    assert describe_event(_event("contact.status_changed", before=5, after=6), tags, statuses).plain == (
        "status: New → Qualified"
    )
    assert describe_event(_event("contact.status_changed", before=None, after=7), tags, statuses).plain == (
        "status: no status → status #7 (deleted)"
    )
    line = describe_event(
        _event(
            "contact.updated", before={"name": "Ann", "email": None}, after={"name": "Anna", "email": "a@b"}
        ),
        tags,
        statuses,
    )
    assert line.plain == "name: Ann → Anna · email: — → a@b"


def test_times_are_short_today_and_dated_before() -> None:
    at = "2024-03-01T09:02:00.000000Z"
    local = datetime.fromisoformat("2024-03-01T09:02:00+00:00").astimezone()
    assert format_when(at, today=local) == local.strftime("%H:%M")
    assert format_when(at, today=local.replace(year=2025)) == local.strftime("%Y-%m-%d %H:%M")
    # Short (narrow columns): the day of this year without the year, an older day without the time.
    assert format_when(at, today=local, short=True) == local.strftime("%H:%M")
    later = local.replace(month=12, day=31) if local.month < 12 else local.replace(month=1, day=1)
    assert format_when(at, today=later, short=True) == local.strftime("%b %d %H:%M")
    assert format_when(at, today=local.replace(year=2025), short=True) == local.strftime("%Y-%m-%d")
