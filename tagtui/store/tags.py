"""Tags: list with counts, get, create, update, delete, find-or-create, the standard set."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tagtui.query.filter import EVERYTHING, Filter
from tagtui.store import pairs
from tagtui.store.base import TAG_COLUMNS, UNSET
from tagtui.store.columns import columns_of, insert_sql
from tagtui.store.db import IntegrityViolation, TransientError, Tx
from tagtui.store.errors import Conflict, NotFound, ValidationError
from tagtui.store.identity import text_key
from tagtui.store.schema import now
from tagtui.store.stored_queries import Label
from tagtui.store.types import MergeResult, SetupItem, Tag
from tagtui.store.validation import (
    DEFAULT_TAG_COLOR,
    DESCRIPTION_MAX,
    PALETTE,
    check_limit,
    clean_emoji,
    clean_label_name,
    clean_text,
    normalize_color,
)

if TYPE_CHECKING:
    from tagtui.store.base import StoreBase
    from tagtui.store.labels import LabelService
    from tagtui.store.store import Store
    from tagtui.store.stored_queries import StoredQueryService

#: Reference 000's "tag system setup", plus VIP (references 001, 002, 004).
STANDARD_TAGS: tuple[tuple[str, str], ...] = (
    ("Hot Lead", "red"),
    ("Warm Lead", "orange"),
    ("Cold Lead", "slate"),
    ("Customer", "green"),
    ("Partner", "blue"),
    ("Do Not Contact", "#1f2937"),
)

_COUNT = "(SELECT COUNT(*) FROM contact_tag ct WHERE ct.tag_id = t.id)"
_INSERT_TAG = (
    insert_sql(
        "tag",
        columns_of("tag", but=["id"]),
        workspace_id=":ws",
        name_key=":key",
        created_at=":at",
        updated_at=":at",
        rev="1",
    )
    + " RETURNING id"
)


def parse_timestamp(value: str) -> str:
    """An ISO-8601 date or time (``Z``, offset or naive UTC) in the store's text form."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ValidationError(
            f"invalid timestamp {value!r}: use ISO 8601, e.g. 2026-11-23T10:00:00Z",
            field="updated_before",
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class TagService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions, ``store`` the whole store, through which it reaches the parts it is not given."""

    def __init__(
        self, core: StoreBase, store: Store, labels: LabelService, stored: StoredQueryService
    ) -> None:
        self._core = core
        self._store = store
        self._labels = labels
        self._stored = stored

    def colors(self) -> list[tuple[str, str]]:
        """The named palette as (name, #rrggbb) pairs (reference 000's ``GET /tags/colors``)."""
        return list(PALETTE.items())

    def list_tags(
        self,
        *,
        search: str | None = None,
        limit: int = 100,
        offset: int = 0,
        sort: str = "name",
        updated_before: str | None = None,
    ) -> list[Tag]:
        """Tags with their contact counts, by name or most recently updated first."""
        check_limit(limit, offset)
        if sort not in ("name", "updated"):
            raise ValidationError(f"sort must be 'name' or 'updated', not {sort!r}", field="sort")
        where = ["t.workspace_id = :ws"]
        params = self._core._params(limit=limit, offset=offset)
        if search:
            from tagtui.query.compile import like_pattern

            where.append("t.name_key LIKE :search ESCAPE '\\'")
            params["search"] = like_pattern(search.strip())
        if updated_before is not None:
            where.append("t.updated_at < :before")
            params["before"] = parse_timestamp(updated_before)
        order = "t.name_key, t.id" if sort == "name" else "t.updated_at DESC, t.id DESC"
        sql = (
            f"SELECT {TAG_COLUMNS}, {_COUNT} FROM tag t WHERE {' AND '.join(where)}"
            f" ORDER BY {order} LIMIT :limit OFFSET :offset"
        )
        return self._core._read(lambda tx: [Tag(*row) for row in tx.all(sql, params)])

    def tag_counts(self, query: Filter = EVERYTHING) -> dict[int, int]:
        """How many of the contacts ``query`` selects carry each tag, by tag id (tags no such
        contact carries are left out). Over a broad filter at a million contacts this takes
        a second: call it from a worker, never while someone types."""

        def run(tx: Tx) -> dict[int, int]:
            if query == EVERYTHING:
                sql = f"SELECT t.id, {_COUNT} FROM tag t WHERE t.workspace_id = :ws"
                return {i: n for i, n in tx.all(sql, self._core._params()) if n}
            source, where, params = self._store._contact_ops._shaped(tx, query, "count")
            # CROSS JOIN keeps the selected contacts outside (SQLite plans joins in that order;
            # to PostgreSQL it is a plain join): each contact's tags by the primary key, never
            # a walk over every contact's tags.
            rows = tx.all(
                f"SELECT ct.tag_id, COUNT(*) FROM {source} CROSS JOIN contact_tag ct"
                f" WHERE ct.contact_id = c.id AND {where} GROUP BY ct.tag_id",
                params,
            )
            return dict(rows)

        return self._core._read(run)

    def count_tags(self, search: str | None = None) -> int:
        def run(tx: Tx) -> int:
            if not search:
                return int(
                    tx.scalar("SELECT COUNT(*) FROM tag WHERE workspace_id = :ws", self._core._params())
                )
            from tagtui.query.compile import like_pattern

            return int(
                tx.scalar(
                    "SELECT COUNT(*) FROM tag WHERE workspace_id = :ws AND name_key LIKE :s ESCAPE '\\'",
                    self._core._params(s=like_pattern(search.strip())),
                )
            )

        return self._core._read(run)

    def get_tag(self, ref: int | str) -> Tag:
        """A tag by id, name or slug, with its contact count."""
        return self._core._read(lambda tx: self._load_tag(tx, self._core._tag_id(tx, ref)))

    def _load_tag(self, tx: Tx, tag_id: int) -> Tag:
        row = tx.one(f"SELECT {TAG_COLUMNS}, {_COUNT} FROM tag t WHERE t.id = :id", {"id": tag_id})
        if row is None:
            raise NotFound(f"no tag {tag_id}", field="tag")
        return Tag(*row)

    def create_tag(
        self,
        name: str,
        *,
        color: str | None = None,
        emoji: str | None = None,
        description: str | None = None,
    ) -> Tag:
        """A new tag; a name whose slug is taken is a Conflict (reference 000's 409)."""
        clean = self._clean_tag_fields(name=name, color=color, emoji=emoji, description=description)

        def run(tx: Tx) -> Tag:
            tag = self._load_tag(tx, self._insert_tag(tx, **clean))
            self._core._label(tx, "tag.created", f"Created tag {tag.name}")
            return tag

        return self._core._write(run)

    def _clean_tag_fields(self, **fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if fields.get("name", UNSET) is not UNSET:
            out["name"], out["slug"] = clean_label_name(fields["name"])
        color = fields.get("color", UNSET)
        if color is not UNSET:
            out["color"] = DEFAULT_TAG_COLOR if color is None else normalize_color(color)
        if fields.get("emoji", UNSET) is not UNSET:
            out["emoji"] = clean_emoji(fields["emoji"])
        if fields.get("description", UNSET) is not UNSET:
            out["description"] = clean_text(fields["description"], field="description", limit=DESCRIPTION_MAX)
        return out

    def _insert_tag(
        self,
        tx: Tx,
        *,
        name: str,
        slug: str,
        color: str = DEFAULT_TAG_COLOR,
        emoji: str | None = None,
        description: str | None = None,
    ) -> int:
        existing = tx.one(
            "SELECT id, name FROM tag WHERE workspace_id = :ws AND slug = :slug",
            self._core._params(slug=slug),
        )
        if existing:
            raise Conflict(
                f"tag {existing[1]!r} (id {existing[0]}) already has the slug {slug!r}",
                field="name",
            )
        stamp = now()
        try:
            tag_id: int = tx.scalar(
                _INSERT_TAG,
                self._core._params(
                    name=name,
                    key=text_key(name),
                    slug=slug,
                    color=color,
                    emoji=emoji,
                    description=description,
                    at=stamp,
                ),
            )
        except IntegrityViolation as exc:
            # Another writer created the slug since the check above: run the whole operation
            # again, which then finds that tag (find-or-create) or reports the Conflict.
            raise TransientError(f"tag slug {slug!r} created concurrently") from exc
        self._core._event(
            tx,
            "tag.created",
            "tag",
            tag_id,
            name=name,
            slug=slug,
            color=color,
            emoji=emoji,
            description=description,
        )
        return tag_id

    def update_tag(
        self,
        ref: int | str,
        *,
        name: str = UNSET,
        color: str | None = UNSET,
        emoji: str | None = UNSET,
        description: str | None = UNSET,
        rev: int | None = None,
    ) -> Tag:
        """Change only the given fields; ``rev`` +1. With ``rev``, only if still at that rev."""
        clean = self._clean_tag_fields(name=name, color=color, emoji=emoji, description=description)

        def run(tx: Tx) -> Tag:
            tag_id = self._core._tag_id(tx, ref)
            tx.lock("tag t", "t.id = :id", {"id": tag_id})
            before = self._load_tag(tx, tag_id)
            self._labels._check_rev("tag", before, rev)
            self._labels._check_slug_free(tx, "tag", tag_id, before, clean)
            values = {**clean}
            if "name" in values:
                values["name_key"] = text_key(values["name"])
            try:
                tx.execute(
                    f"UPDATE tag SET {self._labels._set_clause(values)} WHERE id = :id AND rev = :rev",
                    {**values, "at": now(), "id": tag_id, "rev": before.rev},
                )
            except IntegrityViolation as exc:
                raise Conflict("another tag already has that slug", field="name") from exc
            return self._labels._record_update(tx, "tag", tag_id, before, clean, self._load_tag)

        return self._core._write(run)

    def delete_tag(self, ref: int | str, *, force: bool = False) -> int:
        """Delete a tag and every assignment of it; returns how many contacts lost it.

        A tag that a saved view or rule names is a Conflict unless ``force``; forced, those
        views and rules are marked broken."""

        def run(tx: Tx) -> int:
            tag = self._load_tag(tx, self._core._tag_id(tx, ref))
            self._stored._follow_delete(tx, Label("tag", tag.id, tag.name, tag.slug), force=force)
            self._delete_tag(tx, tag)
            self._core._label(tx, "tag.deleted", f"Deleted tag {tag.name} ({_contacts(tag.contacts or 0)})")
            return tag.contacts or 0

        return self._core._write(run)

    def _delete_tag(self, tx: Tx, tag: Tag) -> None:
        # Its assignments are noted first, so that undo can give them back.
        self._core._record_tags_where(tx, tag.id, "c.workspace_id = :ws", self._core._params(), added=False)
        # Every trend_pair and trend_tag row of the tag goes with it (their foreign keys):
        # SQLite need not count them down an assignment at a time first.
        with pairs.paused(tx):
            tx.execute("DELETE FROM contact_tag WHERE tag_id = :id", {"id": tag.id})
            tx.execute("DELETE FROM tag WHERE id = :id", {"id": tag.id})
        self._core._event(
            tx,
            "tag.deleted",
            "tag",
            tag.id,
            name=tag.name,
            slug=tag.slug,
            color=tag.color,
            emoji=tag.emoji,
            description=tag.description,
            contacts=tag.contacts,
            created_at=tag.created_at,
            updated_at=tag.updated_at,
            rev=tag.rev,
        )

    def merge_tags(self, source: int | str, target: int | str) -> MergeResult:
        """Move the contacts of ``source`` to ``target`` and delete ``source``: one undo step.

        A contact with the source but not the target swaps one for the other (its tag count
        stays, so ``max_tags_per_contact`` holds); one with both just loses the source.
        """

        def run(tx: Tx) -> MergeResult:
            src = self._load_tag(tx, self._core._tag_id(tx, source))
            dst = self._load_tag(tx, self._core._tag_id(tx, target))
            if src.id == dst.id:
                raise ValidationError(f"cannot merge tag {src.name!r} into itself", field="target")
            having = "c.id IN (SELECT x.contact_id FROM contact_tag x WHERE x.tag_id = :merge_source)"
            where, params = f"c.workspace_id = :ws AND {having}", self._core._params(merge_source=src.id)
            moved = 0
            if src.contacts:
                counts = self._store._contact_ops._apply_tags_where(tx, where, params, [dst.id], [src.id])
                moved = counts[f"+{dst.id}"]
            self._stored._follow_merge(
                tx, Label("tag", src.id, src.name, src.slug), Label("tag", dst.id, dst.name, dst.slug)
            )
            self._delete_tag(tx, src)
            self._core._event(
                tx,
                "tags.merged",
                "tag",
                dst.id,
                source=src.id,
                source_name=src.name,
                target=dst.id,
                target_name=dst.name,
                contacts=src.contacts or 0,
                moved=moved,
            )
            self._core._label(
                tx,
                "tags.merged",
                f"Merged tag {src.name} into {dst.name} ({_contacts(src.contacts or 0)})",
            )
            return MergeResult(
                source=src.id,
                source_name=src.name,
                target=dst.id,
                target_name=dst.name,
                contacts=src.contacts or 0,
                gained=moved,
                tag=self._load_tag(tx, dst.id),
            )

        return self._core._write(run)

    def find_or_create_tag(self, name: str, *, color: str | None = None) -> tuple[Tag, bool]:
        """The tag whose slug ``name`` gives, created if there is none (reference 002)."""
        clean_name, slug = clean_label_name(name)
        hex_color = normalize_color(color) if color else DEFAULT_TAG_COLOR

        def run(tx: Tx) -> tuple[Tag, bool]:
            tag_id, created = self._find_or_create_tag(tx, clean_name, slug, hex_color)
            tag = self._load_tag(tx, tag_id)
            self._core._label(tx, "tag.created", f"Created tag {tag.name}")
            return tag, created

        return self._core._write(run)

    def _find_or_create_tag(
        self, tx: Tx, name: str, slug: str, color: str = DEFAULT_TAG_COLOR
    ) -> tuple[int, bool]:
        found = tx.scalar(
            "SELECT id FROM tag WHERE workspace_id = :ws AND slug = :slug", self._core._params(slug=slug)
        )
        if found is not None:
            return found, False
        try:
            return self._insert_tag(tx, name=name, slug=slug, color=color), True
        except Conflict:
            # On PostgreSQL another writer may commit the same slug between our two
            # statements; find-or-create then simply finds it (incremental changes never conflict).
            found = tx.scalar(
                "SELECT id FROM tag WHERE workspace_id = :ws AND slug = :slug", self._core._params(slug=slug)
            )
            if found is None:
                raise
            return found, False

    def setup_tags(self) -> list[SetupItem]:
        """Create the standard tags that are missing; report each as created or existing."""

        def run(tx: Tx) -> list[SetupItem]:
            items = []
            for name, color in STANDARD_TAGS:
                _, slug = clean_label_name(name)
                _, created = self._find_or_create_tag(tx, name, slug, normalize_color(color))
                items.append(SetupItem(name, created))
            made = sum(item.created for item in items)
            self._core._label(tx, "tags.setup", f"Created {made} standard tag{'s' if made != 1 else ''}")
            return items

        return self._core._write(run)


def _contacts(n: int) -> str:
    return f"{n:,} contact{'s' if n != 1 else ''}"
