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
