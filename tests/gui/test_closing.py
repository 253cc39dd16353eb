"""Closing the window while each kind of background job runs: the window goes at once (nothing waits on the GUI
thread), every job is asked to stop, and no late result touches the widgets that are going away.

The slow parts are stand-ins that behave like the real ones: a model load that cannot be interrupted, a voice
that speaks until stopped, a transcription and a decoding that stop when cancelled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.audio_helpers import espeak_wav
from trainer.asr.base import TranscriptionCancelled
from trainer.audio import Recording
from trainer.settings import Key, Settings
from trainer.storage import Status, Store
from trainer.ui import review, workers
from trainer.ui.main_window import MainWindow
from trainer.ui.practice import Phase
from trainer.ui.workers import Job

pytestmark = pytest.mark.gui


def close_at_once(qtbot: QtBot, window: MainWindow) -> None:
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 0.3, "closing waited for a background job on the GUI thread"
    assert not window.isVisible()
    assert window.runner.wait(10_000), [job.name for job in window.runner.running()]
    qtbot.wait(100)  # the jobs' queued results arrive now: they must be dropped, not shown


def tone(path: Path, seconds: float = 1.0) -> Path:
    rate = 16_000
    t = np.arange(int(rate * seconds)) / rate
    soundfile.write(path, (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)
    return path


def test_closing_while_the_model_loads(
    qtbot: QtBot, make_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow_load(engine: str, model: str) -> Callable[[Job], Any]:
        def work(job: Job) -> Any:
            time.sleep(1.0)  # a real load cannot be interrupted either
            return object()

        return work

    monkeypatch.setattr(workers, "load_model_work", slow_load)
    window = make_window(probe_microphone=False)
    qtbot.waitUntil(lambda: bool(window.runner.running("load-model")))
    label = window.model_label.text()
    close_at_once(qtbot, window)
    assert window.speech_model.state == "loading" and window.model_label.text() == label


class EndlessVoice:
    """Speaks until stopped, like a long question read aloud."""

    last_error = None

    def __init__(self) -> None:
        self.stopped = threading.Event()

    def say(self, text: str) -> None:
        pass

    def wait(self, timeout: float | None = None) -> bool:
        return self.stopped.wait(timeout)

    def stop(self, timeout: float = 2.0) -> None:
        self.stopped.set()

    def close(self) -> None:
        self.stopped.set()


def test_closing_while_the_question_is_read(
    qtbot: QtBot, make_window: Callable[..., MainWindow], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    voices: list[EndlessVoice] = []

    def make_speaker(*args: Any) -> EndlessVoice:
        voices.append(EndlessVoice())
        return voices[-1]

    monkeypatch.setattr("trainer.tts.make_speaker", make_speaker)
    settings.set(Key.READ_QUESTION, True)
    window = make_window(load_model=False, probe_microphone=False)
    window.practice.start_session(mode="spoken")
    assert window.practice.phase is Phase.QUESTION
    qtbot.waitUntil(lambda: bool(voices))
    close_at_once(qtbot, window)
    assert voices[0].stopped.is_set()


class WaitingTranscriber:
    """Transcribes until cancelled."""

    def __init__(self) -> None:
        self.started = threading.Event()

    def transcribe(self, audio: Path, prompt: str | None = None, cancel: Any = None, **options: Any) -> Any:
        self.started.set()
        if cancel is not None and cancel.wait(10):
            raise TranscriptionCancelled("cancelled")
        raise AssertionError("the transcription was never cancelled")


def test_closing_while_an_answer_is_transcribed(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store, tmp_path: Path
) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    transcriber = WaitingTranscriber()
    window.speech_model.transcriber = transcriber
    window.speech_model.state = "ready"
    practice = window.practice
    practice.start_session(mode="spoken")
    assert practice.phase is Phase.READY
    # Speech, not a tone: the voice-activity detector gives the model only speech (a tone never reaches it).
    answer = espeak_wav("Path parameters are part of the URL.", tmp_path / "answer.wav")
    practice.submit_recording(Recording(answer, 2.0, 16_000, "user", None, True))
    assert practice.phase is Phase.TRANSCRIBING
    assert transcriber.started.wait(5)
    close_at_once(qtbot, window)
    attempt = store.attempts()[0]
    # Kept, and transcribable again from the review.
    assert attempt.status is Status.FAILED and attempt.has_audio and "cancelled" in (attempt.error or "")


def test_closing_while_a_recording_is_decoded_for_playback(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoding = threading.Event()

    def slow_decode(path: Path) -> Callable[[Job], Any]:
        def work(job: Job) -> Any:
            decoding.set()
            job.cancel_event.wait(10)  # a long recording, decoded block by block
            return None

        return work

    monkeypatch.setattr(review.player, "decode_audio_work", slow_decode)
    window = make_window(load_model=False, probe_microphone=False)
    deck = window.practice.chosen_deck()
    assert deck is not None
    session = store.start_session(deck.id, deck.title)
    path = tone(store.new_audio_path(session, deck.cards[0]).with_suffix(".wav"))
    attempt = store.add_recorded_attempt(session, deck, deck.cards[0], path, session.started_at, 1.0)
    window.tabs.setCurrentWidget(window.review)
    assert window.review.select_attempt(attempt.id)
    qtbot.mouseClick(window.review.player_bar.play_button, Qt.MouseButton.LeftButton)
    assert decoding.wait(5)
    assert window.review.player.is_loading() and "Loading" in window.review.player_bar.play_button.text()
    close_at_once(qtbot, window)
    assert not window.review.player.is_loading() and not window.review.player.is_playing()
