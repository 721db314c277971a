"""``tagtui bench``'s sync rows (group 12, issue 13): tagtui's sync and a bare script making the
same requests on a local Radicale agree on what they read; without Radicale the rows say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagtui.bench import Bench, Result
from tagtui.bench import sync as bench_sync


class _Rows:
    """What ``Bench.add`` needs of a bench: runs, results, progress."""

    runs = 1

    def __init__(self) -> None:
        self.results: list[Result] = []
        self.progress = lambda _: None

    def add(self, *args, **kwargs) -> Result:  # type: ignore[no-untyped-def]
        return Bench.add(self, *args, **kwargs)  # type: ignore[arg-type]


def test_the_sync_rows_time_tagtui_beside_the_bare_requests(tmp_path: Path) -> None:
    rows = _Rows()
    bench_sync.sync_rows(str(tmp_path), 60, 1, rows.add, rows.progress)
    assert [r.op for r in rows.results] == [
        "sync: first pull of 60 cards (local Radicale)",
        "sync: nothing changed, 60 cards (local Radicale)",
    ]
    for r in rows.results:
        assert r.group == 12 and "MISMATCH" not in r.note and "skipped" not in r.note
        assert r.tagtui_s is not None and r.raw_s is not None and r.ratio is not None


def test_without_radicale_the_rows_say_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_sync.importlib.util, "find_spec", lambda name: None)
    rows = _Rows()
    bench_sync.sync_rows(str(tmp_path), 60, 1, rows.add, rows.progress)
    assert len(rows.results) == 2
    for r in rows.results:
        assert r.tagtui_s is None and r.raw_s is None
        assert r.note == "skipped: radicale is not installed (pip install -e '.[test]')"
