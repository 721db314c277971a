"""Pipeline trends from hand-made status events with known counts, conversions and medians."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from tagtui.query import parse
from tagtui.store import Store, ValidationError
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
