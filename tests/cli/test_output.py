"""Tables, footers and JSON text: alignment, wide characters, squeezing to the terminal."""

from __future__ import annotations

import io
import json

from tagtui.cli.output import Column, Output, cell_width, page_footer, render_table, to_json_text, truncate

COLUMNS = (Column("ID", ">"), Column("NAME", shrink=True), Column("EMAIL", shrink=True), Column("N", ">"))
ROWS = [
    [1, "Jane Doe", "jane@example.com", 3],
    [22, "Bartholomew Featherstonehaugh-Smythe", "bartholomew.featherstonehaugh@example.co.uk", 12],
]


def test_columns_are_aligned_without_trailing_blanks() -> None:
    lines = render_table(COLUMNS, ROWS)
    assert lines[0].startswith("ID  NAME")
    assert lines[1].startswith(" 1  Jane Doe ")
    assert lines[2].startswith("22  Bartholomew")
    assert len({line.index("@") for line in lines[1:]} | {lines[0].index("EMAIL") + 4}) == 2
    assert all(line == line.rstrip() for line in lines)
    assert lines[1].endswith(" 3") and lines[2].endswith("12")


def test_a_narrow_terminal_truncates_shrinkable_columns_with_an_ellipsis() -> None:
    lines = render_table(COLUMNS, ROWS, width=60)
    assert all(cell_width(line) <= 60 for line in lines)
    assert "…" in lines[2]
    assert lines[2].startswith("22  ") and lines[2].endswith("12")  # fixed columns stay whole
    assert len(lines) == 3


def test_wide_characters_count_two_cells() -> None:
    assert cell_width("東京") == 4
    assert cell_width("e\u0301") == 1
    assert cell_width("⭐") == 2
    assert truncate("東京タワー", 5) == "東京…"
    assert truncate("short", 10) == "short"
    lines = render_table([Column("A"), Column("B")], [["東京", "x"], ["ab", "y"]])
    assert lines[1].index("x") + 2 == lines[2].index("y")  # "東京" is 4 cells wide but 2 characters


def test_footers() -> None:
    assert page_footer(3, 120, 0, "contact") == "3 of 120 contacts (next: --offset 3)"
    assert page_footer(3, 3, 0, "contact") == "3 of 3 contacts"
    assert page_footer(1, 1, 0, "contact") == "1 of 1 contact"
    assert page_footer(20, 1200, 100, "contact") == "101–120 of 1,200 contacts (next: --offset 120)"
    assert page_footer(0, 5, 10, "tag") == "0 of 5 tags"
    assert page_footer(4, None, 0, "tag") == "4 tags"
    assert page_footer(7, None, 0, "status", "statuses") == "7 statuses"


def test_json_text_escapes_what_a_terminal_would_act_on() -> None:
    text = to_json_text({"name": "a\x1b[2Jb\x9bc\u202ed\u2028e", "ok": "Zoë ⭐"})
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text and "\u2028" not in text
    assert "Zoë ⭐" in text
    assert json.loads(text) == {"name": "a\x1b[2Jb\x9bc\u202ed\u2028e", "ok": "Zoë ⭐"}


def test_output_error_is_one_visible_line() -> None:
    err = io.StringIO()
    Output(io.StringIO(), err, width=None).error("bad\nthing \x1b[31m")
    assert err.getvalue() == "tagtui: error: bad thing ␛[31m\n"


class _Latin1(io.StringIO):
    encoding = "latin-1"


def test_json_for_a_stdout_that_cannot_encode_everything_is_ascii() -> None:
    out = _Latin1()
    Output(out, io.StringIO(), width=None).json({"emoji": "⭐", "name": "Zoë"})
    assert out.getvalue().isascii()
    assert json.loads(out.getvalue()) == {"emoji": "⭐", "name": "Zoë"}
