"""Changes racing undo and redo (issue 18.2): several processes change statuses and tags,
undo and redo on one workspace; afterwards the step journal must describe the state exactly
(``journal_stress.check_journal``). Runs on SQLite, and on PostgreSQL with ``TAGTUI_TEST_PG_URL``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tagtui.store import Store
from tests.store import journal_stress as js

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 3
OPS = 80


@pytest.mark.parametrize("by", ["any", "actor"])
def test_changes_racing_undo_and_redo_keep_the_journal_true(db_url: str, tmp_path: Path, by: str) -> None:
    """``any``: one actor, each undo takes the workspace's newest step. ``actor``: three
    actors, each undoing and redoing its own steps between the others' (undo by actor, 12.8)."""
    with Store.open(db_url) as store:
        js.seed(store)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.store.journal_stress", db_url, str(p), str(OPS), str(go), by],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "TAGTUI_ACTOR"},
        )
        for p in range(PROCESSES)
    ]
    time.sleep(1.0)  # all started and waiting (their imports take ~0.5 s)
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    ops = {k: sum(r["ops"].get(k, 0) for r in results) for k in ("undo", "redo", "status", "assign")}
    assert all(n > 0 for n in ops.values()), results  # every kind really ran
    with Store.open(db_url) as store:
        assert js.check_journal(store, stacked=by == "any") == []
