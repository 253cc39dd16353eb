"""A seeded practice history in a real SQLite store, for the progress figures, `trainer stats`, the Progress tab
and its screenshot: three weeks of spoken answers and flashcard grades on the shipped FastAPI deck, each answer
a typed transcript scored by the real scorer.

The script is fixed so tests can state what a user would see: "path-vs-query" improves from two key points to
all five, "async-vs-def" never mentions the threadpool (the most-missed point, the weakest card),
"response-model" is graded "easy" as a flashcard on every third day; the practice days are DAYS (the last three
consecutive: a 3-day streak on the last day)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trainer.asr.base import Segment, Transcript
from trainer.deck import Card, Deck
from trainer.scoring import score_answer
from trainer.speechstats import speech_stats
from trainer.storage import Store

#: The last day of the history, 18:00 UTC.
END = datetime(2026, 3, 20, 18, 0, tzinfo=UTC)
#: Days before END with practice.
DAYS = (20, 18, 17, 13, 10, 9, 6, 2, 1, 0)
#: path-vs-query: key points said on each practice day (by index), improving.
PATH_POINTS = ((0, 1), (0, 1), (0, 1, 2), (0, 1, 2), (0, 1, 2, 3), (0, 1, 2, 3), (0, 1, 2, 3, 4),
               (0, 1, 2, 3, 4), (0, 1, 2, 3, 4), (0, 1, 2, 3, 4))  # fmt: skip
#: async-vs-def: never says point 1 ("def runs in a threadpool").
ASYNC_POINTS = (0, 2, 3)


def answer_text(card: Card, said: tuple[int, ...], fillers: int = 0) -> str:
    """An answer that says the given key points (in the deck's own words), with some "um"s."""
    parts = [card.key_points[i].text for i in said]
    text = ", and ".join(parts) or "I am not sure"
    return ("um, " * fillers) + "So, " + text + "."


def spoken(
    store: Store, deck: Deck, card: Card, text: str, when: datetime, seconds: float, mode: str = "spoken"
) -> int:
    session = store.start_session(deck.id, deck.title, mode=mode)
    path = store.new_audio_path(session, card)
    path.write_bytes(b"not played in these tests")
    attempt = store.add_recorded_attempt(session, deck, card, path, when, seconds)
    transcript = Transcript(text, (Segment(0.0, seconds, text, ()),), seconds, "faster-whisper", "tiny.en", "en")
    store.mark_transcribing(attempt.id)
    store.save_result(attempt.id, transcript, score_answer(card, text), speech_stats(text, seconds))
    store.end_session(session.id)
    return attempt.id


def seed_history(store: Store, deck: Deck, end: datetime = END) -> None:
    """Write the history described in the module doc into `store`, its last day `end` (default END)."""
    path_card = deck.card("path-vs-query")
    async_card = deck.card("async-vs-def")
    flash_card = deck.card("response-model")
    for n, days_ago in enumerate(DAYS):
        day = end - timedelta(days=days_ago, hours=8)
        said = PATH_POINTS[n]
        spoken(store, deck, path_card, answer_text(path_card, said, fillers=max(0, 4 - n)), day, 10.0 + len(said))
        text = answer_text(async_card, ASYNC_POINTS, fillers=2)
        spoken(store, deck, async_card, text, day + timedelta(minutes=5), 12.0)
        if n % 3 == 0:
            session = store.start_session(deck.id, deck.title, mode="flashcard")
            store.add_self_graded_attempt(session, deck, flash_card, 4, 4.0, started_at=day + timedelta(minutes=9))
            store.end_session(session.id)
