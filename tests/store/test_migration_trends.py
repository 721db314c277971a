"""Schema 4 adds the trend tables: a schema-3 database gains them, its assignments counted in
``trend_tag`` and the triggers that keep it; so does a schema-4 database made before them."""

from __future__ import annotations

import pytest

from tagtui.store import Store
from tests.store.test_migration_sync import _run, _tables

TREND_TABLES = ("trend_stay", "trend_state", "trend_tag", "trend_week")
TRIGGERS = ("trend_tag_added", "trend_tag_removed", "trend_tag_changed")


def _drop_trends(db_url: str, backend: str) -> None:
    for name in TRIGGERS:
        if backend == "sqlite":
            _run(db_url, f"DROP TRIGGER {name}")
        else:
            _run(db_url, f"DROP TRIGGER {name} ON contact_tag")
            _run(db_url, f"DROP FUNCTION {name}()")
    for table in TREND_TABLES:
        _run(db_url, f"DROP TABLE {table}")


@pytest.mark.parametrize("version", ["3", "4"])
def test_the_trend_tables_come_with_the_assignments_counted(db_url: str, backend: str, version: str) -> None:
    with Store.open(db_url) as store:
        store.create_tag("VIP")
        store.create_tag("Cold")
        for name in ("Ann", "Bob", "Cy"):
            store.add_contact(name, tags=["VIP"])
        store.setup_statuses()
        store.add_contact("Dee", tags=["Cold"], status="New")
        expected = store.trends().to_json()
    _drop_trends(db_url, backend)
    _run(db_url, f"UPDATE tagtui_meta SET value = '{version}' WHERE \"key\" = 'schema_version'")
    assert not set(TREND_TABLES) & _tables(db_url, backend)

    with Store.open(db_url) as store:
        assert set(TREND_TABLES) <= _tables(db_url, backend)
        assert store.trends().to_json() == expected
        assert expected["tags"]["VIP"][-1] == 3
        # The triggers are back: a new assignment counts.
        store.change_tags(store.list_contacts().rows[0].id, add=["Cold"])
        assert store.trends().tags["Cold"][-1] == 2
