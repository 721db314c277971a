"""The words a query may use (for the query bar's completion) and the did-you-mean of an
unknown tag or status (issue 12.5); on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tagtui.query.parse import parse
from tagtui.store import Store, ValidationError


def test_query_vocabulary(store: Store, other: Store) -> None:
    store.create_tag("Hot Lead")
    store.create_tag("VIP")
    store.create_status("Won")
    store.add_contact("A", assignee="Sam Chen")
    store.add_contact("B", assignee="sam chen")  # the same assignee, as matching goes
    store.add_contact("C", assignee="Ann")
    store.add_contact("D")
    other.create_tag("Elsewhere")
    other.add_contact("E", assignee="Zed")
    words = store.query_vocabulary()
    assert words.tags == (("hot-lead", "Hot Lead"), ("vip", "VIP"))
    assert words.statuses == (("won", "Won"),)
    assert len(words.assignees) == 2
    assert words.assignees[0] == "Ann" and words.assignees[1].lower() == "sam chen"
    assert other.query_vocabulary().assignees == ("Zed",)
    store.delete_contacts([c.id for c in store.iter_contacts() if c.assignee])
    assert store.query_vocabulary().assignees == ()


def test_an_unknown_name_says_what_was_meant(store: Store, other: Store) -> None:
    store.create_tag("Cold Lead")
    store.create_status("Qualified")
    other.create_tag("Cold")  # another workspace's tags are never offered
    with pytest.raises(ValidationError, match="unknown tag 'cold' — did you mean cold-lead\\?"):
        store.count_contacts(parse("tag:cold"))
    with pytest.raises(ValidationError, match="unknown status 'qualifed' — did you mean qualified\\?"):
        store.count_contacts(parse("status:qualifed"))
    with pytest.raises(ValidationError, match=r"^unknown tag 'zzz' in query$"):
        store.count_contacts(parse("tag:zzz"))
