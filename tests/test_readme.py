"""The README's command-line examples, run in order on one fresh database (as sqlite-utils tests
its docs), so the README cannot drift from what tagtui does.

Every line of a fenced block of README.md that starts with ``tagtui `` (or ``$ tagtui ``) is an
example. Each runs ``main()`` in-process and must exit 0, unless it is in ``NOT_RUN`` by the rule
there (it needs a terminal, a browser, an address-book server or minutes). Where the README shows
what a command prints, the output must match:

- ``$ tagtui …`` followed by lines not starting with ``$``: those lines are its output (stdout
  then stderr); the exit code is not checked then (a transcript may show an error).
- a comment ``# prints "…"`` after a command (``tagtui undo   # prints "Undid: …"``): the first
  line it prints.

In expected text ``…`` stands for any text. ``[…]`` in a command is an optional part and is left
out; ``> FILE`` after a command: its output must be non-empty (it is not written). Files the
examples read are made first (``FILES``); the examples run in a folder of their own with HOME there.
"""

from __future__ import annotations

import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from tagtui.cli.main import main

README = Path(__file__).resolve().parent.parent / "README.md"

#: What is not run, by the first word after ``tagtui`` (None: no command, the app itself).
NOT_RUN: dict[str | None, str] = {
    None: "opens the app: needs a terminal (tests/app run it under Pilot)",
    "serve": "serves the app to a browser (tests/cli/test_serve.py runs it)",
    "sync": "talks to an address-book server (tests/sync run it on a vdir, Radicale and Xandikos)",
    "bench": "takes minutes: builds databases of up to 1,000,000 contacts (tests/cli/test_bench.py)",
}

#: Options before the command that take a value.
GLOBAL_VALUES = ("--db", "--workspace")

#: Files the examples read, made in the examples' folder before the first one runs.
FILES = {
    "contacts.csv": "name,email,company,tags\nKim Import,kim@example.com,Acme,vip\n",
    "new.csv": "name,email,company,followers\nInes Influence,ines@example.com,Acme,250000\n",
}


@dataclass
class Example:
    line: int
    argv: list[str]
    output: list[str] | None  # what the README shows it prints
    transcript: bool  # shown as ``$ tagtui …`` with its output
    redirected: bool

    @property
    def command(self) -> str | None:
        words = iter(self.argv)
        for word in words:
            if word in GLOBAL_VALUES:
                next(words, None)
            elif not word.startswith("-"):
                return word
        return None


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Each fenced block as (line number of its first line, its lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            if current is None:
                current, start = [], number + 1
            else:
                blocks.append((start, current))
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def examples() -> list[Example]:
    found: list[Example] = []
    for start, lines in _blocks(README.read_text(encoding="utf-8")):
        i = 0
        while i < len(lines):
            raw = lines[i]
            transcript = raw.startswith("$ ")
            text = raw[2:] if transcript else raw
            if "tagtui " in text and not text.lstrip().startswith("#"):
                text = text[text.index("tagtui ") :] if " && tagtui " in text else text
            if not (text.startswith("tagtui ") or text == "tagtui"):
                i += 1
                continue
            words = shlex.split(re.sub(r"\[[^\]]*\]", "", text), comments=True)[1:]
            redirected = ">" in words
            if redirected:
                words = words[: words.index(">")]
            output: list[str] | None = None
            if transcript:
                output = []
                while i + 1 < len(lines) and not lines[i + 1].startswith("$ "):
                    i += 1
                    output.append(lines[i])
            else:
                comment = re.search(r'#\s*prints "([^"]*)"', text)
                if comment:
                    output = [comment.group(1)]
            found.append(Example(start + i, words, output, transcript, redirected))
            i += 1
    return found


def _matches(expected: str, actual: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("…"))
    return re.fullmatch(pattern, actual) is not None


def test_the_readme_has_examples() -> None:
    found = examples()
    assert len(found) > 40
    assert {e.command for e in found} >= {"demo", "tags", "contacts", "undo", "rules", *NOT_RUN}


def test_readme_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    home = tmp_path / "home"
    home.mkdir()
    for name, body in FILES.items():
        (home / name).write_text(body, encoding="utf-8")
    for name in ("TAGTUI_DB", "TAGTUI_WORKSPACE", "TAGTUI_DEBUG", "TAGTUI_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("TAGTUI_ACTOR", "readme")
    monkeypatch.chdir(home)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    ran = 0
    for example in examples():
        where = f"README.md:{example.line}: tagtui {shlex.join(example.argv)}"
        if example.command in NOT_RUN:
            continue
        capsys.readouterr()
        code = main(list(example.argv))
        captured = capsys.readouterr()
        ran += 1
        if not example.transcript:
            assert code == 0, (where, captured.err)
        if example.redirected:
            assert captured.out.strip(), where
        if example.output is not None:
            printed = (captured.out + captured.err).splitlines()
            if example.transcript:
                assert len(printed) == len(example.output), (where, printed)
                expected = example.output
            else:
                printed, expected = printed[:1], example.output
            for want, got in zip(expected, printed, strict=True):
                assert _matches(want, got), (where, want, got)
    assert ran > 30
