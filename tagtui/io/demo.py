"""Demo data: believable contacts, the standard tags and pipeline, generated set-based in SQL.

Every contact is computed inside the database from its id: one ``INSERT … SELECT`` per
100,000 contacts over a recursive counter, and one more for their tags. Integer hashes of
the id (the same 64-bit arithmetic on SQLite and PostgreSQL) pick a prepared profile
(company, assignee, status, note, follower tier, tags), a phone number, a follower count and
a creation time from small temporary tables filled from Python, so a million contacts never
pass through Python one by one. The same seed gives the same data; a second run adds more.

Names are handed out in alphabetical order of the id (the seed picks where the alphabet
starts): every index keyed by name or email then grows at one place at a time, which keeps
index maintenance sequential instead of random, whatever the engine or the workspace holds.
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tagtui.store import pairs
from tagtui.store.columns import CONTACT_ROW_NAMES, columns_of
from tagtui.store.db import IntegrityViolation, Tx
from tagtui.store.errors import Conflict, ValidationError
from tagtui.store.identity import text_key
from tagtui.store.jobs import Progress
from tagtui.store.statuses import STANDARD_PIPELINE
from tagtui.store.tags import STANDARD_TAGS
from tagtui.store.types import JsonRecord
from tagtui.store.validation import slugify

if TYPE_CHECKING:
    from tagtui.store import Store
    from tagtui.store.store import GeneratedWrite

MAX_CONTACTS = 10_000_000
CHUNK = 100_000
#: The fewest contacts a chunk has when the caller hears progress (and may cancel: ``jobs``).
PROGRESS_CHUNK = 500
#: A Mersenne prime: hash values stay below 2**31, so a product of two fits 64 bits.
P = 2_147_483_647
SEP = "\x1f"

FIRST_NAMES = (
    "José", "Zoë", "Björn", "Chloé", "François", "Søren", "Łukasz", "Jürgen", "Renée", "Noël",
    "Siobhán", "Ana", "Maria", "Inês", "Mateo", "Aarav", "Yuki", "Wei", "Fatima", "Amara",
    "Liam", "Olivia", "Noah", "Emma", "Ava", "Sophia", "Lucas", "Mia", "Ethan", "Isabella",
    "James", "Amelia", "Benjamin", "Harper", "Elijah", "Evelyn", "Oliver", "Charlotte", "Daniel",
    "Grace", "Henry", "Nora", "Samuel", "Priya", "Rahul", "Kenji", "Hana", "Omar", "Leila",
    "Ciarán", "Dmitri", "Anya", "Kwame", "Zainab", "Elena", "Tomás",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "García", "Smith", "Johnson", "Nguyen", "Kim", "Patel", "Rossi", "Dubois", "Novák",
    "Kowalski", "Johansson", "O'Brien", "Núñez", "Schröder", "Yılmaz", "Fernández", "Østergaard",
    "Brown", "Williams", "Jones", "Miller", "Davis", "Martinez", "Lopez", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker",
    "Adams", "Nakamura", "Chen", "Singh", "Okafor", "Mensah", "Haddad", "Cohen", "Silva",
    "Santos", "van der Berg", "Dupont",
)  # fmt: skip
COMPANIES = (
    "Northwind Traders", "Contoso", "Fabrikam", "Tailspin Toys", "Wingtip Sports", "Adventure Works",
    "Blue Yonder Airlines", "Coho Winery", "Litware", "Proseware", "Woodgrove Bank",
    "Lucerne Publishing", "Margie's Travel", "Bäckerei Schmidt", "Café Olé", "Zürich Analytics",
    "Nordlicht GmbH", "Sakura Systems", "Ventura Labs", "Pinecone Data", "Brightwave", "Helios Energy",
    "Quantum Leaf", "Redwood Partners", "Silverline", "Atlas Freight", "Orbital Dynamics", "Cobalt & Co",
    "Meridian Health", "Oakridge Capital", "Lumen Media", "Harbor & Pine", "Kestrel AI",
    "Greenfield Farms", "Summit Outdoor", "Blue Fjord", "Tidewater Logistics", "Polaris Robotics",
    "Copperleaf", "Starling Studio", "Evergreen Schools", "Nimbus Cloud", "Crescent Foods",
    "Ironclad Security", "Maple & Main", "Granite Works", "Sunflower Co-op", "Vertex Analytics",
    "Lighthouse Legal", "Bluebird Bakery", "Oasis Travel", "Ember Games", "Monarch Retail",
    "Åkerlund Design",
)  # fmt: skip
#: Contacts without a company write from these (about one in twelve).
PERSONAL_DOMAINS = ("mail.example", "post.example", "inbox.example", "mailbox.example", "home.example")
ASSIGNEES = (
    ("Alex Rivera", 5), ("Sam Chen", 4), ("Jordan Lee", 3), ("Priya Nair", 3),
    ("Mateo Fernández", 2), ("Ingrid Olsen", 2), ("Kofi Boateng", 1),
)  # fmt: skip
NO_ASSIGNEE = 5  # weight beside the assignees' 20: 20 % unassigned
NOTES = (
    "Met at the Berlin conference; follow up in Q3.",
    "Prefers email over phone.",
    "Asked for pricing on the enterprise plan,\nsend the deck.",
    "Referred by an existing customer.",
    "Budget approved for next quarter.",
    "Evaluating two competitors, decision in 6 weeks.",
    "Wants a demo for the whole team (12 seats).",
    "Out of office until the 15th.",
    "Signed the NDA; waiting on legal.",
    "Interested in the API; technical contact.",
    "Downloaded the whitepaper twice.",
    "Call back after 3 pm CET.",
)

#: The demo's tags in Zipf rank order (most used first): name, color, emoji, description.
RANKED_TAGS: tuple[tuple[str, str, str, str], ...] = (
    ("Newsletter", "sky", "📰", "Subscribed to the monthly newsletter"),
    ("Warm Lead", "orange", "🌤️", "Interested, not yet ready to buy"),
    ("Inbound", "teal", "📥", "Found us on their own"),
    ("Customer", "green", "✅", "Pays for at least one plan"),
    ("Cold Lead", "slate", "🧊", "No reply yet"),
    ("Follow-up", "amber", "⏰", "Needs a follow-up this week"),
    ("Hot Lead", "red", "🔥", "Ready to buy: call first"),
    ("Webinar", "indigo", "🎥", "Attended a webinar"),
    ("Referral", "emerald", "🤝", "Came through a referral"),
    ("Enterprise", "blue", "🏢", "500+ employees"),
    ("SMB", "cyan", "🏪", "Small or medium business"),
    ("VIP", "purple", "⭐", "Handle with extra care"),
    ("Trial", "lime", "🧪", "On a free trial"),
    ("Decision Maker", "rose", "🎯", "Signs the contract"),
    ("Partner", "blue", "🔗", "Resells or integrates with us"),
    ("Outbound", "gray", "📤", "We reached out first"),
    ("Event Lead", "violet", "🎪", "Met at a trade show or event"),
    ("Technical", "zinc", "🛠️", "Engineer or technical buyer"),
    ("Champion", "yellow", "🏆", "Argues for us inside their company"),
    ("Upsell", "emerald", "📈", "Could move to a bigger plan"),
    ("Renewal", "teal", "🔁", "Contract renews within 90 days"),
    ("EMEA", "stone", "🌍", "Europe, Middle East and Africa"),
    ("Americas", "stone", "🌎", "North and South America"),
    ("APAC", "stone", "🌏", "Asia-Pacific"),
    ("Startup", "fuchsia", "🚀", "Early-stage company"),
    ("Churn Risk", "red", "⚠️", "Usage dropping; check in"),
    ("Beta Tester", "pink", "🧬", "Tries new features early"),
    ("Finance", "green", "💰", "Finance or procurement contact"),
    ("Marketing", "pink", "📣", "Marketing team"),
    ("Agency", "violet", "🎨", "Works for an agency"),
    ("Podcast Guest", "orange", "🎙️", "Appeared on our podcast"),
    ("Investor", "amber", "💼", "Investor or board contact"),
    ("Press", "sky", "🗞️", "Journalist or analyst"),
    ("Open Source", "lime", "🐙", "Contributes to our open-source projects"),
    ("Nonprofit", "emerald", "🌱", "Charity or non-profit"),
    ("Competitor", "rose", "🥊", "Works for a competitor: careful what you share"),
    ("Long Shot", "gray", "🎲", "Unlikely, but worth a try"),
    ("Do Not Contact", "#1f2937", "⛔", "Asked not to be contacted"),
)
#: Reference 000's auto-tagging by follower count: (tag, more than this many followers).
FOLLOWER_TAGS: tuple[tuple[str, str, str, str, int], ...] = (
    ("Influencer", "fuchsia", "📢", "More than 100,000 followers", 100_000),
    ("High Reach", "violet", "📡", "10,001–100,000 followers", 10_000),
)
#: How many random tag picks a contact gets, by weight (duplicate picks collapse).
PICK_WEIGHTS = ((0, 11), (1, 10), (2, 15), (3, 18), (4, 18), (5, 13), (6, 9), (7, 6))
#: Share of each stage of reference 000's pipeline (New … Lost); the rest (15 %) has no status.
STATUS_SHARES = (25, 18, 14, 9, 7, 7, 5)
NO_STATUS = 15
#: Follower tiers (share of 1000, lowest, highest): heavy-tailed, most below 1,000. No tier
#: straddles a FOLLOWER_TAGS threshold, so a contact's auto-tag follows from its tier.
FOLLOWER_TIERS = (
    (250, 0, 199),
    (350, 200, 999),
    (270, 1_000, 10_000),
    (100, 10_001, 100_000),
    (25, 100_001, 1_000_000),
    (5, 1_000_001, 9_999_999),
)
#: Contacts draw company, assignee, status, note, phone prefix, follower tier and tags from
#: up to this many prepared profiles (fewer for fewer contacts); a profile has at most
#: TAG_STRIDE tags.
PROFILES = 8192
TAG_STRIDE = 8
DAYS = 365
STAMP_SLOTS = 2048
NO_PHONE = 0.15
#: Up to this many contacts, the lookup tables hold only the rows the contacts pick.
SPARSE_UP_TO = 10_000


@dataclass(frozen=True)
class DemoResult(JsonRecord):
    contacts: int
    tags: int
    statuses: int
    seconds: float


def generate(
    store: Store,
    *,
    contacts: int = 200,
    seed: int = 1,
    progress: Progress | None = None,
) -> DemoResult:
    """Add ``contacts`` demo contacts (plus the demo tags and pipeline, found or created by slug).

    ``progress(done, total)`` hears how many are written, and cancels the whole run (one
    transaction: nothing is added) by raising (``tagtui.store.jobs``)."""
    if isinstance(contacts, bool) or not isinstance(contacts, int) or not 1 <= contacts <= MAX_CONTACTS:
        raise ValidationError(f"contacts must be 1–{MAX_CONTACTS:,}, not {contacts}", field="contacts")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValidationError(f"seed must be a whole number, not {seed!r}", field="seed")
    started = time.perf_counter()
    generator = _Generator(store, contacts, seed, progress)
    store.write_generated("demo", generator.run)
    return DemoResult(
        contacts=generator.added,
        tags=generator.tag_count,
        statuses=generator.status_count,
        seconds=round(time.perf_counter() - started, 3),
    )


class _Generator:
    def __init__(self, store: Store, total: int, seed: int, progress: Progress | None) -> None:
        self.store = store
        self.total = total
        self.seed = seed
        self.progress = progress
        self.added = 0
        self.tag_count = 0
        self.status_count = 0
        # Hash constants drawn from the seed: different seeds give unrelated data.
        rng = random.Random(seed)
        self.constants = [(rng.randrange(100_003, P), rng.randrange(P)) for _ in range(2 * len(_HASHES))]
        # Where in the alphabet the names start.
        self.rotation = rng.randrange(sum(map(_popularity, FIRST_NAMES)) * sum(map(_popularity, LAST_NAMES)))
        self.base = 0
        # A small demo needs few profiles (and PostgreSQL receives them faster).
        self.profiles = min(PROFILES, max(1024, total))

    # -- the whole run, in one transaction ---------------------------------------------

    def run(self, job: GeneratedWrite) -> tuple[str, dict[str, Any]]:
        """Write the demo in ``job``'s transaction; the step's summary and the event's payload."""
        store, tx = self.store, job.tx
        self.job = job
        self.added = 0
        if self.progress:
            self.progress(0, self.total)
        tag_ids, follower_tags = self._tags(tx)
        store.setup_statuses()  # joins this transaction
        status_ids = [
            tx.scalar(
                "SELECT id FROM status WHERE workspace_id = :ws AND slug = :slug",
                job.params(slug=slugify(name, "status")),
            )
            for name, _ in STANDARD_PIPELINE
        ]
        self.tag_count = len(tag_ids) + len(follower_tags)
        self.status_count = len(status_ids)
        base = self.base = self._reserve_ids(tx)
        self._lookup_tables(tx, tag_ids, follower_tags, status_ids)
        # Each contact is written with its profile's tags_key: no trigger rewrites it per tag.
        job.write_tags_keys()
        job.defer_indexes()
        assignments = 0
        # Told progress, it reports about twenty times (a small demo too); the data is the same.
        step = CHUNK if self.progress is None else min(CHUNK, max(PROGRESS_CHUNK, -(-self.total // 20)))
        # SQLite: trend_pair and trend_tag counted a chunk at a time, not by a trigger per
        # assignment.
        with pairs.paused(tx) as counting:
            for lo in range(1, self.total + 1, step):
                hi = min(lo + step - 1, self.total)
                self.added += self._insert_contacts(tx, base + lo, base + hi)
                self._insert_history(tx, base + lo, base + hi)
                assignments += self._insert_tags(tx, base + lo, base + hi)
                if counting:
                    pairs.count_new_contacts(tx, base + lo, base + hi)
                if self.progress:
                    self.progress(hi, self.total)
        for table in _TABLES:
            tx.execute(f"DROP TABLE {table}")
        payload = {
            "contacts": self.added,
            "assignments": assignments,
            "seed": self.seed,
            "first_id": base + 1,
            "last_id": base + self.total,
        }
        return f"Demo data: {self.added:,} contacts", payload

    # -- tags and ids --------------------------------------------------------------------

    def _tags(self, tx: Tx) -> tuple[list[int], list[tuple[int, int]]]:
        """The demo tags (found or created by slug): ranked ids, and (id, threshold) pairs."""
        colors = dict(STANDARD_TAGS)
        ranked = [self.job.tag_id(n, colors.get(n, c), e, d) for n, c, e, d in RANKED_TAGS]
        follower = [(self.job.tag_id(n, c, e, d), more_than) for n, c, e, d, more_than in FOLLOWER_TAGS]
        return ranked, follower

    def _reserve_ids(self, tx: Tx) -> int:
        """The id before the first new contact; ids base+1 … base+total are ours alone."""
        # PostgreSQL keeps other writers out of the id range while it is reserved and filled;
        # on SQLite the write lock is ours (BEGIN IMMEDIATE).
        return tx.db.engine.reserve_ids(tx, "contact", self.total)

    # -- lookup tables -------------------------------------------------------------------

    def _lookup_tables(
        self,
        tx: Tx,
        tag_ids: list[int],
        follower_tags: list[tuple[int, int]],
        status_ids: list[int],
    ) -> None:
        # Every string a contact is made of is prepared here, in Python (SQLite's lower() is
        # ASCII-only); the SQL only glues pieces together.
        persons = _persons()
        rng = random.Random(f"profiles {self.seed}")
        profiles, profile_tags = _profiles(rng, tag_ids, follower_tags, status_ids, self.profiles)
        name_keys = dict(tx.all("SELECT id, name_key FROM tag WHERE workspace_id = :ws", self.job.params()))
        profiles = [
            (*p, key)
            for p, key in zip(profiles, _tags_keys(profile_tags, name_keys, len(profiles)), strict=True)
        ]
        # Created at some working hour of the past year.
        start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=DAYS)
        stamps = sorted(
            (
                start + timedelta(days=rng.randrange(DAYS), seconds=rng.randrange(8 * 3600, 18 * 3600))
            ).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
            for _ in range(STAMP_SLOTS)
        )
        # A small demo fills the tables with the rows its contacts pick and no others: the
        # same data, without preparing thousands of rows for twenty contacts.
        wanted = self._wanted(len(persons)) if self.total <= SPARSE_UP_TO else None
        tables: dict[str, tuple[str, Sequence[tuple[Any, ...]]]] = {
            "demo_person": ("name TEXT, name_key TEXT, key_sep TEXT, prefix TEXT", persons),
            "demo_profile": (
                "company TEXT, at_domain TEXT, tail TEXT, assignee TEXT, akey TEXT, status_id INTEGER,"
                " note TEXT, phone TEXT, lo BIGINT, span BIGINT, tags_key TEXT",
                profiles,
            ),
            "demo_profile_tag": ("tag_id INTEGER", profile_tags),
            "demo_stamp": ("stamp TEXT", [(s,) for s in stamps]),
            "demo_path": (
                "status_id INTEGER, variant INTEGER, steps INTEGER, j INTEGER, payload TEXT",
                _paths(status_ids),
            ),
            "demo_timeline": ("at TEXT", _timelines(rng, wanted.timelines if wanted else None)),
        }
        assert set(tables) == set(_TABLES)
        self.sizes = {name: len(rows) for name, (_, rows) in tables.items()}
        for name, (columns, rows) in tables.items():
            tx.execute(f"DROP TABLE IF EXISTS {name}")
            tx.execute(f"CREATE TEMP TABLE {name} (i INTEGER PRIMARY KEY, {columns})")
            numbered = rows if name in _KEYED else [(i, *row) for i, row in enumerate(rows)]
            if wanted is not None:
                numbered = [row for row in numbered if wanted.keeps(name, row[0])]
            # One statement per table on PostgreSQL (an array per column), executemany on SQLite.
            tx.insert_many(name, _typed(f"i INTEGER, {columns}"), numbered)
            # Statistics: without them PostgreSQL guesses huge joins (and compiles them with JIT).
            tx.execute(f"ANALYZE {name}")

    def _wanted(self, people: int) -> _Wanted:
        """The rows of the lookup tables that this run's contacts pick (``_insert_contacts``,
        ``_insert_tags`` and ``_insert_history`` pick them in SQL by the same arithmetic)."""
        ids = range(self.base + 1, self.base + self.total + 1)
        return _Wanted(
            persons={self._person_of(g, people) for g in ids},
            profiles={self._hash_of("profile", g) % self.profiles for g in ids},
            stamps={self._hash_of("stamp", g) % STAMP_SLOTS for g in ids},
            timelines={(g * TIMELINE_MULTIPLIER) % TIMELINES for g in ids},
        )

    # -- the set-based inserts -----------------------------------------------------------

    def _hash(self, use: str) -> str:
        """A pseudo-random value in [0, P) of the id ``g``: a quadratic polynomial mod P.

        Each use has constants of its own, so the picks it makes are independent of the others.
        """
        (a1, b1), (a2, b2) = self._constants(use)
        return f"(((g * {a1} + {b1}) % {P}) * ((g * {a2} + {b2}) % {P}) % {P})"

    def _hash_of(self, use: str, g: int) -> int:
        """``_hash(use)`` of ``g``, in Python (no product overflows 64 bits in SQL either)."""
        (a1, b1), (a2, b2) = self._constants(use)
        return ((g * a1 + b1) % P) * ((g * a2 + b2) % P) % P

    def _constants(self, use: str) -> tuple[tuple[int, int], tuple[int, int]]:
        k = _HASHES.index(use)
        return self.constants[2 * k], self.constants[2 * k + 1]

    def _person(self, people: int) -> str:
        """The person (``demo_person.i``) of the id ``h.g``: the ids walk the alphabet evenly."""
        return f"(((h.g - {self.base + 1}) * {people}) / {self.total} + {self.rotation}) % {people}"

    def _person_of(self, g: int, people: int) -> int:
        """``_person`` of ``g``, in Python."""
        return ((g - self.base - 1) * people // self.total + self.rotation) % people

    def _insert_contacts(self, tx: Tx, lo: int, hi: int) -> int:
        """Contacts with ids ``lo``…``hi``, key columns filled as ``contacts.key_columns`` computes them."""
        size = self.sizes
        person = self._person(size["demo_person"])
        email = "p.prefix || CAST(h.g AS TEXT) || pr.at_domain"
        hashes = ", ".join(f"{self._hash(use)} AS {use}" for use in _HASHES)
        sql = (
            f"INSERT INTO contact ({', '.join(CONTACT_ROW_NAMES)}, tags_key)"
            f" {_seq(lo, hi)}, h AS (SELECT g, {hashes} FROM seq)"
            f" SELECT h.g, :ws, p.name, {email}, pr.company, pr.phone || CAST(1000 + h.phone % 9000 AS TEXT),"
            " pr.assignee, pr.lo + h.followers % pr.span, pr.note, pr.status_id, p.name_key,"
            f" {email}, pr.akey, p.key_sep || {email} || pr.tail, st.stamp, st.stamp, 1, pr.tags_key"
            " FROM h CROSS JOIN demo_person p CROSS JOIN demo_profile pr CROSS JOIN demo_stamp st"
            f" WHERE p.i = {person} AND pr.i = h.profile % {self.profiles}"
            f" AND st.i = h.stamp % {size['demo_stamp']}"
        )
        try:
            return tx.execute(sql, self.job.params()).rowcount
        except IntegrityViolation as exc:
            # Only a hand-made email that happens to follow the demo's pattern can collide.
            raise Conflict(
                f"a demo email is already taken ({exc}); run the demo again", field="email"
            ) from exc

    def _insert_tags(self, tx: Tx, lo: int, hi: int) -> int:
        """Tags of contacts ``lo``…``hi``: those of their profile (the one ``_insert_contacts``
        took their follower tier from, so the auto-tags agree), given when the contact was
        created (so tag growth over the year shows)."""
        first = f"({self._hash('profile')} % {self.profiles}) * {TAG_STRIDE}"
        return tx.execute(
            "INSERT INTO contact_tag (contact_id, tag_id, created_at)"
            f" {_seq(lo, hi)} SELECT g, pt.tag_id, st.stamp FROM seq CROSS JOIN demo_profile_tag pt"
            " CROSS JOIN demo_stamp st"
            f" WHERE pt.i BETWEEN {first} AND {first} + {TAG_STRIDE - 1}"
            f" AND st.i = {self._hash('stamp')} % {self.sizes['demo_stamp']}",
            self.job.params(),
        ).rowcount

    def _insert_history(self, tx: Tx, lo: int, hi: int) -> int:
        """The status changes that brought contacts ``lo``…``hi`` to their status, in pipeline
        order over the past year: events of the demo's undo step (so history says who made
        them, and undoing the demo takes them out of the log with its contacts)."""
        # BIGINT: on PostgreSQL an id over 53,020 times the multiplier overflows an integer.
        timeline = f"((CAST(c.id AS BIGINT) * {TIMELINE_MULTIPLIER}) % {TIMELINES})"
        return tx.execute(
            f"INSERT INTO event ({', '.join(columns_of('event', but=['id']))})"
            " SELECT :ws, t.at, 'contact.status_changed', 'contact', c.id, p.payload, :step"
            " FROM contact c JOIN demo_path p ON p.status_id = c.status_id"
            f" AND p.variant = c.id % {LOST_VARIANTS}"
            f" JOIN demo_timeline t ON t.i = {timeline} * 64 + p.steps * 8 + p.j"
            " WHERE c.workspace_id = :ws AND c.id BETWEEN :lo AND :hi",
            self.job.params(lo=lo, hi=hi, step=self.job.step_id()),
        ).rowcount


#: Demo history: how many prepared timelines, and the stage after which a Lost contact was lost
#: (pipeline positions: after New, Contacted, Qualified or Proposal), one per variant.
TIMELINES = 1024
TIMELINE_MULTIPLIER = 40503
LOST_AFTER = (0, 1, 2, 4)
LOST_VARIANTS = len(LOST_AFTER)
#: Mean days spent in New, Contacted, Qualified, Demo and Proposal before moving on.
STAGE_DAYS = (4.0, 8.0, 12.0, 6.0, 15.0)


def _paths(status_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """Rows (status, variant, steps, j, payload): the j-th of the ``steps`` status changes that
    lead to ``status`` — every stage before it in pipeline order (Lost: after some of them)."""
    import json

    *open_stages, lost = status_ids
    rows: list[tuple[Any, ...]] = []
    for variant, lost_after in enumerate(LOST_AFTER):
        paths = [list(open_stages[: k + 1]) for k in range(len(open_stages))]
        paths.append([*open_stages[: lost_after + 1], lost])
        for path in paths:
            for j, after in enumerate(path):
                before = path[j - 1] if j else None
                payload = json.dumps({"before": before, "after": after})
                rows.append((path[-1], variant, len(path), j, payload))
    return rows


def _timelines(rng: random.Random, wanted: set[int] | None = None) -> list[tuple[int, str]]:
    """Rows (timeline * 64 + steps * 8 + j, at): when the j-th of ``steps`` changes happened.

    A timeline draws how long a contact stays in each open stage and when its last change
    happened (within the past year, so that its whole path fits in it); the earlier changes
    come before it by those stays. Every timeline is drawn; only the ``wanted`` ones (all
    without it) become rows.
    """
    moment = datetime.now(UTC)
    rows: list[tuple[int, str]] = []
    for t in range(TIMELINES):
        stays = [min(rng.expovariate(1 / mean) + 0.2, 3 * mean) for mean in STAGE_DAYS]
        end = moment - timedelta(days=rng.uniform(0.01, DAYS - 1 - sum(stays)))
        if wanted is not None and t not in wanted:
            continue
        for steps in range(1, len(STAGE_DAYS) + 2):
            at = end
            for j in range(steps - 1, -1, -1):
                rows.append((t * 64 + steps * 8 + j, at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")))
                if j:
                    at -= timedelta(days=stays[j - 1])
    return rows


def _persons() -> list[tuple[str, str, str, str]]:
    """Every first name with every last name, as many times as the two are common (their
    popularities multiplied): rows (name, name key, name key + SEP, email prefix).

    In alphabetical order: "first last" sorts by first name, then last name (a space sorts
    before any letter), so persons in id order are in name order too."""
    firsts = sorted(((n, text_key(n), _ascii(n), _popularity(n)) for n in FIRST_NAMES), key=_by_key)
    lasts = sorted(((n, text_key(n), _ascii(n), _popularity(n)) for n in LAST_NAMES), key=_by_key)
    rows: list[tuple[str, str, str, str]] = []
    for first, first_key, first_ascii, first_weight in firsts:
        for last, last_key, last_ascii, last_weight in lasts:
            key = f"{first_key} {last_key}"
            row = (f"{first} {last}", key, key + SEP, f"{first_ascii}.{last_ascii}.")
            rows += [row] * (first_weight * last_weight)
    return rows


@dataclass(frozen=True)
class _Wanted:
    """Row numbers of the lookup tables that a small demo's contacts pick."""

    persons: set[int]
    profiles: set[int]
    stamps: set[int]
    timelines: set[int]

    def keeps(self, table: str, i: int) -> bool:
        if table == "demo_person":
            return i in self.persons
        if table == "demo_profile":
            return i in self.profiles
        if table == "demo_profile_tag":
            return i // TAG_STRIDE in self.profiles
        if table == "demo_stamp":
            return i in self.stamps
        if table == "demo_timeline":
            return i // 64 in self.timelines
        return True


_HASHES = ("profile", "phone", "followers", "stamp")
#: Tables whose rows carry their own key.
_KEYED = ("demo_profile_tag", "demo_timeline")
_TABLES = (
    "demo_person",
    "demo_profile",
    "demo_profile_tag",
    "demo_stamp",
    "demo_path",
    "demo_timeline",
)


def _typed(columns: str) -> list[tuple[str, str]]:
    """``"i INTEGER, name TEXT"`` -> ``[("i", "integer"), ("name", "text")]``."""
    return [(name, kind.lower()) for name, kind in (column.split() for column in columns.split(","))]


def _seq(lo: int, hi: int) -> str:
    """A CTE ``seq(g)`` counting from ``lo`` to ``hi``."""
    return (
        f"WITH RECURSIVE seq(g) AS (SELECT CAST({int(lo)} AS BIGINT) UNION ALL"
        f" SELECT g + 1 FROM seq WHERE g < {int(hi)})"
    )


def _follower_tag(follower_tags: Sequence[tuple[int, int]], lo: int, hi: int) -> int | None:
    """The auto-tag of a follower tier: the first rule whose threshold the whole tier exceeds."""
    for tag_id, more_than in follower_tags:
        if lo > more_than:
            return tag_id
        assert hi <= more_than, "a follower tier straddles an auto-tag threshold"
    return None


def _tags_keys(
    profile_tags: Sequence[tuple[int, int]], name_keys: dict[int, str], count: int
) -> list[str | None]:
    """The ``tags_key`` of each of ``count`` profiles (as ``engine.tags_key_of`` makes it: its
    tags' name keys in name order, ties by id, joined by SEP; None without tags). Python's
    order of strings is SQLite's and PostgreSQL's "C" collation of the key columns."""
    tags: list[list[int]] = [[] for _ in range(count)]
    for i, tag_id in profile_tags:
        tags[i // TAG_STRIDE].append(tag_id)
    return [SEP.join(k for k, _ in sorted((name_keys[t], t) for t in ids)) or None for ids in tags]


def _popularity(name: str) -> int:
    """1–4: how common a first or last name is in the demo (fixed, whatever the seed)."""
    return 1 + sum(map(ord, name)) % 4


def _profiles(
    rng: random.Random,
    tag_ids: Sequence[int],
    follower_tags: Sequence[tuple[int, int]],
    status_ids: Sequence[int],
    count: int,
) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]]]:
    """``count`` prepared profiles: what a contact has besides its name, phone number,
    follower count and creation time, which are its own.

    A profile is a company (with its email domain and lower-cased search tail), an assignee
    (20 % none), a status (15 % none), a note (a quarter), a phone prefix (15 % no phone) and
    a follower tier. Its tags come as rows (profile * TAG_STRIDE + k, tag id), in id order:
    0–7 picks (PICK_WEIGHTS) where the tag of rank k weighs ∝ 1/k (Zipf), a tag picked twice
    kept once, plus reference 000's auto-tag of the follower tier.
    """
    companies: list[tuple[str | None, str, str]] = [
        (c, "@" + _ascii(c) + ".example", SEP + text_key(c)) for c in COMPANIES
    ]
    companies += [(None, "@" + d, SEP) for d in PERSONAL_DOMAINS]
    assignees = [(None, None), *((n, text_key(n)) for n, _ in ASSIGNEES)]
    assignee_weights = [NO_ASSIGNEE, *(w for _, w in ASSIGNEES)]
    statuses = [None, *status_ids]
    status_weights = [NO_STATUS, *STATUS_SHARES]
    notes = [None, *NOTES]
    note_weights = [len(NOTES) * 3, *(1 for _ in NOTES)]
    counts, count_weights = zip(*PICK_WEIGHTS, strict=True)
    shares = [share for share, _, _ in FOLLOWER_TIERS]
    zipf = [1 / k for k in range(1, len(tag_ids) + 1)]
    profiles: list[tuple[Any, ...]] = []
    tags: list[tuple[int, int]] = []
    for n in range(count):
        company, at_domain, tail = rng.choice(companies)
        assignee, akey = rng.choices(assignees, assignee_weights)[0]
        phone = None if rng.random() < NO_PHONE else f"+1 ({rng.randrange(201, 990)}) 555-"
        _, lo, hi = rng.choices(FOLLOWER_TIERS, shares)[0]
        profiles.append(
            (
                company, at_domain, tail, assignee, akey,
                rng.choices(statuses, status_weights)[0], rng.choices(notes, note_weights)[0],
                phone, lo, hi - lo + 1,
            )
        )  # fmt: skip
        chosen = set(rng.choices(tag_ids, zipf, k=rng.choices(counts, count_weights)[0]))
        auto = _follower_tag(follower_tags, lo, hi)
        if auto is not None:
            chosen.add(auto)
        tags += [(n * TAG_STRIDE + k, tag_id) for k, tag_id in enumerate(sorted(chosen))]
    return profiles, tags


_ASCII_FOLD = str.maketrans({"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "ı": "i", "ß": "ss", "æ": "ae"})


def _by_key(row: tuple[Any, ...]) -> str:
    return str(row[1])


def _ascii(text: str) -> str:
    """``José Müller`` -> ``josemuller``: the part of an email address made from a name."""
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return "".join(ch for ch in folded.lower() if ch.isascii() and ch.isalnum()) or slugify(text)
