"""Hostile text: stored exactly as given, shown literally everywhere, never sent to the terminal.

Names, companies, notes, tag and status names carry Rich markup, ANSI and OSC escapes,
C0/C1 controls, a right-to-left override, emoji and combining characters, some at their
length limits. The store keeps them byte for byte; every CLI table prints them with
visible placeholders (its raw bytes hold no ESC, BEL or C1 control); every screen shows
the markup as its characters.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tagtui.app.app import TagtuiApp
from tagtui.app.screens.board import BoardScreen
from tagtui.app.screens.tags import TagsScreen
from tagtui.store import Store
from tests.app.helpers import settle
from tests.cli.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]

MARKUP = "[bold red]Mallory[/]"
LINK = "[link=https://evil.example]click[/link]"
SGR = "\x1b[31mred\x1b[0m"
OSC_TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"  # the 8-bit CSI
RTL = "abc\u202edcba"
EMOJI = "🦄 👩‍👩‍👧"
#: Combining marks with no precomposed form, so NFC (how names are stored, SPEC §7) keeps them.
COMBINING = "q\u0307 x\u0301"

CONTACT_NAME = f"{MARKUP} {SGR}{OSC_TITLE}{CLEAR} x{C1_CSI} {RTL} {EMOJI} {COMBINING}"
COMPANY = f"{LINK}\x08\x7f\x01 Acme"  # (NUL is refused: PostgreSQL cannot store it)
NOTES = f"line one {SGR}\nline two {OSC_TITLE}\r\n{MARKUP}"
TAG_NAME = f"[i]Tag[/i] \x1b[5mblink {EMOJI}"
STATUS_NAME = f"[reverse]Stage[/] {OSC_TITLE}"

#: The bytes that must never reach a terminal from a table: ESC, BEL, backspace, DEL, NUL,
#: the C1 controls (UTF-8 \xc2\x80 – \xc2\x9f) and the right-to-left override.
FORBIDDEN = [b"\x1b", b"\x07", b"\x08", b"\x7f", b"\x00", b"\xe2\x80\xae"] + [
    bytes([0xC2, c]) for c in range(0x80, 0xA0)
]


@pytest.fixture
def hostile(store: Store) -> Store:
    tag = store.create_tag(TAG_NAME, description=f"{MARKUP}{SGR}")
    status = store.create_status(STATUS_NAME)
    store.add_contact(
        CONTACT_NAME,
        email="mallory@example.com",
        company=COMPANY,
        assignee=f"{MARKUP}\x1b[1m",
        notes=NOTES,
        tags=[tag.id],
        status=status.id,
    )
    store.add_contact("N" * 199 + "\u202e", email="long@example.com", notes="\x1b" * 10_000)
    store.create_tag("t" * 99 + "\x07")
    store.save_view(f"{MARKUP}\x1b[31m", "mallory")
    return store


def test_hostile_text_is_stored_exactly_as_given(hostile: Store) -> None:
    contact = hostile.get_contact("mallory@example.com")
    assert (contact.name, contact.company, contact.notes) == (CONTACT_NAME, COMPANY, NOTES)
    assert contact.assignee == f"{MARKUP}\x1b[1m"
    assert [t.name for t in contact.tags] == [TAG_NAME]
    assert hostile.get_status(contact.status_id).name == STATUS_NAME
    long = hostile.get_contact("long@example.com")
    assert (len(long.name), long.name[-1], long.notes) == (200, "\u202e", "\x1b" * 10_000)
    assert any(t.name == "t" * 99 + "\x07" for t in hostile.list_tags())


def _assert_safe(raw: bytes) -> None:
    for bad in FORBIDDEN:
        assert bad not in raw, (bad, raw[max(0, raw.find(bad) - 40) : raw.find(bad) + 40])


TABLES = [
    ("contacts", "list"),
    ("contacts", "show", "mallory@example.com"),
    ("contacts", "show", "long@example.com"),
    ("tags", "list"),
    ("tags", "show", "i-tag-i-5mblink"),
    ("tags", "contacts", "i-tag-i-5mblink"),
    ("statuses", "list"),
    ("views", "list"),
    ("history",),
    ("contacts", "explain", "--query", "mallory"),
]


@pytest.mark.parametrize("argv", TABLES, ids=[" ".join(a) for a in TABLES])
def test_every_cli_table_shows_it_literally(hostile: Store, cli: Cli, argv: tuple[str, ...]) -> None:
    result = cli(*argv)
    assert result.code == 0, result.err
    _assert_safe(result.out.encode())
    _assert_safe(result.err.encode())
    out = result.out
    if argv[:2] in (("contacts", "list"), ("contacts", "show")) and argv[-1] != "long@example.com":
        assert "[bold red]Mallory[/]" in out and "␛[31mred" in out
    if argv[:2] == ("contacts", "show") and argv[-1] == "mallory@example.com":
        assert "␛]0;pwned␇" in out and "<U+202E>" in out and "<U+009B>" in out
        assert "🦄" in out and "x\u0301" in out  # emoji and combining characters are kept
        assert "[link=https://evil.example]click[/link]" in out
    if argv[0] == "tags" and argv[1] != "contacts":
        assert "[i]Tag[/i] ␛[5mblink" in out


def test_json_carries_the_exact_text(hostile: Store, cli: Cli) -> None:
    result = cli("contacts", "show", "mallory@example.com", "--json")
    _assert_safe(result.out.encode().replace(b"\xc2\x9b", b""))  # C1 is data inside a JSON string
    data = json.loads(result.out)
    assert (data["name"], data["company"], data["notes"]) == (CONTACT_NAME, COMPANY, NOTES)


def test_a_real_terminal_process_receives_no_escape_bytes(hostile: Store, db_url: str) -> None:
    for argv in (("contacts", "list"), ("contacts", "show", "mallory@example.com"), ("tags", "list")):
        done = subprocess.run(
            [sys.executable, "-m", "tagtui", "--db", db_url, *argv],
            cwd=ROOT, capture_output=True, timeout=30, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        _assert_safe(done.stdout)
        assert b"[bold red]Mallory[/]" in done.stdout or argv[0] == "tags"


def test_error_messages_show_hostile_references_literally(hostile: Store, cli: Cli) -> None:
    result = cli("tags", "show", f"{OSC_TITLE}{MARKUP}")
    assert result.code == 3
    _assert_safe(result.err.encode())
    assert "[bold red]Mallory[/]" in result.err


# -- the screens ----------------------------------------------------------------------------

SIZE = (220, 50)


def screen_text(app: TagtuiApp) -> str:
    """Everything the screen shows, as the characters drawn."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _assert_literal(text: str, *fragments: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "\x9b" not in text
    for fragment in fragments:
        assert fragment in text, (fragment, text)


async def test_every_screen_shows_it_literally(hostile: Store, make_app: Callable[..., TagtuiApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(50):  # the rows are painted after the panel: wait for them
            if "␛[31m" in screen_text(app):
                break
            await pilot.pause(0.1)
        # Contacts: the table (names, tags, status) and the panel (tags, statuses). The name
        # column is cut at its width, so only the start of the escape is asserted here.
        _assert_literal(screen_text(app), "[bold red]Mallory[/]", "␛[31m", "[i]Tag[/i]", "[reverse]St")
        # Detail: every field, the notes, the tags and the history.
        await pilot.press("down")  # "N…" sorts before "[": go to Mallory's row
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        if "[bold red]Mallory[/]" not in text:  # the long name sorted first after all
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("up", "enter")
            await settle(pilot)
            text = screen_text(app)
        _assert_literal(text, "[bold red]Mallory[/]", "␛]0;pwned␇", "[link=https://evil.example]click[/link]")
        _assert_literal(text, "[i]Tag[/i]", "[reverse]Stage[/]", "line one ␛[31mred")
        await pilot.press("escape")
        await settle(pilot)
        # Triage over every contact.
        await pilot.press("g")
        await settle(pilot)
        text = screen_text(app)
        _assert_literal(text, "[i]Tag[/i]")
        await pilot.press("escape")
        await settle(pilot)
        # The tags palette.
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, TagsScreen)
        _assert_literal(screen_text(app), "[i]Tag[/i] ␛[5mblink", "[bold red]Mallory[/]␛[31mred", "t" * 20)
        # The statuses and the board.
        await pilot.press("3")
        await settle(pilot)
        _assert_literal(screen_text(app), "[reverse]Stage[/] ␛]0;pwned␇")
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        _assert_literal(screen_text(app), "[reverse]Stage[/]", "[bold red]Mallory")
