"""Small helpers shared by the GUI and end-to-end tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot


def press(qtbot: QtBot, window: QWidget, key: Qt.Key | str) -> None:
    """Press a key where a user's key press goes: the focused widget of the window (else the window)."""
    target = QApplication.focusWidget()
    if target is None or target.window() is not window:
        target = window
    qtbot.keyClick(target, key)


class TickCounter:
    """A GUI-thread timer that records when it fires: a frozen event loop shows up as a long gap."""

    def __init__(self, interval_ms: int = 20) -> None:
        self.times: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.times.append(time.monotonic()))

    @property
    def ticks(self) -> int:
        return len(self.times)

    def longest_gap(self) -> float:
        """Longest time between two ticks, in seconds."""
        return max((b - a for a, b in zip(self.times, self.times[1:], strict=False)), default=0.0)


@contextmanager
def ticking(interval_ms: int = 20) -> Iterator[TickCounter]:
    counter = TickCounter(interval_ms)
    counter.timer.start()
    try:
        yield counter
    finally:
        counter.timer.stop()
