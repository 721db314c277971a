"""Identity of names (SPEC §7), defined in ``tagtui.identity`` (which imports nothing of tagtui, so
``tagtui.query`` compares names as the store does without loading it)."""

from tagtui.identity import *  # noqa: F403  (its ``__all__``: the names, listed once, there)
from tagtui.identity import __all__ as __all__
