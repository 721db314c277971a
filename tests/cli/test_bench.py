"""``tagtui bench`` end to end on a small demo database: the table and the JSON's shape
(never the timings, which depend on the machine)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tagtui.store.sorting import SORT_FIELDS, Sort
from tests.cli.conftest import Cli

GROUPS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}


def test_bench_runs_every_operation_and_writes_json(run: Cli, tmp_path, monkeypatch) -> None:
    # Group 13 types two of its queries here (the app's process, the real path; all of them take
    # half a minute).
    monkeypatch.setattr("tagtui.bench.UI_STEPS", ("tag:vip", ""))
    db = tmp_path / "bench.db"
    out = tmp_path / "bench.json"
    result = run(
        "bench",
        "--contacts",
        "2000",
        "--runs",
        "1",
        "--db",
        str(db),
        "--json",
        str(out),
        "--sync-cards",
        "50",
    )
    assert result.code == 0, result.err
    data = json.loads(out.read_text())
    assert data["contacts"] == 2000 and data["runs"] == 1
    assert data["db"] == str(db)
    assert set(data["machine"]) >= {"cpus", "python", "sqlite"}
    results = data["results"]
    assert {r["group"] for r in results} == GROUPS
    for r in results:
        assert set(r) >= {"op", "group", "tagtui_s", "raw_s", "ratio", "rss_mb", "note", "runs", "raw_runs"}
        if r["group"] == 9:  # the duplicates scan: no raw floor, its own process's peak RSS
            assert r["op"] == "duplicates scan of 2,000 contacts" and r["raw_s"] is None, r
            assert r["tagtui_s"] > 0 and 10 < r["rss_mb"] < 500 and "groups" in r["note"], r
            continue
        if r["group"] == 13:  # the UI: the app's own process, no raw floor; the target in the note
            assert r["tagtui_s"] > 0 and r["raw_s"] is None and "target" in r["note"], r
            continue
        if r["group"] == 10 and "--query" in r["op"]:  # trends with a query: from the log, no raw floor
            assert r["tagtui_s"] > 0 and r["raw_s"] is None, r
            continue
        assert r["tagtui_s"] > 0 and r["raw_s"] > 0, r
        # the ratio is printed to 2 places
        assert r["ratio"] == pytest.approx(r["tagtui_s"] / r["raw_s"], rel=0.01, abs=0.006)
        # tagtui and the raw statement returned the same rows
        assert "MISMATCH" not in r["note"], r
    ops = [r["op"] for r in results]
    # Group 11: the first and the next page of every sort order, both ways (issue 12 §6).
    assert [op for r, op in zip(results, ops, strict=True) if r["group"] == 11] == [
        f"sort: {which} page by {Sort(field, descending).text}"
        for field in SORT_FIELDS
        for descending in (False, True)
        for which in ("first", "next")
    ]
    assert any("tag:vip -tag:cold-lead status:qualified" in op for op in ops)
    assert any(op.startswith("export:") and op.endswith("as csv") for op in ops)
    assert any(op.startswith("demo --contacts 2,000") for op in ops)
    assert [op.split(",")[0] for op in ops if op.startswith("trends:")] == ["trends: 12 weeks"] * 5
    assert [op.split("(")[-1] for op in ops if op.startswith("trends: 12 weeks, --query")] == [
        "the least used tag)",
        "the most used tag)",
        "the two most used, not the last stage)",
        "all but the least used tag)",
    ]
    # Group 13: the UI in a real terminal (issue 15's lines), then enter to rows over both queries.
    assert [op for r, op in zip(results, ops, strict=True) if r["group"] == 13] == [
        "ui (pty 200x50): first rows",
        "ui (pty 200x50): the count shown",
        "ui (pty 200x50): the board with counts after 4",
        "ui (200x50): enter on a typed query -> new rows painted",
        "ui (200x50): longest event-loop block while typing",
    ]
    entered = next(r for r in results if r["op"].startswith("ui (200x50): enter"))
    assert len(entered["runs"]) == 2 and "median of 2 changes" in entered["note"]
    # The table printed names every operation, with a ratio.
    for op in ops:
        assert op in result.out
    # The demo database is reused by a second run of the same size (no rebuild), and --quick
    # skips generation, import, sync and the UI.
    again = run("bench", "--contacts", "2000", "--runs", "1", "--db", str(db), "--quick", "--json", str(out))
    assert again.code == 0, again.err
    groups = {r["group"] for r in json.loads(out.read_text())["results"]}
    assert groups == GROUPS - {8, 12, 13}


def test_bench_refuses_a_database_that_is_not_a_demo(run: Cli, tmp_path) -> None:
    db = tmp_path / "mine.db"
    assert run("--db", str(db), "tags", "create", "Mine").code == 0
    result = run("bench", "--contacts", "2000", "--runs", "1", "--db", str(db))
    assert result.code == 2
    assert "not a demo database" in result.err
    assert run("bench", "--contacts", "5", "--db", str(tmp_path / "x.db")).code == 2


def test_a_child_process_reports_its_own_peak_memory_not_its_parents() -> None:
    """The import and duplicates rows run in a child of the bench, which holds the demo database's
    pages by then; ``ru_maxrss`` of such a child starts at the parent's peak (Linux keeps it over
    fork and exec), so the row showed the bench's memory, not the import's."""
    if not sys.platform.startswith("linux"):
        pytest.skip("VmHWM is Linux's; elsewhere the probe falls back to ru_maxrss")
    ballast = bytearray(200 * 1024 * 1024)
    for page in range(0, len(ballast), 4096):  # touch every page: resident, not just reserved
        ballast[page] = 1
    code = "from tagtui.bench.probe import own_peak_rss_kib; print(own_peak_rss_kib())"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert int(out.stdout) < 150 * 1024  # a small interpreter, far under the parent's 200 MB
    del ballast


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "usage: python -m tagtui.bench.pty_probe DB"),
        (["{missing}"], "is not a tagtui database it can read"),
        (["{text}"], "is not a tagtui database it can read (file is not a database)"),
        (["{text}", "soon"], "the timeout must be a number of seconds above 0, not 'soon'"),
    ],
)
def test_the_pty_probe_refuses_what_it_cannot_time_in_one_line(tmp_path, capsys, args, says) -> None:
    """The bench's probe run by hand: a path it cannot read or a bad timeout is one line on
    stderr and exit code 2, not a traceback (and no app is started)."""
    from tagtui.bench import pty_probe

    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 200)
    paths = {"missing": tmp_path / "none" / "x.db", "text": text}
    code = pty_probe.main([a.format(**paths) for a in args])
    err = capsys.readouterr().err
    assert code == 2
    assert says in err and len(err.strip().splitlines()) == 1
