"""Long jobs report ``progress(done, total)`` and stop, changing nothing, when it raises (issue 12.7).

Bulk tag and status changes, the staged bulk change, bulk delete, demo data and export: each
told a chunk at a time (the chunk made small here so a few hundred contacts give several
reports), each the same change as without progress, and each cancelled from its callback
leaves every table (or the export's file) as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from tagtui.query import parse
from tagtui.store import Store, jobs
from tagtui.store.jobs import Cancelled
from tests.store.conftest import many_contacts, snapshot

CONTACTS = 230


@pytest.fixture
def many(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setattr(jobs, "CHUNK", 50)
    return many_contacts(store, CONTACTS)


#: Each bulk job as a call taking the progress callback.
JOBS: dict[str, Callable[[Store, Any], Any]] = {
    "tag and untag": lambda s, p: s.bulk_change_tags(
        parse("person"), add=["VIP"], remove=["Cold"], progress=p
    ),
    "status": lambda s, p: s.bulk_set_status(parse("person"), "Won", progress=p),
    "staged": lambda s, p: s.apply_bulk_change(parse("person"), add=["VIP"], status="New", progress=p),
    "delete": lambda s, p: s.bulk_delete_contacts(parse("-tag:cold"), progress=p),
}


@pytest.mark.parametrize("name", list(JOBS))
def test_a_bulk_job_reports_progress_and_does_the_same_change(name: str, many: Store) -> None:
    calls: list[tuple[int, int]] = []
    with many.rehearsal():  # the same job without progress, for comparison, then rolled back
        JOBS[name](many, None)
        expected = _data(many)
    JOBS[name](many, lambda done, total: calls.append((done, total)))
    assert calls[0][0] == 0
    assert len(calls) >= 4, calls  # several chunks of 50
    dones = [d for d, _ in calls]
    assert dones == sorted(dones)
    assert calls[-1][0] == calls[-1][1] > 0
    assert _data(many) == expected


@pytest.mark.parametrize("name", list(JOBS))
def test_a_bulk_job_cancelled_from_its_progress_changes_nothing(name: str, many: Store) -> None:
    before = snapshot(many)
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done >= 100:  # two chunks written inside the transaction: then the user cancels
            raise Cancelled()

    with pytest.raises(Cancelled):
        JOBS[name](many, progress)
    assert max(seen) >= 100
    assert snapshot(many) == before
    # And the job still runs afterwards.
    JOBS[name](many, None)
    assert snapshot(many) != before


def test_demo_reports_progress_and_a_cancel_adds_nothing(store: Store) -> None:
    from tagtui.io.demo import generate

    before = snapshot(store)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done >= 1000:
            raise Cancelled()

    with pytest.raises(Cancelled):
        generate(store, contacts=3000, seed=1, progress=progress)
    assert calls[0] == (0, 3000) and calls[-1] == (1000, 3000)  # ~20 reports: a chunk of 500
    assert snapshot(store) == before

    calls.clear()
    generate(store, contacts=3000, seed=1, progress=lambda d, t: calls.append((d, t)))
    assert len(calls) == 7 and calls[-1] == (3000, 3000)
    assert store.count_contacts(parse("")) == 3000


def test_an_export_cancelled_leaves_no_file_and_an_old_file_as_it_was(many: Store, tmp_path) -> None:
    from tagtui.io import target as targets
    from tagtui.io.export import export_contacts

    def cancel_after_first(done: int, total: int) -> None:
        if done:
            raise Cancelled()

    def export(path: str, progress: Any) -> Any:
        target = targets.resolve(path)
        return targets.write(
            target, "csv", lambda out: export_contacts(many, parse(""), "csv", out, progress=progress)
        )

    folder = tmp_path / "out"
    folder.mkdir()
    new = str(folder / "new.csv")
    with pytest.raises(Cancelled):
        export(new, cancel_after_first)
    assert os.listdir(folder) == []  # neither the file nor its temporary file

    old = folder / "old.csv"
    old.write_text("the user's old file\n")
    with pytest.raises(Cancelled):
        export(str(old), cancel_after_first)
    assert old.read_text() == "the user's old file\n"
    assert os.listdir(folder) == ["old.csv"]

    calls: list[tuple[int, int]] = []
    assert export(new, lambda d, t: calls.append((d, t))) == CONTACTS
    assert calls[-1] == (CONTACTS, CONTACTS)


def _data(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """What a bulk job changes, without its time stamps (the two runs differ only in those)."""

    def run(tx: Any) -> dict[str, list[tuple[Any, ...]]]:
        return {
            "contacts": [tuple(r) for r in tx.all("SELECT id, name, status_id FROM contact ORDER BY id")],
            "tags": [
                tuple(r)
                for r in tx.all("SELECT contact_id, tag_id FROM contact_tag ORDER BY contact_id, tag_id")
            ],
        }

    return store._read(run)
