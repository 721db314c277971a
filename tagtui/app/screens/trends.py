"""Pipeline trends: contacts entering each stage per week and the median days in each stage.

Drawn with textual-plotext (its "auto" theme follows the app's theme); the numbers come from
``Store.trends`` in a worker (the same as ``tagtui trends``), for the current filter.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Label
from textual_plotext import PlotextPlot

from tagtui.app.format import literal
from tagtui.app.screens.base import TagtuiScreen
from tagtui.app.widgets.footer import AppFooter
from tagtui.query.filter import EVERYTHING, Filter
from tagtui.store import TagtuiError
from tagtui.store.trends import Trends

#: The windows ``w`` steps through, in weeks.
WINDOWS = (12, 26, 52)
#: Line colors for a stage with no color of its own (a stage renamed since).
FALLBACK = ("#4c8bf5", "#2bb673", "#e5a000", "#d9534f", "#9b59b6", "#17a2b8", "#8a8a8a")


def _rgb(color: str) -> tuple[int, int, int]:
    """``#rrggbb`` as plotext takes it."""
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class TrendsScreen(TagtuiScreen):
    """Entries per stage per week (lines) and the median days in each stage (bars)."""

    TITLE = "Trends"
    CSS_PATH = "trends.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="trends.close"),
        Binding("r", "refresh", "Refresh", id="trends.refresh"),
        Binding("w", "next_window", "Weeks", id="trends.weeks", tooltip="Show 12, 26 or 52 weeks"),
    ]

    def __init__(self, query: Filter | None = None, *, weeks: int = WINDOWS[0]) -> None:
        super().__init__()
        self.filter = query
        self.weeks = weeks
        self.trends: Trends | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Counting…", id="trends-scope")
        # The legend is a line of its own: plotext draws its own inside the chart, over the
        # lines of the first weeks (at 80x24, seven stages took most of the chart's height).
        yield Label("", id="trends-legend")
        yield PlotextPlot(id="trends-entered")
        yield PlotextPlot(id="trends-time")
        yield AppFooter()

    def on_mount(self) -> None:
        self.action_refresh()

    def reload(self, polled: bool = False) -> None:
        if not polled:
            self.action_refresh()

    def action_refresh(self) -> None:
        query = self.filter if self.filter is not None else self.tagtui_app.current_filter
        self.query_one("#trends-scope", Label).update(Text("Counting…", style="dim"))
        self._load(query, self.weeks, self.start_read("trends"))  # the latest window is shown

    def action_next_window(self) -> None:
        self.weeks = WINDOWS[(WINDOWS.index(self.weeks) + 1) % len(WINDOWS)] if self.weeks in WINDOWS else 12
        self.action_refresh()

    @work(thread=True, exclusive=True, group="trends", exit_on_error=False)
    def _load(self, query: Filter, weeks: int, read: int) -> None:
        store = self.store
        note = ""
        try:
            store.check_query(query)
        except TagtuiError as exc:
            note = f" (the filter was left out: {exc})"
            query = EVERYTHING
        trends = store.trends(query, weeks=weeks)
        colors = {s.name: s.color for s in store.list_statuses(counts=False)}
        self.post_latest("trends", read, self._show, query, trends, note, colors)

    def _show(self, query: Filter, trends: Trends, note: str, colors: dict[str, str]) -> None:
        from tagtui.query.render import render

        self.trends = trends
        entered = sum(sum(v) for v in trends.entered.values())
        scope = Text.assemble(
            (f"{entered:,}", "bold"),
            (f" stage entries in the last {len(trends.weeks)} weeks (from {trends.weeks[0]})", "dim"),
        )
        if query != EVERYTHING:
            scope.append(" for ", "dim")
            scope.append_text(literal(render(query), "bold"))
        if note:
            scope.append_text(literal(note, "italic"))
        scope.append("  w: 12/26/52 weeks", "dim")
        self.query_one("#trends-scope", Label).update(scope)
        self._draw_entered(trends, colors or {})
        self._draw_time(trends)

    def _draw_entered(self, trends: Trends, colors: dict[str, str]) -> None:
        widget = self.query_one("#trends-entered", PlotextPlot)
        plt = widget.plt
        plt.clear_figure()
        plt.title("Contacts entering each stage per week")
        xs: list[float] = list(range(len(trends.weeks)))
        legend = Text(" ", no_wrap=False)
        for i, (name, counts) in enumerate(trends.entered.items()):
            if any(counts):
                color = colors.get(name) or FALLBACK[i % len(FALLBACK)]
                plt.plot(xs, counts, marker="braille", color=_rgb(color))
                if legend.plain.strip():
                    legend.append("  ")
                legend.append("━━ ", style=color)
                legend.append_text(literal(name))
        self.query_one("#trends-legend", Label).update(legend if legend.plain.strip() else "")
        # As many week labels as fit side by side (8 cells each): plotext drops labels that
        # collide, and which ones it dropped changed from one drawing to the next.
        fit = max(1, (widget.size.width - 6) // 8) if widget.size.width else 8
        step = max(1, -(-len(xs) // fit))
        plt.xticks(xs[::step], [w[5:] for w in trends.weeks[::step]])
        widget.refresh()

    def _draw_time(self, trends: Trends) -> None:
        widget = self.query_one("#trends-time", PlotextPlot)
        plt = widget.plt
        plt.clear_figure()
        measured = [
            (name, t.median_days) for name, t in trends.time_in_stage.items() if t.median_days is not None
        ]
        if measured:
            plt.title("Median days in stage (stays that began in the window and ended)")
            plt.bar([n for n, _ in measured], [d for _, d in measured], width=0.4)
        else:
            plt.title("Median days in stage: no stay that began in the window has ended yet")
        widget.refresh()

    def action_close(self) -> None:
        self.dismiss()
