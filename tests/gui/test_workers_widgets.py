"""Background jobs report in the GUI thread and can be cancelled; the shared widgets show what they are given."""

from __future__ import annotations

import threading
import time

import pytest
import shiboken6
from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.conftest import CARDS
from trainer.deck import Card, KeyPoint, load_deck
from trainer.scoring import score_answer
from trainer.ui.widgets import (
    FILLER_COLOUR,
    HIT_COLOUR,
    WRONG_COLOUR,
    WRONG_TEXT,
    Countdown,
    Highlight,
    KeyPointChecklist,
    LevelMeter,
    TranscriptView,
    filler_highlights,
    format_seconds,
    merge_highlights,
    transcript_html,
)
from trainer.ui.workers import Job, JobRunner

pytestmark = pytest.mark.gui

CARD = Card(
    "path-vs-query",
    "Path or query parameter?",
    "A path parameter is part of the URL.",
    (KeyPoint("part of the URL path"), KeyPoint("after the question mark"), KeyPoint("declared as function arguments")),
    ("basics",),
)


@pytest.fixture
def runner() -> JobRunner:
    runner = JobRunner()
    yield runner
    assert runner.shutdown(5000)


def test_job_results_arrive_in_the_gui_thread(qtbot: QtBot, runner: JobRunner) -> None:
    gui = QApplication.instance().thread()
    seen: dict[str, object] = {}

    def work(job: Job) -> str:
        seen["worker"] = QThread.currentThread() is not gui
        job.signals.progress.emit(1)
        return "done"

    # Waiting on the job's own signal would race it: a quick job can finish before the wait connects.
    first = threading.Event()
    runner.start("ok", work, finished=first.set)
    qtbot.waitUntil(first.is_set, timeout=5000)
    finished = threading.Event()
    runner.start(
        "ok",
        work,
        succeeded=lambda value: seen.update(result=value, in_gui=QThread.currentThread() is gui),
        progress=lambda value: seen.update(progress_in_gui=QThread.currentThread() is gui),
        finished=finished.set,
    )
    qtbot.waitUntil(finished.is_set, timeout=5000)
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen == {"worker": True, "result": "done", "in_gui": True, "progress_in_gui": True}


def test_failures_are_reported_not_raised(qtbot: QtBot, runner: JobRunner) -> None:
    errors: list[BaseException] = []

    def work(job: Job) -> None:
        raise ValueError("no model here")

    runner.start("bad", work, failed=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ValueError) and str(errors[0]) == "no model here"


def test_cancel_reaches_the_work_and_shutdown_waits(qtbot: QtBot, runner: JobRunner) -> None:
    stopped: list[str] = []

    def work(job: Job) -> str:
        job.on_cancel(lambda: stopped.append("callback"))
        while not job.cancel_event.wait(0.01):
            pass
        return "cancelled"

    job = runner.start("slow", work)
    qtbot.wait(50)
    assert runner.running("slow") == [job]
    started = time.monotonic()
    assert runner.shutdown(5000)
    assert time.monotonic() - started < 1.0
    assert job.cancelled and stopped == ["callback"]


def test_results_are_dropped_after_stop_or_when_their_receiver_is_gone(qtbot: QtBot, runner: JobRunner) -> None:
    class Receiver(QObject):
        def got(self, value: object) -> None:
            raise AssertionError(f"{value!r} was delivered to a deleted object")

    release = threading.Event()
    receiver = Receiver()
    gone = runner.start("slow", lambda job: release.wait(5), succeeded=receiver.got)
    shiboken6.delete(receiver)  # e.g. the settings dialog closed while its voices were being listed
    release.set()
    qtbot.waitUntil(lambda: gone not in runner.jobs, timeout=5000)

    delivered: list[object] = []
    blocked = threading.Event()
    job = runner.start("late", lambda job: blocked.wait(5) and "late", succeeded=delivered.append)
    runner.stop()  # the window closed: asks, never waits
    assert job.cancelled
    blocked.set()
    assert runner.wait(5000)
    qtbot.wait(50)
    assert delivered == []


def test_transcript_view_highlights_hit_spans_and_fillers(qtbot: QtBot) -> None:
    text = "Um, a path parameter is part of the URL path; the query comes after the question mark <b>."
    result = score_answer(CARD, text)
    view = TranscriptView()
    qtbot.addWidget(view)
    view.set_result(text, result, filler_highlights(text, {"um": 1}))
    fragments = view.highlighted_fragments()
    hits = {t for t, colour in fragments if colour == HIT_COLOUR.name()}
    fillers = {t for t, colour in fragments if colour == FILLER_COLOUR.name()}
    expected = {text[p.span[0] : p.span[1]] for p in result.points if p.hit and p.span}
    assert hits == expected and any("URL" in h for h in hits)
    assert fillers == {"Um"}
    # The text is shown as written (markup in a transcript is text, not HTML).
    assert view.toPlainText() == text


def test_overlapping_key_point_spans_become_one_mark() -> None:
    kept = merge_highlights(
        "abcdefghijklmnop",
        [
            Highlight(2, 6, "hit", "first"),
            Highlight(4, 8, "hit", "second"),
            Highlight(5, 7, "filler"),  # inside a key point: not marked twice
            Highlight(10, 12, "filler"),
            Highlight(12, 14, "hit"),
            Highlight(9, 30),  # outside the text: dropped
        ],
    )
    assert [(h.start, h.end, h.kind) for h in kept] == [(2, 8, "hit"), (10, 12, "filler"), (12, 14, "hit")]
    assert kept[0].note == "first; second"
    assert "&lt;b&gt;" in transcript_html("<b>", [])


def test_checklist_click_reports_the_point(qtbot: QtBot) -> None:
    result = score_answer(CARD, "It is part of the URL path.")
    checklist = KeyPointChecklist()
    qtbot.addWidget(checklist)
    checklist.set_points(result.points)
    assert checklist.states() == [True, False, False]
    with qtbot.waitSignal(checklist.toggled) as toggled:
        checklist.boxes[1].click()
    assert toggled.args == [1, True]
    # Refreshing with the corrected result does not report a toggle.
    with qtbot.assertNotEmitted(checklist.toggled):
        checklist.update_points(result.with_corrections({1: True}).points)
    assert "corrected by you" in checklist.boxes[1].text()


def test_countdown_runs_down_and_expires(qtbot: QtBot) -> None:
    countdown = Countdown()
    qtbot.addWidget(countdown)
    assert format_seconds(61.2) == "1:02" and format_seconds(0.0) == "0:00"
    with qtbot.waitSignal(countdown.expired, timeout=3000):
        countdown.start(0.3, "Answer")
        assert countdown.text() == "Answer 0:01"
    assert countdown.remaining() == 0 and not countdown.is_running()
    countdown.start(30, "Think")
    qtbot.wait(150)
    countdown.stop()
    frozen = countdown.remaining()
    qtbot.wait(150)
    assert 29 < frozen < 30 and countdown.remaining() == frozen


def test_level_meter_maps_dbfs(qtbot: QtBot) -> None:
    meter = LevelMeter()
    qtbot.addWidget(meter)
    meter.set_level(-100.0, -100.0)
    assert meter.fraction() == 0
    meter.set_level(-30.0, -12.0)
    assert meter.fraction() == pytest.approx(0.5)
    meter.set_level(3.0, 6.0)
    assert meter.fraction() == 1
    assert not meter.grab().isNull()


def test_each_verdict_shows_its_evidence_and_a_wrong_claim_is_red_with_its_correction(qtbot: QtBot) -> None:
    card = load_deck(CARDS / "fastapi.toml").card("path-vs-query")
    text = (
        "A path parameter is part of the URL path. Path parameters are not required. "
        "Query parameters are always required."
    )
    result = score_answer(card, text)
    checklist = KeyPointChecklist()
    qtbot.addWidget(checklist)
    checklist.set_points(result.points)
    checklist.show()
    said, negated, _, missed, _ = (label.text() for label in checklist.evidence)
    assert said == "\u201cpart of the URL path\u201d"
    assert negated.startswith("contradicted: \u201cPath parameters are not required\u201d")
    assert checklist.evidence[1].styleSheet().startswith(f"color: {WRONG_TEXT}")
    assert missed.startswith("model answer: Query parameters are normally optional")
    # Corrected by hand: the scorer's evidence no longer applies.
    checklist.update_points(result.with_corrections({1: True}).points)
    assert checklist.evidence[1].isHidden()

    view = TranscriptView()
    qtbot.addWidget(view)
    view.set_result(text, result)
    wrong = [t for t, colour in view.highlighted_fragments() if colour == WRONG_COLOUR.name()]
    assert wrong == ["Query parameters are always required"]
    shown = view.toPlainText()
    assert shown.startswith(text) and "Not right:" in shown
    assert "Query parameters are usually optional: give them a default" in shown
