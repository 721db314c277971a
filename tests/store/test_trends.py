"""Pipeline trends from hand-made status events with known counts, conversions and medians."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from tagtui.query import parse
from tagtui.store import NotFound, Store, ValidationError
from tagtui.store.trends import week_starts

WEEKS = 4


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _event(store: Store, kind: str, subject: int | None, at: datetime, **payload: object) -> None:
    store._write(
        lambda tx: tx.execute(
            "INSERT INTO event (workspace_id, at, kind, subject_type, subject_id, payload)"
            " VALUES (:ws, :at, :kind, :st, :sid, :payload)",
            store._params(
                at=_at(at),
                kind=kind,
                st="contact" if subject else "workspace",
                sid=subject,
                payload=json.dumps(payload),
            ),
        )
    )


@pytest.fixture
def history(store: Store) -> Store:
    """A, B and C move through New -> Contacted -> Won in weeks 0-2 of a 4-week window.

    A: New w1+1d, Contacted w1+3d, Won w2+1d.  B: New w1+2d, Contacted w2+3d (still there).
    C: New w0+1d, cleared w0+5d.  A bulk change sets Won on 10 contacts in w2+2d.
    A and B have the tag vip.  Before the window: an event of A that must not count.
    """
    store.setup_statuses()
    new, contacted, won = (store._read(lambda tx, n=n: tx.scalar(
        "SELECT id FROM status WHERE workspace_id = :ws AND name = :n", store._params(n=n)
    )) for n in ("New", "Contacted", "Won"))  # fmt: skip
    a, b, c = (store.add_contact(n).id for n in ("Ann", "Bob", "Cy"))
    store.create_tag("vip")
    store.assign("vip", [a, b])
    w = week_starts(WEEKS)
    day = timedelta(days=1)
    _event(store, "contact.status_changed", a, w[0] - day, before=None, after=new)
    _event(store, "contact.status_changed", a, w[1] + day, before=None, after=new)
    _event(store, "contact.status_changed", a, w[1] + 3 * day, before=new, after=contacted)
    _event(store, "contact.status_changed", a, w[2] + day, before=contacted, after=won)
    _event(store, "contact.status_changed", b, w[1] + 2 * day, before=None, after=new)
    _event(store, "contact.status_changed", b, w[2] + 3 * day, before=new, after=contacted)
    _event(store, "contact.status_changed", c, w[0] + day, before=None, after=new)
    _event(store, "contact.status_changed", c, w[0] + 5 * day, before=new, after=None)
    _event(store, "contacts.status_changed", None, w[2] + 2 * day, after=won, contacts=10)
    return store


def test_entered_conversion_and_time_in_stage(history: Store) -> None:
    t = history.trends(weeks=WEEKS)
    assert t.weeks == tuple(d.date().isoformat() for d in week_starts(WEEKS))
    assert datetime.fromisoformat(t.weeks[0]).weekday() == 0
    assert t.entered["New"] == [1, 2, 0, 0]
    assert t.entered["Contacted"] == [0, 1, 1, 0]
    assert t.entered["Won"] == [0, 0, 11, 0]  # A plus the bulk change of 10
    assert t.entered["Lost"] == [0, 0, 0, 0]
    assert t.conversion["New"] == [0.0, 1.0, None, None]
    assert t.conversion["Contacted"] == [None, 1.0, 0.0, None]
    assert t.conversion["Won"] == [None, None, 0.0, None]  # only A counts in the denominator
    # New: A 2 days, B 8 days, C 4 days -> median 4, p90 4 + 0.8 * 4.
    assert t.time_in_stage["New"].to_json() == {"median_days": 4.0, "p90_days": 7.2, "stays": 3}
    # Contacted: only A has left (5 days); B is still there and is left out.
    assert t.time_in_stage["Contacted"].to_json() == {"median_days": 5.0, "p90_days": 5.0, "stays": 1}
    assert t.time_in_stage["Won"].median_days is None
    assert t.tags == {"vip": [0, 0, 0, 2]}
    assert list(t.entered) == ["New", "Contacted", "Qualified", "Demo", "Proposal", "Won", "Lost"]


def test_a_query_keeps_its_contacts_events_and_drops_bulk_counts(history: Store) -> None:
    t = history.trends(parse("tag:vip"), weeks=WEEKS)
    assert t.entered["New"] == [0, 2, 0, 0]
    assert t.entered["Won"] == [0, 0, 1, 0]
    # New: A 2 days, B 8 days -> median 5, p90 2 + 0.9 * 6.
    assert t.time_in_stage["New"].to_json() == {"median_days": 5.0, "p90_days": 7.4, "stays": 2}
    assert t.conversion["New"] == [None, 1.0, None, None]


def test_json_shape_and_weeks_bounds(history: Store) -> None:
    doc = history.trends(weeks=1).to_json()
    assert set(doc) == {"weeks", "entered", "conversion", "time_in_stage", "tags"}
    assert len(doc["weeks"]) == 1 and all(len(v) == 1 for v in doc["entered"].values())
    for bad in (0, 105, True, "3"):
        with pytest.raises(ValidationError):
            history.trends(weeks=bad)  # type: ignore[arg-type]


def test_empty_workspace(store: Store) -> None:
    t = store.trends()
    assert len(t.weeks) == 12 and t.entered == {} and t.tags == {}


def _rebuilt(store: Store, weeks: int = WEEKS) -> dict:
    """The trends after the trend tables are made anew from the log."""
    store._write(lambda tx: tx.execute("DELETE FROM trend_state WHERE workspace_id = :ws", store._params()))
    return store.trends(weeks=weeks).to_json()


def test_the_trend_tables_fold_new_events_in_as_a_rebuild_would(history: Store) -> None:
    store = history
    first = store.trends(weeks=WEEKS).to_json()
    a, b, _ = (c.id for c in store.list_contacts().rows)
    w = week_starts(WEEKS)
    day = timedelta(days=1)
    contacted, won = store.get_status("Contacted").id, store.get_status("Won").id
    # A late event of A dated before its others; B cleared; a new contact moved by the store.
    _event(store, "contact.status_changed", a, w[1] + 2 * day, before=None, after=contacted)
    _event(store, "contact.status_changed", b, w[3] + day, before=contacted, after=None)
    dee = store.add_contact("Dee", status="New").id
    store.set_status(dee, "Won")
    folded = store.trends(weeks=WEEKS).to_json()
    assert folded != first
    assert folded == _rebuilt(store)
    # The events so far are folded in: reading again folds nothing and gives the same.
    newest = store._read(lambda tx: tx.scalar("SELECT MAX(id) FROM event"))
    assert store._read(lambda tx: tx.scalar("SELECT last_event_id FROM trend_state")) == newest
    assert store.trends(weeks=WEEKS).to_json() == folded
    # A new pipeline order changes what "moved on" means: the tables are made anew.
    store.move_status(won, 1)
    moved = store.trends(weeks=WEEKS).to_json()
    assert moved["conversion"] != folded["conversion"]
    assert moved == _rebuilt(store)


def test_whole_days_and_percentiles_from_the_histogram(history: Store) -> None:
    from tagtui.store.trends import percentile, whole_days

    assert [whole_days(h * 3600) for h in (0, 11, 12, 13, 36)] == [0, 0, 1, 1, 2]
    assert percentile([], 0.5) is None
    assert percentile([(2, 1), (4, 1), (8, 1)], 0.5) == 4.0
    assert percentile([(2, 1), (4, 1), (8, 1)], 0.9) == 7.2
    assert percentile([(1, 3), (10, 1)], 0.9) == 7.3  # ranks 3 and 4: 1 + 0.7 * 9


def _tag_counts(store: Store) -> tuple[dict, dict]:
    """trend_tag, and what it must hold: the assignments there are, per tag and week."""
    from tagtui.store.models import week_of as _week_of

    def run(tx):  # type: ignore[no-untyped-def]
        kept = {(t, w): n for t, w, n in tx.all("SELECT tag_id, week, n FROM trend_tag") if n}
        week = _week_of(store.db.dialect, "created_at")
        real = dict(
            ((t, w), n)
            for t, w, n in tx.all(f"SELECT tag_id, {week} AS w, COUNT(*) FROM contact_tag GROUP BY tag_id, w")
        )
        return kept, real

    return store._read(run)


def test_tag_counts_follow_every_way_an_assignment_comes_or_goes(store: Store) -> None:
    from tagtui.io.demo import generate

    def check() -> None:
        kept, real = _tag_counts(store)
        assert kept == real

    generate(store, contacts=300, seed=2)
    check()
    gold = store.create_tag("Gold")
    ids = [c.id for c in store.list_contacts(limit=20).rows]
    store.assign("Gold", ids[:10])
    store.change_tags(ids[11], add=["Gold"])
    check()
    store.bulk_change_tags(parse("status:won"), add=["Gold"], remove=["Customer"])
    check()
    store.undo()
    check()
    store.redo()
    check()
    store.delete_contacts(ids[:3])
    check()
    store.merge_contacts(ids[4], [ids[5], ids[6]])
    check()
    store.undo()
    check()
    store.delete_tag(gold.id, force=True)
    check()
    store.undo()
    check()
    assert store.trends().tags == store.trends(parse("followers>=0")).tags
    while True:  # ... back to before the demo: nothing is left
        try:
            store.undo()
        except NotFound:
            break
    check()
    assert _tag_counts(store)[0] == {}


def test_without_a_query_the_tables_give_what_the_log_gives(store: Store) -> None:
    """On a demo (no bulk changes, no deleted contacts) a query selecting everyone reads the
    log; without one the trend tables are read: the same numbers."""
    from tagtui.io.demo import generate

    generate(store, contacts=600, seed=5)
    store.set_status(store.list_contacts(limit=1).rows[0].id, "Won")
    fast = store.trends(weeks=52).to_json()
    slow = store.trends(parse("followers>=0"), weeks=52).to_json()
    assert fast == slow
    assert sum(fast["entered"]["New"]) > 100 and fast["time_in_stage"]["Proposal"]["median_days"]


@pytest.mark.parametrize("query", ["tag:vip", "status:won", "tag:customer -status:lost"])
def test_a_query_gives_the_same_by_its_contacts_rows_or_by_the_window(
    store: Store, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    """Few selected contacts are read by their own trend rows and tags (by primary key),
    many by the window's rows and the tags' assignments; both plans give the same numbers."""
    from tagtui.io.demo import generate

    generate(store, contacts=500, seed=7)
    monkeypatch.setattr("tagtui.store.trends.by_contacts", lambda *_: True)  # every selection is "few"
    by_contacts = store.trends(parse(query), weeks=52).to_json()
    monkeypatch.setattr("tagtui.store.trends.by_contacts", lambda *_: False)  # none is
    by_window = store.trends(parse(query), weeks=52).to_json()
    assert by_contacts == by_window
    assert sum(sum(v) for v in by_window["entered"].values()) > 0 and by_window["tags"]
