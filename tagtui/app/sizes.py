"""The terminal sizes at which the app's layout changes, shared by the app and its screens."""

from __future__ import annotations

#: Below this width the app is ``-narrow``: the side panel starts hidden, triage stacks its lists.
NARROW = 110
#: Below this height the app is ``-short``: dialogs scroll their fields above a fixed button row.
SHORT = 32
