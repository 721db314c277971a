"""The second process of a large CSV import: ``python -m tagtui.io.parallel`` (issue 15).

``csv_import.ParallelRows`` starts it and reads what it sends: it reads its job on stdin (the
file, its encoding, delimiter and mapping, and how many rows the parent reads itself), then
reads and checks the file's rows after those and sends them on stdout a batch at a time (with
how many rows of the file it has read: should it stop, the parent reads the rest itself), then
"done" — or the error it met, in order, which the parent raises where the file failed. It is
a module run by the parent's Python, not a ``multiprocessing`` child: "spawn" would run the
parent's main script again (a script without a ``__main__`` guard imports twice), and "fork"
beside the UI's threads is unsafe. It runs in a session of its own: ctrl+c reaches the parent,
which stops it.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from itertools import islice
from typing import Any, BinaryIO

from tagtui.io.csv_import import FRAME, CsvFile, rows_of_csv
from tagtui.io.text_files import FileContact
from tagtui.store.imports import BATCH, CheckedRow, SkippedRow, check_rows


def main() -> None:
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the pipe
    path, encoding, delimiter, mapping, skip = pickle.loads(sys.stdin.buffer.read())
    try:
        try:
            source = CsvFile(path, encoding, delimiter)
            read = [skip]  # rows of the file checked so far: where the parent goes on if this stops

            def counted(rows: Iterator[FileContact]) -> Iterator[FileContact]:
                for row in rows:
                    read[0] += 1
                    yield row

            checked = check_rows(counted(rows_of_csv(source, mapping, skip)), skipping=True, start=skip + 1)
            while batch := list(islice(checked, BATCH)):
                _send(out, ("rows", source.position, read[0], [_packed(row) for row in batch]))
            _send(out, ("done",))
        except Exception as exc:
            _send(out, ("error", _sendable(exc)))
    except BrokenPipeError:
        pass  # the parent stopped reading (its import failed or was stopped)


def _send(out: BinaryIO, message: tuple[Any, ...]) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(FRAME.pack(len(data)))
    out.write(data)
    out.flush()


def _packed(row: CheckedRow | SkippedRow) -> tuple[Any, ...]:
    """A row as tuples of plain values (a batch of them pickles ~10x faster than the objects);
    its source as its line, all the store reads of it (``where``, ``skip``). The parent's
    ``_unpacked`` makes the objects again."""
    if isinstance(row, SkippedRow):
        return (None, row.reason, getattr(row.row, "line", None))
    return (row.fields, row.tags, row.status, row.index, row.key, row.keys, row.source.line)


def _sendable(exc: Exception) -> Exception:
    """``exc`` if it survives a pickle round trip, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


if __name__ == "__main__":
    main()
