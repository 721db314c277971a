"""``tagtui sync``: address books added, listed and removed, a sync's JSON, its exit codes, and
never a password in any output."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Cli, assert_one_error_line

CARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nEMAIL:{uid}@example.com\r\nEND:VCARD\r\n"


def vdir(tmp_path: Path, *uids: str, name: str = "vdir") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for uid in uids:
        (folder / f"{uid}.vcf").write_text(CARD.format(uid=uid, name=uid.title()), newline="")
    return folder


def test_add_list_remove(ok: Cli, cli: Cli, tmp_path: Path) -> None:
    folder = vdir(tmp_path)
    added = ok(
        "sync",
        "add",
        "phone",
        "https://dav.example.com/ab/",
        "--user",
        "me",
        "--password-env",
        "DAV_PW",
        "--no-check",
    )
    assert added.out.splitlines() == [
        "Added address book phone: https://dav.example.com/ab/ (not checked)",
        "Sync it with: tagtui sync phone",
    ]
    assert ok("sync", "add", "khard", str(folder)).out.splitlines()[0] == (
        f"Added address book khard: {folder} (a vdir of 0 cards)"
    )
    assert ok("sync", "list", "--json").json == [
        {"name": "khard", "url": str(folder), "last_sync": None, "contacts": 0},
        {"name": "phone", "url": "https://dav.example.com/ab/", "last_sync": None, "contacts": 0},
    ]
    table = ok("sync", "list").out
    assert "khard" in table and "never" in table and "2 address books" in table
    assert_one_error_line(cli("sync", "add", "PHONE", str(folder)), 4, "already exists")
    removed = ok("sync", "remove", "phone")
    assert removed.out.strip() == "Forgot address book phone (0 linked contacts); no contact was deleted"
    assert [s["name"] for s in ok("sync", "list", "--json").json] == ["khard"]
    assert_one_error_line(cli("sync", "remove", "phone"), 3, "no address book named 'phone'")


def test_no_password_in_any_output(ok: Cli, cli: Cli, monkeypatch) -> None:
    refused = cli("sync", "add", "work", "https://me:hunter2@dav.example.com/")
    assert_one_error_line(refused, 2, "holds a password")
    assert "hunter2" not in refused.err
    argv = ("sync", "add", "work", "https://me@dav.example.com/", "--password-env", "TAGTUI_TEST_DAV_PW")
    ok(*argv, "--no-check")
    monkeypatch.delenv("TAGTUI_TEST_DAV_PW", raising=False)
    missing = cli("sync", "work")
    assert_one_error_line(missing, 1, "TAGTUI_TEST_DAV_PW is not set")
    listed = ok("sync", "list", "--json").out + ok("sync", "list").out
    assert "hunter2" not in listed and "TAGTUI_TEST_DAV_PW" not in listed


def test_sync_prints_what_it_did(ok: Cli, tmp_path: Path) -> None:
    folder = vdir(tmp_path, "ada", "alan")
    ok("sync", "add", "khard", str(folder))
    ok("contacts", "add", "--name", "Grace", "--email", "grace@example.com")
    assert ok("sync", "khard", "--json").json == {
        "name": "khard",
        "pulled": {"created": 2, "updated": 0, "deleted": 0},
        "pushed": {"created": 1, "updated": 0, "deleted": 0},
        "conflicts": [],
    }
    assert len(list(folder.glob("*.vcf"))) == 3
    assert ok("sync").out.strip() == (
        "khard: pulled 0 new, 0 updated, 0 deleted; pushed 0 new, 0 updated, 0 deleted"
    )
    assert ok("sync", "list", "--json").json[0]["contacts"] == 3


def test_several_address_books_give_a_list(ok: Cli, tmp_path: Path) -> None:
    one, two = vdir(tmp_path, "ada", name="one"), vdir(tmp_path, name="two")
    ok("sync", "add", "one", str(one))
    ok("sync", "add", "two", str(two))
    reports = ok("sync", "--json").json
    assert [r["name"] for r in reports] == ["one", "two"]
    assert reports[0]["pulled"]["created"] == 1 and reports[1]["pushed"]["created"] == 1


def test_a_dry_run_changes_nothing(cli: Cli, ok: Cli, tmp_path: Path) -> None:
    folder = vdir(tmp_path, "ada")
    ok("sync", "add", "khard", str(folder))
    ok("contacts", "add", "--name", "Grace", "--email", "grace@example.com")
    result = cli("sync", "khard", "--dry-run", "--json")
    assert result.code == 0, result.err
    assert result.json == {
        "dry_run": True,
        "name": "khard",
        "pulled": {"created": 1, "updated": 0, "deleted": 0},
        "pushed": {"created": 1, "updated": 0, "deleted": 0},
        "conflicts": [],
    }
    assert [p.name for p in folder.glob("*.vcf")] == ["ada.vcf"]
    assert [c["name"] for c in ok("contacts", "list", "--json").json] == ["Grace"]
    assert ok("sync", "list", "--json").json[0]["last_sync"] is None


def test_a_failed_dry_run_is_one_error_line(ok: Cli, cli: Cli, tmp_path: Path) -> None:
    """A dry run that cannot reach its address book says why, once, and not that nothing
    changed (issue 13.8)."""
    folder = vdir(tmp_path, "ada")
    ok("sync", "add", "khard", str(folder))
    for card in folder.iterdir():
        card.unlink()
    folder.rmdir()
    for argv in (("sync", "khard", "--dry-run"), ("sync", "--dry-run"), ("--dry-run", "sync", "--json")):
        result = cli(*argv)
        assert_one_error_line(result, 1, str(folder))
        assert "nothing was changed" not in result.err.lower() and result.out == ""


def test_the_mass_delete_guard_exits_4_unless_forced(ok: Cli, cli: Cli, tmp_path: Path) -> None:
    uids = [f"p{i:02}" for i in range(12)]
    folder = vdir(tmp_path, *uids)
    ok("sync", "add", "khard", str(folder))
    ok("sync", "khard")
    for uid in uids[:11]:
        (folder / f"{uid}.vcf").unlink()
    assert_one_error_line(cli("sync", "khard"), 4, "would delete 11 of 12 contacts here", "--force")
    assert len(ok("contacts", "list", "--json").json) == 12
    assert ok("sync", "khard", "--force", "--json").json["pulled"]["deleted"] == 11


def test_usage_mistakes(cli: Cli, tmp_path: Path) -> None:
    assert_one_error_line(cli("sync", "add", "x"), 2, "sync add NAME URL")
    assert_one_error_line(cli("sync", "list", "--force"), 2, "--force goes with a sync")
    assert_one_error_line(cli("sync", "x", "--user", "me"), 2, "--user goes with 'tagtui sync add'")
    assert_one_error_line(cli("sync", "x", "--no-check"), 2, "--no-check goes with 'tagtui sync add'")
    assert_one_error_line(cli("sync", "a", "b"), 2, "one address book at a time")
    assert_one_error_line(cli("sync", "nowhere"), 3, "no address book named 'nowhere'")
    assert_one_error_line(cli("sync"), 3, "no address book to sync with")
    assert_one_error_line(cli("sync", "add", "list", str(tmp_path)), 2, "is a sync command")


def test_a_second_sync_of_one_address_book_is_refused(ok: Cli, cli: Cli, db_url: str, tmp_path: Path) -> None:
    """Two terminals (here another process holding the sync of the book): the second sync is one
    line, exit 1, and changes nothing; when the first process ends (even killed), syncs run again."""
    import os
    import subprocess
    import sys

    folder = vdir(tmp_path, "ada")
    ok("sync", "add", "khard", str(folder))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom tagtui.store import Store\n"
            "lock = Store.open(sys.argv[1]).sync_lock('khard')\nlock.__enter__()\n"
            "print('held', flush=True)\ntime.sleep(120)\n",
            db_url,
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        for argv in (("sync", "khard"), ("sync",), ("sync", "khard", "--dry-run")):
            assert_one_error_line(cli(*argv), 1, "address book khard is being synced by another tagtui")
        assert ok("contacts", "list", "--json").json == []
    finally:
        holder.kill()
        holder.wait(30)
    assert ok("sync", "khard", "--json").json["pulled"]["created"] == 1
