"""Progress on the command line: a line redrawn on stderr at a terminal (a real pty here),
nothing extra when stderr is piped."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tagtui.cli.progress import CLEAR, Phases, Progress, Working, progress_text

ROWS = 1200


def _csv(tmp_path: Path) -> str:
    path = tmp_path / "people.csv"
    lines = [f"Person {i},p{i}@example.com,t{i % 3}" for i in range(ROWS)]
    path.write_text("name,email,tags\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _run(args: list[str], *, tty: bool) -> tuple[int, str, str]:
    """Run tagtui with stderr on a pty (``tty``) or a pipe; (exit code, stdout, stderr)."""
    command = [sys.executable, "-m", "tagtui", *args]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    if not tty:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        return done.returncode, done.stdout, done.stderr
    main, child = pty.openpty()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=child, env=env)
    os.close(child)
    err = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        err += chunk
    out = proc.stdout.read().decode() if proc.stdout else ""
    code = proc.wait(timeout=120)
    os.close(main)
    return code, out, err.decode("utf-8", "replace")


@pytest.fixture
def db(tmp_path: Path, backend: str) -> str:
    if backend != "sqlite":
        pytest.skip("a process of its own on a file; the progress line is the same on PostgreSQL")
    return str(tmp_path / "progress.db")


def test_import_and_export_show_progress_at_a_terminal(db: str, tmp_path: Path) -> None:
    code, out, err = _run(["--db", db, "import", _csv(tmp_path)], tty=True)
    assert code == 0, err
    assert f"Imported {ROWS} rows" in out
    assert "\rimport: " in err.replace("\x1b[2K", "")
    assert "rows/s" in err
    assert err.endswith("\r\x1b[2K")  # the line is taken away before the summary
    code, out, err = _run(["--db", db, "export", "--output", str(tmp_path / "out.csv")], tty=True)
    assert code == 0, err
    assert f"\rexport: 1,000 contacts of {ROWS:,}" in err.replace("\x1b[2K", "")
    assert "contacts/s" in err


def test_nothing_extra_when_stderr_is_piped(db: str, tmp_path: Path) -> None:
    code, out, err = _run(["--db", db, "import", _csv(tmp_path)], tty=False)
    assert (code, err) == (0, "")
    code, out, err = _run(["--db", db, "export"], tty=False)
    assert (code, err) == (0, "")
    assert out.count("\n") == ROWS + 1


def test_progress_text_says_rate_and_time_left() -> None:
    assert progress_text("import", 12_500, None, 2.0, "rows", share=0.25) == (
        "import: 12,500 rows · 6,250 rows/s · about 6 s left"
    )
    assert progress_text("export", 300, 1_200, 3.0, "contacts") == (
        "export: 300 contacts of 1,200 · 100 contacts/s · about 9 s left"
    )
    assert progress_text("demo", 0, 100, 0.0, "contacts") == "demo: 0 contacts of 100"
    assert "min left" in progress_text("x", 1, 1_000, 10.0, "rows")


def test_progress_redraws_one_line_and_clears_it() -> None:
    stream = io.StringIO()
    progress = Progress("export", "contacts", stream=stream)
    progress(10, 100)
    progress(20, 100)  # within the redraw interval: not drawn
    progress.done()
    text = stream.getvalue()
    assert text.count("\r\x1b[2K") == 2 and "export: 10 contacts of 100" in text
    assert "\n" not in text


def test_working_says_nothing_for_a_quick_block_and_the_time_for_a_slow_one(monkeypatch) -> None:
    monkeypatch.setattr("tagtui.cli.progress.QUIET_FOR", 0.05)
    quick, slow = io.StringIO(), io.StringIO()
    with Working("rules apply", stream=quick):
        pass
    assert quick.getvalue() == ""
    with Working("duplicates", stream=slow):
        time.sleep(0.3)
    assert "duplicates: 0 s" in slow.getvalue() and slow.getvalue().endswith("\r\x1b[2K")


PHASE_WORDS = {"pull": "fetching", "push": "sending"}


def _drawn(stream: io.StringIO, text: str) -> bool:
    """Whether ``text`` is on the line within a second (the drawing thread's first round)."""
    deadline = time.monotonic() + 1
    while text not in stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    return text in stream.getvalue()


def test_phases_count_each_phase_with_its_own_total(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tagtui.cli.progress.QUIET_FOR", 0.0)
    monkeypatch.setattr("tagtui.cli.progress.REDRAW", 0.0)
    stream = io.StringIO()
    with Phases("sync work", "cards", PHASE_WORDS, stream=stream) as phases:
        assert _drawn(stream, "sync work: 0 s")  # before the first count: the time so far
        phases("pull", 500, 1_200)
        phases("pull", 1_200, 1_200)
        phases("push", 3, 40)
    lines = [line for line in stream.getvalue().split(CLEAR) if line]
    assert lines[0] == "sync work: 0 s"
    assert lines[1].startswith("sync work, fetching: 500 cards of 1,200 · ")
    assert "cards/s" in lines[1] and "left" in lines[1]
    assert lines[2].startswith("sync work, fetching: 1,200 cards of 1,200")
    assert lines[3].startswith("sync work, sending: 3 cards of 40")
    assert stream.getvalue().endswith(CLEAR)  # the line is taken away at the end


def test_phases_say_nothing_for_a_quick_job() -> None:
    stream = io.StringIO()
    with Phases("sync work", "cards", PHASE_WORDS, stream=stream) as phases:
        phases("pull", 10, 10)
        phases("push", 1, 1)
    assert stream.getvalue() == ""


def test_sync_shows_its_phases_at_a_terminal(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``tagtui sync`` hands the engine a progress line when stderr is a terminal: the cards
    fetched from the address book, then those written to it, each counted of its total."""
    from tests.cli.test_sync import vdir

    folder = vdir(tmp_path, *(f"person{i:04}" for i in range(600)))
    assert cli("sync", "add", "khard", str(folder)).code == 0
    for i in range(3):
        assert cli("contacts", "add", "--name", f"New {i}", "--email", f"new{i}@example.com").code == 0
    monkeypatch.setattr("tagtui.cli.sync.wants_progress", lambda: True)
    monkeypatch.setattr("tagtui.cli.progress.QUIET_FOR", 0.0)
    monkeypatch.setattr("tagtui.cli.progress.REDRAW", 0.0)
    done = cli("sync", "khard")
    assert done.code == 0, done.err
    assert done.out.strip() == (
        "khard: pulled 600 new, 0 updated, 0 deleted; pushed 3 new, 0 updated, 0 deleted"
    )
    shown = [line for line in done.err.split(CLEAR) if line]
    assert "sync khard, fetching: 500 cards of 600" in " ".join(shown)
    assert any(line.startswith("sync khard, fetching: 600 cards of 600") for line in shown)
    assert any(line.startswith("sync khard, saving: 600 cards · ") for line in shown)
    assert any(line.startswith("sync khard, sending: 3 cards of 3") for line in shown)
    assert done.err.endswith(CLEAR)


def test_undo_and_redo_show_the_time_at_a_terminal(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """A step may be a whole import: undo and redo say how long they have been at it."""
    assert cli("contacts", "add", "--name", "Ann", "--email", "ann@example.com").code == 0
    monkeypatch.setattr("tagtui.cli.progress.wants_progress", lambda stream=None: True)
    monkeypatch.setattr("tagtui.cli.progress.QUIET_FOR", 0.0)
    monkeypatch.setattr("tagtui.store.undo.UndoService.undo", _slowly("undo"))
    undone = cli("undo")
    assert undone.code == 0, undone.err
    assert undone.out.startswith("Undid: ")
    assert undone.err.startswith(CLEAR + "undo: 0 s") and undone.err.endswith(CLEAR)
    monkeypatch.setattr("tagtui.store.undo.UndoService.redo", _slowly("redo"))
    redone = cli("redo")
    assert redone.code == 0 and redone.out.startswith("Redid: ")
    assert redone.err.startswith(CLEAR + "redo: 0 s") and redone.err.endswith(CLEAR)


def _slowly(name: str) -> Any:
    """The store's ``name`` (undo or redo), taking long enough for the line to be drawn."""
    from tagtui.store.undo import UndoService

    real = getattr(UndoService, name)

    def slow(self: UndoService, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.2)
        return real(self, *args, **kwargs)

    return slow


def test_a_migration_says_each_step_on_the_line(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening an older database tells ``on_upgrade`` each step before it runs; the command line
    and the UI (before its first screen) draw that on stderr with the time so far."""
    from tagtui.cli import progress
    from tagtui.cli.progress import Stages
    from tagtui.store import Store
    from tagtui.store.schema import SCHEMA_VERSION
    from tests.store.test_migration_sync import _run as sql

    with Store.open(db_url) as store:
        store.add_contact("Ann")
    for index in ("ix_contact_assignee_order", "ix_contact_followers", "ix_contact_company"):
        sql(db_url, f"DROP INDEX {index}")
    sql(db_url, "ALTER TABLE saved_view DROP COLUMN sort")
    sql(db_url, "UPDATE tagtui_meta SET value = '4' WHERE \"key\" = 'schema_version'")

    monkeypatch.setattr(progress, "QUIET_FOR", 0.0)
    stream = io.StringIO()
    told: list[str] = []

    def step(label: str) -> None:
        told.append(label)
        stages(label)
        time.sleep(0.3)  # long enough for the line to be drawn

    with Stages(stream) as stages, Store.open(db_url, on_upgrade=step) as store:
        assert [r.name for r in store.list_contacts().rows] == ["Ann"]
    steps = SCHEMA_VERSION - 4
    first = f"upgrading the database, schema 4 → {SCHEMA_VERSION}: indexes for sorting (1 of {steps})"
    assert told[0] == first
    assert len(told) == steps and told[-1].endswith(f"({steps} of {steps})")
    drawn = stream.getvalue()
    assert "\r\x1b[2Kupgrading the database, schema 4 → " in drawn and " s" in drawn
    assert drawn.endswith("\r\x1b[2K")  # taken away before the command's own output
    # Opened again: nothing to upgrade, nothing said.
    with Store.open(db_url, on_upgrade=told.append):
        pass
    assert len(told) == steps


def test_stages_say_nothing_when_never_told(monkeypatch: pytest.MonkeyPatch) -> None:
    from tagtui.cli import progress
    from tagtui.cli.progress import Stages

    monkeypatch.setattr(progress, "QUIET_FOR", 0.0)
    stream = io.StringIO()
    with Stages(stream):
        time.sleep(0.1)
    assert stream.getvalue() == ""


def test_a_phase_may_count_in_its_own_unit_and_without_a_total(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tagtui.cli.progress.QUIET_FOR", 0.0)
    monkeypatch.setattr("tagtui.cli.progress.REDRAW", 0.0)
    stream = io.StringIO()
    with Phases("duplicates", "contacts", {}, stream=stream, units={"comparing": "blocks"}) as phases:
        assert _drawn(stream, "duplicates: 0 s")
        phases("reading", 5_000, 20_000)
        phases("comparing", 500, 0)
    lines = [line for line in stream.getvalue().split(CLEAR) if line]
    assert lines[1].startswith("duplicates, reading: 5,000 contacts of 20,000 · ") and "left" in lines[1]
    assert lines[2].startswith("duplicates, comparing: 500 blocks · ") and lines[2].endswith("blocks/s")


def test_duplicates_shows_the_contacts_read_at_a_terminal_and_nothing_piped(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tagtui duplicates`` hands the scan a progress line when stderr is a terminal: the
    contacts read of those the query selects (then the blocks compared, on a large workspace)."""
    for _ in range(3):
        added = cli("contacts", "add", "--name", "Ann Lee", "--phone", "+1 415 555 0100", "--company", "Acme")
        assert added.code == 0, added.err
    piped = cli("duplicates")
    assert piped.code == 0 and "Ann Lee" in piped.out and piped.err == ""
    monkeypatch.setattr("tagtui.cli.duplicates.wants_progress", lambda: True)
    monkeypatch.setattr("tagtui.cli.progress.QUIET_FOR", 0.0)
    monkeypatch.setattr("tagtui.cli.progress.REDRAW", 0.0)
    shown = cli("duplicates")
    assert shown.code == 0, shown.err
    assert shown.out == piped.out  # the groups are the same; the line goes to stderr alone
    lines = [line for line in shown.err.split(CLEAR) if line]
    assert any(line.startswith("duplicates, reading: 3 contacts of 3") for line in lines), lines
    assert shown.err.endswith(CLEAR)


def test_tag_pairs_show_the_time_at_a_terminal(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """``tags pairs`` reads every two tags of every contact (seconds at a million contacts):
    at a terminal it says how long it has been at it."""
    from tagtui.store.insight import InsightService

    for tag in ("a", "b"):
        assert cli("tags", "create", tag).code == 0
    assert cli("contacts", "add", "--name", "Ann", "--email", "ann@example.com", "--tags", "a,b").code == 0
    real = InsightService.tag_pairs

    def slow(self: InsightService, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.2)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(InsightService, "tag_pairs", slow)
    monkeypatch.setattr("tagtui.cli.progress.wants_progress", lambda stream=None: True)
    monkeypatch.setattr("tagtui.cli.progress.QUIET_FOR", 0.0)
    done = cli("tags", "pairs")
    assert done.code == 0, done.err
    assert "1 pair" in done.out
    assert done.err.startswith(CLEAR + "tags pairs: 0 s") and done.err.endswith(CLEAR)
