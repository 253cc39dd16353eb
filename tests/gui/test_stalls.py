"""The window never freezes (issue 9, item 2): the longest event-loop stall stays <= 100 ms.

A 10 ms GUI-thread timer runs through a whole sequence a user would go through, driven by the window's keys:
record and stop answers (one stopped while the microphone is still opening), play one back in the review,
delete one, and try to record while another process holds the database with a real `BEGIN EXCLUSIVE`. Real
parts: the PulseAudio virtual microphone and output, faster-whisper tiny.en, a SQLite file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.conftest import CARDS
from tests.gui.helpers import press, ticking
from trainer.storage import Attempt, Status, Store
from trainer.ui.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.audio, pytest.mark.speech]

#: The longest the event loop may be blocked (the issue's target).
MAX_STALL = 0.100
#: Seconds the other process keeps the database locked.
LOCK_SECONDS = 3.0

LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@contextmanager
def database_locked(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holds `BEGIN EXCLUSIVE` on the database for `seconds`."""
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
    try:
        yield locker
    finally:
        locker.wait(seconds + 10)


def latest(store: Store) -> Attempt | None:
    attempts = store.attempts()
    return max(attempts, key=lambda a: a.id) if attempts else None


def accept_next_dialog() -> None:
    """Answer Yes to the next modal question (the delete confirmation), as the user would."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(QMessageBox.StandardButton.Yes).click()
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)


def test_longest_event_loop_stall_stays_under_100_ms(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store, tmp_path: Path, pulse_mic: dict[str, str]
) -> None:
    decks = tmp_path / "only-fastapi"
    decks.mkdir()
    shutil.copy(CARDS / "fastapi.toml", decks / "fastapi.toml")
    window = make_window(deck_locations=[decks])
    qtbot.waitUntil(lambda: window.speech_model.state == "ready", timeout=60_000)
    qtbot.waitUntil(lambda: window.microphone_ok is not None, timeout=20_000)
    assert window.microphone_ok
    stalls: dict[str, float] = {}

    @contextmanager
    def step(name: str) -> Iterator[None]:
        with ticking(10) as ticks:
            yield
        stalls[name] = ticks.longest_gap()

    def wait_finished(attempt_id: int) -> None:
        """Recorded, transcribed and scored (or failed with its reason): the attempt is complete."""

        def done() -> bool:
            attempt = next((a for a in store.attempts() if a.id == attempt_id), None)
            return attempt is None or attempt.status in (Status.SCORED, Status.FAILED)

        qtbot.waitUntil(done, timeout=60_000)

    with step("start and stop a recording"):
        press(qtbot, window, Qt.Key.Key_Return)  # the deck choice: start practising
        press(qtbot, window, Qt.Key.Key_Space)  # record
        qtbot.waitUntil(lambda: latest(store) is not None, timeout=10_000)
        first = latest(store)
        assert first is not None
        qtbot.wait(1500)
        press(qtbot, window, Qt.Key.Key_Space)  # stop
        wait_finished(first.id)

    with step("stop while the microphone is still opening"):
        press(qtbot, window, Qt.Key.Key_N)  # next card
        qtbot.wait(300)
        press(qtbot, window, Qt.Key.Key_Space)
        qtbot.wait(60)
        press(qtbot, window, Qt.Key.Key_Space)
        qtbot.wait(3000)
        newest = latest(store)
        assert newest is not None
        wait_finished(newest.id)

    scored = next(a for a in store.attempts() if a.id == first.id)
    assert scored.has_audio and scored.duration
    with step("play back in the review"):
        qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # the review
        assert window.tabs.currentWidget() is window.review
        assert window.review.select_attempt(first.id)
        player = window.review.player
        with qtbot.waitSignal(player.playing_changed, timeout=10_000):
            window.review.player_bar.play_button.click()
        qtbot.wait(700)
        window.review.player_bar.play_button.click()  # pause
        qtbot.wait(300)

    with step("delete an attempt"):
        assert window.review.select_attempt(first.id)
        accept_next_dialog()
        press(qtbot, window, Qt.Key.Key_Delete)
        qtbot.waitUntil(lambda: all(a.id != first.id for a in store.attempts()), timeout=10_000)
        assert first.audio_path is not None and not first.audio_path.exists()

    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    before = {a.id for a in store.attempts()}
    with step("record while another process locks the database"):
        with database_locked(store.path, LOCK_SECONDS):
            started = time.monotonic()
            press(qtbot, window, Qt.Key.Key_N)
            press(qtbot, window, Qt.Key.Key_Space)
            qtbot.waitUntil(window.storage_banner.isVisible, timeout=5_000)
            assert "another program" in window.storage_banner.label.text()
            assert time.monotonic() - started < LOCK_SECONDS, "the banner came only once the lock was gone"
        # The lock is gone: the app keeps working, the next answer is kept.
        press(qtbot, window, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: {a.id for a in store.attempts()} - before != set(), timeout=10_000)
        qtbot.wait(1200)
        press(qtbot, window, Qt.Key.Key_Space)
        newest = latest(store)
        assert newest is not None
        wait_finished(newest.id)

    print("\nlongest event-loop stall per step (ms):", {k: round(v * 1000) for k, v in stalls.items()})
    assert max(stalls.values()) <= MAX_STALL, stalls
