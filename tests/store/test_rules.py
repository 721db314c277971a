"""SPEC §1 through the Store API: slugs, names, colors, emoji, descriptions, revisions, workspaces."""

from __future__ import annotations

import time

import pytest

from tagtui.store import Conflict, NotFound, Store, ValidationError
from tests.store.conftest import snapshot

# -- slugs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Follow-up", "follow-up"),
        ("VIP", "vip"),
        ("V.I.P", "v-i-p"),
        ("VIP!", "vip"),
        ("Hot Lead", "hot-lead"),
        ("  --Hot   Lead--  ", "hot-lead"),
        ("a__b..c", "a-b-c"),
        ("Émile Ça", "émile-ça"),
        ("日本 語", "日本-語"),
        ("Ünïcödé", "ünïcödé"),
        ("Q4 2026", "q4-2026"),
        ("⭐ VIP ⭐", "vip"),
    ],
)
def test_slug_is_derived_from_the_name(store: Store, name: str, slug: str) -> None:
    tag = store.create_tag(name)
    assert tag.slug == slug
    assert tag.name == name.strip()
    status = store.create_status(name)
    assert status.slug == slug


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("⭐", "white-medium-star"),
        ("⭐\ufe0f", "white-medium-star"),
        ("❤️", "heavy-black-heart"),
        ("!!!", "exclamation-mark-exclamation-mark-exclamation-mark"),
        ("-", "hyphen-minus"),
        ("🎉 🎉", "party-popper-party-popper"),
        ("\ue000", "tag-e000"),  # a private-use character has no name
    ],
)
def test_a_name_of_symbols_gets_a_readable_slug(store: Store, name: str, slug: str) -> None:
    # SPEC §7 (superseding §1's ValidationError): readable, never invisible.
    assert store.create_tag(name).slug == slug
    assert store.create_status(name).slug == slug.replace("tag-", "status-")


@pytest.mark.parametrize("name", ["\u200b", "\ufe0f", "\u200b\u200d\u2060"])
def test_a_name_of_invisible_characters_is_refused(store: Store, name: str) -> None:
    with pytest.raises(ValidationError, match="only invisible characters") as err:
        store.create_tag(name)
    assert err.value.field == "name"
    with pytest.raises(ValidationError):
        store.create_status(name)
    assert store.list_tags() == [] and store.list_statuses() == []


def test_names_are_trimmed_and_stored_nfc(store: Store) -> None:
    decomposed = "Cafe\u0301"  # "Café" written as e + combining accent: stored as é (SPEC §7)
    tag = store.create_tag(f"  {decomposed}\t")
    assert tag.name == "Caf\u00e9" and tag.slug == "caf\u00e9"
    assert store.get_tag(tag.id).name == "Caf\u00e9"
    assert store.get_tag(decomposed).id == tag.id


def test_name_length_is_1_to_100(store: Store) -> None:
    assert store.create_tag("x" * 100).name == "x" * 100
    assert store.create_tag("  " + "y" * 100 + "  ").name == "y" * 100  # trimmed first
    with pytest.raises(ValidationError):
        store.create_tag("z" * 101)
    for blank in ("", "   ", "\t\n"):
        with pytest.raises(ValidationError):
            store.create_tag(blank)
    with pytest.raises(ValidationError):
        store.create_status("s" * 101)
    assert store.create_status("s" * 100).name == "s" * 100
    assert sorted(t.name for t in store.list_tags()) == ["x" * 100, "y" * 100]


def test_update_checks_the_name_too(store: Store) -> None:
    tag = store.create_tag("VIP")
    for bad in ("", "   ", "x" * 101, "\u200b"):
        with pytest.raises(ValidationError):
            store.update_tag(tag.id, name=bad)
    assert store.get_tag(tag.id).name == "VIP"
    assert store.get_tag(tag.id).rev == 1


# -- colors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("red", "#ef4444"),
        ("blue", "#3b82f6"),
        ("green", "#22c55e"),
        ("slate", "#64748b"),
        ("amber", "#f59e0b"),
        ("teal", "#14b8a6"),
        ("indigo", "#6366f1"),
        ("RED", "#ef4444"),
        ("#ABC", "#aabbcc"),
        ("#abc", "#aabbcc"),
        ("#AbCdEf", "#abcdef"),
        ("#1f2937", "#1f2937"),
        ("#FFD700", "#ffd700"),
    ],
)
def test_colors_are_stored_as_lower_case_rrggbb(store: Store, given: str, stored: str) -> None:
    assert store.create_tag("Tag", color=given).color == stored
    assert store.create_status("Status", color=given).color == stored


def test_palette_has_the_named_colors(store: Store) -> None:
    palette = dict(store.colors())
    names = ["slate", "gray", "red", "orange", "amber", "yellow", "lime", "green", "emerald", "teal"]
    names += ["cyan", "sky", "blue", "indigo", "violet", "purple", "fuchsia", "pink", "rose"]
    for name in names:
        assert palette[name].startswith("#") and len(palette[name]) == 7
    assert palette["red"] == "#ef4444" and palette["indigo"] == "#6366f1"


@pytest.mark.parametrize(
    "bad", ["#abcd", "#ab", "#gggggg", "abc", "ef4444", "#ef44445", "", "  ", "crimson", "rgb(1,2,3)"]
)
def test_bad_colors_name_the_accepted_forms(store: Store, bad: str) -> None:
    with pytest.raises(ValidationError) as err:
        store.create_tag("Tag", color=bad)
    assert err.value.field == "color"
    message = str(err.value)
    assert "#rgb" in message and "#rrggbb" in message and "palette" in message
    with pytest.raises(ValidationError):
        store.create_status("Status", color=bad)
    assert store.list_tags() == [] and store.list_statuses() == []


@pytest.mark.parametrize("bad", [123, 1.5, ["red"], True])
def test_a_color_that_is_not_text_is_a_validation_error(store: Store, bad: object) -> None:
    with pytest.raises(ValidationError):
        store.create_tag("Tag", color=bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        store.create_status("Status", color=bad)  # type: ignore[arg-type]


def test_default_colors(store: Store) -> None:
    assert store.create_tag("Tag").color == "#6366f1"
    assert store.create_status("Status").color == "#64748b"
    assert store.find_or_create_tag("Other")[0].color == "#6366f1"


def test_bad_color_on_update_changes_nothing(store: Store) -> None:
    tag = store.create_tag("VIP", color="red")
    with pytest.raises(ValidationError):
        store.update_tag(tag.id, color="#12")
    assert store.get_tag(tag.id).color == "#ef4444"
    assert store.update_tag(tag.id, color="#ABC").color == "#aabbcc"


# -- emoji and description -----------------------------------------------------------------


@pytest.mark.parametrize("emoji", ["⭐", "🔥🔥", "👩‍💻", "❤️", "x" * 16, "🎉" * 16])
def test_emoji_up_to_16_characters(store: Store, emoji: str) -> None:
    assert store.create_tag("Tag", emoji=emoji).emoji == emoji


@pytest.mark.parametrize(
    "bad", ["x" * 17, "🎉" * 17, "⭐ ⭐", "a\tb", "a\nb", "\x1b[31m", "a\x00b", "x\u2028x", "x\u200bx"]
)
def test_emoji_too_long_or_with_space_or_control_characters_is_refused(store: Store, bad: str) -> None:
    with pytest.raises(ValidationError) as err:
        store.create_tag("Tag", emoji=bad)
    assert err.value.field == "emoji"
    assert store.list_tags() == []


def test_description_up_to_200_and_none_clears(store: Store) -> None:
    tag = store.create_tag("Beta Tester", color="#10b981", description="Users in the beta program")
    assert tag.description == "Users in the beta program"
    with pytest.raises(ValidationError):
        store.update_tag(tag.id, description="d" * 201)
    assert store.update_tag(tag.id, description="d" * 200).description == "d" * 200
    cleared = store.update_tag(tag.id, description=None)
    assert cleared.description is None
    assert store.get_tag(tag.id).description is None
    with pytest.raises(ValidationError):
        store.create_tag("Other", description="d" * 201)


# -- revisions and partial updates (references 003, 004) -----------------------------------


def test_rev_starts_at_1_and_grows_by_one_per_update(store: Store) -> None:
    tag = store.create_tag("VIP", color="#FFD700")
    assert tag.rev == 1
    assert tag.created_at == tag.updated_at
    last = tag
    for i, change in enumerate(
        [{"name": "VIP Customer"}, {"color": "#6366f1"}, {"emoji": "⭐"}, {"description": "x"}], start=2
    ):
        time.sleep(0.002)
        updated = store.update_tag(tag.id, **change)
        assert updated.rev == i
        assert updated.updated_at > last.updated_at
        assert updated.created_at == tag.created_at
        last = updated
    assert store.get_tag(tag.id).rev == 5


def test_partial_update_changes_only_the_given_fields(store: Store) -> None:
    tag = store.create_tag("Beta Tester", color="#10b981", emoji="🧪", description="beta")
    renamed = store.update_tag(tag.id, name="Early Adopter")
    assert (renamed.name, renamed.slug) == ("Early Adopter", "early-adopter")
    assert (renamed.color, renamed.emoji, renamed.description) == ("#10b981", "🧪", "beta")
    recolored = store.update_tag(tag.id, color="#f59e0b")
    assert (recolored.name, recolored.color, recolored.emoji, recolored.description) == (
        "Early Adopter",
        "#f59e0b",
        "🧪",
        "beta",
    )


def test_rename_rederives_the_slug_and_the_old_slug_is_free_again(store: Store) -> None:
    tag = store.create_tag("VIP")
    store.update_tag(tag.id, name="VIP Customer")
    assert store.get_tag("vip-customer").id == tag.id
    with pytest.raises(NotFound):
        store.get_tag("vip")
    assert store.create_tag("VIP").slug == "vip"


def test_rename_onto_a_taken_slug_is_a_conflict(store: Store) -> None:
    vip = store.create_tag("VIP")
    other = store.create_tag("Partner")
    before = snapshot(store)
    for name in ("VIP", "vip", "VIP!", " vip "):
        with pytest.raises(Conflict):
            store.update_tag(other.id, name=name)
    assert snapshot(store) == before
    # Renaming a tag onto its own slug (a change of case) is fine.
    assert store.update_tag(vip.id, name="vip").name == "vip"


def test_status_rename_onto_a_taken_slug_is_a_conflict(store: Store) -> None:
    store.create_status("Won")
    lost = store.create_status("Lost")
    with pytest.raises(Conflict):
        store.update_status(lost.id, name="WON")
    assert store.get_status(lost.id).name == "Lost"
    assert store.update_status(lost.id, name="Closed Lost").slug == "closed-lost"


def test_duplicate_slug_on_create_is_a_conflict(store: Store) -> None:
    """Reference 000's setup loop treats a 409 as "exists"."""
    store.create_tag("Hot Lead", color="red")
    before = snapshot(store)
    for name in ("Hot Lead", "hot lead", "HOT-LEAD", "  Hot  Lead! "):
        with pytest.raises(Conflict):
            store.create_tag(name)
    store.create_status("New")
    with pytest.raises(Conflict):
        store.create_status("new")
    assert len(store.list_tags()) == 1 and len(store.list_statuses()) == 1
    assert snapshot(store)["tag"] == before["tag"]


def test_stale_rev_is_a_conflict_and_changes_nothing(store: Store) -> None:
    tag = store.create_tag("VIP")
    store.update_tag(tag.id, color="red", rev=1)
    before = snapshot(store)
    with pytest.raises(Conflict) as err:
        store.update_tag(tag.id, color="blue", rev=1)
    assert err.value.field == "rev"
    assert snapshot(store) == before
    assert store.update_tag(tag.id, color="blue", rev=2).rev == 3

    status = store.create_status("New")
    store.update_status(status.id, color="red")
    with pytest.raises(Conflict):
        store.update_status(status.id, name="Fresh", rev=1)
    assert store.update_status(status.id, name="Fresh", rev=2).rev == 3

    contact = store.add_contact("Jane")
    store.update_contact(contact.id, company="Acme", rev=1)
    with pytest.raises(Conflict):
        store.update_contact(contact.id, company="Other", rev=1)
    assert store.get_contact(contact.id).company == "Acme"


# -- workspaces (reference 001) ------------------------------------------------------------


def test_names_may_repeat_across_workspaces(store: Store, other: Store) -> None:
    mine = store.create_tag("VIP", color="blue", emoji="⭐")
    theirs = other.create_tag("VIP", color="red")
    assert mine.id != theirs.id
    assert mine.slug == theirs.slug == "vip"
    assert store.create_status("New").slug == other.create_status("New").slug
    assert store.get_tag("vip").id == mine.id
    assert other.get_tag("vip").id == theirs.id
    assert [t.id for t in store.list_tags()] == [mine.id]
    assert store.add_contact("Jane", email="jane@example.com").email == "jane@example.com"
    assert other.add_contact("Jane", email="JANE@example.com").email == "JANE@example.com"


def test_an_id_from_another_workspace_is_not_found(store: Store, other: Store) -> None:
    theirs = other.create_tag("Theirs")
    their_status = other.create_status("Their Stage")
    their_contact = other.add_contact("Them", email="them@example.com")
    mine = store.add_contact("Me")
    before = snapshot(store)
    with pytest.raises(NotFound):
        store.get_tag(theirs.id)
    with pytest.raises(NotFound):
        store.get_tag("theirs")
    with pytest.raises(NotFound):
        store.update_tag(theirs.id, name="Mine now")
    with pytest.raises(NotFound):
        store.delete_tag(theirs.id)
    with pytest.raises(NotFound):
        store.get_status(their_status.id)
    with pytest.raises(NotFound):
        store.delete_status(their_status.id)
    with pytest.raises(NotFound):
        store.set_status(mine.id, their_status.id)
    with pytest.raises(NotFound):
        store.get_contact(their_contact.id)
    with pytest.raises(NotFound):
        store.get_contact("them@example.com")
    with pytest.raises(NotFound):
        store.update_contact(their_contact.id, name="x")
    with pytest.raises(NotFound):
        store.change_tags(mine.id, add=[theirs.id])
    with pytest.raises(NotFound):
        store.delete_contacts([their_contact.id])
    assert snapshot(store) == before
    assert other.get_tag(theirs.id).name == "Theirs"
