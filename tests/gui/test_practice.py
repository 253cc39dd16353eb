"""The practice view on real widgets, a real store and (where marked) the real Whisper tiny.en model."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import soundfile as sf
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot

from tests.gui.helpers import press, ticking
from tests.speech.conftest import synthesise
from trainer.asr import ASRError, load_transcriber
from trainer.audio import Recording
from trainer.deck import Deck
from trainer.settings import Key, Settings
from trainer.storage import SELF_GRADE_SCORES, Status, Store
from trainer.storage import now as storage_now
from trainer.ui.main_window import MainWindow
from trainer.ui.practice import Phase
from trainer.ui.shortcuts import Action
from trainer.ui.widgets import HIT_COLOUR

pytestmark = pytest.mark.gui

#: A strong spoken answer to the deck's first card, "path-vs-query".
STRONG_ANSWER = (
    "A path parameter is part of the URL path itself, like the item id in slash items slash item id, so path "
    "parameters are required. A query parameter comes after the question mark, in the query string. Query "
    "parameters are optional with defaults, for example skip equals zero. In FastAPI both are declared as "
    "function arguments."
)
MISSING_MODEL = "/nonexistent/whisper-model"


def recording_of(text: str, folder: Path) -> Recording:
    """A real recording of synthesised speech, as the recorder would hand it over.

    Piper's natural voice, not espeak: on espeak's robotic speech tiny.en's greedy pass can fail whisper's
    quality checks and fall back to sampling, whose transcript then varies from run to run (measured: 12
    different transcripts in 12 runs of one espeak clip; Piper: the same transcript 8 times in 8).
    """
    wav = synthesise("piper", text, folder / "answer.wav")
    info = sf.info(str(wav))
    return Recording(wav, info.duration, info.samplerate, "user", None, True)


def click_point(qtbot: QtBot, box: QCheckBox) -> None:
    """Click a key point where a user would: on its check mark and text, at the left of the row."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(12, box.height() // 2))


def wait_for_phase(qtbot: QtBot, window: MainWindow, *phases: Phase, timeout: int = 60_000) -> None:
    qtbot.waitUntil(lambda: window.practice.phase in phases, timeout=timeout)


@pytest.mark.speech
def test_spoken_answer_is_scored_highlighted_and_correctable(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store, tmp_path: Path
) -> None:
    window = make_window(probe_microphone=False)
    practice = window.practice
    practice.start_session(mode="spoken", order="in-order")
    assert practice.phase is Phase.READY
    assert practice.card is not None and practice.card.id == "path-vs-query"
    assert "path parameter" in practice.question_label.text()

    recording = recording_of(STRONG_ANSWER, tmp_path)
    with ticking() as ticks:
        practice.submit_recording(recording)
        assert practice.phase in (Phase.TRANSCRIBING, Phase.WAITING_MODEL)
        wait_for_phase(qtbot, window, Phase.RESULT, Phase.FAILED)
    # The GUI thread kept running while the model loaded and transcribed.
    assert ticks.ticks > 20
    assert ticks.longest_gap() < 0.5, f"the event loop stalled for {ticks.longest_gap():.2f} s"
    assert practice.phase is Phase.RESULT, practice.status_label.text()

    attempt = store.attempt(practice.attempt.id)
    assert attempt.status is Status.SCORED
    assert "question mark" in (attempt.transcript or "").lower()
    result = attempt.score_result()
    assert result is not None and result.hits >= 3

    # Score, pace and the checklist on screen match the stored attempt.
    assert practice.score_label.text() == f"{result.score:.0f}%"
    assert "words/min" in practice.stats_label.text()
    assert practice.checklist.states() == [p.hit for p in result.points]
    qtbot.waitUntil(lambda: all(box.isVisible() for box in practice.checklist.boxes))
    # Each hit key point's span is highlighted in the transcript, in the hit colour.
    fragments = practice.transcript_view.highlighted_fragments()
    hit_fragments = [text for text, colour in fragments if colour == HIT_COLOUR.name()]
    spans = [attempt.transcript[p.span[0] : p.span[1]] for p in result.points if p.hit and p.span]
    assert hit_fragments and set(hit_fragments) <= set(spans)
    assert practice.transcript_view.toPlainText().strip() == attempt.transcript.strip()

    # The model answer is hidden until Enter, then shown beside the transcript.
    assert not practice.answer_panel.isVisible()
    press(qtbot, window, Qt.Key.Key_Return)
    assert practice.answer_panel.isVisible()
    assert "query parameter" in practice.answer_view.toPlainText()

    # Clicking a hit key point marks it missed: the score on screen and in the database follow.
    first_hit = next(i for i, p in enumerate(result.points) if p.hit)
    click_point(qtbot, practice.checklist.boxes[first_hit])
    corrected = store.attempt(attempt.id)
    assert corrected.corrections == {first_hit: False}
    assert corrected.score is not None and corrected.score < result.score
    assert practice.score_label.text() == f"{corrected.score:.0f}%"
    assert "corrected by you" in practice.checklist.boxes[first_hit].text()
    assert not practice.checklist.boxes[first_hit].isChecked()
    # ... and clicking it again restores the automatic result.
    click_point(qtbot, practice.checklist.boxes[first_hit])
    assert store.attempt(attempt.id).corrections == {}
    assert practice.score_label.text() == f"{result.score:.0f}%"


def test_flashcard_self_grade_is_kept(qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    practice = window.practice
    practice.mode_combo.setCurrentIndex(practice.mode_combo.findData("flashcard"))
    qtbot.mouseClick(practice.start_button, Qt.MouseButton.LeftButton)
    assert practice.phase is Phase.FLASH_ANSWER
    assert not practice.answer_panel.isVisible()
    assert not practice.key_actions[Action.RECORD].isEnabled()

    press(qtbot, window, Qt.Key.Key_Return)
    assert practice.phase is Phase.FLASH_REVEALED
    assert practice.answer_panel.isVisible()
    assert "Key points" in practice.answer_view.toPlainText()
    assert all(practice.buttons[a].isVisible() for a in practice.buttons if a.value.startswith("grade"))

    press(qtbot, window, "3")
    assert practice.phase is Phase.FLASH_GRADED
    attempts = store.attempts()
    assert len(attempts) == 1
    attempt = attempts[0]
    assert attempt.status is Status.SELF_GRADED
    assert attempt.self_grade == 3 and attempt.score == SELF_GRADE_SCORES[3]
    assert attempt.card_id == "path-vs-query"
    assert "Good" in practice.status_label.text()
    # A second grade key does nothing: one grade per reveal.
    press(qtbot, window, "4")
    assert len(store.attempts()) == 1

    press(qtbot, window, "n")
    assert practice.phase is Phase.FLASH_ANSWER
    assert practice.card is not None and practice.card.id == "response-model"


def test_broken_decks_are_listed_and_the_others_load(make_window: Callable[..., MainWindow]) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    practice = window.practice
    assert practice.problems_box.isVisible()
    lines = practice.broken_deck_lines()
    text = "\n".join(lines)
    assert "broken-syntax.toml" in text and "TOML syntax error" in text
    assert "half-done.toml" in text and "key_points" in text and "missing" in text
    # The good deck is still there to practise.
    assert [practice.deck_combo.itemData(i) for i in range(practice.deck_combo.count())] == ["fastapi"]
    assert practice.start_button.isEnabled()


@pytest.mark.speech
def test_missing_model_is_explained_and_flashcards_still_work(
    qtbot: QtBot, make_window: Callable[..., MainWindow], settings: Settings, store: Store
) -> None:
    settings.set(Key.ASR_MODEL, MISSING_MODEL)
    with pytest.raises(ASRError) as expected:
        load_transcriber("faster-whisper", MISSING_MODEL)
    window = make_window(probe_microphone=False)
    with ticking() as ticks:
        qtbot.waitUntil(lambda: window.speech_model.state == "failed", timeout=30_000)
    assert ticks.longest_gap() < 0.5
    banner = window.model_banner
    assert banner.isVisible()
    assert str(expected.value) in banner.text().replace("&#x27;", "'").replace("&quot;", '"')
    assert "flashcard practice works" in banner.text()
    assert "failed" in window.model_label.text()

    practice = window.practice
    practice.start_session(mode="flashcard")
    press(qtbot, window, Qt.Key.Key_Return)
    press(qtbot, window, "2")
    assert [a.self_grade for a in store.attempts()] == [2]


@pytest.mark.speech
def test_recording_without_a_model_is_kept_and_says_why(
    qtbot: QtBot, make_window: Callable[..., MainWindow], settings: Settings, store: Store, tmp_path: Path
) -> None:
    settings.set(Key.ASR_MODEL, MISSING_MODEL)
    window = make_window(probe_microphone=False)
    qtbot.waitUntil(lambda: window.speech_model.state == "failed", timeout=30_000)
    practice = window.practice
    practice.start_session(mode="spoken")
    practice.submit_recording(recording_of("Path parameters are part of the URL.", tmp_path))
    assert practice.phase is Phase.FAILED
    attempt = store.attempts()[0]
    assert attempt.status is Status.FAILED and attempt.has_audio
    assert MISSING_MODEL in (attempt.error or "")
    assert MISSING_MODEL in practice.status_label.text()
    # Enter shows the model answer, and the button and status line then say Enter hides it again.
    reveal = practice.buttons[Action.REVEAL]
    assert "Reveal" in reveal.text() and "reveals the model answer" in practice.status_label.text()
    press(qtbot, window, Qt.Key.Key_Return)
    assert practice.answer_panel.isVisible()
    assert "Hide" in reveal.text() and "hides the model answer" in practice.status_label.text()
    assert MISSING_MODEL in practice.status_label.text()
    press(qtbot, window, Qt.Key.Key_Return)
    assert not practice.answer_panel.isVisible() and "Reveal" in reveal.text()


@pytest.mark.audio
def test_no_microphone_shows_a_banner_and_offers_flashcards(
    qtbot: QtBot, make_window: Callable[..., MainWindow], settings: Settings, pulse_mic: dict[str, str]
) -> None:
    settings.set(Key.INPUT_DEVICE, "No such microphone 9000")
    window = make_window(load_model=False)
    with qtbot.waitSignal(window.microphone_checked, timeout=20_000) as checked:
        pass
    assert checked.args == [False]
    assert window.microphone_banner.isVisible()
    assert "No microphone" in window.microphone_banner.text()
    assert "No such microphone 9000" in window.microphone_banner.text()
    practice = window.practice
    assert practice.mode_combo.currentData() == "flashcard"
    spoken = practice.mode_combo.model().item(practice.mode_combo.findData("spoken"))
    assert not spoken.isEnabled()
    practice.start_session()
    assert practice.mode == "flashcard" and practice.phase is Phase.FLASH_ANSWER


@pytest.mark.audio
def test_default_microphone_is_found(
    qtbot: QtBot, make_window: Callable[..., MainWindow], pulse_mic: dict[str, str]
) -> None:
    window = make_window(load_model=False)
    with qtbot.waitSignal(window.microphone_checked, timeout=20_000) as checked:
        pass
    assert checked.args == [True]
    assert not window.microphone_banner.isVisible()
    assert window.microphone_label.text().startswith("Microphone: ")


def test_think_time_counts_down_then_records_unless_escaped(
    qtbot: QtBot, make_window: Callable[..., MainWindow], settings: Settings
) -> None:
    settings.set(Key.THINK_TIME, 30.0)
    window = make_window(load_model=False, probe_microphone=False)
    practice = window.practice
    practice.start_session(mode="spoken")
    assert practice.phase is Phase.THINKING
    assert practice.countdown.isVisible() and practice.countdown.is_running()
    assert practice.countdown.text().startswith("Think 0:")
    press(qtbot, window, Qt.Key.Key_Escape)
    assert practice.phase is Phase.READY
    assert not practice.countdown.isVisible()


@pytest.mark.speech
def test_transcription_can_be_cancelled_and_the_recording_is_kept(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store, tmp_path: Path
) -> None:
    window = make_window(probe_microphone=False)
    qtbot.waitUntil(lambda: window.speech_model.state == "ready", timeout=30_000)
    practice = window.practice
    practice.start_session(mode="spoken")
    # Long enough (three Whisper windows) that the cancel is seen between windows.
    practice.submit_recording(recording_of(" ".join([STRONG_ANSWER] * 4), tmp_path))
    assert practice.phase is Phase.TRANSCRIBING
    assert "Esc" in practice.status_label.text()
    press(qtbot, window, Qt.Key.Key_Escape)
    wait_for_phase(qtbot, window, Phase.FAILED, Phase.RESULT, timeout=30_000)
    assert practice.phase is Phase.FAILED
    attempt = store.attempts()[0]
    assert attempt.status is Status.FAILED and "cancelled" in (attempt.error or "")
    assert attempt.has_audio and "cancelled" in practice.status_label.text()
    # R answers the card again; the cancelled attempt stays in the history.
    press(qtbot, window, "r")
    assert practice.phase is Phase.READY and len(store.attempts()) == 1


def test_last_card_ends_the_session_with_a_summary(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store
) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    practice = window.practice
    deck = practice.chosen_deck()
    assert deck is not None
    one_card = Deck(id=deck.id, title=deck.title, cards=deck.cards[:1])
    practice.start_session(deck=one_card, order="in-order", mode="flashcard")
    press(qtbot, window, Qt.Key.Key_Return)
    press(qtbot, window, "4")
    press(qtbot, window, "n")
    assert practice.phase is Phase.FINISHED
    assert "1 attempt(s) kept, mean score 100%" in practice.status_label.text()
    assert store.sessions()[0].ended_at is not None
    press(qtbot, window, "n")
    assert practice.phase is Phase.SETUP and practice.pages.currentWidget() is practice.setup_page


def recording_window(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> MainWindow:
    """A window with the microphone found, recording the first card's answer (Space pressed)."""
    window = make_window(load_model=False)
    qtbot.waitUntil(lambda: window.microphone_ok is not None, timeout=20_000)
    assert window.microphone_ok, window.microphone_banner.text()
    window.practice.start_session(mode="spoken")
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.practice.phase is Phase.RECORDING
    return window


@pytest.mark.audio
def test_closing_while_recording_stops_cleanly(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store, pulse_mic: dict[str, str]
) -> None:
    window = recording_window(qtbot, make_window)
    practice = window.practice
    qtbot.waitUntil(lambda: practice.level_meter.updates > 0, timeout=10_000)
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 0.5  # the window goes at once; the recorder stops behind it
    assert not window.isVisible()
    assert window.runner.wait(5000)
    assert not window.runner.running()
    # Nothing said is lost: the answer is kept, on disk and in the database, ready to be transcribed later.
    [attempt] = store.attempts()
    assert attempt.status is Status.RECORDED
    assert attempt.audio_path is not None and attempt.audio_path.is_file()
    assert attempt.duration is not None and attempt.duration > 0


@pytest.mark.audio
def test_recording_stops_at_the_time_limit(
    qtbot: QtBot, make_window: Callable[..., MainWindow], settings: Settings, store: Store, pulse_mic: dict[str, str]
) -> None:
    settings.set(Key.TIME_LIMIT, 2.0)
    window = make_window(load_model=False)
    qtbot.waitUntil(lambda: window.microphone_ok is not None, timeout=20_000)
    assert window.microphone_ok, window.microphone_banner.text()
    practice = window.practice
    practice.start_session(mode="spoken")
    assert "2 s to answer" in practice.progress_label.text()
    press(qtbot, window, Qt.Key.Key_Space)
    assert practice.phase is Phase.RECORDING and practice.countdown.total == 2
    # Nobody presses Space: the recorder stops itself at the limit and the answer is kept.
    wait_for_phase(qtbot, window, Phase.FAILED, Phase.RESULT, timeout=15_000)
    attempt = store.attempts()[0]
    assert attempt.has_audio and attempt.duration == pytest.approx(2.0, abs=0.2)
    assert "Time is up." in practice.status_label.text()


@pytest.mark.speech
def test_review_transcribe_again_runs_in_the_background(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store, tmp_path: Path
) -> None:
    window = make_window(probe_microphone=False)
    deck = window.practice.chosen_deck()
    assert deck is not None
    card = deck.card("path-vs-query")
    recording = recording_of(STRONG_ANSWER, tmp_path)
    session = store.start_session(deck.id, deck.title)
    attempt = store.add_recorded_attempt(session, deck, card, recording.path, storage_now(), recording.duration)
    qtbot.waitUntil(lambda: window.speech_model.state == "ready", timeout=30_000)
    window.tabs.setCurrentWidget(window.review)
    with ticking() as ticks:
        window.review.retranscribe_requested.emit(attempt.id)
        qtbot.waitUntil(lambda: store.attempt(attempt.id).status is Status.SCORED, timeout=30_000)
    assert ticks.longest_gap() < 0.5
    qtbot.waitUntil(lambda: "Transcribed again" in window.statusBar().currentMessage())
    assert attempt.id in {row[0] for row in window.review.attempt_rows()}


@pytest.mark.audio
def test_an_answer_is_registered_as_soon_as_recording_starts(
    qtbot: QtBot, make_window: Callable[..., MainWindow], store: Store, pulse_mic: dict[str, str]
) -> None:
    """If the app dies mid-answer, the review still has the attempt and its audio file."""
    window = recording_window(qtbot, make_window)
    practice = window.practice
    [attempt] = store.attempts()
    assert attempt.status is Status.RECORDED and attempt.duration is None
    assert attempt.audio_path is not None
    qtbot.waitUntil(lambda: practice.level_meter.updates > 0, timeout=10_000)
    qtbot.wait(2000)  # an answer long enough to keep (a shorter one is not an answer: test_practice_flow)
    press(qtbot, window, Qt.Key.Key_Space)  # stop: the same attempt gets its length, no second one appears
    qtbot.waitUntil(
        lambda: practice.phase is not Phase.SAVING and practice.phase is not Phase.RECORDING, timeout=20_000
    )
    [finished] = store.attempts()
    assert finished.id == attempt.id
    assert finished.duration is not None and finished.duration > 0
    assert finished.audio_path is not None and finished.audio_path.is_file()
