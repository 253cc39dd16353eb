"""Spaced repetition on a real SQLite store: ratings from scores, the due dates FSRS gives, "due first" order,
due/new counts and the practice streak, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from trainer import srs, storage
from trainer.asr.base import Segment, Transcript
from trainer.deck import Card, Deck, KeyPoint
from trainer.practice import order_cards
from trainer.scoring import score_answer
from trainer.speechstats import speech_stats
from trainer.storage import Attempt, Store

INJECTION = "dependency injection with Depends"
VALIDATION = "Pydantic validates the request body"
HALF = INJECTION  # scores 50
FULL = f"{INJECTION} and {VALIDATION}"  # scores 100
CARDS = tuple(
    Card(f"card-{i}", f"Question {i}?", f"Answer {i}.", (KeyPoint(INJECTION), KeyPoint(VALIDATION)), ())
    for i in range(4)
)
DECK = Deck(id="srs-deck", title="SRS deck", cards=CARDS)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / storage.DB_NAME)
    yield s
    s.close()


def spoken(store: Store, card: Card, text: str, when: datetime) -> Attempt:
    """A recorded, transcribed and scored answer, started at `when`."""
    session = store.start_session(DECK.id, DECK.title)
    path = store.new_audio_path(session, card)
    path.write_bytes(b"audio")
    attempt = store.add_recorded_attempt(session, DECK, card, path, when, 5.0)
    transcript = Transcript(text, (Segment(0.0, 5.0, text, ()),), 5.0, "faster-whisper", "tiny.en", "en")
    return store.save_result(attempt.id, transcript, score_answer(card, text), speech_stats(text, 5.0))


def graded(store: Store, card: Card, grade: int, when: datetime) -> Attempt:
    session = store.start_session(DECK.id, DECK.title, mode="flashcard")
    return store.add_self_graded_attempt(session, DECK, card, grade, 3.0, started_at=when)


@pytest.mark.parametrize(
    ("score", "misconception", "rating"),
    [(0, False, Rating.Again), (59.9, False, Rating.Again), (60, False, Rating.Hard), (74.9, False, Rating.Hard),
     (75, False, Rating.Good), (89.9, False, Rating.Good), (90, False, Rating.Easy), (100, False, Rating.Easy),
     (95, True, Rating.Again)],
)  # fmt: skip
def test_a_score_becomes_a_rating(score: float, misconception: bool, rating: Rating) -> None:
    assert srs.rating_for_score(score, misconception) is rating


def test_first_intervals_are_days_checked_by_hand(store: Store) -> None:
    # Full answer (100) -> Easy, half (50) -> Again; flashcard grades 2 (Hard) and 3 (Good) map directly.
    spoken(store, CARDS[0], FULL, T0)
    spoken(store, CARDS[1], HALF, T0)
    graded(store, CARDS[2], 2, T0)
    graded(store, CARDS[3], 3, T0)
    due = {card_id: state.due - T0 for card_id, state in srs.card_states(store, DECK).items()}
    assert due == {"card-0": timedelta(days=8), "card-1": timedelta(days=1), "card-2": timedelta(days=1),
                   "card-3": timedelta(days=2)}  # fmt: skip


def test_scripted_history_gives_the_due_dates_fsrs_gives(store: Store) -> None:
    script = [(0, 3), (2, 3), (7, 1), (8, 2), (10, 4), (40, 3)]  # (day, self-grade)
    expected = FsrsCard(card_id=0, due=T0)
    scheduler = Scheduler(desired_retention=0.9, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    for day, grade in script:
        when = T0 + timedelta(days=day, hours=day % 3)
        graded(store, CARDS[0], grade, when)
        expected, _ = scheduler.review_card(expected, Rating(grade), review_datetime=when)
        state = srs.card_states(store, DECK)["card-0"]
        assert state.due == expected.due
        assert state.stability == pytest.approx(expected.stability)
    assert len(store.srs_reviews(DECK.id, "card-0")) == len(script)


def test_override_replaces_the_automatic_rating_and_reschedules(store: Store) -> None:
    attempt = spoken(store, CARDS[0], HALF, T0)  # 50 -> Again: due in 1 day
    assert srs.card_states(store, DECK)["card-0"].due == T0 + timedelta(days=1)
    assert srs.record_review(store, attempt, Rating.Easy) is Rating.Easy
    assert srs.card_states(store, DECK)["card-0"].due == T0 + timedelta(days=8)
    assert srs.review_rating(store, attempt) == (Rating.Easy, True)
    # A later automatic rescoring (a correction) never undoes the user's choice.
    store.set_corrections(attempt.id, {0: False})
    assert srs.review_rating(store, attempt) == (Rating.Easy, True)
    assert srs.card_states(store, DECK)["card-0"].due == T0 + timedelta(days=8)


def test_a_correction_reschedules(store: Store) -> None:
    attempt = spoken(store, CARDS[0], HALF, T0)
    store.set_corrections(attempt.id, {1: True})  # now 100: Easy
    assert srs.review_rating(store, attempt) == (Rating.Easy, False)
    assert srs.card_states(store, DECK)["card-0"].due == T0 + timedelta(days=8)


def test_a_misconception_said_is_again(store: Store) -> None:
    attempt = spoken(store, CARDS[0], FULL, T0)
    results = dict(attempt.results or {})
    results["misconceptions"] = [{"claim": "x", "correction": "y", "span": "x"}]
    changed = Attempt(**{**attempt.__dict__, "results": results})
    assert srs.rating_for(changed) is Rating.Again


def test_unscored_attempts_are_not_reviews(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    path = store.new_audio_path(session, CARDS[0])
    attempt = store.add_recorded_attempt(session, DECK, CARDS[0], path, T0, None)
    assert srs.record_review(store, attempt) is None
    with pytest.raises(ValueError, match="no score"):
        srs.rating_for(attempt)
    store.mark_failed(attempt.id, "no model")
    assert srs.deck_summary(store, DECK, now=T0).new == len(CARDS)


def test_due_first_orders_due_cards_by_retrievability_then_new_then_later(store: Store) -> None:
    graded(store, CARDS[0], 3, T0)  # Good: due T0 + 2 days
    graded(store, CARDS[1], 1, T0 - timedelta(days=10))  # Again long ago: due, least likely remembered
    graded(store, CARDS[3], 4, T0)  # Easy: due in 8 days, not due yet
    now = T0 + timedelta(days=3)
    # Through practice.order_cards, with today's clock: every reviewed card is long due, the new one last.
    assert [c.id for c in order_cards(DECK, "due", store)][-1] == "card-2"
    order = [c.id for c in srs.due_order(store, DECK, now=now)]
    assert order == ["card-1", "card-0", "card-2", "card-3"]
    states = srs.card_states(store, DECK)
    r1 = srs.SCHEDULER.get_card_retrievability(states["card-1"], now)
    r0 = srs.SCHEDULER.get_card_retrievability(states["card-0"], now)
    assert r1 < r0


def test_due_new_and_streak(store: Store) -> None:
    for day in (0, 1, 2, 4, 5):
        graded(store, CARDS[0], 3, T0 + timedelta(days=day))
    spoken(store, CARDS[1], FULL, T0 + timedelta(days=5))
    summary = srs.deck_summary(store, DECK, now=T0 + timedelta(days=5, hours=2))
    assert summary == srs.DeckSummary(due=0, new=2, streak_days=2)
    # The next day, before practising: the streak still stands; card-0 (Good after 4 reviews) is not due yet.
    assert srs.deck_summary(store, DECK, now=T0 + timedelta(days=6)).streak_days == 2
    # Two days later without practice: broken.
    assert srs.deck_summary(store, DECK, now=T0 + timedelta(days=7)).streak_days == 0
    # Far later every reviewed card is due.
    assert srs.deck_summary(store, DECK, now=T0 + timedelta(days=400)).due == 2


def test_attempts_from_before_the_feature_are_caught_up(store: Store) -> None:
    graded(store, CARDS[0], 3, T0)
    with store._write() as conn:  # a database from before spaced repetition: attempts, no reviews
        conn.execute("DELETE FROM srs_reviews")
        conn.execute("DELETE FROM srs_cards")
    assert store.unreviewed_attempts() != []
    assert srs.deck_summary(store, DECK, now=T0).new == len(CARDS) - 1
    assert store.unreviewed_attempts() == []
    assert srs.card_states(store, DECK)["card-0"].due == T0 + timedelta(days=2)


def test_a_deleted_attempt_keeps_its_review(store: Store) -> None:
    attempt = graded(store, CARDS[0], 3, T0)
    store.delete_attempt(attempt.id)
    (review,) = store.srs_reviews(DECK.id, "card-0")
    assert review.attempt_id is None and review.rating == 3


def test_a_review_that_cannot_be_written_never_loses_the_answer(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def record_review_fault(*_args: object, **_kwargs: object) -> None:
        raise storage.StorageError("database is locked")  # what another process holding the lock gives

    with monkeypatch.context() as patch:
        patch.setattr(srs, "record_review", record_review_fault)
        attempt = spoken(store, CARDS[0], FULL, T0)
    assert attempt.status is storage.Status.SCORED and store.attempt(attempt.id).score == 100.0
    assert "could not be" in caplog.text
    assert store.unreviewed_attempts() == [attempt.id]
    # Caught up the next time the deck is summarised.
    assert srs.deck_summary(store, DECK, now=T0).new == len(CARDS) - 1
    assert srs.card_states(store, DECK)["card-0"].due == T0 + timedelta(days=8)
