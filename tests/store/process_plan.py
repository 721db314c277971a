"""Deterministic plans for two writer processes on one database, and the state they must leave.

Each process owns half of the (contact, tag) pairs (``(c + t) % 2``) and half of the
contacts' statuses, but both touch every contact and every tag; both also make commutative
changes to shared pairs (adding the tag ``Shared``) and race to create the same new tags
through ``sync_tags``. So the final state is known exactly, whatever the interleaving.

Run as ``python -m tests.store.process_plan DB_URL PROCESS GO_FILE``: wait for GO_FILE, run
the plan, check every result against the model, print a JSON summary.
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

CONTACTS = 20  # c0..c19: tags changed incrementally
SYNCED = 4  # s0..s3: tag sets replaced by sync_tags (s0, s1 by process 0; s2, s3 by process 1)
TAGS = 10  # T0..T9
STATUSES = ("S0", "S1", "S2", "S3")
NEW_TAGS = ("New0", "New1", "New2", "New3", "New4")  # created on the fly by both processes
STEPS = 1250


def email(c: int) -> str:
    return f"c{c}@example.com"


def synced_email(s: int) -> str:
    return f"s{s}@example.com"


def owner(c: int, t: int) -> int:
    return (c + t) % 2


@dataclass
class Step:
    kind: str  # change | shared | assign | status | sync
    contact: str = ""
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    status: str | None = None


@dataclass
class Model:
    """The state one process's plan leaves on what it owns."""

    pairs: dict[tuple[int, int], bool] = field(default_factory=dict)
    statuses: dict[int, str | None] = field(default_factory=dict)
    synced: dict[int, tuple[str, ...]] = field(default_factory=dict)
    shared: set[str] = field(default_factory=set)


def plan(process: int, steps: int = STEPS) -> list[Step]:
    rng = random.Random(4242 + process)
    out: list[Step] = []
    for _ in range(steps):
        roll = rng.random()
        if roll < 0.60:
            c = rng.randrange(CONTACTS)
            mine = [t for t in range(TAGS) if owner(c, t) == process]
            rng.shuffle(mine)
            k = rng.randint(1, 3)
            add = tuple(f"T{t}" for t in mine[:k] if rng.random() < 0.6)
            remove = tuple(f"T{t}" for t in mine[:k] if f"T{t}" not in add)
            out.append(Step("change", email(c), add=add, remove=remove))
        elif roll < 0.70:
            out.append(Step("shared", email(rng.randrange(CONTACTS)), add=("Shared",)))
        elif roll < 0.75:
            chosen = rng.sample(range(CONTACTS), 3)
            out.append(Step("assign", contacts=tuple(email(c) for c in chosen)))
        elif roll < 0.85:
            c = rng.choice([c for c in range(CONTACTS) if c % 2 == process])
            out.append(Step("status", email(c), status=rng.choice((*STATUSES, None))))
        else:
            s = rng.choice((2 * process, 2 * process + 1))
            pool = [f"T{t}" for t in range(TAGS)] + list(NEW_TAGS)
            names = tuple(rng.sample(pool, rng.randint(0, 4)))
            out.append(Step("sync", synced_email(s), names=names))
    return out


def tag_changes(steps: list[Step]) -> int:
    return sum(1 for s in steps if s.kind != "status")


def model(process: int) -> Model:
    m = Model()
    for step in plan(process):
        if step.kind == "change":
            c = int(step.contact[1:].split("@")[0])
            for name in step.add:
                m.pairs[(c, int(name[1:]))] = True
            for name in step.remove:
                m.pairs[(c, int(name[1:]))] = False
        elif step.kind == "shared":
            m.shared.add(step.contact)
        elif step.kind == "assign":
            m.shared.update(step.contacts)
        elif step.kind == "status":
            m.statuses[int(step.contact[1:].split("@")[0])] = step.status
        else:
            m.synced[int(step.contact[1:].split("@")[0])] = step.names
    return m


def expected(processes: int = 2) -> dict[str, tuple[frozenset[str], str | None]]:
    """email -> (tag names, status name) once every process has run its plan."""
    models = [model(p) for p in range(processes)]
    out: dict[str, tuple[frozenset[str], str | None]] = {}
    for c in range(CONTACTS):
        tags = {f"T{t}" for t in range(TAGS) if models[owner(c, t)].pairs.get((c, t), False)}
        if any(email(c) in m.shared for m in models):
            tags.add("Shared")
        out[email(c)] = (frozenset(tags), models[c % 2].statuses.get(c))
    for s in range(SYNCED):
        names = models[s // 2].synced.get(s, ())
        out[synced_email(s)] = (frozenset(names), None)
    return out


def seed(store) -> None:  # type: ignore[no-untyped-def]
    for t in range(TAGS):
        store.create_tag(f"T{t}")
    store.create_tag("Shared")
    for name in STATUSES:
        store.create_status(name)
    for c in range(CONTACTS):
        store.add_contact(f"Contact {c}", email=email(c))
    for s in range(SYNCED):
        store.add_contact(f"Synced {s}", email=synced_email(s))


def state(store) -> dict[str, tuple[frozenset[str], str | None]]:  # type: ignore[no-untyped-def]
    """email -> (tag names, status name), as the database holds it."""
    rows = store.list_contacts(limit=1000).rows
    return {r.email: (frozenset(t.name for t in r.tags), r.status) for r in rows}


def run(db_url: str, process: int, go: Path) -> dict[str, float | int]:
    from tagtui.store import Store

    steps = plan(process)
    mine = Model()
    with Store.open(db_url) as store:
        names = {t.id: t.name for t in store.list_tags(limit=1000)}
        while not go.exists():
            time.sleep(0.005)
        start = time.time()
        for step in steps:
            if step.kind in ("change", "shared"):
                c = int(step.contact[1:].split("@")[0])
                before = set()
                if step.kind == "change":
                    before = {n for n in step.add + step.remove if mine.pairs.get((c, int(n[1:])), False)}
                result = store.change_tags(step.contact, add=list(step.add), remove=list(step.remove))
                if step.kind == "change":
                    added = {names[i] for i in result.added}
                    removed = {names[i] for i in result.removed}
                    assert added == set(step.add) - before, (step, added, before)
                    assert removed == set(step.remove) & before, (step, removed, before)
                    for n in step.add:
                        mine.pairs[(c, int(n[1:]))] = True
                    for n in step.remove:
                        mine.pairs[(c, int(n[1:]))] = False
                    owned = {t.name for t in result.tags if t.name.startswith("T")}
                    owned = {n for n in owned if owner(c, int(n[1:])) == process}
                    want = {f"T{t}" for t in range(TAGS) if mine.pairs.get((c, t), False)}
                    assert owned == want, (step, owned, want)
                assert "Shared" in {t.name for t in result.tags} or step.kind == "change"
            elif step.kind == "assign":
                store.assign("Shared", list(step.contacts))
            elif step.kind == "status":
                contact = store.set_status(step.contact, step.status)
                assert contact.status_id == (store.get_status(step.status).id if step.status else None)
            else:
                result = store.sync_tags(email=step.contact, names=list(step.names))
                assert {t.name for t in result.tags} == set(step.names), (step, result.tags)
        end = time.time()
    return {
        "process": process,
        "steps": len(steps),
        "tag_changes": tag_changes(steps),
        "start": start,
        "end": end,
    }


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))))
