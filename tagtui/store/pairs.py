"""``trend_pair`` (see ``models.TrendPairRow``) counted a statement at a time by SQLite's bulk writes.

On SQLite its triggers run once per assignment, each reading the contact's other tags and
writing a row per pair: a bulk write (a tag given to 100,000 contacts, an import, a demo)
turns them off for its transaction (``paused``) and counts the pairs its statements make or
take with one grouped statement each, here. On PostgreSQL the triggers already run once per
statement, so nothing is paused and these functions are not called.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from tagtui.store.db import Tx

#: The row triggers a bulk write turns off (the update trigger stays: no bulk write updates).
PAUSED = ("trend_pair_added", "trend_pair_removed")

#: A count that falls to 0 goes (by ``ix_trend_pair_empty``), as the triggers do it.
EMPTIED = "DELETE FROM trend_pair WHERE n = 0"
_UPSERT = (
    "INSERT INTO trend_pair (tag_id, other_id, week, n) {select}"
    " ON CONFLICT (tag_id, other_id, week) DO UPDATE SET n = trend_pair.n + excluded.n"
)


@contextmanager
def paused(tx: Tx) -> Iterator[bool]:
    """SQLite: the ``PAUSED`` triggers dropped for the block, made again after it (in the same
    transaction: no other connection sees them gone). Yields whether they were: the block then
    counts its pairs itself. Yields False (nothing done) on PostgreSQL."""
    engine = tx.db.engine
    found = engine.trigger_names(tx) if engine.row_triggers else set()
    dropped = [name for name in PAUSED if name in found]
    for name in dropped:
        tx.execute(f"DROP TRIGGER {name}")
    try:
        yield bool(dropped)
    finally:
        for name in dropped:
            (create,) = (d for d in engine.trend_pair_triggers() if d.startswith(f"CREATE TRIGGER {name} "))
            tx.execute(create)


def count_given(tx: Tx, tag_id: int, contacts: str, stamp: str) -> None:
    """Before tag ``tag_id`` is given, as of ``stamp``, to the contacts of ``contacts`` (a FROM
    item aliased ``c`` with a column ``id``) that lack it: the pairs it will make with each
    tag they have, both ways."""
    week = tx.db.engine.week_of
    lacking = (
        f"FROM {contacts} JOIN contact_tag a ON a.contact_id = c.id WHERE NOT EXISTS"
        f" (SELECT 1 FROM contact_tag y WHERE y.contact_id = c.id AND y.tag_id = {int(tag_id)})"
    )
    select = (
        f"SELECT a.tag_id, {int(tag_id)}, {week(':at')}, COUNT(*) {lacking} GROUP BY a.tag_id"
        f" UNION ALL SELECT {int(tag_id)}, a.tag_id, {week('a.created_at')} AS w, COUNT(*) {lacking}"
        " GROUP BY a.tag_id, w"
    )
    tx.execute(_UPSERT.format(select=select), {"at": stamp})


def count_taken(tx: Tx, tag_id: int, contacts: str) -> None:
    """Before tag ``tag_id`` is taken from the contacts of ``contacts`` (as ``count_given``):
    the pairs it makes with their other tags, both ways, taken away."""
    week = tx.db.engine.week_of
    holding = (
        f"FROM {contacts} JOIN contact_tag y ON y.contact_id = c.id AND y.tag_id = {int(tag_id)}"
        f" JOIN contact_tag a ON a.contact_id = c.id AND a.tag_id <> {int(tag_id)}"
    )
    select = (
        f"SELECT a.tag_id, {int(tag_id)}, {week('y.created_at')} AS w, -COUNT(*) {holding}"
        f" GROUP BY a.tag_id, w UNION ALL SELECT {int(tag_id)}, a.tag_id, {week('a.created_at')} AS w,"
        f" -COUNT(*) {holding} GROUP BY a.tag_id, w"
    )
    tx.execute(_UPSERT.format(select=select))
    tx.execute(EMPTIED)


def count_links(tx: Tx, links: str) -> None:
    """After the assignments whose ``(contact_id, tag_id)`` the table ``links`` holds were
    made: the pairs they make with the tags of their contacts (theirs among them), both ways
    (a pair of two of them once each way)."""
    week = tx.db.engine.week_of
    others = f"FROM {links} d JOIN contact_tag b ON b.contact_id = d.contact_id AND b.tag_id = d.tag_id"
    others += " JOIN contact_tag a ON a.contact_id = d.contact_id AND a.tag_id <> d.tag_id"
    select = (
        f"SELECT tag_id, other_id, w, SUM(n) FROM (SELECT a.tag_id, d.tag_id AS other_id,"
        f" {week('b.created_at')} AS w, 1 AS n {others} UNION ALL SELECT d.tag_id, a.tag_id,"
        f" {week('a.created_at')}, 1 {others} WHERE NOT EXISTS (SELECT 1 FROM {links} x"
        " WHERE x.contact_id = a.contact_id AND x.tag_id = a.tag_id)) p GROUP BY tag_id, other_id, w"
    )
    tx.execute(_UPSERT.format(select=select))


def count_sets(tx: Tx, sets: Counter[tuple[int, ...]], stamp: str) -> None:
    """The pairs of contacts given their first tags together as of ``stamp``: ``sets`` says
    how many contacts were given each set of tags (ids, each once)."""
    pairs: Counter[tuple[int, int]] = Counter()
    for tags, n in sets.items():
        for a in tags:
            for b in tags:
                if a != b:
                    pairs[(a, b)] += n
    if pairs:
        week = tx.db.engine.week_of(":at")
        tx.executemany(
            _UPSERT.format(select=f"VALUES (:a, :b, {week}, :n)"),
            [{"a": a, "b": b, "n": n, "at": stamp} for (a, b), n in sorted(pairs.items())],
        )


def count_new_contacts(tx: Tx, lo: int, hi: int) -> None:
    """After contacts ``lo``…``hi`` (ids), which had no tags before, were given theirs: every
    pair of their tags, both ways."""
    week = tx.db.engine.week_of("b.created_at")
    select = (
        f"SELECT a.tag_id, b.tag_id, {week} AS w, COUNT(*) FROM contact_tag b JOIN contact_tag a"
        " ON a.contact_id = b.contact_id AND a.tag_id <> b.tag_id WHERE b.contact_id BETWEEN :lo AND :hi"
        " GROUP BY a.tag_id, b.tag_id, w"
    )
    tx.execute(_UPSERT.format(select=select), {"lo": lo, "hi": hi})
