"""Schema versions: create a new database, migrate an older one, refuse what is not ours.

The version lives in ``tagtui_meta`` from the first release on. Migrations are numbered
functions, each run in the same transaction as the version bump.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from tagtui.store.db import Database, Tx
from tagtui.store.errors import DatabaseRefused

SCHEMA_VERSION = 11
#: Tables of the first release: a database holding any of them without ``tagtui_meta`` is not ours.
OUR_TABLES = ("tagtui_meta", "workspace", "status", "tag", "contact", "contact_tag", "event", "saved_view")


def _create_missing_tables(tx: Tx) -> None:
    """Create every table of ``models`` that the database lacks, with its indexes."""
    from tagtui.store.models import ddl_by_table

    present = _table_names(tx)
    for table, statement in ddl_by_table(tx.db.dialect):
        if table not in present:
            tx.execute(statement)


def _migrate_to_2(tx: Tx) -> None:
    """Schema 2: automation rules and undo steps (new tables); events name their undo step."""
    _create_missing_tables(tx)
    tx.execute("ALTER TABLE event ADD COLUMN step_id INTEGER")
    tx.execute("CREATE INDEX ix_event_step ON event (step_id)")


#: The steps of schema 3, in order, after its new tables are created. Each step adds the
#: columns, indexes or data fixes of one feature; keep one function per feature.
SCHEMA_3_STEPS: list[Callable[[Tx], None]] = []


def _stored_queries_can_break(tx: Tx) -> None:
    """Saved views and rules say why they no longer run (a tag or status they name was deleted)."""
    # A schema-1 database got its rule table from today's models on the way to schema 2.
    for table in ("saved_view", "rule"):
        if "broken" not in _column_names(tx, table):
            tx.execute(f"ALTER TABLE {table} ADD COLUMN broken TEXT")
    _mark_broken_stored_queries(tx)


def _mark_broken_stored_queries(tx: Tx) -> None:
    """Views and rules that name a tag or status deleted before schema 3 are marked broken."""
    import json

    from tagtui.query.parse import parse
    from tagtui.query.refs import named_values
    from tagtui.store.errors import ValidationError
    from tagtui.store.identity import slugify

    labels = {
        table: {(r[0], r[1]) for r in tx.all(f"SELECT workspace_id, slug FROM {table}")}
        for table in ("tag", "status")
    }
    tag_ids = {(r[0], r[1]) for r in tx.all("SELECT workspace_id, id FROM tag")}
    rows = [("saved_view", *r, "[]", "[]") for r in tx.all("SELECT id, workspace_id, query FROM saved_view")]
    rows += [("rule", *r) for r in tx.all("SELECT id, workspace_id, query, add_tags, remove_tags FROM rule")]
    for table, row_id, ws, query, add, remove in rows:
        why = None
        try:
            f = parse(query)
        except ValidationError as exc:
            why = str(exc)
        else:
            for kind in ("tag", "status"):
                gone = [v for v in named_values(f, kind) if (ws, slugify(v)) not in labels[kind]]
                if gone and why is None:
                    why = f"{kind} {gone[0]!r} no longer exists"
        if why is None and any((ws, t) not in tag_ids for t in json.loads(add) + json.loads(remove)):
            why = "a tag of its actions no longer exists"
        if why is not None:
            tx.execute(f"UPDATE {table} SET broken = :why WHERE id = :id", {"why": why, "id": row_id})


def _column_names(tx: Tx, table: str) -> set[str]:
    return tx.db.engine.column_names(tx, table)


SCHEMA_3_STEPS.append(_stored_queries_can_break)


def _duplicate_settings(tx: Tx) -> None:
    """Duplicates: the workspace's phone region and email folding (see ``models.Workspace``)."""
    columns = _column_names(tx, "workspace")
    if "phone_region" not in columns:
        tx.execute("ALTER TABLE workspace ADD COLUMN phone_region VARCHAR(8)")
    if "email_folding" not in columns:
        # DEFAULT '0', as models.py's server_default writes it in a new database (the same 0).
        tx.execute("ALTER TABLE workspace ADD COLUMN email_folding INTEGER NOT NULL DEFAULT '0'")


SCHEMA_3_STEPS.append(_duplicate_settings)


def _step_actor(tx: Tx) -> None:
    """Undo by actor (12.8): a step names who made it and which running UI. (A database of
    schema 1 gets the step table from models, columns included, on its way through 2.)"""
    have = _column_names(tx, "step")
    for column, size in (("actor", 200), ("session", 64)):
        if column not in have:
            tx.execute(f"ALTER TABLE step ADD COLUMN {column} VARCHAR({size})")


SCHEMA_3_STEPS.append(_step_actor)


def _identity_of_names(tx: Tx) -> None:
    """SPEC §7: slugs and keys derived again (NFKC, case-folded, no invisible characters);
    a database where two names become one is refused unchanged (see ``rekey``)."""
    from tagtui.store.rekey import rekey_names

    rekey_names(tx, _table_names(tx))


SCHEMA_3_STEPS.append(_identity_of_names)


def _event_kind_index(tx: Tx) -> None:
    """Trends (17.2) read the status events of a window of weeks: by kind and time."""
    tx.execute("CREATE INDEX IF NOT EXISTS ix_event_kind ON event (workspace_id, kind, at)")


SCHEMA_3_STEPS.append(_event_kind_index)


def _migrate_to_3(tx: Tx) -> None:
    """Schema 3: the second round's tables and columns (see ``SCHEMA_3_STEPS``)."""
    _create_missing_tables(tx)
    for step in SCHEMA_3_STEPS:
        step(tx)


#: The steps of schema 4, in order, after its new tables are created (as ``SCHEMA_3_STEPS``).
#: Sync (issue 13) needs none: its tables, ``sync_source`` and ``sync_item``, are new; nor do
#: trends (issue 17): ``trend_state``, ``trend_week`` and ``trend_stay`` are new and empty, and
#: the first ``trends`` call fills them from the event log.
SCHEMA_4_STEPS: list[Callable[[Tx], None]] = []


def _trend_tags(tx: Tx) -> None:
    """Trends: the triggers that keep ``trend_tag`` (created empty) in step with ``contact_tag``,
    and its counts of the assignments there are (see ``models.TrendTagRow``)."""
    from tagtui.store.models import trigger_ddl, week_of

    week = week_of(tx.db.dialect, "created_at")
    _count_and_keep(
        tx,
        "trend_tag",
        f"INSERT INTO trend_tag (tag_id, week, n) SELECT tag_id, {week} AS w, COUNT(*) FROM contact_tag"
        " GROUP BY tag_id, w",
        trigger_ddl(tx.db.dialect),
    )


def _count_and_keep(tx: Tx, table: str, count: str, triggers: Sequence[str]) -> None:
    """Fill ``table`` (a trend count kept by triggers on ``contact_tag``) with ``count``, then
    create the triggers that keep it; a database that has them (``<table>_added``) is left as is."""
    if f"{table}_added" in _trigger_names(tx):
        return
    tx.execute(f"DELETE FROM {table}")
    tx.execute(count)
    for statement in triggers:
        tx.execute(statement)


SCHEMA_4_STEPS.append(_trend_tags)


def _trigger_names(tx: Tx) -> set[str]:
    return tx.db.engine.trigger_names(tx)


def _migrate_to_4(tx: Tx) -> None:
    """Schema 4: sync with address books (new tables) and the steps of ``SCHEMA_4_STEPS``."""
    _create_missing_tables(tx)
    for step in SCHEMA_4_STEPS:
        step(tx)


def _migrate_to_5(tx: Tx) -> None:
    """Schema 5: sorted listings (issue 12.6): a saved view keeps its order, and each order a
    listing can take has an index that walks it (see ``tagtui.store.sorting``). A schema-4
    database made before the trend tables gains them first (as it would on open at schema 4)."""
    _create_missing_tables(tx)
    _trend_tags(tx)
    if "sort" not in _column_names(tx, "saved_view"):
        tx.execute("ALTER TABLE saved_view ADD COLUMN sort VARCHAR(32)")
    tx.execute(
        "CREATE INDEX IF NOT EXISTS ix_contact_assignee_order ON contact (workspace_id, assignee_key, id)"
    )
    tx.execute("CREATE INDEX IF NOT EXISTS ix_contact_followers ON contact (workspace_id, followers, id)")
    tx.execute("CREATE INDEX IF NOT EXISTS ix_contact_company ON contact (workspace_id, lower(company), id)")


def _migrate_to_6(tx: Tx) -> None:
    """Schema 6: the Tags column sorts (issue 12): ``contact.tags_key`` (see ``models``), filled
    in one statement from every contact's tags, its index, and the triggers that keep it."""
    from tagtui.store.models import tags_key_ddl

    engine = tx.db.engine
    if "tags_key" not in _column_names(tx, "contact"):
        tx.execute(f"ALTER TABLE contact ADD COLUMN tags_key {engine.key_type()}")
    # One pass over the links in (contact, name) order, grouped: not a subquery per contact.
    keys = engine.tags_keys()
    tx.execute(f"UPDATE contact SET tags_key = k.key FROM ({keys}) k WHERE k.contact_id = contact.id")
    tx.execute("CREATE INDEX IF NOT EXISTS ix_contact_tags ON contact (workspace_id, tags_key, id)")
    if "contact_tags_key_added" not in _trigger_names(tx):
        for statement in tags_key_ddl(engine.name):
            tx.execute(statement)


def _migrate_to_7(tx: Tx) -> None:
    """Schema 7: trends of a query (issue 17) read the selected contacts' rows of a new
    table, ``trend_entry`` (one a status event that set a stage), and their tags' recent
    assignments by a new index. The trend tables are made anew from the log, ``trend_entry``
    with them, on the first ``trends`` call (as when the pipeline changes)."""
    _create_missing_tables(tx)
    tx.execute(
        "CREATE INDEX IF NOT EXISTS ix_contact_tag_made ON contact_tag (tag_id, created_at, contact_id)"
    )
    tx.execute("DELETE FROM trend_state")


#: ``ix_trend_entry_cell`` as ``models.TrendEntryRow`` declares it (schema 8): the migration and
#: a rebuild of the trend tables (which drops it while ``trend_entry`` is refilled) make it.
TREND_ENTRY_CELL_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_trend_entry_cell"
    " ON trend_entry (workspace_id, week, status_id, days, moved, contact_id)"
)


def _migrate_to_8(tx: Tx) -> None:
    """Schema 8: a query's trends read the window's ``trend_entry`` rows in the order they are
    grouped (week, status, days), so that they are counted as read instead of sorted first:
    ``ix_trend_entry_cell`` takes the place of ``ix_trend_entry_week`` (week, then contact)."""
    tx.execute("DROP INDEX IF EXISTS ix_trend_entry_week")
    tx.execute(TREND_ENTRY_CELL_INDEX)


def _migrate_to_9(tx: Tx) -> None:
    """Schema 9: PostgreSQL's triggers that keep ``contact.tags_key`` refresh a statement's
    contacts with an UPDATE planned at each run that writes only the keys that changed, and
    the one of an added tag can be paused by a bulk write that keys its contacts itself (see
    ``engines.PostgresEngine.tags_key_triggers``): their functions are replaced. SQLite's row
    triggers are unchanged."""
    for statement in tx.db.engine.tags_key_triggers():
        if statement.startswith("CREATE FUNCTION contact_tags_key_"):
            tx.execute(statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))


def _migrate_to_10(tx: Tx) -> None:
    """Schema 10: the tag growth of ``tag:x`` and ``-tag:x`` reads ``trend_pair`` (tag × tag ×
    week: how many holders of one were given the other that week), filled here in one grouped
    pass over the assignments and kept by triggers; the stages of "all but these" read
    ``trend_gone`` (deleted contacts that may have ``trend_entry`` rows), noted by a trigger on
    ``contact`` and filled when the trend tables are made anew, which the next ``trends`` call
    does (as after schema 7)."""
    _create_missing_tables(tx)
    _trend_pairs(tx)
    tx.execute("DELETE FROM trend_state")


def _trend_pairs(tx: Tx) -> None:
    """``trend_pair`` counted from the assignments there are, and the triggers that keep it."""
    from tagtui.store.models import pair_trigger_ddl, week_of

    week = week_of(tx.db.dialect, "b.created_at")
    _count_and_keep(
        tx,
        "trend_pair",
        f"INSERT INTO trend_pair (tag_id, other_id, week, n) SELECT a.tag_id, b.tag_id, {week} AS w, COUNT(*)"
        " FROM contact_tag a JOIN contact_tag b ON b.contact_id = a.contact_id AND b.tag_id <> a.tag_id"
        " GROUP BY a.tag_id, b.tag_id, w",
        pair_trigger_ddl(tx.db.dialect),
    )


def _migrate_to_11(tx: Tx) -> None:
    """Schema 11: ``ix_contact_assignee`` (workspace_id, assignee_key) goes. Its entries were
    those of ``ix_contact_assignee_order`` (workspace_id, assignee_key, id): SQLite ends every
    index with the row's id, and PostgreSQL finds an assignee by the longer index's first
    columns. Every write of a contact kept both, and an import into a new database built both."""
    tx.execute("DROP INDEX IF EXISTS ix_contact_assignee")


#: version -> function that brings a database from ``version - 1`` to ``version``.
MIGRATIONS: dict[int, Callable[[Tx], None]] = {
    2: _migrate_to_2,
    3: _migrate_to_3,
    4: _migrate_to_4,
    5: _migrate_to_5,
    6: _migrate_to_6,
    7: _migrate_to_7,
    8: _migrate_to_8,
    9: _migrate_to_9,
    10: _migrate_to_10,
    11: _migrate_to_11,
}


_clock_lock = threading.Lock()
_last_moment = datetime.min.replace(tzinfo=UTC)


def now() -> str:
    """The current UTC time as stored, strictly later than any earlier call in this process.

    Listing tags "updated before" a time pages by timestamp alone (reference 004), so two
    changes in the same microsecond would hide one of them across a page boundary.
    """
    global _last_moment
    with _clock_lock:
        moment = max(datetime.now(UTC), _last_moment + timedelta(microseconds=1))
        _last_moment = moment
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: What each migration does, in a few words (``prepare``'s ``on_upgrade`` is told).
MIGRATION_LABELS: dict[int, str] = {
    2: "rules and undo",
    3: "views, duplicates, history",
    4: "sync and trends",
    5: "indexes for sorting",
    6: "the Tags column's order",
    7: "trends of a query",
    8: "trends of a query, grouped as read",
    9: "faster tag triggers on PostgreSQL",
    10: "trends of one tag and of all but one",
    11: "one index fewer on contacts",
}


def prepare(db: Database, on_upgrade: Callable[[str], None] | None = None) -> None:
    """Make ``db`` a tagtui database at the current schema version, or refuse it untouched.
    ``on_upgrade`` is told, before each migration step of an older database, what it does
    (``upgrading the database, schema 4 → 6: indexes for sorting (1 of 2)``): on a big
    database a step may take minutes."""
    _inspect_readonly(db)
    with db.unbounded():  # migrating a big database may take a while: not a user's query
        # The common case, a database already at this version, needs no write lock.
        if db.run(_is_current, write=False):
            return
        db.run(lambda tx: _prepare(tx, on_upgrade), write=True)


def _is_current(tx: Tx) -> bool:
    tables = _table_names(tx)
    if "tagtui_meta" not in tables or _version(tx) != SCHEMA_VERSION:
        return False
    # A schema-4 database made before the trend tables (issue 17) gains them (unless read-only).
    return "trend_tag" in tables or tx.db.read_only is not None


def _prepare(tx: Tx, on_upgrade: Callable[[str], None] | None = None) -> None:
    tables = _table_names(tx)
    if "tagtui_meta" not in tables:
        ours = [t for t in OUR_TABLES if t in tables]
        if ours:
            raise DatabaseRefused(
                f"{tx.db.shown}: holds tables named like tagtui's ({', '.join(ours)})"
                " but is not a tagtui database; refusing to touch it"
            )
        if tx.db.engine.refuses_foreign_tables and tables:
            raise DatabaseRefused(f"{tx.db.shown} is another program's SQLite database; refusing to touch it")
        _create(tx)
        return
    version = _version(tx)
    if version > SCHEMA_VERSION:
        raise DatabaseRefused(
            f"{tx.db.shown} was written by a newer tagtui (schema {version}; this one knows"
            f" {SCHEMA_VERSION}); upgrade tagtui to open it"
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        if on_upgrade is not None:
            step, steps = target - version, SCHEMA_VERSION - version
            on_upgrade(
                f"upgrading the database, schema {version} → {SCHEMA_VERSION}:"
                f" {MIGRATION_LABELS.get(target, f'schema {target}')} ({step} of {steps})"
            )
        MIGRATIONS[target](tx)
        tx.execute("UPDATE tagtui_meta SET value = :v WHERE \"key\" = 'schema_version'", {"v": str(target)})
    if version == SCHEMA_VERSION and "trend_tag" not in tables:
        _create_missing_tables(tx)
        _trend_tags(tx)


def create_statements(dialect: str) -> tuple[str, ...]:
    """What a new database is made of: ``models.ddl``'s statements, without importing
    SQLAlchemy to render them (the tables and indexes as ``scripts/columns.py`` wrote them
    down in ``ddl.py``), then the engine's triggers."""
    from tagtui.store.ddl import TABLE_DDL
    from tagtui.store.engines import engine_named

    engine = engine_named(dialect)
    return (
        *TABLE_DDL[dialect],
        *engine.trend_tag_triggers(),
        *engine.trend_pair_triggers(),
        *engine.tags_key_triggers(),
    )


def _create(tx: Tx) -> None:
    for statement in create_statements(tx.db.dialect):
        tx.execute(statement)
    tx.executemany(
        'INSERT INTO tagtui_meta ("key", value) VALUES (:k, :v)',
        [
            {"k": "schema_version", "v": str(SCHEMA_VERSION)},
            {"k": "created_at", "v": now()},
        ],
    )


def _version(tx: Tx) -> int:
    value = tx.scalar("SELECT value FROM tagtui_meta WHERE \"key\" = 'schema_version'")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise DatabaseRefused(f"{tx.db.shown}: unreadable schema version {value!r}") from exc


def _table_names(tx: Tx) -> set[str]:
    return tx.db.engine.table_names(tx)


def _inspect_readonly(db: Database) -> None:
    """Look at an existing SQLite file without writing to it (not even the WAL switch)."""
    seen = db.engine.peek(db)
    if seen is None:
        return
    tables, version = seen
    if "tagtui_meta" not in tables and tables:
        raise DatabaseRefused(f"{db.shown} is another program's SQLite database; refusing to touch it")
    if version is not None:
        try:
            newer = int(version) > SCHEMA_VERSION
        except ValueError:
            raise DatabaseRefused(f"{db.shown}: unreadable schema version {version!r}") from None
        if newer:
            raise DatabaseRefused(
                f"{db.shown} was written by a newer tagtui (schema {version}; this one knows"
                f" {SCHEMA_VERSION}); upgrade tagtui to open it"
            )
