"""Keys that arrive in one burst, as a terminal delivers them over ssh or from ``tmux send-keys``.

``Pilot.press`` waits until the app is idle after every key, so the second key always sees the
first one's effects. A real terminal read can hold several keys: they are all queued before the
app handles the first, and every deferred callback of the first key (focus changes, reloads,
``call_later``) runs after the second key. ``burst`` queues the keys the same way.
"""

from __future__ import annotations

from textual import events
from textual.pilot import Pilot


async def burst(pilot: Pilot, *keys: str) -> None:
    """Queue every key at once, then wait until the app has handled them."""
    app = pilot.app
    for key in keys:
        char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app.post_message(event)
    await pilot.pause()
    await pilot.pause()
