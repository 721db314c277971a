"""CSV cells on hostile text: the engine's neutralising is Python's (one definition,
``tagtui.store.cells``), and the lines the engine makes are what ``csv.writer`` writes.

Hypothesis draws text full of what breaks CSV and spreadsheets: quotes, commas, CR and LF,
leading ``= + - @``, tabs, the neutralising ``'`` itself, and non-ASCII letters.
"""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagtui.io.export import CSV_COLUMNS, csv_cells, export_contacts
from tagtui.query.filter import EVERYTHING
from tagtui.store import Store
from tagtui.store.cells import (
    FORMULA_STARTS,
    SQL_PARAMS,
    csv_quote,
    neutralise,
    neutralise_sql,
    unneutralise,
)
from tagtui.store.imports import TAG_SEPARATOR

HOSTILE = st.text(
    alphabet=st.sampled_from(['"', ",", "\r", "\n", "'", "=", "+", "-", "@", "\t", " ", ";", "a", "Z", "7"])
    | st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
#: Text a spreadsheet would run, or nearly: a formula start behind any number of quotes.
FORMULA_LIKE = st.builds(
    lambda quotes, start, rest: "'" * quotes + start + rest,
    st.integers(0, 3),
    st.sampled_from([*FORMULA_STARTS, "'", "a", ""]),
    HOSTILE,
)
CELL = HOSTILE | FORMULA_LIKE
#: Tag names (a fixed few: tags outlive the examples, and a workspace has a tag limit).
TAG_NAMES = ["=SUM(A1)", "a,b", 'say "hi"', "+1 vip", "-x", "@me", "'=q", "''+x", "Ünï ✓", "\tTab", "plain"]
STATUS = '=Formula, "status"'
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(text=CELL)
def test_the_engine_neutralises_as_python_does(store: Store, text: str) -> None:
    with store.db.transaction(write=False) as tx:
        engine = tx.scalar(
            f"SELECT {neutralise_sql(store.db, 'CAST(:t AS TEXT)')}", {"t": text, **SQL_PARAMS}
        )
    assert engine == neutralise(text)
    assert unneutralise(neutralise(text)) == text
    assert neutralise(text)[:1] not in FORMULA_STARTS


@SETTINGS
@given(cell=CELL)
def test_csv_quote_is_the_csv_modules(cell: str) -> None:
    out = io.StringIO(newline="")
    csv.writer(out).writerow([cell, "x"])
    assert out.getvalue() == (csv_quote(cell) if cell else "") + ",x\r\n"


def _reference(store: Store) -> str:
    """What ``csv.writer`` writes for the contacts, cell by cell (the per-contact path)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_cells(r) for r in store.iter_contacts(EVERYTHING))
    return out.getvalue()


def _export(store: Store) -> str:
    out = io.StringIO(newline="")
    export_contacts(store, EVERYTHING, "csv", out)
    return out.getvalue()


@SETTINGS
@given(
    people=st.lists(
        st.tuples(CELL, CELL, CELL, CELL, st.lists(st.sampled_from(TAG_NAMES), max_size=3), st.booleans()),
        min_size=1,
        max_size=4,
    )
)
def test_export_lines_are_what_csv_writer_writes(store: Store, people: list) -> None:
    if not store.list_statuses():
        store.create_status(STATUS)
    made = []
    for i, (name, company, phone, assignee, tags, with_status) in enumerate(people):
        contact = store.add_contact(
            f"{name}{i}",  # never blank
            email=f"{'=' if i % 2 else ''}e{i}@x.com",
            company=company,
            phone=phone,
            assignee=assignee,
        )
        store.sync_tags(contact_id=contact.id, names=tags)
        if with_status:
            store.set_status(contact.id, STATUS)
        made.append(contact.id)
    try:
        text = _export(store)
        assert text == _reference(store)
        # Read back with the csv module and un-neutralised: the stored values, every one.
        rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
        by_id = {int(r[0]): r for r in rows}
        for stored in store.iter_contacts(EVERYTHING):
            cells = [unneutralise(c) for c in by_id[stored.id]]
            assert cells[1:6] == [
                v or "" for v in (stored.name, stored.email, stored.company, stored.phone, stored.assignee)
            ]
            assert cells[8] == TAG_SEPARATOR.join(t.name for t in stored.tags)
    finally:
        store.delete_contacts(made)


def test_pages_with_and_without_a_cell_to_quote(store: Store) -> None:
    """Pages of plain lines (checked in one pass) and pages with a quoted cell among plain
    ones (made again from their cells) give the same bytes as the csv module."""
    for i in range(30):
        odd = i % 7 == 3
        contact = store.add_contact(
            f"Name {i:02}" + (', "Jr"' if odd else ""),
            company=("Co\r\nLtd" if odd else "Co") if i % 2 else None,
            phone=f"+1 555 {i:04}",
        )
        store.sync_tags(contact_id=contact.id, names=["a,b" if odd else "x"])
    for batch in (1, 4, 7, 100):
        lines = [line for page in store.iter_contact_csv(batch=batch) for line in page]
        out = io.StringIO(newline="")
        csv.writer(out).writerows(csv_cells(r) for r in store.iter_contacts(EVERYTHING))
        assert "".join(lines) == out.getvalue()
