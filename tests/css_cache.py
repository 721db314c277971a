"""Textual CSS parsed once per test process, not once per app.

Test code only: ``install()`` is called by ``tests/conftest.py``; the app never imports this.

Every Pilot test starts a new App, and every App a new ``Stylesheet``: the app's CSS and the
``DEFAULT_CSS`` of every widget class it mounts are tokenized and parsed again, and again on
each reparse (a theme's variables set, a new screen's CSS), though the text is the same as in
the test before. ``Stylesheet._parse_rules`` keeps what it parsed, but in a cache of that one
stylesheet (and ``reparse`` parses in a new one). Here the process keeps it: the rules parsed from
a source are looked up by everything ``_parse_rules`` reads to make them, the CSS text, where it
was read from, whether it is default CSS, its tie breaker and scope, and the stylesheet's
variables (``$primary`` and the like are substituted as the text is parsed). Profiled on
tests/app/test_contacts.py (one process, 22 tests): ``_parse_rules`` was ~1.4 s of ~26 s of
CPU, of which nearly all parsing again what an earlier app had parsed.

The rule sets are handed out as they are, as Textual's own cache hands them out to each parse
of a stylesheet: a ``RuleSet`` (its selectors, its ``Styles`` with no node, its errors) is made
by the parser and only read afterwards (``Stylesheet.rules_map``, ``apply``, ``extract_rules``
copy values out of it), and one rule set already applies to every widget of an app it matches.
Sources with errors are cached too and raise as before (``Stylesheet.parse`` checks the rules'
errors, not the parser); a parse that raises is not cached.

``_parse_rules`` and its parameters were read in Textual 8.2.8. ``install`` checks that they are
there; on a Textual where they are not, it leaves the parse alone and says so in pytest's header.
"""

from __future__ import annotations

import inspect
from typing import Any

#: The parameters of ``Stylesheet._parse_rules`` this wraps, in order.
_PARAMS = ["self", "css", "read_from", "is_default_rules", "tie_breaker", "scope"]
#: Entries kept before the cache starts over (a suite has a few hundred sources per theme).
LIMIT = 4096

#: Why the cache was not installed (None: installed), for pytest's header.
problem: str | None = None

_rules: dict[tuple[Any, ...], Any] = {}


def install() -> None:
    """Put a per-process cache in front of ``Stylesheet._parse_rules``."""
    global problem
    import textual

    try:
        from textual.css.stylesheet import Stylesheet

        original = Stylesheet._parse_rules
        params = list(inspect.signature(original).parameters)
        if params != _PARAMS:
            problem = f"Textual {textual.__version__}: Stylesheet._parse_rules{tuple(params[1:])}"
            return
        if not isinstance(Stylesheet()._variables, dict):
            problem = f"Textual {textual.__version__}: no Stylesheet._variables"
            return
    except Exception as exc:  # a Textual laid out otherwise
        problem = f"Textual {textual.__version__}: {exc!r}"
        return

    def _parse_rules(
        self: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> Any:
        key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(self._variables.items()))
        try:
            return _rules[key]
        except KeyError:
            pass
        rules = original(self, css, read_from, is_default_rules, tie_breaker, scope)
        if len(_rules) >= LIMIT:
            _rules.clear()
        _rules[key] = rules
        return rules

    Stylesheet._parse_rules = _parse_rules  # type: ignore[method-assign]
