"""A row of palette swatches to pick a color from with the arrow keys (or the mouse)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from tagtui.app.format import foreground_for

SWATCH_WIDTH = 3


class ColorPicker(Widget, can_focus=True):
    """The palette as swatches; ``left``/``right`` (``h``/``l``) pick, ``home``/``end`` jump.

    ``index`` is the picked swatch, or -1 when the color is not a palette color.
    Picking posts ``ColorPicker.Picked`` with the palette name.
    """

    BINDINGS = [
        Binding("left,h", "step(-1)", "Previous color", show=False, id="color.previous"),
        Binding("right,l", "step(1)", "Next color", show=False, id="color.next"),
        Binding("home", "jump(0)", "First color", show=False, id="color.first"),
        Binding("end", "jump(-1)", "Last color", show=False, id="color.last"),
    ]

    index: reactive[int] = reactive(-1)

    class Picked(Message):
        def __init__(self, picker: ColorPicker, name: str, hex_code: str) -> None:
            super().__init__()
            self.picker = picker
            self.name = name
            self.hex_code = hex_code

        @property
        def control(self) -> ColorPicker:
            return self.picker

    def __init__(self, palette: list[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.palette = list(palette)

    def render(self) -> Text:
        out = Text(end="", no_wrap=True)
        for i, (_, hex_code) in enumerate(self.palette):
            picked = i == self.index
            mark = " ● " if picked else " " * SWATCH_WIDTH
            out.append(mark, style=f"bold {foreground_for(hex_code)} on {hex_code}")
        return out

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return len(self.palette) * SWATCH_WIDTH

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1

    def show_color(self, hex_code: str | None) -> None:
        """Mark the swatch of ``hex_code`` (or none) without posting ``Picked``."""
        self.set_reactive(ColorPicker.index, self._index_of(hex_code))
        self.refresh()

    def _index_of(self, hex_code: str | None) -> int:
        for i, (_, code) in enumerate(self.palette):
            if code == hex_code:
                return i
        return -1

    def _pick(self, index: int) -> None:
        if not self.palette:
            return
        self.index = index % len(self.palette)
        name, hex_code = self.palette[self.index]
        self.post_message(self.Picked(self, name, hex_code))

    def action_step(self, delta: int) -> None:
        if self.index < 0:
            self._pick(0 if delta > 0 else len(self.palette) - 1)
        else:
            self._pick(self.index + delta)

    def action_jump(self, index: int) -> None:
        self._pick(index)

    def on_click(self, event: events.Click) -> None:
        index = event.x // SWATCH_WIDTH
        if 0 <= index < len(self.palette):
            self.focus()
            self._pick(index)
