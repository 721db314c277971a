"""Identity of names through the command line (SPEC §7, issue 18.5)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Cli, assert_one_error_line


def test_look_alike_tags_conflict(ok: Cli, cli: Cli) -> None:
    assert ok("tags", "create", "Caf\u00e9", "--json").json["slug"] == "caf\u00e9"
    assert_one_error_line(cli("tags", "create", "Cafe\u0301"), 4, "already has the slug")
    ok("tags", "create", "VIP")
    assert_one_error_line(cli("tags", "create", "V\u200bIP"), 4, "slug 'vip'")
    ok("tags", "create", "⭐ Star")
    assert_one_error_line(cli("tags", "create", "⭐\ufe0f Star"), 4)
    assert [t["name"] for t in ok("tags", "list", "--json").json] == ["Caf\u00e9", "VIP", "⭐ Star"]
    assert ok("tags", "show", "Cafe\u0301", "--json").json["name"] == "Caf\u00e9"


def test_emoji_tags_get_readable_slugs(ok: Cli) -> None:
    star = ok("tags", "create", "⭐\ufe0f", "--json").json
    heart = ok("tags", "create", "❤\ufe0f", "--json").json
    assert (star["slug"], heart["slug"]) == ("white-medium-star", "heavy-black-heart")
    assert ok("tags", "show", "white-medium-star", "--json").json["id"] == star["id"]


def test_zero_width_email_is_janes(ok: Cli, cli: Cli, tmp_path: Path) -> None:
    jane = ok("contacts", "add", "--name", "Jane", "--email", "jane@example.com", "--json").json
    ghost = "jane\u200b@example.com"
    assert_one_error_line(cli("contacts", "add", "--name", "X", "--email", ghost), 4, "already has the email")
    assert ok("contacts", "show", ghost, "--json").json["id"] == jane["id"]
    synced = ok("contacts", "sync-tags", "--email", ghost, "--tags", "Friend", "--json").json
    assert synced["contact_id"] == jane["id"]
    path = tmp_path / "in.csv"
    path.write_text(f"name,email,company\nJane,{ghost},Acme\n")
    assert ok("import", str(path), "--json").json["updated"] == 1
    assert len(ok("contacts", "list", "--json").json) == 1


def test_idn_email_equals_its_punycode(ok: Cli, cli: Cli) -> None:
    jane = ok("contacts", "add", "--name", "Jane", "--email", "jane@bücher.example", "--json").json
    assert ok("contacts", "show", "jane@xn--bcher-kva.example", "--json").json["id"] == jane["id"]
    assert_one_error_line(
        cli("contacts", "add", "--name", "J", "--email", "JANE@xn--bcher-kva.example"),
        4,
        "already has the email",
    )
