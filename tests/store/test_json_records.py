"""Every value ``--json`` prints becomes JSON one way (tagtui.store.types.JsonRecord): its fields,
picked, renamed or left out when empty as the class declares, nested records as their own JSON."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import tagtui
from tagtui.store.insight import ExplainedClause, Explanation
from tagtui.store.sync import SyncConflict
from tagtui.store.types import Event, JsonRecord, MergeResult, Tag, TagChange, TagRef, json_value


def _classes_with_to_json() -> list[type]:
    found = []
    for package in ("tagtui.store", "tagtui.io", "tagtui.sync"):
        path = importlib.import_module(package).__path__
        for info in pkgutil.iter_modules(path):
            module = importlib.import_module(f"{package}.{info.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and "to_json" in cls.__dict__:
                    found.append(cls)
    return found


def test_every_class_with_its_own_json_is_a_record() -> None:
    classes = _classes_with_to_json()
    assert classes, "the scan found no to_json at all"
    assert [c.__qualname__ for c in classes if not issubclass(c, JsonRecord)] == []
    assert tagtui.__name__ == "tagtui"


def _tag(contacts: int | None) -> Tag:
    return Tag(1, "VIP", "vip", "red", None, None, "t0", "t1", 2, contacts)


def test_fields_in_order_optional_ones_left_out_when_empty() -> None:
    assert list(_tag(None).to_json()) == [
        "id",
        "name",
        "slug",
        "color",
        "emoji",
        "description",
        "created_at",
        "updated_at",
        "rev",
    ]
    assert _tag(0).to_json()["contacts"] == 0  # none is not zero
    clause = ExplainedClause("tag:vip", 3, 3)
    assert Explanation((clause,), 3).to_json() == {
        "clauses": [{"clause": "tag:vip", "matches": 3, "running": 3}],
        "total": 3,
    }
    assert Explanation((clause,), 3, ("acme",)).to_json()["not_explained"] == ["acme"]


def test_picked_renamed_and_nested() -> None:
    ref = TagRef(7, "VIP", "vip", "red", "⭐")
    assert ref.to_json() == {"id": 7, "name": "VIP", "slug": "vip"}
    change = TagChange(3, (ref,), (7,), (), (7,))
    assert change.to_json() == {
        "contact_id": 3,
        "tags": [{"id": 7, "name": "VIP", "slug": "vip"}],
        "added": [7],
        "removed": [],
    }
    conflict = SyncConflict(4, "Ann", "email", "a@x", "b@x", "local", href="h")
    assert conflict.to_json() == {
        "contact": 4,
        "field": "email",
        "local": "a@x",
        "remote": "b@x",
        "kept": "local",
    }
    merged = MergeResult(1, "Old", 2, "New", 5, 4, _tag(None)).to_json()
    assert merged["tag"] == _tag(None).to_json() and "contacts" not in merged["tag"]
    assert MergeResult(1, "Old", 2, "New", 5, 4).to_json()["tag"] is None


def test_the_json_is_a_copy() -> None:
    event = Event(1, "t", "tag.created", "tag", 2, {"names": ["a"], "at": {"x": 1}})
    doc = event.to_json()
    doc["payload"]["names"].append("b")
    doc["payload"]["at"]["x"] = 2
    assert event.payload == {"names": ["a"], "at": {"x": 1}}
    assert json_value((1, (2, 3), {"k": (4,)})) == [1, [2, 3], {"k": [4]}]
