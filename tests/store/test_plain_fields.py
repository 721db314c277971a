"""The import's fast check of a row (``plain_contact_fields``) says what the full one
(``clean_contact_fields``) says, whenever it says anything."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tagtui.store.contacts import TEXT_LIMITS, clean_contact_fields, plain_contact_fields
from tagtui.store.errors import ValidationError

KEYS = [key for key, _ in TEXT_LIMITS]
# Characters that matter to the rules: spaces of every kind, controls, NUL, combining marks,
# decomposed and composed letters, '@', digits of other scripts, and plain text.
TRICKY = " \t\n\r\x00\x0b\x85\u00a0\u2028\u3000\u200b\u0301e\u00e9@_,٣1aZ"
CELL = st.one_of(
    st.text(alphabet=TRICKY, max_size=8),
    st.text(max_size=12),
    st.from_regex(r"[a-z]{1,6}@[a-z]{1,6}\.com", fullmatch=True),
    st.integers(min_value=0, max_value=10**20).map(str),
    # plain text with something at either end or in the middle, as a file gives it
    st.tuples(
        st.sampled_from(["", " ", "\u00a0", "\t", "e\u0301", "@"]),
        st.sampled_from(["Ada", "a@b", "Zoë", "12"]),
        st.sampled_from(["", " ", "\u3000", "\n", "\u0301", "@x"]),
    ).map("".join),
)


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from([*KEYS, "followers"]), CELL))
def test_the_fast_check_agrees_with_the_full_one(cells: dict[str, str]) -> None:
    plain = plain_contact_fields(cells)
    if plain is None:
        return  # the full checks run, as for any row that is not plain
    given_cells = {k: v for k, v in cells.items() if v}
    assert plain == clean_contact_fields(given_cells, creating=False)


def test_plain_rows_take_the_fast_path_and_others_do_not() -> None:
    assert plain_contact_fields({"name": "Ada", "email": "ada@example.com", "followers": "12"}) == {
        "name": "Ada",
        "email": "ada@example.com",
        "followers": 12,
    }
    for cells in ({"name": " Ada"}, {"name": "A\u0301da"}, {"email": "a@b@c"}, {"followers": "1,000"}):
        assert plain_contact_fields(cells) is None
    with pytest.raises(ValidationError):
        clean_contact_fields({"email": "a@b@c"}, creating=False)
