"""A vdir address book: a folder with one vCard per ``.vcf`` file, as vdirsyncer and khard keep it.

The href of a card is its file name; its etag is ``f"{mtime_ns}-{size}"``. Writes go to a hidden
temp file in the same folder and are renamed into place, so a reader never sees half a card.
A new card never replaces a file that is there (the temp file is hard-linked to its name).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tagtui.sync.remote import Changes, RemoteChanged, RemoteError

SUFFIX = ".vcf"
#: Characters a UID may keep in its file name; anything else (or a long UID) becomes a hash,
#: as vdirsyncer does, so a name is safe on every file system.
_SAFE_UID = re.compile(r"[A-Za-z0-9_.@+-]{1,100}")


def file_name(uid: str) -> str:
    """``<uid>.vcf`` when the UID is safe as a file name, else a hash of it (``<sha1>.vcf``)."""
    if _SAFE_UID.fullmatch(uid) and not uid.startswith("."):
        return uid + SUFFIX
    return hashlib.sha1(uid.encode("utf-8")).hexdigest() + SUFFIX


def _etag(st: os.stat_result) -> str:
    return f"{st.st_mtime_ns}-{st.st_size}"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # A vCard 2.1 file in a legacy charset: every byte kept as a character.
        return data.decode("latin-1")


class VdirRemote:
    """The vdir at ``path`` (it must exist). Has no sync tokens: ``changes`` returns None."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        raw = os.fspath(path)
        if raw.startswith("file://"):
            raw = raw[len("file://") :]
        self.folder = Path(raw).expanduser().absolute()
        self.url = str(self.folder)
        if not self.folder.exists():
            raise RemoteError(f"{self.url}: no such folder")
        if not self.folder.is_dir():
            raise RemoteError(f"{self.url}: not a folder (a vdir is a folder of .vcf files)")

    def __repr__(self) -> str:
        return f"VdirRemote({self.url!r})"

    def _fail(self, doing: str, exc: OSError) -> RemoteError:
        reason = exc.strerror or type(exc).__name__
        return RemoteError(f"{self.url}: cannot {doing}: {reason.lower()}")

    def _path(self, href: str) -> Path:
        if not href or "/" in href or "\\" in href or href in (".", "..") or not href.endswith(SUFFIX):
            raise RemoteError(f"{self.url}: {href!r} is not a card file of this folder")
        return self.folder / href

    def listing(self) -> dict[str, str]:
        found: dict[str, str] = {}
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    name = entry.name
                    if not name.endswith(SUFFIX) or name.startswith("."):
                        continue
                    with contextlib.suppress(FileNotFoundError):
                        if entry.is_file():
                            found[name] = _etag(entry.stat())
        except OSError as exc:
            raise self._fail("list the folder", exc) from None
        return found

    def changes(self, token: str | None) -> Changes | None:
        return None

    def fetch(self, hrefs: Sequence[str]) -> dict[str, tuple[str, str]]:
        cards: dict[str, tuple[str, str]] = {}
        for href in hrefs:
            path = self._path(href)
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
                    # The etag of the file read (a rename meanwhile leaves this one intact).
                    etag = _etag(os.fstat(fh.fileno()))
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise self._fail(f"read {href}", exc) from None
            cards[href] = (etag, _decode(data))
        return cards

    def _write_temp(self, text: str, href: str) -> str:
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tagtui-", suffix=".tmp")
        except OSError as exc:
            raise self._fail(f"write {href}", exc) from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(text.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise self._fail(f"write {href}", exc) from None
        return tmp

    def create(self, uid: str, text: str) -> tuple[str, str]:
        href = file_name(uid)
        path = self.folder / href
        tmp = self._write_temp(text, href)
        try:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise RemoteChanged(f"{self.url}: {href} is already there (a card with this UID)") from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise self._fail(f"write {href}", exc) from None
                # A file system without hard links: check, then rename.
                if path.exists():
                    raise RemoteChanged(
                        f"{self.url}: {href} is already there (a card with this UID)"
                    ) from None
                os.replace(tmp, path)
            return href, _etag(path.stat())
        except OSError as exc:
            raise self._fail(f"write {href}", exc) from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def _check(self, href: str, etag: str) -> Path | None:
        """The card's path if it still has ``etag``; None if it is gone; RemoteChanged if it changed."""
        path = self._path(href)
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._fail(f"read {href}", exc) from None
        if _etag(st) != etag:
            raise RemoteChanged(f"{self.url}: {href} changed since it was read")
        return path

    def update(self, href: str, etag: str, text: str) -> str:
        path = self._check(href, etag)
        if path is None:
            raise RemoteChanged(f"{self.url}: {href} was deleted since it was read")
        tmp = self._write_temp(text, href)
        try:
            os.replace(tmp, path)
            return _etag(path.stat())
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise self._fail(f"write {href}", exc) from None

    def delete(self, href: str, etag: str) -> None:
        path = self._check(href, etag)
        if path is None:
            return
        try:
            path.unlink()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._fail(f"delete {href}", exc) from None
