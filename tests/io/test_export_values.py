"""The batched export path gives, byte for byte, what the per-contact path gives.

``export_contacts`` reads plain tuples (``Store.iter_contact_values``) with CSV cells
neutralised by the engine and tags named from their ids; the reference here is built from
``iter_contacts`` rows through ``csv_cells``, ``ContactRow.to_json`` and ``vcard``.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from tagtui.io.demo import generate
from tagtui.io.export import CSV_COLUMNS, export_contacts, vcard
from tagtui.query.filter import EVERYTHING, Filter
from tagtui.query.parse import parse
from tagtui.store import Store, ValidationError

PREFIXES = ["=", "+", "-", "@", "'=", "'", "''+", "'x", "\t", "\r", "x"]


def reference(store: Store, fmt: str, query: Filter) -> str:
    from tagtui.io.export import csv_cells

    rows = list(store.iter_contacts(query))
    out = io.StringIO(newline="")
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_cells(r) for r in rows)
    elif fmt == "json":
        out.write(
            "["
            + "".join(
                ("\n" if i == 0 else ",\n") + json.dumps(r.to_json(), ensure_ascii=False)
                for i, r in enumerate(rows)
            )
        )
        out.write("\n]\n" if rows else "]\n")
    else:
        notes = store.contact_notes([r.id for r in rows])
        out.write("".join(vcard(r, notes.get(r.id)) for r in rows))
    return out.getvalue()


def export(store: Store, fmt: str, query: Filter = EVERYTHING) -> str:
    out = io.StringIO(newline="")
    export_contacts(store, query, fmt, out)
    return out.getvalue()


@pytest.fixture
def tricky(store: Store) -> Store:
    generate(store, contacts=300, seed=3)
    store.create_status("=Formula status")
    for i, p in enumerate(PREFIXES):
        c = store.add_contact(
            f"{p}Name {i}",
            email=f"e{i}@x.com",
            company=f'{p}Co, Ltd; "q"',
            phone=f"{p}1",
            assignee=f"{p}a",
            notes=f"{p}note {i}\r\nsecond; line, \\ x" + "ü" * (i * 9),
        )
        # Names that sort differently by code point than by a locale: Ab < B < ab < zz…
        store.sync_tags(contact_id=c.id, names=[f"{p}t{i}", "ab", "B", "Ab", "zz" + "ü" * 40])
        if i % 2:
            store.set_status(c.id, "=Formula status")
    store.add_contact("One", email="one@x.com")
    store.add_contact(" Leading space " + "é" * 80, email="long@x.com")
    return store


@pytest.mark.parametrize("query", ["", "tag:ab", "-tag:ab", "tag:none", "nobody-matches-this"])
def test_batched_export_equals_the_per_contact_reference(tricky: Store, query: str) -> None:
    f = parse(query)
    for fmt in ("csv", "json", "vcf"):  # one workspace for the three (it is only read)
        assert export(tricky, fmt, f) == reference(tricky, fmt, f), fmt


def test_values_come_in_batches_in_name_order_with_tags_and_notes(tricky: Store) -> None:
    rows = list(tricky.iter_contacts())
    batches = list(tricky.iter_contact_values(batch=7, notes=True))
    assert all(len(b) == 7 for b in batches[:-1]) and 1 <= len(batches[-1]) <= 7
    values = [v for b in batches for v in b]
    assert [v[0] for v in values] == [r.id for r in rows]
    assert [v[8] for v in values] == [tuple(t.name for t in r.tags) for r in rows]
    notes = tricky.contact_notes([r.id for r in rows])
    assert [v[9] for v in values] == [notes.get(r.id) for r in rows]
    assert all(v[9] is None for b in tricky.iter_contact_values(batch=50) for v in b)


def test_a_tag_renamed_between_batches_is_named_afresh(tricky: Store) -> None:
    batches = tricky.iter_contact_values(batch=3)
    next(batches)
    tricky.update_tag("ab", name="ab renamed")
    rest = [v[8] for b in batches for v in b]
    assert sum("ab renamed" in tags for tags in rest) >= len(PREFIXES) - 3
    assert not any("ab" in tags for tags in rest)


def test_bad_batch_size_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError, match="batch"):
        list(store.iter_contact_values(batch=0))


# -- tags named by their keys (contact.tags_key), and where keys cannot say ---------------


@pytest.mark.parametrize("fmt", ["csv", "json", "vcf"])
def test_tag_names_whose_keys_are_ambiguous_come_from_the_links(tricky: Store, fmt: str) -> None:
    """A tag name holding the tags_key separator ("ab\\x1fB" reads as the tags "ab" and "B"):
    its contacts, and every other one, are named from their links."""
    odd = tricky.add_contact("Odd One", email="odd@x.com")
    tricky.sync_tags(contact_id=odd.id, names=["ab\x1fB", "zz"])
    plain = tricky.add_contact("Plain One", email="plain@x.com")
    tricky.sync_tags(contact_id=plain.id, names=["ab", "B"])
    text = export(tricky, fmt)
    assert text == reference(tricky, fmt, EVERYTHING)
    values = {v[0]: v[8] for b in tricky.iter_contact_values(batch=4) for v in b}
    assert values[odd.id] == ("ab\x1fB", "zz") and values[plain.id] == ("ab", "B")


def test_a_key_that_names_no_tag_is_named_from_the_links(tricky: Store) -> None:
    """A contact's tags_key that names no tag (as if its triggers had missed a change): that
    contact's tags come from its links, the others' from their keys; so on every page."""
    odd = tricky.add_contact("Odd One", email="odd@x.com")
    tricky.sync_tags(contact_id=odd.id, names=["ab", "zz"])
    odder = tricky.add_contact("Odd Two", email="odd2@x.com")
    tricky.sync_tags(contact_id=odder.id, names=["B"])
    with tricky.db.transaction(write=True) as tx:
        tx.execute(
            "UPDATE contact SET tags_key = 'no such tag' WHERE id IN (:a, :b)", {"a": odd.id, "b": odder.id}
        )
    for fmt in ("csv", "json", "vcf"):
        assert export(tricky, fmt) == reference(tricky, fmt, EVERYTHING)
    for batch in (1, 5):
        values = {v[0]: v[8] for b in tricky.iter_contact_values(batch=batch) for v in b}
        assert values[odd.id] == ("ab", "zz") and values[odder.id] == ("B",)
    lines = {line.split(",")[0]: line for page in tricky.iter_contact_csv(batch=1) for line in page}
    assert lines[str(odd.id)].endswith(",ab;zz\r\n") and lines[str(odder.id)].endswith(",B\r\n")


def test_a_tag_renamed_while_a_page_is_read_is_named_one_way_on_that_page(
    tricky: Store, db_url: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process renames a tag ("ab" -> "AB": its key stays) just before the second
    page's rows are read. SQLite reads a page in one snapshot: it says the old name;
    PostgreSQL reads each statement afresh: the page is named again, with the new name.
    The pages after it say the new name, the one before the old; each tagged contact once."""
    from tagtui.store import contacts

    loads = 0
    load = contacts._TagNames.load
    other = Store.open(db_url)

    def load_then_rename(self: contacts._TagNames, tx) -> bool:
        nonlocal loads
        changed = load(self, tx)
        loads += 1
        if loads == 3:  # the second page, before its rows
            other.update_tag("ab", name="AB")
        return changed

    monkeypatch.setattr(contacts._TagNames, "load", load_then_rename)
    tagged = {r.id for r in tricky.iter_contacts() if "ab" in [t.name for t in r.tags]}
    try:
        pages = [[(v[0], v[8]) for v in b] for b in tricky.iter_contact_values(batch=6)]
    finally:
        other.close()
    assert loads > 3 and sum(len(p) for p in pages) == tricky.count_contacts()

    def said(page: list) -> set[str]:
        return {n for cid, names in page if cid in tagged for n in names if n in ("ab", "AB")}

    assert all(said(p) <= {"ab"} for p in pages[:1])
    assert said(pages[1]) == ({"AB"} if backend == "postgresql" else {"ab"})
    assert all(said(p) <= {"AB"} for p in pages[2:])
    assert said([row for p in pages for row in p]) >= {"AB"}
    assert all(
        len([n for n in names if n in ("ab", "AB")]) == 1 for p in pages for cid, names in p if cid in tagged
    )
