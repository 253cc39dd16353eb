"""A whole practice round through the real window, heard through the PulseAudio virtual microphone.

Nothing is stubbed: the question is read aloud by pyttsx3, a synthesised spoken answer is played into the
virtual microphone while the app records it, faster-whisper tiny.en transcribes it, the score lands in SQLite
and the review lists it, also after the app is restarted on the same data folder.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.audio_helpers import MIC_LATENCY
from tests.e2e.conftest import PrivateMic, speech_wav
from tests.gui.helpers import press, ticking
from trainer.settings import Key, Settings
from trainer.storage import Status, Store
from trainer.ui.main_window import MainWindow
from trainer.ui.practice import Phase

pytestmark = [pytest.mark.e2e, pytest.mark.audio, pytest.mark.speech, pytest.mark.gui]

#: A strong answer to "What is the difference between a path parameter and a query parameter in FastAPI?"
STRONG_ANSWER = (
    "A path parameter is part of the URL path itself, so path parameters are required. A query parameter "
    "comes after the question mark. Query parameters are optional with defaults. In FastAPI both are "
    "declared as function arguments."
)
#: A weak second try at the same card.
WEAK_ANSWER = "A path parameter is part of the URL path."
#: Words the transcript of the strong answer must hold (as tiny.en writes them). Through espeak's robotic
#: voice tiny.en hears "path parameter" as "faster amateur", so that one is only required of Piper speech.
KEY_TERMS = ("query parameter", "question mark", "optional", "function arguments")
PIPER_TERMS = ("path parameter",)
SILENCE_STOP = 3.0


def open_window(qtbot: QtBot, settings: Settings, store: Store) -> MainWindow:
    window = MainWindow(settings, store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def answer_into_mic(qtbot: QtBot, window: MainWindow, mic: PrivateMic, wav: Path) -> None:
    """Wait until the recorder hears the microphone, then play the answer into it and let it arrive."""
    practice = window.practice
    qtbot.waitUntil(lambda: practice.level_meter.updates > 0, timeout=10_000)
    player = mic.play(wav)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=int(sf.info(str(wav)).duration * 1000) + 20_000)
    assert player.returncode == 0
    qtbot.wait(int((MIC_LATENCY + 0.3) * 1000))  # the last words reach the recorder a little later


def test_practice_round_retry_review_and_restart(qtbot: QtBot, private_mic: PrivateMic, tmp_path: Path) -> None:
    started = time.monotonic()
    settings = Settings.load()
    settings.set(Key.READ_QUESTION, True)
    settings.set(Key.VOICE_RATE, 260)
    settings.set(Key.THINK_TIME, 0.0)
    settings.set(Key.SILENCE_STOP, SILENCE_STOP)
    settings.save()
    strong, voice = speech_wav(STRONG_ANSWER, tmp_path / "strong.wav")
    weak, _ = speech_wav(WEAK_ANSWER, tmp_path / "weak.wav")

    store = Store.open_default(settings)
    window = open_window(qtbot, settings, store)
    practice = window.practice
    qtbot.waitUntil(lambda: window.microphone_ok is not None, timeout=20_000)
    assert window.microphone_ok, window.microphone_banner.text()
    qtbot.waitUntil(lambda: window.speech_model.state == "ready", timeout=60_000)

    # Choose the shipped FastAPI deck, in order, spoken; Enter starts.
    practice.deck_combo.setCurrentIndex(practice.deck_combo.findData("fastapi"))
    practice.order_combo.setCurrentIndex(practice.order_combo.findData("in-order"))
    practice.mode_combo.setCurrentIndex(practice.mode_combo.findData("spoken"))
    press(qtbot, window, Qt.Key.Key_Return)
    assert practice.card is not None and practice.card.id == "path-vs-query"
    assert practice.question_label.text() == practice.card.question

    # The question is read aloud, then the app waits for Space.
    assert practice.phase is Phase.QUESTION
    qtbot.waitUntil(lambda: practice.phase is Phase.READY, timeout=30_000)
    assert "Could not read" not in window.statusBar().currentMessage()

    # Space: record, with a live countdown of the card's 60 s and a level meter.
    press(qtbot, window, Qt.Key.Key_Space)
    assert practice.phase is Phase.RECORDING
    assert practice.countdown.isVisible() and practice.countdown.total == 60
    answer_into_mic(qtbot, window, private_mic, strong)
    assert practice.countdown.remaining() < 60
    # Space: stop. The window says it is transcribing and stays responsive meanwhile.
    with ticking() as ticks:
        press(qtbot, window, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: practice.phase is Phase.TRANSCRIBING, timeout=15_000)
        assert "Transcribing" in practice.status_label.text()
        qtbot.waitUntil(lambda: practice.phase in (Phase.RESULT, Phase.FAILED), timeout=60_000)
    assert ticks.longest_gap() < 0.5
    assert practice.phase is Phase.RESULT, practice.status_label.text()

    first = store.attempts(card_id="path-vs-query")[0]
    assert first.status is Status.SCORED and first.has_audio
    transcript = (first.transcript or "").lower()
    missing = [term for term in KEY_TERMS + (PIPER_TERMS if voice == "piper" else ()) if term not in transcript]
    assert not missing, f"{missing} not in {transcript!r}"
    assert first.score is not None and first.score >= 60
    assert practice.score_label.text() == f"{first.score:.0f}%"
    assert practice.transcript_view.highlighted_fragments()

    # Enter: the model answer beside the transcript.
    press(qtbot, window, Qt.Key.Key_Return)
    assert practice.answer_panel.isVisible()

    # R: the same card again; this time the recording stops by itself after the pause.
    press(qtbot, window, "r")
    assert practice.card.id == "path-vs-query"
    assert practice.phase is Phase.READY
    press(qtbot, window, Qt.Key.Key_Space)
    assert practice.phase is Phase.RECORDING
    answer_into_mic(qtbot, window, private_mic, weak)
    qtbot.waitUntil(lambda: practice.phase in (Phase.RESULT, Phase.FAILED), timeout=60_000)
    assert practice.phase is Phase.RESULT, practice.status_label.text()
    assert "pause" in practice.status_label.text()
    attempts = store.attempts(card_id="path-vs-query")
    assert len(attempts) == 2
    second = attempts[0]
    assert second.id != first.id and second.score is not None and second.score < first.score
    assert practice.score_label.text() == f"{second.score:.0f}%"

    # N: the next card.
    press(qtbot, window, "n")
    assert practice.card is not None and practice.card.id == "response-model"

    # The review lists both attempts.
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.review
    listed = {row[0] for row in window.review.attempt_rows()}
    assert {first.id, second.id} <= listed

    # Restart: a new window on the same data folder still shows them.
    window.close()
    assert window.runner.wait(15_000)
    store.close()
    store = Store.open_default(Settings.load())
    try:
        again = open_window(qtbot, Settings.load(), store)
        again.tabs.setCurrentWidget(again.review)
        listed = {row[0] for row in again.review.attempt_rows()}
        assert {first.id, second.id} <= listed
        assert store.attempt(first.id).score == first.score
        again.close()
        assert again.runner.wait(15_000)
    finally:
        store.close()
    assert time.monotonic() - started < 150
