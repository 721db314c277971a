"""Quality of duplicate detection on a generated set: planted duplicates must be found (recall)
and planted near-misses must not be (precision), at the default ``--min-score``.

The set: people with a name, a work email, a phone and a company; for some of them a planted
duplicate written the way another tool would have it (case-changed email with a ``+tag``,
the phone in another format, "Smith, John", a nickname or an initial, accents dropped);
and near-misses that look alike but are other people: the same first name at another company
(same surname too, now and then), and family members who share a surname, a phone and a
home address but have their own first names and emails.
"""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from tagtui.query import parse
from tagtui.store import Store
from tagtui.store.duplicates import DEFAULT_MIN_SCORE

FIRST = (
    "John", "Jonathan", "William", "Robert", "Elizabeth", "Katherine", "Michael", "Christopher",
    "Zoë", "José", "Renée", "Søren", "Chloé", "Inês", "Björn", "François", "Amara", "Priya",
    "Kenji", "Fatima", "Oliver", "Grace", "Henry", "Leila", "Omar", "Nora", "Mateo", "Hana",
    "Kwame", "Elena", "Dmitri", "Aarav", "Yuki", "Siobhán", "Liam", "Ava", "Lucas", "Mia",
)  # fmt: skip
LAST = (
    "Smith", "Müller", "García", "Nguyen", "Kim", "Patel", "Rossi", "Dubois", "Novák", "Kowalski",
    "Johansson", "O'Brien", "Núñez", "Schröder", "Yılmaz", "Fernández", "Østergaard", "Okafor",
    "Mensah", "Haddad", "Cohen", "Silva", "Nakamura", "Chen", "Singh", "Walker", "Baker", "Young",
)  # fmt: skip
COMPANIES = (
    "Northwind Traders", "Contoso", "Fabrikam", "Tailspin Toys", "Litware", "Proseware",
    "Woodgrove Bank", "Café Olé", "Zürich Analytics", "Nordlicht GmbH", "Sakura Systems",
    "Helios Energy", "Atlas Freight", "Kestrel AI", "Blue Fjord", "Polaris Robotics",
)  # fmt: skip
NICK = {"John": "Jon", "Jonathan": "Jon", "William": "Bill", "Robert": "Bob", "Elizabeth": "Liz",
        "Katherine": "Kate", "Michael": "Mike", "Christopher": "Chris"}  # fmt: skip
PEOPLE = 300


def ascii_fold(text: str) -> str:
    import unicodedata

    return (
        "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        .replace("ø", "o")
        .replace("Ø", "O")
        .replace("ı", "i")
    )


def local(first: str, last: str) -> str:
    return ascii_fold(f"{first}.{last}").lower().replace("'", "").replace(" ", "")


def phone_digits(rng: random.Random) -> str:
    return f"{rng.randrange(201, 990)}{rng.randrange(200, 999)}{rng.randrange(1000, 9999)}"


def formats(digits: str) -> list[str]:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return [f"({a}) {b}-{c}", f"+1 {a} {b} {c}", f"{a}.{b}.{c}", f"+1-{a}-{b}-{c}", f"1 {a} {b} {c}"]


def variant_name(rng: random.Random, first: str, last: str) -> str:
    kinds = ["comma", "initial", "accents", "case"] + (["nick"] if first in NICK else [])
    kind = rng.choice(kinds)
    if kind == "comma":
        return f"{last}, {first}"
    if kind == "initial":
        return f"{first[0]}. {last}"
    if kind == "accents":
        return ascii_fold(f"{first} {last}")
    if kind == "nick":
        return f"{NICK[first]} {last}"
    return f"{first} {last}".upper()


def build(store: Store, seed: int) -> tuple[set[frozenset[int]], int]:
    """Fill the store; return the planted duplicate pairs (by contact id) and the near-misses made."""
    rng = random.Random(seed)
    store.update_settings(phone_region="US", email_folding=True)
    planted: set[frozenset[int]] = set()
    near_misses = 0
    used_names: set[tuple[str, str]] = set()
    rows: list[dict] = []
    for n in range(PEOPLE):
        while True:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if (first, last) not in used_names:
                used_names.add((first, last))
                break
        company = rng.choice(COMPANIES)
        domain = ascii_fold(company).lower().replace(" ", "") + ".example"
        person = {
            "name": f"{first} {last}",
            "email": f"{local(first, last)}{n}@{domain}",
            "phone": formats(phone_digits(rng))[0],
            "company": company,
        }
        rows.append(person)
        original = store.add_contact(**person)
        roll = rng.random()
        if roll < 0.45:
            # A duplicate from another tool: some fields as they were, written differently.
            name = variant_name(rng, first, last)
            digits = "".join(ch for ch in person["phone"] if ch.isdigit())
            evidence = rng.choice(["email", "phone", "company", "email+phone"])
            dup: dict = {"name": name}
            if "email" in evidence:
                user, host = person["email"].split("@")
                dup["email"] = f"{user.upper()}+crm@{host.upper()}"
            if "phone" in evidence:
                dup["phone"] = rng.choice(formats(digits)[1:])
            if evidence == "company":
                dup["company"] = rng.choice([company.upper(), company + " Inc.", company])
            copy = store.add_contact(**dup)
            planted.add(frozenset((original.id, copy.id)))
        elif roll < 0.7:
            # A family member: same surname, phone and home address; their own first name and email.
            other = rng.choice([f for f in FIRST if f[0] != first[0] and f not in NICK.get(first, "")])
            store.add_contact(
                f"{other} {last}",
                email=f"{local(other, last)}{n}@home.example",
                phone=rng.choice(formats("".join(ch for ch in person["phone"] if ch.isdigit()))),
                notes="same address",
            )
            near_misses += 1
        else:
            # Someone else with the same first name (and now and then the same surname) elsewhere.
            other_last = last if rng.random() < 0.3 else rng.choice(LAST)
            elsewhere = rng.choice([c for c in COMPANIES if c != company])
            store.add_contact(
                f"{first} {other_last}",
                email=f"{local(first, other_last)}{n}@other.example",
                phone=formats(phone_digits(rng))[0],
                company=elsewhere,
            )
            near_misses += 1
    return planted, near_misses


def found_pairs(store: Store) -> set[frozenset[int]]:
    pairs: set[frozenset[int]] = set()
    for group in store.find_duplicates(min_score=DEFAULT_MIN_SCORE, limit=1000):
        pairs |= {frozenset(p) for p in combinations(group.ids, 2)}
    return pairs


def test_precision_and_recall_at_the_default_min_score(store: Store) -> None:
    planted, near_misses = build(store, seed=14)
    assert len(planted) > 100 and near_misses > 100
    found = found_pairs(store)
    true = found & planted
    precision = len(true) / len(found) if found else 0.0
    recall = len(true) / len(planted)
    assert precision >= 0.95, (precision, sorted(map(sorted, found - planted))[:10])
    assert recall >= 0.90, (recall, sorted(map(sorted, planted - found))[:10])


def lookalikes_by_a_whole_scan(store: Store, since: int) -> int:
    """The contacts newer than ``since`` that a scan of the whole workspace pairs with an older one."""
    from tagtui.store.duplicates import _read_keys, _Scan

    settings = store.settings()
    rows = [(c.id, c.name, c.email, c.phone, c.company) for c in store.iter_contacts(parse(""))]
    keys = _read_keys(rows, settings.phone_region, settings.email_folding, 0, None, None)
    scan = _Scan(keys, DEFAULT_MIN_SCORE, set(), None, None)
    scan.run()
    ids = keys.ids
    return len({max(ids[x], ids[y]) for _, x, y, _, _ in scan.pairs if (ids[x] > since) != (ids[y] > since)})


@pytest.mark.parametrize("folding", [False, True])
@pytest.mark.parametrize("seed", [14, 3])
def test_the_lookalikes_of_an_import_are_those_a_whole_scan_finds(
    store: Store, seed: int, folding: bool
) -> None:
    """``count_lookalikes`` reads only the older contacts that share a key with a new one
    (email, a phone's last digits, a name, a company and surname), and compares only new with
    old: it counts what a scan of every contact would. Copies and near-misses fall on both
    sides of each split. With email aliases folded, an older contact whose email has the
    ``+tag`` (or Gmail's dots) that the new one lacks is not read by its email: then only a
    few pairs (1 of 49 and 3 of 54 at a quarter) may be missed, and nothing is counted that
    the whole scan would not."""
    build(store, seed)
    store.update_settings(email_folding=folding)
    # Made again in a shuffled order, so that copies and near-misses fall on either side.
    made = list(store.iter_contacts(parse("")))
    first = store.newest_contact_id()  # the new ids come after it (an id is never used twice)
    store.delete_contacts([c.id for c in made])
    random.Random(seed).shuffle(made)
    fields = ("name", "email", "phone", "company")
    store.import_rows([{f: getattr(c, f) or "" for f in fields} for c in made])
    assert store.newest_contact_id() == first + len(made)
    for share in (0.25, 0.5, 0.9):
        since = first + round(len(made) * share)
        expected = lookalikes_by_a_whole_scan(store, since)
        assert expected > 10
        found = store.count_lookalikes(since)
        assert found.complete and found.count is not None
        counted = found.count
        if folding:
            assert expected * 0.9 <= counted <= expected, share
        else:
            assert counted == expected, share
