"""Keys that arrive in one burst, as a terminal delivers them over ssh or from ``tmux send-keys``.

``Pilot.press`` waits until the app is idle after every key, so the second key always sees the
first one's effects. A real terminal read can hold several keys: they are all queued before the
app handles the first, and every deferred callback of the first key (focus changes, reloads,
``call_later``) runs after the second key. ``burst`` queues the keys the same way.
"""

from __future__ import annotations

import sys
import time

from textual import events
from textual.pilot import Pilot

from tagtui.app.keymap import key_character


async def burst(pilot: Pilot, *keys: str) -> None:
    """Queue every key at once, then wait until the app has handled them."""
    app = pilot.app
    for key in keys:
        char = key if len(key) == 1 else key_character(key)  # `slash` types `/`, as a terminal's
        event = events.Key(key, char)
        event.set_sender(app)
        app.post_message(event)
    await handled(pilot)


async def press(pilot: Pilot, *keys: str) -> None:
    """``Pilot.press`` (no pause between keys), then wait until the app has handled them."""
    await pilot.press(*keys)
    await handled(pilot)


async def handled(pilot: Pilot) -> None:
    """Wait until every key queued so far has been handled, on a loaded machine too.

    A key goes through one message queue per node: the app forwards it to the focused
    widget, it bubbles up to the screen and back to the app, which runs its binding. Each
    ``Pilot.pause`` waits until the app and every node of the screen have handled what they
    held when it began, so it moves every key on by a node at least: as many pauses as the
    longest way has nodes leave no key on its way. (Pilot's own waits judge by CPU time,
    ``wait_for_idle``: on a loaded machine they return while keys are still queued.)
    """
    nodes = pilot.app.screen.walk_children(with_self=True)
    for _ in range(1 + max(len(node.ancestors_with_self) for node in nodes)):
        await pilot.pause()


def slow_next_call(obj: object, name: str, seconds: float, *, caller: str) -> None:
    """Make the next call of ``obj.name`` (a store read) from a function named ``caller``
    take ``seconds`` longer, after it has read.

    A read that started before a key's change and ends after the screen read the store
    again must not show its older state.
    """
    original = getattr(obj, name)
    armed = [True]

    def called_from_caller() -> bool:
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_name == caller:
                return True
            frame = frame.f_back  # type: ignore[assignment]
        return False

    def slow(*args: object, **kwargs: object) -> object:
        result = original(*args, **kwargs)
        if armed[0] and called_from_caller():
            armed[0] = False
            time.sleep(seconds)
        return result

    setattr(obj, name, slow)
