"""The vdir Remote: a folder of .vcf files read and written the way vdirsyncer and khard expect."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagtui.sync import Remote, RemoteChanged, RemoteError, open_remote
from tagtui.sync.vdir import VdirRemote, file_name


def card(uid: str, name: str = "Ada Lovelace") -> str:
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nEND:VCARD\r\n"


@pytest.fixture
def vdir(tmp_path: Path) -> VdirRemote:
    folder = tmp_path / "contacts"
    folder.mkdir()
    remote = open_remote(str(folder))
    assert isinstance(remote, VdirRemote)
    return remote


def test_a_folder_path_opens_a_vdir_remote(vdir: VdirRemote) -> None:
    assert isinstance(vdir, Remote)
    assert vdir.url == str(vdir.folder)
    assert vdir.listing() == {}
    assert vdir.changes(None) is None


def test_file_url_opens_the_folder(tmp_path: Path) -> None:
    remote = open_remote(f"file://{tmp_path}")
    assert isinstance(remote, VdirRemote)
    assert remote.folder == tmp_path


def test_create_list_fetch_update_delete(vdir: VdirRemote) -> None:
    href, etag = vdir.create("abc-1", card("abc-1"))
    assert href == "abc-1.vcf"
    assert (vdir.folder / href).read_bytes() == card("abc-1").encode()
    st = (vdir.folder / href).stat()
    assert etag == f"{st.st_mtime_ns}-{st.st_size}"
    assert vdir.listing() == {href: etag}
    assert vdir.fetch([href]) == {href: (etag, card("abc-1"))}

    new_text = card("abc-1", "Ada King")
    new_etag = vdir.update(href, etag, new_text)
    assert new_etag != etag
    assert vdir.fetch([href]) == {href: (new_etag, new_text)}
    assert vdir.listing() == {href: new_etag}

    vdir.delete(href, new_etag)
    assert vdir.listing() == {}
    assert not any(vdir.folder.iterdir()), "no temp file left behind"


def test_create_never_replaces_a_card_that_is_there(vdir: VdirRemote) -> None:
    href, etag = vdir.create("same", card("same"))
    with pytest.raises(RemoteChanged, match="already there"):
        vdir.create("same", card("same", "Someone Else"))
    assert vdir.fetch([href]) == {href: (etag, card("same"))}
    assert sorted(p.name for p in vdir.folder.iterdir()) == ["same.vcf"]


def test_a_card_changed_meanwhile_is_not_overwritten_or_deleted(vdir: VdirRemote) -> None:
    href, etag = vdir.create("u1", card("u1"))
    path = vdir.folder / href
    path.write_text(card("u1", "Edited by khard, longer"), newline="")
    with pytest.raises(RemoteChanged, match="changed since"):
        vdir.update(href, etag, card("u1", "Mine"))
    with pytest.raises(RemoteChanged, match="changed since"):
        vdir.delete(href, etag)
    assert path.read_bytes() == card("u1", "Edited by khard, longer").encode()


def test_an_update_of_a_deleted_card_is_a_change_and_deleting_it_again_is_fine(vdir: VdirRemote) -> None:
    href, etag = vdir.create("u2", card("u2"))
    (vdir.folder / href).unlink()
    with pytest.raises(RemoteChanged, match="deleted"):
        vdir.update(href, etag, card("u2"))
    vdir.delete(href, etag)
    assert vdir.fetch([href]) == {}


def test_unsafe_uids_get_a_hashed_file_name(vdir: VdirRemote) -> None:
    for uid in ["../../etc/passwd", "a/b", ".hidden", "x" * 300, "urn:uuid:1234", "ünïcode"]:
        name = file_name(uid)
        assert "/" not in name and not name.startswith(".") and name.endswith(".vcf")
        assert len(name) <= 104
        href, _ = vdir.create(uid, card(uid))
        assert href == name
        assert (vdir.folder / href).exists()
    assert file_name("4e9f-AB_c.d@host+1") == "4e9f-AB_c.d@host+1.vcf"
    assert len(vdir.listing()) == 6


def test_only_vcf_files_are_cards(vdir: VdirRemote) -> None:
    (vdir.folder / "notes.txt").write_text("hello")
    (vdir.folder / ".tagtui-half.tmp").write_text("BEGIN:VCARD")
    (vdir.folder / "sub.vcf").mkdir()
    (vdir.folder / "real.vcf").write_text(card("real"), newline="")
    assert list(vdir.listing()) == ["real.vcf"]


def test_fetch_keeps_bytes_and_skips_missing_cards(vdir: VdirRemote) -> None:
    lf_card = "BEGIN:VCARD\nVERSION:4.0\nFN:Zoë 😀\nEND:VCARD\n"
    (vdir.folder / "lf.vcf").write_bytes(lf_card.encode())
    (vdir.folder / "latin.vcf").write_bytes(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:José\r\nEND:VCARD\r\n".encode("latin-1")
    )
    got = vdir.fetch(["lf.vcf", "latin.vcf", "gone.vcf"])
    assert set(got) == {"lf.vcf", "latin.vcf"}
    assert got["lf.vcf"][1] == lf_card
    assert "FN:José" in got["latin.vcf"][1]


def test_hrefs_outside_the_folder_are_refused(vdir: VdirRemote) -> None:
    for href in ["../x.vcf", "/etc/passwd", "a/b.vcf", "x.txt"]:
        with pytest.raises(RemoteError, match="not a card file"):
            vdir.fetch([href])


def test_missing_folder_and_file_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(RemoteError, match="no such folder") as info:
        open_remote(str(tmp_path / "nope"))
    assert str(tmp_path / "nope") in str(info.value)
    (tmp_path / "f.vcf").write_text("x")
    with pytest.raises(RemoteError, match="not a folder"):
        open_remote(str(tmp_path / "f.vcf"))


def test_a_folder_removed_after_opening_is_a_clear_error(vdir: VdirRemote) -> None:
    vdir.folder.rmdir()
    for call in (lambda: vdir.create("u", card("u")), vdir.listing):
        with pytest.raises(RemoteError, match="cannot") as info:
            call()
        assert str(info.value).startswith(vdir.url + ": ")
        assert "\n" not in str(info.value)
