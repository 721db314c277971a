"""The threads Textual's thread workers run in yield the CPU to the UI thread.

On a filter change over a million contacts three workers start at once (the page, the
count, the explain line's counts); with the UI thread that is four busy threads on a
two-core machine, and the UI thread painting the new rows got half a core. Worker
threads run at a lower scheduling priority (nice 10, Linux: per thread), so the UI
thread comes first and the queries take the rest. Elsewhere nothing changes.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

#: How much lower than the UI thread (a nice value; unprivileged processes may only raise it).
NICENESS = 10


def _yield_to_ui() -> None:
    """NICENESS below the thread that started this one (a new thread starts at its nice value):
    under ``nice -n 5 tagtui`` the workers run at 15, not at 10, next to a UI thread at 5."""
    if sys.platform.startswith("linux"):
        tid = threading.get_native_id()
        with contextlib.suppress(OSError):  # not allowed here: run at the normal priority
            os.setpriority(os.PRIO_PROCESS, tid, min(os.getpriority(os.PRIO_PROCESS, tid) + NICENESS, 19))


def worker_pool() -> ThreadPoolExecutor:
    """A pool for the event loop's ``run_in_executor`` (which thread workers use)."""
    return ThreadPoolExecutor(thread_name_prefix="tagtui-worker", initializer=_yield_to_ui)
