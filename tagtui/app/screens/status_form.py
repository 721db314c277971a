"""The create / edit form of a pipeline status: a name and a color, checked by the store."""

from __future__ import annotations

from tagtui.app.screens.tag_form import LabelForm, optional_text
from tagtui.store import UNSET, NotFound, Status, Store


class StatusForm(LabelForm):
    """Create a status (``StatusForm()``) or edit one (``StatusForm(status)``); returns it or None."""

    CSS_PATH = "tag_form.tcss"
    FIELDS = ("name", "color")
    NOUN = "status"

    def _save(self, store: Store, values: dict[str, str | None], rev: int | None) -> Status:
        color = optional_text(values["color"])
        if self.item is None:
            return store.create_status(values["name"] or "", color=color)
        return store.update_status(
            self.item.id,
            name=values["name"] or "",
            color=color if color is not None else UNSET,
            rev=rev,
        )

    def _load(self, store: Store, item_id: int) -> Status:
        try:
            return store.get_status(item_id)
        except NotFound as exc:
            raise NotFound("this status was deleted meanwhile; cancel to go back") from exc
