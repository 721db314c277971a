"""A large CSV file is read and checked in a second process while this one writes (issue 15):
the same contacts, tags, statuses, events, skip report and errors as when one process does
it all, and another process reads the database meanwhile."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import tagtui.io.csv_import as csv_import
from tagtui.io.csv_import import ParallelRows, import_file
from tagtui.query.parse import parse
from tagtui.store import Store, ValidationError
from tagtui.store.imports import BATCH
from tests.conftest import PG_URL
from tests.io.conftest import snapshot

#: Rows a test file has on each side of where the second process takes over.
LOCAL = 7


@pytest.fixture
def in_parallel(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ParallelRows]]:
    """Every CSV import reads in a second process, whatever its size (this process reading
    the first ``LOCAL`` rows); the list holds each ``ParallelRows`` made."""
    made: list[ParallelRows] = []

    class Watched(ParallelRows):
        def __init__(self, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            made.append(self)

    monkeypatch.setattr(csv_import, "reads_in_parallel", lambda size, path: True)
    monkeypatch.setattr(csv_import, "ParallelRows", Watched)
    monkeypatch.setattr(csv_import, "LOCAL_ROWS", LOCAL)
    return made


def messy_file(tmp_path: Path, rows: int = 3 * BATCH) -> str:
    """Good rows, with a bad one here and there on both sides of ``LOCAL`` and of each batch:
    invalid emails, no name and no email, an email given twice (the second row updates), a
    row with only an email (an update, or skipped when no contact has it), a cell too long."""
    lines = ["name,email,company,phone,followers,status,tags"]
    for i in range(rows):
        if i % 97 == 3:
            lines.append(f"Bad {i},not-an-email-{i},,,,,")
        elif i % 211 == 5:
            lines.append(",,Nobody Inc,,,,")
        elif i % 151 == 8:
            lines.append(f",p{i - 1}@example.com,Changed Co,,,Won,extra")  # updates the row before
        elif i % 173 == 6:
            lines.append(f",ghost{i}@example.com,,,,,")  # no name, and nobody has that email
        elif i % 389 == 2:
            lines.append(f"Many {i},many{i}@example.com,,,12x,,")  # followers not a number
        else:
            tags = f"t{i % 5};Group {i % 3}" + (";vip" if i % 11 == 0 else "")
            lines.append(f"Person {i},p{i}@example.com,Co {i % 40},+1 555 01{i % 100:02},{i},S{i % 4},{tags}")
    path = tmp_path / "messy.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def report_of(report: csv_import.ImportReport) -> tuple[object, ...]:
    return (report.result, report.skipped_count, [(s.line, s.reason) for s in report.skipped])


def contents(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """What an import wrote, without its times (two imports never share them)."""
    queries = {
        "contact": "SELECT c.id, c.name, c.email, c.company, c.phone, c.followers, s.slug, c.name_key,"
        " c.email_key, c.assignee_key, c.tags_key, c.search FROM contact c"
        " LEFT JOIN status s ON s.id = c.status_id ORDER BY c.id",
        "contact_tag": "SELECT contact_id, tag_id FROM contact_tag ORDER BY 1, 2",
        "tag": "SELECT id, name, slug FROM tag ORDER BY id",
        "status": "SELECT id, name, slug, position FROM status ORDER BY id",
        "event": "SELECT kind, subject_type, subject_id FROM event ORDER BY id",
        "trend_tag": "SELECT tag_id, week, n FROM trend_tag ORDER BY 1, 2",
        "trend_pair": "SELECT * FROM trend_pair ORDER BY 1, 2, 3",
    }
    with store.db.transaction(write=False) as tx:
        return {name: [tuple(r) for r in tx.all(sql)] for name, sql in queries.items()}


def test_the_same_import_as_in_one_process(
    store: Store, second_store: Store, tmp_path: Path, in_parallel: list[ParallelRows]
) -> None:
    path = messy_file(tmp_path)
    with pytest.MonkeyPatch.context() as here:
        here.setattr(csv_import, "reads_in_parallel", lambda size, path: False)
        alone = import_file(second_store, path)
    assert not in_parallel
    assert alone.skipped_count > 20  # the file is as messy as it says
    together = import_file(store, path)
    assert len(in_parallel) == 1, "the import did not read in a second process"
    assert report_of(together) == report_of(alone)
    assert contents(store) == contents(second_store)
    ghost = next(s for s in together.skipped if s.line == 181)  # read by the second process
    assert "no contact has the email 'ghost179@example.com'" in ghost.reason


def test_strict_refuses_at_the_first_bad_row_read_by_the_other_process(
    store: Store, tmp_path: Path, in_parallel: list[ParallelRows]
) -> None:
    path = tmp_path / "strict.csv"
    good = [f"Person {i},p{i}@example.com" for i in range(2 * BATCH)]
    good[LOCAL + 40] = "Bad,not-an-email"  # well past the rows this process reads
    path.write_text("name,email\n" + "\n".join(good) + "\n", encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(ValidationError, match=rf"^line {LOCAL + 42}: invalid email"):
        import_file(store, str(path), strict=True)
    assert in_parallel
    assert snapshot(store) == before


def test_a_file_that_breaks_in_the_other_process_imports_nothing(
    store: Store, tmp_path: Path, in_parallel: list[ParallelRows]
) -> None:
    path = tmp_path / "open-quote.csv"
    rows = [f"Person {i},p{i}@example.com" for i in range(3 * BATCH)]
    path.write_text("name,email\n" + "\n".join(rows) + '\n"Left open,x@example.com\n', encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(ValidationError, match=rf"open-quote.csv, line {3 * BATCH + 2}: "):
        import_file(store, str(path))
    assert snapshot(store) == before


#: A reader process that sends its first batch and then dies (as killed, or out of memory).
_DIES_AFTER_A_BATCH = """
import os
import tagtui.io.parallel as reader
send = reader._send
def once(out, message):
    send(out, message)
    if message[0] == "rows":
        os._exit(9)
reader._send = once
reader.main()
"""


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([sys.executable, "-c", "import sys; sys.exit(7)"], id="ends-at-once"),
        pytest.param([sys.executable, "-c", _DIES_AFTER_A_BATCH], id="dies-after-a-batch"),
        pytest.param(["/nonexistent/python3"], id="cannot-start"),
    ],
)
def test_a_reader_process_that_stops_leaves_the_rest_to_this_one(
    store: Store,
    second_store: Store,
    tmp_path: Path,
    in_parallel: list[ParallelRows],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    """The second process only saves time: when it cannot start, ends at once or dies part of
    the way, this process reads the rows it did not send, and the import is the same."""
    path = messy_file(tmp_path, 4 * BATCH)
    with pytest.MonkeyPatch.context() as here:
        here.setattr(csv_import, "reads_in_parallel", lambda size, path: False)
        alone = import_file(second_store, path)
    monkeypatch.setattr(csv_import, "child_command", lambda: command)
    marks: list[tuple[int, int]] = []
    together = import_file(store, path, progress=lambda done, size: marks.append((done, size)))
    assert len(in_parallel) == 1
    assert report_of(together) == report_of(alone)
    assert contents(store) == contents(second_store)
    assert marks[-1] == (Path(path).stat().st_size,) * 2


def test_progress_follows_the_other_process(
    store: Store, tmp_path: Path, in_parallel: list[ParallelRows]
) -> None:
    path = messy_file(tmp_path, 4 * BATCH)
    marks: list[tuple[int, int]] = []
    import_file(store, path, progress=lambda done, size: marks.append((done, size)))
    size = Path(path).stat().st_size
    assert len(marks) >= 4
    assert [d for d, _ in marks] == sorted(d for d, _ in marks)
    assert marks[-1] == (size, size)


def test_small_files_and_one_core_read_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not csv_import.reads_in_parallel(csv_import.PARALLEL_BYTES - 1)
    monkeypatch.setattr(csv_import, "cores", lambda: 2)
    assert csv_import.reads_in_parallel(csv_import.PARALLEL_BYTES)
    assert not csv_import.reads_in_parallel(10 * csv_import.PARALLEL_BYTES, "/dev/stdin")  # `< file.csv`
    monkeypatch.setattr(csv_import, "cores", lambda: 1)
    assert not csv_import.reads_in_parallel(10 * csv_import.PARALLEL_BYTES)


# -- another process on the same file, while a first import writes -------------------------------


def test_another_process_reads_the_database_while_a_first_import_writes(
    db_url: str,
    store: Store,
    tmp_path: Path,
    in_parallel: list[ParallelRows],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SPEC §6: two processes on one file work side by side. While a first import into an
    empty workspace writes (here: at its first progress report, its transaction open and rows
    written), a second store opens the database as another process would and reads it: it sees
    the contacts as they were (none), with no "database is locked" — which a rollback journal
    for the import (tried at stop 38: it writes each page once, not into the WAL and then into
    the database) gave a second `tagtui contacts list` after 5 s."""
    monkeypatch.setenv("TAGTUI_BUSY_TIMEOUT", "1")
    seen: list[int] = []

    def progress(done: int, size: int) -> None:
        if not seen:
            other = Store.open(db_url)
            try:
                seen.append(other.count_contacts(parse("")))
            finally:
                other.close()

    report = import_file(store, messy_file(tmp_path, 2 * BATCH), progress=progress)
    assert seen == [0]
    assert report.result.created > 1500
    if not PG_URL:
        conn = sqlite3.connect(store.db.target)
        try:
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        finally:
            conn.close()


def test_the_second_process_runs_as_python_m() -> None:
    """The child is this module run by this Python (not a multiprocessing "spawn", which
    would run the parent's main script again: a script without a ``__main__`` guard)."""
    assert csv_import.child_command() == [sys.executable, "-m", "tagtui.io.parallel"]


def test_the_other_process_reads_the_file_as_this_one_does(
    store: Store, second_store: Store, tmp_path: Path, in_parallel: list[ParallelRows]
) -> None:
    """Latin-1 with `--encoding`, Excel's `sep=;` line, a quoted cell over two lines: the second
    process works the file out the same way; and a second import of the file (every row an
    update, some changed) reports and writes the same."""
    rows = ["sep=;", "name;email;company;tags"]
    for i in range(3 * BATCH):
        company = f'"Café {i % 7}\nsecond line"' if i % 500 == 9 else f"Café {i % 7}"
        rows.append(f"Renée {i};r{i}@example.com;{company};étoile,t{i % 4}")
    path = tmp_path / "latin.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("latin-1"))
    changed = tmp_path / "changed.csv"
    again = "\r\n".join(r.replace("Café 3", "Café trois") for r in rows) + "\r\n"
    changed.write_bytes(again.encode("latin-1"))

    with pytest.MonkeyPatch.context() as here:
        here.setattr(csv_import, "reads_in_parallel", lambda size, path: False)
        alone = [import_file(second_store, str(f), encoding="latin-1") for f in (path, changed)]
    together = [import_file(store, str(f), encoding="latin-1") for f in (path, changed)]
    assert len(in_parallel) == 2
    assert [report_of(r) for r in together] == [report_of(r) for r in alone]
    assert together[1].result.updated > 0
    assert contents(store) == contents(second_store)
    with store.db.transaction(write=False) as tx:
        found = tx.one("SELECT name, company FROM contact WHERE email = 'r509@example.com'")
    assert found is not None and found[0] == "Renée 509" and found[1].startswith("Café 5")


def test_the_pipe_from_the_child_holds_a_few_batches(tmp_path: Path) -> None:
    """At the usual 64 KiB the child was never a batch ahead of this process (a batch is ~280
    KB pickled); where the system lets a pipe be set (Linux), it holds ``PIPE_BYTES``."""
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("this system cannot size a pipe (F_SETPIPE_SZ is Linux's)")
    if int(Path("/proc/sys/fs/pipe-max-size").read_text()) < csv_import.PIPE_BYTES:
        pytest.skip("this system's limit for a pipe is below PIPE_BYTES")
    path = tmp_path / "few.csv"
    path.write_text("name,email\nAda,ada@example.com\n", encoding="utf-8")
    source = csv_import.CsvFile(str(path), None, None)
    mapping = csv_import.ColumnMapping.detect(source.header()[0])
    rows = ParallelRows(str(path), None, None, mapping, source.size)
    child = rows._start()
    assert child is not None and child.stdout is not None
    try:
        assert fcntl.fcntl(child.stdout.fileno(), fcntl.F_GETPIPE_SZ) == csv_import.PIPE_BYTES
        assert csv_import.PIPE_BYTES >= 3 * 280_000
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


def test_an_email_that_is_its_own_key_is_sent_once() -> None:
    """A checked row whose email is already its key (lower case, trimmed) holds the one string
    for both, so a batch from the reader process pickles it once; one that is not gets its key."""
    import pickle

    from tagtui.store.imports import CheckedRow, check_rows

    rows = list(
        check_rows(
            [{"name": "Ann", "email": "ann@example.com"}, {"name": "Bo", "email": "Bo@Example.com"}],
            skipping=False,
        )
    )
    ann, bo = rows
    assert isinstance(ann, CheckedRow) and isinstance(bo, CheckedRow)
    assert ann.key == "ann@example.com" and ann.key is ann.fields["email"]
    assert bo.key == "bo@example.com" and bo.fields["email"] == "Bo@Example.com"
    sent = pickle.dumps((ann.fields, ann.key), protocol=pickle.HIGHEST_PROTOCOL)
    assert sent.count(b"ann@example.com") == 1
