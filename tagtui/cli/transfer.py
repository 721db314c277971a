"""``tagtui demo``, ``tagtui import`` and ``tagtui export``: data in and out, through ``tagtui.io``."""

from __future__ import annotations

import argparse
import os
from typing import Any

from tagtui.cli.common import add_json, command, parse_query
from tagtui.cli.contacts import QUERY_HELP
from tagtui.cli.context import Context
from tagtui.cli.output import plural
from tagtui.cli.progress import Progress, wants_progress, working
from tagtui.cli.registry import help_for
from tagtui.io.formats import CSV_STYLES, FORMATS, format_from_suffix, in_words
from tagtui.store.duplicates import LOOKALIKES_BUDGET_S, Lookalikes


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = command(
        sub,
        "demo",
        help=help_for("demo"),
        handler=demo,
        parents=parents,
        epilog="example:\n  tagtui --db /tmp/demo.db demo --contacts 5000 --seed 7",
    )
    p.add_argument("--contacts", type=int, default=200, metavar="N", help="how many contacts (default 200)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    add_json(p, "{contacts, tags, statuses, seconds}")

    p = command(
        sub,
        "import",
        help=help_for("import"),
        handler=import_file,
        parents=parents,
        epilog=IMPORT_EPILOG,
    )
    p.add_argument("file", metavar="FILE", help="a CSV file, or a vCard file (.vcf; 2.1, 3.0 or 4.0)")
    p.add_argument(
        "--encoding",
        metavar="E",
        help="the file's encoding (default: UTF-8, with or without BOM; a UTF-16 or UTF-32 BOM is"
        " always followed)",
    )
    p.add_argument(
        "--delimiter",
        metavar="D",
        help="a CSV file's delimiter: one character, or tab, comma, semicolon, pipe (default:"
        " Excel's sep= line, else the one of , ; tab | that the header line holds most of)",
    )
    p.add_argument(
        "--map",
        action="append",
        metavar="COLUMN=FIELD",
        help='send a CSV column to a field (e.g. --map "E-mail 1 - Value=email"), or ignore it'
        ' (--map "Notes="); repeatable',
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="refuse the whole file (exit 2, nothing imported) if any row would be skipped",
    )
    p.add_argument(
        "--apply-rules",
        action="store_true",
        help="after the import, apply every automation rule (see `tagtui rules`)",
    )
    add_json(
        p,
        "{created, updated, tags_created, statuses_created, rows, format, skipped,"
        " skipped_rows: [{line, reason}], mapping: {columns: [{column, field}], ignored}[, rules]}",
    )

    p = command(
        sub,
        "export",
        help=help_for("export"),
        handler=export,
        parents=parents,
        epilog="examples:\n  tagtui export --query tag:vip > vip.csv\n"
        "  tagtui export --query -tag:cold --format json --output warm.json\n"
        "  tagtui export --for google --output google.csv   # then import it at contacts.google.com",
    )
    p.add_argument("--query", metavar="Q", help=QUERY_HELP)
    p.add_argument(
        "--format",
        choices=FORMATS,
        help=f"{in_words(FORMATS)} (default: from the --output suffix, else csv)",
    )
    p.add_argument(
        "--for",
        dest="style",
        choices=CSV_STYLES,
        default="spreadsheet",
        help="who reads the CSV: spreadsheet (tagtui's columns, formula cells neutralised; the"
        " default), google (Google Contacts' columns) or outlook (Outlook's columns); the last two"
        " leave values as they are",
    )
    p.add_argument(
        "--output",
        metavar="FILE",
        help="write to FILE (its folder must exist; an existing file is replaced, after asking at a"
        " terminal) instead of stdout; - is stdout; a device or FIFO is written in place",
    )


def _io_missing(what: str, exc: ImportError) -> Exception:
    from tagtui.store.errors import TagtuiError

    return TagtuiError(f"{what} is not available in this installation ({exc})")


def demo(ctx: Context) -> int:
    a = ctx.args
    try:
        from tagtui.io.demo import generate
    except ImportError as exc:
        raise _io_missing("demo data", exc) from exc
    reporter = Progress("demo", "contacts") if wants_progress() else None
    try:
        result = generate(ctx.store, contacts=a.contacts, seed=a.seed, progress=reporter)
    finally:
        if reporter is not None:
            reporter.done()
    data = result.to_json()
    if ctx.json:
        ctx.out.json(data)
    else:
        ctx.out.say(
            f"Demo data in workspace '{ctx.workspace}': {data.get('contacts')} contacts,"
            f" {data.get('tags')} tags, {data.get('statuses')} statuses"
            + (f" in {data['seconds']:.1f} s" if isinstance(data.get("seconds"), int | float) else "")
        )
    return 0


def import_file(ctx: Context) -> int:
    from tagtui.store.errors import FileError

    a = ctx.args
    if not os.path.isfile(a.file):
        why = "is a folder" if os.path.isdir(a.file) else "does not exist"
        raise FileError(f"cannot read {a.file}: it {why}", field="file")
    if not os.access(a.file, os.R_OK):
        raise FileError(f"cannot read {a.file}: permission denied", field="file")
    try:
        from tagtui.io.csv_import import PROGRESS_ROWS, parse_map
        from tagtui.io.csv_import import import_file as import_from
    except ImportError as exc:
        raise _io_missing("import", exc) from exc
    overrides = parse_map(a.map or ())
    reporter = Progress("import") if wants_progress() else None
    calls = 0

    def told(position: int, size: int) -> None:
        # The import tells once per PROGRESS_ROWS rows, with how much of the file it has read.
        nonlocal calls
        calls += 1
        if reporter is not None:
            reporter(calls * PROGRESS_ROWS, share=position / size if size else None)

    newest = ctx.store.newest_contact_id()  # contacts after it are the import's new ones
    try:
        report = import_from(
            ctx.store,
            a.file,
            encoding=a.encoding,
            overrides=overrides,
            progress=told if reporter is not None else None,
            strict=a.strict,
            delimiter=a.delimiter,
        )
    finally:
        if reporter is not None:
            reporter.done()
    data = report.to_json()
    with working("import: applying rules"):
        effects = ctx.store.apply_rules() if getattr(a, "apply_rules", False) else None
    if effects is not None and isinstance(data, dict):
        data["rules"] = [e.to_json() for e in effects]
    lookalikes = Lookalikes(0, True)
    if isinstance(data, dict) and data.get("created"):
        with working("import: looking for look-alikes"):
            lookalikes = ctx.store.count_lookalikes(newest)
    if isinstance(data, dict):
        data["lookalikes"] = lookalikes.count
        data["lookalikes_complete"] = lookalikes.complete
    if ctx.json:
        ctx.out.json(data)
    else:
        ctx.out.say(
            f"Imported {plural(data.get('rows', 0), 'row')} from {a.file}: {data.get('created')} created,"
            f" {data.get('updated')} updated; {plural(data.get('tags_created', 0), 'new tag')},"
            f" {plural(data.get('statuses_created', 0), 'new status', 'new statuses')}"
        )
        for line in import_details(report):
            ctx.out.say(line)
        for e in effects or ():
            done = f"broken, not run ({e.broken})" if e.broken else e.plan.summary()
            ctx.out.say(f"Rule '{e.rule.name}': {done}")
        for line in lookalikes_said(lookalikes):
            ctx.out.say(line)
    return 0


IMPORT_EPILOG = """\
tagtui's own columns are those export writes: id, name, email, company, phone, assignee,
followers, status, tags (separated by ';'), and notes. Other tools' exports are mapped by
their column names, whatever the case and punctuation: e.g. First/Middle/Last Name or
Given/Family Name make the name; E-mail Address (Outlook), E-mail 1 - Value (Google),
Email Address and Person - Email - Work (Pipedrive) the email; Company Name (HubSpot),
Organization Name and Organization 1 - Name (Google) the company; Labels, Categories
and Group Membership (split on ' ::: ', ';' or ','; Google's * myContacts and * starred
left out) the tags; Lifecycle Stage or Deal Stage the status; Owner or Contact owner the
assignee. The mapping used is printed (and is in --json); --map changes it.

Rows are matched to contacts by email; tags are added, never removed. A row that cannot
become a contact is skipped and reported with its line and why: no name and no email, a
value tagtui refuses (an invalid email, a field past its length, followers that are not a
whole number, a tag or status name without letters or digits), or no name for an email
no contact has. A file that does not decode or has no name or email column, and a row
that would pass max_tags_per_contact, fail the whole import: nothing is imported.

examples:
  tagtui import contacts.csv
  tagtui import google.csv --map "E-mail 2 - Value=email" --map "Notes="
  tagtui import people.vcf --json"""


def import_details(report: Any) -> list[str]:
    """The mapping (unless the file has exactly tagtui's columns) and the rows skipped."""
    lines: list[str] = []
    mapping = report.mapping
    if mapping is not None and not mapping.is_plain:
        lines += ["Columns:", *mapping.describe()]
    if report.skipped_count:
        lines.append(f"Skipped {plural(report.skipped_count, 'row')}:")
        lines += [f"  {s}" for s in report.skipped[:20]]
        if report.skipped_count > 20:
            lines.append(f"  … and {report.skipped_count - 20} more (--json lists up to 1000)")
    return lines


def export(ctx: Context) -> int:
    from tagtui.io import target as targets

    a = ctx.args
    output = None if a.output in (None, targets.STDOUT) else a.output
    # Google's and Outlook's files are CSV whatever their name says.
    fmt = a.format or (format_from_suffix(output) if a.style == "spreadsheet" else None) or "csv"
    from tagtui.io.export import check_style

    check_style(fmt, a.style)
    target = targets.resolve(output or targets.STDOUT)  # a missing folder fails before the database opens
    store = ctx.store
    query = parse_query(a.query)
    store.check_query(query)  # an unknown tag in the query fails before any file is touched
    shown = "standard output" if target.stdout else target.path
    if ctx.dry_run:  # writes no file (and nothing to stdout but the count)
        count = store.count_contacts(query)
        what = fmt if a.style == "spreadsheet" else f"{a.style} CSV"
        ctx.out.say(f"Would export {plural(count, 'contact')} as {what} to {shown}")
        return 0
    if target.exists:
        ctx.confirm(f"{target.path} exists. Replace it?")
    try:
        from tagtui.io.export import export_contacts
    except ImportError as exc:
        raise _io_missing("export", exc) from exc
    reporter = Progress("export", "contacts") if wants_progress() else None
    try:
        written = targets.write(
            target, fmt, lambda out: export_contacts(store, query, fmt, out, style=a.style, progress=reporter)
        )
    finally:
        if reporter is not None:
            reporter.done()
    if not target.stdout:  # the count would land in the exported data
        ctx.out.say(f"Exported {plural(written, 'contact')} to {target.path}")
    return 0


def check_output(path: str) -> str:
    """The path that writing ``path`` writes; FileError if it is a folder or its folder is missing."""
    from tagtui.io.target import resolve

    return resolve(path).where


def lookalikes_said(found: Lookalikes) -> list[str]:
    """The line ``import`` ends with about its rows that look like older contacts (none when
    it counted none)."""
    stopped = f"the check stopped after {LOOKALIKES_BUDGET_S:g} s"
    if not found.count:
        return (
            [] if found.complete else [f"Look-alikes not counted: {stopped} (tagtui duplicates finds them)"]
        )
    rows = "row looks" if found.count == 1 else "rows look"
    if found.complete:
        return [f"{found.count:,} imported {rows} like existing contacts (tagtui duplicates)"]
    return [
        f"At least {found.count:,} imported {rows} like existing contacts"
        f" ({stopped}; tagtui duplicates finds them all)"
    ]
