"""One practice flow for single cards, flashcards and mock interviews: a Qt-free state machine.

A `Round` decides; the views render. The UI sends it events (a key pressed, the think time over, the question
read, the recording finished, the transcription done) and carries out the `Effect`s it returns (speak, start the
think timer, start or stop the recorder, transcribe, discard a recording that holds nothing). The stage it is in
(`Stage`) decides which keys work and what the status line says. Time comes from an injected clock, so every
transition, including a key press that races the end of the think time, is tested without Qt or audio.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from trainer.deck import Card

Clock = Callable[[], float]


class FollowUpPoint(Protocol):
    """A key point an interviewer can ask about (`trainer.deck.KeyPoint` with its `follow_up` question)."""

    @property
    def follow_up(self) -> str | None: ...


#: Which follow-up an interviewer asks after an answer (mock interviews): `trainer.mock.follow_up_for`.
FollowUpRule = Callable[[Card, Any], FollowUpPoint | None]

#: A stop key pressed this soon after the think time ran out and started recording by itself is the user's
#: "start now" that raced the timer: it is ignored, so one key press never becomes start + stop.
KEY_GRACE_SECONDS = 0.6
#: An answer shorter than this holds no answer: it is not scored, the user is offered to record again.
MIN_ANSWER_SECONDS = 1.0


class Mode(Enum):
    SPOKEN = "spoken"  # one card at a time: record, score, reveal
    FLASHCARD = "flashcard"  # say it, reveal, grade yourself
    MOCK = "mock"  # questions one after another, timed, no reveal, follow-ups, report at the end


class Stage(Enum):
    """Where the round is; decides which keys work and what the view shows."""

    SETUP = "setup"  # no round yet: the deck choice
    QUESTION = "question"  # shown and being read aloud
    THINKING = "thinking"
    READY = "ready"  # waiting for Space
    RECORDING = "recording"
    SAVING = "saving"  # recorder stopping, file being finished
    WAITING_MODEL = "waiting-model"
    TRANSCRIBING = "transcribing"
    RESULT = "result"
    FAILED = "failed"  # recorded, but not transcribed (cancelled, model missing, no speech)
    TOO_SHORT = "too-short"  # the recording held nothing to score; Space records again
    FLASH_ANSWER = "flash-answer"
    FLASH_REVEALED = "flash-revealed"
    FLASH_GRADED = "flash-graded"
    FINISHED = "finished"  # single cards / flashcards: the session summary
    REPORT = "report"  # mock interview: the report


class Key(Enum):
    """The keys the round knows (the UI maps its shortcuts onto them)."""

    RECORD = "record"
    REVEAL = "reveal"
    RETRY = "retry"
    NEXT = "next"
    GRADE = "grade"
    CANCEL = "cancel"
    READ_ALOUD = "read-aloud"


# --- effects: what the UI must do ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Speak:
    text: str


@dataclass(frozen=True)
class StopSpeaking:
    pass


@dataclass(frozen=True)
class StartThinking:
    seconds: float


@dataclass(frozen=True)
class StopThinking:
    pass


@dataclass(frozen=True)
class StartRecording:
    limit: float


@dataclass(frozen=True)
class StopRecording:
    pass


@dataclass(frozen=True)
class Transcribe:
    """Turn the recorded attempt into a scored one (finish the live transcript, or transcribe the file)."""


@dataclass(frozen=True)
class CancelTranscription:
    pass


@dataclass(frozen=True)
class DiscardRecording:
    """The recording holds no answer: remove its attempt so it never counts as a scored one."""

    reason: str


@dataclass(frozen=True)
class SaveGrade:
    grade: int


@dataclass(frozen=True)
class EndRound:
    """Every question was asked (or the time budget is spent): close the session; a mock shows its report."""


Effect = (
    Speak
    | StopSpeaking
    | StartThinking
    | StopThinking
    | StartRecording
    | StopRecording
    | Transcribe
    | CancelTranscription
    | DiscardRecording
    | SaveGrade
    | EndRound
)
Effects = list[Effect]


@dataclass(frozen=True)
class Question:
    """One question of a round: the card and the seconds to answer it."""

    card: Card
    time_limit: float


@dataclass(frozen=True)
class RoundConfig:
    read_question: bool = True
    think_time: float = 5.0
    #: Mock interviews: stop asking new questions once this many seconds have passed (None: no budget).
    time_budget: float | None = None
    key_grace: float = KEY_GRACE_SECONDS
    min_answer: float = MIN_ANSWER_SECONDS


#: Keys that work in each stage (mode-specific exceptions in `Round.enabled`).
_ENABLED: dict[Key, frozenset[Stage]] = {
    Key.RECORD: frozenset({Stage.QUESTION, Stage.THINKING, Stage.READY, Stage.RECORDING, Stage.TOO_SHORT}),
    Key.REVEAL: frozenset({Stage.RESULT, Stage.FAILED, Stage.FLASH_ANSWER, Stage.QUESTION}),
    Key.RETRY: frozenset({Stage.RESULT, Stage.FAILED, Stage.TOO_SHORT, Stage.FLASH_REVEALED, Stage.FLASH_GRADED}),
    Key.NEXT: frozenset({Stage.QUESTION, Stage.THINKING, Stage.READY, Stage.RESULT, Stage.FAILED, Stage.TOO_SHORT,
                         Stage.FLASH_ANSWER, Stage.FLASH_REVEALED, Stage.FLASH_GRADED, Stage.FINISHED,
                         Stage.REPORT}),
    Key.CANCEL: frozenset({Stage.QUESTION, Stage.THINKING, Stage.RECORDING, Stage.TRANSCRIBING,
                           Stage.WAITING_MODEL}),
    Key.READ_ALOUD: frozenset({Stage.QUESTION, Stage.THINKING, Stage.READY, Stage.RESULT, Stage.FAILED,
                               Stage.TOO_SHORT, Stage.FLASH_ANSWER, Stage.FLASH_REVEALED, Stage.FLASH_GRADED}),
    Key.GRADE: frozenset({Stage.FLASH_REVEALED}),
}  # fmt: skip

#: Stages in which the round owns an answer being recorded or transcribed: leaving them would lose it.
BUSY = frozenset({Stage.RECORDING, Stage.SAVING, Stage.WAITING_MODEL, Stage.TRANSCRIBING})


@dataclass
class Round:
    """The questions of one session and where the user is in them."""

    mode: Mode
    questions: Sequence[Question]
    config: RoundConfig = field(default_factory=RoundConfig)
    clock: Clock = time.monotonic
    follow_up_rule: FollowUpRule | None = None

    stage: Stage = Stage.SETUP
    index: int = 0
    #: The follow-up question being asked (mock), None for the card's own question.
    follow_up: str | None = None
    revealed: bool = False
    #: A plain-words note for the status line (why recording stopped, why nothing was recorded).
    note: str = ""
    #: Why the answer was not scored (transcription failed or cancelled, no speech), in plain words.
    error: str = ""
    #: Follow-ups asked, as (question index, follow-up text), in order.
    follow_ups_asked: list[tuple[int, str]] = field(default_factory=list)
    #: When the think time started recording by itself (None for a start by key): the grace counts from it.
    recording_started_at: float | None = None
    started_at: float | None = None
    shown_at: float = 0.0
    #: Counts questions shown (a retry shows the same card afresh): the view clears its panels when it changes.
    shows: int = 0

    # --- where we are ---------------------------------------------------------------------------------------

    @property
    def question(self) -> Question | None:
        return self.questions[self.index] if 0 <= self.index < len(self.questions) else None

    @property
    def card(self) -> Card | None:
        question = self.question
        return question.card if question is not None else None

    @property
    def asked_text(self) -> str:
        """What the interviewer asks now: the follow-up when there is one, else the card's question."""
        card = self.card
        return self.follow_up or (card.question if card is not None else "")

    @property
    def busy(self) -> bool:
        """An answer is being recorded or transcribed: changing deck or leaving would lose it."""
        return self.stage in BUSY

    def enabled(self, key: Key) -> bool:
        """Whether `key` does something now."""
        stage = self.stage
        if stage not in _ENABLED[key]:
            return False
        if self.mode is Mode.FLASHCARD and key is Key.RECORD:
            return False
        if key is Key.REVEAL and stage is Stage.QUESTION:
            return self.mode is Mode.FLASHCARD
        if self.mode is Mode.MOCK:  # as in a real interview: no model answer, no retrying a scored answer
            if key is Key.REVEAL:
                return False
            if key is Key.RETRY:
                return stage in (Stage.FAILED, Stage.TOO_SHORT)
        return True

    # --- events ---------------------------------------------------------------------------------------------

    def begin(self) -> Effects:
        """Start with the first question (an empty round ends at once)."""
        self.index = 0
        self.started_at = self.clock()
        if not self.questions:
            return self._end()
        return self._show(read=True)

    def speech_finished(self) -> Effects:
        """The question (or follow-up) has been read aloud."""
        if self.stage is not Stage.QUESTION:
            return []  # the user moved on meanwhile (started answering, skipped)
        return self._after_question()

    def think_time_up(self) -> Effects:
        """The think time ran out: recording starts by itself."""
        if self.stage is not Stage.THINKING:
            return []  # Space already started it (the timer's event was queued behind the key's)
        return self._start_recording(automatic=True)

    def press(self, key: Key, grade: int = 0) -> Effects:
        """A key pressed (or its button clicked)."""
        if not self.enabled(key):
            return []
        handler: dict[Key, Callable[[], Effects]] = {
            Key.RECORD: self._record_key,
            Key.REVEAL: self._reveal_key,
            Key.RETRY: lambda: self._show(read=False, retry=True),
            Key.NEXT: self._next,
            Key.CANCEL: self._cancel_key,
            Key.GRADE: lambda: self._grade(grade),
            Key.READ_ALOUD: lambda: [Speak(self.asked_text)],
        }
        return handler[key]()

    def recording_finished(self, duration: float | None, stopped_by: str = "user", error: str | None = None) -> Effects:
        """The recorder closed its file (stopped by the user, the time limit or a pause), or an answer recorded
        elsewhere was handed in while waiting for Space."""
        if self.stage not in (Stage.RECORDING, Stage.SAVING, Stage.READY, Stage.THINKING, Stage.TOO_SHORT):
            return []
        effects: Effects = [StopThinking()] if self.stage is Stage.THINKING else []
        self.recording_started_at = None
        seconds = duration or 0.0
        if seconds < self.config.min_answer:
            heard = "Nothing was recorded" if seconds <= 0 else f"The recording was only {seconds:.1f} s long"
            if error:
                heard += f" (the microphone stopped: {error})"
            self.note = f"{heard}: there is no answer to score. Press Space to record again."
            self.stage = Stage.TOO_SHORT
            return [*effects, DiscardRecording(self.note)]
        self.note = {"time_limit": "Time is up.", "silence": "Stopped after a pause."}.get(stopped_by, "")
        if error:
            self.note = f"{self.note} (The microphone stopped early: {error})".strip()
        self.stage = Stage.TRANSCRIBING
        return [*effects, Transcribe()]

    def recording_failed(self, error: str) -> Effects:
        """The microphone could not record at all: nothing to keep; the user may try again."""
        if self.stage not in (Stage.RECORDING, Stage.SAVING):
            return []
        self.recording_started_at = None
        self.note = f"Recording failed: {error}"
        self.stage = Stage.READY
        return []

    def recording_not_registered(self, path: str, error: str, recorder_error: str | None = None) -> Effects:
        """The recorder finished its file but the database refused to register its length (locked by another
        program, read-only, full): the answer stays on disk and is listed once the app starts again
        (`Store.recover_interrupted`); the round goes back to ready so the user can record again or go on."""
        if self.stage not in (Stage.RECORDING, Stage.SAVING, Stage.READY, Stage.THINKING, Stage.TOO_SHORT):
            return []
        effects: Effects = [StopThinking()] if self.stage is Stage.THINKING else []
        self.recording_started_at = None
        kept = (
            f"The microphone stopped early ({recorder_error}); what reached the disk is in {path}"
            if recorder_error
            else f"Your answer is kept in {path}"
        )
        self.note = (
            f"{kept}, but the attempts database could not register it ({error}). "
            "It will be listed in the review when the app starts again."
        )
        self.stage = Stage.READY
        return effects

    def waiting_for_model(self) -> Effects:
        if self.stage in (Stage.TRANSCRIBING, Stage.WAITING_MODEL):
            self.stage = Stage.WAITING_MODEL
        return []

    def transcribing(self) -> Effects:
        if self.stage in (Stage.TRANSCRIBING, Stage.WAITING_MODEL):
            self.stage = Stage.TRANSCRIBING
        return []

    def transcription_done(self, result: Any | None, *, no_speech: bool = False) -> Effects:
        """The answer was transcribed and scored (`result`: its `ScoreResult`), or held no speech."""
        if self.stage not in (Stage.TRANSCRIBING, Stage.WAITING_MODEL):
            return []
        if no_speech or result is None:
            self.error = "No speech was detected in the recording, so there is nothing to score. " + (
                "Press R to answer again." if self.mode is not Mode.MOCK else "Press R to answer again, N to go on."
            )
            self.stage = Stage.FAILED
            return []
        if self.mode is not Mode.MOCK:
            self.stage = Stage.RESULT
            return []
        # A mock interview goes on by itself: a follow-up on the most important missed point, or the next question.
        card = self.card
        if self.follow_up is None and card is not None and self.follow_up_rule is not None:
            point = self.follow_up_rule(card, result)
            text = getattr(point, "follow_up", None) if point is not None else None
            if text:
                self.follow_up = str(text)
                self.follow_ups_asked.append((self.index, self.follow_up))
                return self._show(read=True, keep_follow_up=True)
        return self._advance()

    def transcription_failed(self, error: str) -> Effects:
        if self.stage not in (Stage.TRANSCRIBING, Stage.WAITING_MODEL):
            return []
        self.error = error
        self.stage = Stage.FAILED
        return []

    def stop(self) -> Effects:
        """Leave the round (change deck, close): stop what runs; a recording in progress is finished and kept."""
        effects: Effects = [StopSpeaking(), StopThinking()]
        if self.stage is Stage.RECORDING:
            effects.append(StopRecording())
        self.stage = Stage.SETUP
        return effects

    # --- transitions ----------------------------------------------------------------------------------------

    def _show(self, read: bool, retry: bool = False, keep_follow_up: bool = False) -> Effects:
        if not keep_follow_up and not (retry and self.follow_up is not None):
            self.follow_up = None
        self.revealed = False
        self.note = ""
        self.error = ""
        self.shown_at = self.clock()
        self.shows += 1
        effects: Effects = [StopSpeaking(), StopThinking()]
        if read and self.config.read_question:
            self.stage = Stage.QUESTION
            return [*effects, Speak(self.asked_text)]
        return [*effects, *self._after_question()]

    def _after_question(self) -> Effects:
        if self.mode is Mode.FLASHCARD:
            self.stage = Stage.FLASH_ANSWER
            return []
        if self.config.think_time > 0:
            self.stage = Stage.THINKING
            return [StartThinking(self.config.think_time)]
        self.stage = Stage.READY
        return []

    def _start_recording(self, automatic: bool = False) -> Effects:
        question = self.question
        if question is None:
            return []
        self.stage = Stage.RECORDING
        self.note = ""
        self.recording_started_at = self.clock() if automatic else None
        return [StopSpeaking(), StopThinking(), StartRecording(question.time_limit)]

    def _record_key(self) -> Effects:
        if self.stage is not Stage.RECORDING:
            return self._start_recording()
        started = self.recording_started_at
        if started is not None and self.clock() - started < self.config.key_grace:
            return []  # it raced the think time: the press meant "start now", which already happened
        return self._stop_recording()

    def _stop_recording(self) -> Effects:
        self.stage = Stage.SAVING
        return [StopRecording()]

    def _cancel_key(self) -> Effects:
        stage = self.stage
        if stage is Stage.QUESTION:
            return [StopSpeaking(), *self._after_question()]
        if stage is Stage.THINKING:
            self.stage = Stage.READY
            return [StopThinking()]
        if stage is Stage.RECORDING:
            return self._stop_recording()
        return [CancelTranscription()]

    def _reveal_key(self) -> Effects:
        if self.stage in (Stage.RESULT, Stage.FAILED):
            self.revealed = not self.revealed
            return []
        self.revealed = True
        self.stage = Stage.FLASH_REVEALED
        return [StopSpeaking()]

    def _grade(self, grade: int) -> Effects:
        if not 1 <= grade <= 4:
            return []
        self.stage = Stage.FLASH_GRADED
        return [SaveGrade(grade)]

    def _next(self) -> Effects:
        if self.stage in (Stage.FINISHED, Stage.REPORT):
            self.stage = Stage.SETUP
            return []
        effects: Effects = [StopSpeaking(), StopThinking()]
        return [*effects, *self._advance()]

    def _advance(self) -> Effects:
        self.index += 1
        self.follow_up = None
        over_budget = (
            self.config.time_budget is not None
            and self.started_at is not None
            and self.clock() - self.started_at >= self.config.time_budget
        )
        if self.index >= len(self.questions) or over_budget:
            return self._end()
        return self._show(read=True)

    def _end(self) -> Effects:
        self.index = min(self.index, len(self.questions))
        self.follow_up = None
        self.stage = Stage.REPORT if self.mode is Mode.MOCK else Stage.FINISHED
        return [StopSpeaking(), StopThinking(), EndRound()]
