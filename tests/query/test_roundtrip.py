"""Properties: ``parse(render(f)) == f``, and parse never fails but with ValidationError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tagtui.query import Filter, parse, render
from tagtui.store.errors import ValidationError
from tests.query.strategies import filters

# Pieces of the language, so that fuzzing reaches deep into the grammar.
_PIECES = st.sampled_from(
    [
        "tag:", "tags:", "status:", "assignee:", "followers", ">", ">=", "<", "=", ":",
        "none", "vip", "a", "b", " ", "  ", ",", "(", ")", '"', "\\", "-", "not ",
        " or ", " and ", "and", "OR", "3", "x:",
    ]
)  # fmt: skip
_QUERYISH = st.lists(_PIECES, max_size=12).map("".join)


@settings(max_examples=300)
@given(filters())
def test_parse_of_render_is_identity(f: Filter) -> None:
    assert parse(render(f)) == f


@settings(max_examples=300)
@given(filters(tag_names=["vip", "hot lead"], status_names=["won"], texts=["acme"]))
def test_strategy_draws_from_given_names(f: Filter) -> None:
    assert parse(render(f)) == f


def _parses_or_refuses(query: str) -> None:
    try:
        f = parse(query)
    except ValidationError as err:
        assert err.field == "query"
        assert err.position is not None and 0 <= err.position <= len(query)
        assert f"at position {err.position}" in err.message
        return
    # whatever parses has a canonical text that means the same
    assert parse(render(f)) == f


@settings(max_examples=300)
@given(st.text())
def test_any_text_parses_or_raises_validation_error(query: str) -> None:
    _parses_or_refuses(query)


@settings(max_examples=300)
@given(_QUERYISH)
def test_query_like_text_parses_or_raises_validation_error(query: str) -> None:
    _parses_or_refuses(query)
