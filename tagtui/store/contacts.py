"""Contacts: create, edit, delete, list by filter; and every way tags and statuses reach them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields as dataclass_fields
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from unicodedata import is_normalized

from tagtui.query.filter import EVERYTHING, Filter
from tagtui.store import jobs, pairs
from tagtui.store.base import IMPORTED, KEPT, UNSET, Selection, StoreBase, as_id, as_refs
from tagtui.store.cells import SQL_PARAMS, TAG_SEPARATOR, csv_quote, neutralise, neutralise_sql
from tagtui.store.columns import CONTACT_ROW_NAMES, insert_sql
from tagtui.store.db import IntegrityViolation, Tx
from tagtui.store.errors import Conflict, NotFound, ValidationError
from tagtui.store.identity import contact_keys, email_key
from tagtui.store.identity import search_key as search_key  # where it was first defined
from tagtui.store.jobs import Progress, in_chunks
from tagtui.store.schema import now
from tagtui.store.sorting import BY_NAME, Sort, combined_order, parse_sort, segment_of, segments
from tagtui.store.types import (
    BulkResult,
    Contact,
    ContactRow,
    Event,
    Page,
    TagChange,
    TagRef,
)
from tagtui.store.validation import (
    ASSIGNEE_MAX,
    COMPANY_MAX,
    CONTACT_NAME_MAX,
    EMAIL_MAX,
    NOTES_MAX,
    PHONE_MAX,
    check_limit,
    clean_email,
    clean_followers,
    clean_label_name,
    clean_text,
)

if TYPE_CHECKING:
    from tagtui.store.merge import MergeService
    from tagtui.store.tags import TagService

LIST_COLUMNS = (
    "c.id, c.name, c.email, c.company, c.phone, c.assignee, c.followers, s.name,"
    " c.status_id, s.color, c.name_key"
)
FULL_COLUMNS = LIST_COLUMNS + ", c.notes, c.created_at, c.updated_at, c.rev"
#: How many distinct tags (by their shown values) ``_tags_of`` keeps one ``TagRef`` of.
TAG_REFS_KEPT = 4096
T = TypeVar("T")
V = TypeVar("V")
CONTACT_FIELDS = ("name", "email", "company", "phone", "assignee", "followers", "notes")


#: The text fields of a contact with their length limits, in the order ``clean_contact_fields``
#: checks them (and gives them back).
TEXT_LIMITS = (
    ("name", CONTACT_NAME_MAX),
    ("email", EMAIL_MAX),
    ("company", COMPANY_MAX),
    ("phone", PHONE_MAX),
    ("assignee", ASSIGNEE_MAX),
    ("notes", NOTES_MAX),
)


def clean_contact_fields(fields: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Validate the given contact fields; blank optional text becomes ``None``."""
    out: dict[str, Any] = {}
    if creating or "name" in fields:
        out["name"] = clean_text(fields.get("name"), field="name", limit=CONTACT_NAME_MAX, required=True)
    if "email" in fields:
        out["email"] = clean_email(fields["email"])
    for key, limit in TEXT_LIMITS[2:]:
        if key in fields:
            out[key] = clean_text(fields[key], field=key, limit=limit)
    if "followers" in fields:
        out["followers"] = clean_followers(fields["followers"])
    return out


def plain_contact_fields(cells: Mapping[str, str]) -> dict[str, Any] | None:
    """What ``clean_contact_fields(creating=False)`` makes of the non-blank fields of
    ``cells``, when every one is plain: printable (so it has no NUL, and no white space but a
    space), without a space around it (so ``strip`` changes nothing), NFC already (so
    ``stored`` changes nothing), within its limit; an email one ``@`` between two non-empty
    parts and no space; followers digits only. ``None`` for any other row: the full checks
    then run, and say what is wrong. (Most rows of most files are plain: the same rules,
    without a call and a new string per cell; an import checks each row with it first.)"""
    fields: dict[str, Any] = {}
    for key, limit in TEXT_LIMITS:
        value = cells.get(key)
        if value:
            if not (
                value.isprintable()
                and len(value) <= limit
                and value[0] != " "
                and value[-1] != " "
                and (value.isascii() or is_normalized("NFC", value))
            ):
                return None
            fields[key] = value
    email = fields.get("email")
    if email is not None and (email.count("@") != 1 or " " in email or email[0] == "@" or email[-1] == "@"):
        return None
    followers = cells.get("followers")
    if followers:
        if not (followers.isascii() and followers.isdigit() and len(followers) <= 18):
            return None
        fields["followers"] = int(followers)
    return fields


class ContactService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions; merge and tags are the services it calls."""

    def __init__(self, core: StoreBase, merge: MergeService, tags: TagService) -> None:
        self._core = core
        self._merge = merge
        self._tags = tags

    # -- reading ---------------------------------------------------------------------

    def list_contacts(
        self,
        query: Filter = EVERYTHING,
        *,
        limit: int = 100,
        offset: int = 0,
        after: tuple[Any, ...] | None = None,
        with_total: bool = True,
        sort: Sort | str | None = None,
    ) -> Page:
        """One page of the contacts ``query`` selects, in ``sort`` order (default: by name), and
        how many it selects.

        ``after`` (a page's ``next_after``; by name, a row's ``(name_key, id)``) pages by keyset
        instead of offset. Every order is exact: ties are broken by id.
        """
        check_limit(limit, offset)
        order = sort if isinstance(sort, Sort) else parse_sort(sort)

        def run(tx: Tx) -> Page:
            _, where, params = self._shaped(tx, query, "rows")
            if order != BY_NAME:
                found, next_after = self._sorted_rows(tx, order, where, params, limit, offset, after)
                tags = self._tags_of(tx, [r[0] for r in found])
                total = self._count(tx, query) if with_total else -1
                listed = tuple(_row(r, tags.get(r[0], ())) for r in found)
                return Page(total, listed, limit, offset, next_after)
            if after is not None:
                # The first conjunct is a range the name index can seek to; the OR alone made
                # the engine walk every row before the key (O(offset), 0.4 s at 500,000).
                where += " AND c.name_key >= :after_key AND (c.name_key > :after_key OR c.id > :after_id)"
                params.update(after_key=after[0], after_id=int(after[1]))
            rows = tx.all(
                f"SELECT {LIST_COLUMNS} FROM contact c LEFT JOIN status s ON s.id = c.status_id"
                f" WHERE {where} ORDER BY c.name_key, c.id LIMIT :limit OFFSET :offset",
                {**params, "limit": limit, "offset": offset},
            )
            tags = self._tags_of(tx, [r[0] for r in rows])
            total = -1
            if with_total:
                total = self._count(tx, query)
            next_after = (rows[-1][10], rows[-1][0]) if rows else None
            return Page(total, tuple(_row(r, tags.get(r[0], ())) for r in rows), limit, offset, next_after)

        return self._core._read(run)

    def _sorted_rows(
        self,
        tx: Tx,
        order: Sort,
        where: str,
        params: dict[str, Any],
        limit: int,
        offset: int,
        after: tuple[Any, ...] | None,
    ) -> tuple[list[tuple[Any, ...]], tuple[Any, ...] | None]:
        """A page of rows in ``order`` (see ``tagtui.store.sorting``) and the key after its last row."""
        statuses = self._pipeline(tx) if order.field == "status" else []
        parts = segments(order, statuses)
        value = parts[0].key or "NULL"
        select = f"SELECT {LIST_COLUMNS}, {value} FROM contact c LEFT JOIN status s ON s.id = c.status_id"
        found: list[tuple[Any, ...]] = []
        if after is None and offset:
            # A jump (to the last page): one statement in the whole order, by offset.
            whole = combined_order(order, statuses)
            found = tx.all(
                f"{select} WHERE {where} ORDER BY {whole} LIMIT :limit OFFSET :offset",
                {**params, "limit": limit, "offset": offset},
            )
        else:
            if after is not None and (len(after) != 3 or not isinstance(after[0], int)):
                raise ValidationError("after: not a key of this sort's pages", field="after")
            start = after[0] if after is not None else 0
            for index in range(start, len(parts)):
                part = parts[index]
                condition = f"{where} AND {part.condition}"
                bound = dict(params)
                if after is not None and index == start:
                    condition += f" AND {part.after(after[1])}"
                    bound.update(after_value=after[1], after_id=int(after[2]))
                found += tx.all(
                    f"{select} WHERE {condition} ORDER BY {part.order_by()} LIMIT :limit",
                    {**bound, "limit": limit - len(found)},
                )
                if len(found) >= limit:
                    break
        if not found:
            return found, None
        last = found[-1]
        return found, (segment_of(order, statuses, last[8], last[11]), last[11], last[0])

    def _pipeline(self, tx: Tx) -> list[int]:
        """The status ids in pipeline order."""
        sql = "SELECT id FROM status WHERE workspace_id = :ws ORDER BY position, id"
        return [r[0] for r in tx.all(sql, self._core._params())]

    def sort_key(self, contact: int | str, sort: Sort | str | None = None) -> tuple[Any, ...]:
        """The key of ``contact``'s place in ``sort`` order: ``list_contacts(after=key,
        sort=sort)`` goes on with the contacts that follow it (as a page ending there would)."""
        order = sort if isinstance(sort, Sort) else parse_sort(sort)

        def run(tx: Tx) -> tuple[Any, ...]:
            contact_id = self._core._contact_id(tx, contact)
            if order == BY_NAME:
                value = "c.name_key"
                statuses: list[int] = []
            else:
                statuses = self._pipeline(tx) if order.field == "status" else []
                value = segments(order, statuses)[0].key or "NULL"
            row = tx.one(
                f"SELECT c.status_id, {value}, c.id FROM contact c WHERE c.id = :id AND c.workspace_id = :ws",
                self._core._params(id=contact_id),
            )
            if row is None:
                raise NotFound(f"no contact {contact_id}", field="contact")
            if order == BY_NAME:
                return (row[1], row[2])
            return (segment_of(order, statuses, row[0], row[1]), row[1], row[2])

        return self._core._read(run)

    def count_contacts(self, query: Filter = EVERYTHING) -> int:
        """How many contacts ``query`` selects (each counted once)."""
        return self._core._read(lambda tx: self._count(tx, query))

    def _count(self, tx: Tx, query: Filter) -> int:
        if query == EVERYTHING and not tx.one(
            "SELECT 1 FROM contact WHERE workspace_id < :ws OR workspace_id > :ws LIMIT 1",
            self._core._params(),
        ):
            # Every contact is this workspace's: the engine's own whole-table count is fastest.
            everyone: int = tx.scalar("SELECT COUNT(*) FROM contact")
            return everyone
        source, where, params = self._shaped(tx, query, "count")
        count: int = tx.scalar(f"SELECT COUNT(*) FROM {source} WHERE {where}", params)
        return count

    def _shaped(self, tx: Tx, query: Selection, purpose: str) -> tuple[str, str, dict[str, Any]]:
        """``(FROM item, condition, parameters)`` selecting ``query``'s contacts, in the
        statement shape that suits ``purpose`` ("rows" by name, or "count")."""
        if not isinstance(query, Filter):
            where, params = self._core._selection(tx, query)  # ids, or something it refuses clearly
            return "contact c", where, params
        compiled = self._core._compile(tx, query, sizes=self._core._sizes(tx), purpose=purpose)
        if compiled.source is not None:
            # The tag ids are this workspace's: so are the contacts that carry them
            # (``:ws``: a status clause's contacts, read from the status index).
            return compiled.source, compiled.sql, self._core._params(**compiled.params)
        workspace = "+c.workspace_id" if compiled.plain_workspace else "c.workspace_id"
        return "contact c", f"{workspace} = :ws AND {compiled.sql}", self._core._params(**compiled.params)

    def iter_contacts(self, query: Filter = EVERYTHING, *, batch: int = 2000) -> Iterator[ContactRow]:
        """Every contact ``query`` selects, by name, streamed a batch at a time."""
        after: tuple[str, int] | None = None
        while True:
            page = self.list_contacts(query, limit=min(batch, 1000), after=after, with_total=False)
            yield from page.rows
            if len(page.rows) < page.limit:
                return
            last = page.rows[-1]
            after = (last.name_key, last.id)

    def iter_contact_values(
        self, query: Filter = EVERYTHING, *, batch: int = 5000, notes: bool = False, neutralised: bool = False
    ) -> Iterator[list[tuple[Any, ...]]]:
        """What ``iter_contacts`` yields, as lists of plain tuples, a batch at a time: for exports.

        Each tuple is ``(id, name, email, company, phone, assignee, followers, status,
        tag names, notes)``: the tag names a tuple in ``_tags_of``'s order; ``notes`` only when
        asked for, else ``None``. A batch is one keyset page (one read transaction); each
        contact's tags are named from its ``tags_key`` in the same row (``_export_pages``) by
        the workspace's tags, read again only when they change.

        ``neutralised``: the text columns (name to status; not the tags) come as
        ``cells.neutralise`` makes them for CSV (SPEC §6), computed by the engine.
        """
        db = self._core.db
        text = (lambda column: neutralise_sql(db, column)) if neutralised else (lambda column: column)
        columns = ", ".join(text(f"c.{name}") for name in ("name", "email", "company", "phone", "assignee"))
        head = f"c.id, {columns}, c.followers, {text('s.name')}, {'c.notes' if notes else 'NULL'}"

        def page(
            tx: Tx, rows: list[tuple[Any, ...]], names: Mapping[str | None, tuple[str, ...]]
        ) -> list[tuple[Any, ...]]:
            return [(*r[:8], names[r[9]], r[8]) for r in rows]

        return self._export_pages(query, head, batch, SQL_PARAMS, page, shape=tuple)

    def iter_contact_csv(self, query: Filter = EVERYTHING, *, batch: int = 5000) -> Iterator[list[str]]:
        """The contacts ``query`` selects as CSV lines (``IMPORT_COLUMNS``, CRLF ends), by
        name, a batch at a time: what ``csv.writer`` writes for ``iter_contact_values(...,
        neutralised=True)``, byte for byte (formula cells neutralised, SPEC §6; a cell quoted
        only when it holds a comma, a quote or a line break).

        The engine makes each contact's line up to its tags (neutralised by
        ``cells.neutralise_sql``, joined in one call) and its tags_key beside it, and nothing
        else per row; Python adds the tag cell (with the line's end), made once per distinct
        tags_key while the tags stay as they are.
        A page with no cell to quote (as many commas as cells, no quote, no line break) is
        checked in one pass over its text; on another page the lines with a cell to quote
        are made again from their cells.
        """
        db = self._core.db
        text_fields = ("name", "email", "company", "phone", "assignee")
        texts = [neutralise_sql(db, f"c.{name}") for name in text_fields]
        status = neutralise_sql(db, "s.name")
        cells = ["c.id", *texts, "c.followers", status]
        commas = len(cells)  # after each cell: the last one before the tags
        values = f"c.id, {', '.join(texts)}, c.followers, {status}"

        def tag_cell(names: tuple[str, ...]) -> str:
            """The tag cell of a contact with tags ``names``, and the line's end."""
            return csv_quote(neutralise(TAG_SEPARATOR.join(names))) + "\r\n"

        def page(tx: Tx, rows: list[tuple[Any, ...]], ends: Mapping[str | None, str]) -> list[str]:
            lines = [text + ends[tags] for text, tags in rows]
            body = "".join([r[0] for r in rows])
            if body.count(",") == commas * len(rows) and not any(c in body for c in '"\r\n'):
                return lines  # no line has a cell to quote (each has at least `commas` commas)
            quoted: dict[int, int] = {}  # contact id -> its place in lines
            for at, (text, _) in enumerate(rows):
                if text.count(",") != commas or '"' in text or "\n" in text or "\r" in text:
                    quoted[int(text[: text.index(",")])] = at
            cond, params = db.in_list("c.id", "xv_ids", list(quoted))
            for cid, *own in tx.all(
                f"SELECT {values} FROM contact c LEFT JOIN status s ON s.id = c.status_id WHERE {cond}",
                {**params, **SQL_PARAMS},
            ):
                at = quoted[cid]
                own_cells = [csv_quote("" if c is None else str(c)) for c in own]
                lines[at] = ",".join([str(cid), *own_cells, ends[rows[at][1]]])
            return lines

        def contact_id(row: tuple[Any, ...]) -> int:  # the line's first cell
            return int(row[0][: row[0].index(",")])

        line = db.joined_text(cells, ",")
        return self._export_pages(query, line, batch, SQL_PARAMS, page, shape=tag_cell, key_of=contact_id)

    def iter_contact_json(self, query: Filter = EVERYTHING, *, batch: int = 5000) -> Iterator[list[str]]:
        """The contacts ``query`` selects as JSON text, by name, a batch at a time: for each,
        ``ContactRow.to_json``'s object as ``json.dumps(..., ensure_ascii=False)`` writes it,
        byte for byte.

        The engine writes each object up to its tags (keys and punctuation in one call, each
        value by ``Database.json_text``, which escapes as ``json`` does); Python adds the tags'
        array and the closing brace, made once per distinct tags_key (``_export_pages``).
        """
        db = self._core.db
        keys = ("id", "name", "email", "company", "phone", "assignee", "followers", "status")
        values = [*(db.json_text(f"c.{key}") for key in keys[:-1]), db.json_text("s.name")]
        template = "{" + "".join(f'"{key}": %s, ' for key in keys) + '"tags": '
        encode = json.JSONEncoder(ensure_ascii=False).encode

        def tags_end(names: tuple[str, ...]) -> str:
            return encode(list(names)) + "}"

        def page(tx: Tx, rows: list[tuple[Any, ...]], ends: Mapping[str | None, str]) -> list[str]:
            return [text + ends[tags] for text, tags in rows]

        start = len('{"id": ')

        def contact_id(row: tuple[Any, ...]) -> int:  # the object's first value
            return int(row[0][start : row[0].index(",")])

        head = db.formatted_text(template, values)
        return self._export_pages(query, head, batch, {}, page, shape=tags_end, key_of=contact_id)

    def _export_pages(
        self,
        query: Filter,
        head: str,
        batch: int,
        fixed: dict[str, Any],
        page: Callable[[Tx, list[tuple[Any, ...]], Mapping[str | None, V]], list[T]],
        *,
        shape: Callable[[tuple[str, ...]], V],
        key_of: Callable[[tuple[Any, ...]], int] | None = None,
    ) -> Iterator[list[T]]:
        """Keyset pages of ``SELECT {head}, tags, name_key, id`` over ``query``'s contacts
        by name, each made into what ``page(tx, rows, names)`` returns in its transaction
        (``names``: for each tags text on the page, ``shape`` of its tag names in name order,
        made once per distinct text while the tags stay as they are).

        The tags text is the contact's ``tags_key`` (its tags' name keys in name order, kept
        by the triggers of ``models.tags_key_ddl``), named by the workspace's tags: a column
        of the row already read, where a subquery of each contact's links cost the engine
        nearly as much as the rest of the line. Where name keys cannot say which tags they
        are (two tags with one key, a key holding the separator), or the tags changed while
        the page was read (PostgreSQL reads each statement afresh), the rows are named from
        their links instead.

        With ``key_of`` (a row's contact id, from its ``head``) the rows are ``(head, tags)``
        alone: the next page's key is read for the page's last row only."""
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise ValidationError(f"batch must be ≥ 1, not {batch}", field="batch")
        keys = "" if key_of else ", c.name_key, c.id"
        select = f"SELECT {head}, c.tags_key{keys} FROM contact c LEFT JOIN status s ON s.id = c.status_id"
        at_tags = -1 if key_of else -3
        row_id = key_of or (lambda row: row[-1])
        after: tuple[str, int] | None = None
        tags = _TagNames(self, shape)

        def run(tx: Tx) -> tuple[list[T], tuple[str, int] | None, int]:
            _, where, params = self._shaped(tx, query, "rows")
            if after is not None:
                where += " AND c.name_key >= :after_key AND (c.name_key > :after_key OR c.id > :after_id)"
                params.update(after_key=after[0], after_id=after[1])
            tags.load(tx)
            rows = tx.all(
                f"{select} WHERE {where} ORDER BY c.name_key, c.id LIMIT :limit",
                {**params, **fixed, "limit": batch},
            )
            if not rows:
                return [], None, 0
            names: Mapping[str | None, V] = {}
            unknown: Sequence[int] = ()
            if tags.load(tx) or tags.by_links:
                # The tags changed while the rows were read, or their keys are ambiguous.
                unknown = range(len(rows))
            else:
                names = tags.named
                if not tags.name_keys({r[at_tags] for r in rows}):  # a key that names no tag
                    unknown = [at for at, r in enumerate(rows) if r[at_tags] not in names]
            if unknown:
                rows, names = tags.from_links(tx, rows, names, unknown, at_tags, row_id)
            if key_of is None:
                last = (rows[-1][-2], rows[-1][-1])
            else:
                last_id = key_of(rows[-1])
                last = (tx.scalar("SELECT name_key FROM contact WHERE id = :id", {"id": last_id}), last_id)
            return page(tx, rows, names), last, len(rows)

        while True:
            made, last, n = self._core._read(run)
            if made:
                yield made
            if n < batch:
                return
            after = last

    def _tags_of(self, tx: Tx, contact_ids: Sequence[int]) -> dict[int, tuple[TagRef, ...]]:
        """Each contact's tags, by name. The links come from the primary key alone (two
        integers a link: a join naming each link's tag costs more than it saves); the few
        distinct tags are read once, ranked by name, and made into ``TagRef`` s shared by every
        row and page that shows a tag as it is (kept by its values: a renamed tag is a new one).
        One sort of the page's links by that rank puts each contact's tags in name order."""
        if not contact_ids:
            return {}
        cond, params = self._core.db.in_list("ct.contact_id", "ids", list(contact_ids))
        links = tx.all(f"SELECT ct.contact_id, ct.tag_id FROM contact_tag ct WHERE {cond}", params)
        if not links:
            return {}
        tag_cond, tag_params = self._core.db.in_list("t.id", "tids", list({t for _, t in links}))
        # (name_key, id) first: the tuples sort by name, then id, as the tags are shown.
        named = sorted(
            tx.all(
                f"SELECT t.name_key, t.id, t.name, t.slug, t.color, t.emoji FROM tag t WHERE {tag_cond}",
                tag_params,
            )
        )
        kept: dict[tuple[Any, ...], TagRef] = self.__dict__.setdefault("_tag_ref_cache", {})
        if len(kept) > TAG_REFS_KEPT:
            kept.clear()
        rank: dict[int, int] = {}
        refs: list[TagRef] = []
        for place, row in enumerate(named):
            values = row[1:]
            ref = kept.get(values)
            if ref is None:
                ref = kept[values] = TagRef(*values)
            rank[row[1]] = place
            refs.append(ref)
        links.sort(key=lambda link: rank[link[1]])
        out: dict[int, list[TagRef]] = {}
        for cid, tid in links:
            tags = out.get(cid)
            if tags is None:
                out[cid] = [refs[rank[tid]]]
            else:
                tags.append(refs[rank[tid]])
        return {cid: tuple(tags) for cid, tags in out.items()}

    def get_contact(self, ref: int | str) -> Contact:
        """One contact in full, by id or email."""
        return self._core._read(lambda tx: self._load_contact(tx, self._core._contact_id(tx, ref)))

    def _load_contact(self, tx: Tx, contact_id: int) -> Contact:
        row = tx.one(
            f"SELECT {FULL_COLUMNS} FROM contact c LEFT JOIN status s ON s.id = c.status_id WHERE c.id = :id",
            {"id": contact_id},
        )
        if row is None:
            raise NotFound(f"no contact {contact_id}", field="contact")
        tags = self._core._tag_refs(tx, contact_id)
        return Contact(
            id=row[0],
            name=row[1],
            email=row[2],
            company=row[3],
            phone=row[4],
            assignee=row[5],
            followers=row[6],
            status=row[7],
            tags=tags,
            status_id=row[8],
            status_color=row[9],
            name_key=row[10],
            notes=row[11],
            created_at=row[12],
            updated_at=row[13],
            rev=row[14],
        )

    # -- writing ---------------------------------------------------------------------

    def add_contact(self, name: str, **fields: Any) -> Contact:
        """A new contact. An email another contact has (any case) is a Conflict."""
        status = fields.pop("status", None)
        tags = fields.pop("tags", ())
        unknown = set(fields) - set(CONTACT_FIELDS)
        if unknown:
            raise ValidationError(f"unknown contact field {sorted(unknown)[0]!r}")
        clean = clean_contact_fields({"name": name, **fields}, creating=True)

        def run(tx: Tx) -> Contact:
            contact_id = self._insert_contact(tx, clean)
            if status is not None:
                self._set_status(tx, contact_id, self._core._status_id(tx, status))
            if tags:
                self._change_tags(tx, contact_id, [self._core._tag_id(tx, t) for t in tags], [])
            contact = self._load_contact(tx, contact_id)
            self._core._label(tx, "contact.created", f"Added contact {contact.name}")
            return contact

        return self._core._write(run)

    def _insert_contact(self, tx: Tx, clean: dict[str, Any]) -> int:
        values = {k: clean.get(k) for k in CONTACT_FIELDS}
        values["followers"] = values["followers"] or 0
        self._check_email_free(tx, values["email"], None)
        stamp = now()
        try:
            contact_id: int = tx.scalar(
                _INSERT_CONTACT,
                self._core._params(**values, **key_columns(values), at=stamp),
            )
        except IntegrityViolation as exc:
            raise Conflict(
                f"a contact with the email {values['email']!r} already exists", field="email"
            ) from exc
        self._core._event(
            tx, "contact.created", "contact", contact_id, **{k: v for k, v in values.items() if v is not None}
        )
        return contact_id

    def _check_email_free(self, tx: Tx, email: str | None, contact_id: int | None) -> None:
        if email is None:
            return
        other = tx.one(
            "SELECT id, name FROM contact WHERE workspace_id = :ws AND email_key = :key",
            self._core._params(key=email_key(email)),
        )
        if other and other[0] != contact_id:
            raise Conflict(
                f"contact {other[1]!r} (id {other[0]}) already has the email {email!r}",
                field="email",
            )

    def update_contact(self, ref: int | str, *, rev: int | None = None, **fields: Any) -> Contact:
        """Change only the given fields; ``rev`` +1. With ``rev``, only if still at that rev."""
        fields = {k: v for k, v in fields.items() if v is not UNSET}
        unknown = set(fields) - set(CONTACT_FIELDS)
        if unknown:
            raise ValidationError(f"unknown contact field {sorted(unknown)[0]!r}")
        clean = clean_contact_fields(fields, creating=False)

        def run(tx: Tx) -> Contact:
            contact_id = self._core._contact_id(tx, ref)
            # Derived keys are computed from the row as read: nobody may change it meanwhile.
            tx.lock("contact c", "c.id = :id", {"id": contact_id})
            before = self._load_contact(tx, contact_id)
            if rev is not None and before.rev != rev:
                raise Conflict(
                    f"contact {before.name!r} is at rev {before.rev}, not {rev}: it changed since"
                    " you read it; reload and try again",
                    field="rev",
                )
            if "email" in clean:
                self._check_email_free(tx, clean["email"], contact_id)
            changed = {k: v for k, v in clean.items() if getattr(before, k) != v}
            if not changed:
                return before
            merged = {k: getattr(before, k) for k in CONTACT_FIELDS} | changed
            values = {**changed, **key_columns(merged)}
            sets = ", ".join(f"{col} = :{col}" for col in values)
            try:
                tx.execute(
                    f"UPDATE contact SET {sets}, updated_at = :at, rev = rev + 1 WHERE id = :id",
                    {**values, "at": now(), "id": contact_id},
                )
            except IntegrityViolation as exc:
                raise Conflict("another contact already has that email", field="email") from exc
            self._core._event(
                tx,
                "contact.updated",
                "contact",
                contact_id,
                before={k: getattr(before, k) for k in changed},
                after=changed,
            )
            self._core._label(tx, "contact.updated", f"Edited contact {before.name}")
            return self._load_contact(tx, contact_id)

        return self._core._write(run)

    def delete_contacts(self, refs: Sequence[int | str]) -> int:
        """Delete contacts (all of them or, if one is unknown, none); returns how many."""
        refs = as_refs(refs, "contact")
        if not refs:
            raise ValidationError("name at least one contact to delete", field="contact")

        def run(tx: Tx) -> int:
            rows = self._delete_contacts(tx, self._core._contact_ids(tx, refs))
            what = f"contact {rows[0][1]}" if len(rows) == 1 else f"{len(rows):,} contacts"
            self._core._label(tx, "contacts.deleted", f"Deleted {what}")
            return len(rows)

        return self._core._write(run)

    def bulk_delete_contacts(self, selection: Selection, *, progress: Progress | None = None) -> int:
        """Delete the selected contacts (a filter, or ids: an unknown one deletes none) in one
        undo step; returns how many. ``progress(done, total)`` hears how far it is, and
        cancels it by raising (``jobs``)."""

        def run(tx: Tx) -> int:
            where, params = self._core._selection(tx, selection)
            ids = [r[0] for r in tx.all(f"SELECT c.id FROM contact c WHERE {where} ORDER BY c.id", params)]
            if not ids:
                return 0
            size = len(ids) if progress is None else jobs.CHUNK
            deleted, first = 0, ""
            if progress is not None:
                progress(0, len(ids))
            for start in range(0, len(ids), size):
                rows = self._delete_contacts(tx, ids[start : start + size])
                deleted += len(rows)
                first = first or (rows[0][1] if rows else "")
                if progress is not None:
                    progress(min(start + size, len(ids)), len(ids))
            what = f"contact {first}" if deleted == 1 else f"{deleted:,} contacts"
            self._core._label(tx, "contacts.deleted", f"Deleted {what}")
            return deleted

        return self._core._write(run)

    def _delete_contacts(self, tx: Tx, ids: list[int]) -> list[tuple[Any, ...]]:
        """Delete contacts, noting for undo their rows (in the events), tags and statuses.

        Returns the deleted rows: ``(id, name, email, …)`` in ``CONTACT_FIELDS`` order."""
        cond, params = self._core.db.in_list("id", "ids", ids)
        columns = (*CONTACT_FIELDS, "created_at", "updated_at", "rev")
        rows = tx.all(f"SELECT id, {', '.join(columns)} FROM contact WHERE {cond}", params)
        # What undo needs to put them back: their tags and statuses (the rows are in the events).
        assigned, _ = self._core.db.in_list("contact_id", "ids", ids)
        tx.execute(
            "INSERT INTO step_contact_tag (step_id, tag_id, contact_id, added, created_at)"
            " SELECT :undo_step, tag_id, contact_id, 0, created_at FROM contact_tag"
            f" WHERE {assigned} ON CONFLICT DO NOTHING",
            {**params, "undo_step": self._core._step(tx)},
        )
        selected, _ = self._core.db.in_list("c.id", "ids", ids)
        self._core._record_status_where(tx, f"{selected} AND c.status_id IS NOT NULL", params, None)
        # contact_tag rows go with them (ON DELETE CASCADE).
        tx.execute(f"DELETE FROM contact WHERE {cond}", params)
        self._core._events(
            tx,
            "contact.deleted",
            "contact",
            [(r[0], dict(zip(columns, r[1:], strict=True))) for r in rows],
        )
        return rows

    # -- tags on one contact ---------------------------------------------------------

    def change_tags(
        self,
        contact: int | str,
        *,
        add: Sequence[int | str] = (),
        remove: Sequence[int | str] = (),
    ) -> TagChange:
        """Add and remove tags in one call (reference 000); no-ops are fine (001)."""
        add, remove = as_refs(add, "add"), as_refs(remove, "remove")

        def run(tx: Tx) -> TagChange:
            contact_id = self._core._contact_id(tx, contact)
            add_ids = [self._core._tag_id(tx, t) for t in add]
            remove_ids = [self._core._tag_id(tx, t) for t in remove]
            both = set(add_ids) & set(remove_ids)
            if both:
                raise ValidationError("a tag cannot be both added and removed in one change", field="tags")
            change = self._change_tags(tx, contact_id, add_ids, remove_ids)
            self._label_tag_change(tx, change)
            return change

        return self._core._write(run)

    def _current_tag_ids(self, tx: Tx, contact_id: int) -> set[int]:
        return {
            r[0]
            for r in tx.all("SELECT tag_id FROM contact_tag WHERE contact_id = :cid", {"cid": contact_id})
        }

    def _change_tags(
        self,
        tx: Tx,
        contact_id: int,
        add_ids: Sequence[int],
        remove_ids: Sequence[int],
        *,
        created: Sequence[int] = (),
    ) -> TagChange:
        # The tag limit is checked against the set as read: hold the contact until commit.
        tx.lock("contact c", "c.id = :id", {"id": contact_id})
        current = self._current_tag_ids(tx, contact_id)
        added = [t for t in dict.fromkeys(add_ids) if t not in current]
        removed = [t for t in dict.fromkeys(remove_ids) if t in current]
        after = (current | set(added)) - set(removed)
        self.check_tag_limit(tx, len(after), bool(added))
        self._core._record_pairs(tx, [(contact_id, t) for t in added], added=True)
        self._core._record_pairs(tx, [(contact_id, t) for t in removed], added=False)
        stamp = now()
        tx.executemany(
            "INSERT INTO contact_tag (contact_id, tag_id, created_at) VALUES (:cid, :tid, :at)"
            " ON CONFLICT DO NOTHING",
            [{"cid": contact_id, "tid": t, "at": stamp} for t in added],
        )
        tx.executemany(
            "DELETE FROM contact_tag WHERE contact_id = :cid AND tag_id = :tid",
            [{"cid": contact_id, "tid": t} for t in removed],
        )
        if added or removed:
            self._core._event(
                tx,
                "contact.tags_changed",
                "contact",
                contact_id,
                added=added,
                removed=removed,
                created=list(created),
            )
        return TagChange(
            contact_id, self._core._tag_refs(tx, contact_id), tuple(added), tuple(removed), tuple(created)
        )

    def _label_tag_change(self, tx: Tx, change: TagChange) -> None:
        if not change.added and not change.removed:
            return
        names = self._tag_names(tx, [*change.added, *change.removed])
        parts = [f"+{names.get(t, t)}" for t in change.added]
        parts += [f"−{names.get(t, t)}" for t in change.removed]
        who = tx.scalar("SELECT name FROM contact WHERE id = :id", {"id": change.contact_id})
        self._core._label(tx, "contact.tags_changed", f"{' '.join(parts)} on {who}")

    def _tag_names(self, tx: Tx, tag_ids: Sequence[int]) -> dict[int, str]:
        if not tag_ids:
            return {}
        cond, params = self._core.db.in_list("id", "ids", list(tag_ids))
        return dict(tx.all(f"SELECT id, name FROM tag WHERE {cond}", params))

    def _label_bulk(self, tx: Tx, counts: dict[str, int]) -> None:
        """Name a bulk tag change by what it did: "+VIP on 1,204 contacts, −Cold on 311"."""
        changed = {k: v for k, v in counts.items() if v}
        if not changed:
            return
        names = self._tag_names(tx, [int(k[1:]) for k in changed])
        parts = []
        for i, (key, n) in enumerate(changed.items()):
            sign = "+" if key[0] == "+" else "−"
            unit = f" contact{'s' if n != 1 else ''}" if i == 0 else ""
            parts.append(f"{sign}{names.get(int(key[1:]), key[1:])} on {n:,}{unit}")
        self._core._label(tx, "contacts.tags_changed", ", ".join(parts))

    def check_tag_limit(self, tx: Tx, count_after: int, adds: bool) -> None:
        limit = self._core._settings(tx).max_tags_per_contact
        if limit is not None and adds and count_after > limit:
            raise ValidationError(
                f"a contact can have at most {limit} tags; this change would give it"
                f" {count_after}; nothing was changed",
                field="tags",
            )

    def sync_tags(
        self,
        *,
        contact_id: int | str | None = None,
        email: str | None = None,
        names: Sequence[str],
    ) -> TagChange:
        """Make ``names`` the contact's whole tag set, creating tags by slug (reference 002)."""
        if contact_id is None and (email is None or not str(email).strip()):
            raise ValidationError("name the contact by id or by email", field="contact")
        if isinstance(names, str) or not isinstance(names, Sequence):
            raise ValidationError("tags must be a list of names", field="tags")
        wanted: dict[str, str] = {}
        for raw in names:
            name, slug = clean_label_name(raw)
            wanted.setdefault(slug, name)  # the first spelling names a new tag

        def run(tx: Tx) -> TagChange:
            if contact_id is not None:
                # The id wins: an unknown id is NotFound even when the email matches.
                ident = as_id(contact_id)
                found = None
                if ident is not None:
                    found = tx.scalar(
                        "SELECT id FROM contact WHERE id = :id AND workspace_id = :ws",
                        self._core._params(id=ident),
                    )
                if found is None:
                    raise NotFound(f"no contact with id {contact_id}", field="contact")
                cid = found
            else:
                cid = tx.scalar(
                    "SELECT id FROM contact WHERE workspace_id = :ws AND email_key = :key",
                    self._core._params(key=email_key(str(email))),
                )
                if cid is None:
                    raise NotFound(f"no contact with email {email!r}", field="contact")
            tx.lock("contact c", "c.id = :id", {"id": cid})
            target: list[int] = []
            created: list[int] = []
            for slug, name in wanted.items():
                tag_id, was_created = self._tags._find_or_create_tag(tx, name, slug)
                target.append(tag_id)
                if was_created:
                    created.append(tag_id)
            current = self._current_tag_ids(tx, cid)
            remove = [t for t in current if t not in set(target)]
            change = self._change_tags(tx, cid, target, sorted(remove), created=created)
            self._label_tag_change(tx, change)
            return change

        return self._core._write(run)

    # -- one tag on many contacts (reference 003) -----------------------------------------

    def assign(self, tag: int | str, contacts: Sequence[int | str]) -> BulkResult:
        """Give ``tag`` to 1 to ``bulk_limit`` contacts; all must exist, or nothing changes."""
        return self._bulk(tag, contacts, add=True)

    def unassign(self, tag: int | str, contacts: Sequence[int | str]) -> BulkResult:
        """Take ``tag`` from 1 to ``bulk_limit`` contacts; all must exist, or nothing changes."""
        return self._bulk(tag, contacts, add=False)

    def _bulk(self, tag: int | str, contacts: Sequence[int | str], *, add: bool) -> BulkResult:
        contacts = as_refs(contacts, "contact_ids")

        def run(tx: Tx) -> BulkResult:
            limit = self._core._settings(tx).bulk_limit
            if not contacts:
                raise ValidationError("name at least one contact", field="contact_ids")
            if len(contacts) > limit:
                raise ValidationError(
                    f"{len(contacts)} contacts in one call; the limit is {limit}"
                    " (see `tagtui settings --bulk-limit`)",
                    field="contact_ids",
                )
            tag_id = self._core._tag_id(tx, tag)
            ids = self._core._contact_ids(tx, contacts)
            changed = self._apply_tags(tx, ids, [tag_id] if add else [], [] if add else [tag_id])
            self._label_bulk(tx, {f"{'+' if add else '-'}{tag_id}": changed})
            return BulkResult(tag_id, len(ids), changed)

        return self._core._write(run)

    # -- many tags on many contacts, set-based --------------------------------------------

    def bulk_change_tags(
        self,
        selection: Selection,
        *,
        add: Sequence[int | str] = (),
        remove: Sequence[int | str] = (),
        progress: Progress | None = None,
    ) -> dict[str, int]:
        """Add/remove tags on every selected contact (a filter or ids), in set-based SQL.

        Returns how many contacts gained or lost each tag, by tag id (as ``"+id"``/``"-id"``).
        ``progress(done, total)`` hears how far it is, and cancels it by raising (``jobs``).
        """

        add, remove = as_refs(add, "add"), as_refs(remove, "remove")

        def run(tx: Tx) -> dict[str, int]:
            add_ids, remove_ids = self._tag_change_ids(tx, add, remove)
            if not add_ids and not remove_ids:
                raise ValidationError("choose at least one tag to add or remove", field="tags")
            # The statement shape that counts a filter fastest also lists its contacts fastest.
            source, where, params = self._shaped(tx, selection, "count")
            counts = self._apply_tags_where(
                tx, where, params, add_ids, remove_ids, source=source, progress=progress
            )
            self._label_bulk(tx, counts)
            return counts

        return self._core._write(run)

    def _tag_change_ids(
        self, tx: Tx, add: Sequence[int | str], remove: Sequence[int | str]
    ) -> tuple[list[int], list[int]]:
        """The tags to add and to remove, resolved (each once); one tag in both is refused."""
        add_ids = list(dict.fromkeys(self._core._tag_id(tx, t) for t in add))
        remove_ids = list(dict.fromkeys(self._core._tag_id(tx, t) for t in remove))
        if set(add_ids) & set(remove_ids):
            raise ValidationError("a tag cannot be both added and removed in one change", field="tags")
        return add_ids, remove_ids

    def _apply_tags(self, tx: Tx, ids: list[int], add_ids: list[int], remove_ids: list[int]) -> int:
        cond, params = self._core.db.in_list("c.id", "sel", ids)
        counts = self._apply_tags_where(
            tx,
            f"c.workspace_id = :ws AND {cond}",
            self._core._params(**params),
            add_ids,
            remove_ids,
            per_contact_events=True,
        )
        return sum(counts.values())

    def _over_limit(
        self, tx: Tx, add_ids: Sequence[int], remove_ids: Sequence[int]
    ) -> tuple[str, str] | None:
        """How to tell the contacts the tag part would push past ``max_tags_per_contact``:
        ``(join, condition)``, to be written ``FROM … c {join} … GROUP BY c.id`` with the
        condition over the group (each contact's tags counted in one pass, not per contact).
        ``None`` when there is no limit or nothing is added."""
        limit = self._core._settings(tx).max_tags_per_contact
        if limit is None or not add_ids:
            return None
        added = sorted({int(t) for t in add_ids})
        join = "LEFT JOIN contact_tag lim_t ON lim_t.contact_id = c.id"
        if remove_ids:
            join += " AND lim_t.tag_id NOT IN (" + ", ".join(str(int(t)) for t in remove_ids) + ")"
        # held: how many of the added tags it has already; it gains len(added) - held.
        held = f"SUM(CASE WHEN lim_t.tag_id IN ({', '.join(map(str, added))}) THEN 1 ELSE 0 END)"
        n = len(added)
        return join, f"(COUNT(lim_t.tag_id) + {n} - {held} > {int(limit)} AND {held} < {n})"

    def _apply_tags_where(
        self,
        tx: Tx,
        where: str,
        params: dict[str, Any],
        add_ids: Sequence[int],
        remove_ids: Sequence[int],
        *,
        source: str = "contact c",
        per_contact_events: bool = False,
        progress: Progress | None = None,
    ) -> dict[str, int]:
        """Add and remove tags on the contacts ``where`` selects from ``source`` (a FROM item
        aliased ``c`` with a column ``id``; ``where`` may look at the tags being changed).

        With ``progress``, a chunk of contacts at a time, telling it after each (``jobs``)."""
        # The selection is evaluated once, into a temporary table in id order: every statement
        # below (the limit, undo, the change itself) reads it, and each writes in key order.
        self._core.db.snapshot(tx, "tagtui_bulk", f"SELECT c.id FROM {source} WHERE {where}", params)
        source, where, params = "tagtui_bulk c", "1 = 1", {}
        over_limit = self._over_limit(tx, add_ids, remove_ids)
        if over_limit is not None:
            tx.lock("contact c", "c.id IN (SELECT id FROM tagtui_bulk)")
            join, over = over_limit
            n = tx.scalar(
                f"SELECT COUNT(*) FROM (SELECT c.id FROM {source} {join} GROUP BY c.id HAVING {over}) q"
            )
            if n:
                limit = self._core._settings(tx).max_tags_per_contact
                raise ValidationError(
                    f"{n} of the selected contacts would have more than {limit} tags; nothing was changed",
                    field="tags",
                )
        stamp = now()
        counts: dict[str, int] = {f"+{t}": 0 for t in add_ids} | {f"-{t}": 0 for t in remove_ids}
        events: list[tuple[int, dict[str, Any]]] = []

        def having(source: str, tag_id: int, has: bool) -> list[int]:
            """The contacts of ``source`` that have (or lack) the tag: the ones a change reaches."""
            test = "EXISTS" if has else "NOT EXISTS"
            return [
                r[0]
                for r in tx.all(
                    f"SELECT c.id FROM {source} WHERE {test} (SELECT 1 FROM"
                    f" contact_tag y WHERE y.contact_id = c.id AND y.tag_id = {int(tag_id)})"
                )
            ]

        def change(ids: str) -> None:
            # Every statement reads the contacts of ``ids`` (all of them, or one chunk).
            source = f"{ids} c"
            for tag_id in add_ids:
                if per_contact_events:
                    gained = having(source, tag_id, False)
                    events.extend((cid, {"added": [tag_id], "removed": []}) for cid in gained)
                self._core._record_tags_where(tx, tag_id, where, params, added=True, source=source)
                if counting:
                    pairs.count_given(tx, tag_id, source, stamp)
                given = tx.execute(
                    "INSERT INTO contact_tag (contact_id, tag_id, created_at)"
                    f" SELECT c.id, {int(tag_id)}, :at FROM {source} WHERE 1 = 1 ON CONFLICT DO NOTHING",
                    {"at": stamp},
                ).rowcount
                counts[f"+{tag_id}"] += given
                if counting:
                    pairs.count_tag_given(tx, tag_id, stamp, given)
            for tag_id in remove_ids:
                if per_contact_events:
                    lost = having(source, tag_id, True)
                    events.extend((cid, {"added": [], "removed": [tag_id]}) for cid in lost)
                self._core._record_tags_where(tx, tag_id, where, params, added=False, source=source)
                if counting:
                    pairs.count_taken(tx, tag_id, source)
                counts[f"-{tag_id}"] += tx.execute(
                    f"DELETE FROM contact_tag WHERE tag_id = {int(tag_id)} AND contact_id IN"
                    f" (SELECT id FROM {ids})"
                ).rowcount

        # SQLite: trend_pair and trend_tag counted a statement at a time, not by a trigger per
        # assignment.
        with pairs.paused(tx) as counting:
            in_chunks(self._core.db, tx, "tagtui_bulk", change, progress)
        tx.execute("DELETE FROM tagtui_bulk")  # memory stays flat between changes
        if per_contact_events:
            self._core._events(tx, "contact.tags_changed", "contact", events)
        elif any(counts.values()):
            self._core._event(
                tx,
                "contacts.tags_changed",
                "workspace",
                None,
                added={k[1:]: v for k, v in counts.items() if k[0] == "+"},
                removed={k[1:]: v for k, v in counts.items() if k[0] == "-"},
            )
        return counts

    # -- statuses on contacts ----------------------------------------------------------

    def set_status(self, contact: int | str, status: int | str | None) -> Contact:
        """Set (or, with ``None``, clear) a contact's status."""

        def run(tx: Tx) -> Contact:
            contact_id = self._core._contact_id(tx, contact)
            status_id = None if status is None else self._core._status_id(tx, status)
            self._set_status(tx, contact_id, status_id)
            loaded = self._load_contact(tx, contact_id)
            if loaded.status is None:
                self._core._label(tx, "contact.status_changed", f"Cleared the status of {loaded.name}")
            else:
                self._core._label(tx, "contact.status_changed", f"{loaded.name} → {loaded.status}")
            return loaded

        return self._core._write(run)

    def _set_status(self, tx: Tx, contact_id: int, status_id: int | None) -> None:
        tx.lock("contact c", "c.id = :id", {"id": contact_id})
        before = tx.scalar("SELECT status_id FROM contact WHERE id = :id", {"id": contact_id})
        if before == status_id:
            return
        self._core._record_statuses(tx, [(contact_id, before, status_id)])
        tx.execute("UPDATE contact SET status_id = :sid WHERE id = :id", {"sid": status_id, "id": contact_id})
        self._core._event(tx, "contact.status_changed", "contact", contact_id, before=before, after=status_id)

    def bulk_set_status(
        self, selection: Selection, status: int | str | None, *, progress: Progress | None = None
    ) -> int:
        """Set or clear the status of every selected contact in one statement; returns how many changed.

        ``progress(done, total)`` hears how far it is, and cancels it by raising (``jobs``)."""

        def run(tx: Tx) -> int:
            status_id = None if status is None else self._core._status_id(tx, status)
            where, params = self._core._selection(tx, selection)
            n = self._set_status_where(tx, where, params, status_id, progress)
            if n:
                name = (
                    None
                    if status_id is None
                    else tx.scalar("SELECT name FROM status WHERE id = :id", {"id": status_id})
                )
                what = "Cleared the status of" if name is None else f"Status {name} on"
                self._core._label(
                    tx, "contacts.status_changed", f"{what} {n:,} contact{'s' if n != 1 else ''}"
                )
            return n

        return self._core._write(run)

    def _set_status_where(
        self,
        tx: Tx,
        where: str,
        params: dict[str, Any],
        status_id: int | None,
        progress: Progress | None = None,
    ) -> int:
        """Set the status of the contacts ``where`` selects, in one statement (bulk edits, rules);
        with ``progress``, a chunk of contacts at a time (``jobs``)."""
        differs = (
            "c.status_id IS NOT NULL"
            if status_id is None
            else (f"(c.status_id IS NULL OR c.status_id <> {int(status_id)})")
        )
        # The contacts that change, evaluated once: undo notes them, then they are updated.
        self._core.db.snapshot(
            tx, "tagtui_bulk", f"SELECT c.id FROM contact c WHERE {where} AND {differs}", params
        )
        n = 0

        def change(ids: str) -> None:
            nonlocal n
            self._core._record_status_where(tx, f"c.id IN (SELECT id FROM {ids})", {}, status_id)
            n += tx.execute(
                f"UPDATE contact SET status_id = :sid WHERE id IN (SELECT id FROM {ids})", {"sid": status_id}
            ).rowcount

        in_chunks(self._core.db, tx, "tagtui_bulk", change, progress)
        tx.execute("DELETE FROM tagtui_bulk")
        if n:
            self._core._event(tx, "contacts.status_changed", "workspace", None, after=status_id, contacts=n)
        return n

    # -- history ---------------------------------------------------------------------

    def history(
        self, *, contact: int | str | None = None, tag: int | str | None = None, limit: int = 50
    ) -> list[Event]:
        """The newest events about a contact, a tag, or the whole workspace, with their undo step.

        A contact's history includes the bulk changes that reached it (a bulk tag, a merge,
        a deleted tag or status) as its own ``contact.tags_changed`` / ``status_changed``
        lines; a tag's includes the bulk changes that gave or took it.
        """
        check_limit(limit, 0)
        columns = (
            "e.id, e.at, e.kind, e.subject_type, e.subject_id, e.payload, e.step_id, st.state, st.summary,"
            " st.actor"
        )

        def run(tx: Tx) -> list[Event]:
            # Not the contacts an undone import keeps for redo: they are no change of their own.
            where = f"e.workspace_id = :ws AND e.kind <> '{KEPT}'"
            params = self._core._params(limit=limit)
            ids: list[int] = []
            if contact is not None:
                # The contact's own events, and those of the contacts merged into it.
                ids = [self._core._contact_id(tx, contact)]
                ids += self._merge._merged_into(tx, ids[0])
                cond, sids = self._core.db.in_list("e.subject_id", "sids", ids)
                params |= sids
                where += f" AND e.subject_type = 'contact' AND {cond}"
            elif tag is not None:
                params["sid"] = self._core._tag_id(tx, tag)
                # An import notes no tags of the contacts it made: its tags event names them.
                params["tag_key"] = f'%"{params["sid"]}": %'
                where += (
                    " AND ((e.subject_type = 'tag' AND e.subject_id = :sid) OR (e.subject_type = 'workspace'"
                    " AND e.kind = 'contacts.tags_changed' AND (e.step_id IN"
                    " (SELECT x.step_id FROM step_contact_tag x WHERE x.tag_id = :sid)"
                    f" OR (e.payload LIKE :tag_key AND e.step_id IN (SELECT i.step_id FROM event i"
                    f" WHERE i.workspace_id = :ws AND i.kind = '{IMPORTED}')))))"
                )
            rows = tx.all(
                f"SELECT {columns} FROM event e LEFT JOIN step st ON st.id = e.step_id"
                f" WHERE {where} ORDER BY e.id DESC LIMIT :limit",
                params,
            )
            events = [
                Event(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7], r[8], r[9]) for r in rows
            ]
            if contact is not None:
                bulk = [e for i in ids for e in self._bulk_history(tx, i, limit)]
                events = sorted(events + bulk, key=lambda e: e.id, reverse=True)[:limit]
            return events

        return self._core._read(run)

    def _bulk_history(self, tx: Tx, contact_id: int, limit: int) -> list[Event]:
        """The changes of bulk steps to one contact, as events of that contact."""
        last = f"(SELECT MAX(e.id) FROM event e WHERE e.step_id = st.id AND e.kind <> '{KEPT}')"
        own = (
            "NOT EXISTS (SELECT 1 FROM event o WHERE o.step_id = st.id AND o.subject_type = 'contact'"
            " AND o.subject_id = :cid AND o.kind = :kind)"
        )
        out: list[Event | None] = []
        tags = tx.all(
            f"SELECT st.id, st.state, st.summary, st.actor, {last}, x.tag_id, x.added FROM step_contact_tag x"
            f" JOIN step st ON st.id = x.step_id WHERE x.contact_id = :cid AND {own}"
            " ORDER BY st.id DESC, x.tag_id",
            {"cid": contact_id, "kind": "contact.tags_changed"},
        )
        by_step: dict[int, tuple[Any, ...]] = {}
        for step, state, summary, actor, event_id, tag_id, added in tags:
            entry = by_step.setdefault(step, (state, summary, actor, event_id, [], []))
            entry[4 if added else 5].append(tag_id)
        imported = self._imported_history(tx, contact_id, last)
        if imported is not None:
            created, step, info, event_id, given = imported
            out.append(created)
            if given:
                entry = by_step.setdefault(step, (*info, event_id, [], []))
                entry[4][:] = sorted({*entry[4], *given})
                by_step = dict(sorted(by_step.items(), reverse=True))
        for step, (state, summary, actor, event_id, added, removed) in list(by_step.items())[:limit]:
            out.append(
                self._step_event(
                    tx,
                    event_id,
                    step,
                    (state, summary, actor),
                    "contact.tags_changed",
                    contact_id,
                    {"added": added, "removed": removed},
                )
            )
        first = last.replace("MAX(", "MIN(")  # not the id of the step's tag line
        statuses = tx.all(
            f"SELECT st.id, st.state, st.summary, st.actor, {first}, x.before_id, x.after_id"
            " FROM step_contact_status x"
            f" JOIN step st ON st.id = x.step_id WHERE x.contact_id = :cid AND {own}"
            " ORDER BY st.id DESC LIMIT :limit",
            {"cid": contact_id, "kind": "contact.status_changed", "limit": limit},
        )
        for step, state, summary, actor, event_id, before, after in statuses:
            out.append(
                self._step_event(
                    tx,
                    event_id,
                    step,
                    (state, summary, actor),
                    "contact.status_changed",
                    contact_id,
                    {"before": before, "after": after},
                )
            )
        return [e for e in out if e is not None]

    def _imported_history(
        self, tx: Tx, contact_id: int, last: str
    ) -> tuple[Event, int, tuple[str, str, str | None], int | None, list[int]] | None:
        """For a contact an import made (``IMPORTED``: no event of its own): its "added
        contact" line (the import's event, with the fields it was made with: those it has, less
        the edits since), the import's step, the step's state, summary and actor, the id of the
        step's last event, and the tags the import gave it (its links of the import's time)."""
        found = None
        for row in tx.all(
            "SELECT e.id, e.at, e.step_id, e.payload, st.state, st.summary, st.actor FROM event e"
            " LEFT JOIN step st ON st.id = e.step_id WHERE e.workspace_id = :ws AND e.kind = :kind"
            " ORDER BY e.id DESC",
            self._core._params(kind=IMPORTED),
        ):
            payload = json.loads(row[3])
            if any(lo <= contact_id <= hi for lo, hi in payload.get("runs") or ()):
                found = (row, payload)
                break
        if found is None:
            return None
        (event_id, at, step, _, state, summary, actor), payload = found
        values: dict[str, Any] = {}
        fields = ", ".join(CONTACT_FIELDS)
        current = tx.one(f"SELECT {fields} FROM contact WHERE id = :id", {"id": contact_id})
        if current is not None:
            values = dict(zip(CONTACT_FIELDS, current, strict=True))
        else:  # merged into another contact: its row is in the event of its deletion
            gone = tx.scalar(
                "SELECT payload FROM event WHERE workspace_id = :ws AND subject_type = 'contact'"
                " AND subject_id = :cid AND kind = 'contact.deleted' ORDER BY id DESC LIMIT 1",
                self._core._params(cid=contact_id),
            )
            values = {k: v for k, v in json.loads(gone or "{}").items() if k in CONTACT_FIELDS}
        undone: set[str] = set()
        for (edit,) in tx.all(
            "SELECT payload FROM event WHERE workspace_id = :ws AND subject_type = 'contact'"
            " AND subject_id = :cid AND kind IN ('contact.updated', 'contact.merged') AND id > :id"
            " ORDER BY id",
            self._core._params(cid=contact_id, id=event_id),
        ):
            for k, v in (json.loads(edit).get("before") or {}).items():
                if k in CONTACT_FIELDS and k not in undone:
                    undone.add(k)
                    values[k] = v
        info = (state, summary, actor)
        created = Event(
            event_id,
            at,
            "contact.created",
            "contact",
            contact_id,
            {k: v for k, v in values.items() if v is not None},
            step,
            *info,
        )
        given = [
            r[0]
            for r in tx.all(
                "SELECT tag_id FROM contact_tag WHERE contact_id = :cid AND created_at = :at ORDER BY tag_id",
                {"cid": contact_id, "at": payload.get("stamp")},
            )
        ]
        last_id = tx.scalar(f"SELECT {last} FROM step st WHERE st.id = :s", {"s": step}) if given else None
        return created, step, info, last_id, given

    def _step_event(
        self,
        tx: Tx,
        event_id: int | None,
        step: int,
        step_info: tuple[str, str, str | None],
        kind: str,
        contact_id: int,
        payload: dict[str, Any],
    ) -> Event | None:
        """``step_info``: the step's state, summary and actor. None for a step with no event
        (the history leaves it out)."""
        if event_id is None:
            return None
        at = tx.scalar("SELECT at FROM event WHERE id = :id", {"id": event_id})
        payload = {**payload, "bulk": True}
        return Event(event_id, at, kind, "contact", contact_id, payload, step, *step_info)


#: A new contact (``_insert_contact``): its id comes from the table.
_INSERT_CONTACT = (
    insert_sql(
        "contact",
        [c for c in CONTACT_ROW_NAMES if c != "id"],
        workspace_id=":ws",
        status_id="NULL",
        created_at=":at",
        updated_at=":at",
        rev="1",
    )
    + " RETURNING id"
)


def key_columns(values: dict[str, Any]) -> dict[str, Any]:
    """The derived key columns of a contact's fields."""
    return contact_keys(values["name"], values.get("email"), values.get("assignee"), values.get("company"))


#: ``LIST_COLUMNS``, as the ``ContactRow`` fields they fill (all but ``tags``).
_ROW_FIELDS = (
    "id",
    "name",
    "email",
    "company",
    "phone",
    "assignee",
    "followers",
    "status",
    "status_id",
    "status_color",
    "name_key",
)
if {f.name for f in dataclass_fields(ContactRow)} != {*_ROW_FIELDS, "tags"}:
    raise TypeError("ContactRow's fields changed: _ROW_FIELDS and _row must follow")
_new = object.__new__


def _row(r: tuple[Any, ...], tags: tuple[TagRef, ...]) -> ContactRow:
    """``ContactRow(*r[:7], status=r[7], tags=tags, status_id=r[8], ...)``, the same object
    (equal, hashed alike, as frozen), made without the frozen dataclass's ``__init__``: that
    sets each of the 12 fields through ``object.__setattr__`` (1.9 µs a row, a fifth of the
    Python of a 100-row page); this fills its ``__dict__`` in one step (0.7 µs)."""
    row = _new(ContactRow)
    values = row.__dict__
    values.update(zip(_ROW_FIELDS, r, strict=False))  # r may carry a sort value after them
    values["tags"] = tags
    return row


#: What separates the tag name keys in ``contact.tags_key`` (``models.tags_key_of``).
TAGS_KEY_SEPARATOR = "\x1f"


def tags_key_from(names: Mapping[int, str], ids: Iterable[int]) -> str:
    """The ``tags_key`` of a contact with tags ``ids`` (``names``: their name keys), as
    ``tags_key_of`` makes it: the name keys in name order, ties by id, joined by \x1f."""
    return TAGS_KEY_SEPARATOR.join(k for k, _ in sorted((names[t], t) for t in set(ids)))


#: How many distinct ``tags_key`` s an export keeps the shaped names of (a million demo
#: contacts have about 4,000).
KEYS_NAMED = 50_000


class _TagNames(Generic[V]):
    """A workspace's tags as an export names a contact's: from its ``tags_key`` (their name
    keys, in name order) or, where that cannot say, from its links (``_tags_of``); each
    contact's names made into what the export writes by ``shape``."""

    def __init__(self, store: ContactService, shape: Callable[[tuple[str, ...]], V]) -> None:
        self.store = store
        self.shape = shape
        self.version: tuple[Any, ...] | None = None
        self.by_key: dict[str, str] = {}  # name key -> tag name
        #: Name keys do not say which tags they are (two tags with one key, a key holding
        #: the separator): every contact's tags come from its links.
        self.by_links = False
        #: tags_key -> shape of its names, while the tags stay as they are.
        self.named: dict[str | None, V] = {}

    def load(self, tx: Tx) -> bool:
        """Read the tags again if one was created, renamed or deleted; True if so."""
        seen = tx.one(
            "SELECT COUNT(*), SUM(rev), MAX(id) FROM tag WHERE workspace_id = :ws", self.store._core._params()
        )
        if seen == self.version:
            return False
        tags = tx.all("SELECT name_key, name FROM tag WHERE workspace_id = :ws", self.store._core._params())
        self.by_key = dict(tags)
        self.by_links = len(self.by_key) < len(tags) or any(TAGS_KEY_SEPARATOR in k for k in self.by_key)
        self.version = seen
        self.named.clear()
        return True

    def name_keys(self, keys: set[str | None]) -> bool:
        """Put each of ``keys`` (``tags_key`` s) in ``named``; False if one names no tag
        (it is left out)."""
        named = self.named
        if len(named) > KEYS_NAMED:
            named.clear()
        new = keys.difference(named)
        if not new:
            return True
        by_key, shape = self.by_key, self.shape
        known = True
        for key in new:
            parts = key.split(TAGS_KEY_SEPARATOR) if key else []
            if all(p in by_key for p in parts):
                named[key] = shape(tuple([by_key[p] for p in parts]))
            else:
                known = False
        return known

    def from_links(
        self,
        tx: Tx,
        rows: list[tuple[Any, ...]],
        names: Mapping[str | None, V],
        unknown: Sequence[int],
        at: int,
        row_id: Callable[[tuple[Any, ...]], int],
    ) -> tuple[list[tuple[Any, ...]], dict[str | None, V]]:
        """``rows`` with the rows at ``unknown`` named from their links: each gets a tags
        text of its own (``\\x00`` and its id: no stored text holds a NUL) in ``names``."""
        refs = self.store._tags_of(tx, [row_id(rows[i]) for i in unknown])
        rows = list(rows)
        texts = {row[at] for row in rows}
        shaped = {text: names[text] for text in texts if text in names}
        for i in unknown:
            row = rows[i]
            contact = row_id(row)
            text = f"\x00{contact}"
            shaped[text] = self.shape(tuple(t.name for t in refs.get(contact, ())))
            place = len(row) + at
            rows[i] = (*row[:place], text, *row[place + 1 :])
        return rows, shaped
