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

Most of the rest only hid or showed keys: `/` focuses the query bar, which takes the letter
keys, so the screen's letter keys leave the footer, and enter brings them back. When the keys
to show are some of the ones built, in the same order and each as enabled as before (plus
new single keys, such as the query bar's `esc`, which are added), the footer hides the others
and updates their tooltips instead of building every key again.
"""

from __future__ import annotations

from itertools import groupby, pairwise
from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

#: How many times a fit measures again while the keys are not laid out (every 50 ms).
FIT_TRIES = 20

#: One entry of the footer: what identifies it (its keys, labels and group) and, for each of
#: its keys in order, whether the key is enabled and its tooltip.
_Entry = tuple[tuple[Any, ...], tuple[tuple[bool, str], ...]]


#: An entry as built: its identity, its widgets (a key, or a group and its label), its keys and
#: whether each was enabled when built.
_Built = tuple[tuple[Any, ...], list[Widget], list[Widget], tuple[bool, ...]]


class AppFooter(Footer):
    """A footer that shows the keys that fit whole, in order, and hides the rest."""

    #: What the footer was last built from or updated to (``_contents``).
    _shown: tuple[Any, ...] | None = None
    #: The screen has told its bindings (until then the footer is empty).
    _told = False
    #: The entries built, in order (identities), each with its widgets (a key, or a group
    #: and its label) and the keys among them; entries not in ``_present`` are hidden.
    _built: list[_Built] | None = None
    _present: frozenset[int] = frozenset()
    #: Fits asked for and not yet run (see ``fitted``).
    _fits_due = 0

    @property
    def fitted(self) -> bool:
        """No fit is waiting: the keys shown are the ones that fit (what a test waits for)."""
        return self._fits_due == 0

    def _fit_later(self, delay: float | None = None, tries: int = FIT_TRIES) -> None:
        """Fit the keys after the next refresh, or after ``delay`` seconds; a fit that finds
        the keys not laid out yet measures again, ``tries`` times at most."""
        self._fits_due += 1

        def fit() -> None:
            self._fits_due -= 1
            self._fit(tries)

        if delay is None:
            self.call_after_refresh(fit)
        else:
            self.set_timer(delay, fit)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._told = True
        super().bindings_changed(screen)

    def _contents(self) -> tuple[Any, ...]:
        """What ``compose`` builds the footer from: (compact, palette shown, entries, palette
        key). The entries are grouped as Textual's ``Footer.compose`` groups them."""
        app = self.app
        active = self.screen.active_bindings
        by_action: dict[str, tuple[Any, bool, str]] = {}
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in by_action:
                by_action[binding.action] = (binding, enabled, tooltip)
        entries: list[_Entry] = []
        for group, members_iter in groupby(by_action.values(), lambda member: member[0].group):
            members = list(members_iter)
            if group is not None and len(members) > 1:
                ident: tuple[Any, ...] = (
                    "group",
                    group.description,
                    group.compact,
                    tuple((b.key, app.get_key_display(b), b.action) for b, _, _ in members),
                )
                state = tuple((enabled, tooltip or b.description) for b, enabled, tooltip in members)
                entries.append((ident, state))
            else:
                for b, enabled, tooltip in members:
                    ident = ("key", b.key, app.get_key_display(b), b.description, b.action)
                    entries.append((ident, ((enabled, tooltip),)))
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        return (
            self.compact,
            self.show_command_palette and app.ENABLE_COMMAND_PALETTE,
            tuple(entries),
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
        contents: tuple[Any, ...] | None = None
        if self.is_attached and self._told:
            contents = self._contents()
            if contents == self._shown:
                return  # the same keys: nothing to build, nothing new to fit
            # (Behind a dialog the keys are built again, as before: that screen is laid out
            # some frames later.)
            if self.screen is self.app.screen and await self._update(contents):
                self._shown = contents
                self._fit_later()
                return
            self._shown = contents
        await super().recompose()
        self._built = self._map_built(contents) if contents is not None else None
        self._present = frozenset(range(len(self._built or ())))
        self._fit_later()

    def _map_built(self, contents: tuple[Any, ...]) -> list[_Built] | None:
        """The entries of ``contents`` with the widgets ``compose`` built for them, or None if
        the widgets are not as expected (then every change builds them again)."""
        children = [child for child in self.children if not child.has_class("-command-palette")]
        built: list[_Built] = []
        at = 0
        for ident, state in contents[2]:
            if ident[0] == "group":
                if at + 1 >= len(children) or _is_key(children[at]):
                    return None
                keys = [child for child in children[at].children if _is_key(child)]
                widgets = children[at : at + 2]
                at += 2
            else:
                if at >= len(children) or not _is_key(children[at]):
                    return None
                keys = [children[at]]
                widgets = [children[at]]
                at += 1
            if len(keys) != len(state):
                return None
            built.append((ident, widgets, keys, tuple(on for on, _ in state)))
        return built if at == len(children) else None

    async def _update(self, contents: tuple[Any, ...]) -> bool:
        """Show ``contents`` with the widgets built if its entries are some of them, in order,
        each key as enabled as it is, and new single keys between them: hide the others, add
        the new keys, update the tooltips. False if not (then the footer is built again)."""
        shown, built = self._shown, self._built
        if shown is None or built is None or shown[:2] != contents[:2] or shown[3] != contents[3]:
            return False
        sample = next((key for entry in built for key in entry[2]), None)
        plan: list[tuple[int, bool]] = []  # (index in built, or where to add; add?)
        at = 0
        for ident, state in contents[2]:
            found = next((k for k in range(at, len(built)) if built[k][0] == ident), None)
            if found is None:
                if ident[0] != "key" or sample is None:
                    return False
                plan.append((at, True))
                continue
            # A key's look when disabled (dim) and its click (a bell) are set as it is built.
            if built[found][3] != tuple(on for on, _ in state):
                return False
            plan.append((found, False))
            at = found + 1
        merged: list[_Built] = []
        present: set[int] = set()
        added: list[tuple[Widget, Widget | None]] = []
        taken = 0
        for (index, add), (ident, state) in zip(plan, contents[2], strict=True):
            merged += built[taken:index]
            if add:
                enabled, tooltip = state[0]
                # Textual's key widget (FooterKey) is not in its public API: the class of a key built.
                key: Any = type(sample)
                widget: Widget = key(
                    ident[1], ident[2], ident[3], ident[4], disabled=not enabled, tooltip=tooltip
                )
                widget.set_reactive(key.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
                added.append((widget, built[index][1][0] if index < len(built) else None))
                present.add(len(merged))
                merged.append((ident, [widget], [widget], (enabled,)))
                taken = index
            else:
                for key_widget, (_, tooltip) in zip(built[index][2], state, strict=True):
                    if (key_widget.tooltip or "") != tooltip:
                        key_widget.tooltip = tooltip or None
                present.add(len(merged))
                merged.append(built[index])
                taken = index + 1
        merged += built[taken:]
        with self.app.batch_update():
            for widget, before in added:
                if before is not None:
                    await self.mount(widget, before=before)
                else:
                    palette = self._palette_key()
                    await self.mount(widget, before=palette) if palette else await self.mount(widget)
            self._built, self._present = merged, frozenset(present)
            for index, (_, widgets, _, _) in enumerate(merged):
                for widget in widgets:
                    widget.display = index in present
        return True

    def on_resize(self) -> None:
        # Show every key again, lay them out at the new width, then hide what overflows.
        for child in self._entries():
            child.display = True
        self._fit_later()

    def _entries(self) -> list[Widget]:
        """The widgets of the entries shown (before any is hidden for want of room)."""
        built = self._built
        if built is None:
            return [child for child in self.children if not child.has_class("-command-palette")]
        return [widget for index in sorted(self._present) for widget in built[index][1]]

    def _palette_key(self) -> Widget | None:
        for child in self.children:
            if child.has_class("-command-palette"):
                return child
        return None

    def _fit(self, tries: int) -> None:
        if not self.is_attached:
            return
        entries = [child for child in self._entries() if child.display]
        if any(not child.region for child in entries) or any(
            after.region.x < before.region.right for before, after in pairwise(entries)
        ):
            # Not laid out yet: a footer built again on a screen under a dialog is laid out
            # some frames later; keys shown or hidden by ``_update`` have no place yet or their
            # old one (seen on the loaded machine). Measure then.
            if tries:
                self._fit_later(0.05, tries - 1)
            return
        palette = self._palette_key()
        limit = palette.region.x if palette is not None else self.region.right
        overflowing = False
        for child in entries:
            if not overflowing and child.region.right > limit:
                overflowing = True
            if overflowing:
                child.display = False


def _is_key(widget: Widget) -> bool:
    """``widget`` is one of the footer's keys (Textual's ``FooterKey``, not its groups or labels)."""
    return hasattr(widget, "key_display") and hasattr(widget, "action")
