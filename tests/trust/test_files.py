"""The data file and its folder are created readable by the user alone (SQLite)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tagtui.store import DatabaseRefused, Store
from tests.cli.conftest import Cli

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The usual umask (022) would leave new files readable by everyone: tagtui must not."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_is_private_and_its_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(DatabaseRefused, match="does not exist"):
        Store.open(str(tmp_path / "new" / "nested" / "crm.db"))  # a typo is not a wish for folders
    assert not (tmp_path / "new").exists()
    db = tmp_path / "crm.db"
    with Store.open(str(db)) as store:
        store.create_tag("VIP")  # a write: the WAL and shared-memory files exist now
        assert _mode(db) == 0o600
        for suffix in ("-wal", "-shm"):
            side = Path(f"{db}{suffix}")
            if side.exists():
                assert _mode(side) == 0o600, suffix


def test_the_default_database_is_private(run: Cli, tmp_path: Path) -> None:
    assert run("tags", "create", "VIP").code == 0
    folder = tmp_path / "xdg-data" / "tagtui"
    assert _mode(folder / "tagtui.db") == 0o600
    assert _mode(folder) == 0o700


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    db.touch(mode=0o640)
    os.chmod(db, 0o640)
    Store.open(str(db)).close()
    assert _mode(db) == 0o640  # the user chose it: tagtui does not change it
