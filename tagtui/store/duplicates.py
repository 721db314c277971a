"""Finding duplicate contacts: one streamed scan, blocks of contacts that share a key, scored
pairs joined into groups; and the pairs a user marked "not duplicates" (SPEC §7).

The scan reads ``(id, name, email, phone, company)`` in one query and keeps per contact only
compact keys: 64-bit hashes in arrays and the normalised name. Candidate pairs come from
blocks of contacts sharing a key (the email, the phone, the name and company, the surname
and company; below ``NAME_ONLY_MAX`` also the name alone), never from all pairs. A block
too large to compare pair by pair is split by a finer key, and the finest compared in
sliding windows over its names. A pair is first bounded by what its keys say (were the
names equal, could it reach the threshold?) and only then are the names compared.
Pairs above the threshold are joined best first by union-find, never across a pair
marked "not duplicates"; a group may hold more than two contacts.
"""

from __future__ import annotations

import sys
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, groupby
from typing import TYPE_CHECKING, Any

from tagtui.query.filter import EVERYTHING, Filter
from tagtui.store.base import StoreBase, as_refs
from tagtui.store.db import Tx
from tagtui.store.errors import QueryTimeout, ValidationError
from tagtui.store.identity import email_key, text_key
from tagtui.store.schema import now
from tagtui.store.types import JsonRecord

if TYPE_CHECKING:
    from tagtui.store.matching import Evidence
    from tagtui.store.store import Store

#: The default ``--min-score``: a same name alone (0.75) is below it; a name with a same
#: phone or company, or a same email, is above it.
DEFAULT_MIN_SCORE = 0.8
#: The highest score a pair reaches on its names alone (no email, phone or company agreeing).
NAME_ONLY_MAX = 0.75
#: ``count_lookalikes`` gives up (None) after this many seconds.
LOOKALIKES_BUDGET_S = 5.0
#: ``count_lookalikes`` reads the older contacts whose phone ends with the same this many digits.
PHONE_END = 7
#: The phone column's digits, in SQL (the separators people write taken out).
_PHONE_DIGITS = "phone"
for _separator in " -().+/":
    _PHONE_DIGITS = f"replace({_PHONE_DIGITS}, '{_separator}', '')"

#: A block of up to this many contacts is compared pair by pair; a larger one is split.
BLOCK_MAX = 60
#: In a block that no key splits further, each contact is compared with this many after it.
WINDOW = 20
#: Contacts read per batch from the one query.
BATCH = 5000
GROUPS_MAX = 1000
#: How many contacts one ``duplicates ignore`` may name (every pair among them is stored).
IGNORE_MAX = 50


_REASON_ORDER = ("same email", "same phone", "same company", "")


def _reason_rank(reason: str) -> int:
    return next(i for i, start in enumerate(_REASON_ORDER) if reason.startswith(start))


class ScanCancelled(Exception):
    """The caller asked the scan to stop (the UI's cancel key)."""


#: ``progress(stage, done, total)``: stage is "reading" (contacts) or "comparing" (blocks).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DuplicateContact(JsonRecord):
    id: int
    name: str
    email: str | None
    phone: str | None
    company: str | None


@dataclass(frozen=True)
class Lookalikes(JsonRecord):
    """How many new contacts look like older ones (``count_lookalikes``): ``count`` is None when
    the check ran out of time before its first round ended; ``complete`` says whether every
    older contact that could be one was compared."""

    count: int | None
    complete: bool


@dataclass(frozen=True)
class DuplicateGroup(JsonRecord):
    """Contacts that look like one person: best score first, with the reasons in words."""

    score: float
    contacts: tuple[DuplicateContact, ...]
    reasons: tuple[str, ...]

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(c.id for c in self.contacts)


def check_min_score(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < float(value) <= 1.0:
        raise ValidationError(
            f"the minimum score is a number above 0 and at most 1, not {value}", field="min_score"
        )
    return float(value)


def _hash(value: object) -> int:
    """A key as a 64-bit number (0 is kept for "none")."""
    h = hash(value)
    return h or 1


@dataclass
class _Keys:
    """Per contact (by its place in the scan): its id and the keys the blocks and scores use."""

    ids: array[int]
    email: array[int]
    phone: array[int]
    company: array[int]
    #: sorted words of the name, nicknames made one (``~group``): the name block's key
    name: array[int]
    #: the last word of the name (the surname, after "Smith, John" is turned round)
    surname: array[int]
    #: the first letter of the first word
    initial: array[int]
    words: list[tuple[str, ...]]

    @classmethod
    def empty(cls) -> _Keys:
        return cls(array("q"), array("q"), array("q"), array("q"), array("q"), array("q"), array("q"), [])

    def __len__(self) -> int:
        return len(self.ids)

    def first(self, n: int) -> _Keys:
        """A copy of the first ``n`` contacts' keys."""
        return _Keys(
            self.ids[:n], self.email[:n], self.phone[:n], self.company[:n],
            self.name[:n], self.surname[:n], self.initial[:n], self.words[:n],
        )  # fmt: skip


@dataclass
class _Wanted:
    """What an older contact must share with the new ones to be in a block with one of them,
    above ``NAME_ONLY_MAX`` (hashes, as ``_Keys`` holds them): an email, a phone, or a company
    with the same name or surname. ``phone_ends``: the new phones' last digits (``PHONE_END``),
    which an older phone must end with to be read at all."""

    emails: set[int]
    phones: set[int]
    phone_ends: set[str]
    company_names: set[tuple[int, int]]
    company_surnames: set[tuple[int, int]]

    @classmethod
    def of(cls, keys: _Keys, phone_ends: Iterable[str]) -> _Wanted:
        at = [i for i in range(len(keys)) if keys.company[i]]
        return cls(
            set(keys.email) - {0},
            set(keys.phone) - {0},
            set(phone_ends),
            {(keys.company[i], keys.name[i]) for i in at},
            {(keys.company[i], keys.surname[i]) for i in at},
        )

    def shares(self, email: int, company: int, name: int, surname: int) -> bool:
        return email in self.emails or (
            company != 0
            and ((company, name) in self.company_names or (company, surname) in self.company_surnames)
        )


class _Scan:
    """One scan: the keys of every contact read, then the blocks, the pairs and the groups."""

    def __init__(
        self,
        keys: _Keys,
        min_score: float,
        ignored: set[tuple[int, int]],
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
        *,
        split: int | None = None,
    ) -> None:
        self.k = keys
        #: With a ``split``, only pairs of a contact before it and one at or after it are
        #: compared (the new contacts of an import, and the older ones they may look like).
        self.split = split
        self.min_score = min_score
        self.ignored = ignored
        self.progress = progress
        self.cancelled = cancelled
        #: (score, i, j, name similarity, evidence) of every pair at or above the threshold
        self.pairs: list[tuple[float, int, int, float, Evidence]] = []
        self._blocks = 0
        # Imported here, not when the CLI starts (see ``matching``).
        from tagtui.store.matching import Evidence, name_similarity, score

        self._evidence, self._names, self._score = Evidence, name_similarity, score
        #: the best score a pair can reach, by what its keys say (were the names equal)
        self._bounds: dict[tuple[bool | None, bool | None, bool | None], float] = {}

    # -- blocks ------------------------------------------------------------------------

    def run(self) -> None:
        k = self.k
        n = len(k)
        everyone = range(n)
        with_email = [i for i in everyone if k.email[i]]
        self._block_by(with_email, lambda i: k.email[i], level=0, source=0)
        with_phone = [i for i in everyone if k.phone[i]]
        self._block_by(with_phone, lambda i: k.phone[i], level=1, source=1)
        with_company = [i for i in everyone if k.company[i]]
        self._block_by(with_company, lambda i: (k.company[i], k.name[i]), level=3, source=2)
        self._block_by(with_company, lambda i: (k.company[i], k.surname[i]), level=2, source=3)
        if self.min_score <= NAME_ONLY_MAX:
            self._block_by(list(everyone), lambda i: k.name[i], level=3, source=4)
            self._block_by(list(everyone), lambda i: (k.surname[i], k.initial[i]), level=3, source=5)

    def _block_by(self, members: list[int], key: Callable[[int], Any], *, level: int, source: int) -> None:
        members.sort(key=key)
        split = self.split
        for _, run in groupby(members, key=key):
            block = list(run)
            if len(block) > 1 and (split is None or (min(block) < split) != (max(block) < split)):
                self._block(block, level, source)

    def _block(self, block: list[int], level: int, source: int) -> None:
        """Compare a block pair by pair, or split it by a finer key, or walk it in windows.

        ``level``: 0 email, 1 phone (split by surname, then by name), 2 company and surname
        (split by initial), 3 the name (only windows)."""
        self._blocks += 1
        if self._blocks % 500 == 0:
            if self.cancelled is not None and self.cancelled():
                raise ScanCancelled()
            if self.progress is not None:
                self.progress("comparing", self._blocks, 0)
        k = self.k
        split = self.split
        if len(block) <= BLOCK_MAX:
            for x, i in enumerate(block):
                for j in block[x + 1 :]:
                    if split is None or (i < split) != (j < split):
                        self._pair(i, j, source)
            return
        if level == 1:
            self._block_by(block, lambda i: k.surname[i], level=2, source=source)
        elif level == 2:
            self._block_by(block, lambda i: k.initial[i], level=3, source=source)
        else:
            words = k.words
            block.sort(key=lambda i: words[i])
            for x, i in enumerate(block):
                for j in block[x + 1 : x + 1 + WINDOW]:
                    if split is None or (i < split) != (j < split):
                        self._pair(i, j, source)

    # -- pairs -------------------------------------------------------------------------

    def _pair(self, i: int, j: int, source: int) -> None:
        k = self.k
        ei, ej = k.email[i], k.email[j]
        email = None if not ei or not ej else ei == ej
        pi, pj = k.phone[i], k.phone[j]
        phone = None if not pi or not pj else pi == pj
        ci, cj = k.company[i], k.company[j]
        company = None if not ci or not cj else ci == cj
        # A pair that an earlier kind of block (source) already compared is skipped here.
        if source >= 1 and email:
            return
        if source >= 2 and phone:
            return
        if source == 3 and company and k.name[i] == k.name[j]:
            return
        if source >= 4 and company and (k.name[i] == k.name[j] or k.surname[i] == k.surname[j]):
            return
        if source == 5 and k.name[i] == k.name[j]:
            return
        bound = self._bounds.get((email, phone, company))
        if bound is None:
            bound = self._bounds[email, phone, company] = self._score(
                1.0, self._evidence(email, phone, company)
            )
        if bound < self.min_score:
            return  # not even equal names would be enough
        evidence = self._evidence(email, phone, company)
        n = self._names(k.words[i], k.words[j])
        s = self._score(n, evidence)
        if s >= self.min_score:
            self.pairs.append((s, i, j, n, evidence))

    # -- groups ------------------------------------------------------------------------

    def groups(self) -> list[tuple[float, list[int], list[tuple[float, int, int, float, Evidence]]]]:
        """Union-find over the pairs, best first; never joins two contacts marked not duplicates.

        Each group: (its weakest joining pair's score, contact ids, the joining pairs).
        """
        ids = self.k.ids
        parent: dict[int, int] = {}
        members: dict[int, list[int]] = {}
        edges: dict[int, list[tuple[float, int, int, float, Evidence]]] = {}
        apart: dict[int, set[int]] = {}
        for a, b in self.ignored:
            apart.setdefault(a, set()).add(b)
            apart.setdefault(b, set()).add(a)

        def find(x: int) -> int:
            root = x
            while parent.get(root, root) != root:
                root = parent[root]
            while parent.get(x, x) != root:
                parent[x], x = root, parent[x]
            return root

        seen: set[tuple[int, int]] = set()
        for pair in sorted(self.pairs, key=lambda p: (-p[0], ids[p[1]], ids[p[2]])):
            a, b = ids[pair[1]], ids[pair[2]]
            if (min(a, b), max(a, b)) in seen:
                continue
            seen.add((min(a, b), max(a, b)))
            ra, rb = find(a), find(b)
            if ra == rb:
                continue
            ma, mb = members.get(ra, [ra]), members.get(rb, [rb])
            if apart and any(apart.get(x, set()).intersection(mb) for x in ma):
                continue
            if len(ma) < len(mb):
                ra, rb, ma, mb = rb, ra, mb, ma
            parent[rb] = ra
            members[ra] = ma + mb
            edges[ra] = [*edges.pop(ra, []), *edges.pop(rb, []), (pair[0], a, b, pair[3], pair[4])]
            members.pop(rb, None)
        out = []
        for root, group in members.items():
            joined = edges[root]
            out.append((min(p[0] for p in joined), sorted(group), joined))
        out.sort(key=lambda g: (-g[0], g[1][0]))
        return out


class DuplicateService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions, ``store`` the whole store, through which it reaches the parts it is not given."""

    def __init__(self, core: StoreBase, store: Store) -> None:
        self._core = core
        self._store = store

    def find_duplicates(
        self,
        query: Filter = EVERYTHING,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        limit: int = 100,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[DuplicateGroup]:
        """Groups of contacts (among those ``query`` selects) that look like one person, best first.

        ``progress`` hears how far the scan is; ``cancelled`` returning true stops it
        (``ScanCancelled``).
        """
        min_score = check_min_score(min_score)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= GROUPS_MAX:
            raise ValidationError(f"limit must be 1–{GROUPS_MAX}, not {limit}", field="limit")

        def read(tx: Tx) -> tuple[_Keys, set[tuple[int, int]], str | None]:
            settings = self._core._settings(tx)
            _, where, params = self._store._contact_ops._shaped(tx, query, "rows")
            total = 0
            if progress is not None:
                total = int(self._store._contact_ops._count(tx, query))
                progress("reading", 0, total)
            rows = tx.stream(
                f"SELECT c.id, c.name, c.email, c.phone, c.company FROM contact c WHERE {where}",
                params,
                batch=BATCH,
            )
            keys = _read_keys(rows, settings.phone_region, settings.email_folding, total, progress, cancelled)
            return keys, self._ignored(tx), settings.phone_region

        keys, ignored, region = self._core._read(read)
        scan = _Scan(keys, min_score, ignored, progress, cancelled)
        scan.run()
        found = scan.groups()[:limit]
        del scan, keys
        return self._core._read(lambda tx: self._describe(tx, found, region))

    def _describe(
        self,
        tx: Tx,
        found: list[tuple[float, list[int], list[tuple[float, int, int, float, Evidence]]]],
        region: str | None,
    ) -> list[DuplicateGroup]:
        """The groups with each contact's fields as they are now, and their reasons in words."""
        from tagtui.store.matching import Evidence, phone_key, reasons

        wanted = sorted({i for _, group, _ in found for i in group})
        if not wanted:
            return []
        cond, params = self._core.db.in_list("id", "ids", wanted)
        rows = {
            r[0]: DuplicateContact(*r)
            for r in tx.all(
                f"SELECT id, name, email, phone, company FROM contact WHERE workspace_id = :ws AND {cond}",
                self._core._params(**params),
            )
        }
        out: list[DuplicateGroup] = []
        for group_score, group, joined in found:
            contacts = tuple(rows[i] for i in group if i in rows)
            if len(contacts) < 2:
                continue  # deleted meanwhile
            said: dict[str, None] = {}
            for _, a, _, n, evidence in joined:
                phone = phone_key(rows[a].phone, region) if evidence.phone and a in rows else None
                said.update(dict.fromkeys(reasons(n, evidence, phone)[:-1]))
            weakest = min(p[3] for p in joined)
            said.update(dict.fromkeys(reasons(weakest, Evidence(None, None, None), None)))
            ordered = sorted(said, key=_reason_rank)
            out.append(DuplicateGroup(group_score, contacts, tuple(ordered)))
        return out

    # -- "not duplicates" ----------------------------------------------------------------

    def ignore_duplicates(self, refs: Sequence[int | str]) -> int:
        """Mark every pair among the given contacts "not duplicates"; returns how many pairs were new."""
        refs = as_refs(refs, "contact")

        def run(tx: Tx) -> int:
            ids = self._core._contact_ids(tx, refs)
            if len(ids) < 2:
                raise ValidationError("name at least two different contacts", field="contact")
            if len(ids) > IGNORE_MAX:
                raise ValidationError(f"name at most {IGNORE_MAX} contacts at once", field="contact")
            pairs = sorted({(min(a, b), max(a, b)) for a in ids for b in ids if a != b})
            before = len(self._ignored(tx))
            stamp = now()
            tx.executemany(
                "INSERT INTO duplicate_ignore (workspace_id, low_id, high_id, created_at)"
                " VALUES (:ws, :lo, :hi, :at) ON CONFLICT DO NOTHING",
                [self._core._params(lo=lo, hi=hi, at=stamp) for lo, hi in pairs],
            )
            added = len(self._ignored(tx)) - before
            if added:
                self._core._event(
                    tx, "duplicates.ignored", "workspace", self._core.workspace_id, contacts=ids
                )
            return added

        return self._core._write(run)

    def _ignored(self, tx: Tx) -> set[tuple[int, int]]:
        return {
            (r[0], r[1])
            for r in tx.all(
                "SELECT low_id, high_id FROM duplicate_ignore WHERE workspace_id = :ws", self._core._params()
            )
        }

    # -- after an import -----------------------------------------------------------------

    def newest_contact_id(self) -> int:
        """The highest contact id of the workspace now (0 if none): what came later is new."""
        return int(
            self._core._read(
                lambda tx: tx.scalar(
                    "SELECT MAX(id) FROM contact WHERE workspace_id = :ws", self._core._params()
                )
            )
            or 0
        )

    def _colleagues(
        self, tx: Tx, since_id: int, new: Sequence[tuple[Any, ...]], seen: set[int]
    ) -> Iterator[tuple[Any, ...]]:
        """The older contacts (but those in ``seen``) at a new contact's company, however it
        is written ("ACME, Inc." and "Acme"), with a surname of a new contact there: the
        company blocks' pairs, whose names may be written differently ("J. Smith")."""
        from tagtui.store.matching import company_key, name_tokens

        def surname(name: str) -> str:
            words = name_tokens(name)
            return words[-1] if words else ""

        wanted = {(company_key(c), surname(n)) for _, n, _, _, c in new if c and company_key(c)}
        companies = {company for company, _ in wanted}
        if not companies:
            return
        # Every way the workspace writes a company, one index seek each (not a read of the
        # index's every entry, as DISTINCT would be), kept when its key is a new one's.
        spellings = [
            written
            for (written,) in tx.stream(
                "WITH RECURSIVE spelled (written) AS ("
                " SELECT min(lower(company)) FROM contact WHERE workspace_id = :ws"
                " UNION ALL SELECT (SELECT min(lower(company)) FROM contact"
                " WHERE workspace_id = :ws AND lower(company) > spelled.written)"
                " FROM spelled WHERE written IS NOT NULL"
                ") SELECT written FROM spelled WHERE written IS NOT NULL",
                self._core._params(),
                batch=BATCH,
            )
            if company_key(written) in companies
        ]
        if not spellings:
            return
        sql, params = self._core.db.in_list("lower(company)", "c", spellings)
        surnames: dict[str, str] = {}
        for row in tx.stream(
            "SELECT id, name, email, phone, company FROM contact WHERE workspace_id = :ws"
            f" AND id <= :since AND {sql}",
            {**self._core._params(since=since_id), **params},
            batch=BATCH,
        ):
            if row[0] in seen:
                continue
            name = row[1]
            last = surnames.get(name)
            if last is None:
                if len(surnames) > 200_000:
                    surnames.clear()
                last = surnames[name] = surname(name)
            if (company_key(row[4]), last) in wanted:
                yield row

    def count_lookalikes(
        self, since_id: int, *, min_score: float = DEFAULT_MIN_SCORE, budget: float = LOOKALIKES_BUDGET_S
    ) -> Lookalikes:
        """How many contacts newer than ``since_id`` look like an older contact.

        Only the older contacts that could be in a block with a new one are read, in two
        rounds, and only new with old are compared. First by index: those with an email (as
        written, or with its aliases folded) or a name (either order) of a new one. Then by a
        scan of the workspace: those whose phone ends with the same ``PHONE_END`` digits
        ("+1 (415) 555-0100" and "415.555.0100"), and those at a new one's company ("ACME,
        Inc." and "Acme") with a surname of one there. Above ``NAME_ONLY_MAX`` a pair needs a
        same email, phone or company, so an older contact that shares none of those keys
        with a new one is not compared (a name shared with thousands is no reason to).

        A hint after an import must not keep a person waiting: past ``budget`` seconds the
        count stops (``complete`` false): None if the first round had not ended, else what
        that round found. ``find_duplicates`` finds them all.
        """
        min_score = check_min_score(min_score)
        deadline = time.monotonic() + budget

        def late() -> bool:
            return time.monotonic() > deadline

        if since_id <= 0:  # no contact is that old: an import into a new workspace
            return Lookalikes(0, True)

        def run(tx: Tx) -> Lookalikes:
            params = self._core._params(since=since_id)
            # Down the ids from ``since`` (the workspace's newest then, so found at once): by the
            # workspace's index instead, SQLite read every entry of it, the import's new ones too.
            older = (
                "SELECT 1 FROM contact WHERE +workspace_id = :ws AND id <= :since ORDER BY id DESC LIMIT 1"
            )
            if not tx.one(older, params):
                return Lookalikes(0, True)  # nothing older to look like (all deleted meanwhile)
            settings = self._core._settings(tx)
            region, folding = settings.phone_region, settings.email_folding
            new = tx.all(
                "SELECT id, name, email, phone, company FROM contact"
                " WHERE workspace_id = :ws AND id > :since",
                params,
            )
            if not new:
                return Lookalikes(0, True)
            ends = sorted(
                {d[-PHONE_END:] for _, _, _, p, _ in new if p and len(d := _digits(p)) >= PHONE_END}
            )
            seen: set[int] = set()
            rounds = (
                _noting(self._by_email_or_name(tx, since_id, new, folding), seen),
                chain(
                    _noting(self._by_phone_end(tx, since_id, ends, seen), seen),
                    self._colleagues(tx, since_id, new, seen),
                ),
            )
            found: set[int] = set()
            rounds_done = 0
            bound = tx.budget
            try:
                keys = _read_keys(new, region, folding, 0, None, late)
                split = len(keys)
                wanted = _Wanted.of(keys, ends) if min_score > NAME_ONLY_MAX else None
                for rows in rounds:
                    # SQLite stops a statement that would run past the deadline (a scan for
                    # phones that yields no row for seconds cannot be checked between rows).
                    tx.budget = min(bound, max(0.01, deadline - time.monotonic()))
                    part = keys.first(split)
                    _read_keys(rows, region, folding, 0, None, late, into=part, wanted=wanted)
                    if len(part) == split:
                        rounds_done += 1
                        continue
                    if late():  # checked every BATCH rows and every 500 blocks, and here
                        raise ScanCancelled()
                    scan = _Scan(part, min_score, set(), None, late, split=split)
                    scan.run()
                    found.update(part.ids[min(x, y)] for _, x, y, _, _ in scan.pairs)
                    rounds_done += 1
            except (ScanCancelled, QueryTimeout):
                return Lookalikes(len(found) if rounds_done else None, False)
            finally:
                tx.budget = bound
            return Lookalikes(len(found), True)

        return self._core._read(run)

    def _by_email_or_name(
        self, tx: Tx, since_id: int, new: Sequence[tuple[Any, ...]], folding: bool
    ) -> Iterator[tuple[Any, ...]]:
        """The older contacts with an email or a name of a new one (by index)."""
        from tagtui.store.matching import email_key as compared_email

        # The email column's key is not folded: ask for the folded spelling too.
        emails = sorted(
            {
                k
                for _, _, e, _, _ in new
                if e
                for k in (email_key(e), compared_email(e, fold_aliases=folding))
                if k
            }
        )
        names: set[str] = set()
        for _, name, _, _, _ in new:
            words = text_key(name.strip())
            names.add(words)
            parts = words.replace(",", " ").split()
            if len(parts) >= 2:
                names.add(f"{parts[-1]}, {' '.join(parts[:-1])}")
                names.add(f"{' '.join(parts[1:])} {parts[0]}")
                names.add(f"{parts[-1]} {' '.join(parts[:-1])}")
        conditions = []
        params = self._core._params(since=since_id)
        for column, name, values in (("email_key", "e", emails), ("name_key", "n", sorted(names))):
            if values:
                sql, p = self._core.db.in_list(column, name, values)
                conditions.append(sql)
                params.update(p)
        if not conditions:
            return iter(())
        # A UNION, not an OR: SQLite reads each by its index (an OR read the whole email index).
        return tx.stream(
            " UNION ".join(
                "SELECT id, name, email, phone, company FROM contact WHERE workspace_id = :ws"
                f" AND id <= :since AND {condition}"
                for condition in conditions
            ),
            params,
            batch=BATCH,
        )

    def _by_phone_end(
        self, tx: Tx, since_id: int, ends: Sequence[str], seen: set[int]
    ) -> Iterator[tuple[Any, ...]]:
        """The older contacts (but those in ``seen``) whose phone ends with the same digits as a
        new one's (a scan: the column's digits are not indexed)."""
        if not ends:
            return
        in_list = self._core.db.in_list
        # The digits are taken out of a phone only where it could end with one of the ends: a
        # phone that ends with two digits ends with their last two (cheap: a tenth of the cost).
        last_two, two = in_list("substr(phone, length(phone) - 1)", "p2", sorted({e[-2:] for e in ends}))
        digit = "('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')"
        not_two_digits = (
            f"substr(phone, length(phone) - 1, 1) NOT IN {digit}"
            f" OR substr(phone, length(phone), 1) NOT IN {digit}"
        )
        end, params = in_list(
            f"substr({_PHONE_DIGITS}, length({_PHONE_DIGITS}) - {PHONE_END - 1})", "p", ends
        )
        for row in tx.stream(
            "SELECT id, name, email, phone, company FROM contact WHERE workspace_id = :ws"
            f" AND id <= :since AND phone IS NOT NULL AND ({last_two} OR {not_two_digits}) AND {end}",
            {**self._core._params(since=since_id), **params, **two},
            batch=BATCH,
        ):
            if row[0] not in seen:
                yield row


def _noting(rows: Iterable[tuple[Any, ...]], ids: set[int]) -> Iterator[tuple[Any, ...]]:
    """``rows`` as they are, their ids (first item) added to ``ids`` on the way."""
    for row in rows:
        ids.add(row[0])
        yield row


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _read_keys(
    rows: Iterable[tuple[Any, ...]],
    region: str | None,
    folding: bool,
    total: int,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
    *,
    into: _Keys | None = None,
    wanted: _Wanted | None = None,
) -> _Keys:
    """Each row's keys, the rows read as they stream (nothing else of a row is kept), added
    to ``into`` if given. With ``wanted``, a row that shares no block with the contacts it
    was made of is left out (its phone read only when its last digits are among theirs)."""
    from tagtui.store.matching import canonical, company_key, email_key, name_tokens, phone_key

    keys = _Keys.empty() if into is None else into
    intern = sys.intern
    #: a name's words -> (those words interned, the name key, the surname key, the initial)
    words_seen: dict[tuple[str, ...], tuple[tuple[str, ...], int, int, int]] = {}
    for count, (cid, name, email, phone, company) in enumerate(rows, 1):
        if count % BATCH == 0:
            if cancelled is not None and cancelled():
                raise ScanCancelled()
            if progress is not None:
                progress("reading", count, total)
        e = email_key(email, fold_aliases=folding)
        he = _hash(e) if e else 0
        c = company_key(company)
        hc = _hash(c) if c else 0
        words = name_tokens(name)
        known = words_seen.get(words)
        if known is None:
            if len(words_seen) > 200_000:
                words_seen.clear()
            known = words_seen[words] = (
                tuple(intern(w) for w in words),
                _hash(" ".join(sorted(canonical(w) for w in words))),
                _hash(words[-1]) if words else 0,
                ord(words[0][0]) if words else 0,
            )
        if wanted is None or wanted.shares(he, hc, known[1], known[2]):
            p = phone_key(phone, region)
            hp = _hash(p) if p else 0
        elif phone and _digits(phone)[-PHONE_END:] in wanted.phone_ends:
            p = phone_key(phone, region)
            hp = _hash(p) if p else 0
            if hp not in wanted.phones:
                continue
        else:
            continue
        keys.ids.append(cid)
        keys.email.append(he)
        keys.phone.append(hp)
        keys.company.append(hc)
        keys.name.append(known[1])
        keys.surname.append(known[2])
        keys.initial.append(known[3])
        keys.words.append(known[0])
    if progress is not None:
        progress("reading", len(keys), max(total, len(keys)))
    return keys
