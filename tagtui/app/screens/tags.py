"""The Tags screen: every tag with its swatch, emoji, slug, description and contact count.

Tags are fetched a page at a time in a worker; ``n`` / ``e`` / ``d`` create, edit and
delete them through ``TagForm`` and a confirmation that says how many contacts lose the tag;
``m`` merges the current tag into another one picked from a list (one undo step).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Label, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tagtui.app.format import chip, literal, swatch
from tagtui.app.screens.label_list import LabelItem, LabelListScreen
from tagtui.app.screens.picker import TagPicker, matches_text
from tagtui.app.screens.support import data_changed, plural, show_error
from tagtui.app.screens.tag_form import TagForm
from tagtui.app.widgets.dialogs import ConfirmDialog
from tagtui.app.widgets.footer import AppFooter
from tagtui.app.widgets.list_table import ListTable
from tagtui.store import Store, Tag, TagtuiError
from tagtui.textsafe import visible

PAGE = 100
#: Rows left below the cursor when the next page is fetched.
PREFETCH = 20
MAX_RELOAD = 1000


def _cut(value: str | None, width: int, style: str = "") -> Text:
    text = literal(value, style)
    text.truncate(width, overflow="ellipsis")
    return text


class MergeTargetPicker(TagPicker):
    """Choose the one tag to merge into: a plain list (no check boxes), enter picks it at once."""

    def __init__(self, title: str, tags: list[Tag]) -> None:
        super().__init__(title, tags)
        self.help_text = "type to search · enter merges into the highlighted tag · esc cancels"

    def compose_extra(self) -> ComposeResult:
        return iter(())  # one tag is chosen: no "Chosen:" line

    def _show_chosen(self) -> None:
        pass

    def options(self, needle: str) -> list[Option]:
        out = []
        for tag in self.tags:
            if not matches_text(needle, tag.name, tag.slug, tag.description):
                continue
            prompt = chip(tag.name, tag.color, tag.emoji)
            prompt.append(f"  {plural(tag.contacts or 0, 'contact')}", style="dim")
            out.append(Option(prompt, id=str(tag.id)))
        if not out:
            out.append(Option(Text("no tag matches", style="dim italic"), id="none", disabled=True))
        return out

    def toggle(self, tag_id: int) -> None:
        self.dismiss([tag_id])


class TagSearch(Input):
    """The Tags screen's search box: ``down`` (or ``enter``) goes on to the list."""

    BINDINGS = [Binding("down", "to_list", "To the list", show=False, id="tags.search_down")]

    def action_to_list(self) -> None:
        self.screen.query_one("#tags-table", DataTable).focus()


class TagsScreen(LabelListScreen):
    """All tags of the workspace; create, edit, delete, search."""

    TITLE = "Tags"
    CSS_PATH = "tags.tcss"
    OWN_KEYS = ("tags.search",)  # `/` searches the tags here, not the contacts
    KIND = "tag"
    TOPIC = "tags"
    FORM = TagForm
    COLUMNS = (
        ("", "swatch", 2, False),
        ("Emoji", "emoji", 5, False),
        ("Name", "name", 28, False),
        ("Slug", "slug", 24, False),
        ("Description", "description", 40, False),
        ("Contacts", "count", 10, True),
    )

    BINDINGS = [
        Binding("n", "new", "New", id="tags.new"),
        Binding("e", "edit", "Edit", id="tags.edit"),
        Binding("d", "delete", "Delete", id="tags.delete"),
        Binding(
            "m",
            "merge",
            "Merge",
            id="tags.merge",
            tooltip="Merge this tag into another: its contacts get that tag, this one is deleted",
        ),
        # A priority binding, as the app's `/` (see there): `/vip` in one burst searches for "vip".
        Binding("slash", "search", "Search tags", id="tags.search", priority=True),
        Binding("r", "refresh", "Refresh", id="tags.refresh"),
        Binding(
            "H", "history", "History", show=False, id="tags.history", tooltip="The highlighted tag's history"
        ),
        Binding("escape", "clear_search", "Clear search", id="tags.clear_search"),
        Binding(
            "i",
            "insight",
            "Tag insight",
            id="tags.insight",
            tooltip="Tag insight: which tags occur together (among the contacts of the current filter)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[int, Tag] = {}
        self.total = 0
        self.all_count = 0
        self.search = ""
        #: Bumped by every fresh load, so a late page of an older load is dropped.
        self._generation = 0
        self._loading_more = False
        self._loaded = False
        #: The tag the cursor goes to when the running load is applied (a new or edited tag).
        self._pending_select: int | None = None
        self._binding_state: tuple[bool, ...] = ()

    # -- layout --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="tags-bar"):
            yield Label("Search", id="tags-search-label")
            yield TagSearch(placeholder="part of a tag name  ( / )", id="tags-search")
            yield Label("", id="tags-summary")
        table: DataTable[Text | str] = ListTable(id="tags-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("No tags yet. Press n to create one.", id="tags-empty")
        yield AppFooter()

    # -- loading -------------------------------------------------------------------

    def action_history(self) -> None:
        from tagtui.app.screens.history import HistoryScreen

        tag = self.current_item()
        if tag is not None:
            self.app.push_screen(HistoryScreen(tag=tag.id, about=tag.name))

    def current_item(self) -> Tag | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.tags.get(int(key)) if key is not None else None

    def reload(self, polled: bool = False, *, select: int | None = None) -> None:
        """Fetch again the rows shown (at least a page), keeping the cursor on ``select`` or its tag."""
        if select is None:
            current = self.current_item()
            select = self._pending_select or (current.id if current else None)
        self._pending_select = select
        self._generation += 1
        self._loading_more = False
        limit = min(MAX_RELOAD, max(PAGE, self.table.row_count))
        self._fetch(self.search, 0, limit, self._generation, select)

    @work(thread=True, exclusive=True, group="tags-load", exit_on_error=False)
    def _fetch(self, search: str, offset: int, limit: int, generation: int, select: int | None) -> None:
        store = self.store
        tags = store.list_tags(search=search or None, limit=limit, offset=offset)
        total = store.count_tags(search or None)
        all_count = total if not search else store.count_tags()
        if not get_current_worker().is_cancelled:
            self.post_result(self._apply, tags, total, all_count, offset, generation, select)

    @work(thread=True, exclusive=True, group="tags-more", exit_on_error=False)
    def _fetch_more(self, search: str, offset: int, generation: int) -> None:
        store = self.store
        tags = store.list_tags(search=search or None, limit=PAGE, offset=offset)
        self.post_result(self._apply_more, tags, offset, generation)

    def _row(self, tag: Tag) -> list[Text | str]:
        return [
            swatch(tag.color),
            literal(tag.emoji),
            _cut(tag.name, self.column_width("name"), "bold"),
            _cut(tag.slug, self.column_width("slug"), "dim"),
            _cut(tag.description, self.column_width("description")),
            Text(f"{tag.contacts or 0:,}", justify="right"),
        ]

    def _apply(
        self,
        tags: list[Tag],
        total: int,
        all_count: int,
        offset: int,
        generation: int,
        select: int | None,
    ) -> None:
        if generation != self._generation:
            return
        self._pending_select = None
        table = self.table
        old_row = table.cursor_row
        table.clear()
        self.tags = {}
        for tag in tags:
            self.tags[tag.id] = tag
            table.add_row(*self._row(tag), key=str(tag.id))
        self.total, self.all_count = total, all_count
        self._loaded = True
        if table.row_count:
            row = (
                table.get_row_index(str(select)) if select in self.tags else min(old_row, table.row_count - 1)
            )
            table.move_cursor(row=max(row, 0), animate=False)
        self._update_summary()

    def _apply_more(self, tags: list[Tag], offset: int, generation: int) -> None:
        self._loading_more = False
        table = self.table
        if generation != self._generation or offset != table.row_count:
            return
        for tag in tags:
            if tag.id in self.tags:
                continue
            self.tags[tag.id] = tag
            table.add_row(*self._row(tag), key=str(tag.id))
        self._update_summary()

    def _update_summary(self) -> None:
        shown = self.table.row_count
        if self.search:
            text = f"{self.total:,} of {plural(self.all_count, 'tag')} match"
        else:
            text = plural(self.total, "tag")
        if shown < self.total:
            text += f" · {shown:,} loaded"
        self.query_one("#tags-summary", Label).update(text)
        self._sync_bindings()
        empty = self.query_one("#tags-empty", Static)
        empty.display = self._loaded and not shown
        empty.update("No tag matches the search." if self.search else "No tags yet. Press n to create one.")

    @on(DataTable.RowHighlighted, "#tags-table")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        table = self.table
        if (
            not self._loading_more
            and table.row_count < self.total
            and event.cursor_row >= table.row_count - PREFETCH
        ):
            self._loading_more = True
            self._fetch_more(self.search, table.row_count, self._generation)

    # -- search --------------------------------------------------------------------

    def action_search(self) -> None:
        # At once (``Widget.focus`` waits for the keys already queued): they are the search.
        self.set_focus(self.query_one("#tags-search", Input))

    @on(Input.Changed, "#tags-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search = event.value.strip()
        self.reload()

    @on(Input.Submitted, "#tags-search")
    def _search_done(self) -> None:
        self.table.focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#tags-search", Input)
        if search.value:
            search.value = ""
        self.table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "delete", "merge"):
            return self.current_item() is not None
        if action == "search":
            from tagtui.app.keymap import typed_by

            return not typed_by(self.focused, TagsScreen, "tags.search", self.tagtui_app.config.keys)
        if action == "clear_search":
            return bool(self.search) or self.query_one("#tags-search", Input).has_focus
        return True

    def _sync_bindings(self) -> None:
        """Refresh the footer only when what ``check_action`` answers can change (it is not free)."""
        state = (self.table.row_count > 0, bool(self.search))
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    # -- create / edit / delete (LabelListScreen) ---------------------------------

    def get_item(self, store: Store, item_id: int) -> Tag:
        return store.get_tag(item_id)

    def delete_item(self, store: Store, item_id: int, *, force: bool = False) -> int:
        return store.delete_tag(item_id, force=force)

    def delete_question(self, item: LabelItem) -> str:
        n = item.contacts or 0
        loses = (
            "No contact has it." if n == 0 else f"{plural(n, 'contact')} {'loses' if n == 1 else 'lose'} it."
        )
        return f"Delete tag '{visible(item.name)}'? {loses}"

    def deleted_message(self, name: str, contacts: int) -> str:
        return f"Deleted tag '{visible(name)}'; {plural(contacts, 'contact')} lost it."

    # -- merge ---------------------------------------------------------------------

    def action_merge(self) -> None:
        tag = self.current_item()
        if tag is not None:
            self._ask_merge(tag.id)

    @work(thread=True, exclusive=True, group="tags-merge", exit_on_error=False)
    def _ask_merge(self, tag_id: int) -> None:
        store = self.store
        try:
            source = store.get_tag(tag_id)
            others = [t for t in store.list_tags(limit=MAX_RELOAD) if t.id != source.id]
        except TagtuiError as exc:
            self.post_result(show_error, self, exc)
            self.post_result(self.reload)
            return
        self.post_result(self._pick_target, source, others)

    def _pick_target(self, source: Tag, others: list[Tag]) -> None:
        if not others:
            self.notify("There is no other tag to merge into.", severity="warning")
            return

        def chosen(ids: list[int] | None) -> None:
            target = next((t for t in others if ids and t.id == ids[0]), None)
            if target is not None:
                self._confirm_merge(source, target)

        self.app.push_screen(MergeTargetPicker(f"Merge '{visible(source.name)}' into…", others), chosen)

    def _confirm_merge(self, source: Tag, target: Tag) -> None:
        n = source.contacts or 0
        moves = "No contact has it." if n == 0 else f"{plural(n, 'contact')} {'moves' if n == 1 else 'move'}."
        question = (
            f"Merge tag '{visible(source.name)}' into '{visible(target.name)}'? {moves}"
            f" '{visible(source.name)}' is deleted (ctrl+z undoes it)."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._merge(source.id, target.id)

        self.app.push_screen(ConfirmDialog(question, confirm_label="Merge"), answered)

    @work(thread=True, exclusive=True, group="tags-merge", exit_on_error=False)
    def _merge(self, source_id: int, target_id: int) -> None:
        try:
            result = self.store.merge_tags(source_id, target_id)
        except TagtuiError as exc:
            self.post_result(show_error, self, exc)
            self.post_result(self.reload)
            return
        self.post_result(
            self.notify,
            f"Merged '{visible(result.source_name)}' into '{visible(result.target_name)}':"
            f" {plural(result.contacts, 'contact')} moved.",
            markup=False,
        )
        self.post_result(data_changed, self, "tags")
        self.post_result(self.reload, select=target_id)

    def action_insight(self) -> None:
        from tagtui.app.screens.insight import InsightScreen

        self.app.push_screen(InsightScreen())
