"""Two OS processes on one database (SPEC §6): no "database is locked", no error, no lost change.

Each process follows a seeded plan (``process_plan``) whose final state is known; the
processes start together and interleave their writes. The same runs on PostgreSQL when
``TAGTUI_TEST_PG_URL`` is set (``db_url`` is then a schema of the server).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tagtui.store import Conflict, Store
from tests.store import process_plan as pp

ROOT = Path(__file__).resolve().parents[2]


def _spawn(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *argv], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_two_processes_make_over_1000_tag_changes_each_and_lose_none(db_url: str, tmp_path: Path) -> None:
    with Store.open(db_url) as store:
        pp.seed(store)
    go = tmp_path / "go"
    procs = [_spawn("-m", "tests.store.process_plan", db_url, str(p), str(go)) for p in (0, 1)]
    time.sleep(1.0)  # both are started and waiting (their imports take ~0.5 s)
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert err == "", err  # zero errors surfaced: no "database is locked", no retry noise
        results.append(json.loads(out))

    assert all(r["tag_changes"] >= 1000 for r in results), results
    # The two really ran side by side: each one's run overlaps most of the other's.
    a, b = results
    overlap = min(a["end"], b["end"]) - max(a["start"], b["start"])
    assert overlap > 0.5 * min(a["end"] - a["start"], b["end"] - b["start"]), results

    with Store.open(db_url) as store:
        assert pp.state(store) == pp.expected()
        tags = store.list_tags(limit=1000)
        # Both processes created New0…New4 through sync_tags: each exists once.
        used = {n for p in (0, 1) for step in pp.plan(p) for n in step.names if n.startswith("New")}
        assert sorted(t.name for t in tags if t.name.startswith("New")) == sorted(used)
        assert len({t.slug for t in tags}) == len(tags)


CLI_LOOP = textwrap.dedent(
    """
    import json, sys
    from tagtui.cli.main import main
    db, commands = sys.argv[1], json.loads(sys.argv[2])
    codes = [main([*argv, "--db", db]) for argv in commands]
    print(json.dumps(codes))
    """
)


def _cli_plan(
    rng: random.Random, n: int
) -> tuple[list[list[str]], dict[tuple[int, int], bool], dict[int, str]]:
    """CLI commands on the pairs the CLI owns (owner 1) and the statuses of odd contacts."""
    commands: list[list[str]] = []
    pairs: dict[tuple[int, int], bool] = {}
    statuses: dict[int, str] = {}
    for _ in range(n):
        c = rng.randrange(pp.CONTACTS)
        roll = rng.random()
        mine = [t for t in range(pp.TAGS) if pp.owner(c, t) == 1]
        if roll < 0.6:
            t_add, t_remove = rng.sample(mine, 2)
            commands.append(
                ["contacts", "tag", pp.email(c), "--add", f"T{t_add}", "--remove", f"T{t_remove}"]
            )
            pairs[(c, t_add)], pairs[(c, t_remove)] = True, False
        elif roll < 0.8:
            odd = rng.randrange(1, pp.CONTACTS, 2)
            status = rng.choice(pp.STATUSES)
            commands.append(["contacts", "status", pp.email(odd), status])
            statuses[odd] = status
        else:
            commands.append(["tags", "assign", "Shared", pp.email(c)])
    return commands, pairs, statuses


def test_the_cli_writes_while_a_long_lived_store_reads_and_writes(db_url: str) -> None:
    """The UI's situation: its Store stays open while a CLI process changes the same contacts."""
    rng = random.Random(7)
    with Store.open(db_url) as ui:
        pp.seed(ui)
        commands, cli_pairs, cli_statuses = _cli_plan(rng, 150)
        cli = _spawn("-c", CLI_LOOP, db_url, json.dumps(commands))

        ui_pairs: dict[tuple[int, int], bool] = {}
        ui_statuses: dict[int, str | None] = {}
        ui_ops = conflicts = 0
        deadline = time.monotonic() + 60
        while cli.poll() is None and time.monotonic() < deadline:
            c = rng.randrange(pp.CONTACTS)
            t = rng.choice([t for t in range(pp.TAGS) if pp.owner(c, t) == 0])
            on = rng.random() < 0.6
            ui.change_tags(pp.email(c), add=[f"T{t}"] if on else [], remove=[] if on else [f"T{t}"])
            ui_pairs[(c, t)] = on
            even = rng.randrange(0, pp.CONTACTS, 2)
            status = rng.choice((*pp.STATUSES, None))
            ui.set_status(pp.email(even), status)
            ui_statuses[even] = status
            # What the UI shows, read while the CLI writes.
            assert ui.count_contacts() == pp.CONTACTS + pp.SYNCED
            assert len(ui.list_contacts(limit=50).rows) == pp.CONTACTS + pp.SYNCED
            # An edit carries the rev it was read at: fresh, it applies; stale, it is a Conflict.
            contact = ui.get_contact(pp.email(c))
            try:
                ui.update_contact(contact.id, rev=contact.rev, notes=f"note {ui_ops}")
            except Conflict:
                conflicts += 1
            ui_ops += 1
        out, err = cli.communicate(timeout=60)
        assert cli.returncode == 0 and err == "", err
        assert json.loads(out.splitlines()[-1]) == [0] * len(commands)
        assert ui_ops >= 20, ui_ops

        got = pp.state(ui)
        for c in range(pp.CONTACTS):
            tags, status = got[pp.email(c)]
            for t in range(pp.TAGS):
                model = (cli_pairs if pp.owner(c, t) else ui_pairs).get((c, t), False)
                assert (f"T{t}" in tags) == model, (c, t)
            assert status == (cli_statuses if c % 2 else ui_statuses).get(c)


def test_a_stale_edit_from_another_process_is_a_conflict_not_an_overwrite(db_url: str) -> None:
    with Store.open(db_url) as ui:
        contact = ui.add_contact("Jane", email="jane@example.com")
        tag = ui.create_tag("VIP")
        cli = _spawn(
            "-m", "tagtui", "--db", db_url, "contacts", "update", "jane@example.com", "--name", "Jane Doe"
        )
        assert cli.communicate(timeout=30)[1] == "" and cli.returncode == 0
        cli = _spawn("-m", "tagtui", "--db", db_url, "tags", "update", "vip", "--color", "red")
        assert cli.communicate(timeout=30)[1] == "" and cli.returncode == 0
        for edit in (
            lambda: ui.update_contact(contact.id, rev=contact.rev, name="Jane Smith"),
            lambda: ui.update_tag(tag.id, rev=tag.rev, color="blue"),
        ):
            try:
                edit()
            except Conflict as exc:
                assert exc.field == "rev" and "reload" in str(exc)
            else:
                raise AssertionError("a stale edit was applied")
        assert ui.get_contact(contact.id).name == "Jane Doe"
        assert ui.get_tag(tag.id).color == "#ef4444"
