"""The Rules screen: automation rules with their query, actions and current matches.

``a`` adds a rule (a form whose query is checked as you type), ``d`` deletes one, ``p``
previews what the highlighted rule would change, ``enter``/``x`` applies it after showing
that same summary, and ``A`` applies every rule the same way. Counting and applying run in
workers; the store does the work set-based (see ``store/automation.py``).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Header, Input, Label, Static

from tagtui.app.format import literal
from tagtui.app.screens.base import TagtuiModal, TagtuiScreen
from tagtui.app.screens.support import data_changed, plural, show_error
from tagtui.app.widgets.dialogs import ConfirmDialog
from tagtui.app.widgets.footer import AppFooter
from tagtui.app.widgets.list_table import ListTable
from tagtui.store import TagtuiError, ValidationError
from tagtui.store.automation import Rule, RuleEffect
from tagtui.textsafe import visible


class RulesScreen(TagtuiScreen):
    """Every automation rule; add, delete, preview and apply them."""

    TITLE = "Rules"
    CSS_PATH = "rules.tcss"

    BINDINGS = [
        Binding("escape", "close", "Back", id="rules.close"),
        Binding("a", "add", "Add", id="rules.add", tooltip="Add a rule: a query and its actions"),
        Binding("d", "delete", "Delete", id="rules.delete", tooltip="Delete the highlighted rule"),
        Binding("p", "preview", "Preview", id="rules.preview", tooltip="What the rule would change now"),
        Binding(
            "enter",
            "apply",
            "Apply",
            id="rules.apply",
            tooltip="Apply the rule after showing its effect",
            priority=True,  # before the table's own enter, so the footer shows it
        ),
        Binding("A", "apply_all", "Apply all", id="rules.apply_all", tooltip="Apply every rule, in one go"),
        Binding("r", "refresh", "Refresh", show=False, id="rules.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rules: list[Rule] = []
        self.matches: dict[str, int | None] = {}
        self._loaded = False
        #: Which reload the table shows (``_show`` drops the result of an earlier one).
        self._generation = 0
        self._has_rows = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="rules-summary")
        table: DataTable[Text | str] = ListTable(id="rules-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(
            "No rules yet. Press a to add one, e.g. followers>100000 → +Influencer.",
            id="rules-empty",
        )
        yield Static("", id="rules-preview")
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.table
        table.add_column("Name", key="name", width=24)
        table.add_column("Query", key="query", width=36)
        table.add_column("Actions", key="actions", width=36)
        table.add_column(Text("Matches", justify="right"), key="matches", width=9)
        table.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self._loaded:
            self.reload()

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one("#rules-table", DataTable)

    def current_rule(self) -> Rule | None:
        row = self.table.cursor_row
        if 0 <= row < len(self.rules):
            return self.rules[row]
        return None

    # -- loading -------------------------------------------------------------------

    def reload(self, polled: bool = False, *, select: str | None = None) -> None:
        if select is None:
            current = self.current_rule()
            select = current.name if current else None
        self._generation += 1
        self._fetch(select, self._generation)

    @work(thread=True, exclusive=True, group="rules-load", exit_on_error=False)
    def _fetch(self, select: str | None, generation: int) -> None:
        store = self.store
        rules = store.list_rules()
        matches = store.count_rule_matches()
        self.post_result(self._show, rules, matches, select, generation)

    def _show(
        self, rules: list[Rule], matches: dict[str, int | None], select: str | None, generation: int
    ) -> None:
        if generation != self._generation:
            return  # a read a later one replaced (it may have begun before a change): not shown
        self.rules, self.matches, self._loaded = list(rules), matches, True
        table = self.table
        row = table.cursor_row
        table.clear()
        for rule in self.rules:
            n = matches.get(rule.name)
            if rule.broken:
                count = Text("broken", justify="right", style="bold red")
            else:
                count = Text(
                    "invalid" if n is None else f"{n:,}", justify="right", style="red" if n is None else ""
                )
            table.add_row(
                literal(rule.name, "bold"),
                literal(rule.query, "dim strike" if rule.broken else ""),
                literal(rule.actions()),
                count,
                key=str(rule.id),
            )
        names = [r.name for r in self.rules]
        if select in names:
            row = names.index(select)
        if table.row_count:
            table.move_cursor(row=max(0, min(row, table.row_count - 1)), animate=False)
        self.query_one("#rules-summary", Label).update(
            f"{plural(len(self.rules), 'rule')} · a query and what to do to the contacts it selects"
        )
        self.query_one("#rules-empty", Static).display = not self.rules
        self._explain_broken()
        if self._has_rows != bool(self.rules):
            self._has_rows = bool(self.rules)
            self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#rules-table")
    def _explain_broken(self) -> None:
        """Under a broken rule, say why it no longer runs."""
        rule = self.current_rule()
        if rule is not None and rule.broken:
            why = Text("Broken: ", style="bold red")
            why.append(visible(rule.broken))
            why.append(". It is not run; delete it (d) and add it again.", style="dim")
            self.query_one("#rules-preview", Static).update(why)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("delete", "preview", "apply"):
            return self.current_rule() is not None
        if action == "apply_all":
            return bool(self.rules)
        return True

    # -- keys ----------------------------------------------------------------------

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.reload()

    def action_add(self) -> None:
        self.app.push_screen(RuleForm(), self._added)

    def _added(self, rule: Rule | None) -> None:
        if rule is None:
            return
        self.notify(f"Added rule '{visible(rule.name)}'.", markup=False)
        data_changed(self, "tags")  # the rule may have created tags
        self.reload(select=rule.name)

    def action_delete(self) -> None:
        rule = self.current_rule()
        if rule is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(rule.name)

        question = f"Delete rule '{visible(rule.name)}'? The contacts it changed keep their tags and status."
        self.app.push_screen(ConfirmDialog(question), answered)

    @work(thread=True, exclusive=True, group="rules-write", exit_on_error=False)
    def _delete(self, name: str) -> None:
        try:
            self.store.delete_rule(name)
        except TagtuiError as exc:
            self.post_result(show_error, self, exc)
        else:
            self.post_result(self.notify, f"Deleted rule '{visible(name)}'.", markup=False)
        self.post_result(self.reload)

    def action_preview(self) -> None:
        rule = self.current_rule()
        if rule is not None:
            self.query_one("#rules-preview", Static).update(Text("Counting…", style="dim"))
            self._count(rule.name, then_apply=False)

    def action_apply(self) -> None:
        rule = self.current_rule()
        if rule is not None:
            self._count(rule.name, then_apply=True)

    def action_apply_all(self) -> None:
        if self.rules:
            self._count(None, then_apply=True)

    @on(DataTable.RowSelected, "#rules-table")
    def _row_selected(self) -> None:
        self.action_apply()

    @work(thread=True, exclusive=True, group="rules-preview", exit_on_error=False)
    def _count(self, name: str | None, then_apply: bool) -> None:
        try:
            effects = self.store.preview_rules(name)
        except TagtuiError as exc:
            self.post_result(show_error, self, exc)
            return
        self.post_result(self._counted, name, effects, then_apply)

    def _counted(self, name: str | None, effects: list[RuleEffect], then_apply: bool) -> None:
        text = effects_text(effects)
        self.query_one("#rules-preview", Static).update(text)
        if not then_apply:
            return
        if not any(e.plan.changes for e in effects):
            self.notify("Nothing to change: every matching contact already has what the rules give.")
            return
        what = f"rule '{visible(name)}'" if name is not None else f"all {plural(len(effects), 'rule')}"

        def answered(yes: bool | None) -> None:
            if yes:
                self._apply(name)

        question = f"Apply {what}?\n\n{text.plain}"
        self.app.push_screen(ConfirmDialog(question, confirm_label="Apply"), answered)

    @work(thread=True, exclusive=True, group="rules-write", exit_on_error=False)
    def _apply(self, name: str | None) -> None:
        try:
            effects = self.store.apply_rules(name)
        except TagtuiError as exc:
            self.post_result(show_error, self, exc)
            return
        self.post_result(self._applied, effects)

    def _applied(self, effects: list[RuleEffect]) -> None:
        text = effects_text(effects)
        self.query_one("#rules-preview", Static).update(text)
        self.notify(f"Applied: {text.plain}", markup=False)
        data_changed(self, "contacts")
        self.reload()


def effects_text(effects: list[RuleEffect]) -> Text:
    """``Influencers (12 matches): +Influencer on 3 contacts`` per rule, database text literal."""
    out = Text()
    for i, e in enumerate(effects):
        if i:
            out.append("\n")
        out.append_text(literal(e.rule.name, "bold"))
        if e.broken:
            out.append(": broken, not run ", style="red")
            out.append(f"({visible(e.broken)})", style="dim")
            continue
        out.append(f" ({plural(e.matches, 'match', 'matches')}): ", style="dim")
        out.append(visible(e.plan.summary()))
    return out


class RuleForm(TagtuiModal[Rule | None]):
    """A new rule: name, query (checked as typed), tags to add and remove, a status."""

    CSS_PATH = "rules.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="rule_form.cancel"),
        Binding("ctrl+s", "save", "Save", id="rule_form.save"),
    ]

    FIELDS: dict[str, tuple[str, str]] = {
        "name": ("Name", "e.g. Influencers"),
        "query": ("Query", "e.g. followers>100000 -tag:influencer"),
        "add": ("Add tags", "comma-separated; missing tags are created"),
        "remove": ("Remove tags", "comma-separated"),
        "status": ("Status", "optional: the status to set"),
    }

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Label(Text("New rule", style="bold"), id="form-title")
            for field, (label, placeholder) in self.FIELDS.items():
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="form-label")
                    yield Input(placeholder=placeholder, id=f"rule-{field}", select_on_focus=False)
                yield Label(id=f"rule-{field}-error", classes="form-error", markup=False)
            yield Label(id="rule-form-error", classes="form-error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Save (ctrl+s)", variant="primary", id="save")

    def on_mount(self) -> None:
        self.query_one("#rule-name", Input).focus()

    def _value(self, field: str) -> str:
        return self.query_one(f"#rule-{field}", Input).value

    def _set_error(self, field: str, message: str | None) -> None:
        label = self.query_one(f"#rule-{field}-error", Label)
        label.update(message or "")
        label.set_class(bool(message), "-shown")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        field = (event.input.id or "").removeprefix("rule-")
        if field == "query":
            self._check_query(event.value)
        elif field in self.FIELDS:
            self._set_error(field, None)
        self._set_error("form", None)

    def _check_query(self, text: str) -> bool:
        """Parse as typed (no database): a bad query shows where it goes wrong."""
        from tagtui.query.parse import parse

        if not text.strip():
            self._set_error("query", None)
            return True
        try:
            parse(text)
        except ValidationError as exc:
            self._set_error("query", _positioned(text, exc))
            return False
        self._set_error("query", None)
        return True

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        fields = list(self.FIELDS)
        field = (event.input.id or "").removeprefix("rule-")
        if field in fields and fields.index(field) < len(fields) - 1:
            self.query_one(f"#rule-{fields[fields.index(field) + 1]}", Input).focus()
        else:
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if not self._check_query(self._value("query")):
            self.query_one("#rule-query", Input).focus()
            return
        values = {field: self._value(field) for field in self.FIELDS}
        self._save(values)

    @work(thread=True, exclusive=True, group="rule-form", exit_on_error=False)
    def _save(self, values: dict[str, str]) -> None:
        def names(text: str) -> list[str]:
            return [part.strip() for part in text.split(",") if part.strip()]

        try:
            rule = self.store.add_rule(
                values["name"],
                values["query"],
                add=names(values["add"]),
                remove=names(values["remove"]),
                status=values["status"].strip() or None,
            )
        except TagtuiError as exc:
            self.post_result(self._failed, exc, values["query"])
            return
        self.post_result(self.dismiss, rule)

    def _failed(self, exc: TagtuiError, query: str) -> None:
        field = {
            "rule name": "name",
            "name": "name",
            "query": "query",
            "add": "add",
            "remove": "remove",
            "status": "status",
        }.get(getattr(exc, "field", None) or "", "form")
        message = _positioned(query, exc) if field == "query" else str(exc)
        self._set_error(field, message)
        if field != "form":
            self.query_one(f"#rule-{field}", Input).focus()


def _positioned(text: str, exc: Any) -> str:
    """The error, with a caret under the place in the query it names."""
    position = getattr(exc, "position", None)
    if position is None:
        return str(exc)
    return f"{visible(text)}\n{' ' * min(position, len(text))}^ {exc}"
