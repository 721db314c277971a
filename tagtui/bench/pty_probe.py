"""``python -m tagtui.bench.pty_probe DB``: the app as a person meets it, in a real terminal.

It starts ``python -m tagtui --db DB`` on a pseudo-terminal (200×50, as tmux gives), reads
what the app draws and prints one JSON line of seconds since the process was started::

    {"first_rows": s, "count": s, "board": s, "first_rows_cpu": s, "count_cpu": s, "board_cpu": s,
     "rss_mb": MB}

``first_rows``: the first contact by name is on the screen; ``count``: the workspace's count
("1,000,000 contacts") is; ``board``: after pressing ``4`` (once the count showed), the count
of every status column is on the screen, timed from the key press. The expected texts come
from the database itself (read-only), so nothing is hard-coded. Then it presses ``q``.
The ``_cpu`` figures are the app process's CPU time (user + system) at each moment: under
load on a shared machine they say more than the wall times. ``rss_mb``: the app process's
peak resident set size once the board showed.
"""

from __future__ import annotations

import json
import math
import os
import re
import select
import signal
import sqlite3
import struct
import sys
import tempfile
import time

#: Escape sequences (CSI, OSC, single-character ones): dropped to leave the drawn text.
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def expected(path: str) -> tuple[str, str, list[str]]:
    """The first contact's name, the count text and each status column's count text."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ws = conn.execute("SELECT id FROM workspace ORDER BY id LIMIT 1").fetchone()[0]
        name = conn.execute(
            "SELECT name FROM contact WHERE workspace_id = ? ORDER BY name_key, id LIMIT 1", (ws,)
        ).fetchone()[0]
        total = conn.execute("SELECT COUNT(*) FROM contact WHERE workspace_id = ?", (ws,)).fetchone()[0]
        counts = [
            n
            for (n,) in conn.execute(
                "SELECT COUNT(c.id) FROM status s LEFT JOIN contact c ON c.status_id = s.id"
                " WHERE s.workspace_id = ? GROUP BY s.id",
                (ws,),
            )
        ]
    finally:
        conn.close()
    return name, f"{total:,} contact", [f" {n:,}" for n in counts]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident set size of process ``pid`` so far, in MB (Linux ``/proc``; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def probe(path: str, timeout: float = 60.0, size: tuple[int, int] = (200, 50)) -> dict[str, float | None]:
    import fcntl
    import pty
    import termios

    name, count_text, column_counts = expected(path)
    config = tempfile.mkdtemp(prefix="tagtui-probe-")
    env = {**os.environ, "TERM": "xterm-256color", "XDG_CONFIG_HOME": config, "COLUMNS": "", "LINES": ""}
    env.pop("COLUMNS")
    env.pop("LINES")
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, on the terminal
        os.execvpe(sys.executable, [sys.executable, "-m", "tagtui", "--db", path], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    os.kill(pid, signal.SIGWINCH)
    times: dict[str, float] = {}
    rss: float | None = None
    text = b""
    seen_columns: set[str] = set()
    pressed = 0.0
    deadline = started + timeout
    try:
        while time.perf_counter() < deadline and "board" not in times:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break
            now = time.perf_counter() - started
            text = (text[-4096:] if len(text) > 4096 else text) + chunk
            drawn = _ESCAPES.sub(b"", text).decode("utf-8", "replace")
            if "first_rows" not in times and name in drawn:
                times["first_rows"] = now
                times["first_rows_cpu"] = cpu_seconds(pid)
            if "count" not in times and count_text in drawn:
                times["count"] = now
                times["count_cpu"] = cpu_seconds(pid)
                text = b""  # the board's counts are looked for in what comes after the key
                pressed = time.perf_counter()
                os.write(fd, b"4")
                continue
            if pressed:
                seen_columns.update(c for c in column_counts if c in drawn)
                if len(seen_columns) == len(column_counts):
                    times["board"] = time.perf_counter() - pressed
                    times["board_cpu"] = cpu_seconds(pid) - times["count_cpu"]
                    rss = peak_rss_mb(pid)
        os.write(fd, b"q")
    finally:
        end = time.perf_counter() + 5
        while time.perf_counter() < end:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            with _suppress():
                os.read(fd, 1 << 16) if select.select([fd], [], [], 0.05)[0] else None
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    missing = {"first_rows", "count", "board"} - set(times)
    if missing:
        raise SystemExit(f"pty probe: not seen in {timeout:g} s: {', '.join(sorted(missing))}")
    return {**{k: round(v, 3) for k, v in times.items()}, "rss_mb": rss}


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], OSError)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    usage = "usage: python -m tagtui.bench.pty_probe DB [TIMEOUT_S]"
    if not 1 <= len(args) <= 2:
        print(usage, file=sys.stderr)
        return 2
    path = args[0]
    try:
        timeout = float(args[1]) if len(args) > 1 else 60.0
    except ValueError:
        timeout = math.nan
    if not timeout > 0 or math.isinf(timeout):
        print(f"pty probe: the timeout must be a number of seconds above 0, not {args[1]!r}", file=sys.stderr)
        return 2
    try:
        expected(path)
    except (sqlite3.Error, TypeError) as exc:  # TypeError: no workspace row to take an id from
        print(f"pty probe: {path} is not a tagtui database it can read ({exc})", file=sys.stderr)
        return 2
    print(json.dumps(probe(path, timeout)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
