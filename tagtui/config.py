"""The user's config file (SPEC §7): where it lives, what it says, and saving a setting back into it.

Read with ``tomllib``; written by editing the one line a setting is on, so the user's comments,
order and other settings stay as they were. No Textual here: the command line reads it too.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tagtui.ui_registry import BINDING_IDS, CONTACT_COLUMNS, KEY_NAMES

APP_NAME = "tagtui"
CONFIG_FILE = "config.toml"
ENV = "TAGTUI_CONFIG"

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
#: The settings at the top of the file and the tables, with the type each holds.
TOP_LEVEL = ("theme", "db", "workspace")
TABLES = ("keys", "columns")


def config_path() -> Path:
    """``TAGTUI_CONFIG``, else ``config.toml`` in the platform's user config folder."""
    env = os.environ.get(ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILE


@dataclass(frozen=True)
class ConfigProblem:
    """Something in the file that was ignored, and the line it is on."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else str(self.path)
        return f"config file {where}: {self.message}"


@dataclass
class Config:
    """The effective settings: what the file says, minus what it says wrongly (see ``problems``)."""

    path: Path
    exists: bool = False
    theme: str | None = None
    db: str | None = None
    workspace: str | None = None
    #: binding id -> keys, comma-separated (Textual's keymap).
    keys: dict[str, str] = field(default_factory=dict)
    #: table -> the columns shown, in order (only ``contacts`` for now).
    columns: dict[str, list[str]] = field(default_factory=dict)
    problems: list[ConfigProblem] = field(default_factory=list)
    #: False when the file could not be read as TOML: then nothing may be written back into it.
    readable: bool = True

    @property
    def problem_line(self) -> str | None:
        """The one line that says what is wrong (the first problem, and how many more)."""
        if not self.problems:
            return None
        first = str(self.problems[0])
        more = len(self.problems) - 1
        return f"{first} (and {more} more problem{'s' if more > 1 else ''})" if more else first

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "exists": self.exists,
            "theme": self.theme,
            "db": self.db,
            "workspace": self.workspace,
            "keys": dict(self.keys),
            "columns": {k: list(v) for k, v in self.columns.items()},
            "problems": [str(p) for p in self.problems],
        }


# -- reading ------------------------------------------------------------------------------


_SECTION = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\"' -]+?)\s*\]\s*(#.*)?$")


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        return name[1:-1]
    return name


def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")


def line_of(text: str, section: str | None, key: str | None = None) -> int | None:
    """The 1-based line of ``key`` in ``[section]`` (None: the top), or of the section header."""
    current: str | None = None
    pattern = _key_pattern(key) if key is not None else None
    for number, line in enumerate(text.splitlines(), 1):
        m = _SECTION.match(line)
        if m:
            current = _unquote(m.group(1))
            if key is None and current == section:
                return number
            continue
        if pattern is not None and current == section and pattern.match(line):
            return number
    return None


def valid_key(key: str) -> bool:
    """Whether ``key`` is one key Textual understands: ``a``, ``?``, ``ctrl+b``, ``shift+left``."""
    key = key.strip()
    if not key:
        return False
    if len(key) == 1:
        return key.isprintable() and not key.isspace()
    *modifiers, name = key.split("+")
    if not name or any(m not in MODIFIERS for m in modifiers):
        return False
    if len(name) == 1:
        return name.isprintable() and not name.isspace()
    if name in KEY_NAMES:
        return True
    try:
        unicodedata.lookup(name.replace("_", " ").upper())
    except KeyError:
        return False
    return True


def load_config(path: Path | None = None) -> Config:
    """The settings in ``path`` (default: ``config_path()``); never raises for a bad file."""
    path = path or config_path()
    config = Config(path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError) as exc:
        config.exists = path.exists()
        config.readable = False
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        config.problems.append(ConfigProblem(path, None, f"cannot be read ({reason}); using the defaults"))
        return config
    config.exists = True
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        config.readable = False
        message = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(m.group(1)) if m else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) if m else message
        config.problems.append(ConfigProblem(path, line, f"not valid TOML: {reason}; using the defaults"))
        return config
    _read(config, data, text)
    return config


def _read(config: Config, data: dict[str, Any], text: str) -> None:
    def problem(section: str | None, key: str | None, message: str) -> None:
        line = line_of(text, section, key) if key is not None else line_of(text, section)
        config.problems.append(ConfigProblem(config.path, line, message))

    for name, value in data.items():
        if name in TOP_LEVEL:
            if isinstance(value, str) and value.strip():
                setattr(config, name, value.strip())
            else:
                problem(None, name, f"{name} must be a non-empty string, not {_shown(value)}; ignored")
        elif name in TABLES:
            if not isinstance(value, dict):
                problem(None, name, f"{name} must be a table ([{name}]), not {_shown(value)}; ignored")
            elif name == "keys":
                _read_keys(config, value, problem)
            else:
                _read_columns(config, value, problem)
        else:
            known = ", ".join([*TOP_LEVEL, *(f"[{t}]" for t in TABLES)])
            section = name if isinstance(value, dict) else None
            problem(section, None if section else name, f"unknown setting {name!r} (known: {known}); ignored")
    if config.db:
        config.db = resolve_db(config.db, config.path)


def _read_keys(config: Config, table: dict[str, Any], problem: Any) -> None:
    for binding_id, keys in table.items():
        if binding_id not in BINDING_IDS:
            problem("keys", binding_id, f"unknown binding id {binding_id!r} in [keys]; ignored")
            continue
        if not isinstance(keys, str) or not keys.strip():
            problem("keys", binding_id, f'keys for {binding_id!r} must be a string like "a,ctrl+n"; ignored')
            continue
        bad = [k.strip() for k in keys.split(",") if not valid_key(k)]
        if bad:
            problem("keys", binding_id, f"invalid key {bad[0]!r} for {binding_id!r}; ignored")
            continue
        config.keys[binding_id] = ",".join(k.strip() for k in keys.split(","))


def _read_columns(config: Config, table: dict[str, Any], problem: Any) -> None:
    for name, columns in table.items():
        if name != "contacts":
            problem("columns", name, f"unknown table {name!r} in [columns] (known: contacts); ignored")
            continue
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            problem("columns", name, "columns.contacts must be a list of column names; ignored")
            continue
        unknown = [c for c in columns if c not in CONTACT_COLUMNS]
        if unknown:
            known = ", ".join(CONTACT_COLUMNS)
            problem("columns", name, f"unknown column {unknown[0]!r} (known: {known}); ignored")
            continue
        if "name" not in columns:
            problem("columns", name, "the name column cannot be hidden; ignored")
            continue
        config.columns["contacts"] = list(dict.fromkeys(columns))


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "an empty string"
    return f"{type(value).__name__} {value!r}"


def resolve_db(db: str, path: Path) -> str:
    """A database path from the file: ``~`` expanded, relative to the file's folder; URLs as written."""
    if "://" in db:
        return db
    target = Path(db).expanduser()
    if not target.is_absolute():
        target = path.parent / target
    return str(target)


# -- writing ------------------------------------------------------------------------------


class ConfigNotSaved(Exception):
    """The file could not be written, or holds a TOML error that saving would hide."""


def toml_value(value: object) -> str:
    """``value`` as TOML: a string, a boolean, an integer, or a list of those."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # A JSON string is a TOML basic string (JSON's escapes are TOML's, \uXXXX included).
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to the config file")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def with_setting(text: str, section: str | None, key: str, value: object) -> str:
    """``text`` with ``key = value`` in ``[section]`` (None: the top): its line replaced, else added."""
    lines = text.splitlines()
    new_line = f"{_toml_key(key)} = {toml_value(value)}"
    current: str | None = None
    pattern = _key_pattern(key)
    section_end: int | None = None  # where to add the key when it is not there yet
    first_table: int | None = None
    for i, line in enumerate(lines):
        m = _SECTION.match(line)
        if m:
            if first_table is None:
                first_table = i
            if current == section and section is not None:
                section_end = i
            current = _unquote(m.group(1))
            continue
        if current == section and pattern.match(line):
            lines[i] = new_line
            return "\n".join(lines) + "\n"
    if section is None:
        at = first_table if first_table is not None else len(lines)
        while at > 0 and not lines[at - 1].strip():
            at -= 1
        lines.insert(at, new_line)
    elif current == section:
        at = len(lines)
        while at > 0 and not lines[at - 1].strip():
            at -= 1
        lines.insert(at, new_line)
    elif section_end is not None:
        at = section_end
        while at > 0 and not lines[at - 1].strip():
            at -= 1
        lines.insert(at, new_line)
    else:
        if lines and lines[-1].strip():
            lines.append("")
        lines += [f"[{section}]", new_line]
    return "\n".join(lines) + "\n"


def save_setting(section: str | None, key: str, value: object, path: Path | None = None) -> Path:
    """Write one setting into the config file, keeping everything else in it; returns the path."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigNotSaved(f"config file {path} cannot be read: {exc}") from None
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigNotSaved(f"config file {path} has an error ({exc}); not saved") from None
    new_text = with_setting(text, section, key, value)
    try:
        written = tomllib.loads(new_text)
        got = written.get(section, {}).get(key) if section else written.get(key)
    except tomllib.TOMLDecodeError:
        got = None
    if got != (list(value) if isinstance(value, tuple) else value):
        # The old value spanned several lines (a long list): rewrite that setting's lines.
        new_text = _rewrite(tomllib.loads(text), section, key, value)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(new_text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigNotSaved(f"config file {path} cannot be written: {exc.strerror or exc}") from None
    return path


def _rewrite(data: dict[str, Any], section: str | None, key: str, value: object) -> str:
    """The whole file from its data (comments are lost): the fallback for values on several lines."""
    if section is None:
        data[key] = value
    else:
        data.setdefault(section, {})[key] = value
    lines = [f"{_toml_key(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for name, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{_toml_key(name)}]"]
            lines += [f"{_toml_key(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines).lstrip("\n") + "\n"
