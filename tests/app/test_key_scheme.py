"""One key means one thing across screens (issue 12.7): the clashes found are gone.

The scheme: ``h``/``j``/``k``/``l`` and the arrows only move; ``f`` is the filter panel;
``x``/``space`` mark; ``i`` shows a screen's insight (tag insight, the board's funnel);
``;`` opens the hint keys; ``[``/``]`` step a value back and forth (a contact's status,
an import column's field, a merged field's value); ``enter`` opens or applies the highlighted row.
"""

from __future__ import annotations

import pytest

from tagtui.app.keymap import all_bindings


def _meanings(key: str) -> set[str]:
    return {b.action for b in all_bindings() if key in [k.strip() for k in b.key.split(",")]}


@pytest.mark.parametrize(
    ("key", "actions"),
    [
        ("f", {"focus_panel"}),
        ("h", {"focus_column(-1)", "step(-1)"}),  # a column or a color to the left: moving left
        ("l", {"focus_column(1)", "step(1)"}),
        ("x", {"toggle_select"}),
        ("semicolon", {"hints"}),
        ("i", {"insight", "toggle_funnel"}),
        ("left_square_bracket", {"step_status(-1)", "previous_field", "choose(-1)"}),
        ("right_square_bracket", {"step_status(1)", "next_field", "choose(1)"}),
    ],
)
def test_a_key_means_one_thing(key: str, actions: set[str]) -> None:
    assert _meanings(key) == actions
