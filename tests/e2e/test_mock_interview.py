"""A whole mock interview of three questions through the real window, answered through the virtual microphone.

Nothing is stubbed: each question is read aloud, a synthesised answer is played into the app's private
microphone while it records, the answer is transcribed live (the transcript grows before the user stops), the
interviewer follows up on an answer that missed its most important point, and the report at the end is exported
to PDF, which poppler renders.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from tests.conftest import need
from tests.e2e.conftest import PrivateMic, speech_wav
from tests.e2e.test_practice_round import answer_into_mic, open_window
from tests.gui.helpers import press
from trainer.mock import most_important
from trainer.scoring import score_answer
from trainer.settings import Key, Settings
from trainer.storage import Status, Store
from trainer.ui.practice import Phase
from trainer.ui.shortcuts import Action

pytestmark = [pytest.mark.e2e, pytest.mark.audio, pytest.mark.speech, pytest.mark.gui]

#: The second answer says nothing of substance: its most important point is missed, so a follow-up comes.
WEAK_ANSWER = "I am not sure about that one, I would have to look it up in the documentation."


def ink(png: Path) -> float:
    """Share of sampled pixels that are not white."""
    image = QImage(str(png))
    assert not image.isNull(), f"{png} is not an image"
    dark = total = 0
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            total += 1
            dark += image.pixelColor(x, y).lightness() < 200
    return dark / total


def test_mock_interview_of_three_questions_with_a_follow_up_and_a_pdf_report(
    qtbot: QtBot, private_mic: PrivateMic, tmp_path: Path
) -> None:
    need(shutil.which("pdftoppm") is not None, "poppler-utils (pdftoppm)")
    settings = Settings.load()
    settings.set(Key.READ_QUESTION, True)
    settings.set(Key.VOICE_RATE, 260)
    settings.set(Key.THINK_TIME, 0.0)
    settings.set(Key.TIME_LIMIT, 240.0)  # answers end by Space here, never by a card's limit on a slow machine
    settings.save()
    store = Store.open_default(settings)
    window = open_window(qtbot, settings, store)
    practice = window.practice
    qtbot.waitUntil(lambda: window.microphone_ok is not None, timeout=20_000)
    assert window.microphone_ok, window.microphone_banner.text()
    qtbot.waitUntil(lambda: window.speech_model.state == "ready", timeout=60_000)

    practice.deck_combo.setCurrentIndex(practice.deck_combo.findData("fastapi"))
    practice.mode_combo.setCurrentIndex(practice.mode_combo.findData("mock"))
    practice.setup_page.mock_setup.questions_spin.setValue(3)
    press(qtbot, window, Qt.Key.Key_Return)
    round_ = practice.round
    assert round_ is not None and practice.mode == "mock" and len(round_.questions) == 3
    session = practice.session
    assert session is not None and store.session(session.id).mode == "mock"

    def answer(text: str, name: str, live: bool = False) -> None:
        """Wait for the question to be read, Space, say `text` into the microphone, Space."""
        qtbot.waitUntil(lambda: practice.phase is Phase.READY, timeout=30_000)
        assert not practice.key_actions[Action.REVEAL].isEnabled()  # no model answer in an interview
        press(qtbot, window, Qt.Key.Key_Space)
        assert practice.phase is Phase.RECORDING
        wav, _ = speech_wav(text, tmp_path / f"{name}.wav")
        answer_into_mic(qtbot, window, private_mic, wav)
        if live:  # the answer appeared while it was spoken, with its key points ticked, before the user stopped
            qtbot.waitUntil(lambda: bool(practice.checklist.boxes), timeout=15_000)
            assert practice.phase is Phase.RECORDING
            so_far = practice.transcript_view.plain  # the text as transcribed so far (no notes below it)
            assert so_far.strip()
            assert practice.checklist.states() == [p.hit for p in score_answer(round_.card, so_far).points]
        press(qtbot, window, Qt.Key.Key_Space)

    def next_question(asked: tuple[int, str | None]) -> None:
        """The interviewer goes on by itself: a follow-up, the next question or the report."""
        try:
            qtbot.waitUntil(
                lambda: (round_.index, round_.follow_up) != asked or practice.phase in (Phase.FAILED, Phase.REPORT),
                timeout=60_000,
            )
        except WaitTimeout as exc:
            raise AssertionError(f"stuck in {practice.phase}: {practice.status_label.text()}") from exc
        assert practice.phase is not Phase.FAILED, practice.status_label.text()

    follow_ups: list[int] = []
    for number, question in enumerate(round_.questions):
        card = question.card
        assert round_.index == number and practice.question_label.text() == card.question
        if number == 1:
            answer(WEAK_ANSWER, f"answer-{number}")
        else:
            answer(card.answer, f"answer-{number}", live=number == 0)
        next_question((number, None))
        if round_.follow_up is not None and round_.index == number:
            follow_ups.append(number)
            assert "Follow-up" in practice.question_label.text()
            point = card.key_points[most_important(card.key_points) or 0]
            answer(f"{point.text}. " + ". ".join(point.aliases), f"follow-up-{number}")
            next_question((number, round_.follow_up))

    assert 1 in follow_ups, "the weak answer missed its most important point, yet no follow-up was asked"
    assert practice.phase is Phase.REPORT
    assert practice.report_view.isVisible()
    report = practice.report_view.text()
    for question in round_.questions:
        assert question.card.question in report
    attempts = store.attempts(session_id=session.id)
    assert len(attempts) == 3 + len(follow_ups)
    assert all(a.status is Status.SCORED and a.time_limit for a in attempts)
    assert sum(1 for a in attempts if a.follow_up) == len(follow_ups)

    assert window.interviews.current_session_id() == session.id  # listed with the past interviews

    pdf = practice.report_view.export_pdf(tmp_path / "report.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", pdf, tmp_path / "page"], check=True)
    assert 0.005 < ink(tmp_path / "page-1.png") < 0.5

    press(qtbot, window, "n")
    assert practice.phase is Phase.SETUP
    window.close()
    assert window.runner.wait(15_000)
    store.close()
