"""Long jobs (import, export, demo data, bulk changes): one progress callback, which also cancels.

Every long job takes ``progress: Progress | None`` and calls ``progress(done, total)`` as it
goes (import: bytes of the file; the others: contacts). The callback is also the cancel
check: raising from it (``Cancelled``, by convention) stops the job inside its one
transaction, so nothing is changed, and an export's temporary file is removed. The UI
raises when the user cancels; the CLI only prints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tagtui.store.db import Database, Tx

#: ``progress(done, total)``: how far a long job is. Raising from it cancels the job.
Progress = Callable[[int, int], None]

#: Contacts a bulk change writes per round of statements when it reports progress.
CHUNK = 20_000


class Cancelled(Exception):
    """A long job was stopped from its progress callback; nothing was changed."""


def in_chunks(
    db: Database,
    tx: Tx,
    table: str,
    work: Callable[[str], None],
    progress: Progress | None,
    *,
    chunk: int | None = None,
) -> None:
    """Call ``work(ids)`` for the ids in the temporary table ``table``, ``chunk`` at a time in id
    order, telling ``progress`` after each; ``ids`` names a temporary table holding them.

    Without ``progress`` the whole table is one chunk (set-based, one round of statements);
    with it, each chunk is still set-based, so a job of a million contacts reports about
    fifty times.
    """
    size = CHUNK if chunk is None else chunk
    total = tx.scalar(f"SELECT COUNT(*) FROM {table}") or 0
    if progress is None or total <= size:
        if progress is not None:
            progress(0, total)
        work(table)
        if progress is not None:
            progress(total, total)
        return
    # The last id of every full chunk: the chunks are (previous bound, bound], then the rest.
    bounds = [
        r[0]
        for r in tx.all(
            f"SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM {table}) q"
            f" WHERE rn % {int(size)} = 0 ORDER BY id"
        )
    ]
    progress(0, total)
    done, low = 0, None
    for high in [*bounds, None]:
        params = {k: v for k, v in (("low", low), ("high", high)) if v is not None}
        where = " AND ".join({"low": "id > :low", "high": "id <= :high"}[k] for k in params) or "1 = 1"
        db.snapshot(tx, "tagtui_chunk", f"SELECT id FROM {table} WHERE {where}", params)
        work("tagtui_chunk")
        done = min(done + size, total)
        progress(done, total)
        low = high


def in_parts(progress: Progress | None, part: int, parts: int) -> Progress | None:
    """``progress`` for part ``part`` (0-based) of a job in ``parts`` equal parts (tags, then status)."""
    if progress is None:
        return None

    def tell(done: int, total: int) -> None:
        progress(part * total + done, parts * total)

    return tell
