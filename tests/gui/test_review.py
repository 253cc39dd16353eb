"""The review view on a real store, offscreen: list, filters, details with highlights, corrections, compare,
delete, export and "Transcribe again"."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile
from pytestqt.qtbot import QtBot

from tests.audio_helpers import pulse_mic  # noqa: F401 (a fixture)
from tests.conftest import CARDS
from trainer import storage
from trainer.asr.base import Segment, Transcript
from trainer.deck import Deck, load_deck
from trainer.scoring import score_answer
from trainer.speechstats import speech_stats
from trainer.storage import Attempt, Store
from trainer.ui.review import ReviewView

pytestmark = pytest.mark.gui

FIRST = "So um, a path parameter is part of the URL path, and it is required."
SECOND = (
    "A path parameter is part of the URL path. A query parameter comes after the question mark and is "
    "optional with a default, and both are declared as function arguments."
)


@pytest.fixture
def deck() -> Deck:
    return load_deck(CARDS / "fastapi.toml")


def _audio(path: Path, seconds: float = 2.0) -> None:
    rate = 16_000
    t = np.arange(int(rate * seconds)) / rate
    soundfile.write(path, (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate, format="FLAC")


def _spoken(store: Store, session: storage.Session, deck: Deck, card_id: str, text: str | None) -> Attempt:
    card = deck.card(card_id)
    path = store.new_audio_path(session, card)
    _audio(path)
    attempt = store.add_recorded_attempt(session, deck, card, path, storage.now(), 2.0)
    if text is None:
        return attempt
    transcript = Transcript(text, (Segment(0.0, 2.0, text),), 2.0, "faster-whisper", "tiny.en", "en")
    return store.save_result(attempt.id, transcript, score_answer(card, text), speech_stats(text, 2.0))


@pytest.fixture
def history(store: Store, deck: Deck) -> dict[str, Attempt]:
    """Two sessions: an older one with a scored answer and a failed one, a newer one with a better answer."""
    old = store.start_session(deck.id, deck.title)
    first = _spoken(store, old, deck, "path-vs-query", FIRST)
    failed = _spoken(store, old, deck, deck.cards[1].id, None)
    failed = store.mark_failed(failed.id, "Transcription failed: model tiny.en not found")
    store.end_session(old.id)
    new = store.start_session(deck.id, deck.title)
    second = _spoken(store, new, deck, "path-vs-query", SECOND)
    flash_session = store.start_session("sql", "SQL basics", "flashcard")
    flash = store.add_self_graded_attempt(flash_session, "sql", deck.cards[2], 3, 5.0)
    return {"first": first, "failed": failed, "second": second, "flash": flash}


@pytest.fixture
def view(qtbot: QtBot, store: Store, deck: Deck) -> ReviewView:
    widget = ReviewView(store, decks={deck.id: deck})
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_empty_store_says_how_to_fill_it(view: ReviewView) -> None:
    assert view.attempt_rows() == []
    assert view.detail_stack.currentIndex() == 0
    assert "No attempts yet" in view.placeholder.text()
    assert not view.delete_button.isEnabled() and not view.export_button.isEnabled()


def test_lists_sessions_and_attempts_newest_first(view: ReviewView, history: dict[str, Attempt]) -> None:
    view.refresh()
    rows = view.attempt_rows()
    assert [r[0] for r in rows] == [history[k].id for k in ("flash", "second", "failed", "first")]
    assert [r[2] for r in rows] == ["self-graded", "scored", "failed", "scored"]
    assert view.tree.topLevelItemCount() == 3
    top = view.tree.topLevelItem(0)
    assert top.text(1) == "SQL basics" and top.text(4) == "flashcards"
    older = view.tree.topLevelItem(2)
    assert older.text(2) == "2 attempts"
    first_score = history["first"].score
    assert first_score is not None and older.child(1).text(3) == f"{first_score:.0f}%"
    assert view.tree.topLevelItem(0).child(0).text(3) == "good"


def test_filters_by_deck_card_and_date(view: ReviewView, history: dict[str, Attempt], deck: Deck) -> None:
    view.refresh()
    assert view.deck_filter.count() == 3  # All decks, FastAPI, SQL basics (only in the history)
    assert not view.card_filter.isEnabled()
    view.deck_filter.setCurrentIndex(view.deck_filter.findData("fastapi"))
    assert view.card_filter.isEnabled()
    assert view.card_filter.count() == 1 + len(deck.cards)
    assert {r[0] for r in view.attempt_rows()} == {history[k].id for k in ("first", "failed", "second")}

    view.card_filter.setCurrentIndex(view.card_filter.findData("path-vs-query"))
    assert [r[0] for r in view.attempt_rows()] == [history["second"].id, history["first"].id]

    view.set_filters(since=date.today() + timedelta(days=1))
    assert view.attempt_rows() == []
    assert "No attempts match" in view.placeholder.text()
    view.set_filters(since=date.today() - timedelta(days=1), until=date.today())
    assert len(view.attempt_rows()) == 4
    view.until_check.setChecked(True)
    view.until_date.setDate(view.until_date.date().addDays(-2))
    assert view.attempt_rows() == []
    view.set_filters()
    assert len(view.attempt_rows()) == 4


def test_selecting_an_attempt_shows_it_with_highlights(view: ReviewView, history: dict[str, Attempt]) -> None:
    view.refresh()
    second = history["second"]
    assert view.select_attempt(second.id)
    assert view.detail_stack.currentIndex() == 1
    assert view.question_label.text() == second.question
    assert second.score is not None and view.score_label.text() == f"{second.score:.0f}%"
    assert view.wpm_label.text() == f"{second.wpm:.0f} wpm"
    assert view.transcript_view.toPlainText() == SECOND
    marked = [text for text, _colour in view.transcript_view.highlighted_fragments()]
    result = second.score_result()
    assert result is not None
    # Every key point hit is marked where it was said (overlapping spans are merged into one mark).
    shown = [(h.start, h.end) for h in view.transcript_view.highlights if h.kind == "hit"]
    for point in result.points:
        if point.hit and point.span is not None:
            assert any(start < point.span[1] and point.span[0] < end for start, end in shown), point
    assert all(SECOND[start:end] in "".join(marked) for start, end in shown)
    assert any("part of the URL path" in text for text in marked)
    assert [box.isChecked() for box in view.checklist.boxes] == [p.hit for p in result.points]
    assert view.checklist.boxes[0].text().startswith("\u2713")
    assert "A path parameter is a piece of the URL path" in view.model_answer.toPlainText()
    assert view.player_bar.isEnabled() and view.player.duration() == 2000
    assert view.player_bar.label.text() == "0:00 / 0:02"
    assert view.retranscribe_button.isEnabled() and view.delete_button.isEnabled()

    first = history["first"]
    view.select_attempt(first.id)
    assert "um \u00d71" in view.fillers_label.text()
    assert ("um", "#e4e4e4") in view.transcript_view.highlighted_fragments()


def test_failed_and_self_graded_attempts(view: ReviewView, history: dict[str, Attempt], qtbot: QtBot) -> None:
    view.refresh()
    failed = history["failed"]
    view.select_attempt(failed.id)
    assert "model tiny.en not found" in view.status_label.text()
    assert "Transcribe again" in view.transcript_view.toPlainText()
    assert view.checklist.isHidden() and not view.points_plain.isHidden()
    assert view.retranscribe_button.isEnabled()
    with qtbot.waitSignal(view.retranscribe_requested) as signal:
        view.retranscribe_button.click()
    assert signal.args == [failed.id]
    # The main window marks it and refreshes: the view shows it busy and does not offer it again.
    view.store.mark_transcribing(failed.id)
    view.refresh()
    assert view.current_attempt_id() == failed.id
    assert not view.retranscribe_button.isEnabled()
    assert "transcribing" in view.status_label.text()

    view.select_attempt(history["flash"].id)
    assert view.score_label.text() == "good"
    assert "Flashcard mode" in view.transcript_view.toPlainText()
    assert not view.retranscribe_button.isEnabled() and not view.player_bar.isEnabled()
    assert view.player_bar.label.text() == "no recording"


def test_correcting_a_key_point_changes_the_score(view: ReviewView, history: dict[str, Attempt], qtbot: QtBot) -> None:
    view.refresh()
    first = history["first"]
    view.select_attempt(first.id)
    result = first.score_result()
    assert result is not None
    missed = next(i for i, p in enumerate(result.points) if not p.hit)
    with qtbot.waitSignal(view.attempt_changed):
        view.checklist.boxes[missed].click()
    saved = view.store.attempt(first.id)
    assert saved.corrections == {missed: True}
    assert saved.score is not None and first.score is not None and saved.score > first.score
    assert view.score_label.text() == f"{saved.score:.0f}%"
    assert "(corrected by you)" in view.checklist.boxes[missed].text()
    assert "1 key point corrected" in view.status_label.text()
    item = view._find("attempt", first.id)
    assert item is not None and item.text(3) == f"{saved.score:.0f}%"
    # Clicking it back undoes the correction rather than adding another.
    view.checklist.boxes[missed].click()
    assert view.store.attempt(first.id).corrections == {}
    assert view.score_label.text() == f"{first.score:.0f}%"


def test_compare_shows_the_cards_attempts_side_by_side(view: ReviewView, history: dict[str, Attempt]) -> None:
    view.refresh()
    second, first = history["second"], history["first"]
    view.select_attempt(second.id)
    view.tabs.setCurrentIndex(1)
    table = view.compare_table
    assert table.rowCount() == 2  # oldest first
    assert first.score is not None and second.score is not None
    assert table.item(0, 1).text() == f"{first.score:.0f}%"
    assert table.item(1, 1).text() == f"{second.score:.0f}%"
    assert table.item(1, 1).font().bold()
    headers = [table.horizontalHeaderItem(c).toolTip() for c in range(5, table.columnCount())]
    assert headers == [p.text for p in second.key_points]
    assert "2 attempts of this card" in view.compare_title.text()
    assert view.compare_current.toPlainText() == SECOND
    assert view.compare_other.toPlainText() == FIRST  # the attempt before this one
    query_column = 5 + headers.index("after the question mark")
    assert table.item(0, query_column).text() == "\u2717" and table.item(1, query_column).text() == "\u2713"

    table.cellDoubleClicked.emit(0, 0)
    assert view.current_attempt_id() == first.id and view.tabs.currentIndex() == 0


def test_delete_removes_attempt_and_recording(view: ReviewView, history: dict[str, Attempt], qtbot: QtBot) -> None:
    view.refresh()
    first = history["first"]
    assert first.audio_path is not None and first.audio_path.exists()
    view.select_attempt(first.id)
    with qtbot.waitSignal(view.attempt_deleted) as signal:
        assert view.delete_attempt(confirm=False)
    assert signal.args == [first.id]
    assert not first.audio_path.exists()
    assert first.id not in [r[0] for r in view.attempt_rows()]
    with pytest.raises(storage.NotFound):
        view.store.attempt(first.id)
    assert view.current_attempt_id() == history["failed"].id  # the neighbour is selected
    # The session's last attempt: the session leaves the list too, and nothing is selected.
    assert view.delete_attempt(history["failed"].id, confirm=False)
    assert view.tree.topLevelItemCount() == 2
    assert view.current_attempt_id() is None and view.detail_stack.currentIndex() == 0


def test_export_writes_the_sessions_report(
    view: ReviewView, history: dict[str, Attempt], tmp_path: Path, qtbot: QtBot
) -> None:
    view.refresh()
    view.select_attempt(history["first"].id)
    assert view.export_button.isEnabled()
    target = tmp_path / "report.md"
    with qtbot.waitSignal(view.session_exported):
        written = view.export_session_to(target)
    assert written == target
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# FastAPI")
    assert FIRST in text and "model tiny.en not found" in text
    assert SECOND not in text  # another session
    assert view.export_dir == tmp_path


def test_refresh_keeps_the_selection_and_shows_new_attempts(
    view: ReviewView, history: dict[str, Attempt], store: Store, deck: Deck
) -> None:
    view.refresh()
    view.select_attempt(history["first"].id)
    session = store.start_session(deck.id, deck.title)
    newest = _spoken(store, session, deck, "path-vs-query", SECOND)
    view.refresh()
    assert view.current_attempt_id() == history["first"].id
    assert view.attempt_rows()[0][0] == newest.id


def test_player_seeks_without_a_sound_device(view: ReviewView, history: dict[str, Attempt]) -> None:
    view.refresh()
    view.select_attempt(history["second"].id)
    view.player_bar.slider.setValue(1500)
    assert view.player.position() == 1500
    assert view.player_bar.label.text() == "0:01 / 0:02"


def test_missing_recording_is_shown(view: ReviewView, history: dict[str, Attempt]) -> None:
    second = history["second"]
    assert second.audio_path is not None
    second.audio_path.unlink()
    view.refresh()
    view.select_attempt(second.id)
    assert view.player_bar.label.text() == "recording missing"
    assert not view.player_bar.isEnabled() and not view.retranscribe_button.isEnabled()


def test_decks_can_be_given_as_a_list(qtbot: QtBot, store: Store, deck: Deck, history: dict[str, Attempt]) -> None:
    widget = ReviewView(store, decks=[deck])
    qtbot.addWidget(widget)
    assert widget.decks == {deck.id: deck}
    assert len(widget.attempt_rows()) == 4


@pytest.mark.audio
@pytest.mark.usefixtures("pulse_mic")
def test_playback_is_heard(view: ReviewView, history: dict[str, Attempt], tmp_path: Path, qtbot: QtBot) -> None:
    """The recording plays on the default output: the virtual microphone hears the 440 Hz tone."""
    from trainer.audio import Recorder

    view.refresh()
    view.select_attempt(history["second"].id)
    recorder = Recorder(tmp_path / "heard.flac", max_seconds=6.0)
    recorder.start()
    try:
        with qtbot.waitSignal(view.player.playing_changed, timeout=3000) as started:
            view.player_bar.play_button.click()
        assert started.args == [True]
        assert view.player_bar.play_button.text().endswith("Pause")
        qtbot.waitUntil(lambda: view.player.position() > 300, timeout=3000)
        with qtbot.waitSignal(view.player.playing_changed, timeout=5000) as ended:
            pass
        assert ended.args == [False]
        assert view.player.position() == 2000
        qtbot.wait(1600)  # the monitor source's latency
    finally:
        recording = recorder.stop()
    assert recording is not None
    samples, rate = soundfile.read(recording.path, dtype="float32")
    spectrum = np.abs(np.fft.rfft(samples))
    peak = np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))]
    assert abs(peak - 440) < 5, peak
    # Play again starts from the beginning; pausing keeps the place.
    view.player_bar.play_button.click()
    qtbot.waitUntil(lambda: view.player.position() > 200, timeout=3000)
    view.player_bar.play_button.click()
    place = view.player.position()
    assert not view.player.is_playing() and 0 < place < 2000
    qtbot.wait(200)
    assert view.player.position() == place


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_qt_bindings_keep_none_alive(qtbot: QtBot) -> None:
    """PySide6 6.12.0 under Python 3.11 drops a reference to None on every void call: the review of a long
    history (and any long session) then aborts with "deallocating None". pyproject.toml excludes it."""
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(200):
        label.setText("x")
    assert sys.getrefcount(None) >= before - 20, (
        "the installed PySide6 leaks references to None (6.12.0 on Python 3.11): pip install 'PySide6-Essentials<6.12'"
    )
