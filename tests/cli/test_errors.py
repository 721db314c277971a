"""Errors: exit codes 1–4 and 130, one line on stderr, never a traceback; refused databases;
confirmation prompts; literal output of hostile text."""

from __future__ import annotations

import io
import sqlite3

import pytest

from tagtui.cli.main import main
from tagtui.cli.registry import COMMANDS
from tests.cli.conftest import Cli, assert_one_error_line


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (("tags", "create", "VIP", "--color", "octarine"), 2),  # ValidationError
        (("contacts", "list", "--query", "tag:("), 2),  # malformed query
        (("contacts", "list", "--query", "shoe:size"), 2),  # unknown field
        (("tags", "show", "ghost"), 3),  # NotFound
        (("contacts", "show", "nobody@example.com"), 3),
        (("views", "delete", "ghost"), 3),
        (("tags", "create", "Hot Lead"), 4),  # Conflict (setup made it)
        (("tags", "update", "hot-lead", "--name", "Partner"), 4),
        (("import", "/nonexistent/contacts.csv"), 1),  # FileError
        (("export", "--output", "/nonexistent/folder/out.csv"), 1),
    ],
)
def test_exit_codes_and_one_line(ok: Cli, cli: Cli, argv: tuple[str, ...], code: int) -> None:
    ok("tags", "setup")
    assert_one_error_line(cli(*argv), code)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("tags", "list", "--bogus"), "unrecognized arguments: --bogus"),
        (("tags", "create"), "NAME"),
        (("tags", "list", "--limit", "ten"), "invalid int"),
        (("tags",), "ACTION"),
        (("tagz", "list"), "invalid choice: 'tagz'"),
        (("statuses", "move", "New", "--to"), "expected one argument"),
        (("contacts", "list", "--quer", "tag:x"), "unrecognized"),  # no abbreviations
    ],
)
def test_usage_errors_exit_2(run: Cli, tmp_path, argv: tuple[str, ...], needle: str) -> None:
    result = run(*argv, "--db", str(tmp_path / "t.db"))
    assert_one_error_line(result, 2, needle, "--help")


def test_help_and_version(run: Cli) -> None:
    top = run("--help")
    assert top.code == 0 and "usage: tagtui" in top.out
    assert all(cmd in top.out for cmd in ("tags", "statuses", "contacts", "views", "settings", "export"))
    sub = run("tags", "update", "--help")
    assert sub.code == 0 and "--clear-description" in sub.out and "--db" in sub.out
    assert run("--version").out.startswith("tagtui ")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_has_help(run: Cli, command: str) -> None:
    result = run(command, "--help")
    assert result.code == 0 and f"usage: tagtui {command}" in result.out and "--db" in result.out


def test_a_file_that_is_not_sqlite_is_refused_untouched(run: Cli, tmp_path) -> None:
    path = tmp_path / "notes.txt"
    content = b"these are my notes, not a database\n" * 50
    path.write_bytes(content)
    assert_one_error_line(run("tags", "list", "--db", str(path)), 1, "not an SQLite database")
    assert_one_error_line(run("tags", "create", "X", "--db", str(path)), 1)
    assert path.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]  # no -wal, no -journal


def test_another_programs_sqlite_file_is_refused_untouched(run: Cli, tmp_path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("INSERT INTO recipes (title) VALUES ('soup')")
    conn.commit()
    conn.close()
    content = path.read_bytes()
    assert_one_error_line(run("--db", str(path), "tags", "setup"), 1, "another program")
    assert_one_error_line(run("--db", str(path), "contacts", "list"), 1)
    assert path.read_bytes() == content
    assert not (tmp_path / "other.db-wal").exists()


def test_a_folder_as_database_is_refused(run: Cli, tmp_path) -> None:
    assert_one_error_line(run("tags", "list", "--db", str(tmp_path)), 1, "folder")


def test_an_empty_file_becomes_a_new_database(run: Cli, tmp_path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    assert run("tags", "create", "VIP", "--db", str(path)).code == 0
    assert run("tags", "show", "VIP", "--db", str(path), "--json").json["slug"] == "vip"


def test_an_unexpected_exception_is_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(ctx):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr("tagtui.cli.tags.list_tags", boom)
    assert_one_error_line(cli("tags", "list"), 1, "RuntimeError", "disk on fire")
    monkeypatch.setenv("TAGTUI_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli("tags", "list")


def test_interrupt_exits_130(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(ctx):
        raise KeyboardInterrupt

    monkeypatch.setattr("tagtui.cli.tags.list_tags", interrupted)
    assert_one_error_line(cli("tags", "list"), 130, "interrupted")


def test_a_closed_pipe_exits_quietly(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def closed(ctx):
        raise BrokenPipeError

    monkeypatch.setattr("tagtui.cli.tags.list_tags", closed)
    result = cli("tags", "list")
    assert (result.code, result.err) == (0, "")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_delete_asks_at_a_terminal(ok: Cli, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    ok("tags", "create", "VIP")
    ids = [ok("contacts", "add", "--name", f"P{i}", "--json").json["id"] for i in range(12)]
    ok("tags", "assign", "VIP", *map(str, ids))

    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    declined = cli("tags", "delete", "VIP")
    assert declined.code == 1
    assert declined.err.startswith("Delete tag 'VIP' from 12 contacts? [y/N] ")
    assert "nothing was changed" in declined.err
    assert ok("tags", "show", "VIP", "--json").json["contacts"] == 12

    monkeypatch.setattr("sys.stdin", _Terminal(""))  # end of input counts as no
    assert cli("contacts", "delete", str(ids[0])).code == 1

    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    accepted = cli("tags", "delete", "VIP")
    assert accepted.code == 0 and accepted.out.strip() == "Deleted tag 'VIP'; 12 contacts lost it"

    monkeypatch.setattr("sys.stdin", _Terminal(""))
    ok("tags", "create", "Other")
    assert ok("tags", "delete", "Other", "--yes").out.startswith("Deleted")  # ok() checks stderr is empty
    ok("statuses", "setup")
    assert ok("statuses", "delete", "won", "-y").out.startswith("Deleted")


def test_no_prompt_when_stdin_is_not_a_terminal(ok: Cli) -> None:
    ok("tags", "create", "VIP")
    result = ok("tags", "delete", "VIP")  # stdin is a StringIO here: no question, no wait
    assert result.out.startswith("Deleted")


def test_hostile_text_is_printed_literally(ok: Cli) -> None:
    name = "\x1b]0;pwned\x07[bold red]Evil\x1b[2J\x9b31m"
    ok("contacts", "add", "--name", name, "--company", "Acme\nLine2", "--email", "evil@example.com")
    ok("tags", "create", "[b]Markup[/b]")
    table = ok("contacts", "list").out
    assert "\x1b" not in table and "\x07" not in table and "\x9b" not in table
    assert "␛]0;pwned␇[bold red]Evil␛[2J<U+009B>31m" in table
    assert "Acme␊Line2" in table
    assert len(table.splitlines()) == 3  # header, one row, footer: the newline did not split the row
    shown = ok("contacts", "show", "evil@example.com").out
    assert "\x1b" not in shown and "[bold red]Evil" in shown
    assert "[b]Markup[/b]" in ok("tags", "list").out
    raw = ok("contacts", "list", "--json").out
    assert "\x1b" not in raw and "\x9b" not in raw and "\\u009b" in raw
    assert ok("contacts", "list", "--json").json[0]["name"] == name


def test_error_messages_show_hostile_refs_literally(cli: Cli) -> None:
    result = cli("tags", "show", "\x1b[31mred\nnext")
    assert_one_error_line(result, 3)
    assert "\x1b" not in result.err


def test_main_reads_sys_argv_by_default(monkeypatch: pytest.MonkeyPatch, capsys, tmp_path) -> None:
    monkeypatch.setattr("sys.argv", ["tagtui", "--db", str(tmp_path / "a.db"), "tags", "colors", "--json"])
    assert main() == 0
    assert '"purple"' in capsys.readouterr().out
