"""Where an export goes: a regular file is replaced atomically, anything else is written in place.

A regular file (or a path that does not exist yet) is written through a hidden temporary
file beside it and renamed over it, so a failure never leaves half a file. A device
(``/dev/null``), a FIFO, a terminal or standard output (``/dev/stdout``, ``-``) is opened
and written as it is: renaming over it would replace the device or the pipe with a file.
A symlink is followed: its target is written, the link stays. SIGTERM and SIGHUP during
an atomic write remove the temporary file (SIGINT does so as KeyboardInterrupt).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO, TypeVar

from tagtui.store.errors import FileError

#: ``--output -``: standard output.
STDOUT = "-"
TEMP_PREFIX = ".tagtui-export-"
TEMP_SUFFIX = ".tmp"
#: Where a path names an open file of the process (``/dev/stdout`` links to ``/proc/self/fd/1``):
#: written in place even when the file behind it is regular (a shell's ``> file``).
_FD_FOLDERS = ("/proc/", "/dev/fd/")

T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """An export's destination, as ``resolve`` found it."""

    #: The path as the user gave it (for messages).
    path: str
    #: What is opened or replaced: a symlink's final target, or ``path`` for a special file.
    where: str
    #: True for a device, FIFO, terminal or ``/dev/…`` path: opened and written, never replaced.
    in_place: bool = False
    #: True when this is the process's standard output (``-``, ``/dev/stdout``, or its file).
    stdout: bool = False
    #: True when a regular file is there already (replacing it asks first at a terminal).
    exists: bool = False


def resolve(path: str) -> Target:
    """What writing to ``path`` means; FileError for a folder, or a folder that does not exist."""
    if path == STDOUT:
        return Target(path, STDOUT, in_place=True, stdout=True)
    try:
        info = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise FileError(f"cannot write {path}: {exc.strerror or exc}", field="output") from exc
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise FileError(f"cannot write {path}: it is a folder", field="output")
    absolute = os.path.abspath(path)
    if info is not None and (not stat.S_ISREG(info.st_mode) or _names_an_open_file(absolute)):
        return Target(path, absolute, in_place=True, stdout=_is_stdout(info))
    where = os.path.realpath(path)  # a (dangling) symlink: its target
    folder = os.path.dirname(where)
    if not os.path.isdir(folder):
        raise FileError(f"cannot write {path}: the folder {folder} does not exist", field="output")
    return Target(path, where, exists=info is not None)


def _names_an_open_file(path: str) -> bool:
    """True if ``path``, or a link on the way to its file, is under /proc or /dev/fd."""
    for _ in range(40):  # the kernel's own limit on links followed
        if path.startswith(_FD_FOLDERS):
            return True
        if not os.path.islink(path):
            return False
        path = os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))
    return False


def _is_stdout(info: os.stat_result) -> bool:
    try:
        return os.path.samestat(info, os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):
        return False


def write(target: Target, fmt: str, write_to: Callable[[TextIO], T]) -> T:
    """Write through ``write_to(file)`` to ``target``; returns what ``write_to`` returns.

    CSV is written with ``newline=""`` (the csv module writes its own CRLF). An OSError
    becomes a FileError naming the path; a replaced regular file keeps its mode.
    """
    newline = "" if fmt == "csv" else None
    if target.stdout:
        result = write_to(sys.stdout)
        sys.stdout.flush()
        return result
    if target.in_place:
        return _write_in_place(target, newline, write_to)
    return _write_atomically(target, newline, write_to)


def _write_in_place(target: Target, newline: str | None, write_to: Callable[[TextIO], T]) -> T:
    try:
        # No O_CREAT (it exists) and no O_TRUNC for a device or FIFO; a FIFO waits for its reader.
        flags = os.O_WRONLY | (os.O_TRUNC if stat.S_ISREG(os.stat(target.where).st_mode) else 0)
        fd = os.open(target.where, flags)
        with open(fd, "w", encoding="utf-8", newline=newline) as out:
            return write_to(out)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise FileError(f"cannot write {target.path}: {exc.strerror or exc}", field="output") from exc


def _write_atomically(target: Target, newline: str | None, write_to: Callable[[TextIO], T]) -> T:
    folder = os.path.dirname(target.where)
    with cleanup_on_signals():
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
        except OSError as exc:
            raise FileError(f"cannot write {target.path}: {exc.strerror or exc}", field="output") from exc
        _IN_FLIGHT.add(tmp)
        try:
            # A new file is private to the user (like the database); a replaced one keeps its mode.
            with contextlib.suppress(OSError):
                os.chmod(tmp, stat.S_IMODE(os.stat(target.where).st_mode))
            with open(fd, "w", encoding="utf-8", newline=newline) as out:
                result = write_to(out)
            os.replace(tmp, target.where)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
                raise FileError(f"cannot write {target.path}: {exc.strerror or exc}", field="output") from exc
            raise
        finally:
            _IN_FLIGHT.discard(tmp)
    return result


# -- signals ---------------------------------------------------------------------------------

#: Temporary files being written now (removed by a SIGTERM/SIGHUP before the process goes).
_IN_FLIGHT: set[str] = set()
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def cleanup_on_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP first remove the export's temporary files.

    Then the signal does what it did before (by default: end the process). Only the main
    thread can set handlers; elsewhere (a UI worker) the screen sets them from its own
    main thread with ``install_signal_cleanup``. A signal that was ignored stays ignored.
    """
    saved = install_signal_cleanup()
    try:
        yield
    finally:
        restore_signals(saved)


def install_signal_cleanup() -> dict[int, Any]:
    """Set the cleanup handlers (main thread only); returns what to give ``restore_signals``."""
    saved: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return saved
    for signum in _SIGNALS:
        previous = signal.getsignal(signum)
        if previous == signal.SIG_IGN:
            continue
        saved[signum] = previous
        signal.signal(signum, functools.partial(_on_signal, previous))
    return saved


def restore_signals(saved: dict[int, Any]) -> None:
    for signum, previous in saved.items():
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)


def _on_signal(previous: Any, signum: int, frame: Any) -> None:
    for tmp in list(_IN_FLIGHT):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _IN_FLIGHT.discard(tmp)
    if callable(previous):
        previous(signum, frame)
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
