"""Automation rules: a query plus actions (add tags, remove tags, set a status), applied in bulk.

Reference 000 tags contacts by follower count; a rule generalises it (``followers>100000``
→ add ``Influencer``). Previews and applies are set-based (see ``plans.py``); applying all
rules is one transaction, and applying again changes nothing that the first apply did.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagtui.query.filter import Filter
from tagtui.store.base import StoreBase, as_refs
from tagtui.store.columns import columns_of, insert_sql
from tagtui.store.db import IntegrityViolation, Tx
from tagtui.store.errors import Conflict, NotFound, ValidationError
from tagtui.store.identity import text_key
from tagtui.store.plans import BulkPlan
from tagtui.store.schema import now
from tagtui.store.types import JsonRecord, TagRef
from tagtui.store.validation import clean_label_name, clean_text

if TYPE_CHECKING:
    from tagtui.store.plans import PlanService
    from tagtui.store.store import Store
    from tagtui.store.tags import TagService

RULE_NAME_MAX = 100
QUERY_MAX = 2000
_INSERT_RULE = (
    insert_sql(
        "rule",
        columns_of("rule", but=["id"]),
        workspace_id=":ws",
        name_key=":key",
        add_tags=":add",
        remove_tags=":remove",
        status_id=":sid",
        created_at=":at",
        updated_at=":at",
        rev="1",
        broken="NULL",
    )
    + " RETURNING id"
)


@dataclass(frozen=True)
class Rule(JsonRecord):
    """A saved rule; its tags are those that still exist."""

    id: int
    name: str
    query: str
    add: tuple[TagRef, ...]
    remove: tuple[TagRef, ...]
    status_id: int | None
    status: str | None
    created_at: str
    updated_at: str
    rev: int
    #: Why the rule no longer runs (a tag or status it names was deleted), or ``None``.
    broken: str | None = None

    def actions(self) -> str:
        """``+Influencer −Cold status→Qualified``: the actions in one line."""
        parts = [f"+{t.name}" for t in self.add] + [f"−{t.name}" for t in self.remove]
        if self.status is not None:
            parts.append(f"status → {self.status}")
        return " ".join(parts) or "(no actions left)"

    def to_json(self) -> dict[str, Any]:  # its tags by name
        return {
            "id": self.id,
            "name": self.name,
            "query": self.query,
            "add": [t.name for t in self.add],
            "remove": [t.name for t in self.remove],
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "rev": self.rev,
            "broken": self.broken,
        }


@dataclass(frozen=True)
class RuleEffect(JsonRecord):
    """One rule and what it would do (preview) or did (apply)."""

    rule: Rule
    plan: BulkPlan
    #: Why the rule was not run (it is broken), or ``None``.
    broken: str | None = None

    @property
    def matches(self) -> int:
        return self.plan.selected

    def to_json(self) -> dict[str, Any]:  # the rule by name, its plan's fields beside its own
        return {
            "rule": self.rule.name,
            "query": self.rule.query,
            "matches": self.matches,
            **self.plan.to_json(),
            "broken": self.broken,
        }


class AutomationService:
    """A part of the store (``Store`` delegates to it): ``core`` is the workspace and its
    transactions, ``store`` the whole store, through which it reaches the parts it is not given."""

    def __init__(self, core: StoreBase, store: Store, plans: PlanService, tags: TagService) -> None:
        self._core = core
        self._store = store
        self._plans = plans
        self._tags = tags

    # -- reading ---------------------------------------------------------------------

    def list_rules(self) -> list[Rule]:
        """Every rule of the workspace, by name."""
        return self._core._read(lambda tx: self._load_rules(tx, None))

    def get_rule(self, name: str) -> Rule:
        return self._core._read(lambda tx: self._rule_named(tx, name))

    def count_rule_matches(self) -> dict[str, int | None]:
        """How many contacts each rule's query selects now (``None``: the query no longer compiles)."""

        def run(tx: Tx) -> dict[str, int | None]:
            out: dict[str, int | None] = {}
            for rule in self._load_rules(tx, None):
                if rule.broken:
                    out[rule.name] = None
                    continue
                try:
                    where, params = self._core._selection(tx, self._rule_filter(rule))
                except ValidationError:
                    out[rule.name] = None
                    continue
                out[rule.name] = tx.scalar(f"SELECT COUNT(*) FROM contact c WHERE {where}", params)
            return out

        return self._core._read(run)

    def _load_rules(self, tx: Tx, name_key: str | None) -> list[Rule]:
        sql = (
            "SELECT r.id, r.name, r.query, r.add_tags, r.remove_tags, r.status_id, s.name, r.created_at,"
            " r.updated_at, r.rev, r.broken FROM rule r LEFT JOIN status s ON s.id = r.status_id"
            " WHERE r.workspace_id = :ws"
        )
        params = self._core._params()
        if name_key is not None:
            sql += " AND r.name_key = :key"
            params["key"] = name_key
        rows = tx.all(sql + " ORDER BY r.name_key, r.id", params)
        wanted: set[int] = set()
        for r in rows:
            wanted.update(json.loads(r[3]))
            wanted.update(json.loads(r[4]))
        tags: dict[int, TagRef] = {}
        if wanted:
            cond, p = self._core.db.in_list("t.id", "ids", sorted(wanted))
            for row in tx.all(f"SELECT t.id, t.name, t.slug, t.color, t.emoji FROM tag t WHERE {cond}", p):
                tags[row[0]] = TagRef(*row)
        return [
            Rule(
                id=r[0],
                name=r[1],
                query=r[2],
                add=tuple(tags[t] for t in json.loads(r[3]) if t in tags),
                remove=tuple(tags[t] for t in json.loads(r[4]) if t in tags),
                status_id=r[5],
                status=r[6],
                created_at=r[7],
                updated_at=r[8],
                rev=r[9],
                broken=r[10],
            )
            for r in rows
        ]

    def _rule_named(self, tx: Tx, name: str) -> Rule:
        key = text_key(name.strip()) if isinstance(name, str) else ""
        found = self._load_rules(tx, key) if key else []
        if not found:
            raise NotFound(f"no rule named {str(name).strip()!r}", field="rule")
        return found[0]

    @staticmethod
    def _rule_filter(rule: Rule) -> Filter:
        from tagtui.query.parse import parse

        return parse(rule.query)

    # -- writing ---------------------------------------------------------------------

    def add_rule(
        self,
        name: str,
        query: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        status: int | str | None = None,
    ) -> Rule:
        """A new rule. Tags its actions name that do not exist yet are created (by slug)."""
        from tagtui.query.parse import parse

        clean = clean_text(name, field="rule name", limit=RULE_NAME_MAX, required=True)
        assert clean is not None
        if not isinstance(query, str):
            raise ValidationError("the query must be text", field="query")
        text = query.strip()
        if not text:
            raise ValidationError(
                "a rule needs a query (a rule over every contact is a bulk edit)", field="query"
            )
        if len(text) > QUERY_MAX:
            raise ValidationError(
                f"the query is {len(text)} characters; the limit is {QUERY_MAX}", field="query"
            )
        parsed = parse(text)
        add_names = _label_names(as_refs(add, "add"))
        remove_names = _label_names(as_refs(remove, "remove"))
        both = set(add_names) & set(remove_names)
        if both:
            raise ValidationError(
                f"tag {add_names[sorted(both)[0]]!r} cannot be both added and removed", field="tags"
            )
        if not add_names and not remove_names and status is None:
            raise ValidationError(
                "a rule needs an action: tags to add (--add), tags to remove (--remove) or a status",
                field="actions",
            )

        def run(tx: Tx) -> Rule:
            key = text_key(clean)
            if tx.scalar(
                "SELECT id FROM rule WHERE workspace_id = :ws AND name_key = :key",
                self._core._params(key=key),
            ):
                raise Conflict(f"a rule named {clean!r} already exists", field="name")
            status_id = None if status is None else self._core._status_id(tx, status)
            created: list[int] = []

            def ids(names: dict[str, str]) -> list[int]:
                out = []
                for slug, label in names.items():
                    tag_id, was_created = self._tags._find_or_create_tag(tx, label, slug)
                    if was_created:
                        created.append(tag_id)
                    out.append(tag_id)
                return out

            add_ids, remove_ids = ids(add_names), ids(remove_names)
            self._core._compile(tx, parsed)  # after creating tags: the query may name one of them
            stamp = now()
            try:
                rule_id = tx.scalar(
                    _INSERT_RULE,
                    self._core._params(
                        name=clean,
                        key=key,
                        query=text,
                        add=json.dumps(add_ids),
                        remove=json.dumps(remove_ids),
                        sid=status_id,
                        at=stamp,
                    ),
                )
            except IntegrityViolation as exc:
                raise Conflict(f"a rule named {clean!r} already exists", field="name") from exc
            self._core._event(
                tx,
                "rule.created",
                "rule",
                rule_id,
                name=clean,
                query=text,
                add=add_ids,
                remove=remove_ids,
                status=status_id,
                tags_created=created,
                created_at=stamp,
            )
            self._core._label(tx, "rule.created", f"Added rule {clean}")
            return self._load_rules(tx, key)[0]

        return self._core._write(run)

    def delete_rule(self, name: str) -> Rule:
        """Delete a rule by name (any case); the contacts it changed keep their changes."""

        def run(tx: Tx) -> Rule:
            rule = self._rule_named(tx, name)
            (row,) = tx.all(
                "SELECT add_tags, remove_tags, status_id, created_at FROM rule WHERE id = :id",
                {"id": rule.id},
            )
            tx.execute("DELETE FROM rule WHERE id = :id", {"id": rule.id})
            # the whole row, so that undo can put the rule back as it was
            self._core._event(
                tx,
                "rule.deleted",
                "rule",
                rule.id,
                name=rule.name,
                query=rule.query,
                add=json.loads(row[0]),
                remove=json.loads(row[1]),
                status=row[2],
                created_at=row[3],
                broken=rule.broken,
            )
            self._core._label(tx, "rule.deleted", f"Deleted rule {rule.name}")
            return rule

        return self._core._write(run)

    # -- preview and apply -------------------------------------------------------------

    def preview_rules(self, name: str | None = None) -> list[RuleEffect]:
        """What each rule (or the one named) would do now, counted; changes nothing.

        Each rule is counted against the data as it is; applying runs them in order, so a
        rule may see what an earlier one changed.
        """
        return self._core._read(
            lambda tx: [self._rule_effect(tx, rule, apply=False) for rule in self._chosen(tx, name)]
        )

    def apply_rules(self, name: str | None = None) -> list[RuleEffect]:
        """Apply every rule (by name) or the one named, all in one transaction; returns what each did.

        A broken rule is never run: among all rules it is reported (``RuleEffect.broken``) and
        the others run; named alone, it is a ValidationError."""
        return self._core._write(
            lambda tx: [self._rule_effect(tx, rule, apply=True) for rule in self._chosen(tx, name)]
        )

    def _chosen(self, tx: Tx, name: str | None) -> list[Rule]:
        if name is not None:
            rule = self._rule_named(tx, name)
            if rule.broken:
                raise ValidationError(
                    f"rule {rule.name!r} is broken ({rule.broken}); delete it and add it again",
                    field="rule",
                )
            return [rule]
        return self._load_rules(tx, None)

    def _rule_effect(self, tx: Tx, rule: Rule, *, apply: bool) -> RuleEffect:
        from tagtui.store.base import UNSET

        if rule.broken:
            return RuleEffect(rule, BulkPlan(selected=0), broken=rule.broken)
        try:
            where, params = self._core._selection(tx, self._rule_filter(rule))
        except ValidationError as exc:
            # Broken before views and rules were kept whole (an older database): not run either.
            return RuleEffect(rule, BulkPlan(selected=0), broken=str(exc))
        add_ids = [t.id for t in rule.add]
        remove_ids = [t.id for t in rule.remove]
        status_id: Any = UNSET if rule.status_id is None else rule.status_id
        if not add_ids and not remove_ids and status_id is UNSET:
            return RuleEffect(
                rule, BulkPlan(selected=tx.scalar(f"SELECT COUNT(*) FROM contact c WHERE {where}", params))
            )
        if apply:
            plan = self._plans._apply_where(tx, where, params, add_ids, remove_ids, status_id)
        else:
            plan = self._plans._plan_where(tx, where, params, add_ids, remove_ids, status_id)
        return RuleEffect(rule, plan)


def _label_names(values: list[Any]) -> dict[str, str]:
    """Tag names by slug, first spelling kept; blank or slug-less names refused."""
    out: dict[str, str] = {}
    for raw in values:
        name, slug = clean_label_name(raw)
        out.setdefault(slug, name)
    return out
