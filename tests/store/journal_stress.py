"""One writer of the journal stress test: random status and tag changes, undos and redos.

Run as ``python -m tests.store.journal_stress DB_URL PROCESS OPS GO_FILE [BY]``: wait for
GO_FILE, make OPS random changes, undos and redos on the default workspace, print a JSON
summary. With BY ``actor`` each process is an actor of its own (``p0``, ``p1``…) and undoes
and redoes only its own steps; by default (``any``) all are one actor taking back the
workspace's newest. Nothing is checked here; ``check_journal`` judges the journal after.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any

CONTACTS = 8  # few contacts: the writers keep meeting on the same rows
TAGS = ("T0", "T1", "T2")
STATUSES = ("S0", "S1", "S2")


def seed(store: Any) -> None:
    """Contacts without status or tags, and no step that undo could reach (the check's start)."""
    for name in TAGS:
        store.create_tag(name)
    for name in STATUSES:
        store.create_status(name)
    for c in range(CONTACTS):
        store.add_contact(f"Contact {c}", email=f"c{c}@example.com")
    store._write(
        lambda tx: store._drop_steps(
            tx, [r[0] for r in tx.all("SELECT id FROM step WHERE workspace_id = :ws", store._params())]
        )
    )


def run(db_url: str, process: int, ops: int, go: Path, by: str = "any") -> dict[str, Any]:
    import os

    import tagtui.store.base
    from tagtui.store import Conflict, NotFound, Store

    # Every done step stays in reach, so the check can follow each row from the seed.
    tagtui.store.base.UNDO_DEPTH = 100_000
    rng = random.Random(7919 * process + ops)
    done: dict[str, int] = {}
    if by == "actor":
        os.environ["TAGTUI_ACTOR"] = f"p{process}"
    with Store.open(db_url) as store:
        contacts = [c.id for c in store.list_contacts(limit=100).rows]
        while not go.exists():
            time.sleep(0.005)
        start = time.time()
        for _ in range(ops):
            roll = rng.random()
            some = rng.sample(contacts, rng.randint(1, 3))
            status = rng.choice((*STATUSES, None))
            tag = rng.choice(TAGS)
            try:
                if roll < 0.2:
                    kind = "undo"
                    store.undo(by=by)
                elif roll < 0.35:
                    kind = "redo"
                    store.redo(by=by)
                elif roll < 0.5:
                    kind = "status"
                    store.set_status(some[0], status)
                elif roll < 0.6:
                    kind = "bulk_status"
                    store.bulk_set_status(some, status)
                elif roll < 0.75:
                    kind = "tags"
                    store.change_tags(some[0], **{rng.choice(("add", "remove")): [tag]})
                elif roll < 0.9:
                    kind = "assign"
                    (store.assign if rng.random() < 0.5 else store.unassign)(tag, some)
                else:
                    kind = "sync"
                    store.sync_tags(contact_id=some[0], names=rng.sample(TAGS, rng.randint(0, 2)))
            except (NotFound, Conflict):
                kind += "_refused"
            done[kind] = done.get(kind, 0) + 1
        end = time.time()
    return {"process": process, "ops": done, "start": start, "end": end}


def check_journal(store: Any, *, stacked: bool = True) -> list[str]:
    """What is wrong between the step journal and the state; empty when they agree.

    For every contact's status and every (contact, tag) pair, the done steps that changed it,
    in step order, must form one chain: the first starts from the seed (no status, no tag),
    each starts where the one before ended, and the last ends at what the database holds.
    ``stacked`` (one actor, undo takes the workspace's newest): the undone steps, in step
    order, must chain on from there (redo does them in that order), and every undone step is
    newer than every done one. (With actors of their own, undone steps sit between done ones.)
    """

    def read(tx: Any) -> tuple[Any, ...]:
        ws = store._params()
        return (
            dict(tx.all("SELECT id, state FROM step WHERE workspace_id = :ws", ws)),
            tx.all(
                "SELECT x.step_id, x.contact_id, x.before_id, x.after_id FROM step_contact_status x"
                " JOIN step s ON s.id = x.step_id WHERE s.workspace_id = :ws ORDER BY x.step_id",
                ws,
            ),
            tx.all(
                "SELECT x.step_id, x.contact_id, x.tag_id, x.added FROM step_contact_tag x"
                " JOIN step s ON s.id = x.step_id WHERE s.workspace_id = :ws ORDER BY x.step_id",
                ws,
            ),
            dict(tx.all("SELECT id, status_id FROM contact WHERE workspace_id = :ws", ws)),
            {
                (c, t)
                for c, t in tx.all(
                    "SELECT ct.contact_id, ct.tag_id FROM contact_tag ct JOIN contact c"
                    " ON c.id = ct.contact_id WHERE c.workspace_id = :ws",
                    ws,
                )
            },
        )

    states, status_rows, tag_rows, statuses, pairs = store._read(read)
    problems: list[str] = []
    chains: dict[tuple[Any, ...], list[tuple[int, Any, Any]]] = {}
    for step, contact, before, after in status_rows:
        chains.setdefault(("status", contact), []).append((step, before, after))
    for step, contact, tag, added in tag_rows:
        chains.setdefault(("tag", contact, tag), []).append((step, not added, bool(added)))
    for key, links in chains.items():
        current = statuses.get(key[1]) if key[0] == "status" else (key[1], key[2]) in pairs
        value: Any = None if key[0] == "status" else False
        for wanted in ("done", "undone") if stacked else ("done",):
            for step, before, after in links:
                if states[step] != wanted:
                    continue
                if before != value:
                    problems.append(f"{key}: {wanted} step {step} starts from {before!r}, not {value!r}")
                value = after
            if wanted == "done" and value != current:
                problems.append(f"{key}: the newest done step ends at {value!r}, but it is {current!r}")
                value = current
    if not stacked:
        return problems
    done = [i for i, s in states.items() if s == "done"]
    undone = [i for i, s in states.items() if s == "undone"]
    if done and undone and max(done) > min(undone):
        problems.append(f"done step {max(done)} is newer than undone step {min(undone)}")
    return problems


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), *sys.argv[5:])))
