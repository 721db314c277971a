"""The UI's side of trust: bad input shown inline with nothing saved, stale edits explained
with a reload offered, and changes made by another process shown without a key press."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label

from tagtui.app.app import TagtuiApp
from tagtui.app.screens.contact_form import ContactForm
from tagtui.app.screens.contacts import ContactsScreen
from tagtui.app.screens.tag_form import TagForm
from tagtui.app.screens.tags import TagsScreen
from tagtui.app.widgets.contact_table import ContactTable
from tagtui.store import Store
from tests.app.helpers import SIZE, column_texts, plain, settle
from tests.helpers import dump


def _names(app: TagtuiApp) -> list[str]:
    table = app.screen.query_one(ContactTable)
    return [plain(c) for c in table.get_column("name")]


def _shown(label: Label) -> str:
    return plain(label.render()) if label.has_class("-shown") else ""


async def _tags_table(pilot: Pilot) -> DataTable:
    """Go to the Tags screen (key 2); its table."""
    await pilot.press("2")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TagsScreen)
    return pilot.app.screen.query_one("#tags-table", DataTable)


# -- bad input, inline --------------------------------------------------------------------


async def _save_fails_inline(
    store: Store,
    app: TagtuiApp,
    keys: tuple[str, ...],
    form_type: type,
    inputs: dict[str, str],
    error: str,
    needle: str,
    case: str,
) -> None:
    """Open a form with ``keys``, fill ``inputs`` and save: the form stays open, its ``error``
    label says ``needle``, and not one row of the database changed."""
    before = dump(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        form = app.screen
        assert isinstance(form, form_type)
        for selector, value in inputs.items():
            form.query_one(selector, Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still open, showing why
        message = _shown(form.query_one(error, Label))
        assert message and needle in message, (case, message)
    assert dump(store) == before


TAG_FORM_CASES = [
    ("bad hex", "Prospect", "#12345", "color", "invalid color"),
    ("named color not in the palette", "Prospect", "crimson", "color", "invalid color"),
    ("duplicate name", "vip", "", "name", "already"),
    ("name 101 characters", "x" * 101, "", "name", "100"),
    ("name of invisible characters", "\u200b\ufe0f", "", "name", "invisible"),
]


@pytest.mark.parametrize(
    ("case", "name", "color", "field", "needle"), TAG_FORM_CASES, ids=[c[0] for c in TAG_FORM_CASES]
)
async def test_the_tag_form_shows_bad_input_inline_and_saves_nothing(
    seeded: Store,
    make_app: Callable[..., TagtuiApp],
    case: str,
    name: str,
    color: str,
    field: str,
    needle: str,
) -> None:
    inputs = {"#name": name, "#color": color}
    await _save_fails_inline(seeded, make_app(), ("2", "n"), TagForm, inputs, f"#{field}-error", needle, case)


QUERY_CASES = [("tag:", 4), ("tag:vip and (", 12), ('tag:"vip', 4), ("nosuch:3", 0)]


@pytest.mark.parametrize(("query", "position"), QUERY_CASES)
async def test_a_malformed_query_shows_its_position_inline(
    seeded: Store, make_app: Callable[..., TagtuiApp], query: str, position: int
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*query)
        await settle(pilot, typed=True)
        error = app.screen.query_one("#query-error")
        await _until(pilot, lambda: error.has_class("-shown"), what=lambda: error.render())
        text = str(error.render())
        assert f"position {position}" in text, text
        assert "^" in text
        assert len(_names(app)) == 10  # the last good rows stay


CONTACT_FORM_CASES = [
    ("blank name", {"name": "   "}, "name", ""),
    ("negative followers", {"name": "Zed", "followers": "-1"}, "followers", ""),
    ("followers not a number", {"name": "Zed", "followers": "many"}, "followers", ""),
    ("followers past 2^63", {"name": "Zed", "followers": str(2**63)}, "followers", ""),
    ("duplicate email", {"name": "Zed", "email": "GRACE@example.com"}, "email", "already"),
    ("name 201 characters", {"name": "z" * 201}, "name", "200"),
]


@pytest.mark.parametrize(
    ("case", "values", "field", "needle"), CONTACT_FORM_CASES, ids=[c[0] for c in CONTACT_FORM_CASES]
)
async def test_the_contact_form_shows_bad_input_inline_and_saves_nothing(
    seeded: Store,
    make_app: Callable[..., TagtuiApp],
    case: str,
    values: dict[str, str],
    field: str,
    needle: str,
) -> None:
    inputs = {f"#field-{key}": value for key, value in values.items()}
    await _save_fails_inline(seeded, make_app(), ("n",), ContactForm, inputs, f"#error-{field}", needle, case)


# -- stale edits ----------------------------------------------------------------------------


async def test_a_stale_contact_edit_is_explained_and_can_be_reloaded(
    seeded: Store, db_url: str, make_app: Callable[..., TagtuiApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")  # Ada Lovelace, the first row
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        assert form.query_one("#field-name", Input).value == "Ada Lovelace"
        # Meanwhile, another terminal renames her.
        with Store.open(db_url) as other:
            other.update_contact("ada@example.com", name="Ada King")
        form.query_one("#field-company", Input).value = "Analytical Engines"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        message = _shown(form.query_one("#error-form", Label))
        assert "changed since you read it" in message and "ctrl+r" in message, message
        contact = seeded.get_contact("ada@example.com")
        assert (contact.name, contact.company) == ("Ada King", "Analytical")  # not overwritten

        await pilot.press("ctrl+r")
        await settle(pilot)
        assert form.query_one("#field-name", Input).value == "Ada King"
        assert form.query_one("#field-company", Input).value == "Analytical"
        assert "Reloaded" in _shown(form.query_one("#error-form", Label))
        form.query_one("#field-company", Input).value = "Analytical Engines"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
    contact = seeded.get_contact("ada@example.com")
    assert (contact.name, contact.company) == ("Ada King", "Analytical Engines")


async def test_a_stale_tag_edit_is_explained_and_can_be_reloaded(
    seeded: Store, db_url: str, make_app: Callable[..., TagtuiApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = await _tags_table(pilot)
        while plain(table.get_row_at(table.cursor_row)[2]) != "Cold":
            await pilot.press("down")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TagForm)
        with Store.open(db_url) as other:
            other.update_tag("cold", color="teal")
        form.query_one("#description", Input).value = "not now"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "ctrl+r" in _shown(form.query_one("#form-error", Label))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert form.query_one("#color", Input).value == "teal"
    tag = seeded.get_tag("cold")
    assert (tag.color, tag.description) == ("#14b8a6", None)


# -- changes by other processes -------------------------------------------------------------


async def _until(
    pilot: Pilot, check: Callable[[], bool], seconds: float = 4.0, what: Callable[[], object] = lambda: ""
) -> float:
    """Wait (without pressing a key) until ``check()`` holds; how long it took.

    The app looks once a second; ~1–1.5 s is usual, the margin is for a loaded 2-core machine.
    """
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < seconds, f"the screen did not follow the change: {what()}"
        await pilot.pause(0.05)
    return time.monotonic() - start


async def test_the_contacts_screen_shows_another_process_change_without_a_key(
    seeded: Store, db_url: str, make_app: Callable[..., TagtuiApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Zora Neale" not in _names(app)
        with Store.open(db_url) as other:
            other.add_contact("Zora Neale", email="zora@example.com")
            other.change_tags("ada@example.com", add=["partner"])
        count = app.screen.query_one("#count")
        await _until(pilot, lambda: "Zora Neale" in _names(app), what=lambda: _names(app))
        await _until(pilot, lambda: str(count.render()) == "11 contacts", what=lambda: count.render())
        assert isinstance(app.screen, ContactsScreen)


async def test_the_tags_screen_shows_another_process_change_without_a_key(
    seeded: Store, db_url: str, make_app: Callable[..., TagtuiApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = await _tags_table(pilot)
        with Store.open(db_url) as other:
            other.create_tag("Made Elsewhere")
        await _until(pilot, lambda: "Made Elsewhere" in column_texts(table, "name"))
