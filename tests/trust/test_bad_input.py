# ruff: noqa: E501  (the matrices read best one case a line)
"""The bad-input matrix: every bad input gets a clear message and changes nothing.

Store cases raise the right error class (SPEC §2); CLI cases exit with its code and print
one line on stderr, no traceback (SPEC §5); UI cases show the message inline. After each,
every row of every table is as before, and on SQLite the file's bytes are too.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tagtui.query.parse import parse
from tagtui.store import Conflict, NotFound, Store, TagtuiError, ValidationError
from tests.cli.conftest import Cli, assert_one_error_line
from tests.trust.conftest import checkpoint, dump, file_bytes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(store: Store, db_url: str) -> Iterator[dict[str, Any]]:
    """A workspace with tags, statuses and contacts, a second workspace, and tight limits."""
    vip = store.create_tag("VIP", color="amber")
    store.create_tag("Partner")
    store.create_tag("Cold")
    store.create_status("New")
    store.create_status("Won")
    jane = store.add_contact("Jane Doe", email="jane@example.com", tags=["VIP", "Partner"])
    store.add_contact("John Roe", email="john@example.com")
    store.add_contact("Ann Poe", email="ann@example.com")
    store.add_contact("Bob Loe", email="bob@example.com")
    store.update_settings(max_tags_per_contact=2, bulk_limit=3)
    store.save_view("hot", "tag:vip")
    # Kept open to the end: closing a second connection of this process to the file lets
    # another process checkpoint the WAL on its way out, which would change the file's bytes.
    other = Store.open(db_url, workspace="other")
    foreign_tag = other.create_tag("Foreign")
    foreign_status = other.create_status("Elsewhere")
    foreign_contact = other.add_contact("Stranger", email="stranger@example.com")
    yield {
        "vip": vip,
        "jane": jane,
        "foreign_tag": foreign_tag.id,
        "foreign_status": foreign_status.id,
        "foreign_contact": foreign_contact.id,
    }
    other.close()


def _unchanged(store: Store, db_url: str, action: Callable[[], Any]) -> Any:
    checkpoint(store)
    rows, raw = dump(store), file_bytes(db_url)
    result = action()
    assert dump(store) == rows, "the database changed"
    if raw is not None:
        assert file_bytes(db_url) == raw, "the database file's bytes changed"
    return result


# -- the store ------------------------------------------------------------------------------

TOO_LONG_EMAIL = "x" * 243 + "@example.com"  # 255 characters

STORE_CASES: list[tuple[str, type[TagtuiError], str, Callable[[Store, dict[str, Any]], Any]]] = [
    ("tag name blank", ValidationError, "name", lambda s, w: s.create_tag("   ")),
    ("tag name empty", ValidationError, "name", lambda s, w: s.create_tag("")),
    ("tag name 101 chars", ValidationError, "100", lambda s, w: s.create_tag("x" * 101)),
    # SPEC §7: "⭐" is a tag with a readable slug now; a name of invisible characters is not.
    ("tag name of invisible characters", ValidationError, "", lambda s, w: s.create_tag("\u200b\u200b")),
    ("tag name not text", ValidationError, "", lambda s, w: s.create_tag(42)),  # type: ignore[arg-type]
    ("tag duplicate slug", Conflict, "", lambda s, w: s.create_tag("vip")),
    ("tag rename onto a taken slug", Conflict, "", lambda s, w: s.update_tag("vip", name="Partner")),
    ("tag stale rev", Conflict, "rev", lambda s, w: s.update_tag("vip", color="red", rev=99)),
    ("color bad hex", ValidationError, "#rrggbb", lambda s, w: s.create_tag("X", color="#12")),
    ("color bad hex digits", ValidationError, "#rrggbb", lambda s, w: s.create_tag("X", color="#gggggg")),
    ("color not in the palette", ValidationError, "#rrggbb", lambda s, w: s.create_tag("X", color="crimson")),
    ("emoji with a space", ValidationError, "emoji", lambda s, w: s.create_tag("X", emoji="a b")),
    ("emoji 17 chars", ValidationError, "16", lambda s, w: s.create_tag("X", emoji="★" * 17)),
    ("description 201 chars", ValidationError, "200", lambda s, w: s.create_tag("X", description="d" * 201)),
    ("tag unknown id", NotFound, "", lambda s, w: s.get_tag(999_999)),
    ("tag id past 2^63", NotFound, "", lambda s, w: s.get_tag(str(2**63))),
    ("tag of another workspace", NotFound, "", lambda s, w: s.get_tag(w["foreign_tag"])),
    ("delete a tag of another workspace", NotFound, "", lambda s, w: s.delete_tag(w["foreign_tag"])),
    ("list tags limit 0", ValidationError, "limit", lambda s, w: s.list_tags(limit=0)),
    ("list tags limit 1001", ValidationError, "limit", lambda s, w: s.list_tags(limit=1001)),
    ("list tags offset -1", ValidationError, "offset", lambda s, w: s.list_tags(offset=-1)),
    ("list contacts limit 1001", ValidationError, "limit", lambda s, w: s.list_contacts(limit=1001)),
    ("status move to 0", ValidationError, "", lambda s, w: s.move_status("new", 0)),
    ("status move past the end", ValidationError, "", lambda s, w: s.move_status("new", 3)),
    ("status of another workspace", NotFound, "", lambda s, w: s.set_status("jane@example.com", w["foreign_status"])),
    ("contact name blank", ValidationError, "name", lambda s, w: s.add_contact("  ")),
    ("contact name with a NUL", ValidationError, "NUL", lambda s, w: s.add_contact("a\x00b")),
    ("notes with a NUL", ValidationError, "NUL", lambda s, w: s.update_contact("jane@example.com", notes="\x00")),
    ("tag name with a NUL", ValidationError, "NUL", lambda s, w: s.create_tag("a\x00b")),
    ("sync a tag name with a NUL", ValidationError, "NUL", lambda s, w: s.sync_tags(email="john@example.com", names=["a\x00b"])),
    ("contact name 201 chars", ValidationError, "200", lambda s, w: s.add_contact("n" * 201)),
    ("email 255 chars", ValidationError, "254", lambda s, w: s.add_contact("A", email=TOO_LONG_EMAIL)),
    ("notes 10,001 chars", ValidationError, "10", lambda s, w: s.add_contact("A", notes="n" * 10_001)),
    ("phone 51 chars", ValidationError, "50", lambda s, w: s.add_contact("A", phone="1" * 51)),
    ("followers negative", ValidationError, "followers", lambda s, w: s.add_contact("A", followers=-1)),
    ("followers not a number", ValidationError, "followers", lambda s, w: s.add_contact("A", followers="many")),
    ("followers past 2^63", ValidationError, "followers", lambda s, w: s.add_contact("A", followers=2**63)),
    ("duplicate email, other case", Conflict, "email", lambda s, w: s.add_contact("J", email="JANE@example.com")),
    ("contact stale rev", Conflict, "rev", lambda s, w: s.update_contact("jane@example.com", name="J", rev=99)),
    ("contact of another workspace", NotFound, "", lambda s, w: s.update_contact(w["foreign_contact"], name="x")),
    ("contact unknown email", NotFound, "", lambda s, w: s.change_tags("nobody@example.com", add=["vip"])),
    ("add an unknown tag", NotFound, "", lambda s, w: s.change_tags("jane@example.com", add=["ghost"])),
    ("add a lone string", ValidationError, "list", lambda s, w: s.change_tags("jane@example.com", add="vip")),
    ("past max_tags_per_contact", ValidationError, "", lambda s, w: s.change_tags("jane@example.com", add=["cold"])),
    ("sync past max_tags_per_contact", ValidationError, "", lambda s, w: s.sync_tags(email="jane@example.com", names=["a", "b", "c"])),
    ("sync names no contact", ValidationError, "", lambda s, w: s.sync_tags(names=["vip"])),
    ("sync unknown id wins over email", NotFound, "", lambda s, w: s.sync_tags(contact_id=999_999, email="jane@example.com", names=[])),
    ("assign to no contacts", ValidationError, "", lambda s, w: s.assign("vip", [])),
    ("assign past bulk_limit", ValidationError, "", lambda s, w: s.assign("cold", [1, 2, 3, 4])),
    ("assign with one unknown contact", NotFound, "", lambda s, w: s.assign("cold", [1, 999_999])),
    ("assign a contact of another workspace", NotFound, "", lambda s, w: s.assign("cold", [w["foreign_contact"]])),
    ("assign a tag of another workspace", NotFound, "", lambda s, w: s.assign(w["foreign_tag"], [1])),
    ("bulk_limit 0", ValidationError, "", lambda s, w: s.update_settings(bulk_limit=0)),
    ("bulk_limit 10,001", ValidationError, "", lambda s, w: s.update_settings(bulk_limit=10_001)),
    ("max_tags_per_contact 0", ValidationError, "", lambda s, w: s.update_settings(max_tags_per_contact=0)),
    ("max_tags_per_contact 1001", ValidationError, "", lambda s, w: s.update_settings(max_tags_per_contact=1001)),
    ("query unknown tag", ValidationError, "ghost", lambda s, w: s.list_contacts(parse("tag:ghost"))),
    ("view with a bad query", ValidationError, "", lambda s, w: s.save_view("bad", "tag:ghost")),
    ("view unknown", NotFound, "", lambda s, w: s.delete_view("nosuch")),
    ("import with one bad row", ValidationError, "row 2",
     lambda s, w: s.import_rows([{"name": "Ok", "email": "ok@example.com"}, {"name": "", "email": "x@y.z"}])),
    ("import bad followers", ValidationError, "followers",
     lambda s, w: s.import_rows([{"name": "Ok", "email": "ok@example.com", "followers": "-3"}])),
]  # fmt: skip


@pytest.mark.parametrize(("case", "error", "needle", "action"), STORE_CASES, ids=[c[0] for c in STORE_CASES])
def test_store_refuses(
    store: Store, db_url: str, world: dict[str, Any], case: str, error: type, needle: str, action: Callable
) -> None:
    with pytest.raises(TagtuiError) as caught:
        _unchanged(store, db_url, lambda: action(store, world))
    assert type(caught.value) is error, (case, caught.value)
    message = str(caught.value)
    assert message and "\n" not in message and needle in message, message


@pytest.mark.parametrize(
    ("query", "position"),
    [("tag:", 4), ("(tag:vip", 0), ('tag:"vip', 4), ("tag:vip or", 10), ("nosuch:3", 0), ("a and and b", 6)],
)
def test_malformed_queries_point_at_the_problem(query: str, position: int) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(query)
    assert caught.value.position == position, (query, caught.value.position, str(caught.value))
    assert f"position {position}" in str(caught.value)


# -- the command line -----------------------------------------------------------------------

CLI_CASES: list[tuple[str, int, str, tuple[str, ...]]] = [
    ("tag name blank", 2, "name", ("tags", "create", " ")),
    ("tag name 101 chars", 2, "100", ("tags", "create", "x" * 101)),
    ("tag duplicate", 4, "", ("tags", "create", "VIP")),
    ("color bad hex", 2, "#rrggbb", ("tags", "create", "X", "--color", "#12345")),
    ("color named, not in palette", 2, "#rrggbb", ("tags", "create", "X", "--color", "crimson")),
    ("stale --rev", 4, "rev", ("tags", "update", "vip", "--color", "red", "--rev", "9")),
    ("--rev not a number", 2, "", ("tags", "update", "vip", "--color", "red", "--rev", "nine")),
    ("--limit 0", 2, "limit", ("tags", "list", "--limit", "0")),
    ("--limit 1001", 2, "limit", ("contacts", "list", "--limit", "1001")),
    ("--offset -1", 2, "offset", ("contacts", "list", "--offset", "-1")),
    ("--limit not a number", 2, "", ("tags", "list", "--limit", "ten")),
    ("unknown tag id", 3, "", ("tags", "show", "999999")),
    ("unknown contact", 3, "", ("contacts", "show", "nobody@example.com")),
    ("contact id past 2^63", 3, "", ("contacts", "show", str(2**64))),
    ("query position", 2, "position 4", ("contacts", "list", "--query", "tag:")),
    ("query unclosed paren", 2, "position", ("contacts", "list", "--query", "(tag:vip")),
    ("query unknown field", 2, "nosuch", ("contacts", "list", "--query", "nosuch:3")),
    ("query unknown tag", 2, "ghost", ("export", "--query", "tag:ghost")),
    ("name 201 chars", 2, "200", ("contacts", "add", "--name", "n" * 201)),
    ("email 255 chars", 2, "254", ("contacts", "add", "--name", "A", "--email", TOO_LONG_EMAIL)),
    ("notes 10,001 chars", 2, "10", ("contacts", "add", "--name", "A", "--notes", "n" * 10_001)),
    ("followers negative", 2, "", ("contacts", "add", "--name", "A", "--followers", "-1")),
    ("followers not numeric", 2, "", ("contacts", "add", "--name", "A", "--followers", "lots")),
    ("followers past 2^63", 2, "", ("contacts", "add", "--name", "A", "--followers", str(2**63))),
    ("duplicate email", 4, "email", ("contacts", "add", "--name", "J", "--email", "Jane@Example.com")),
    ("tag an unknown tag", 3, "ghost", ("contacts", "tag", "jane@example.com", "--add", "ghost")),
    ("past max tags", 2, "", ("contacts", "tag", "jane@example.com", "--add", "cold")),
    ("status unknown", 3, "", ("contacts", "status", "jane@example.com", "lost")),
    ("assign past bulk_limit", 2, "", ("tags", "assign", "cold", "1", "2", "3", "4")),
    ("assign unknown contact", 3, "", ("tags", "assign", "cold", "1", "999999")),
    ("sync-tags unknown id", 3, "", ("contacts", "sync-tags", "--id", "999999", "--email", "jane@example.com", "--tags", "")),
    ("move status to 0", 2, "", ("statuses", "move", "new", "--to", "0")),
    ("bulk-limit 10001", 2, "", ("settings", "--bulk-limit", "10001")),
    ("max tags 0", 2, "", ("settings", "--max-tags-per-contact", "0")),
    ("views save bad query", 2, "position", ("views", "save", "bad", "tag:")),
    ("views save --query unknown tag", 2, "ghost", ("views", "save", "bad", "--query", "tag:ghost")),
    ("views delete unknown", 3, "", ("views", "delete", "nosuch")),
    ("export into a missing folder", 1, "", ("export", "--output", "/nonexistent/folder/x.csv")),
    ("import a missing file", 1, "", ("import", "/nonexistent/contacts.csv")),
    ("unknown option", 2, "", ("tags", "list", "--colour", "red")),
    ("workspace name 201 chars", 2, "200", ("tags", "list", "--workspace", "w" * 201)),
]  # fmt: skip


@pytest.mark.parametrize(("case", "code", "needle", "argv"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_refuses(
    store: Store, db_url: str, world: dict[str, Any], cli: Cli, case: str, code: int, needle: str, argv: tuple
) -> None:
    result = _unchanged(store, db_url, lambda: cli(*argv))
    assert_one_error_line(result, code, needle)


#: Files that cannot be read as contacts at all: refused whole, nothing imported.
BAD_FILES: list[tuple[str, bytes, str]] = [
    ("no name or email column", b"company,phone\nAcme,123\n", "name"),
    ("latin-1 without --encoding", "name,email\nRen\u00e9,rene@example.com\n".encode("latin-1"), "line 2"),
    ("UTF-16 cut inside a character", "name,email\nAnn,ann2@example.com\n".encode("utf-16-le")[:-1], ""),
    ("an empty file", b"", ""),
]


@pytest.mark.parametrize(("case", "content", "needle"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_malformed_csv_file_imports_nothing(
    store: Store,
    db_url: str,
    world: dict[str, Any],
    cli: Cli,
    tmp_path: Path,
    case: str,
    content: bytes,
    needle: str,
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    result = _unchanged(store, db_url, lambda: cli("import", str(source)))
    assert_one_error_line(result, 2, needle)


#: Rows that cannot become a contact: skipped and reported by line (the rest would import).
BAD_ROWS: list[tuple[str, bytes, str]] = [
    ("bad followers", b"name,email,followers\nA,a@example.com,-5\n", "followers"),
    ("followers past 2^63", b"name,email,followers\nA,a@example.com,9223372036854775808\n", "followers"),
    ("a new contact without a name", b"name,email\n,new@example.com\n", "name"),
    ("a name 201 chars", b"name,email\n" + b"n" * 201 + b",long@example.com\n", "200"),
    ("a NUL byte", b"name,email\nNul\x00l,nul@example.com\n", "NUL"),
]


@pytest.mark.parametrize(("case", "content", "needle"), BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_a_bad_csv_row_is_skipped_and_reported_by_line(
    store: Store,
    db_url: str,
    world: dict[str, Any],
    cli: Cli,
    tmp_path: Path,
    case: str,
    content: bytes,
    needle: str,
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    before = dump(store)
    result = cli("import", str(source))
    assert result.code == 0 and "Traceback" not in result.err, result
    reported = [line for line in result.out.splitlines() if "line 2" in line]
    assert len(reported) == 1 and needle in reported[0], result.out
    after = dump(store)
    assert after["contact"] == before["contact"] and after["contact_tag"] == before["contact_tag"]


#: Broken CSV structure: SPEC's "a polished tool" would say so, with the line.
BROKEN_CSV: list[tuple[str, bytes]] = [
    ("an unterminated quote", b'name,email\n"Open,open@example.com\nNext,next@example.com\n'),
    ("a ragged row", b"name,email\nA,a@example.com,extra,more\n"),
]


@pytest.mark.parametrize(("case", "content"), BROKEN_CSV, ids=[c[0] for c in BROKEN_CSV])
def test_broken_csv_structure_is_reported_with_its_line(
    store: Store, db_url: str, world: dict[str, Any], cli: Cli, tmp_path: Path, case: str, content: bytes
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    before = dump(store)
    result = cli("import", str(source))
    assert "line 2" in result.out + result.err and "Traceback" not in result.err, result
    assert dump(store)["contact"] == before["contact"]


def test_a_wrong_encoding_given_is_refused_too(
    store: Store, db_url: str, world: dict[str, Any], cli: Cli, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes("name,email\n\u4e2d\u6587,zh@example.com\n".encode())
    result = _unchanged(store, db_url, lambda: cli("import", str(source), "--encoding", "nosuch-codec"))
    assert result.code in (1, 2) and len(result.err_lines) == 1 and "Traceback" not in result.err


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (("tags", "create", "X", "--color", "not-a-color"), 2),
        (("contacts", "list", "--query", "(tag:vip"), 2),
        (("contacts", "show", "999999"), 3),
        (("tags", "create", "VIP"), 4),
    ],
)
def test_cli_refuses_in_a_real_process(
    store: Store, db_url: str, world: dict[str, Any], argv: tuple, code: int
) -> None:
    def spawn() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tagtui", "--db", db_url, *argv],
            cwd=ROOT, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    done = _unchanged(store, db_url, spawn)
    assert done.returncode == code, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("tagtui: error: "), done.stderr
    assert "Traceback" not in done.stderr
