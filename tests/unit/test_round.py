"""The practice flow state machine without Qt: every transition, driven by events and a hand-set clock."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from trainer.deck import Card, Deck, load_deck
from trainer.round import (
    CancelTranscription,
    DiscardRecording,
    EndRound,
    Key,
    Mode,
    Question,
    Round,
    RoundConfig,
    SaveGrade,
    Speak,
    Stage,
    StartRecording,
    StartThinking,
    StopRecording,
    StopThinking,
    Transcribe,
)
from trainer.scoring import ScoreResult, score_answer

DECK = Path(__file__).parent.parent / "data" / "example-deck.toml"


@dataclass
class ManualClock:
    """Time that moves only when the test says so."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_deck(DECK)


def make_round(deck: Deck, mode: Mode = Mode.SPOKEN, n: int = 3, **config: object) -> tuple[Round, ManualClock]:
    clock = ManualClock()
    questions = [Question(card, 60.0) for card in deck.cards[:n]]
    return Round(mode, questions, RoundConfig(**config), clock=clock), clock  # type: ignore[arg-type]


def answered(round_: Round, clock: ManualClock, seconds: float = 20.0) -> list[object]:
    """Record an answer of `seconds` from READY/THINKING: Space, wait, Space, the recorder's file closes."""
    round_.press(Key.RECORD)
    clock.advance(seconds)
    round_.press(Key.RECORD)
    return list(round_.recording_finished(seconds))


def test_a_spoken_card_goes_question_think_record_transcribe_result(deck: Deck) -> None:
    round_, clock = make_round(deck, think_time=5.0)
    effects = round_.begin()
    assert round_.stage is Stage.QUESTION and Speak(deck.cards[0].question) in effects
    assert not round_.enabled(Key.REVEAL)  # nothing to reveal before an answer
    assert round_.speech_finished() == [StartThinking(5.0)] and round_.stage is Stage.THINKING
    clock.advance(5.0)
    effects = round_.think_time_up()
    assert round_.stage is Stage.RECORDING and StartRecording(60.0) in effects
    assert round_.busy
    clock.advance(30.0)
    assert round_.press(Key.RECORD) == [StopRecording()] and round_.stage is Stage.SAVING
    assert round_.recording_finished(30.0) == [Transcribe()] and round_.stage is Stage.TRANSCRIBING
    round_.waiting_for_model()
    assert round_.stage is Stage.WAITING_MODEL
    round_.transcribing()
    assert round_.stage is Stage.TRANSCRIBING
    result = score_answer(deck.cards[0], "a list comprehension builds a new list from an iterable")
    assert round_.transcription_done(result) == [] and round_.stage is Stage.RESULT
    assert not round_.busy
    round_.press(Key.REVEAL)
    assert round_.revealed
    round_.press(Key.REVEAL)
    assert not round_.revealed


def test_space_pressed_as_the_think_time_runs_out_starts_and_does_not_stop(deck: Deck) -> None:
    round_, clock = make_round(deck, read_question=False, think_time=5.0)
    round_.begin()
    clock.advance(5.0)
    round_.think_time_up()  # the timer fired first: recording started by itself
    clock.advance(0.05)
    assert round_.press(Key.RECORD) == []  # the user's Space, meant as "start now", is that same start
    assert round_.stage is Stage.RECORDING
    clock.advance(round_.config.key_grace)
    assert round_.press(Key.RECORD) == [StopRecording()]  # a later press stops, as always


def test_a_second_press_after_a_start_by_key_stops_at_once(deck: Deck) -> None:
    """Only the timer's own start has a grace: after Space started it, the next Space is a deliberate stop (and
    the too-short recording it makes is then not scored, see below)."""
    round_, clock = make_round(deck, read_question=False, think_time=0.0)
    round_.begin()
    round_.press(Key.RECORD)
    clock.advance(0.1)
    assert round_.press(Key.RECORD) == [StopRecording()]


def test_space_first_then_the_queued_think_timer_is_ignored(deck: Deck) -> None:
    round_, clock = make_round(deck, read_question=False, think_time=5.0)
    round_.begin()
    clock.advance(4.99)
    effects = round_.press(Key.RECORD)
    assert StopThinking() in effects and StartRecording(60.0) in effects
    clock.advance(0.02)
    assert round_.think_time_up() == [] and round_.stage is Stage.RECORDING


def test_a_too_short_recording_is_not_scored_and_offers_to_record_again(deck: Deck) -> None:
    round_, clock = make_round(deck, read_question=False, think_time=0.0)
    round_.begin()
    assert round_.stage is Stage.READY
    round_.press(Key.RECORD)
    clock.advance(0.7)
    round_.press(Key.RECORD)
    [discard] = round_.recording_finished(0.1)
    assert isinstance(discard, DiscardRecording)
    assert round_.stage is Stage.TOO_SHORT and "0.1 s" in round_.note and "record again" in round_.note
    # An empty file (stopped before any audio arrived) says so in plain words too.
    assert round_.press(Key.RECORD)[-1] == StartRecording(60.0)
    clock.advance(1.0)
    round_.press(Key.RECORD)
    assert isinstance(round_.recording_finished(0.0)[0], DiscardRecording)
    assert "Nothing was recorded" in round_.note
    assert round_.enabled(Key.RECORD) and round_.enabled(Key.NEXT)


def test_escape_skips_reading_then_thinking_then_stops_recording_then_cancels(deck: Deck) -> None:
    round_, _ = make_round(deck, think_time=5.0)
    round_.begin()
    assert StartThinking(5.0) in round_.press(Key.CANCEL)
    assert round_.press(Key.CANCEL) == [StopThinking()] and round_.stage is Stage.READY
    assert not round_.enabled(Key.CANCEL)
    round_.press(Key.RECORD)
    assert round_.press(Key.CANCEL) == [StopRecording()]  # Esc is an explicit stop: no grace
    round_.recording_finished(3.0)
    assert round_.press(Key.CANCEL) == [CancelTranscription()]
    round_.transcription_failed("Transcription was cancelled.")
    assert round_.stage is Stage.FAILED and round_.error == "Transcription was cancelled."
    round_.press(Key.RETRY)
    assert round_.stage is Stage.THINKING and round_.index == 0  # the same card, not read again


def test_no_speech_is_said_plainly_and_not_a_result(deck: Deck) -> None:
    round_, clock = make_round(deck, read_question=False, think_time=0.0)
    round_.begin()
    answered(round_, clock, 8.0)
    round_.transcription_done(None, no_speech=True)
    assert round_.stage is Stage.FAILED and "No speech was detected" in round_.error


def test_the_microphone_failing_returns_to_ready(deck: Deck) -> None:
    round_, _ = make_round(deck, read_question=False, think_time=0.0)
    round_.begin()
    round_.press(Key.RECORD)
    round_.recording_failed("no input device")
    assert round_.stage is Stage.READY and "no input device" in round_.note
    assert not round_.busy


def test_a_recording_the_database_refused_returns_to_ready_and_says_where_it_is(deck: Deck) -> None:
    round_, clock = make_round(deck, read_question=False, think_time=0.0)
    round_.begin()
    round_.press(Key.RECORD)
    clock.advance(5.0)
    round_.press(Key.RECORD)
    assert round_.stage is Stage.SAVING
    assert round_.recording_not_registered("/data/a.flac", "database is locked") == []
    assert round_.stage is Stage.READY and not round_.busy
    assert "/data/a.flac" in round_.note and "database is locked" in round_.note
    assert round_.enabled(Key.RECORD) and round_.enabled(Key.NEXT)


def test_changing_deck_is_refused_while_an_answer_is_in_flight(deck: Deck) -> None:
    round_, clock = make_round(deck, read_question=False, think_time=0.0)
    round_.begin()
    assert not round_.busy
    round_.press(Key.RECORD)
    assert round_.busy and not round_.enabled(Key.NEXT)
    clock.advance(2.0)
    round_.press(Key.RECORD)
    assert round_.busy  # saving
    round_.recording_finished(2.0)
    assert round_.busy  # transcribing
    round_.transcription_done(score_answer(deck.cards[0], "builds a new list"))
    assert not round_.busy


def test_an_answer_handed_in_while_waiting_is_transcribed(deck: Deck) -> None:
    round_, _ = make_round(deck, read_question=False, think_time=30.0)
    round_.begin()
    assert round_.stage is Stage.THINKING
    assert round_.recording_finished(12.0) == [StopThinking(), Transcribe()]


def test_next_goes_through_the_cards_then_finishes(deck: Deck) -> None:
    round_, _ = make_round(deck, n=2, read_question=False, think_time=0.0)
    round_.begin()
    round_.press(Key.NEXT)
    assert round_.index == 1 and round_.stage is Stage.READY
    effects = round_.press(Key.NEXT)
    assert round_.stage is Stage.FINISHED and EndRound() in effects
    round_.press(Key.NEXT)
    assert round_.stage is Stage.SETUP


def test_flashcards_reveal_and_grade(deck: Deck) -> None:
    round_, _ = make_round(deck, Mode.FLASHCARD, think_time=5.0)
    round_.begin()
    assert round_.stage is Stage.QUESTION and round_.enabled(Key.REVEAL) and not round_.enabled(Key.RECORD)
    round_.speech_finished()
    assert round_.stage is Stage.FLASH_ANSWER  # no think timer in flashcards
    assert not round_.enabled(Key.GRADE)
    round_.press(Key.REVEAL)
    assert round_.stage is Stage.FLASH_REVEALED
    assert round_.press(Key.GRADE, 5) == [] and round_.stage is Stage.FLASH_REVEALED
    assert round_.press(Key.GRADE, 3) == [SaveGrade(3)] and round_.stage is Stage.FLASH_GRADED
    round_.press(Key.NEXT)
    assert round_.index == 1 and round_.stage is Stage.QUESTION


def missed_point_follow_up(card: Card, result: ScoreResult) -> object | None:
    """The follow-up rule of a mock interview: ask about the heaviest point missed (weight, first on ties)."""
    missed = [(card.key_points[i], point) for i, point in enumerate(result.points) if not point.hit]
    if not missed:
        return None
    point, _ = max(missed, key=lambda pair: pair[0].weight)

    @dataclass(frozen=True)
    class Asked:
        follow_up: str

    return Asked(f"You did not mention this: {point.text}. Can you say more?")


def test_a_mock_interview_asks_a_follow_up_after_a_missed_point_then_goes_on_without_reveal(deck: Deck) -> None:
    clock = ManualClock()
    cards = deck.cards[:3]
    round_ = Round(
        Mode.MOCK,
        [Question(card, 60.0) for card in cards],
        RoundConfig(think_time=3.0),
        clock=clock,
        follow_up_rule=missed_point_follow_up,  # type: ignore[arg-type]
    )
    assert Speak(cards[0].question) in round_.begin()
    round_.speech_finished()
    clock.advance(3.0)
    round_.think_time_up()
    clock.advance(20.0)
    round_.press(Key.RECORD)
    round_.recording_finished(20.0)
    # The first answer covers every point: no follow-up, the next question is read at once (no reveal).
    full = "builds a new list from an iterable with an optional if clause; a plain for loop is clearer when complex"
    effects = round_.transcription_done(score_answer(cards[0], full))
    assert round_.stage is Stage.QUESTION and round_.index == 1 and Speak(cards[1].question) in effects
    assert not round_.enabled(Key.REVEAL) and not round_.enabled(Key.RETRY)

    # The second misses "default evaluated once", its heaviest point: the interviewer follows up on it.
    round_.speech_finished()
    round_.press(Key.CANCEL)  # skip the think time
    answered(round_, clock, 15.0)
    effects = round_.transcription_done(score_answer(cards[1], "it is shared between calls, default to None"))
    assert round_.stage is Stage.QUESTION and round_.index == 1
    assert round_.follow_up is not None and "default evaluated once" in round_.follow_up
    assert Speak(round_.follow_up) in effects and round_.asked_text == round_.follow_up
    round_.speech_finished()
    round_.press(Key.CANCEL)
    answered(round_, clock, 10.0)
    # One follow-up per question, even when the follow-up answer misses again.
    round_.transcription_done(score_answer(cards[1], "I am not sure"))
    assert round_.index == 2 and round_.follow_up is None and round_.stage is Stage.QUESTION

    round_.speech_finished()
    round_.press(Key.CANCEL)
    answered(round_, clock, 10.0)
    effects = round_.transcription_done(score_answer(cards[2], "the global interpreter lock"))
    assert round_.stage is Stage.QUESTION and round_.follow_up is not None  # missed points: follow-up
    round_.press(Key.NEXT)  # the user declines it
    assert round_.stage is Stage.REPORT
    assert [index for index, _ in round_.follow_ups_asked] == [1, 2]


def test_a_mock_interview_with_a_time_budget_stops_asking_when_it_is_spent(deck: Deck) -> None:
    round_, clock = make_round(deck, Mode.MOCK, n=3, read_question=False, think_time=0.0, time_budget=60.0)
    round_.begin()
    answered(round_, clock, 45.0)
    round_.transcription_done(score_answer(deck.cards[0], "builds a new list"))
    assert round_.index == 1 and round_.stage is Stage.READY  # no follow-up rule: straight on
    answered(round_, clock, 20.0)
    effects = round_.transcription_done(score_answer(deck.cards[1], "default to None"))
    assert round_.stage is Stage.REPORT and EndRound() in effects


def test_a_mock_answer_that_failed_can_be_retried_or_skipped(deck: Deck) -> None:
    round_, clock = make_round(deck, Mode.MOCK, n=2, read_question=False, think_time=0.0)
    round_.begin()
    answered(round_, clock, 5.0)
    round_.transcription_failed("Transcription failed: model missing")
    assert round_.stage is Stage.FAILED and round_.enabled(Key.RETRY) and not round_.enabled(Key.REVEAL)
    round_.press(Key.NEXT)
    assert round_.index == 1


def test_leaving_while_recording_stops_the_recorder_so_the_answer_is_kept(deck: Deck) -> None:
    round_, _ = make_round(deck, read_question=False, think_time=0.0)
    round_.begin()
    round_.press(Key.RECORD)
    assert StopRecording() in round_.stop()
    assert round_.stage is Stage.SETUP


def test_an_empty_round_ends_at_once() -> None:
    round_ = Round(Mode.SPOKEN, [], clock=ManualClock())
    assert EndRound() in round_.begin() and round_.stage is Stage.FINISHED
