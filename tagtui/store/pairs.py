"""``trend_pair`` (see ``models.TrendPairRow``) and ``trend_tag`` counted a statement at a time
by SQLite's bulk writes.

On SQLite their triggers run once per assignment, the pairs' reading the contact's other tags
and writing a row per pair: a bulk write (a tag given to 100,000 contacts, a demo, a tag
deleted) turns them off for its transaction (``paused``) and counts what its statements make
or take with one grouped statement each, here (an import pauses its own, ``imports``). On
PostgreSQL the triggers already run once per statement, so nothing is paused and these
functions are not called.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from tagtui.store.db import Tx

#: The row triggers a bulk write turns off (the update triggers stay: no bulk write updates).
PAUSED = ("trend_pair_added", "trend_pair_removed", "trend_tag_added", "trend_tag_removed")

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
        triggers = engine.trend_pair_triggers() + engine.trend_tag_triggers()
        for name in dropped:
            (create,) = (d for d in triggers if d.startswith(f"CREATE TRIGGER {name} "))
            tx.execute(create)


def count_given(tx: Tx, tag_id: int, contacts: str, stamp: str) -> None:
    """Before tag ``tag_id`` is given, as of ``stamp``, to the contacts of ``contacts`` (a FROM
    item aliased ``c`` with a column ``id``) that lack it: the pairs it will make with each
    tag they have, both ways. One pass over their tags, grouped by tag and week; each group
    then gives a row each way."""
    week = tx.db.engine.week_of
    # CROSS JOIN: each selected contact's tags by the primary key, not every assignment
    # looked up in the selection (SQLite keeps the order written).
    held = tx.all(
        f"SELECT a.tag_id, {week('a.created_at')} AS w, COUNT(*) FROM {contacts} CROSS JOIN contact_tag a"
        " WHERE a.contact_id = c.id AND NOT EXISTS (SELECT 1 FROM contact_tag y WHERE y.contact_id = c.id"
        f" AND y.tag_id = {int(tag_id)}) GROUP BY a.tag_id, w"
    )
    given = int(tx.scalar(f"SELECT {week(':at')}", {"at": stamp}))
    cells: Counter[tuple[int, int, int]] = Counter()
    for other, w, n in held:
        cells[(int(other), tag_id, given)] += int(n)
        cells[(tag_id, int(other), int(w))] += int(n)
    _add(tx, cells)


def count_tag_given(tx: Tx, tag_id: int, stamp: str, given: int) -> None:
    """After tag ``tag_id`` was given to ``given`` contacts as of ``stamp``: ``trend_tag``."""
    if given:
        week = tx.db.engine.week_of(":at")
        tx.execute(
            f"INSERT INTO trend_tag (tag_id, week, n) VALUES (:t, {week}, :n)"
            " ON CONFLICT (tag_id, week) DO UPDATE SET n = trend_tag.n + excluded.n",
            {"t": tag_id, "at": stamp, "n": given},
        )


def count_taken(tx: Tx, tag_id: int, contacts: str) -> None:
    """Before tag ``tag_id`` is taken from the contacts of ``contacts`` (as ``count_given``):
    the pairs it makes with their other tags, both ways, and its assignments (``trend_tag``),
    taken away."""
    week = tx.db.engine.week_of
    for w, n in tx.all(
        f"SELECT {week('y.created_at')} AS w, COUNT(*) FROM {contacts} CROSS JOIN contact_tag y"
        f" WHERE y.contact_id = c.id AND y.tag_id = {int(tag_id)} GROUP BY w"
    ):
        tx.execute(
            "UPDATE trend_tag SET n = n - :n WHERE tag_id = :t AND week = :w", {"n": n, "t": tag_id, "w": w}
        )
    held = tx.all(
        f"SELECT a.tag_id, {week('y.created_at')} AS wy, {week('a.created_at')} AS wa, COUNT(*)"
        f" FROM {contacts} CROSS JOIN contact_tag y CROSS JOIN contact_tag a WHERE y.contact_id = c.id"
        f" AND y.tag_id = {int(tag_id)} AND a.contact_id = c.id AND a.tag_id <> {int(tag_id)}"
        " GROUP BY a.tag_id, wy, wa"
    )
    cells: Counter[tuple[int, int, int]] = Counter()
    for other, wy, wa, n in held:
        cells[(int(other), tag_id, int(wy))] -= int(n)
        cells[(tag_id, int(other), int(wa))] -= int(n)
    _add(tx, cells)
    tx.execute(EMPTIED)


def _add(tx: Tx, cells: Counter[tuple[int, int, int]]) -> None:
    """Add each ``(tag, other, week)`` cell's count to ``trend_pair``."""
    rows = [{"a": a, "b": b, "w": w, "n": n} for (a, b, w), n in sorted(cells.items()) if n]
    if rows:
        tx.executemany(_UPSERT.format(select="VALUES (:a, :b, :w, :n)"), rows)


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
    """After contacts ``lo``…``hi`` (ids), which had no tags before, were given theirs: their
    assignments (``trend_tag``) and every pair of their tags, both ways. One row per contact
    (its tags and their weeks, as text), counted by kind in Python: a demo's contacts share a
    few hundred kinds, so each pair is counted once a kind, not once a contact."""
    week = tx.db.engine.week_of("created_at")
    joined = tx.db.group_concat(f"tag_id || ':' || {week}", "sep")
    kinds = Counter(
        r[0]
        for r in tx.all(
            f"SELECT {joined} FROM contact_tag WHERE contact_id BETWEEN :lo AND :hi GROUP BY contact_id",
            {"lo": lo, "hi": hi, "sep": ","},
        )
    )
    made: Counter[tuple[int, int]] = Counter()
    cells: Counter[tuple[int, int, int]] = Counter()
    for kind, n in kinds.items():
        tags = [tuple(map(int, part.split(":"))) for part in kind.split(",")]
        for a, w in tags:
            made[(a, w)] += n
            for b, wb in tags:
                if a != b:
                    cells[(a, b, wb)] += n
    if made:
        tx.executemany(
            "INSERT INTO trend_tag (tag_id, week, n) VALUES (:t, :w, :n)"
            " ON CONFLICT (tag_id, week) DO UPDATE SET n = trend_tag.n + excluded.n",
            [{"t": t, "w": w, "n": n} for (t, w), n in sorted(made.items())],
        )
    _add(tx, cells)
