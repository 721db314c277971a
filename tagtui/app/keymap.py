"""The one registry of key bindings: every screen's bindings by id, grouped as Help and the README show
them, with the keys in force after the user's remapping (``[keys]`` in the config file)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.keys import REPLACED_KEYS, format_key, key_to_character

if TYPE_CHECKING:
    from textual.widget import Widget

#: Keys shown as words rather than symbols (a README and a help page are read, not pressed).
_WORDS = {"enter": "enter", "backspace": "backspace", "escape": "esc", "space": "space", "tab": "tab"}


def key_display(key: str) -> str:
    """One key in plain words: ``shift+left`` → ``shift+←``, ``less_than_sign`` → ``<``."""
    key = key.strip()
    *modifiers, name = key.split("+") if len(key) > 1 else [key]
    shown = _WORDS.get(name) or format_key(name)
    return "+".join([*modifiers, shown])


@dataclass(frozen=True)
class KeyRow:
    """One action of a group: the keys in force and what it does."""

    binding_ids: tuple[str, ...]
    keys: tuple[str, ...]
    description: str

    @property
    def keys_text(self) -> str:
        return " ".join(key_display(k) for k in self.keys)


@dataclass(frozen=True)
class KeyGroup:
    title: str
    rows: tuple[KeyRow, ...]
    #: Keys that are not bindings (typed text, letters over hints): (keys, what they do).
    notes: tuple[tuple[str, str], ...] = ()


def _modules() -> list[str]:
    names = ["tagtui.app.app"]
    for sub in ("screens", "widgets"):
        package = importlib.import_module(f"tagtui.app.{sub}")
        names += [f"tagtui.app.{sub}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
    return names


def binding_classes() -> list[type]:
    """Every class of the UI that declares bindings of its own, in module order."""
    out: list[type] = []
    for name in _modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and "BINDINGS" in cls.__dict__:
                out.append(cls)
    return out


def keys_in_force(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    """The keys of ``binding`` after the user's remapping (``[keys]``: id -> "a,ctrl+n")."""
    return [k.strip() for k in (keymap.get(binding.id or "") or binding.key).split(",")]


def key_character(key: str) -> str | None:
    """The character a key types, if any: Textual's ``key_to_character``, which misses the keys
    Textual names itself (``slash``, ``minus``, ``at``…: None for `/`)."""
    return key_to_character(REPLACED_KEYS.get(key, key))


def same_key(a: str, b: str) -> bool:
    """Whether two keys as Textual or a config file names them are one key (`/` and ``slash``)."""
    return a == b or (key_character(a) or a) == (key_character(b) or b)


def typed_by(widget: Widget | None, owner: type, binding_id: str, keymap: Mapping[str, str]) -> bool:
    """Whether ``widget`` (the focused one) types a key of ``owner``'s binding ``binding_id`` as
    text: an Input or a text area types `/`. Textual leaves such a key out of the bindings
    itself, but not `/`, whose character it does not find (``key_character``): a priority
    binding asks this in its ``check_action``."""
    if widget is None:
        return False
    binding = next(b for b in own_bindings(owner) if b.id == binding_id)
    return any(widget.check_consume_key(k, key_character(k)) for k in keys_in_force(binding, keymap))


def own_bindings(cls: type) -> list[Binding]:
    return [b if isinstance(b, Binding) else Binding(*b) for b in cls.__dict__.get("BINDINGS", [])]


def all_bindings() -> list[Binding]:
    return [b for cls in binding_classes() for b in own_bindings(cls)]


def binding_ids() -> list[str]:
    return sorted({b.id for b in all_bindings() if b.id})


#: (title, class names, notes) in the order Help lists them; a class not named here gets a group
#: of its own, titled by its TITLE (so a new screen's keys are never missing).
_GROUPS: list[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]] = [
    (
        "Everywhere",
        ("TagtuiApp",),
        (("ctrl+p", "Command palette: every screen and action"), ("esc", "Close help or a dialog")),
    ),
    (
        "Contacts",
        ("ContactsScreen", "ContactTable"),
        (("↑ ↓ pgup pgdn", "Move; more contacts load as you go"),),
    ),
    ("Contacts · query bar", ("QueryInput",), (("enter", "Run the query now"),)),
    ("Contacts · filter panel", ("LabelList",), ()),
    (
        "Triage",
        ("TriageScreen",),
        (("a–z", "Toggle the tag shown beside the hint"), ("A–Z", "Set the stage (again: clear it)")),
    ),
    ("Hint keys over marked contacts", ("HintOverlay",), (("a–z / A–Z", "As in triage"),)),
    ("Tags", ("TagsScreen", "TagSearch"), ()),
    ("Tag insight", ("InsightScreen",), ()),
    ("Statuses", ("StatusesScreen",), ()),
    (
        "Board",
        ("BoardScreen", "CardTable"),
        (("", "Funnel conversion: contacts at the next stage or later ÷ at this stage or later"),),
    ),
    (
        "Automation rules",
        ("RulesScreen", "RuleForm"),
        (("", "A rule is a query and actions; applying twice changes nothing the second time"),),
    ),
    (
        "Sync",
        ("SyncScreen", "SyncSourceForm"),
        (("", "A sync is one undo step; a conflict's other value stays in the contact's history"),),
    ),
    ("Contact detail", ("ContactDetailScreen",), ()),
    ("Import a file", ("ImportScreen",), (("tab", "From the file path to the mapping table"),)),
    (
        "Pickers, forms and dialogs",
        (
            "SearchPicker",
            "ViewPicker",
            "TextPrompt",
            "ContactForm",
            "LabelForm",
            "ExportDialog",
            "ConfirmDialog",
            "ColorPicker",
            "ColumnChooser",
        ),
        (),
    ),
    ("Welcome", ("WelcomeScreen",), ()),
    ("Help", ("HelpScreen",), ()),
]


def rows(bindings: Iterable[Binding], keymap: Mapping[str, str]) -> tuple[KeyRow, ...]:
    """One row per binding id (alternative keys of one action share it), with the keys in force."""
    out: dict[str, KeyRow] = {}
    for binding in bindings:
        if binding.system:
            continue
        ident = binding.id or binding.action
        keys = keys_in_force(binding, keymap)
        description = binding.tooltip or binding.description or binding.action.replace("_", " ")
        found = out.get(ident)
        if found is not None:
            keys = [*found.keys, *(k for k in keys if k not in found.keys)]
            description = found.description
        out[ident] = KeyRow((ident,), tuple(keys), description)
    # Two ids for one action (enter and tab for "next"): one row.
    merged: dict[str, KeyRow] = {}
    for row in out.values():
        same = merged.get(row.description)
        if same is None:
            merged[row.description] = row
        else:
            merged[row.description] = KeyRow(
                same.binding_ids + row.binding_ids, same.keys + row.keys, same.description
            )
    return tuple(merged.values())


def groups(keymap: Mapping[str, str] | None = None) -> list[KeyGroup]:
    """Every binding of the UI, grouped by screen, with the keys ``keymap`` puts in force."""
    keymap = keymap or {}
    by_name = {cls.__name__: cls for cls in binding_classes()}
    out: list[KeyGroup] = []
    for title, names, notes in _GROUPS:
        bindings = [b for name in names if name in by_name for b in own_bindings(by_name.pop(name))]
        out.append(KeyGroup(title, rows(bindings, keymap), notes))
    for name, cls in by_name.items():
        title = getattr(cls, "TITLE", None) or name
        out.append(KeyGroup(str(title), rows(own_bindings(cls), keymap)))
    return [g for g in out if g.rows or g.notes]


def markdown_table(keymap: Mapping[str, str] | None = None) -> str:
    """The README's key table: screen, keys, what they do, and the id to remap them by."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|") if text else " "

    lines = ["| Screen | Keys | What it does | Binding id |", "|---|---|---|---|"]
    for group in groups(keymap):
        for row in group.rows:
            keys = " ".join(f"`{key_display(k)}`" for k in row.keys)
            ids = " ".join(f"`{i}`" for i in row.binding_ids)
            lines.append(f"| {group.title} | {cell(keys)} | {cell(row.description)} | {ids} |")
    return "\n".join(lines) + "\n"
