"""``python -m tagtui.bench.probe DB``: open the app headless until the contacts screen shows
its first page, then print one JSON line (seconds since the process started, peak RSS) and exit.

It runs in its own process so that import time and memory are those a user meets.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402


def own_peak_rss_kib() -> int:
    """This process's own peak resident set size, in KiB.

    On Linux it is ``VmHWM`` of ``/proc/self/status``: ``ru_maxrss`` of a process started by
    another keeps the parent's peak at the fork (a child of a 420 MB bench reports 420 MB
    however little it uses itself), while ``VmHWM`` belongs to the process's own memory. Where
    there is no ``/proc``, ``ru_maxrss`` (macOS reports bytes).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return maxrss_kib(resource.RUSAGE_SELF)


def children_peak_rss_kib() -> int:
    """The largest peak resident set size of this process's children that ended, in KiB (an
    upper bound: a child's ``ru_maxrss`` counts what it shared with this process at the fork)."""
    return maxrss_kib(resource.RUSAGE_CHILDREN)


def maxrss_kib(who: int) -> int:
    """``ru_maxrss`` of ``resource.getrusage(who)`` in KiB (macOS reports bytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def peak_rss_mb() -> float:
    """This process's own peak resident set size, in MB."""
    return round(own_peak_rss_kib() / 1024, 1)


async def _open(target: str, timeout: float) -> float:
    from tagtui.app.app import TagtuiApp
    from tagtui.app.widgets.contact_table import ContactTable
    from tagtui.store import Store

    store = Store.open(target)
    try:
        app = TagtuiApp(store)
        async with app.run_test(size=(120, 34)) as pilot:
            deadline = time.perf_counter() + timeout
            while time.perf_counter() < deadline:
                tables = list(app.screen.query(ContactTable))
                if tables and tables[0].row_count:
                    return time.perf_counter() - STARTED
                await asyncio.sleep(0.002)
            await pilot.pause()
            raise SystemExit("the contacts screen showed no rows in time")
    finally:
        store.close()


def main() -> int:
    target = sys.argv[1]
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    seconds = asyncio.run(_open(target, timeout))
    print(json.dumps({"seconds": seconds, "rss_mb": peak_rss_mb()}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
