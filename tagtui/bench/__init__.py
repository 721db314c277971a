"""``tagtui bench``: time what a user waits on, through tagtui and through raw ``sqlite3``.

Each operation runs twice on the same database file in the same run: once through
tagtui's own code path (the store, the CLI or the app) and once as a hand-written
statement on a plain ``sqlite3`` connection that returns the same rows. The figure that
matters is their ratio: machine noise moves both sides alike.

Writes (bulk tagging) run on a copy of the database, never on the file benchmarked;
``demo`` and ``import`` build their own scratch files.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from tagtui.bench.probe import children_peak_rss_kib, maxrss_kib
from tagtui.query import parse
from tagtui.store import Store
from tagtui.store.errors import TagtuiError, ValidationError

SEED = 1
PAGE = 100
BOARD_CARDS = 50
#: The issue's three filter changes (tags and statuses of the demo data).
QUERY_ALL_OF = "tag:vip -tag:cold-lead status:qualified"
ANY_OF = ("vip", "partner", "investor")
QUERY_ANY_OF = "tag:" + ",".join(ANY_OF)
TEXT = "smith"
#: The broad filter the side panel counts within, and the tag a bulk change selects by.
BROAD = "status:qualified"
BULK_BY = "hot-lead"  # about a tenth of the contacts
EXPORT_BY = "newsletter"  # about half the contacts: issue 15 times the export of its 530,367 at 1M
BENCH_TAG = "bench-mark"
#: Cards of the address book the sync rows use (issue 13's figure), whatever --contacts says.
SYNC_CARDS = 5000
#: The terminal of group 13 (issue 15: tmux's 200x50) and the queries typed into its query bar
#: (None: the typed ones of ``tagtui.bench.stall``, not its panel cycles).
UI_SIZE = (200, 50)
UI_STEPS: tuple[str, ...] | None = None

Progress = Callable[[str], None]


@dataclass
class Result:
    """One operation: median seconds through tagtui and raw, and the peak RSS (MB) seen."""

    op: str
    group: int
    tagtui_s: float | None
    raw_s: float | None
    rss_mb: float | None = None
    note: str = ""
    runs: list[float] = field(default_factory=list)
    raw_runs: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.tagtui_s is None or not self.raw_s:
            return None
        return self.tagtui_s / self.raw_s

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 2)
        return data


@dataclass
class Report:
    contacts: int
    db: str
    runs: int
    machine: dict[str, Any]
    results: list[Result]
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "contacts": self.contacts,
            "db": self.db,
            "runs": self.runs,
            "machine": self.machine,
            "seconds": round(self.seconds, 1),
            "results": [r.to_json() for r in self.results],
        }


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def peak_rss_mb() -> float:
    return round(maxrss_kib(resource.RUSAGE_SELF) / 1024, 1)


def child_peak_rss_mb() -> float:
    return round(children_peak_rss_kib() / 1024, 1)


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def alternating_times(
    first: Callable[[], Any], second: Callable[[], Any], runs: int
) -> tuple[tuple[float, list[float]], tuple[float, list[float]]]:
    """``median_time`` of both, their samples taken in turn (which one leads swaps each round)."""
    times: tuple[list[float], list[float]] = ([], [])
    for n in range(runs):
        for side in (0, 1) if n % 2 == 0 else (1, 0):
            fn = first if side == 0 else second
            started = time.perf_counter()
            fn()
            times[side].append(time.perf_counter() - started)
    return (statistics.median(times[0]), times[0]), (statistics.median(times[1]), times[1])


# -- the database ------------------------------------------------------------------------


def default_path(contacts: int) -> str:
    return os.path.join(tempfile.gettempdir(), f"tagtui-bench-{contacts}.db")


def demo_size(path: str) -> int | None:
    """How many contacts the demo database at ``path`` holds (None: not a demo database)."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if not conn.execute("SELECT 1 FROM tag WHERE slug = 'vip'").fetchone():
                return None
            return int(conn.execute("SELECT COUNT(*) FROM contact").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None


def child_output(argv: list[str]) -> str:
    """What a probe process printed; if it failed, an error naming it with its last line of stderr."""
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode:
        said = done.stderr.strip().splitlines() or ["it said nothing"]
        raise TagtuiError(f"{argv[2]} failed (exit {done.returncode}): {said[-1]}")
    return done.stdout


def tagtui_command() -> list[str]:
    return [sys.executable, "-m", "tagtui"]


def build_demo(path: str, contacts: int) -> float:
    """A fresh demo database of ``contacts`` at ``path`` (through ``tagtui demo``); its seconds."""
    _remove_database(path)
    started = time.perf_counter()
    subprocess.run(
        [*tagtui_command(), "--db", path, "demo", "--contacts", str(contacts), "--seed", str(SEED)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def copy_db(source: str, target: str) -> None:
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target + suffix)
    shutil.copyfile(source, target)


# -- the bench -----------------------------------------------------------------------------


class Bench:
    def __init__(self, path: str, contacts: int, runs: int, progress: Progress | None) -> None:
        self.sync_cards = SYNC_CARDS
        self.path = path
        self.contacts = contacts
        self.runs = max(runs, 1)
        self.progress = progress or (lambda _: None)
        self.results: list[Result] = []
        self.store = Store.open(path)
        self.raw = sqlite3.connect(path, check_same_thread=False)
        self.raw.execute("PRAGMA cache_size = -65536")
        self.ws = self.store.workspace_id
        self.tag = {
            slug: i
            for i, slug in self.raw.execute("SELECT id, slug FROM tag WHERE workspace_id = ?", (self.ws,))
        }
        self.status = {
            slug: i
            for i, slug in self.raw.execute("SELECT id, slug FROM status WHERE workspace_id = ?", (self.ws,))
        }

    def close(self) -> None:
        self.store.close()
        self.raw.close()

    def add(
        self,
        op: str,
        group: int,
        ours: Callable[[], Any] | None,
        raw: Callable[[], Any] | None,
        *,
        check: bool = True,
        note: str = "",
        runs: int | None = None,
        per_call: int = 1,
        alternate: bool = False,
    ) -> Result:
        """Time ``ours`` and ``raw``, ``runs`` samples each. ``per_call``: how many times one call
        does the operation (the times are per operation). ``alternate``: the two sides' samples
        alternate (for reads only: each side's samples follow the other's)."""
        self.progress(op)
        k = runs or self.runs
        if ours is not None and raw is not None and check:
            # Warm both, and make sure they agree on what they return.
            mine, theirs = ours(), raw()
            if mine != theirs:
                note = (note + "; " if note else "") + f"MISMATCH {str(mine)[:60]} != {str(theirs)[:60]}"
        if alternate and ours is not None and raw is not None:
            (t, runs_t), (r, runs_r) = alternating_times(ours, raw, k)
        else:
            t, runs_t = median_time(ours, k) if ours else (None, [])
            r, runs_r = median_time(raw, k) if raw else (None, [])
        if per_call > 1:
            t, r = (None if x is None else x / per_call for x in (t, r))
            runs_t, runs_r = ([x / per_call for x in xs] for xs in (runs_t, runs_r))
        result = Result(op, group, t, r, peak_rss_mb(), note, runs_t, runs_r)
        self.results.append(result)
        return result

    # -- raw helpers --------------------------------------------------------------------

    def raw_page(
        self,
        where: str,
        params: tuple = (),
        *,
        after: tuple[str, int] | None = None,
        limit: int = PAGE,
        order: str = "c.name_key, c.id",
    ):
        """A page of contacts (id, name, status, tag names) by name (or ``order``), by hand."""
        keyset = " AND (c.name_key, c.id) > (?, ?)" if after else ""
        rows = self.raw.execute(
            "SELECT c.id, c.name, c.email, c.company, s.name FROM contact c LEFT JOIN status s"
            f" ON s.id = c.status_id WHERE c.workspace_id = ? AND {where}{keyset}"
            f" ORDER BY {order} LIMIT ?",
            (self.ws, *params, *(after or ()), limit),
        ).fetchall()
        ids = [r[0] for r in rows]
        tags: dict[int, list[str]] = {}
        marks = ",".join("?" * len(ids))
        for cid, name in self.raw.execute(
            "SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id"
            f" WHERE ct.contact_id IN ({marks}) ORDER BY t.name_key, t.id",
            ids,
        ):
            tags.setdefault(cid, []).append(name)
        return [(r[0], r[1], r[4], tuple(tags.get(r[0], ()))) for r in rows]

    @staticmethod
    def ours_page(page) -> list[tuple]:
        return [(r.id, r.name, r.status, tuple(t.name for t in r.tags)) for r in page.rows]

    def has(self, tag: str) -> str:
        return (
            f"EXISTS (SELECT 1 FROM contact_tag x WHERE x.contact_id = c.id AND x.tag_id = {self.tag[tag]})"
        )

    # -- 1: start-up ----------------------------------------------------------------------

    def startup(self) -> None:
        def app() -> dict[str, Any]:
            out = child_output([sys.executable, "-m", "tagtui.bench.probe", self.path])
            return json.loads(out.strip().splitlines()[-1])

        first_page = (
            "import sqlite3,sys;c=sqlite3.connect(sys.argv[1]);"
            "r=c.execute('SELECT c.id, c.name, c.email, c.company, s.name FROM contact c LEFT JOIN status s"
            " ON s.id = c.status_id WHERE c.workspace_id = 1"
            " ORDER BY c.name_key, c.id LIMIT 100').fetchall();"
            "ids=','.join(str(x[0]) for x in r);"
            "t=c.execute('SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id"
            " WHERE ct.contact_id IN (%s)' % ids).fetchall();print(len(r))"
        )

        self.progress("app: first page")
        samples = [app() for _ in range(self.runs)]
        raw_t, raw_runs = median_time(
            lambda: subprocess.run(
                [sys.executable, "-c", first_page, self.path], check=True, capture_output=True
            ),
            self.runs,
        )
        secs = [s["seconds"] for s in samples]
        self.results.append(
            Result(
                "app: start to first page (run_test)",
                1,
                statistics.median(secs),
                raw_t,
                max(s["rss_mb"] for s in samples),
                "whole process; raw: python -c with sqlite3",
                secs,
                raw_runs,
            )
        )

        query = QUERY_ALL_OF
        cli = [*tagtui_command(), "--db", self.path, "contacts", "list", "--query", query, "--limit", "50"]
        raw_list = (
            "import sqlite3,sys;c=sqlite3.connect(sys.argv[1]);"
            "q='SELECT c.id, c.name, c.email, s.name FROM contact c LEFT JOIN status s ON s.id = c.status_id"
            f" WHERE c.workspace_id = 1 AND c.status_id = {self.status['qualified']}"
            f" AND {self.has('vip')} AND NOT {self.has('cold-lead')}';"
            "print(c.execute(q.replace('c.id, c.name, c.email, s.name', 'COUNT(*)')).fetchone()[0]);"
            "[print(*r, sep='\\t') for r in c.execute(q + ' ORDER BY c.name_key, c.id LIMIT 50')]"
        )
        self.progress("contacts list process")
        before = child_peak_rss_mb()
        ours_t, ours_runs = median_time(
            lambda: subprocess.run(cli, check=True, capture_output=True), self.runs
        )
        raw_t, raw_runs = median_time(
            lambda: subprocess.run(
                [sys.executable, "-c", raw_list, self.path], check=True, capture_output=True
            ),
            self.runs,
        )
        self.results.append(
            Result(
                f"tagtui contacts list --query '{query}'",
                1,
                ours_t,
                raw_t,
                max(child_peak_rss_mb(), before),
                "whole process, count + 50 rows; raw: python -c with sqlite3",
                ours_runs,
                raw_runs,
            )
        )

    # -- 2: filter changes ----------------------------------------------------------------

    def filters(self) -> None:
        s = self.store
        any_ids = ",".join(str(self.tag[t]) for t in ANY_OF)
        all_of = f"c.status_id = {self.status['qualified']} AND {self.has('vip')}"
        cases = [
            (QUERY_ALL_OF, f"{all_of} AND NOT {self.has('cold-lead')}", None),
            (
                QUERY_ANY_OF,
                f"EXISTS (SELECT 1 FROM contact_tag x WHERE x.contact_id = c.id AND x.tag_id IN ({any_ids}))",
                f"SELECT COUNT(DISTINCT contact_id) FROM contact_tag WHERE tag_id IN ({any_ids})",
            ),
            (TEXT, "c.search LIKE '%smith%'", "SELECT COUNT(*) FROM contact c WHERE c.search LIKE '%smith%'"),
        ]
        for query, where, count_sql in cases:
            f = parse(query)
            count_sql = (
                count_sql or f"SELECT COUNT(*) FROM contact c WHERE c.workspace_id = {self.ws} AND {where}"
            )

            def ours(f=f) -> tuple:
                return s.count_contacts(f), self.ours_page(s.list_contacts(f, limit=PAGE, with_total=False))

            def raw(where=where, count_sql=count_sql) -> tuple:
                return self.raw.execute(count_sql).fetchone()[0], self.raw_page(where)

            self.add(f"filter: count + first page: {query}", 2, ours, raw)
            self.add(
                f"filter: first page only: {query}",
                2,
                lambda f=f: self.ours_page(s.list_contacts(f, limit=PAGE, with_total=False)),
                lambda where=where: self.raw_page(where),
            )

    # -- 3: side-panel counts -------------------------------------------------------------

    def counts(self) -> None:
        s = self.store
        tag_ids = sorted(self.tag.values())

        def raw_tags() -> dict[str, int]:
            names = dict(self.raw.execute("SELECT id, name FROM tag WHERE workspace_id = ?", (self.ws,)))
            return {
                names[t]: self.raw.execute(
                    "SELECT COUNT(*) FROM contact_tag WHERE tag_id = ?", (t,)
                ).fetchone()[0]
                for t in tag_ids
            }

        self.add(
            "counts: every tag", 3, lambda: {t.name: t.contacts for t in s.list_tags(limit=1000)}, raw_tags
        )

        def raw_statuses() -> dict[str, int]:
            return dict(
                self.raw.execute(
                    "SELECT s.name, (SELECT COUNT(*) FROM contact c WHERE c.workspace_id = s.workspace_id"
                    " AND c.status_id = s.id) FROM status s WHERE s.workspace_id = ?",
                    (self.ws,),
                )
            )

        self.add(
            "counts: every status", 3, lambda: {x.name: x.contacts for x in s.list_statuses()}, raw_statuses
        )
        broad = parse(BROAD)
        qualified = self.status["qualified"]

        def raw_tags_within() -> dict[int, int]:
            return dict(
                self.raw.execute(
                    "SELECT ct.tag_id, COUNT(*) FROM contact c JOIN contact_tag ct ON ct.contact_id = c.id"
                    " WHERE c.workspace_id = ? AND c.status_id = ? GROUP BY ct.tag_id",
                    (self.ws, qualified),
                )
            )

        self.add(f"counts: every tag within '{BROAD}'", 3, lambda: s.tag_counts(broad), raw_tags_within)
        vip = parse("tag:vip")

        def raw_statuses_within() -> dict[int | None, int]:
            return dict(
                self.raw.execute(
                    "SELECT c.status_id, COUNT(*) FROM contact_tag ct JOIN contact c ON c.id = ct.contact_id"
                    " WHERE ct.tag_id = ? GROUP BY c.status_id",
                    (self.tag["vip"],),
                )
            )

        self.add(
            "counts: every status within 'tag:vip'", 3, lambda: s.status_counts(vip), raw_statuses_within
        )

    # -- 4: scrolling ---------------------------------------------------------------------

    def scrolling(self) -> None:
        s = self.store
        offset = self.contacts // 2
        row = self.raw.execute(
            "SELECT name_key, id FROM contact WHERE workspace_id = ? ORDER BY name_key, id LIMIT 1 OFFSET ?",
            (self.ws, offset - 1),
        ).fetchone()
        key = (row[0], row[1])
        self.add(
            f"scroll: page at {offset:,} (keyset)",
            4,
            lambda: self.ours_page(s.list_contacts(limit=PAGE, after=key, with_total=False)),
            lambda: self.raw_page("1 = 1", after=key),
        )
        self._offset(offset)

    def _offset(self, offset: int) -> None:
        s = self.store

        def raw() -> list[tuple]:
            rows = self.raw.execute(
                "SELECT c.id FROM contact c WHERE c.workspace_id = ?"
                " ORDER BY c.name_key, c.id LIMIT ? OFFSET ?",
                (self.ws, PAGE, offset),
            ).fetchall()
            return [r[0] for r in rows]

        self.add(
            f"scroll: page at {offset:,} (OFFSET, for comparison)",
            4,
            lambda: [r.id for r in s.list_contacts(limit=PAGE, offset=offset, with_total=False).rows],
            raw,
            runs=1,
        )

    # -- 5: the board ---------------------------------------------------------------------

    def board(self) -> None:
        from tagtui.query import Statuses

        s = self.store

        def ours() -> list[tuple]:
            out = []
            for status in s.list_statuses(counts=False):
                page = s.list_contacts(Statuses((status.slug,)), limit=BOARD_CARDS)
                out.append((page.total, [r.id for r in page.rows]))
            return out

        def raw() -> list[tuple]:
            out = []
            for (sid,) in self.raw.execute(
                "SELECT id FROM status WHERE workspace_id = ? ORDER BY position, id", (self.ws,)
            ).fetchall():
                total = self.raw.execute(
                    "SELECT COUNT(*) FROM contact WHERE workspace_id = ? AND status_id = ?", (self.ws, sid)
                ).fetchone()[0]
                ids = self.raw.execute(
                    "SELECT id FROM contact WHERE workspace_id = ? AND status_id = ?"
                    " ORDER BY name_key, id LIMIT ?",
                    (self.ws, sid, BOARD_CARDS),
                ).fetchall()
                out.append((total, [r[0] for r in ids]))
            return out

        self.add(f"board: {BOARD_CARDS} cards + count of every column", 5, ours, raw)

    # -- 6: bulk tagging (on a copy) ------------------------------------------------------

    def bulk(self, scratch: str) -> None:
        copy_db(self.path, scratch)
        store = Store.open(scratch)
        raw = sqlite3.connect(scratch, isolation_level=None)
        try:
            tag = store.create_tag(BENCH_TAG).id
            by = parse(f"tag:{BULK_BY}")
            by_id = self.tag[BULK_BY]
            size = store.count_contacts(by)

            def raw_add() -> int:
                raw.execute("BEGIN IMMEDIATE")
                n = raw.execute(
                    "INSERT OR IGNORE INTO contact_tag (contact_id, tag_id, created_at)"
                    " SELECT contact_id, ?, '2026-01-01T00:00:00.000000Z' FROM contact_tag WHERE tag_id = ?",
                    (tag, by_id),
                ).rowcount
                raw.execute("COMMIT")
                return n

            def raw_remove() -> int:
                raw.execute("BEGIN IMMEDIATE")
                n = raw.execute("DELETE FROM contact_tag WHERE tag_id = ?", (tag,)).rowcount
                raw.execute("COMMIT")
                return n

            adds: list[float] = []
            removes: list[float] = []
            raw_adds: list[float] = []
            raw_removes: list[float] = []
            self.progress("bulk tag")
            for _ in range(self.runs):
                for add_fn, rm_fn, into_add, into_rm in (
                    (
                        lambda: store.bulk_change_tags(by, add=[tag]),
                        lambda: store.bulk_change_tags(by, remove=[tag]),
                        adds,
                        removes,
                    ),
                    (raw_add, raw_remove, raw_adds, raw_removes),
                ):
                    started = time.perf_counter()
                    add_fn()
                    into_add.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    rm_fn()
                    into_rm.append(time.perf_counter() - started)
            rss = peak_rss_mb()
            for what, mine, theirs in (
                ("add a tag to", adds, raw_adds),
                ("remove it from", removes, raw_removes),
            ):
                self.results.append(
                    Result(
                        f"bulk: {what} {size:,} contacts (tag:{BULK_BY})",
                        6,
                        statistics.median(mine),
                        statistics.median(theirs),
                        rss,
                        "raw: INSERT OR IGNORE … SELECT / DELETE",
                        mine,
                        theirs,
                    )
                )
        finally:
            store.close()
            raw.close()
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(scratch + suffix)

    # -- 7: export ------------------------------------------------------------------------

    def export(self, folder: str) -> None:
        from tagtui.io.export import export_contacts

        f = parse(f"tag:{EXPORT_BY}")
        size = self.store.count_contacts(f)
        query = (
            "SELECT c.id, c.name, c.email, c.company, c.phone, c.assignee, c.followers, s.name,"
            " (SELECT group_concat(name, ';') FROM (SELECT t.name FROM contact_tag ct JOIN tag t"
            "  ON t.id = ct.tag_id WHERE ct.contact_id = c.id ORDER BY t.name_key))"
            " FROM contact c LEFT JOIN status s ON s.id = c.status_id"
            f" WHERE c.workspace_id = {self.ws} AND EXISTS (SELECT 1 FROM contact_tag x"
            f"  WHERE x.contact_id = c.id AND x.tag_id = {self.tag[EXPORT_BY]})"
            " ORDER BY c.name_key, c.id"
        )
        sqlite_cli = shutil.which("sqlite3")
        for fmt in ("csv", "json", "vcf"):
            target = os.path.join(folder, f"export.{fmt}")

            def ours(fmt=fmt, target=target) -> int:
                with open(target, "w", encoding="utf-8", newline="" if fmt == "csv" else None) as out:
                    return export_contacts(self.store, f, fmt, out)

            note = ""
            if fmt == "csv" and sqlite_cli:
                note = "raw: sqlite3 -csv CLI"

                def raw(target=target) -> int:
                    with open(target + ".raw", "w") as out:
                        subprocess.run([sqlite_cli, "-csv", self.path, query], check=True, stdout=out)
                    return size

            else:
                note = {"csv": "raw: Python csv", "json": "raw: json.dumps", "vcf": "raw: f-strings"}[fmt]

                def raw(fmt=fmt, target=target) -> int:
                    n = 0
                    with open(target + ".raw", "w", encoding="utf-8", newline="") as out:
                        writer = csv.writer(out) if fmt == "csv" else None
                        if fmt == "json":
                            out.write("[")
                        for row in self.raw.execute(query):
                            if writer is not None:
                                writer.writerow(row)
                            elif fmt == "json":
                                keys = ("id", "name", "email", "company", "phone", "assignee", "followers")
                                item = dict(zip(keys, row[:7], strict=True))
                                item["status"] = row[7]
                                item["tags"] = row[8].split(";") if row[8] else []
                                out.write(("," if n else "") + json.dumps(item, ensure_ascii=False))
                            else:
                                out.write(
                                    f"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:{row[1]}\r\nEMAIL:{row[2] or ''}\r\n"
                                    f"ORG:{row[3] or ''}\r\nCATEGORIES:{(row[8] or '').replace(';', ',')}\r\n"
                                    "END:VCARD\r\n"
                                )
                            n += 1
                        if fmt == "json":
                            out.write("]")
                    return n

            result = self.add(
                f"export: {size:,} contacts with tags as {fmt}", 7, ours, raw, check=False, note=note
            )
            if result.tagtui_s:  # in process: no start-up in the rate
                result.note += f"; tagtui {size / result.tagtui_s:,.0f} rows/s"
            for path in (target, target + ".raw"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
        self.export_all(folder, sqlite_cli)

    def export_all(self, folder: str, sqlite_cli: str | None) -> None:
        """``tagtui export`` of every contact, the whole process, beside ``sqlite3 -csv`` of the
        same columns (or, without the sqlite3 program, Python's csv module on a raw cursor)."""
        query = (
            "SELECT c.id, c.name, c.email, c.company, c.phone, c.assignee, c.followers, s.name,"
            " (SELECT group_concat(name, ';') FROM (SELECT t.name FROM contact_tag ct JOIN tag t"
            "  ON t.id = ct.tag_id WHERE ct.contact_id = c.id ORDER BY t.name_key))"
            " FROM contact c LEFT JOIN status s ON s.id = c.status_id"
            f" WHERE c.workspace_id = {self.ws} ORDER BY c.name_key, c.id"
        )
        target = os.path.join(folder, "all.csv")

        def ours() -> None:
            subprocess.run(
                [*tagtui_command(), "--db", self.path, "export", "--output", target],
                check=True,
                stdout=subprocess.DEVNULL,
            )

        def raw() -> None:
            with open(target + ".raw", "w", encoding="utf-8", newline="") as out:
                if sqlite_cli:
                    subprocess.run([sqlite_cli, "-csv", self.path, query], check=True, stdout=out)
                else:
                    csv.writer(out).writerows(self.raw.execute(query))

        runs = 1 if self.contacts > 100_000 else None
        how = "sqlite3 -csv, its process" if sqlite_cli else "Python csv on a raw cursor"
        self.add(
            f"export: all {self.contacts:,} contacts with tags as csv (tagtui export)",
            7,
            ours,
            raw,
            check=False,
            note=f"whole process, start-up included; raw: {how}",
            runs=runs,
        )
        for path in (target, target + ".raw"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    # -- 9: the duplicates scan ------------------------------------------------------------

    def duplicates(self) -> None:
        """The whole scan (``tagtui duplicates``' store call) in a child process of its own, so
        that its peak RSS is the scan's alone; once (it reads every contact). No raw floor: no
        single statement finds fuzzy duplicates."""
        self.progress("duplicates scan")
        code = (
            "import json, resource, sys, time\n"
            "from tagtui.store import Store\n"
            "store = Store.open(sys.argv[1])\n"
            "started = time.perf_counter()\n"
            "groups = store.find_duplicates(limit=1000)\n"
            "took = time.perf_counter() - started\n"
            "from tagtui.bench.probe import own_peak_rss_kib\n"
            "print(json.dumps({'seconds': took, 'rss_kib': own_peak_rss_kib(), 'groups': len(groups)}))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, self.path], check=True, capture_output=True, text=True
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        rss = figures["rss_kib"] / 1024
        self.results.append(
            Result(
                f"duplicates scan of {self.contacts:,} contacts",
                9,
                figures["seconds"],
                None,
                round(rss, 1),
                f"store.find_duplicates in its own process, peak RSS of that process;"
                f" {figures['groups']:,} groups (max 1,000)",
                [figures["seconds"]],
                [],
            )
        )

    # -- 10: trends ------------------------------------------------------------------------

    def trends(self) -> None:
        """``tagtui trends``' store call: without a query from the trend tables (weeks × stages
        rows), against one raw statement that computes the stages from the window's event log
        (what every call did before the tables); with a query, from the log (no raw floor)."""
        from datetime import timedelta

        from tagtui.query import parse
        from tagtui.store.trends import utc_stamp, week_starts

        s = self.store
        s.trends()  # fold in whatever the log gained since the tables were made (not timed)
        starts = week_starts(12)
        params = {
            "ws": self.ws,
            "start": utc_stamp(starts[0]),
            "end": utc_stamp(starts[-1] + timedelta(weeks=1)),
            "origin": utc_stamp(starts[0]),
        }
        sql = s.window_stages_sql()

        def ours() -> int:
            return sum(sum(v) for v in s.trends(weeks=12).entered.values())

        def raw() -> int:
            return sum(int(r[3]) for r in self.raw.execute(sql, params).fetchall() if r[0] == "e")

        self.add(
            "trends: 12 weeks, no query (entries, conversion, time in stage, tag growth)",
            10,
            ours,
            raw,
            note="raw: the stages alone, from the window's event log in one statement",
            runs=min(self.runs, 3),
        )
        # From the least to the most selected (issue 17 §2): the least used tag, the most used
        # one (half the demo's contacts), the two most used but not a status (the count reads
        # no contact row: the tag index and the status index).
        tags = [
            r[0]
            for r in self.raw.execute(
                "SELECT t.slug FROM tag t JOIN contact_tag ct ON ct.tag_id = t.id WHERE t.workspace_id = ?"
                " GROUP BY t.id ORDER BY COUNT(*) DESC, t.id",
                (self.ws,),
            )
        ]
        status = self.raw.execute(
            "SELECT slug FROM status WHERE workspace_id = ? ORDER BY position DESC, id DESC LIMIT 1",
            (self.ws,),
        ).fetchone()
        queries = []
        if tags:
            queries += [(f"tag:{tags[-1]}", "the least used tag"), (f"tag:{tags[0]}", "the most used tag")]
        if len(tags) > 1 and status:
            queries.append(
                (f"tag:{tags[1]} tag:{tags[0]} -status:{status[0]}", "the two most used, not the last stage")
            )
        if tags:  # nearly every contact: a negation (its tags counted from those it leaves out)
            queries.append((f"-tag:{tags[-1]}", "all but the least used tag"))
        for text, what in queries:
            query = parse(text)
            self.add(
                f"trends: 12 weeks, --query {text} ({what})",
                10,
                lambda query=query: s.trends(query, weeks=12),
                None,
                runs=min(self.runs, 3),
            )

    # -- 11: sorted listings ----------------------------------------------------------------

    #: Page reads per timed sample in group 11: one page is well under a millisecond, below
    #: what a single reading of the clock on a loaded machine tells apart.
    SORT_BATCH = 10

    def sorting(self) -> None:
        """The first and the next page of every sort order, both ways (issue 12.6), against the
        statement a person would write for them by hand: each part of the order (the contacts
        with a value, then those without; the statuses in pipeline order) read along its own
        index, from its start or from the first page's last row (row values), the parts one
        after another (UNION ALL) up to a page; then the page's tags, named and in name order.
        Both sides return the same rows: every column a listed contact carries
        (``ContactRow``), and each tag's id, name, slug, colour and emoji. The two sides'
        samples alternate, so that the machine's load weighs on both alike."""
        from tagtui.store.sorting import SORT_FIELDS, Sort

        s = self.store
        pipeline = [
            r[0]
            for r in self.raw.execute(
                "SELECT id FROM status WHERE workspace_id = ? ORDER BY position, id", (self.ws,)
            )
        ]
        keys = {
            "name": "c.name_key",
            "email": "c.email_key",
            "company": "lower(c.company)",
            "assignee": "c.assignee_key",
            "followers": "c.followers",
            "tags": "c.tags_key",
        }
        batch = self.SORT_BATCH
        for name in SORT_FIELDS:
            for descending in (False, True):
                sort = Sort(name, descending)
                way = " DESC" if descending else ""
                # (condition, its order's key or None for by id alone, direction) in order.
                parts: list[tuple[str, str | None, str]]
                if name == "status":
                    # Within a status, names A to Z either way (the pipeline is reversed).
                    ordered = pipeline[::-1] if descending else pipeline
                    parts = [(f"c.status_id = {int(i)}", "c.name_key", "") for i in ordered]
                    parts.append(("c.status_id IS NULL", "c.name_key", ""))
                elif name in ("name", "followers"):
                    parts = [("1 = 1", keys[name], way)]
                elif name in keys:
                    key = keys[name]
                    # lower(...) >= '' seeks past the NULLs (IS NOT NULL walks them).
                    present = f"{key} >= ''" if name == "company" else f"{key} IS NOT NULL"
                    parts = [(present, key, way), (f"{key} IS NULL", None, way)]
                else:
                    continue  # an order with no statement by hand here yet: no row (a test says so)
                first = s.list_contacts(limit=PAGE, with_total=False, sort=sort)

                def ours(sort=sort, after=None) -> list[tuple]:
                    for _ in range(batch - 1):
                        s.list_contacts(limit=PAGE, after=after, with_total=False, sort=sort)
                    return self.full_page(
                        s.list_contacts(limit=PAGE, after=after, with_total=False, sort=sort)
                    )

                def raw(parts=parts, params=()) -> list[tuple]:
                    for _ in range(batch - 1):
                        self.raw_sorted_page(parts, list(params))
                    return self.raw_sorted_page(parts, list(params))

                self.add(
                    f"sort: first page by {sort.text}",
                    11,
                    ours,
                    raw,
                    note="raw: the order's index from its start, by hand; same columns and tags",
                    per_call=batch,
                    alternate=True,
                )
                rest, params = self.raw_after(parts, first.rows[-1].id if first.rows else 0)
                self.add(
                    f"sort: next page by {sort.text}",
                    11,
                    lambda sort=sort, after=first.next_after: ours(sort, after),
                    lambda parts=rest, params=params: raw(parts, params),
                    note="raw: the same index from the first page's last row (row values), by hand",
                    per_call=batch,
                    alternate=True,
                )

    @staticmethod
    def full_page(page) -> list[tuple]:
        """Every column of each listed contact, and each tag's (id, name, slug, colour, emoji)."""
        return [
            (
                r.id,
                r.name,
                r.email,
                r.company,
                r.phone,
                r.assignee,
                r.followers,
                r.status,
                r.status_id,
                r.status_color,
                r.name_key,
                tuple((t.id, t.name, t.slug, t.color, t.emoji) for t in r.tags),
            )
            for r in page.rows
        ]

    def raw_after(
        self, parts: list[tuple[str, str | None, str]], after: int
    ) -> tuple[list[tuple[str, str | None, str]], list[Any]]:
        """The parts (``sorting``) of the rows after contact ``after`` in their order, and their
        parameters: the part the row is in, from the row on (row values), and those after it."""
        for n, (cond, key, way) in enumerate(parts):
            found = self.raw.execute(
                f"SELECT {key or 'NULL'} FROM contact c WHERE c.id = ? AND {cond}", (after,)
            ).fetchone()
            if found is not None:
                past = "<" if way else ">"
                if key is None:
                    return [(f"{cond} AND c.id {past} ?", key, way), *parts[n + 1 :]], [after]
                keyset = f"({key}, c.id) {past} (?, ?)"
                return [(f"{cond} AND {keyset}", key, way), *parts[n + 1 :]], [found[0], after]
        return [], []

    def raw_sorted_page(self, parts: list[tuple[str, str | None, str]], params: list[Any]) -> list[tuple]:
        """What ``full_page`` returns, by hand: a page of the rows of ``parts`` (``sorting``),
        each part along its index, one after another; then the page's tags in name order."""
        columns = (
            "c.id, c.name, c.email, c.company, c.phone, c.assignee, c.followers, s.name, c.status_id,"
            " s.color, c.name_key"
        )
        if not parts:
            return []
        selects = []
        for cond, key, way in parts:
            order = f"{key}{way}, c.id{way}" if key else f"c.id{way}"
            selects.append(
                f"SELECT * FROM (SELECT {columns} FROM contact c LEFT JOIN status s ON s.id = c.status_id"
                f" WHERE c.workspace_id = {int(self.ws)} AND {cond} ORDER BY {order} LIMIT {PAGE})"
            )
        rows = self.raw.execute(" UNION ALL ".join(selects) + f" LIMIT {PAGE}", params).fetchall()
        ids = [r[0] for r in rows]
        tags: dict[int, list[tuple]] = {}
        for cid, *tag in self.raw.execute(
            "SELECT ct.contact_id, t.id, t.name, t.slug, t.color, t.emoji FROM contact_tag ct"
            f" JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id IN ({','.join('?' * len(ids))})"
            " ORDER BY t.name_key, t.id",
            ids,
        ):
            tags.setdefault(cid, []).append(tuple(tag))
        return [(*r, tuple(tags.get(r[0], ()))) for r in rows]

    # -- 13: the UI in a real terminal, and enter to rows ----------------------------------

    def ui(self) -> None:
        """Group 13 (issue 15): the app as a person meets it. ``tagtui.bench.pty_probe`` starts
        ``python -m tagtui`` on a pseudo-terminal of ``UI_SIZE`` and times the first rows, the
        count and the board after ``4`` (one process per run); ``tagtui.bench.stall`` types
        ``UI_STEPS`` into the query bar (one process) and times enter to the new rows painted
        and the event loop's longest block while typing. No raw floor: the note gives the
        issue's target and the app process's CPU time (user + system)."""
        from tagtui.bench.pty_probe import probe

        columns, lines = UI_SIZE
        size = f"{columns}x{lines}"
        samples = []
        for n in range(self.runs):
            self.progress(f"ui: pty {size}, run {n + 1}")
            samples.append(probe(self.path, size=UI_SIZE))
        rss = max((s["rss_mb"] for s in samples if s["rss_mb"] is not None), default=None)
        for key, what, target in (
            ("first_rows", "first rows", 0.8),
            ("count", "the count shown", 1.0),
            ("board", "the board with counts after 4", 0.8),
        ):
            walls = [float(s[key] or 0.0) for s in samples]
            cpus = [float(s[f"{key}_cpu"] or 0.0) for s in samples]
            since = "from the key press" if key == "board" else "from the process start"
            self.results.append(
                Result(
                    f"ui (pty {size}): {what}",
                    13,
                    statistics.median(walls),
                    None,
                    rss,
                    f"{since}; app CPU median {statistics.median(cpus):.2f} s; target {target:g} s",
                    walls,
                    [],
                )
            )
        self.progress("ui: enter to rows")
        from tagtui.bench.stall import DEFAULT_STEPS

        typed = (
            UI_STEPS
            if UI_STEPS is not None
            else tuple(s for s in DEFAULT_STEPS if not s.startswith("panel:"))
        )
        steps = [f"--step={step}" for step in typed]  # "=": a query may start with "-"
        out = child_output([sys.executable, "-m", "tagtui.bench.stall", self.path, "--size", size, *steps])
        stall = json.loads(out)
        changes = stall["changes"]
        rows = [c["rows_ms"] / 1000 for c in changes]
        typing = [c["typing_block_ms"] / 1000 for c in changes]
        after = [c["longest_block_ms"] / 1000 for c in changes]
        self.results.append(
            Result(
                f"ui ({size}): enter on a typed query -> new rows painted",
                13,
                statistics.median(rows),
                None,
                None,
                f"median of {len(changes)} changes (python -m tagtui.bench.stall); target 0.15 s",
                rows,
                [],
            )
        )
        self.results.append(
            Result(
                f"ui ({size}): longest event-loop block while typing",
                13,
                max(typing),
                None,
                None,
                f"the longest of {len(changes)} changes (median {statistics.median(typing) * 1000:.0f} ms;"
                f" after enter up to {max(after) * 1000:.0f} ms); target 0.06 s",
                typing,
                [],
            )
        )

    # -- 8: generate and import -----------------------------------------------------------

    def sync(self, folder: str) -> None:
        """Group 12: sync with a local Radicale (issue 13), beside a bare script making the same
        requests (see ``tagtui.bench.sync``); skipped, saying why, without Radicale."""
        from tagtui.bench.sync import sync_rows

        sync_rows(folder, self.sync_cards, self.runs, self.add, self.progress)

    def generate_and_import(self, folder: str) -> None:
        self.progress("demo")
        scratch = os.path.join(folder, "demo.db")
        ours = build_demo(scratch, self.contacts)
        rss = child_peak_rss_mb()
        raw_db = os.path.join(folder, "raw-demo.db")
        started = time.perf_counter()
        raw_generate(raw_db, self.contacts)
        raw_t = time.perf_counter() - started
        self.results.append(
            Result(
                f"demo --contacts {self.contacts:,}",
                8,
                ours,
                raw_t,
                rss,
                "whole process; raw: INSERT … SELECT from a recursive CTE, indexes after",
                [ours],
                [raw_t],
            )
        )
        # import: 100,000 rows (or every contact, when fewer) exported from this database;
        # at a larger size every contact too (its peak RSS is the figure that matters there).
        for rows in sorted({min(100_000, self.contacts), self.contacts}):
            self.import_rows(folder, rows)

    def import_rows(self, folder: str, rows: int) -> None:
        """``tagtui import`` of a ``rows``-row CSV (exported from this database) into a new
        database, the whole process, beside the raw importer of the same file in this one; at
        100,000 rows or fewer ``runs`` times each, in turn (one run moves by ±10%), median."""
        from tagtui.io.export import export_contacts

        source = os.path.join(folder, "import.csv")
        with open(source, "w", encoding="utf-8", newline="") as out:
            export_contacts(_Limited(self.store, rows), parse(""), "csv", out)  # type: ignore[arg-type]
        target = os.path.join(folder, f"import-{rows}.db")
        raw_db = os.path.join(folder, "raw-import.db")
        self.progress(f"import of {rows:,} rows")
        ours: list[float] = []
        raw: list[float] = []
        rss = 0.0
        for _ in range(self.runs if rows <= 100_000 else 1):
            _remove_database(target)
            # Each side starts on a quiet disk: the demo just built (1.5 GB at 1M) is still being
            # written back, and a commit's fsync would wait behind it (100,000 rows: 2.30 s
            # against 1.96 s, the raw side, which writes a quarter as much, 0.71 s either way).
            os.sync()
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", _PEAK_RSS, "--db", target, "import", source],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            ours.append(time.perf_counter() - started)
            rss_kib = json.loads(done.stderr.strip().splitlines()[-1])["rss_kib"]
            rss = max(rss, round(rss_kib / 1024, 1))
            os.sync()
            started = time.perf_counter()
            raw_import(raw_db, source)
            raw.append(time.perf_counter() - started)
        self.results.append(
            Result(
                f"import of a {rows:,}-row CSV",
                8,
                statistics.median(ours),
                statistics.median(raw),
                rss,
                "whole process into a new database (its reader process alongside), peak RSS of"
                f" the two added up; raw: csv.reader + executemany, in this process; {len(ours)} run(s)",
                ours,
                raw,
            )
        )
        for path in (source, target, raw_db):
            _remove_database(path)


def _remove_database(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path + suffix)


#: ``tagtui`` run in a process that then prints its peak RSS (KiB) as JSON on stderr: its own
#: and its children's (an import's reader process, ``tagtui.io.parallel``), added up.
_PEAK_RSS = (
    "import json, sys\n"
    "from tagtui.bench.probe import children_peak_rss_kib, own_peak_rss_kib\n"
    "from tagtui.cli.main import main\n"
    "code = main(sys.argv[1:])\n"
    "print(json.dumps({'rss_kib': own_peak_rss_kib() + children_peak_rss_kib()}), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


class _Limited:
    """A store whose ``iter_contacts`` / ``iter_contact_values`` stop after ``n`` rows (for
    making the import file)."""

    def __init__(self, store: Store, n: int) -> None:
        self._store = store
        self._n = n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def iter_contacts(self, query: Any, **kwargs: Any) -> Iterator[Any]:
        for i, row in enumerate(self._store.iter_contacts(query, **kwargs)):
            if i >= self._n:
                return
            yield row

    def iter_contact_values(self, query: Any, **kwargs: Any) -> Iterator[list[Any]]:
        """What export reads: batches, cut at ``n`` rows."""
        return self._cut(self._store.iter_contact_values(query, **kwargs))

    def iter_contact_csv(self, query: Any, **kwargs: Any) -> Iterator[list[str]]:
        """What a CSV export reads: batches of lines, cut at ``n`` rows."""
        return self._cut(self._store.iter_contact_csv(query, **kwargs))

    def _cut(self, batches: Iterator[list[Any]]) -> Iterator[list[Any]]:
        left = self._n
        for batch in batches:
            if left <= 0:
                return
            yield batch[:left]
            left -= len(batch)


def raw_generate(path: str, contacts: int) -> None:
    """The raw floor for ``demo``: contacts and three tags each from a recursive CTE, indexes after."""
    _remove_database(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        f"""
        PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
        BEGIN;
        CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE contact (id INTEGER PRIMARY KEY, name TEXT, email TEXT, company TEXT,
            status_id INTEGER, followers INTEGER, name_key TEXT, search TEXT);
        CREATE TABLE contact_tag (contact_id INTEGER, tag_id INTEGER, created_at TEXT,
            PRIMARY KEY (contact_id, tag_id)) WITHOUT ROWID;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
        INSERT INTO tag SELECT i, 'tag ' || i FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {contacts})
        INSERT INTO contact SELECT i, 'Name ' || (abs(random()) % 100000), 'p' || i || '@example.com',
            'Company ' || (i % 5000), 1 + abs(random()) % 7, abs(random()) % 100000, '', '' FROM n;
        UPDATE contact SET name_key = lower(name), search = lower(name || email || company);
        INSERT OR IGNORE INTO contact_tag SELECT id, 1 + abs(random()) % 40, '' FROM contact;
        INSERT OR IGNORE INTO contact_tag SELECT id, 1 + abs(random()) % 40, '' FROM contact;
        INSERT OR IGNORE INTO contact_tag SELECT id, 1 + abs(random()) % 40, '' FROM contact;
        CREATE INDEX ix_name ON contact (name_key, id);
        CREATE INDEX ix_status ON contact (status_id, name_key, id);
        CREATE UNIQUE INDEX ux_email ON contact (email);
        CREATE INDEX ix_ct_tag ON contact_tag (tag_id, contact_id);
        COMMIT;
        """
    )
    conn.close()


def raw_import(path: str, source: str) -> None:
    """The raw floor for ``import``: csv.reader into plain tables with executemany."""
    _remove_database(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        """
        PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
        CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
        CREATE TABLE contact (id INTEGER PRIMARY KEY, name TEXT, email TEXT UNIQUE, company TEXT,
            phone TEXT, assignee TEXT, followers INTEGER, status TEXT);
        CREATE TABLE contact_tag (contact_id INTEGER, tag_id INTEGER, PRIMARY KEY (contact_id, tag_id));
        """
    )
    conn.execute("BEGIN")
    with open(source, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        links = []
        tags: dict[str, int] = {}
        for n, row in enumerate(reader, 1):
            conn.execute(
                "INSERT INTO contact (id, name, email, company, phone, assignee, followers, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (n, row[1], row[2] or None, row[3], row[4], row[5], int(row[6] or 0), row[7]),
            )
            for name in filter(None, row[8].split(";")):
                if name not in tags:
                    tags[name] = len(tags) + 1
                    conn.execute("INSERT INTO tag VALUES (?, ?)", (tags[name], name))
                links.append((n, tags[name]))
        conn.executemany("INSERT OR IGNORE INTO contact_tag VALUES (?, ?)", links)
    conn.execute("COMMIT")
    conn.close()


def run_bench(
    *,
    contacts: int,
    db: str | None = None,
    runs: int = 5,
    quick: bool = False,
    progress: Progress | None = None,
    sync_cards: int = SYNC_CARDS,
) -> Report:
    """Build or reuse the demo database and time every operation; see the module doc."""
    if isinstance(contacts, bool) or not isinstance(contacts, int) or contacts < 100:
        raise ValidationError(f"--contacts must be at least 100, not {contacts}", field="contacts")
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= 100:
        raise ValidationError(f"--runs must be 1–100, not {runs}", field="runs")
    path = os.path.abspath(db or default_path(contacts))
    if "://" in (db or ""):
        raise ValidationError("bench compares with raw sqlite3: give it a file path, not a URL", field="db")
    started = time.perf_counter()
    say = progress or (lambda _: None)
    if demo_size(path) != contacts:
        if os.path.exists(path) and os.path.getsize(path) and demo_size(path) is None:
            raise ValidationError(
                f"{path} is not a demo database: bench only builds its own (give a new --db path)", field="db"
            )
        say(f"building a demo database of {contacts:,} contacts at {path}")
        build_demo(path, contacts)
    if isinstance(sync_cards, bool) or not isinstance(sync_cards, int) or sync_cards < 1:
        raise ValidationError(f"--sync-cards must be at least 1, not {sync_cards}", field="sync_cards")
    bench = Bench(path, contacts, runs, progress)
    bench.sync_cards = sync_cards
    try:
        with tempfile.TemporaryDirectory(prefix="tagtui-bench-") as folder:
            bench.startup()
            bench.filters()
            bench.counts()
            bench.scrolling()
            bench.board()
            bench.bulk(os.path.join(folder, "bulk.db"))
            bench.export(folder)
            bench.duplicates()
            bench.trends()
            bench.sorting()
            if not quick:
                bench.ui()
                bench.generate_and_import(folder)
                bench.sync(folder)
    finally:
        bench.close()
    return Report(contacts, path, runs, machine(), bench.results, time.perf_counter() - started)


def format_table(report: Report) -> str:
    """The report as a Markdown table (also readable in a terminal)."""
    m = report.machine
    lines = [
        f"{report.contacts:,} contacts · {report.runs} run(s) each, median · "
        f"{m['cpus']} CPUs · Python {m['python']} · SQLite {m['sqlite']}",
        "",
        "| # | operation | tagtui | raw | ratio | peak RSS | note |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in report.results:
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}x"
        rss = "" if r.rss_mb is None else f"{r.rss_mb:.0f} MB"
        lines.append(
            f"| {r.group} | {r.op} | {_secs(r.tagtui_s)} | {_secs(r.raw_s)} | {ratio} | {rss} | {r.note} |"
        )
    return "\n".join(lines)


def _secs(value: float | None) -> str:
    if value is None:
        return ""
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def write_json(report: Report, path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(report.to_json(), out, indent=2)
        out.write("\n")


__all__ = ["Report", "Result", "format_table", "run_bench", "write_json"]
