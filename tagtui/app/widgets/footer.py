"""The footer of every screen: Textual's, showing only the keys that fit whole, and built
again only when they changed.

Textual's footer lets the keys run under the palette key at the right edge, so on a narrow
terminal the last one is cut mid-word (`s Sta▏^p palette` at 80 columns). This one hides
every key from the first that does not fit whole; the Help screen (`?`) lists them all.

Textual rebuilds the footer (a widget per key, each styled twice as it mounts) whenever the
screen's bindings may have changed: each focus move and each ``refresh_bindings``. Enter in
the query bar moved the focus to the table and the new rows refreshed the bindings: two
rebuilds while the rows waited to be painted, and more as the board's columns arrived.
Most showed the same keys as before. This one compares what it would show (the keys, their
labels, groups, tooltips and whether they are enabled) with what it shows, and builds only
when they differ (issue 15).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer


class AppFooter(Footer):
    """A footer that shows the keys that fit whole, in order, and hides the rest."""

    #: What the footer was last built from (``_contents``).
    _shown: tuple[Any, ...] | None = None
    #: The screen has told its bindings (until then the footer is empty).
    _told = False

    def bindings_changed(self, screen: Screen) -> None:
        self._told = True
        super().bindings_changed(screen)

    def _contents(self) -> tuple[Any, ...]:
        """What ``compose`` builds the footer from."""
        app = self.app
        active = self.screen.active_bindings
        keys = tuple(
            (
                binding.key,
                app.get_key_display(binding),
                binding.action,
                binding.description,
                binding.group,
                enabled,
                tooltip,
            )
            for (_, binding, enabled, tooltip) in active.values()
            if binding.show
        )
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        return (
            self.compact,
            self.show_command_palette and app.ENABLE_COMMAND_PALETTE,
            keys,
            None if palette is None else palette[1:],
        )

    def compose(self) -> ComposeResult:
        # Each key is bound to the footer's ``compact`` and, as it mounts, its watcher adds the
        # ``-compact`` class, which styles the key a second time. With the class there from the
        # start the watcher changes nothing (the same look, half the styling). The keys are the
        # only widgets the footer yields with a ``compact`` of their own (not its groups and labels).
        for widget in super().compose():
            if self.compact and hasattr(widget, "compact"):
                widget.add_class("-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        if self.is_attached and self._told:
            contents = self._contents()
            if contents == self._shown:
                return  # the same keys: nothing to build, nothing new to fit
            self._shown = contents
        await super().recompose()
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        # Show every key again, lay them out at the new width, then hide what overflows.
        for child in self._entries():
            child.display = True
        self.call_after_refresh(self._fit)

    def _entries(self) -> list[Widget]:
        return [child for child in self.children if not child.has_class("-command-palette")]

    def _palette_key(self) -> Widget | None:
        for child in self.children:
            if child.has_class("-command-palette"):
                return child
        return None

    def _fit(self, tries: int = 20) -> None:
        if not self.is_attached:
            return
        entries = self._entries()
        if any(child.display and not child.region for child in entries):
            # Not laid out yet: a footer built again on a screen under a dialog is laid out
            # some frames later. Measure then.
            if tries:
                self.set_timer(0.05, lambda: self._fit(tries - 1))
            return
        palette = self._palette_key()
        limit = palette.region.x if palette is not None else self.region.right
        overflowing = False
        for child in entries:
            if not overflowing and child.region.right > limit:
                overflowing = True
            if overflowing and child.display:
                child.display = False
