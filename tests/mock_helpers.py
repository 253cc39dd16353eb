"""A three-question mock interview stored the way the practice flow stores one: typed answers (standing in for
transcripts) scored by the real scorer against real cards of the shipped FastAPI deck, saved in a real SQLite
store, with one follow-up. Shared by the core and the report-view tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tests.conftest import CARDS
from trainer import mock
from trainer.asr.base import Segment, Transcript, Word
from trainer.deck import Card, Deck, KeyPoint, load_deck
from trainer.scoring import score_answer
from trainer.speechstats import speech_stats
from trainer.storage import Session, Store

#: Everything about response_model except its most important (first) point: it declares the response shape.
NO_SHAPE = (
    "It serialises to JSON and it shows up in the OpenAPI docs. Extra fields are left out, and these days you can "
    "use the return type annotation instead."
)
FOLLOW_UP = "So what does response_model say about the response itself?"
FOLLOW_UP_ANSWER = "It declares the response shape: the schema of the output that clients get."
#: A weak, hesitant answer.
WEAK = "Um, basically, uh, Depends is, you know, for the database session. Um, I mean, uh, it gives you a session."
#: Seconds before the first word of the strong answer (thinking first).
STRONG_START = 4.0
#: Seconds of silence after this many words of WEAK.
PAUSE_AFTER, PAUSE = 9, 3.5


def fastapi_deck() -> Deck:
    return load_deck(CARDS / "fastapi.toml")


@dataclasses.dataclass(frozen=True)
class KeyPointWithFollowUp(KeyPoint):
    """The deck format's `follow_up` field, for this branch until the scoring branch adds it to `KeyPoint`."""

    follow_up: str | None = None


def with_follow_ups(card: Card, questions: dict[int, str]) -> Card:
    """The card with follow-up questions on the key points given by index (the deck's own ones kept)."""
    points = []
    for i, point in enumerate(card.key_points):
        text = questions.get(i, getattr(point, "follow_up", None))
        if "follow_up" in {f.name for f in dataclasses.fields(KeyPoint)}:
            points.append(dataclasses.replace(point, follow_up=text))  # type: ignore[call-arg, unused-ignore]
        else:
            points.append(KeyPointWithFollowUp(point.text, point.aliases, point.weight, text))
    return dataclasses.replace(card, key_points=tuple(points))


def timed_transcript(
    text: str, duration: float, pause_after: int | None = None, pause: float = 0.0, start: float = 0.5
) -> Transcript:
    """`text` as one segment from `start` seconds, a word every 0.4 s, with `pause` seconds of silence after word
    `pause_after`."""
    words, clock = [], start
    for n, token in enumerate(text.split(), 1):
        words.append(Word(clock, clock + 0.3, f" {token}", 0.9))
        clock += 0.4 + (pause if n == pause_after else 0.0)
    return Transcript(text, (Segment(0.0, clock, text, tuple(words)),), duration, "faster-whisper", "tiny.en", "en")


def answer(
    store: Store,
    session: Session,
    deck: Deck,
    card: Card,
    text: str,
    duration: float,
    *,
    follow_up: str | None = None,
    pause_after: int | None = None,
    pause: float = 0.0,
    start: float = 0.5,
) -> int:
    """Record (a placeholder audio file), register, time-limit, score and save one answer; its attempt id."""
    audio = store.new_audio_path(session, card)
    Path(audio).write_bytes(b"placeholder: the report never reads audio")
    attempt = store.add_recorded_attempt(session, deck, card, audio, session.started_at, duration)
    store.set_mock_details(attempt.id, time_limit=deck.time_limit_for(card), follow_up=follow_up)
    transcript = timed_transcript(text, duration, pause_after, pause, start)
    store.save_result(attempt.id, transcript, score_answer(card, text), speech_stats(text, duration), card=card)
    return attempt.id


def record_interview(store: Store) -> int:
    """Three questions (the model answer after a 4 s think, cut off at the time limit; one that missed its main
    point and made it in the follow-up; a weak, hesitant one); returns the session id."""
    deck = fastapi_deck()
    session = mock.start_mock_session(store, [deck])
    strong = deck.card("path-vs-query")
    answer(store, session, deck, strong, strong.answer, deck.time_limit_for(strong), start=STRONG_START)
    card = with_follow_ups(deck.card("response-model"), {0: FOLLOW_UP})
    result = score_answer(card, NO_SHAPE)
    answer(store, session, deck, card, NO_SHAPE, 12.0)
    point = mock.follow_up_for(card, result)
    assert point is not None, "the answer missed the card's most important point: a follow-up is due"
    question = mock.follow_up_question(point)
    assert question == FOLLOW_UP
    answer(store, session, deck, card, FOLLOW_UP_ANSWER, 6.0, follow_up=question)
    weak = deck.card("depends-basics")
    answer(store, session, deck, weak, WEAK, 12.0, pause_after=PAUSE_AFTER, pause=PAUSE)
    store.end_session(session.id)
    return session.id
