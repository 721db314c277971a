"""Demo data: deterministic, believable, the same tag and status set whatever N, set-based."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from tagtui.io import demo
from tagtui.io.demo import FOLLOWER_TAGS, RANKED_TAGS, DemoResult, generate
from tagtui.query.filter import NoAssignee, NoStatus, NoTags, Tags
from tagtui.store import Store, ValidationError
from tagtui.store.contacts import search_key
from tagtui.store.sorting import Sort
from tagtui.store.statuses import STANDARD_PIPELINE
from tagtui.store.tags import STANDARD_TAGS
from tests.io.conftest import snapshot, sql

N = 1500


def contacts_of(store: Store) -> list[dict]:
    return [r.to_json() for r in store.iter_contacts()]


def test_same_seed_gives_the_same_data(store: Store, second_store: Store) -> None:
    first = generate(store, contacts=300, seed=7)
    second = generate(second_store, contacts=300, seed=7)
    assert first.contacts == second.contacts == 300
    assert contacts_of(store) == contacts_of(second_store)
    assert [(t.name, t.color, t.emoji, t.contacts) for t in store.list_tags(limit=1000)] == [
        (t.name, t.color, t.emoji, t.contacts) for t in second_store.list_tags(limit=1000)
    ]


def test_another_seed_gives_other_data(store: Store, second_store: Store) -> None:
    generate(store, contacts=200, seed=1)
    generate(second_store, contacts=200, seed=2)
    a, b = contacts_of(store), contacts_of(second_store)
    assert len(a) == len(b) == 200
    assert [(r["company"], r["status"], r["tags"]) for r in a] != [
        (r["company"], r["status"], r["tags"]) for r in b
    ]


def test_the_same_tags_and_statuses_whatever_n(store: Store, other: Store) -> None:
    small = generate(store, contacts=10)
    large = generate(other, contacts=500)
    assert (small.tags, small.statuses) == (large.tags, large.statuses) == (40, 7)

    def tag_set(s: Store) -> list[tuple]:
        return sorted((t.name, t.slug, t.color, t.emoji, t.description) for t in s.list_tags(limit=1000))

    assert tag_set(store) == tag_set(other)
    assert [s.name for s in store.list_statuses()] == [s.name for s in other.list_statuses()]
    assert [s.name for s in store.list_statuses()] == [name for name, _ in STANDARD_PIPELINE]
    names = {t.name for t in store.list_tags(limit=1000)}
    assert {name for name, _ in STANDARD_TAGS} | {"VIP", "Influencer", "High Reach"} <= names
    assert store.get_tag("do-not-contact").color == "#1f2937"
    assert store.get_tag("hot-lead").color == "#ef4444"


def test_demo_reuses_existing_tags_and_statuses(store: Store) -> None:
    mine = store.create_tag("vip", color="teal")
    store.create_status("Qualified", color="red")
    generate(store, contacts=50)
    vip = store.get_tag("VIP")
    assert (vip.id, vip.name, vip.color) == (mine.id, "vip", "#14b8a6")
    assert [s.name for s in store.list_statuses()].count("Qualified") == 1
    assert store.count_tags() == len(RANKED_TAGS) + len(FOLLOWER_TAGS)


def test_distribution_is_believable(store: Store) -> None:
    result = generate(store, contacts=N, seed=3)
    assert isinstance(result, DemoResult) and result.contacts == N
    assert result.to_json().keys() == {"contacts", "tags", "statuses", "seconds"}
    counts = {t.name: t.contacts for t in store.list_tags(limit=1000)}
    ranked = [counts[name] for name, *_ in RANKED_TAGS]
    # Zipf-like, not uniform: the head far above the tail, VIP (rank 12) well below the head.
    assert ranked[0] > 8 * ranked[-1]
    assert min(ranked[:5]) > max(ranked[-5:])
    assert ranked[-1] < counts["VIP"] < ranked[0] / 3
    untagged = store.count_contacts(NoTags())
    assert 0.05 * N <= untagged <= 0.15 * N
    assignments = sum(counts.values())
    assert 2.5 <= assignments / N <= 3.5
    no_status = store.count_contacts(NoStatus())
    assert 0.10 * N <= no_status <= 0.20 * N
    assert 0.12 * N <= store.count_contacts(NoAssignee()) <= 0.28 * N
    assert store.count_contacts(Tags(("vip",))) == counts["VIP"]
    rows = contacts_of(store)
    assert any(not r["name"].isascii() for r in rows)
    followers = sorted(r["followers"] for r in rows)
    assert followers[len(rows) // 2] < 1000  # most below 1,000
    assert followers[-1] > 100_000
    assert len({r["assignee"] for r in rows if r["assignee"]}) in range(5, 9)


def test_emails_are_unique_and_keys_derived_like_the_store(store: Store) -> None:
    generate(store, contacts=N)
    rows = sql(
        store,
        "SELECT name, email, company, assignee, name_key, email_key, assignee_key, search"
        " FROM contact WHERE workspace_id = :ws",
    )
    assert len(rows) == N
    assert len({r[5] for r in rows}) == N
    for name, email, company, assignee, name_key, email_key, assignee_key, search in rows:
        assert email.count("@") == 1 and email.endswith(".example")
        assert name_key == name.lower()
        assert email_key == email.lower()
        assert assignee_key == (assignee.lower() if assignee else None)
        assert search == search_key(name, email, company)


def _indexes_and_triggers(store: Store) -> list[tuple[str, ...]]:
    with store.db.transaction(write=False) as tx:
        engine = tx.db.engine
        tables = ("contact", "contact_tag", "event")
        indexes = [(t, *i) for t in tables for i in engine.index_definitions(tx, t, but="")]
        return sorted(indexes) + sorted((n,) for n in engine.trigger_names(tx))


def _tags_order(store: Store, descending: bool = False) -> list[int]:
    """The contacts in the Tags column's order, as a person pages through them."""
    got: list[int] = []
    after = None
    while True:
        page = store.list_contacts(limit=700, after=after, with_total=False, sort=Sort("tags", descending))
        got += [r.id for r in page.rows]
        if not page.rows or page.next_after is None:
            return got
        after = page.next_after


def _by_tag_names(store: Store, descending: bool = False) -> list[int]:
    rows = list(store.iter_contacts())
    names = {r.id: [t.name.lower() for t in r.tags] for r in rows}
    present = sorted((i for i in names if names[i]), key=lambda i: (names[i], i), reverse=descending)
    return present + sorted((i for i in names if not names[i]), reverse=descending)


def test_contacts_sort_by_their_tags_after_a_demo(store: Store) -> None:
    """The demo writes each contact's tags key with it (the trigger that would rewrite it
    per tag is off meanwhile, and on SQLite the indexes are built at the end): the Tags
    order is exact after a first demo, after a second into a workspace with a tag of its own
    spelling, and the trigger and every index are back."""
    before = _indexes_and_triggers(store)
    store.create_tag("aaa")
    generate(store, contacts=N)
    for descending in (False, True):
        assert _tags_order(store, descending) == _by_tag_names(store, descending)
    assert _indexes_and_triggers(store) == before
    store.update_tag("VIP", name="0 VIP")  # sorts first now
    generate(store, contacts=300, seed=3)
    assert _tags_order(store) == _by_tag_names(store)
    assert _indexes_and_triggers(store) == before
    # The trigger is back: a tag given afterwards moves the contact.
    last = _tags_order(store)[-1]
    store.change_tags(last, add=["aaa"])
    assert _tags_order(store) == _by_tag_names(store)
    assert _tags_order(store)[-1] != last


def test_follower_auto_tags_follow_reference_000(store: Store) -> None:
    generate(store, contacts=N, seed=5)
    rows = contacts_of(store)
    for r in rows:
        influencer, high_reach = "Influencer" in r["tags"], "High Reach" in r["tags"]
        assert influencer == (r["followers"] > 100_000)
        assert high_reach == (10_000 < r["followers"] <= 100_000)
    assert any("High Reach" in r["tags"] for r in rows)


def test_running_twice_adds_more(store: Store) -> None:
    generate(store, contacts=300)
    tags_before = store.count_tags()
    second = generate(store, contacts=300)
    assert second.contacts == 300
    assert store.count_contacts() == 600
    assert store.count_tags() == tags_before
    assert len(store.list_statuses()) == 7
    emails = [r[0] for r in sql(store, "SELECT email_key FROM contact WHERE workspace_id = :ws")]
    assert len(set(emails)) == 600
    # Contacts added by hand afterwards get fresh ids.
    added = store.add_contact("After Demo", email="after@example.com")
    assert added.id > max(
        r[0] for r in sql(store, "SELECT id FROM contact WHERE email_key <> 'after@example.com'")
    )


def test_one_event_for_the_whole_run(store: Store) -> None:
    generate(store, contacts=200)
    kinds = [r[0] for r in sql(store, "SELECT kind FROM event WHERE workspace_id = :ws")]
    assert kinds.count("demo.generated") == 1
    assert "contact.created" not in kinds
    event = store.history(limit=1)[0]
    assert event.kind == "demo.generated" and event.payload["contacts"] == 200


def test_progress_is_reported(store: Store) -> None:
    calls: list[tuple[int, int]] = []
    generate(store, contacts=250, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 250) and calls[-1] == (250, 250)
    assert all(total == 250 for _, total in calls)


def test_a_failure_leaves_nothing_behind(store: Store) -> None:
    before = snapshot(store)

    def stop(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate(store, contacts=100, progress=stop)
    assert snapshot(store) == before
    # The store still works, and a demo after it too.
    assert generate(store, contacts=20).contacts == 20


@pytest.mark.parametrize("bad", [0, -5, True, 10**9, "100"])
def test_contacts_must_be_a_sensible_number(store: Store, bad: object) -> None:
    with pytest.raises(ValidationError):
        generate(store, contacts=bad)  # type: ignore[arg-type]
    assert store.count_contacts() == 0


def test_history_of_stage_changes_leads_to_each_status(store: Store) -> None:
    """Every contact with a status got there through the stages before it, over the past year."""
    generate(store, contacts=400)
    ranked = sql(store, "SELECT id FROM status WHERE workspace_id = :ws ORDER BY position, id")
    order = {r[0]: rank for rank, r in enumerate(ranked)}
    statuses = dict(sql(store, "SELECT id, status_id FROM contact WHERE workspace_id = :ws"))
    rows = sql(
        store,
        "SELECT subject_id, at, payload FROM event WHERE workspace_id = :ws"
        " AND kind = 'contact.status_changed' ORDER BY subject_id, at, id",
    )
    paths: dict[int, list[tuple[str, dict]]] = {}
    for cid, at, payload in rows:
        paths.setdefault(cid, []).append((at, json.loads(payload)))
    assert set(paths) == {cid for cid, sid in statuses.items() if sid is not None}
    now = datetime.now(UTC)
    lost = max(order, key=order.get)  # Lost: the last stage
    for cid, path in paths.items():
        assert path[-1][1]["after"] == statuses[cid]
        assert path[0][1]["before"] is None
        for (_, a), (_, b) in pairwise(path):
            assert b["before"] == a["after"]
            assert order[b["after"]] > order[a["after"]]  # pipeline order
            assert b["after"] == lost or order[b["after"]] == order[a["after"]] + 1
        first = datetime.fromisoformat(path[0][0].replace("Z", "+00:00"))
        last = datetime.fromisoformat(path[-1][0].replace("Z", "+00:00"))
        assert now - timedelta(days=365) < first <= last <= now
    trends = store.trends(weeks=52)
    assert sum(trends.entered["New"]) > 100 and sum(trends.entered["Won"]) > 0
    assert trends.time_in_stage["Proposal"].median_days is not None


def test_contact_ids_past_53_020_get_their_history(store: Store) -> None:
    """The demo picks each contact's timeline by id x 40,503: past id 53,020 that product does
    not fit PostgreSQL's integer (a demo of 200,000 contacts stopped with 'integer out of range')."""

    def start_ids_at_60_000(tx) -> None:  # type: ignore[no-untyped-def]
        if tx.db.dialect == "postgresql":
            tx.execute("SELECT setval(pg_get_serial_sequence('contact', 'id'), 60000)")
        else:
            tx.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('contact', 60000)")

    store._write(start_ids_at_60_000)
    assert generate(store, contacts=50, seed=1).contacts == 50
    ids = [r.id for r in store.iter_contacts()]
    assert len(ids) == 50 and min(ids) > 60_000
    moved = sql(store, "SELECT COUNT(DISTINCT subject_id) FROM event WHERE kind = 'contact.status_changed'")
    with_status = sql(store, "SELECT COUNT(*) FROM contact WHERE status_id IS NOT NULL")
    assert moved[0][0] == with_status[0][0] > 0  # each one's steps to its status


class _Clock(datetime):
    """The demo's clock, stopped: two runs draw their history at the same moment."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
        return cls(2026, 11, 30, 14, 5, 9, 123456, tzinfo=tz)


def _demo_data(store: Store) -> dict[str, list[tuple]]:
    return {
        "contacts": [tuple(sorted(r.items())) for r in contacts_of(store)],
        "links": sql(store, "SELECT contact_id, tag_id, created_at FROM contact_tag ORDER BY 1, 2"),
        "history": sql(
            store,
            "SELECT at, subject_id, payload FROM event WHERE workspace_id = :ws"
            # Not by id: PostgreSQL may insert a join's rows in another order for other tables.
            " AND kind = 'contact.status_changed' ORDER BY subject_id, at, payload",
        ),
    }


@pytest.mark.parametrize("contacts", [1, 60, 900])
def test_a_small_demo_is_the_data_the_whole_lookup_tables_give(
    store: Store, second_store: Store, monkeypatch: pytest.MonkeyPatch, contacts: int
) -> None:
    """Up to SPARSE_UP_TO contacts, the lookup tables hold only the rows the contacts pick
    (picked in Python by the SQL's arithmetic); the contacts, tags and history are the same
    as with every row, for a first run and for a second one on top of it."""
    monkeypatch.setattr(demo, "datetime", _Clock)
    for seed in (4, 5):
        generate(store, contacts=contacts, seed=seed)
    monkeypatch.setattr(demo, "SPARSE_UP_TO", 0)
    for seed in (4, 5):
        generate(second_store, contacts=contacts, seed=seed)
    sparse, whole = _demo_data(store), _demo_data(second_store)
    assert len(sparse["contacts"]) == 2 * contacts
    assert sparse["history"] and sparse["links"]
    assert sparse == whole
