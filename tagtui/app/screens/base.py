"""What every tagtui screen shares: failed workers become notifications, in one place."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

ResultType = TypeVar("ResultType")


class ReportsWorkerErrors:
    """Mixin for screens and widgets that run workers: a failed worker is shown, never fatal.

    ``Worker.StateChanged`` does not bubble, so each node that runs workers forwards
    the event to the app's single handler.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.worker_failed(event.worker)  # type: ignore[attr-defined]


class TagtuiScreen(ReportsWorkerErrors, Screen):
    """A full screen of the app."""


class TagtuiModal(ReportsWorkerErrors, ModalScreen[ResultType]):
    """A dialog; ``escape`` closes it."""
