"""``tagtui bench``: time every path a user waits on, beside the raw sqlite3 statement."""

from __future__ import annotations

import argparse
import sys

from tagtui.cli.common import command
from tagtui.cli.context import Context
from tagtui.cli.output import is_tty
from tagtui.cli.registry import help_for


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = command(
        sub,
        "bench",
        help=help_for("bench"),
        handler=bench,
        parents=parents,
        description="Time tagtui's own code path and a hand-written raw sqlite3 statement returning\n"
        "the same rows, on the same demo database, and print their medians and ratio.",
        epilog="--db names the demo database to build or reuse (default: tagtui-bench-N.db in the\n"
        "temporary folder); it must be a new file or a demo database. Writes run on a copy.\n\n"
        "examples:\n  tagtui bench --contacts 10000 --runs 3\n"
        "  tagtui bench --contacts 1000000 --json bench.json",
    )
    p.add_argument(
        "--contacts", type=int, default=1_000_000, metavar="N", help="demo contacts (default 1,000,000)"
    )
    p.add_argument("--runs", type=int, default=5, metavar="K", help="runs of each operation (default 5)")
    p.add_argument(
        "--sync-cards",
        type=int,
        default=5000,
        metavar="N",
        help="cards of the local Radicale the sync rows use (default 5,000)",
    )
    p.add_argument("--json", dest="json_file", metavar="FILE", help="also write the results as JSON to FILE")
    p.add_argument(
        "--quick",
        action="store_true",
        help="skip the slow ones: demo generation, the CSV import, sync with a local Radicale and the UI",
    )


def bench(ctx: Context) -> int:
    from tagtui.bench import format_table, run_bench, write_json
    from tagtui.cli.transfer import check_output

    a = ctx.args
    if a.json_file:
        check_output(a.json_file)
    tty = is_tty(sys.stderr)

    def progress(what: str) -> None:
        if tty:
            sys.stderr.write("\r\x1b[2K" + f"bench: {what}"[:200])
            sys.stderr.flush()

    try:
        report = run_bench(
            contacts=a.contacts,
            db=getattr(a, "db", None),
            runs=a.runs,
            quick=a.quick,
            progress=progress,
            sync_cards=a.sync_cards,
        )
    finally:
        if tty:
            sys.stderr.write("\r\x1b[2K")
    if a.json_file:
        write_json(report, a.json_file)
    # Operation names are ours, never database text: the table is printed as it is.
    print(format_table(report), file=ctx.out.stdout)
    return 0
