"""Where ``tagtui export --output`` writes: only a regular file is replaced (atomically); a
device, FIFO or standard output is written in place; a symlink is followed; replacing a file
asks at a terminal; SIGTERM/SIGHUP leave no temporary file behind."""

from __future__ import annotations

import csv
import io
import os
import pty
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tagtui.io import target as targets
from tagtui.store import FileError
from tests.cli.conftest import Cli, assert_one_error_line

HEADER = "id,name,email,company,phone,assignee,followers,status,tags"


@pytest.fixture
def seeded(ok: Cli) -> Cli:
    ok("contacts", "add", "--name", "Alice", "--email", "alice@example.com", "--phone", "+1 555 0100")
    ok("contacts", "add", "--name", "Bob", "--email", "bob@example.com")
    return ok


def _names(text: str) -> list[str]:
    return sorted(row["name"] for row in csv.DictReader(io.StringIO(text)))


def test_a_fifo_is_written_in_place_for_its_reader(seeded: Cli, tmp_path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as f:  # blocks until the export opens the FIFO to write
            received.append(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = seeded("export", "--output", str(fifo))
    reader.join(timeout=10)
    assert result.out.strip() == f"Exported 2 contacts to {fifo}"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a FIFO, not a regular file
    assert received and _names(received[0].decode()) == ["Alice", "Bob"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".tagtui")) == []


def test_a_symlink_is_followed_and_stays_a_link(seeded: Cli, tmp_path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    seeded("export", "--output", str(link))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert _names(real.read_text(encoding="utf-8")) == ["Alice", "Bob"]
    # A link to a file that does not exist yet: the file is made where the link points.
    later = tmp_path / "later.csv"
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(later)
    seeded("export", "--output", str(dangling))
    assert dangling.is_symlink() and _names(later.read_text(encoding="utf-8")) == ["Alice", "Bob"]


def test_dev_null_stays_a_character_device(seeded: Cli) -> None:
    # Checked first: as root, a regression would otherwise replace this machine's /dev/null.
    assert targets.resolve(os.devnull).in_place
    result = seeded("export", "--output", os.devnull)
    assert result.out.strip() == f"Exported 2 contacts to {os.devnull}"
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_dash_writes_to_standard_output(seeded: Cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = seeded("export", "--output", "-").out
    assert out.startswith(HEADER) and _names(out) == ["Alice", "Bob"]
    assert not (tmp_path / "-").exists()
    assert seeded("export", "--output", "-", "--format", "json").out.startswith("[")


def test_a_missing_folder_is_one_line_and_nothing_is_made(cli: Cli, tmp_path) -> None:
    missing = tmp_path / "nope" / "out.csv"
    assert_one_error_line(cli("export", "--output", str(missing)), 1, "does not exist")
    link = tmp_path / "to-nowhere.csv"
    link.symlink_to(tmp_path / "nope" / "x.csv")
    assert_one_error_line(cli("export", "--output", str(link)), 1, "does not exist")
    assert not (tmp_path / "nope").exists()


def test_resolve_tells_what_kind_of_target_a_path_is(tmp_path) -> None:
    assert targets.resolve("-").stdout
    assert targets.resolve(os.devnull).in_place
    new = targets.resolve(str(tmp_path / "new.csv"))
    assert (new.in_place, new.exists) == (False, False)
    (tmp_path / "old.csv").write_text("x")
    assert targets.resolve(str(tmp_path / "old.csv")).exists
    with pytest.raises(FileError, match="folder"):
        targets.resolve(str(tmp_path))
    # /dev/stdout leads to /proc/self/fd/1: written in place, whatever file is behind it ...
    assert targets.resolve("/dev/stdout").in_place
    assert targets.resolve("/proc/self/fd/1").in_place
    # ... but a regular file in a tmpfs under /dev is a file like any other.
    if os.path.isdir("/dev/shm"):
        fd, shm = tempfile.mkstemp(dir="/dev/shm", suffix=".csv")
        os.close(fd)
        try:
            found = targets.resolve(shm)
            assert (found.in_place, found.exists) == (False, True)
        finally:
            os.unlink(shm)


# -- in a process of its own: a terminal, /dev/stdout, signals ------------------------------


def _tagtui(*argv: str, **kwargs) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTUI_")}
    return subprocess.Popen([sys.executable, "-m", "tagtui", *argv], env=env, **kwargs)


@pytest.fixture
def demo_db(tmp_path) -> str:
    path = str(tmp_path / "demo.db")
    done = subprocess.run(
        [sys.executable, "-m", "tagtui", "--db", path, "demo", "--contacts", "3000"], capture_output=True
    )
    assert done.returncode == 0, done.stderr
    return path


def test_dev_stdout_is_standard_output(seeded: Cli, db_url: str) -> None:
    assert targets.resolve("/dev/stdout").in_place  # as for /dev/null: never risk the real one
    proc = _tagtui(
        "export", "--output", "/dev/stdout", "--db", db_url, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (0, b"")
    assert _names(out.decode()) == ["Alice", "Bob"]  # and no "Exported …" line inside the data


def _answer_at_a_terminal(db: str, output: Path, answer: str | None, *extra: str) -> tuple[int, str]:
    """Run an export with a terminal on standard input; type ``answer`` at its question."""
    master, slave = pty.openpty()
    try:
        proc = _tagtui(
            "export", "--output", str(output), "--db", db, *extra,
            stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        if answer is not None:
            os.write(master, answer.encode() + b"\n")
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    return proc.returncode, err.decode()


def test_replacing_a_file_asks_at_a_terminal(seeded: Cli, db_url: str, tmp_path) -> None:
    output = tmp_path / "out.csv"
    output.write_text("keep me\n")
    code, err = _answer_at_a_terminal(db_url, output, "n")
    assert code == 1 and "out.csv exists. Replace it? [y/N]" in err and "Cancelled" in err
    assert output.read_text() == "keep me\n"
    code, err = _answer_at_a_terminal(db_url, output, "y")
    assert code == 0 and "Replace it?" in err
    assert _names(output.read_text(encoding="utf-8")) == ["Alice", "Bob"]
    output.write_text("keep me\n")
    code, err = _answer_at_a_terminal(db_url, output, None, "--yes")
    assert (code, err) == (0, "")
    assert _names(output.read_text(encoding="utf-8")) == ["Alice", "Bob"]
    # A new file is not a question; without a terminal (the in-process runs) nothing asks.
    code, err = _answer_at_a_terminal(db_url, tmp_path / "fresh.csv", None)
    assert (code, err) == (0, "")
    output.write_text("keep me\n")
    assert seeded("export", "--output", str(output)).err == ""
    assert output.read_text(encoding="utf-8").startswith(HEADER)


SLOW_EXPORT = """
import signal, sys, time
signal.signal(signal.SIGHUP, signal.SIG_DFL)  # a run under nohup passes its SIGHUP ignore on to us
import tagtui.io.export as export
export.BATCH = 50
real = export._write_csv
def slow(batches, out):
    for n in real(batches, out):
        out.flush()
        time.sleep(0.05)
        yield n
export._write_csv = slow
from tagtui.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_an_export_leaves_no_temporary_file(demo_db: str, tmp_path, signum: int) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    output = folder / "all.csv"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_EXPORT, "--db", demo_db, "export", "--output", str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    temp: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        temp = [p for p in folder.iterdir() if p.name.startswith(targets.TEMP_PREFIX) and p.stat().st_size]
        if temp:
            break
        time.sleep(0.01)
    assert temp, "the export never wrote its temporary file"
    proc.send_signal(signum)
    proc.communicate(timeout=30)
    assert proc.returncode == -signum  # the signal still ends the process as it would
    assert list(folder.iterdir()) == []  # neither a temporary file nor half an export
