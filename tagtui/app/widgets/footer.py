"""The footer of every screen: Textual's, showing only the keys that fit whole.

Textual's footer lets the keys run under the palette key at the right edge, so on a narrow
terminal the last one is cut mid-word (`s Sta▏^p palette` at 80 columns). This one hides
every key from the first that does not fit whole; the Help screen (`?`) lists them all.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Footer


class AppFooter(Footer):
    """A footer that shows the keys that fit whole, in order, and hides the rest."""

    async def recompose(self) -> None:
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

    def _fit(self) -> None:
        if not self.is_attached:
            return
        palette = self._palette_key()
        limit = palette.region.x if palette is not None else self.region.right
        overflowing = False
        for child in self._entries():
            if not overflowing and child.region.right > limit:
                overflowing = True
            if overflowing and child.display:
                child.display = False
