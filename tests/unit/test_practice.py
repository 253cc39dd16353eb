"""The path of one answer: card order (with a real store) and transcription into a scored attempt."""

from __future__ import annotations

import random
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import need
from trainer import storage
from trainer.deck import Card, Deck, KeyPoint, load_deck
from trainer.practice import order_cards, time_limit_for, transcribe_attempt
from trainer.storage import Status, Store

REPO = Path(__file__).resolve().parents[2]


def card(card_id: str, *points: str) -> Card:
    return Card(card_id, f"Question {card_id}?", f"Answer {card_id}.", tuple(KeyPoint(p) for p in points), ("basics",))


DECK = Deck(
    id="d",
    title="Deck",
    cards=(card("a", "alpha"), card("b", "beta"), card("c", "gamma"), card("d", "delta"), card("e", "epsilon")),
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / storage.DB_NAME)
    yield s
    s.close()


def ids(cards: list[Card]) -> list[str]:
    return [c.id for c in cards]


def test_in_order_and_shuffled() -> None:
    assert ids(order_cards(DECK, "in-order")) == ["a", "b", "c", "d", "e"]
    shuffled = order_cards(DECK, "shuffled", rng=random.Random(7))
    assert sorted(ids(shuffled)) == ["a", "b", "c", "d", "e"]
    assert ids(order_cards(DECK, "shuffled", rng=random.Random(7))) == ids(shuffled)  # repeatable with a seed
    assert any(ids(order_cards(DECK, "shuffled", rng=random.Random(s))) != ids(DECK.cards) for s in range(5))
    assert ids(order_cards(DECK, "in-order", cards=DECK.cards[2:])) == ["c", "d", "e"]


def test_weakest_first_uses_recent_scores(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title, "flashcard", "weakest")
    grades = {"a": [4, 4], "b": [1, 4, 4, 4], "c": [2], "e": [3, 1]}  # "d" never answered
    for card_id, card_grades in grades.items():
        for grade in card_grades:
            store.add_self_graded_attempt(session, DECK, DECK.card(card_id), grade, 5.0)
    # Means of the last 3: a 100, b 100 (the early "again" has aged out), c 40, e 37.5; d never answered.
    assert ids(order_cards(DECK, "weakest", store)) == ["d", "e", "c", "a", "b"]
    # Another deck's attempts on cards with the same ids do not count.
    other = store.start_session("other", "Other")
    store.add_self_graded_attempt(other, "other", DECK.card("d"), 4, 1.0)
    assert ids(order_cards(DECK, "weakest", store))[0] == "d"


def test_weakest_first_with_no_history_keeps_deck_order(store: Store) -> None:
    assert ids(order_cards(DECK, "weakest", store)) == ["a", "b", "c", "d", "e"]


def test_bad_orders() -> None:
    with pytest.raises(ValueError, match="needs the attempts store"):
        order_cards(DECK, "weakest")
    with pytest.raises(ValueError, match="in-order, shuffled, weakest"):
        order_cards(DECK, "alphabetical")


def test_time_limit_override() -> None:
    timed = Card("t", "q", "a", (KeyPoint("x"),), ("basics",), time_limit=30.0)
    deck = Deck("d", "D", (timed, DECK.cards[0]), time_limit=120.0)
    assert time_limit_for(deck, timed) == 30.0
    assert time_limit_for(deck, DECK.cards[0]) == 120.0
    assert time_limit_for(deck, timed, 45.0) == 45.0


# --- transcription -----------------------------------------------------------------------------------------


def _recorded(store: Store, deck: Deck, card: Card, content: bytes | None, duration: float = 10.0) -> int:
    session = store.start_session(deck.id, deck.title)
    path = store.new_audio_path(session, card)
    if content is not None:
        path.write_bytes(content)
    return store.add_recorded_attempt(session, deck, card, path, storage.now(), duration).id


def _transcriber():  # type: ignore[no-untyped-def]
    from trainer.asr import load_transcriber

    return load_transcriber("faster-whisper", "tiny.en")


def test_missing_audio_fails_readably_without_running_a_model(store: Store) -> None:
    attempt_id = _recorded(store, DECK, DECK.cards[0], None)
    failed = transcribe_attempt(store, attempt_id, DECK, DECK.cards[0], transcriber=None)  # type: ignore[arg-type]
    assert failed.status is Status.FAILED
    assert failed.error is not None and failed.error.startswith("The recording is missing")


def test_cancel_before_start_marks_failed_and_keeps_audio(store: Store) -> None:
    attempt_id = _recorded(store, DECK, DECK.cards[0], b"audio")
    cancel = threading.Event()
    cancel.set()
    failed = transcribe_attempt(store, attempt_id, DECK, DECK.cards[0], None, cancel)  # type: ignore[arg-type]
    assert failed.status is Status.FAILED and failed.error == "Transcription was cancelled."
    assert failed.has_audio


def test_self_graded_attempt_cannot_be_transcribed(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title, "flashcard")
    attempt = store.add_self_graded_attempt(session, DECK, DECK.cards[0], 3, 2.0)
    with pytest.raises(ValueError, match="self-graded"):
        transcribe_attempt(store, attempt.id, DECK, DECK.cards[0], None)  # type: ignore[arg-type]


@pytest.mark.speech
def test_unreadable_audio_is_a_failed_attempt_with_the_engine_reason(store: Store) -> None:
    attempt_id = _recorded(store, DECK, DECK.cards[0], b"not audio at all")
    failed = transcribe_attempt(store, attempt_id, DECK, DECK.cards[0], _transcriber())
    assert failed.status is Status.FAILED
    assert failed.error is not None and "Transcription failed:" in failed.error and "cannot be read" in failed.error
    assert failed.has_audio  # kept for "Transcribe again"


@pytest.mark.speech
def test_spoken_answer_is_transcribed_scored_and_saved(store: Store, tmp_path: Path) -> None:
    need(shutil.which("espeak-ng") is not None, "espeak-ng is needed to synthesise an answer")
    import soundfile

    deck = load_deck(REPO / "cards" / "fastapi.toml")
    (card_,) = [c for c in deck.cards if c.id == "path-vs-query"]
    text = (
        "A path parameter is part of the URL path and is required. A query parameter comes after the question "
        "mark and is usually optional, with a default value."
    )
    wav = tmp_path / "answer.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), text], check=True, capture_output=True)
    samples, rate = soundfile.read(wav)
    session = store.start_session(deck.id, deck.title)
    audio = store.new_audio_path(session, card_)
    soundfile.write(audio, samples, rate, format="FLAC")
    duration = len(samples) / rate + 2.0  # the recording ran on a little after the last word
    attempt = store.add_recorded_attempt(session, deck, card_, audio, storage.now(), duration)

    saved = transcribe_attempt(store, attempt.id, deck, card_, _transcriber())
    assert saved.status is Status.SCORED, saved.error
    # espeak-ng is robotic and tiny.en mishears some of it; these words it gets reliably.
    assert saved.transcript and "url path" in saved.transcript.lower() and "question mark" in saved.transcript.lower()
    assert saved.score is not None and saved.score > 0
    assert saved.engine == "faster-whisper" and saved.model == "tiny.en"
    assert saved.wpm == pytest.approx(len(saved.transcript.split()) * 60 / duration)  # the real duration
    transcript = saved.transcript_obj()
    assert transcript is not None and transcript.segments
    assert saved.has_audio
