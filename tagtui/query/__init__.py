"""Filters over contacts: the model, and the one-line query language (SPEC §3).

Import-light on purpose: only the standard library, never textual or sqlalchemy.
"""

from tagtui.query.filter import (
    EVERYTHING,
    FOLLOWERS_OPS,
    And,
    Assignees,
    Filter,
    Followers,
    FollowersOp,
    NoAssignee,
    NoStatus,
    Not,
    NoTags,
    Or,
    Statuses,
    Tags,
    Term,
    Text,
    all_of,
    any_of,
    criteria,
    top_level_terms,
)
from tagtui.query.parse import parse
from tagtui.query.render import render

__all__ = [
    "EVERYTHING",
    "FOLLOWERS_OPS",
    "And",
    "Assignees",
    "Filter",
    "Followers",
    "FollowersOp",
    "NoAssignee",
    "NoStatus",
    "NoTags",
    "Not",
    "Or",
    "Statuses",
    "Tags",
    "Term",
    "Text",
    "all_of",
    "any_of",
    "criteria",
    "parse",
    "render",
    "top_level_terms",
]
