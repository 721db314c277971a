"""The tags and statuses a filter names, and the same filter with some of them renamed.

Saved views and rules keep their meaning across a rename or a merge because the store
rewrites their query with ``rename_values`` in the same transaction (see
``store/stored_queries.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from tagtui.query.filter import And, Filter, Not, Or, Statuses, Tags

__all__ = ["named_values", "rename_values"]

#: ``"tag"`` or ``"status"``: the terms whose values name a label of that kind.
_TERMS: dict[str, type[Tags] | type[Statuses]] = {"tag": Tags, "status": Statuses}


def named_values(f: Filter, kind: str) -> list[str]:
    """Every value of ``kind``'s terms (``tag:`` or ``status:``) in ``f``, as written, in order."""
    term = _TERMS[kind]
    out: list[str] = []

    def walk(node: Filter) -> None:
        if isinstance(node, term):
            out.extend(node.values)
        elif isinstance(node, Not):
            walk(node.child)
        elif isinstance(node, And | Or):
            for child in node.children:
                walk(child)

    walk(f)
    return out


def rename_values(
    f: Filter, kind: str, rename: Callable[[str], str | None], key: Callable[[str], str] = str
) -> Filter:
    """``f`` with each value of ``kind``'s terms replaced by ``rename(value)`` (``None``: kept).

    Values of one term that end up naming the same label (by ``key``) are written once, so
    ``tag:a,b`` with ``a`` merged into ``b`` reads ``tag:b``.
    """
    term = _TERMS[kind]

    def walk(node: Filter) -> Filter:
        if isinstance(node, term):
            values: dict[str, str] = {}
            for value in node.values:
                new = rename(value)
                new = value if new is None else new
                values.setdefault(key(new), new)
            return term(tuple(values.values()))
        if isinstance(node, Not):
            return Not(walk(node.child))
        if isinstance(node, And):
            return And(tuple(walk(c) for c in node.children))
        if isinstance(node, Or):
            return Or(tuple(walk(c) for c in node.children))
        return node

    return walk(f)
