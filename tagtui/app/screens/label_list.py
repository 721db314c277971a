"""What the Tags and Statuses screens share: create and edit through a form, delete after a question."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from rich.text import Text
from textual import on
from textual.events import Resize
from textual.widgets import DataTable

from tagtui.app.screens.base import TagtuiScreen
from tagtui.app.screens.support import data_changed, show_error
from tagtui.app.widgets.dialogs import ConfirmDialog
from tagtui.store import Store, TagtuiError
from tagtui.textsafe import visible

#: Columns of free text, which give way on a narrow terminal (down to ``MIN_TEXT`` cells).
TEXT_COLUMNS = frozenset({"name", "slug", "description", "color"})
MIN_TEXT = 10


class LabelItem(Protocol):
    """A tag or a status, as far as this screen needs one."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def contacts(self) -> int | None: ...


class LabelListScreen(TagtuiScreen):
    """A table of labels (tags or statuses): ``n`` / ``e`` open ``FORM``, ``d`` deletes after a question.

    A subclass names its kind and its columns, and says which row is current, how to fetch
    and delete one label in the store, and what the delete question and notification say.
    """

    #: The label's name in messages: "tag" or "status".
    KIND: ClassVar[str]
    #: The ``DataChanged`` topic and the prefix of worker groups: "tags" or "statuses".
    TOPIC: ClassVar[str]
    #: The form that creates (no argument) or edits (a label) one label and returns it.
    FORM: ClassVar[type[Any]]
    #: The table's columns: header, key, width, and whether the header is right-aligned.
    COLUMNS: ClassVar[tuple[tuple[str, str, int, bool], ...]]

    def on_mount(self) -> None:
        self._columns_for: int | None = None
        self._set_columns(self.app.size.width)
        self.table.focus()

    def on_resize(self, event: Resize) -> None:
        if self._set_columns(event.size.width):
            self.reload()

    def fitted_columns(self, width: int) -> list[tuple[str, str, int, bool]]:
        """``COLUMNS``, the text columns narrowed (to ``MIN_TEXT`` at least) so the rest stay in view."""
        columns = list(self.COLUMNS)
        over = sum(w + 2 for _, _, w, _ in columns) + 2 - width  # 2: the scrollbar
        room = sum(w - MIN_TEXT for _, key, w, _ in columns if key in TEXT_COLUMNS and w > MIN_TEXT)
        if over <= 0 or room <= 0:
            return columns
        out = []
        for header, key, w, right in columns:
            if key in TEXT_COLUMNS and w > MIN_TEXT:
                w = max(MIN_TEXT, w - -(-over * (w - MIN_TEXT) // room))
            out.append((header, key, w, right))
        return out

    def column_width(self, key: str) -> int:
        """The width the column ``key`` has now (for cutting its text with an ellipsis)."""
        return self._widths.get(key, 20)

    def _set_columns(self, width: int) -> bool:
        """Lay the columns out for ``width``; True when they changed (the rows must be made again)."""
        columns = self.fitted_columns(width)
        widths = {key: w for _, key, w, _ in columns}
        if widths == getattr(self, "_widths", None):
            return False
        self._widths = widths
        table = self.table
        table.clear(columns=True)
        for header, key, w, right in columns:
            table.add_column(Text(header, justify="right") if right else header, key=key, width=w)
        return True

    def on_screen_resume(self) -> None:
        # Labels and counts change on other screens: reload whenever this screen is shown again.
        self.reload()

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one(f"#{self.TOPIC}-table", DataTable)

    def current_item(self) -> LabelItem | None:
        raise NotImplementedError

    def reload(self, polled: bool = False, *, select: int | None = None) -> None:
        raise NotImplementedError

    def get_item(self, store: Store, item_id: int) -> LabelItem:
        raise NotImplementedError

    def delete_item(self, store: Store, item_id: int, *, force: bool = False) -> int:
        """Delete the label (``force``: even if views or rules name it); return how many contacts had it."""
        raise NotImplementedError

    def delete_question(self, item: LabelItem) -> str:
        raise NotImplementedError

    def deleted_message(self, name: str, contacts: int) -> str:
        raise NotImplementedError

    # -- create / edit -------------------------------------------------------------

    def action_new(self) -> None:
        self.app.push_screen(self.FORM(), self._saved)

    def action_edit(self) -> None:
        item = self.current_item()
        if item is not None:
            self.app.push_screen(self.FORM(item), self._saved)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is self.table:
            self.action_edit()

    def _saved(self, item: LabelItem | None) -> None:
        if item is None:
            return
        self.notify(f"Saved {self.KIND} '{visible(item.name)}'.", markup=False)
        data_changed(self, self.TOPIC)
        self.reload(select=item.id)

    # -- delete --------------------------------------------------------------------

    def action_delete(self) -> None:
        item = self.current_item()
        if item is not None:
            self._ask_delete(item.id)

    def _ask_delete(self, item_id: int) -> None:
        self._run_delete_worker(self._fetch_for_delete, item_id)

    def _fetch_for_delete(self, item_id: int) -> None:
        try:
            store = self.store
            item = self.get_item(store, item_id)  # a fresh count for the question
            users = store.stored_queries_naming(self.KIND, item_id)
        except TagtuiError as exc:
            self.post_result(show_error, self, exc)
            self.post_result(self.reload)
            return
        self.post_result(self._confirm_delete, item, users)

    def _confirm_delete(self, item: LabelItem, users: list[str]) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                # Forced only over the views and rules the question named: one saved since is refused.
                self._delete(item.id, item.name, bool(users))

        question = self.delete_question(item)
        if users:
            question += (
                f" Named by {', '.join(users)}: {'it' if len(users) == 1 else 'they'} will be marked"
                " broken and no longer run."
            )
        self.app.push_screen(ConfirmDialog(question), answered)

    def _delete(self, item_id: int, name: str, force: bool = False) -> None:
        self._run_delete_worker(self._delete_in_thread, item_id, name, force)

    def _delete_in_thread(self, item_id: int, name: str, force: bool = False) -> None:
        try:
            contacts = self.delete_item(self.store, item_id, force=force)
        except TagtuiError as exc:
            self.post_result(show_error, self, exc)
        else:
            self.post_result(self.notify, self.deleted_message(name, contacts), markup=False)
            self.post_result(data_changed, self, self.TOPIC)
        self.post_result(self.reload)

    def _run_delete_worker(self, work: Any, *args: Any) -> None:
        # One group per screen kind ("tags-delete"): a second delete replaces a running one.
        self.run_worker(
            lambda: work(*args),
            name=work.__name__,
            group=f"{self.TOPIC}-delete",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def action_refresh(self) -> None:
        self.reload()
