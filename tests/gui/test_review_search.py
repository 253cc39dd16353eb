"""The review reads well: questions listed (not card ids), full-text search over what was said, the filter by
practice mode, attempts still being recorded or transcribed shown as such and protected, and the spaced-
repetition rating shown and overridable. Real widgets offscreen over a real store."""

# ruff: noqa: F811  (the fixtures imported from test_review are parameters here)
from __future__ import annotations

from datetime import timedelta

import pytest
import soundfile
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.gui.test_review import deck, history, view  # noqa: F401 (fixtures)
from trainer import srs, storage
from trainer.deck import Deck
from trainer.storage import Attempt, Store
from trainer.ui.review import ReviewView

pytestmark = pytest.mark.gui


def test_rows_show_the_question_not_the_card_id(view: ReviewView, history: dict[str, Attempt]) -> None:
    view.refresh()
    item = view._find("attempt", history["second"].id)
    assert item is not None
    assert history["second"].question.startswith(item.text(2).rstrip("\u2026"))
    assert "path-vs-query" not in item.text(2) and "path-vs-query" in item.toolTip(2)
    assert view.tree.headerItem().text(2) == "Question"
    view.deck_filter.setCurrentIndex(view.deck_filter.findData("fastapi"))
    labels = [view.card_filter.itemText(i) for i in range(1, view.card_filter.count())]
    assert labels[0].startswith("What is the difference between a path parameter")


def test_search_box_finds_a_word_from_a_transcript(view: ReviewView, history: dict[str, Attempt], qtbot: QtBot) -> None:
    view.refresh()
    qtbot.keyClicks(view.search_box, "mark")  # "question mark" is only in SECOND's transcript
    qtbot.waitUntil(lambda: [r[0] for r in view.attempt_rows()] == [history["second"].id])
    view.search_box.clear()
    qtbot.keyClicks(view.search_box, "required")  # only in FIRST ("and it is required")
    qtbot.waitUntil(lambda: [r[0] for r in view.attempt_rows()] == [history["first"].id])
    view.set_filters(search="nobody said this")
    assert view.attempt_rows() == []
    assert "No attempt mentions" in view.placeholder.text()


def test_filter_by_mode(view: ReviewView, history: dict[str, Attempt]) -> None:
    view.refresh()
    labels = [view.mode_filter.itemText(i) for i in range(view.mode_filter.count())]
    assert labels == ["All modes", "Single spoken", "Flashcards", "Mock interview"]
    view.mode_filter.setCurrentIndex(view.mode_filter.findData("flashcard"))
    assert [r[0] for r in view.attempt_rows()] == [history["flash"].id]
    view.mode_filter.setCurrentIndex(view.mode_filter.findData("spoken"))
    assert {r[0] for r in view.attempt_rows()} == {history[k].id for k in ("first", "failed", "second")}


def test_an_attempt_being_recorded_cannot_be_played_deleted_or_transcribed(
    view: ReviewView,
    store: Store,
    deck: Deck,
    qtbot: QtBot,
) -> None:
    session = store.start_session(deck.id, deck.title)
    card = deck.card("path-vs-query")
    path = store.new_audio_path(session, card)
    with soundfile.SoundFile(str(path), "w", 16_000, 1, format="FLAC") as being_written:
        being_written.write([0.0] * 16_000)
        being_written.flush()
        # Registered when recording starts, as the practice view does: no duration yet.
        attempt = store.add_recorded_attempt(session, deck, card, path, storage.now(), None)
        view.refresh()
        assert view.attempt_rows() == [(attempt.id, card.id, "recording\u2026")]
        assert view.select_attempt(attempt.id)
        assert not view.player_bar.isEnabled() and view.player.path is None
        assert "still recording" in view.player_bar.label.text()
        assert not view.delete_button.isEnabled() and not view.retranscribe_button.isEnabled()
        assert "Recording" in view.transcript_view.toPlainText()
        # Neither the Del key nor a direct call removes it.
        view.tree.setFocus()
        qtbot.keyClick(view.tree, Qt.Key.Key_Delete)
        assert not view.delete_attempt(attempt.id, confirm=False)
        assert path.is_file() and store.attempt(attempt.id).id == attempt.id
        being_written.write([0.0] * 16_000)
    store.set_duration(attempt.id, 2.0)  # the recorder closed the file: the review follows by itself
    qtbot.waitUntil(lambda: view.attempt_rows() == [(attempt.id, card.id, "not transcribed")], timeout=5000)
    assert view.player_bar.isEnabled() and view.delete_button.isEnabled() and view.retranscribe_button.isEnabled()
    # Being transcribed: shown as such, protected the same way.
    store.mark_transcribing(attempt.id)
    view.refresh()
    assert view.attempt_rows()[0][2] == "transcribing\u2026"
    assert not view.delete_button.isEnabled() and not view.retranscribe_button.isEnabled()
    assert not view.delete_attempt(attempt.id, confirm=False) and path.is_file()


def test_the_repetition_rating_is_shown_and_can_be_overridden(view: ReviewView, history: dict[str, Attempt]) -> None:
    view.refresh()
    graded = history["flash"]  # a flashcard graded "good": its card's only review
    view.select_attempt(graded.id)
    assert view.rating_combo.isVisible() and view.rating_combo.currentData() == int(srs.Rating.Good)
    assert view.rating_caption.text() == "Repeat as"
    due = srs.card_states(view.store, graded.deck_id)[graded.card_id].due
    assert due == graded.started_at + timedelta(days=2)
    again = view.rating_combo.findData(1)
    view.rating_combo.setCurrentIndex(again)
    view.rating_combo.activated.emit(again)  # what a user's choice in the list sends
    assert srs.review_rating(view.store, view.store.attempt(graded.id)) == (srs.Rating.Again, True)
    assert srs.card_states(view.store, graded.deck_id)[graded.card_id].due == graded.started_at + timedelta(days=1)
    assert view.rating_caption.text() == "Repeat as (your choice)"
    # A spoken answer shows the rating its score earned; a failed one has none.
    second = history["second"]
    view.select_attempt(second.id)
    assert second.score is not None and view.rating_combo.currentData() == int(srs.rating_for_score(second.score))
    view.select_attempt(history["failed"].id)
    assert not view.rating_combo.isVisible()
