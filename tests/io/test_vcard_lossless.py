"""The one vCard parser/writer (tagtui.io.vcard): real-world cards read and written back byte for
byte, ``with_fields`` rewriting only the properties whose value changed, and generated values
surviving ``new_card`` -> text -> ``parse_cards``."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tagtui.io.vcard import VERSIONS, Card, CardFields, new_card, parse_cards

PHOTO = (
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/4gIoSUNDX1BST0ZJTEUAAQEAAAIYAAAAAAIQAABtbnRy\r\n"
    " UkdCIFhZWiAAAAAAAAAAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAA\r\n"
    " ANMtAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"
    " AAAAAAlkZXNjAAAA8AAAAHRyWFlaAAABZAAAABRnWFlaAAABeAAAABRiWFlaAAABjAAAABRyVFJD==\r\n"
)
#: Apple Contacts / iCloud: item groups with X-ABLabel, TYPE=pref, a folded base64 PHOTO.
APPLE = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.4//EN\r\n"
    "N:Appleseed;Johnny;Q.;Dr.;Jr.\r\n"
    "FN:Dr. Johnny Q. Appleseed Jr.\r\n"
    "ORG:Apple Orchards Ltd.;Sales;\r\n"
    "item1.EMAIL;type=INTERNET;type=WORK:j.appleseed@orchards.example\r\n"
    "item1.X-ABLabel:_$!<Work>!$_\r\n"
    "item2.EMAIL;type=INTERNET;type=HOME;type=pref:johnny@home.example\r\n"
    "item2.X-ABLabel:_$!<Home>!$_\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:+1 (408) 555-0100\r\n"
    "item3.TEL:+1 (408) 555-0199\r\n"
    "item3.X-ABLabel:Orchard phone\r\n"
    "item4.ADR;type=HOME;type=pref:;;1 Orchard Way;Cupertino;CA;95014;United States\r\n"
    "item4.X-ABADR:us\r\n"
    "NOTE:Met at the cider fair\\, 2024.\\nLikes Granny Smith\\; not Fuji. A long no\r\n"
    " te that Apple folds at seventy-five octets.\r\n"
    "BDAY;value=date:1974-03-21\r\n"
    f"{PHOTO}"
    "CATEGORIES:Friends,Cider Club\r\n"
    "X-ABShowAs:PERSON\r\n"
    "UID:0F1C3A2B-5D4E-4F60-8A9B-112233445566\r\n"
    "X-TAGTUI-STATUS:Lead\r\n"
    "END:VCARD\r\n"
)
#: Google Contacts' export: repeated TYPE params, a URL in a group, a PHOTO URI, no PREF.
GOOGLE = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "FN:Grace Hopper\r\n"
    "N:Hopper;Grace;;;\r\n"
    "EMAIL;TYPE=INTERNET;TYPE=WORK:grace@navy.example\r\n"
    "EMAIL;TYPE=INTERNET;TYPE=HOME:g.hopper@home.example\r\n"
    "TEL;TYPE=CELL:+1 202-555-0143\r\n"
    "ADR;TYPE=WORK:;;1 Navy Way;Arlington;VA;22202;US\r\n"
    "ORG:US Navy\r\n"
    "TITLE:Rear Admiral\r\n"
    "BDAY:1906-12-09\r\n"
    "item1.URL:http\\://grace.example/blog\r\n"
    "item1.X-ABLabel:blog\r\n"
    "PHOTO:https://lh3.googleusercontent.com/a/photo-of-grace\r\n"
    "CATEGORIES:myContacts,Pioneers\r\n"
    "END:VCARD\r\n"
)
#: vCard 2.1 (Outlook, old phones): bare types, quoted-printable with soft line breaks, Latin-1.
V21 = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n"
    "NOTE;ENCODING=QUOTED-PRINTABLE:first line=0D=0Asecond =\r\n"
    "line, and a third\r\n"
    "ORG;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:K=F6ln GmbH;Einkauf\r\n"
    "EMAIL;INTERNET:juergen@privat.example\r\n"
    "EMAIL;INTERNET;PREF:juergen@example.de\r\n"
    "TEL;CELL:+49 170 5550100\r\n"
    "TEL;HOME;VOICE:+49 221 5550100\r\n"
    "ADR;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;;Domstra=C3=9Fe 1;K=C3=B6ln;;50667;\r\n"
    "AGENT:\r\n"
    "BEGIN:VCARD\r\n"
    "FN:The Agent\r\n"
    "EMAIL:agent@example.de\r\n"
    "END:VCARD\r\n"
    "END:VCARD\r\n"
)
#: vCard 4.0: PREF=1, a tel: URI, a quoted param list, CATEGORIES on two lines, groups, no FN
#: would be N's name; LF line ends as some tools write them.
V4 = (
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "KIND:individual\n"
    "FN:Ada Lovelace\n"
    "N:Lovelace;Ada;;;\n"
    "EMAIL;TYPE=home:ada@home.example\n"
    "EMAIL;TYPE=work;PREF=1:ada@engines.example\n"
    'TEL;VALUE=uri;TYPE="voice,cell";PREF=1:tel:+44-20-7946-0018\n'
    "ORG:Analytical Engines;Research\n"
    "CATEGORIES:Mathematics,VIP\n"
    "CATEGORIES:Software\\, Early\n"
    "work.ADR;LABEL=\"12 St James's Square\\nLondon\":;;12 St James's Square;London;;SW1Y 4JH;UK\n"
    "work.X-CUSTOM;X-PARAM=1:kept as it is\n"
    "X-TAGTUI-FOLLOWERS:1843\n"
    "UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\n"
    "END:VCARD\n"
)
#: No FN: the name is N's given, additional and family names.
NO_FN = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nN:Hamilton;Margaret;Heafield;;\r\nEMAIL:m@apollo.example\r\nEND:VCARD\r\n"
)

CARDS = {"apple": APPLE, "google": GOOGLE, "2.1": V21, "4.0": V4, "no-fn": NO_FN}


def one(text: str) -> Card:
    cards = parse_cards(text)
    assert len(cards) == 1
    return cards[0]


def diff(before: Card, after: Card) -> tuple[list[str], list[str]]:
    """(raw lines only in ``before``, raw lines only in ``after``)."""
    old, new = Counter(line.raw for line in before.lines), Counter(line.raw for line in after.lines)
    return sorted((old - new).elements()), sorted((new - old).elements())


def unfolded(card: Card) -> list[str]:
    return card.text().replace("\r\n ", "").replace("\n ", "").splitlines()


@pytest.mark.parametrize("name", CARDS)
def test_a_card_read_and_written_is_identical(name: str) -> None:
    text = CARDS[name]
    card = one(text)
    assert card.text() == text
    assert card.with_fields(card.fields()).text() == text
    assert card.with_fields(replace(card.fields(), tags=card.fields().tags[::-1])).text() == text


def test_several_cards_text_between_and_a_byte_order_mark() -> None:
    body = "\ufeff" + APPLE + "noise between cards\r\n" + GOOGLE + V4
    cards = parse_cards(body)
    assert [c.text() for c in cards] == [APPLE, GOOGLE, V4]
    assert [c.version for c in cards] == ["3.0", "3.0", "4.0"]
    assert parse_cards(APPLE + GOOGLE.removesuffix("\r\n"))[1].text() == GOOGLE.removesuffix("\r\n")


def test_fields_of_real_world_cards() -> None:
    assert one(APPLE).fields() == CardFields(
        uid="0F1C3A2B-5D4E-4F60-8A9B-112233445566",
        name="Dr. Johnny Q. Appleseed Jr.",
        email="johnny@home.example",  # type=pref, though listed second
        phone="+1 (408) 555-0100",
        company="Apple Orchards Ltd.",
        notes="Met at the cider fair, 2024.\nLikes Granny Smith; not Fuji. A long note that Apple folds"
        " at seventy-five octets.",
        tags=("Friends", "Cider Club"),
        status="Lead",
    )
    google = one(GOOGLE).fields()
    assert (google.name, google.email, google.phone, google.company, google.tags) == (
        "Grace Hopper",
        "grace@navy.example",  # no preference: the first
        "+1 202-555-0143",
        "US Navy",
        ("myContacts", "Pioneers"),
    )
    v21 = one(V21).fields()
    assert (v21.name, v21.email, v21.phone, v21.company) == (
        "Jürgen Müller",
        "juergen@example.de",  # the bare PREF
        "+49 170 5550100",
        "Köln GmbH",  # ISO-8859-1 quoted-printable
    )
    assert v21.notes == "first line\r\nsecond line, and a third"  # a soft line break joined
    v4 = one(V4).fields()
    assert (v4.email, v4.phone, v4.tags, v4.followers, v4.uid) == (
        "ada@engines.example",  # PREF=1
        "+44-20-7946-0018",  # the tel: URI's number
        ("Mathematics", "VIP", "Software, Early"),  # both CATEGORIES lines, an escaped comma
        1843,
        "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1",
    )
    assert one(NO_FN).fields().name == "Margaret Heafield Hamilton"


def test_a_nested_agent_card_is_kept_but_is_no_property() -> None:
    card = one(V21)
    assert card.values("FN") == ["Jürgen Müller"]  # not the agent's
    assert "BEGIN:VCARD\r\nFN:The Agent\r\n" in card.text()


def test_a_card_cut_short_is_kept_and_said_so() -> None:
    cards = parse_cards(GOOGLE + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut\r\n")
    assert [c.complete for c in cards] == [True, False]
    cut = cards[1].with_fields(replace(cards[1].fields(), tags=("x",)))
    assert cut.text() == "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut\r\nCATEGORIES:x\r\n"


# -- with_fields rewrites only what changed ----------------------------------------------------


def test_changing_tags_changes_only_categories() -> None:
    card = one(APPLE)
    changed = card.with_fields(replace(card.fields(), tags=("Friends", "Cider Club", "VIP, Gold")))
    assert diff(card, changed) == (
        ["CATEGORIES:Friends,Cider Club\r\n"],
        ["CATEGORIES:Friends,Cider Club,VIP\\, Gold\r\n"],
    )
    assert changed.fields().tags == ("Friends", "Cider Club", "VIP, Gold")
    assert PHOTO in changed.text() and "item1.X-ABLabel:_$!<Work>!$_\r\n" in changed.text()
    none = card.with_fields(replace(card.fields(), tags=()))
    assert diff(card, none) == (["CATEGORIES:Friends,Cider Club\r\n"], [])


def test_tags_on_several_lines_change_where_they_are() -> None:
    card = one(V4)
    dropped = card.with_fields(replace(card.fields(), tags=("Mathematics", "Software, Early", "New")))
    assert diff(card, dropped) == (
        ["CATEGORIES:Mathematics,VIP\n", "CATEGORIES:Software\\, Early\n"],
        ["CATEGORIES:Mathematics\n", "CATEGORIES:Software\\, Early,New\n"],  # LF kept, as the card has
    )
    only_vip = card.with_fields(replace(card.fields(), tags=("VIP",)))
    assert diff(card, only_vip) == (
        ["CATEGORIES:Mathematics,VIP\n", "CATEGORIES:Software\\, Early\n"],
        ["CATEGORIES:VIP\n"],
    )


def test_changing_the_preferred_email_keeps_the_other_emails() -> None:
    card = one(APPLE)
    changed = card.with_fields(replace(card.fields(), email="johnny@new.example"))
    assert diff(card, changed) == (
        ["item2.EMAIL;type=INTERNET;type=HOME;type=pref:johnny@home.example\r\n"],
        ["item2.EMAIL;type=INTERNET;type=HOME;type=pref:johnny@new.example\r\n"],
    )
    v4 = one(V4)
    phone = v4.with_fields(replace(v4.fields(), phone="+44 20 7946 0000"))
    assert diff(v4, phone)[1] == ['TEL;VALUE=uri;TYPE="voice,cell";PREF=1:tel:+44 20 7946 0000\n']
    assert phone.fields().phone == "+44 20 7946 0000"


def test_choosing_another_address_of_the_card_moves_the_preference() -> None:
    card = one(APPLE)  # the work address, which the card has already: it becomes the preferred one
    work = card.with_fields(replace(card.fields(), email="j.appleseed@orchards.example"))
    assert diff(card, work) == (
        [
            "item1.EMAIL;type=INTERNET;type=WORK:j.appleseed@orchards.example\r\n",
            "item2.EMAIL;type=INTERNET;type=HOME;type=pref:johnny@home.example\r\n",
        ],
        [
            "item1.EMAIL;type=INTERNET;type=WORK;type=pref:j.appleseed@orchards.example\r\n",
            "item2.EMAIL;type=INTERNET;type=HOME:johnny@home.example\r\n",
        ],
    )
    assert work.fields().email == "j.appleseed@orchards.example"
    v4 = one(V4)  # PREF=1 moves; another case of the address is written as given
    home = v4.with_fields(replace(v4.fields(), email="ADA@home.example"))
    assert diff(v4, home) == (
        ["EMAIL;TYPE=home:ada@home.example\n", "EMAIL;TYPE=work;PREF=1:ada@engines.example\n"],
        ["EMAIL;TYPE=home;PREF=1:ADA@home.example\n", "EMAIL;TYPE=work:ada@engines.example\n"],
    )
    v21 = one(V21)  # 2.1's bare PREF
    private = v21.with_fields(replace(v21.fields(), email="juergen@privat.example"))
    assert diff(v21, private)[1] == [
        "EMAIL;INTERNET:juergen@example.de\r\n",
        "EMAIL;INTERNET;PREF:juergen@privat.example\r\n",
    ]
    home = v21.with_fields(replace(v21.fields(), phone="+49 221 5550100"))  # the first had no mark
    assert diff(v21, home) == (
        ["TEL;HOME;VOICE:+49 221 5550100\r\n"],
        ["TEL;HOME;VOICE;PREF:+49 221 5550100\r\n"],
    )
    assert (private.fields().email, home.fields().phone) == ("juergen@privat.example", "+49 221 5550100")
    google = one(GOOGLE)  # no line was preferred: only the chosen one is marked
    assert diff(google, google.with_fields(replace(google.fields(), email="g.hopper@home.example"))) == (
        ["EMAIL;TYPE=INTERNET;TYPE=HOME:g.hopper@home.example\r\n"],
        ["EMAIL;TYPE=INTERNET;TYPE=HOME;TYPE=pref:g.hopper@home.example\r\n"],
    )


def test_removing_a_field_removes_only_that_property() -> None:
    card = one(APPLE)
    no_email = card.with_fields(replace(card.fields(), email=None))
    removed, added = diff(card, no_email)
    assert added == [] and all(line.startswith(("item1.", "item2.")) for line in removed)
    assert len(removed) == 4  # both emails and their labels, nothing else
    assert no_email.fields() == replace(card.fields(), email=None)
    no_phone = card.with_fields(replace(card.fields(), phone=None))
    assert diff(card, no_phone)[0] == sorted(
        [
            "TEL;type=CELL;type=VOICE;type=pref:+1 (408) 555-0100\r\n",
            "item3.TEL:+1 (408) 555-0199\r\n",
            "item3.X-ABLabel:Orchard phone\r\n",
        ]
    )
    for key, prop in [("notes", "NOTE"), ("status", "X-TAGTUI-STATUS"), ("uid", "UID")]:
        without = card.with_fields(replace(card.fields(), **{key: None}))
        removed, added = diff(card, without)
        assert added == [] and len(removed) == 1 and removed[0].startswith(prop + ":")
    no_company = card.with_fields(replace(card.fields(), company=None))  # the department stays
    assert diff(card, no_company) == (["ORG:Apple Orchards Ltd.;Sales;\r\n"], ["ORG:;Sales;\r\n"])
    assert no_company.fields().company is None


def test_changing_each_field_rewrites_its_own_line() -> None:
    card = one(APPLE)
    expected = {
        "company": ("Pear & Co; Ltd", ["ORG:Pear & Co\\; Ltd;Sales;\r\n"]),
        "notes": ("one\ntwo", ["NOTE:one\\ntwo\r\n"]),
        "status": ("Won, finally", ["X-TAGTUI-STATUS:Won\\, finally\r\n"]),
        "assignee": ("Sam", ["X-TAGTUI-ASSIGNEE:Sam\r\n"]),
        "followers": (7, ["X-TAGTUI-FOLLOWERS:7\r\n"]),
        "phone": ("+1 555", ["TEL;type=CELL;type=VOICE;type=pref:+1 555\r\n"]),
        "uid": ("new-uid", ["UID:new-uid\r\n"]),
    }
    for key, (value, added) in expected.items():
        changed = card.with_fields(replace(card.fields(), **{key: value}))
        removed, new = diff(card, changed)
        assert new == added, key
        assert len(removed) == (0 if key in ("assignee", "followers") else 1), key
        assert getattr(changed.fields(), key) == value
    renamed = card.with_fields(replace(card.fields(), name="Dr. John Appleseed Jr."))
    assert diff(renamed, card)[0] == sorted(
        ["FN:Dr. John Appleseed Jr.\r\n", "N:Appleseed;John;;Dr.;Jr.\r\n"]  # prefix and suffix kept
    )


def test_a_changed_name_in_a_card_without_fn_adds_one() -> None:
    card = one(NO_FN)
    renamed = card.with_fields(replace(card.fields(), name="Margaret Hamilton"))
    assert diff(card, renamed) == (
        ["N:Hamilton;Margaret;Heafield;;\r\n"],
        ["FN:Margaret Hamilton\r\n", "N:Hamilton;Margaret;;;\r\n"],
    )


def test_a_2_1_card_keeps_its_quoted_printable_lines_and_writes_new_ones_so() -> None:
    card = one(V21)
    tagged = card.with_fields(replace(card.fields(), tags=("Kunden",), company="Düsseldorf AG"))
    assert diff(card, tagged) == (
        ["ORG;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:K=F6ln GmbH;Einkauf\r\n"],
        [
            "CATEGORIES:Kunden\r\n",
            "ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:D=C3=BCsseldorf AG;Einkauf\r\n",
        ],
    )
    assert tagged.fields().company == "Düsseldorf AG"
    long_note = "Grüße " * 40
    noted = card.with_fields(replace(card.fields(), notes=long_note.strip()))
    assert noted.fields().notes == long_note.strip()
    removed, (note,) = diff(card, noted)
    assert note.startswith("NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Gr=C3=BC=C3=9Fe Gr")
    assert len(removed) == 1 and all(len(p.encode()) <= 75 for p in note.split("\r\n"))


def test_written_lines_are_folded_at_75_octets() -> None:
    card = one(GOOGLE)
    changed = card.with_fields(replace(card.fields(), notes="ü" * 100 + "x" * 100, tags=("t" * 90,)))
    assert all(len(p.encode()) <= 75 for p in changed.text().split("\r\n"))
    assert changed.fields().notes == "ü" * 100 + "x" * 100
    assert "CATEGORIES:" + "t" * 90 in unfolded(changed)


# -- generated values --------------------------------------------------------------------------

# Text as a contact holds it: no control characters (they are not allowed in a vCard value, and
# the store strips them), no blank ends (fields() reads values stripped).
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=120).map(str.strip)
VALUE = TEXT.filter(bool)
NOTES = st.lists(VALUE, min_size=1, max_size=3).map("\n".join)
EMAIL = st.emails()
PHONE = st.from_regex(r"\A\+?[0-9][0-9 ()\-]{2,20}[0-9]\Z")


def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


FIELDS = st.builds(
    CardFields,
    uid=maybe(VALUE),
    name=VALUE,
    email=maybe(EMAIL),
    phone=maybe(PHONE),
    company=maybe(VALUE),
    notes=maybe(NOTES),
    tags=st.lists(VALUE, max_size=5).map(tuple),
    status=maybe(VALUE),
    assignee=maybe(VALUE),
    followers=maybe(st.integers(min_value=0, max_value=10**12)),
)


@settings(max_examples=200, deadline=None)
@given(fields=FIELDS, version=st.sampled_from(VERSIONS))
def test_new_card_reads_back_as_its_fields(fields: CardFields, version: str) -> None:
    card = new_card(fields, version)
    text = card.text()
    assert one(text).fields() == fields
    assert one(text).text() == text
    assert all(len(p.encode()) <= 75 for p in text.split("\r\n"))


#: The addresses the cards above have, so that a generated contact picks one of them at times.
KNOWN_EMAILS = [e for text in CARDS.values() for e in re.findall(r"EMAIL[^:]*:([^\r\n]+)", text)]
KNOWN_PHONES = [t for text in CARDS.values() for t in re.findall(r"TEL[^:]*:(?:tel:)?([^\r\n]+)", text)]


@settings(max_examples=200, deadline=None)
@given(
    fields=FIELDS,
    name=st.sampled_from(sorted(CARDS)),
    email=maybe(st.sampled_from(KNOWN_EMAILS)),
    phone=maybe(st.sampled_from(KNOWN_PHONES)),
)
def test_with_fields_reads_back_as_its_fields_and_keeps_the_rest(
    fields: CardFields, name: str, email: str | None, phone: str | None
) -> None:
    card = one(CARDS[name])
    fields = replace(fields, email=email or fields.email, phone=phone or fields.phone)
    changed = one(card.with_fields(fields).text())
    got = changed.fields()
    assert replace(got, tags=tuple(sorted(set(got.tags)))) == replace(
        fields, tags=tuple(sorted(set(fields.tags)))
    )
    # Every line tagtui does not map is kept byte for byte (labels go with their group's email/tel).
    labelled = {line.group for line in card.lines if line.group and line.name in ("EMAIL", "TEL")}

    def unmapped(c: Card) -> list[str]:
        return [line.raw for line in c.lines if line.name not in MAPPED and line.group not in labelled]

    assert unmapped(changed) == unmapped(card)


MAPPED = {
    "UID",
    "FN",
    "N",
    "EMAIL",
    "TEL",
    "ORG",
    "NOTE",
    "CATEGORIES",
    *("X-TAGTUI-" + p for p in ("STATUS", "ASSIGNEE", "FOLLOWERS")),
}


# -- whatever a server sends -------------------------------------------------------------------

PIECES = [
    "BEGIN:VCARD",
    "END:VCARD",
    "VERSION:2.1",
    "VERSION:3.0",
    "VERSION:4.0",
    "FN:Ann",
    "FN:",
    "N:Roe;Ann;;Dr.;",
    "N:;;;;",
    "EMAIL;PREF=1:a@x.example",
    "EMAIL;TYPE=INTERNET,pref:b@x.example",
    "item1.EMAIL:c@x.example",
    "item1.X-ABLabel:work",
    'TEL;VALUE=uri;TYPE="voice,cell":tel:+1-555',
    "TEL;CELL;PREF:+2",
    "NOTE;ENCODING=QUOTED-PRINTABLE:caf=C3=A9=",
    "NOTE:a\\nb\\,c",
    "ORG:;Dept",
    "CATEGORIES:a\\,b,c",
    "CATEGORIES:",
    "X-TAGTUI-FOLLOWERS:x",
    "UID:1",
    " continued",
    "\tcontinued",
    "=3D",
    "",
    "no colon here",
    ":",
    'X-Q;P="a:b;c":v',
]
ANY_LINES = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=30)
LINES = st.one_of(ANY_LINES, ANY_LINES.map(lambda lines: ["BEGIN:VCARD", *lines, "END:VCARD"]))


@settings(max_examples=300, deadline=None)
@given(
    lines=LINES, ends=st.lists(st.sampled_from(["\r\n", "\n", "\r"]), min_size=1, max_size=3), fields=FIELDS
)
def test_any_text_reads_without_error_and_each_card_writes_back_as_read(
    lines: list[str], ends: list[str], fields: CardFields
) -> None:
    text = "".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    for card in parse_cards(text):
        assert card.text() in text
        again = parse_cards(card.text())
        assert [c.text() for c in again] == [card.text()] and again[0].fields() == card.fields()
        got = parse_cards(card.with_fields(fields).text())[0].fields()
        assert replace(got, tags=frozenset(got.tags)) == replace(fields, tags=frozenset(fields.tags))
