"""The practice flow's guards on real widgets: a key press racing the think time, a too-short recording,
"Change deck" while an answer is in flight, and the mock interview setup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.gui.helpers import press
from trainer.audio import Recording
from trainer.settings import Key, Settings
from trainer.storage import Store
from trainer.ui.main_window import MainWindow
from trainer.ui.practice import Phase
from trainer.ui.shortcuts import Action

pytestmark = pytest.mark.gui


def short_recording(folder: Path, seconds: float) -> Recording:
    """A real FLAC of `seconds` of quiet noise, as the recorder hands over a recording stopped at once."""
    path = folder / "short.flac"
    samples = np.random.default_rng(1).normal(0, 0.01, int(16_000 * seconds)).astype(np.float32)
    sf.write(path, samples, 16_000)
    return Recording(path, seconds, 16_000, "user", None, True)


def test_a_too_short_recording_is_not_kept_and_offers_to_record_again(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store, tmp_path: Path
) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    practice = window.practice
    practice.start_session(mode="spoken")
    practice.submit_recording(short_recording(tmp_path, 0.1))
    assert practice.phase is Phase.TOO_SHORT
    status = practice.status_label.text()
    assert "only 0.1 s long" in status and "record again" in status
    assert store.attempts() == []  # not a scored attempt, not a 0 % in the history
    assert practice.key_actions[Action.RECORD].isEnabled() and practice.key_actions[Action.NEXT].isEnabled()


@pytest.mark.audio
def test_space_pressed_as_the_think_time_runs_out_keeps_recording(
    qtbot: QtBot, make_window: Callable[..., MainWindow], settings: Settings, store: Store, pulse_mic: dict[str, str]
) -> None:
    settings.set(Key.THINK_TIME, 30.0)
    window = make_window(load_model=False)
    qtbot.waitUntil(lambda: window.microphone_ok is not None, timeout=20_000)
    assert window.microphone_ok, window.microphone_banner.text()
    practice = window.practice
    practice.start_session(mode="spoken")
    assert practice.phase is Phase.THINKING
    practice.think_timer.timeout.emit()  # the think time runs out...
    press(qtbot, window, Qt.Key.Key_Space)  # ...just as the user presses Space to start
    assert practice.phase is Phase.RECORDING
    qtbot.waitUntil(lambda: practice.level_meter.updates > 0, timeout=10_000)
    assert practice.phase is Phase.RECORDING  # one press never became start + stop
    [attempt] = store.attempts()
    qtbot.wait(1500)
    press(qtbot, window, Qt.Key.Key_Space)  # a later press stops
    qtbot.waitUntil(lambda: practice.phase not in (Phase.RECORDING, Phase.SAVING), timeout=20_000)
    [kept] = store.attempts()
    assert kept.id == attempt.id and kept.duration is not None and kept.duration > 1.0


@pytest.mark.audio
def test_change_deck_is_disabled_while_recording_and_the_answer_is_kept(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store, pulse_mic: dict[str, str]
) -> None:
    window = make_window(load_model=False)
    qtbot.waitUntil(lambda: window.microphone_ok is not None, timeout=20_000)
    practice = window.practice
    practice.start_session(mode="spoken")
    press(qtbot, window, Qt.Key.Key_Space)
    assert practice.phase is Phase.RECORDING
    assert not practice.change_deck_button.isEnabled()
    practice.end_session()  # even when asked directly, leaving is refused while the answer is in flight
    assert practice.phase is Phase.RECORDING and practice.session is not None
    qtbot.waitUntil(lambda: practice.level_meter.updates > 0, timeout=10_000)
    qtbot.wait(1500)
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: practice.phase not in (Phase.RECORDING, Phase.SAVING), timeout=20_000)
    # Without a model the answer is kept, failed with its reason, and the deck can be changed again.
    assert practice.phase is Phase.FAILED
    assert practice.change_deck_button.isEnabled()
    [attempt] = store.attempts()
    assert attempt.has_audio and attempt.duration is not None and attempt.duration > 1.0
    qtbot.mouseClick(practice.change_deck_button, Qt.MouseButton.LeftButton)
    assert practice.phase is Phase.SETUP


def test_mock_interview_options_show_for_the_mock_mode(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    practice = window.practice
    mock = practice.setup_page.mock_setup
    assert not mock.isVisible()
    practice.mode_combo.setCurrentIndex(practice.mode_combo.findData("mock"))
    assert mock.isVisible() and not practice.order_combo.isEnabled()
    mock.questions_spin.setValue(3)
    qtbot.mouseClick(practice.start_button, Qt.MouseButton.LeftButton)
    assert practice.mode == "mock" and practice.round is not None and len(practice.round.questions) == 3
    assert "question 1 of 3" in practice.progress_label.text()
    # No model answer in an interview.
    assert not practice.key_actions[Action.REVEAL].isEnabled()
    assert not practice.buttons[Action.REVEAL].isVisible()


@pytest.mark.speech
def test_a_silent_answer_says_no_speech_and_keeps_the_recording(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store, tmp_path: Path
) -> None:
    window = make_window(probe_microphone=False)
    qtbot.waitUntil(lambda: window.speech_model.state == "ready", timeout=60_000)
    practice = window.practice
    practice.start_session(mode="spoken")
    practice.submit_recording(short_recording(tmp_path, 4.0))  # four seconds of room noise, nobody speaking
    qtbot.waitUntil(lambda: practice.phase in (Phase.RESULT, Phase.FAILED), timeout=60_000)
    assert practice.phase is Phase.FAILED
    assert "No speech was detected" in practice.status_label.text()
    assert not practice.results_widget.isVisible()  # no 0 % result on screen
    [attempt] = store.attempts()
    assert attempt.has_audio and (attempt.transcript or "") == ""  # the recording is kept, nothing invented
    press(qtbot, window, "r")
    assert practice.phase is Phase.READY


def test_the_start_screen_says_what_is_due_new_and_the_streak(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store
) -> None:
    """Spaced repetition on the start screen: a card answered yesterday with a weak score is due today, the
    others are new, and two days of practice in a row make a streak of 2."""
    from datetime import timedelta

    from tests.progress_history import spoken
    from trainer.deck import load_deck
    from trainer.paths import shipped_deck_dir

    deck = load_deck(shipped_deck_dir() / "fastapi.toml")
    card = deck.card("path-vs-query")
    now = datetime.now(UTC)
    spoken(store, deck, card, "I am not sure", now - timedelta(days=1), 5.0)  # Again: due in a day
    spoken(store, deck, deck.card("cors"), "I am not sure either", now, 5.0)  # today: due tomorrow
    window = make_window(load_model=False, probe_microphone=False)
    label = window.practice.setup_page.schedule_info
    qtbot.waitUntil(lambda: "due" in label.text(), timeout=10_000)
    text = label.text()
    assert "<b>1</b> due" in text, text
    assert f"<b>{len(deck.cards) - 2}</b> new" in text, text
    assert "2 days in a row" in text, text
