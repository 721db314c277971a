"""The query bar: an Input that completes field names, tags, statuses and assignees.

``tab`` completes the word the query ends with (prefix first, then fuzzy; see
``tagtui.query.complete``) and the bar shows the prefix completion dimmed as you type
(``right`` at the end takes it too). The words come from one store call, cached until
``load_words`` is called again (the screen does so when the data changes).
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.binding import Binding
from textual.suggester import Suggester
from textual.widgets import Input

from tagtui.app.screens.base import InApp, TakesResults
from tagtui.query.complete import Vocabulary, complete
from tagtui.store import TagtuiError


class QuerySuggester(Suggester):
    """Suggests the prefix completion of the word the query ends with."""

    def __init__(self) -> None:
        # No cache: the words change (a tag created, renamed); completing is cheap.
        super().__init__(use_cache=False, case_sensitive=True)
        self.words = Vocabulary()

    async def get_suggestion(self, value: str) -> str | None:
        completed = complete(value, self.words, fuzzy=False)
        # Shown as the rest of what is typed: only a completion that extends the text as typed.
        if completed is None or not completed.lower().startswith(value.lower()):
            return None
        return completed


class QueryInput(InApp, TakesResults, Input):
    """The query bar. ``tab`` completes; ``escape`` or ``down`` hands the keyboard back to the table."""

    BINDINGS = [
        Binding("escape", "leave", "Back to the list", id="query.leave"),
        Binding("down", "leave", "Back to the list", show=False, id="query.down"),
        Binding(
            "tab", "complete", "Complete a field, tag, status or assignee", show=False, id="query.complete"
        ),
    ]

    def __init__(self, **kwargs: Any) -> None:
        self.suggester_words = QuerySuggester()
        super().__init__(suggester=self.suggester_words, **kwargs)

    def action_leave(self) -> None:
        from tagtui.app.widgets.contact_table import ContactTable

        self.screen.query_one(ContactTable).focus()

    def action_complete(self) -> None:
        """Complete the last word (prefix, else fuzzy); with nothing to complete, focus moves on."""
        completed = complete(self.value, self.suggester_words.words) if self.cursor_at_end else None
        if completed is None or completed == self.value:
            self.screen.focus_next()
            return
        self.value = completed
        self.cursor_position = len(completed)

    def load_words(self) -> None:
        """Read the workspace's tags, statuses and assignees again (in a worker)."""
        self._load_words()

    @work(thread=True, exclusive=True, group="query-words", exit_on_error=False)
    def _load_words(self) -> None:
        try:
            words = self.store.query_vocabulary()
        except TagtuiError:
            return  # completion is a help, not a must: the bar still takes any query
        self.post_result(self._set_words, words)

    def _set_words(self, words: Vocabulary) -> None:
        self.suggester_words.words = words
