"""The schema, declared once as SQLModel tables: the source of every table and index.

The store's runtime speaks SQL through the DB-API (see ``db.py``) so that the command
line starts fast; this module is imported only to create or migrate a database.

Conventions: ids are integers; timestamps are ISO-8601 UTC text
(``2026-11-23T10:00:00.000000Z``), identical on SQLite and PostgreSQL and sortable
as text; ``*_key`` columns hold derived, lower-cased copies that the store keeps
in step with their source (Python's ``str.lower`` is Unicode-aware, SQLite's
``lower()`` is not, so the store derives them, never the database).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, text
from sqlmodel import Field, SQLModel

from tagtui.store.engines import engine_named

# PostgreSQL sorts by the server's locale unless told otherwise; "C" makes both
# engines order the key columns byte-wise, so pages come out the same everywhere.
KEY = String().with_variant(String(collation="C"), "postgresql")
STAMP = String(32)
# SQLite reuses the largest rowid after a delete unless told not to; history and undo
# refer to ids, so an id must never come back for something else.
NO_REUSE = {"sqlite_autoincrement": True}
# Who keeps a derived column (``scripts/columns.py`` lists them in ``columns.py``): the store,
# from the row's fields (``identity.contact_keys``), or triggers.
BY_STORE = {"kept_by": "store"}
BY_TRIGGERS = {"kept_by": "triggers"}


class Meta(SQLModel, table=True):
    __tablename__ = "tagtui_meta"

    key: str = Field(sa_column=Column(String(64), primary_key=True))
    value: str = Field(sa_column=Column(Text, nullable=False))


class Workspace(SQLModel, table=True):
    __tablename__ = "workspace"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    created_at: str = Field(sa_type=STAMP)
    max_tags_per_contact: int | None = Field(default=None)
    bulk_limit: int = Field(default=500)
    #: Duplicates (schema 3): the country of phone numbers written without ``+`` (``US``),
    #: and whether ``+tags`` and Gmail's dots are ignored when emails are compared.
    phone_region: str | None = Field(default=None, sa_type=String(8))
    email_folding: int = Field(sa_column=Column(Integer, nullable=False, server_default="0"))


class StatusRow(SQLModel, table=True):
    __tablename__ = "status"
    __table_args__ = (
        Index("ux_status_slug", "workspace_id", "slug", unique=True),
        Index("ix_status_position", "workspace_id", "position"),
        NO_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(sa_column=Column(String(100), nullable=False))
    slug: str = Field(sa_column=Column(KEY, nullable=False))
    color: str = Field(sa_type=String(7))
    position: int
    created_at: str = Field(sa_type=STAMP)
    updated_at: str = Field(sa_type=STAMP)
    rev: int = Field(default=1)


class TagRow(SQLModel, table=True):
    __tablename__ = "tag"
    __table_args__ = (
        Index("ux_tag_slug", "workspace_id", "slug", unique=True),
        Index("ix_tag_updated", "workspace_id", "updated_at", "id"),
        NO_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(sa_column=Column(String(100), nullable=False))
    name_key: str = Field(sa_column=Column(KEY, nullable=False))
    slug: str = Field(sa_column=Column(KEY, nullable=False))
    color: str = Field(sa_type=String(7))
    emoji: str | None = Field(default=None, sa_type=String(16))
    description: str | None = Field(default=None, sa_type=String(200))
    created_at: str = Field(sa_type=STAMP)
    updated_at: str = Field(sa_type=STAMP)
    rev: int = Field(default=1)


class ContactTableRow(SQLModel, table=True):
    """A row of the ``contact`` table (the value the store lists is ``types.ContactRow``)."""

    __tablename__ = "contact"
    __table_args__ = (
        Index("ux_contact_email", "workspace_id", "email_key", unique=True),
        Index("ix_contact_name", "workspace_id", "name_key", "id"),
        Index("ix_contact_status", "workspace_id", "status_id", "name_key", "id"),
        # Schema 5: the orders a listing can be sorted in, each walked by an index (store/sorting.py).
        # The assignee's also finds an assignee's contacts: schema 11 dropped ``ix_contact_assignee``
        # (workspace_id, assignee_key), which held the same entries (SQLite ends an index with the id).
        Index("ix_contact_assignee_order", "workspace_id", "assignee_key", "id"),
        Index("ix_contact_followers", "workspace_id", "followers", "id"),
        Index("ix_contact_company", "workspace_id", text("lower(company)"), "id"),
        # Schema 6: the tags column's order (tags_key, kept by triggers: see tags_key_ddl).
        Index("ix_contact_tags", "workspace_id", "tags_key", "id"),
        CheckConstraint("followers >= 0", name="ck_contact_followers"),
        NO_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(sa_column=Column(String(200), nullable=False))
    email: str | None = Field(default=None, sa_type=String(254))
    company: str | None = Field(default=None, sa_type=String(200))
    phone: str | None = Field(default=None, sa_type=String(50))
    assignee: str | None = Field(default=None, sa_type=String(100))
    followers: int = Field(default=0, sa_type=BigInteger)
    notes: str | None = Field(default=None, sa_type=Text)
    status_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("status.id", ondelete="SET NULL"), nullable=True),
    )
    # Derived keys, maintained by the store (see the module docstring).
    name_key: str = Field(sa_column=Column(KEY, nullable=False, info=BY_STORE))
    email_key: str | None = Field(default=None, sa_column=Column(KEY, nullable=True, info=BY_STORE))
    assignee_key: str | None = Field(default=None, sa_column=Column(KEY, nullable=True, info=BY_STORE))
    #: The name keys of the contact's tags in name order, joined by \x1f (None: no tags): the
    #: Tags column sorts by what it shows. Kept by triggers on contact_tag and tag.
    tags_key: str | None = Field(default=None, sa_column=Column(KEY, nullable=True, info=BY_TRIGGERS))
    #: lower(name) \x1f lower(email) \x1f lower(company): one LIKE serves free-text search.
    search: str = Field(sa_column=Column(Text, nullable=False, info=BY_STORE))
    created_at: str = Field(sa_type=STAMP)
    updated_at: str = Field(sa_type=STAMP)
    rev: int = Field(default=1)


class ContactTagRow(SQLModel, table=True):
    __tablename__ = "contact_tag"
    __table_args__ = (
        Index("ix_contact_tag_tag", "tag_id", "contact_id"),
        # Trends of a query (schema 7): the assignments of a tag made since a day, and by whom.
        Index("ix_contact_tag_made", "tag_id", "created_at", "contact_id"),
    )

    contact_id: int = Field(
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(sa_column=Column(Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True))
    created_at: str = Field(sa_type=STAMP)


class EventRow(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_subject", "workspace_id", "subject_type", "subject_id", "id"),
        Index("ix_event_workspace", "workspace_id", "id"),
        Index("ix_event_step", "step_id"),
        # Trends read one kind of event over a window of time.
        Index("ix_event_kind", "workspace_id", "kind", "at"),
        NO_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False)
    )
    at: str = Field(sa_type=STAMP)
    kind: str = Field(sa_type=String(64))
    subject_type: str = Field(sa_type=String(16))
    subject_id: int | None = Field(default=None)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    #: The undoable step this event belongs to (schema 2); NULL for events that undo cannot reach.
    step_id: int | None = Field(default=None)


class StepRow(SQLModel, table=True):
    """One undoable user action (schema 2): the events that name it and the rows below.

    ``state`` is ``done`` (undo reaches it), ``undone`` (redo reaches it) or ``dropped``
    (out of reach: a new change cleared the redo stack, or it is older than the undo depth).
    """

    __tablename__ = "step"
    __table_args__ = (Index("ix_step_state", "workspace_id", "state", "id"), NO_REUSE)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False)
    )
    at: str = Field(sa_type=STAMP)
    kind: str = Field(sa_type=String(64))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(sa_type=String(8))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    #: Who made it (``TAGTUI_ACTOR`` or user@host) and which running UI (schema 3); NULL
    #: for steps of older versions, and ``session`` for steps made on the command line.
    actor: str | None = Field(default=None, sa_type=String(200))
    session: str | None = Field(default=None, sa_type=String(64))


class StepContactTagRow(SQLModel, table=True):
    """An assignment a step really made (``added`` 1) or really took away (0, with its time).

    No foreign keys to the tag or contact: the rows must outlive them, so undo can put back
    a deleted tag's or contact's assignments.
    """

    __tablename__ = "step_contact_tag"
    __table_args__ = (Index("ix_step_contact_tag_contact", "contact_id", "step_id"),)

    step_id: int = Field(
        sa_column=Column(Integer, ForeignKey("step.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    contact_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    added: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: str | None = Field(default=None, sa_type=STAMP)


class StepContactStatusRow(SQLModel, table=True):
    """A contact whose status a step changed: what it was before and after the step."""

    __tablename__ = "step_contact_status"
    __table_args__ = (Index("ix_step_contact_status_contact", "contact_id", "step_id"),)

    step_id: int = Field(
        sa_column=Column(Integer, ForeignKey("step.id", ondelete="CASCADE"), primary_key=True)
    )
    contact_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    before_id: int | None = Field(default=None)
    after_id: int | None = Field(default=None)


class ViewRow(SQLModel, table=True):
    __tablename__ = "saved_view"
    __table_args__ = (Index("ux_view_name", "workspace_id", "name", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(sa_type=String(100))
    query: str = Field(sa_type=Text)
    created_at: str = Field(sa_type=STAMP)
    updated_at: str = Field(sa_type=STAMP)
    #: Why the view no longer runs (schema 3: a tag or status it names was deleted), or NULL.
    broken: str | None = Field(default=None, sa_type=Text)
    #: The order the view lists in (schema 5): ``email`` or ``email:desc``; NULL: by name.
    sort: str | None = Field(default=None, sa_type=String(32))


class RuleRow(SQLModel, table=True):
    """An automation rule (schema 2): contacts matching ``query`` get the actions applied."""

    __tablename__ = "rule"
    __table_args__ = (Index("ux_rule_name", "workspace_id", "name_key", unique=True), NO_REUSE)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(sa_column=Column(String(100), nullable=False))
    name_key: str = Field(sa_column=Column(KEY, nullable=False))
    query: str = Field(sa_column=Column(Text, nullable=False))
    #: JSON lists of tag ids; a tag deleted since is left out when the rule is read.
    add_tags: str = Field(sa_column=Column(Text, nullable=False))
    remove_tags: str = Field(sa_column=Column(Text, nullable=False))
    status_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("status.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: str = Field(sa_type=STAMP)
    updated_at: str = Field(sa_type=STAMP)
    rev: int = Field(default=1)
    #: Why the rule no longer runs (schema 3: a tag or status it names was deleted), or NULL.
    broken: str | None = Field(default=None, sa_type=Text)


class DuplicateIgnoreRow(SQLModel, table=True):
    """Two contacts a user said are not duplicates (schema 3): never suggested together again.

    No foreign keys to the contacts: a merge or delete that is undone brings them back, and
    the pair must still be known then.
    """

    __tablename__ = "duplicate_ignore"

    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    )
    low_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    high_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    created_at: str = Field(sa_type=STAMP)


class SyncSourceRow(SQLModel, table=True):
    """An address book the workspace syncs with (schema 4): a CardDAV URL or a vdir folder.

    Never a password: the name of the environment variable or the command that gives it
    (or none: ``~/.netrc``).
    """

    __tablename__ = "sync_source"
    __table_args__ = (Index("ux_sync_source_name", "workspace_id", "name_key", unique=True), NO_REUSE)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(sa_column=Column(String(64), nullable=False))
    name_key: str = Field(sa_column=Column(KEY, nullable=False))
    url: str = Field(sa_column=Column(Text, nullable=False))
    username: str | None = Field(default=None, sa_type=String(200))
    password_env: str | None = Field(default=None, sa_type=String(200))
    password_command: str | None = Field(default=None, sa_type=Text)
    #: The server's RFC 6578 sync-token after the last sync, when it gives one.
    sync_token: str | None = Field(default=None, sa_type=Text)
    last_sync: str | None = Field(default=None, sa_type=STAMP)
    created_at: str = Field(sa_type=STAMP)


class SyncItemRow(SQLModel, table=True):
    """One card of an address book as last synced (schema 4): the base of the next merge.

    ``card`` is the card's text as the server last held it (its unmodelled lines are written
    back from it); ``base`` the fields both sides agreed on then, as JSON. No foreign key to
    the contact: a contact deleted here is seen by its link to nothing (and undo brings it
    back under the same id).
    """

    __tablename__ = "sync_item"
    __table_args__ = (
        Index("ux_sync_item_href", "source_id", "href", unique=True),
        Index("ix_sync_item_contact", "contact_id"),
        NO_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(
        sa_column=Column(Integer, ForeignKey("sync_source.id", ondelete="CASCADE"), nullable=False)
    )
    contact_id: int | None = Field(default=None)
    href: str = Field(sa_column=Column(Text, nullable=False))
    etag: str = Field(sa_column=Column(Text, nullable=False))
    uid: str | None = Field(default=None, sa_type=Text)
    card: str = Field(sa_column=Column(Text, nullable=False))
    base: str = Field(sa_column=Column(Text, nullable=False))


class TrendStateRow(SQLModel, table=True):
    """How far the trend tables are folded (schema 4): the newest event folded in, and the
    pipeline (status ids in order) they were computed for. See ``trends.py``."""

    __tablename__ = "trend_state"

    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    )
    last_event_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    pipeline: str = Field(sa_column=Column(Text, nullable=False))


class TrendWeekRow(SQLModel, table=True):
    """Contacts that entered a stage in a week (weeks since 2000-01-03), and how many of them
    reached a stage further down the pipeline later (schema 4)."""

    __tablename__ = "trend_week"

    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    )
    week: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    status_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    entered: int = Field(sa_column=Column(Integer, nullable=False))
    moved: int = Field(sa_column=Column(Integer, nullable=False))


class TrendStayRow(SQLModel, table=True):
    """Stays in a stage that began in a week and lasted ``days`` whole days (schema 4)."""

    __tablename__ = "trend_stay"

    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    )
    week: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    status_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    days: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    stays: int = Field(sa_column=Column(Integer, nullable=False))


class TrendEntryRow(SQLModel, table=True):
    """One contact's status event that set a stage (schema 7): its week, whether the contact
    later reached a stage further down the pipeline, and how many whole days the stay lasted
    (NULL while it goes on). Kept with ``trend_week`` and ``trend_stay`` (their rows are
    these grouped); a query's trends are these rows of its contacts, grouped."""

    __tablename__ = "trend_entry"
    __table_args__ = (
        # In the order a query's trends group the window's rows (schema 8): no sort of them.
        Index("ix_trend_entry_cell", "workspace_id", "week", "status_id", "days", "moved", "contact_id"),
        {"sqlite_with_rowid": False},
    )

    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    )
    contact_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    event_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    week: int = Field(sa_column=Column(Integer, nullable=False))
    status_id: int = Field(sa_column=Column(Integer, nullable=False))
    moved: int = Field(sa_column=Column(Integer, nullable=False))
    days: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))


def _tag_in_key() -> Any:
    """A tag id that is part of a trend count's key (the count goes with its tag)."""
    tag = ForeignKey("tag.id", ondelete="CASCADE")
    return Field(sa_column=Column(Integer, tag, primary_key=True, autoincrement=False))


class TrendTagRow(SQLModel, table=True):
    """How many of a tag's assignments now were made in a week (weeks since 2000-01-03) (schema 4).

    Kept by triggers on ``contact_tag`` (``trigger_ddl``), so every way an assignment comes
    or goes (a bulk change, undo, a deleted contact or tag, a demo) counts.
    """

    __tablename__ = "trend_tag"

    tag_id: int = _tag_in_key()
    week: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    n: int = Field(sa_column=Column(Integer, nullable=False))


class TrendPairRow(SQLModel, table=True):
    """Of the contacts that hold tag ``tag_id`` now, how many were given tag ``other_id`` (another
    tag) in a week (weeks since 2000-01-03), by that assignment's time (schema 10): the tag growth
    of a selection that is one tag (``tag:x``) or the contacts without it (``-tag:x``, as
    ``trend_tag`` less these), read without looking at an assignment.

    Kept by triggers on ``contact_tag`` (``trigger_ddl``) as ``trend_tag`` is; SQLite's bulk
    writes turn the row triggers off and count a whole statement's pairs at once
    (``tagtui.store.pairs``).
    """

    __tablename__ = "trend_pair"
    __table_args__ = (
        # A count that falls to 0 goes (``DELETE … WHERE n = 0``, by this index): the table
        # holds the pairs there are, as if counted anew.
        Index("ix_trend_pair_empty", "tag_id", sqlite_where=text("n = 0"), postgresql_where=text("n = 0")),
    )

    tag_id: int = _tag_in_key()
    other_id: int = _tag_in_key()
    week: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    n: int = Field(sa_column=Column(Integer, nullable=False))


class TrendGoneRow(SQLModel, table=True):
    """A deleted contact that may have ``trend_entry`` rows (schema 10): noted by a trigger on
    ``contact`` as it goes, forgotten by another when it is there again (undo), and at the next
    fold of the trend tables when it has no rows. A query's trends count only contacts there
    are: the stages of "all but these" are the workspace's less these contacts' rows and those
    it leaves out."""

    __tablename__ = "trend_gone"

    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    )
    contact_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))


def week_of(dialect_name: str, stamp: str) -> str:
    """SQL for the week number (since the Monday 2000-01-03) of the stored timestamp ``stamp``."""
    return engine_named(dialect_name).week_of(stamp)


def trigger_ddl(dialect_name: str) -> list[str]:
    """The triggers that keep ``trend_tag`` in step with ``contact_tag`` (row triggers on
    SQLite; statement triggers over transition tables on PostgreSQL, one upsert a statement)."""
    return engine_named(dialect_name).trend_tag_triggers()


def pair_trigger_ddl(dialect_name: str) -> list[str]:
    """The triggers that keep ``trend_pair`` in step with ``contact_tag`` and note deleted
    contacts in ``trend_gone`` (schema 10)."""
    return engine_named(dialect_name).trend_pair_triggers()


def tags_key_of(dialect_name: str, contact_id: str) -> str:
    """SQL for the ``tags_key`` of contact ``contact_id`` (an SQL expression): its tags' name
    keys in name order (ties by id, as the Tags column shows them), joined by \x1f; NULL
    when it has none. \x1f sorts before every character a name key holds, so a list sorts
    before its own continuations ("vip" < "vip, x" < "vipx")."""
    return engine_named(dialect_name).tags_key_of(contact_id)


def tags_key_ddl(dialect_name: str) -> list[str]:
    """The triggers that keep ``contact.tags_key`` in step: a tag added to or taken from a
    contact (every path: the store, undo, import, sync, a merge) and a tag renamed."""
    return engine_named(dialect_name).tags_key_triggers()


def ddl(dialect_name: str) -> list[str]:
    """CREATE TABLE and CREATE INDEX statements for ``dialect_name``, in dependency order,
    then the triggers."""
    return (
        [statement for _, statement in ddl_by_table(dialect_name)]
        + trigger_ddl(dialect_name)
        + pair_trigger_ddl(dialect_name)
        + tags_key_ddl(dialect_name)
    )


def ddl_by_table(dialect_name: str) -> list[tuple[str, str]]:
    """``(table name, statement)`` for every CREATE TABLE and CREATE INDEX, in dependency order."""
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = engine_named(dialect_name).sqlalchemy_dialect()
    statements: list[tuple[str, str]] = []
    for table in SQLModel.metadata.sorted_tables:
        statements.append((table.name, str(CreateTable(table).compile(dialect=dialect)).strip()))
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            statements.append((table.name, str(CreateIndex(index).compile(dialect=dialect)).strip()))
    return statements
