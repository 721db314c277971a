"""The one list of export formats (tagtui.io.formats): the engine, ``tagtui export`` and the export
dialog read it."""

from __future__ import annotations

import argparse

from tagtui.io.formats import CSV_STYLES, EXPORT_CHOICES, FORMATS, format_from_suffix, in_words


def _export_parser() -> argparse.ArgumentParser:
    from tagtui.cli.main import build_parser

    parser = build_parser(["export"])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["export"]


def test_the_command_line_offers_the_formats_and_styles_of_the_list() -> None:
    options = {a.dest: a for a in _export_parser()._actions}
    assert tuple(options["format"].choices) == FORMATS
    assert tuple(options["style"].choices) == CSV_STYLES
    assert options["format"].help.startswith("csv, json or vcf ")


def test_the_dialog_choices_cover_every_format_and_style() -> None:
    assert {c.fmt for c in EXPORT_CHOICES} == set(FORMATS)
    assert {c.style for c in EXPORT_CHOICES if c.fmt == "csv"} == set(CSV_STYLES)
    assert all(c.style == "spreadsheet" for c in EXPORT_CHOICES if c.fmt != "csv")
    assert all(format_from_suffix(c.file_name) == c.fmt for c in EXPORT_CHOICES)


def test_the_format_of_a_file_name() -> None:
    assert [format_from_suffix(p) for p in ("a.CSV", "b.vcard", "c.vcf", "d.json", "e.txt", "f", None)] == [
        "csv",
        "vcf",
        "vcf",
        "json",
        None,
        None,
        None,
    ]
    assert in_words(("csv",)) == "csv"
