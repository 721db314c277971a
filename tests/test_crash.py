"""``kill -9`` at random moments (SPEC §6): an import, a demo generation and a bulk change.

After every kill the SQLite file passes ``PRAGMA integrity_check`` and
``PRAGMA foreign_key_check``, opens as a store, and holds either all of the killed
operation or none of it; a re-run of the same import then completes without duplicates.
The kill moments come from a seeded random generator, so a failure can be replayed.
"""

from __future__ import annotations

import csv
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tagtui.query.parse import parse
from tagtui.store import Store

ROOT = Path(__file__).resolve().parents[1]
ROWS = 10_000
KILLS = 20

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")


def _write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "email", "company", "tags", "status", "notes"])
        for i in range(rows):
            out.writerow(
                [
                    f"Person {i}",
                    f"P{i}@Example.com",
                    f"Company {i % 300}",
                    f"VIP;Lead {i % 20}",
                    ("New", "Contacted", "Won")[i % 3],
                    f"row {i}",
                ]
            )


def _tagtui(db: Path, *argv: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tagtui", "--db", str(db), *argv],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _python(code: str, *argv: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *argv],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill_after(proc: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL ``proc`` after ``delay`` seconds; True if it was still running (a real kill)."""
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True
    return False


def _assert_consistent(db: Path) -> None:
    """What SPEC §6 asks after a kill: integrity, foreign keys, and the store opens."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    Store.open(str(db)).close()


def _contacts(db: Path) -> tuple[int, int]:
    """(contacts, distinct emails) in the default workspace."""
    with Store.open(str(db)) as store:
        return store._read(
            lambda tx: tx.one(
                "SELECT COUNT(*), COUNT(DISTINCT lower(email)) FROM contact WHERE workspace_id = :ws",
                {"ws": store.workspace_id},
            )
        )


def test_an_import_killed_at_random_moments_leaves_a_sound_database(tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    _write_csv(source, ROWS)
    db = tmp_path / "crash.db"
    Store.open(str(db)).close()
    rng = random.Random(20261123)
    real_kills = completed = 0
    # The kill moment is drawn from (lower, upper) seconds after the start. ``upper`` shrinks to
    # below the quickest run seen once one completes (a run's length varies with the machine's
    # load, and re-runs that match rows by email are quicker), so nearly every later try is a
    # real kill; some land in start-up and most in the import's transaction.
    lower, upper = 0.2, 2.5
    while real_kills < KILLS and real_kills + completed < 3 * KILLS:
        started = time.monotonic()
        proc = _tagtui(db, "import", str(source))
        if _kill_after(proc, rng.uniform(lower, upper)):
            real_kills += 1
        else:
            assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
            completed += 1
            upper = max(lower + 0.05, min(upper, 0.8 * (time.monotonic() - started)))
        _assert_consistent(db)
        count, emails = _contacts(db)
        # One transaction: a killed import left all of its rows or none of them.
        assert count == emails and count in (0, ROWS), (count, emails)
    assert real_kills == KILLS, (real_kills, completed)

    # Re-running the same import completes it, matching rows by email: no duplicates.
    proc = _tagtui(db, "import", str(source))
    assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    _assert_consistent(db)
    assert _contacts(db) == (ROWS, ROWS)
    with Store.open(str(db)) as store:
        vip = store.get_tag("vip")
        assert [t.contacts for t in store.list_tags(search="VIP")] == [ROWS]
        assert vip.name == "VIP"
        assert [s.name for s in store.list_statuses()] == ["New", "Contacted", "Won"]


def test_a_demo_generation_killed_at_random_moments_leaves_a_sound_database(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    rng = random.Random(7)
    for _ in range(3):
        proc = _tagtui(db, "demo", "--contacts", "20000", "--seed", "3")
        _kill_after(proc, rng.uniform(0.6, 2.5))
        _assert_consistent(db)
    with Store.open(str(db)) as store:
        count = store.count_contacts()
        assert count in (0, 20_000) or count % 20_000 == 0, count


BULK = """
import sys
from tagtui.query.filter import EVERYTHING
from tagtui.store import Store
with Store.open(sys.argv[1]) as store:
    if sys.argv[2] == "add":
        store.bulk_change_tags(EVERYTHING, add=["bulk"])
    else:
        store.bulk_change_tags(EVERYTHING, remove=["bulk"])
"""


def test_a_bulk_change_killed_at_random_moments_applies_whole_or_not_at_all(tmp_path: Path) -> None:
    db = tmp_path / "bulk.db"
    with Store.open(str(db)) as store:
        store.update_settings(bulk_limit=ROWS)
        store.create_tag("bulk")
        store.import_rows({"name": f"P{i}", "email": f"p{i}@example.com"} for i in range(ROWS))
        ids = [str(r[0]) for r in store._read(lambda tx: tx.all("SELECT id FROM contact"))]
    rng = random.Random(11)
    for round_ in range(6):
        if round_ % 3 == 2:
            proc = _tagtui(db, "tags", "assign", "bulk", *ids)  # the CLI's bulk, every contact
        else:
            proc = _python(BULK, str(db), "add" if round_ % 2 == 0 else "remove")
        _kill_after(proc, rng.uniform(0.25, 1.0))
        _assert_consistent(db)
        with Store.open(str(db)) as store:
            tagged = store.count_contacts(parse("tag:bulk"))
        assert tagged in (0, ROWS), (round_, tagged)
