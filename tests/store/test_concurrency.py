"""Two writers at once (SPEC §6): no update is lost, derived keys stay true, limits hold,
and incremental changes never Conflict. Each writer has its own Store (own connections), as
two processes would."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from tagtui.query.filter import Text
from tagtui.store import Store, ValidationError
from tagtui.store.contacts import search_key


@pytest.fixture
def twin(db_url: str, store: Store) -> Iterator[Store]:
    """A second Store on the same workspace of the same database."""
    s = Store.open(db_url)
    try:
        yield s
    finally:
        s.close()


def _together(*jobs: Callable[[], None]) -> None:
    """Run the jobs in threads that start at the same moment; re-raise the first error."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if errors:
        raise errors[0]


N = 25


def test_concurrent_tag_updates_are_all_applied(store: Store, twin: Store) -> None:
    tag = store.create_tag("VIP")
    _together(
        lambda: [store.update_tag(tag.id, description=f"a{i}") for i in range(N)],
        lambda: [twin.update_tag(tag.id, emoji=f"{i}") for i in range(N)],
    )
    final = store.get_tag(tag.id)
    assert final.rev == 1 + 2 * N
    assert final.description == f"a{N - 1}" and final.emoji == f"{N - 1}"
    assert len([e for e in store.history(tag=tag.id, limit=1000) if e.kind == "tag.updated"]) == 2 * N


def test_concurrent_status_updates_are_all_applied(store: Store, twin: Store) -> None:
    status = store.create_status("New")
    colors = ["red", "blue"]
    _together(
        lambda: [store.update_status(status.id, name=f"New {i}") for i in range(N)],
        lambda: [twin.update_status(status.id, color=colors[i % 2]) for i in range(N)],
    )
    final = store.get_status(status.id)
    assert final.rev == 1 + 2 * N
    assert final.name == f"New {N - 1}" and final.slug == f"new-{N - 1}"


def test_concurrent_contact_edits_keep_derived_keys_true(store: Store, twin: Store) -> None:
    c = store.add_contact("Jane", email="jane@example.com", company="Acme", assignee="Al")
    _together(
        lambda: [store.update_contact(c.id, name=f"Name {i}") for i in range(N)],
        lambda: [twin.update_contact(c.id, company=f"Company {i}", assignee=f"Who {i}") for i in range(N)],
    )
    final = store.get_contact(c.id)
    assert final.rev == 1 + 2 * N
    assert (final.name, final.company, final.assignee) == (
        f"Name {N - 1}",
        f"Company {N - 1}",
        f"Who {N - 1}",
    )
    keys = store._read(
        lambda tx: tx.one(
            "SELECT name_key, email_key, assignee_key, search FROM contact WHERE id = :id", {"id": c.id}
        )
    )
    assert keys == (
        final.name.lower(),
        "jane@example.com",
        final.assignee.lower(),
        search_key(final.name, final.email, final.company),
    )
    assert store.count_contacts(Text(f"company {N - 1}")) == 1
    assert store.count_contacts(Text(f"name {N - 1}")) == 1


def test_concurrent_syncs_creating_the_same_tags_never_conflict(store: Store, twin: Store) -> None:
    mine = [store.add_contact(f"Mine {i}").id for i in range(N)]
    theirs = [store.add_contact(f"Theirs {i}").id for i in range(N)]
    _together(
        lambda: [store.sync_tags(contact_id=cid, names=[f"Tag {i}", "Shared"]) for i, cid in enumerate(mine)],
        lambda: [
            twin.sync_tags(contact_id=cid, names=[f"tag-{i}", "shared"]) for i, cid in enumerate(theirs)
        ],
    )
    assert store.count_tags() == N + 1
    assert store.get_tag("shared").contacts == 2 * N
    for i in range(N):
        assert store.get_tag(f"tag-{i}").contacts == 2


def test_concurrent_additions_respect_the_tag_limit(store: Store, twin: Store) -> None:
    store.update_settings(max_tags_per_contact=3)
    a, b = store.create_tag("A").id, store.create_tag("B").id
    base = [store.create_tag(f"Base {i}").id for i in range(2)]
    for round_ in range(10):
        cid = store.add_contact(f"C{round_}", tags=base).id
        outcomes: list[str] = []

        def add(s: Store, tag: int, cid: int = cid, outcomes: list[str] = outcomes) -> None:
            try:
                s.change_tags(cid, add=[tag])
                outcomes.append("ok")
            except ValidationError:
                outcomes.append("refused")

        _together(lambda: add(store, a), lambda: add(twin, b))
        assert sorted(outcomes) == ["ok", "refused"]
        assert len(store.get_contact(cid).tags) == 3


def test_concurrent_status_creates_and_moves_keep_positions_1_to_n(store: Store, twin: Store) -> None:
    _together(
        lambda: [store.create_status(f"Mine {i}") for i in range(10)],
        lambda: [twin.create_status(f"Theirs {i}") for i in range(10)],
    )
    assert [s.position for s in store.list_statuses()] == list(range(1, 21))
    _together(
        lambda: [store.move_status(f"mine-{i}", 1) for i in range(10)],
        lambda: [twin.move_status(f"theirs-{i}", 20) for i in range(10)],
    )
    statuses = store.list_statuses()
    assert [s.position for s in statuses] == list(range(1, 21))
    assert sorted(s.name for s in statuses) == sorted(
        [f"Mine {i}" for i in range(10)] + [f"Theirs {i}" for i in range(10)]
    )
