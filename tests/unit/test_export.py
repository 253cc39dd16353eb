"""The Markdown report of a session holds what a user rereads: questions, scores, key points, transcript."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer import storage
from trainer.asr.base import Segment, Transcript
from trainer.deck import Card, Deck, KeyPoint, Misconception
from trainer.export import default_file_name, export_session, session_markdown
from trainer.scoring import score_answer
from trainer.speechstats import speech_stats
from trainer.storage import Store

CARD = Card(
    id="status-422",
    question="Why does FastAPI answer 422 and not 400?",
    answer="Because request validation failed.\n\nYou can change it with a custom exception handler.",
    key_points=(
        KeyPoint("422 Unprocessable Entity"),
        KeyPoint("request validation failed"),
        KeyPoint("custom exception handler"),
    ),
    tags=("tricky",),
)
FLASH = Card("depends", "What does Depends do?", "Dependency injection.", (KeyPoint("dependency injection"),), ())
DECK = Deck("fastapi", "FastAPI", (CARD, FLASH))
TEXT = "Um, it's a 422 unprocessable entity, you know, because the request validation failed."


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / storage.DB_NAME)
    yield s
    s.close()


def _session(store: Store) -> int:
    session = store.start_session(DECK.id, DECK.title, "spoken", "weakest")
    path = store.new_audio_path(session, CARD)
    path.write_bytes(b"audio")
    attempt = store.add_recorded_attempt(session, DECK, CARD, path, storage.now(), 10.0)
    transcript = Transcript(TEXT, (Segment(0.0, 9.0, TEXT),), 9.0, "faster-whisper", "tiny.en", "en")
    store.save_result(attempt.id, transcript, score_answer(CARD, TEXT), speech_stats(TEXT, 10.0))
    store.set_corrections(attempt.id, {2: True})
    failed = store.add_recorded_attempt(session, DECK, FLASH, store.new_audio_path(session, FLASH), storage.now(), 3.0)
    store.mark_failed(failed.id, "Transcription failed: model not found")
    store.end_session(session.id)
    return session.id


def test_report_holds_what_a_user_looks_for(store: Store) -> None:
    session_id = _session(store)
    text = session_markdown(store, session_id)
    assert text.startswith("# FastAPI\n")
    session = store.session(session_id)
    assert session.started_at.astimezone().strftime("%Y-%m-%d %H:%M") in text
    assert "- **Order:** weakest" in text and "- **Attempts:** 2" in text
    assert "## 1. Why does FastAPI answer 422 and not 400?" in text
    assert "**Score:** 100%" in text  # 2 of 3 hit, plus the corrected one
    assert "- ✓ 422 Unprocessable Entity" in text
    assert "- ✓ request validation failed" in text
    assert "- ✓ custom exception handler *(corrected by hand)*" in text
    assert f"> {TEXT}" in text
    assert f"{len(TEXT.split()) * 6:.0f} words per minute" in text
    assert "2 filler words: “um” ×1, “you know” ×1" in text
    assert "**Model answer**\n\n> Because request validation failed.\n>\n> You can change it" in text
    # The failed attempt says why, and still shows what the answer should have held.
    assert "## 2. What does Depends do?" in text
    assert "**Status:** failed\n\n**Error:** Transcription failed: model not found" in text
    assert "> Dependency injection." in text


def test_missed_points_are_crossed(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    attempt = store.add_recorded_attempt(session, DECK, CARD, store.new_audio_path(session, CARD), storage.now(), 5.0)
    text = "It returns an error."
    transcript = Transcript(text, (), 5.0, "faster-whisper", "tiny.en", "en")
    store.save_result(attempt.id, transcript, score_answer(CARD, text), speech_stats(text, 5.0))
    report = session_markdown(store, session.id)
    assert "**Score:** 0%" in report
    assert report.count("- ✗ ") == 3
    assert "no filler words" in report


def test_flashcard_session(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title, "flashcard")
    store.add_self_graded_attempt(session, DECK, FLASH, 2, 4.0)
    report = session_markdown(store, session.id)
    assert "flashcards (self-graded)" in report
    assert "**Self-grade:** hard (2/4)" in report
    assert "- dependency injection" in report


def test_export_writes_the_file(store: Store, tmp_path: Path) -> None:
    session_id = _session(store)
    target = tmp_path / "reports" / default_file_name(store.session(session_id))
    assert target.name.startswith("fastapi-") and target.suffix == ".md"
    assert export_session(store, session_id, target) == target
    assert target.read_text(encoding="utf-8") == session_markdown(store, session_id)
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left


def test_unknown_session(store: Store) -> None:
    with pytest.raises(storage.NotFound, match="no practice session 42"):
        session_markdown(store, 42)


def test_code_in_answers_stays_literal(store: Store) -> None:
    card = Card("args", "What do *args and **kwargs collect?", "A tuple; List<int> is [not] a link.",
                (KeyPoint("*args is a tuple"),), ("basics",))  # fmt: skip
    session = store.start_session(DECK.id, DECK.title, "flashcard")
    store.add_self_graded_attempt(session, DECK, card, 4, 2.0)
    report = session_markdown(store, session.id)
    assert "## 1. What do \\*args and \\*\\*kwargs collect?" in report
    assert "> A tuple; List\\<int> is \\[not] a link." in report
    assert "- \\*args is a tuple" in report


def test_report_shows_the_evidence_for_each_verdict_and_the_wrong_claims(store: Store) -> None:
    card = Card(
        id="path-vs-query",
        question="What is the difference between a path parameter and a query parameter?",
        answer="A path parameter is part of the URL path. Query parameters are optional because they have defaults.",
        key_points=(KeyPoint("part of the URL path"), KeyPoint("query parameters optional with defaults")),
        tags=("basics",),
        misconceptions=(Misconception("query parameters are always required", "They are optional with a default."),),
    )
    session = store.start_session("d", "D")
    attempt = store.add_recorded_attempt(
        session, Deck("d", "D", (card,)), card, store.new_audio_path(session, card), storage.now(), 5.0
    )
    text = "A path parameter is part of the URL path, and query parameters are always required."
    transcript = Transcript(text, (), 5.0, "faster-whisper", "tiny.en", "en")
    store.save_result(attempt.id, transcript, score_answer(card, text), speech_stats(text, 5.0))
    report = session_markdown(store, session.id)
    assert "- ✓ part of the URL path\n  said: “part of the URL path”" in report
    assert "- ✗ query parameters optional with defaults\n  model answer: Query parameters are optional" in report
    assert (
        "- **Wrong:** “query parameters are always required” (query parameters are always required). "
        "**Correction:** They are optional with a default." in report
    )
