from tagtui.query.filter import Tags
from tagtui.store import Store


def test_open_sync_and_filter(store: Store) -> None:
    contact = store.add_contact("Jane Doe", email="jane@example.com")
    change = store.sync_tags(email="JANE@example.com", names=["VIP", "Follow-up"])
    assert [t.slug for t in change.tags] == ["follow-up", "vip"]
    assert change.contact_id == contact.id
    assert store.count_contacts(Tags(("vip",))) == 1
