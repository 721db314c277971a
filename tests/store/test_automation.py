"""Automation rules, staged bulk plans and rehearsals (``--dry-run``), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tagtui.query.parse import parse
from tagtui.store import Conflict, NotFound, Store, ValidationError

from .conftest import snapshot


def seed(store: Store) -> dict[str, int]:
    """Ten contacts with followers 0, 50_000, …, 450_000; Cold on the odd ones; one Lead."""
    store.create_tag("Cold")
    store.create_tag("VIP")
    store.create_status("Lead")
    store.create_status("Qualified")
    ids: dict[str, int] = {}
    for i in range(10):
        c = store.add_contact(f"P{i}", email=f"p{i}@x.org", followers=i * 50_000)
        ids[f"P{i}"] = c.id
        if i % 2:
            store.change_tags(c.id, add=["Cold"])
    store.set_status(ids["P9"], "Qualified")
    return ids


def tags_of(store: Store, contact: int) -> set[str]:
    return {t.name for t in store.get_contact(contact).tags}


# -- plans -----------------------------------------------------------------------------


def test_plan_counts_and_summary(store: Store) -> None:
    seed(store)
    before = snapshot(store)
    plan = store.plan_bulk_change(
        parse("followers>=200000"), add=["VIP"], remove=["Cold"], status="Qualified"
    )
    # followers ≥ 200,000: P4..P9 (6 contacts); Cold on P5, P7, P9; Qualified already on P9.
    assert plan.selected == 6
    assert [(e.name, e.contacts) for e in plan.add] == [("VIP", 6)]
    assert [(e.name, e.contacts) for e in plan.remove] == [("Cold", 3)]
    assert plan.status is not None and (plan.status.contacts, plan.status.already) == (5, 1)
    assert plan.left_out == 0
    assert plan.summary() == "+VIP on 6 contacts, −Cold on 3, Status → Qualified on 5 (1 already has it)"
    assert snapshot(store) == before


def test_plan_counts_contacts_left_out_by_the_tag_limit(store: Store) -> None:
    ids = seed(store)
    store.create_tag("Extra")
    store.update_settings(max_tags_per_contact=1)
    plan = store.plan_bulk_change([ids["P0"], ids["P1"], ids["P2"]], add=["VIP"])
    # P1 has Cold already: a second tag passes the limit of 1.
    assert plan.left_out == 1
    assert plan.add[0].contacts == 2
    assert "1 would pass the tag limit of 1 and is left out" in plan.summary()
    done = store.apply_bulk_change([ids["P0"], ids["P1"], ids["P2"]], add=["VIP"])
    assert done == plan
    assert tags_of(store, ids["P0"]) == {"VIP"}
    assert tags_of(store, ids["P1"]) == {"Cold"}
    # Removing Cold in the same change makes room: nobody is left out.
    plan = store.plan_bulk_change([ids["P1"]], add=["Extra"], remove=["Cold"])
    assert plan.left_out == 0 and plan.add[0].contacts == 1


def test_apply_bulk_change_acts_on_the_selection_as_it_was(store: Store) -> None:
    seed(store)
    # The query looks at the tag the change adds: the status must still reach every contact.
    store.apply_bulk_change(parse("-tag:vip followers>=400000"), add=["VIP"], status="Lead")
    for name in ("P8", "P9"):
        c = store.get_contact(f"{name.lower()}@x.org")
        assert "VIP" in {t.name for t in c.tags}
        assert c.status == "Lead"


def test_plan_refuses_nothing_to_do_and_unknowns(store: Store) -> None:
    seed(store)
    with pytest.raises(ValidationError):
        store.plan_bulk_change(parse("tag:cold"))
    with pytest.raises(NotFound):
        store.plan_bulk_change(parse("tag:cold"), add=["Nope"])
    with pytest.raises(NotFound):
        store.plan_bulk_change(parse("tag:cold"), status="Nope")
    with pytest.raises(ValidationError):
        store.plan_bulk_change(parse("tag:cold"), add=["Cold"], remove=["Cold"])


# -- rehearsal ----------------------------------------------------------------------------


def test_rehearsal_sees_its_changes_and_keeps_none(store: Store) -> None:
    ids = seed(store)
    before = snapshot(store)
    with store.rehearsal():
        store.create_tag("Brand new")
        store.change_tags(ids["P0"], add=["Brand new"])
        assert tags_of(store, ids["P0"]) == {"Brand new"}
        with pytest.raises(Conflict):
            store.create_tag("brand NEW")  # a failed operation is undone alone …
        store.delete_contacts([ids["P1"]])  # … and the rehearsal goes on (PostgreSQL too)
        assert store.count_contacts() == 9
    assert snapshot(store) == before


# -- rules ----------------------------------------------------------------------------------


def test_add_rule_creates_missing_tags_and_checks_everything(store: Store) -> None:
    seed(store)
    rule = store.add_rule("Influencers", "followers>100000", add=["Influencer"], remove=["Cold"])
    assert [t.name for t in rule.add] == ["Influencer"]
    assert [t.name for t in rule.remove] == ["Cold"]
    assert store.get_tag("influencer").name == "Influencer"
    assert [r.name for r in store.list_rules()] == ["Influencers"]
    with pytest.raises(Conflict):
        store.add_rule("influencers", "followers>1", add=["VIP"])
    with pytest.raises(NotFound):
        store.add_rule("S", "followers>1", status="Nope")
    with pytest.raises(ValidationError):
        store.add_rule("Nothing", "followers>1")
    with pytest.raises(ValidationError) as bad:
        store.add_rule("Bad", "followers>abc", add=["VIP"])
    assert bad.value.position == 10  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        store.add_rule("Unknown tag", "tag:nope", add=["VIP"])
    with pytest.raises(ValidationError):
        store.add_rule("Both", "followers>1", add=["VIP"], remove=["vip"])
    # The refused rules created nothing.
    assert store.count_contacts(parse("tag:influencer")) == 0
    assert [r.name for r in store.list_rules()] == ["Influencers"]
    # A query may name a tag the rule itself creates.
    store.add_rule("Fans", "-tag:fan followers>=400000", add=["Fan"])
    assert store.delete_rule("FANS").name == "Fans"
    with pytest.raises(NotFound):
        store.delete_rule("Fans")


def test_preview_apply_and_apply_again(store: Store) -> None:
    ids = seed(store)
    store.add_rule("Influencers", "followers>100000", add=["Influencer"], remove=["Cold"], status="Qualified")
    store.add_rule("Quiet", "followers=0", add=["Cold"])
    before = snapshot(store)
    previews = {e.rule.name: e for e in store.preview_rules()}
    assert snapshot(store) == before
    inf = previews["Influencers"]
    # followers > 100,000: P3..P9 (7); Cold on P3, P5, P7, P9; Qualified on P9 already.
    assert inf.matches == 7
    assert [(e.name, e.contacts) for e in inf.plan.add] == [("Influencer", 7)]
    assert [(e.name, e.contacts) for e in inf.plan.remove] == [("Cold", 4)]
    assert inf.plan.status is not None and inf.plan.status.contacts == 6
    assert previews["Quiet"].matches == 1 and previews["Quiet"].plan.add[0].contacts == 1

    done = {e.rule.name: e for e in store.apply_rules()}
    assert done["Influencers"].plan == inf.plan
    assert tags_of(store, ids["P3"]) == {"Influencer"}
    assert tags_of(store, ids["P0"]) == {"Cold"}
    assert tags_of(store, ids["P1"]) == {"Cold"}
    assert store.get_contact(ids["P5"]).status == "Qualified"
    assert store.count_contacts(parse("tag:influencer")) == 7

    after = snapshot(store)
    again = store.apply_rules()
    assert all(not e.plan.changes for e in again)
    assert snapshot(store) == after
    assert store.preview_rules("influencers")[0].plan.add[0].contacts == 0


def test_follower_rule_like_reference_000(store: Store) -> None:
    """Reference 000 tags accounts above 100,000 followers as influencers."""
    store.add_contact("Big", email="big@x.org", followers=250_000)
    store.add_contact("Edge", email="edge@x.org", followers=100_000)
    store.add_contact("Small", email="small@x.org", followers=99)
    store.add_rule("Auto influencer", "followers>100000", add=["Influencer"])
    (effect,) = store.apply_rules("Auto influencer")
    assert effect.matches == 1 and effect.plan.add[0].contacts == 1
    assert [c.name for c in store.list_contacts(parse("tag:influencer")).rows] == ["Big"]


def test_apply_one_rule_respects_tag_limit_and_reports_left_out(store: Store) -> None:
    ids = seed(store)
    store.update_settings(max_tags_per_contact=1)
    store.add_rule("VIPs", "followers>=300000", add=["VIP"])
    (effect,) = store.apply_rules("VIPs")
    # P6..P9: P7 and P9 have Cold, so they are left out.
    assert effect.plan.left_out == 2 and effect.plan.add[0].contacts == 2
    assert tags_of(store, ids["P7"]) == {"Cold"}
    assert tags_of(store, ids["P6"]) == {"VIP"}
    (again,) = store.apply_rules("VIPs")
    assert not again.plan.changes and again.plan.left_out == 2


def test_a_broken_rule_is_reported_and_the_others_run(store: Store) -> None:
    seed(store)
    store.add_rule("A", "followers>100000", add=["Alpha"])
    store.add_rule("B", "tag:vip", add=["Beta"])
    store.delete_tag("VIP", force=True)  # rule B is broken now
    effects = store.apply_rules()
    assert [(e.rule.name, e.broken) for e in effects] == [("A", None), ("B", "tag 'VIP' was deleted")]
    assert effects[0].plan.changes and not effects[1].plan.changes
    assert store.count_contacts(parse("tag:alpha")) == 7
    assert store.count_contacts(parse("tag:beta")) == 0
    assert store.count_rule_matches() == {"A": 7, "B": None}


def test_plan_matches_what_apply_does_under_a_tag_limit(store: Store) -> None:
    import random

    rng = random.Random(7)
    names = ["A", "B", "C", "D"]
    for name in names:
        store.create_tag(name)
    for i in range(60):
        store.add_contact(f"C{i}", tags=rng.sample(names, rng.randint(0, 3)))
    store.update_settings(max_tags_per_contact=2)
    before = {c.id: {t.name for t in c.tags} for c in store.iter_contacts()}
    plan = store.plan_bulk_change(parse(""), add=["A", "B"], remove=["C"])
    done = store.apply_bulk_change(parse(""), add=["A", "B"], remove=["C"])
    assert done == plan
    after = {c.id: {t.name for t in c.tags} for c in store.iter_contacts()}

    def wanted(tags: set[str]) -> set[str]:
        return (tags - {"C"}) | {"A", "B"}

    left_out = [cid for cid, tags in before.items() if len(wanted(tags)) > 2 and not {"A", "B"} <= tags]
    assert plan.left_out == len(left_out)
    for cid, tags in before.items():
        assert after[cid] == (tags if cid in left_out else wanted(tags))
    gained = {e.name: e.contacts for e in plan.add}
    assert gained == {t: sum(1 for c in after if t in after[c] and t not in before[c]) for t in ("A", "B")}
    assert plan.remove[0].contacts == sum(1 for c in before if "C" in before[c] and "C" not in after[c])
