"""The practice view: choose a deck, then answer card after card out loud, as flashcards, or as a mock interview.

The flow itself (which stage, which key does what, when recording starts, what a too-short recording means, when
a mock interviewer follows up) is `trainer.round.Round`; this view sends it events and carries out its effects
(speak, think timer, recorder, transcription) as background `Job`s, then renders the stage. It never waits.
"""

from __future__ import annotations

import contextlib
import functools
import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from trainer.deck import Card, Deck
from trainer.practice import NO_SPEECH, order_cards, time_limit_for
from trainer.round import (
    CancelTranscription,
    DiscardRecording,
    Effect,
    EndRound,
    Key,
    Mode,
    Question,
    Round,
    RoundConfig,
    SaveGrade,
    Speak,
    StartRecording,
    StartThinking,
    StopRecording,
    StopSpeaking,
    StopThinking,
    Transcribe,
)
from trainer.round import Stage as Phase
from trainer.settings import Settings
from trainer.storage import Attempt, Session, Status, StorageError, Store
from trainer.ui.live_worker import LiveAnswer
from trainer.ui.mock_report import MockReportView
from trainer.ui.practice.card_page import AnswerPanel, QuestionHeader, ResultPanel
from trainer.ui.practice.config import RECORDING_MODES, PracticeConfig
from trainer.ui.practice.setup_page import SetupPage
from trainer.ui.practice.status import status_text
from trainer.ui.shortcuts import GRADES, Action, button_text, create_actions
from trainer.ui.widgets import corrections_after_click, transcript_html
from trainer.ui.workers import Job, JobRunner, SpeechModel, record_work, speak_work

#: The window's shortcut actions and the round's keys.
ROUND_KEYS: dict[Action, Key] = {
    Action.RECORD: Key.RECORD,
    Action.REVEAL: Key.REVEAL,
    Action.RETRY: Key.RETRY,
    Action.NEXT: Key.NEXT,
    Action.CANCEL: Key.CANCEL,
    Action.READ_ALOUD: Key.READ_ALOUD,
    **{Action[f"GRADE_{g}"]: Key.GRADE for g, _ in GRADES},
}

log = logging.getLogger(__name__)


class PracticeView(QWidget):
    """Deck choice, then the question-by-question practice loop driven by a `Round`."""

    #: An attempt was stored, changed or removed (the review refreshes).
    attempt_saved = Signal(int)
    phase_changed = Signal(str)
    #: A passing message for the status bar (e.g. the voice failed).
    notice = Signal(str)
    #: The user chose a deck, order or mode (on the page, or by starting a session): `choices()` has them.
    choices_changed = Signal()
    #: A mock interview ended: its session id (the report is shown in the view).
    interview_finished = Signal(int)
    #: The database refused a write the view handled itself (the answer could not be registered): the exception.
    storage_failed = Signal(object)

    def __init__(
        self,
        store: Store,
        settings: Settings,
        runner: JobRunner,
        speech_model: SpeechModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("practice-view")
        self.store = store
        self.settings = settings
        self.runner = runner
        self.speech_model = speech_model
        self.config = PracticeConfig.from_settings(settings)
        self.round: Round | None = None
        self.deck: Deck | None = None
        self.mode = "spoken"
        #: Each card's vocabulary prompt for live transcription (built in a job when a session starts).
        self.prompts: dict[str, str] = {}
        self.session: Session | None = None
        self.attempt: Attempt | None = None
        self.recording_started_at: datetime | None = None
        self.recording_attempt: Attempt | None = None  # registered when recording starts, completed when it ends
        self.voice_job: Job | None = None
        self.record_job: Job | None = None
        self.transcribe_job: Job | None = None
        self.pending_attempt_id: int | None = None
        #: The answer being transcribed while spoken (None when the model was not ready as recording started).
        self.live: LiveAnswer | None = None
        self._shown: tuple[int, int] | None = None  # (round, show count) the panels were last cleared for

        self.think_timer = QTimer(self)
        self.think_timer.setSingleShot(True)
        self.think_timer.timeout.connect(lambda: self._apply(self._round().think_time_up()))

        self.key_actions = create_actions(
            self,
            {
                Action.RECORD: self.record_or_stop,
                Action.REVEAL: self.reveal,
                Action.RETRY: self.retry,
                Action.NEXT: self.next_card,
                Action.GRADE_1: lambda: self.grade(1),
                Action.GRADE_2: lambda: self.grade(2),
                Action.GRADE_3: lambda: self.grade(3),
                Action.GRADE_4: lambda: self.grade(4),
                Action.CANCEL: self.cancel,
                Action.READ_ALOUD: self.read_aloud,
            },
            groups=("Practice", "Flashcards"),
        )

        self.pages = QStackedWidget(self)
        self.setup_page = SetupPage(self.config.order, self)
        self.setup_page.start_requested.connect(lambda: self.start_session())
        self.setup_page.choices_changed.connect(self.choices_changed)
        self.setup_page.deck_shown.connect(self.refresh_schedule)
        self.card_page = self._build_card_page()
        self.pages.addWidget(self.setup_page)
        self.pages.addWidget(self.card_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.speech_model.changed.connect(self._model_changed)
        self._render()

    # --- widgets the window and tests reach --------------------------------------------------------------

    def _build_card_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("card-page")
        page.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(18, 12, 18, 12)
        outer.setSpacing(8)
        self.header = QuestionHeader(page)
        self.header.change_deck_button.clicked.connect(self.end_session)
        outer.addWidget(self.header)
        self.answer = AnswerPanel(page)
        outer.addWidget(self.answer, 3)
        self.results_widget = ResultPanel(page)
        self.results_widget.checklist.toggled.connect(self.correct_point)
        outer.addWidget(self.results_widget, 2)
        # The end of a mock interview: its report, saved and exportable (Markdown, PDF), on the same page.
        self.report_page = QWidget(page)
        report_layout = QVBoxLayout(self.report_page)
        report_layout.setContentsMargins(0, 0, 0, 0)
        self.report_view = MockReportView(self.report_page, runner=self.runner)
        self.report_view.exported.connect(lambda path: self.notice.emit(f"Report saved to {path}"))
        report_layout.addWidget(self.report_view)
        self.report_page.hide()
        outer.addWidget(self.report_page, 5)

        buttons = QHBoxLayout()
        self.buttons: dict[Action, QToolButton] = {}
        for action in (Action.RECORD, Action.REVEAL, Action.RETRY, Action.NEXT):
            buttons.addWidget(self._button(action))
        buttons.addStretch(1)
        self.grade_label = QLabel("Grade yourself:", page)
        buttons.addWidget(self.grade_label)
        for grade, _label in GRADES:
            buttons.addWidget(self._button(Action[f"GRADE_{grade}"]))
        outer.addLayout(buttons)
        return page

    def _button(self, action: Action) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(self.key_actions[action])
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        button.setMinimumHeight(30)
        button.setObjectName(f"button-{action.value}")
        self.buttons[action] = button
        return button

    # The pieces by their long-standing names (the window, scripts and tests use them).
    deck_combo = property(lambda self: self.setup_page.deck_combo)
    order_combo = property(lambda self: self.setup_page.order_combo)
    mode_combo = property(lambda self: self.setup_page.mode_combo)
    start_button = property(lambda self: self.setup_page.start_button)
    problems_box = property(lambda self: self.setup_page.problems_box)
    progress_label = property(lambda self: self.header.progress_label)
    question_label = property(lambda self: self.header.question_label)
    status_label = property(lambda self: self.header.status_label)
    change_deck_button = property(lambda self: self.header.change_deck_button)
    countdown = property(lambda self: self.answer.countdown)
    level_meter = property(lambda self: self.answer.level_meter)
    transcript_view = property(lambda self: self.answer.transcript_view)
    answer_panel = property(lambda self: self.answer.answer_panel)
    answer_view = property(lambda self: self.answer.answer_view)
    score_label = property(lambda self: self.results_widget.score_label)
    stats_label = property(lambda self: self.results_widget.stats_label)
    checklist = property(lambda self: self.results_widget.checklist)

    @property
    def phase(self) -> Phase:
        return self.round.stage if self.round is not None else Phase.SETUP

    @property
    def card(self) -> Card | None:
        return self.round.card if self.round is not None else None

    @property
    def index(self) -> int:
        return self.round.index if self.round is not None else 0

    @property
    def microphone_ok(self) -> bool | None:
        return self.setup_page.microphone_ok

    # --- decks and microphone (set by the window) --------------------------------------------------------

    def set_decks(self, sources: Sequence[Any]) -> None:
        self.setup_page.set_decks(sources)

    def broken_deck_lines(self) -> list[str]:
        return self.setup_page.broken_deck_lines()

    def chosen_deck(self) -> Deck | None:
        return self.setup_page.chosen_deck()

    def set_microphone(self, ok: bool, problem: str = "") -> None:
        self.setup_page.set_microphone(ok, problem)

    def apply_settings(self, settings: Settings) -> None:
        """New settings take effect from the next session (the current round keeps its own)."""
        from trainer.ui.practice.config import select_data

        self.settings = settings
        self.config = PracticeConfig.from_settings(settings)
        select_data(self.order_combo, self.config.order)

    def choices(self) -> tuple[str | None, str, str]:
        return self.setup_page.choices()

    def restore_choices(self, deck_id: str = "", mode: str = "") -> None:
        self.setup_page.restore_choices(deck_id, mode)

    # --- session -----------------------------------------------------------------------------------------

    def start_session(self, deck: Deck | None = None, order: str | None = None, mode: str | None = None) -> None:
        """Begin practising a deck: a session in the store, the questions in order, the first one."""
        deck = deck or self.chosen_deck()
        if deck is None or not deck.cards:
            return
        order = order or str(self.order_combo.currentData())
        mode = mode or str(self.mode_combo.currentData())
        if mode in RECORDING_MODES and self.microphone_ok is False:
            mode = "flashcard"
        self.setup_page.show_choices(deck, order, mode)
        self.choices_changed.emit()
        self.config = config = PracticeConfig.from_settings(self.settings)
        if mode == "mock":
            from trainer.mock import plan_interview, start_mock_session

            try:
                planned = plan_interview([deck], self.setup_page.mock_setup.config([deck.id]))
            except ValueError as exc:
                self.notice.emit(f"Cannot plan the interview: {exc}")
                return
            limit = config.time_limit
            questions = [Question(q.card, limit if limit > 0 else q.time_limit) for q in planned]
            self.session = start_mock_session(self.store, [deck])
        else:
            cards = order_cards(deck, order, self.store)
            questions = [Question(card, time_limit_for(deck, card, config.time_limit)) for card in cards]
            self.session = self.store.start_session(deck.id, deck.title, mode=mode, order=order)
        self.deck = deck
        self.mode = mode
        self.prompts = {}
        if mode in RECORDING_MODES:
            self._prepare_prompts(deck)
        self.round = Round(
            Mode(mode),
            questions,
            RoundConfig(read_question=config.read_question, think_time=config.think_time),
            follow_up_rule=_follow_up_rule if mode == "mock" else None,
        )
        self.pages.setCurrentWidget(self.card_page)
        self.card_page.setFocus()  # keys go to the window's actions, not to a leftover combo box
        self._apply(self.round.begin())

    def _prepare_prompts(self, deck: Deck) -> None:
        """Every card's vocabulary prompt for live transcription, built in a job: it compiles a pattern per deck
        term, which took tens of milliseconds of the GUI thread at the start of each recording."""

        def work(_job: Job) -> dict[str, str]:
            from trainer.asr import card_prompt

            return {card.id: card_prompt(deck, card) for card in deck.cards}

        def ready(prompts: dict[str, str]) -> None:
            if self.deck is deck:
                self.prompts = prompts

        self.runner.start(
            "prompts", work, succeeded=ready, failed=lambda exc: log.warning("building prompts failed: %s", exc)
        )

    def end_session(self) -> None:
        """Back to the deck choice. Refused while an answer is being recorded or transcribed (it would be lost)."""
        if self.round is not None and self.round.busy:
            self.notice.emit("Finish the answer first: stop the recording (Space) or cancel it (Esc).")
            return
        self._leave()

    def refresh_schedule(self, deck_id: str | None = None) -> None:
        """Count the deck's due and new cards and the practice streak in a job (it reads the whole history)."""
        deck = self.setup_page.chosen_deck()
        if deck is None or (deck_id is not None and deck.id != deck_id):
            return
        store = self.store

        def work(_job: Job) -> Any:
            from trainer.srs import deck_summary  # fsrs loads with the first count, not with the window

            return deck_summary(store, deck)

        self.runner.start(
            "schedule",
            work,
            succeeded=functools.partial(self.setup_page.set_schedule, deck.id),
            failed=lambda exc: log.warning("counting due cards failed: %s", exc),
        )

    def _leave(self) -> None:
        if self.round is not None:
            self._apply(self.round.stop(), render=False)
        self._stop_jobs()
        if self.session is not None:
            with contextlib.suppress(StorageError):
                self.store.end_session(self.session.id)
        self.session = None
        self.deck = None
        self.round = None
        self.report_page.hide()
        self.pages.setCurrentWidget(self.setup_page)
        self.refresh_schedule()
        self._render()

    def _round(self) -> Round:
        assert self.round is not None
        return self.round

    # --- keys --------------------------------------------------------------------------------------------

    def _press(self, key: Key, grade: int = 0) -> None:
        if self.round is not None:
            self._apply(self.round.press(key, grade))

    def record_or_stop(self) -> None:
        """Space: start answering (also skips the reading and think time), or stop the recording."""
        self._press(Key.RECORD)

    def reveal(self) -> None:
        """Enter: show (or hide again) the model answer beside the transcript; on the deck choice, start."""
        if self.round is None:
            if self.start_button.isEnabled():
                self.start_session()
            return
        self._press(Key.REVEAL)

    def grade(self, grade: int) -> None:
        """1-4 in flashcard mode: keep the self-grade as an attempt."""
        self._press(Key.GRADE, grade)

    def retry(self) -> None:
        """R: the same card again; the earlier attempt stays in the history."""
        self._press(Key.RETRY)

    def next_card(self) -> None:
        """N: go on (skipping is allowed); after the last card the summary; N again goes back to the decks."""
        if self.round is not None and self.round.stage in (Phase.FINISHED, Phase.REPORT):
            self._leave()
            return
        self._press(Key.NEXT)

    def cancel(self) -> None:
        """Escape: skip the reading or the think time, stop recording, or cancel the transcription."""
        self._press(Key.CANCEL)

    def read_aloud(self) -> None:
        """Q: read the question again (never while recording: the microphone would hear it)."""
        if self.voice_job is None:
            self._press(Key.READ_ALOUD)

    # --- effects -----------------------------------------------------------------------------------------

    def _apply(self, effects: Sequence[Effect], render: bool = True) -> None:
        """Carry out what the round decided, then show its stage."""
        before = self.phase
        for effect in effects:
            self._do(effect)
        if render:
            self._render(changed=before is not self.phase or bool(effects))

    def _do(self, effect: Effect) -> None:
        if isinstance(effect, Speak):
            self._speak(effect.text)
        elif isinstance(effect, StopSpeaking):
            self._stop_voice()
        elif isinstance(effect, StartThinking):
            self.countdown.start(effect.seconds, "Think")
            self.think_timer.start(int(effect.seconds * 1000))
        elif isinstance(effect, StopThinking):
            self.think_timer.stop()
            self.countdown.stop()
        elif isinstance(effect, StartRecording):
            self._start_recording(effect.limit)
        elif isinstance(effect, StopRecording):
            self.countdown.stop()
            if self.record_job is not None:
                self.record_job.cancel()
        elif isinstance(effect, Transcribe):
            self._transcribe_pending()
        elif isinstance(effect, CancelTranscription):
            self._cancel_transcription()
        elif isinstance(effect, DiscardRecording):
            self._discard_attempt()
        elif isinstance(effect, SaveGrade):
            self._save_grade(effect.grade)
        elif isinstance(effect, EndRound):
            self._finish()

    def _stop_jobs(self) -> None:
        """Stop whatever runs for the current card (voice, think timer, recording, transcription)."""
        self.think_timer.stop()
        self._stop_voice()
        for job in (self.record_job, self.transcribe_job):
            if job is not None:
                job.cancel()
        self.record_job = None
        self.transcribe_job = None
        self.pending_attempt_id = None
        self._drop_live()
        self.countdown.stop()

    # --- reading aloud -----------------------------------------------------------------------------------

    def _speak(self, text: str) -> None:
        self._stop_voice()
        config = self.config

        def make_speaker() -> Any:
            from trainer.tts import make_speaker

            return make_speaker(config.voice_engine, config.voice_id or None, config.voice_rate)

        def finished() -> None:
            if self.voice_job is job:
                self.voice_job = None
                if self.round is not None:
                    self._apply(self.round.speech_finished())

        def failed(exc: BaseException) -> None:
            self.notice.emit(f"Could not read the question aloud: {exc}")

        job = self.runner.start("speak", speak_work(make_speaker, text), failed=failed, finished=finished)
        self.voice_job = job

    def _stop_voice(self) -> None:
        if self.voice_job is not None:
            job, self.voice_job = self.voice_job, None
            job.cancel()

    # --- recording ---------------------------------------------------------------------------------------

    def _start_recording(self, limit: float) -> None:
        card, deck, session = self.card, self.deck, self.session
        if card is None or deck is None or session is None:
            return
        config = self.config
        self.recording_started_at = datetime.now().astimezone()
        # Registered before the first sample: if the app dies mid-answer, the review still lists the attempt and
        # its file (which trainer.audio.recover makes readable) can be transcribed. A database that cannot take
        # it (locked by another program, disk full) means no recording: the round goes back to "ready" so Space
        # tries again, and the window shows the storage banner.
        try:
            path = self.store.new_audio_path(session, card)
            self.recording_attempt = self.store.add_recorded_attempt(
                session, deck, card, path, self.recording_started_at, None
            )
        except StorageError as exc:
            self.recording_attempt = None
            self._recording_failed(exc)
            self.storage_failed.emit(exc)
            return

        self._drop_live()
        model = self.speech_model
        if model.state == "ready" and model.transcriber is not None:
            self.live = live = LiveAnswer(model.transcriber, deck, card, self, prompt=self.prompts.get(card.id))
            live.updated.connect(self._live_update)
        on_audio = self.live.feed if self.live is not None else None

        def make_recorder(on_level: Any) -> Any:
            from trainer.audio import Recorder

            return Recorder(
                path,
                device=config.input_device or None,
                max_seconds=limit,
                silence_stop_seconds=config.silence_stop or None,
                on_level=on_level,
                on_audio=on_audio,
            )

        self.transcript_view.clear_transcript()
        self.level_meter.reset()
        self.countdown.start(limit, "Answer")
        self.record_job = self.runner.start(
            "record",
            record_work(make_recorder),
            succeeded=self.submit_recording,
            failed=self._recording_failed,
            progress=self._level,
        )

    def _live_update(self, text: str, result: Any) -> None:
        """The answer so far, while it is spoken: the transcript grows and key points tick as they are said."""
        live_phases = (Phase.RECORDING, Phase.SAVING, Phase.TRANSCRIBING)
        if self.live is None or self.sender() is not self.live or self.phase not in live_phases:
            return
        if result is None:
            self.transcript_view.set_transcript(text)
            return
        self.transcript_view.set_result(text, result)
        if len(self.checklist.boxes) != len(result.points):
            self.checklist.set_points(result.points)
        else:
            self.checklist.update_points(result.points)
        self.results_widget.setVisible(True)

    def _drop_live(self) -> None:
        """Stop the answer's live transcription and free it: as a child of this view it would otherwise keep
        every answer's audio in memory (+0.6 MB a round in the soak)."""
        if self.live is not None:
            live, self.live = self.live, None
            live.cancel()
            live.updated.disconnect(self._live_update)
            live.deleteLater()

    def _level(self, levels: Any) -> None:
        if self.phase is Phase.RECORDING:
            self.level_meter.set_level(*levels)

    def stop_recording(self) -> None:
        self._press(Key.RECORD)

    def submit_recording(self, recording: Any) -> None:
        """A finished `trainer.audio.Recording` for the current card: keep it as an attempt, then transcribe.

        The recorder job ends here; an answer recorded elsewhere can be handed in the same way while the view
        waits for Space (that is how the GUI tests feed a known WAV through the real pipeline). The registered
        attempt always gets its length, even if the round has moved on, so no answer is left half-registered.
        """
        self.record_job = None
        self.countdown.stop()
        self.level_meter.reset()
        error = getattr(recording, "error", None)
        duration = getattr(recording, "duration", None)
        if error and not duration:
            self._recording_failed(error if isinstance(error, BaseException) else RuntimeError(str(error)))
            return
        registered, self.recording_attempt = self.recording_attempt, None
        ours = (
            registered is not None
            and registered.audio_path is not None
            and registered.audio_path.resolve() == Path(recording.path).resolve()
        )
        card, deck, session, round_ = self.card, self.deck, self.session, self.round
        accepting = (Phase.RECORDING, Phase.SAVING, Phase.READY, Phase.THINKING, Phase.TOO_SHORT)
        if ours and registered is not None:
            try:
                self.attempt = self.store.set_duration(registered.id, duration)
            except StorageError as exc:
                # The file is complete on disk and its attempt registered without a length: the next start
                # (`Store.recover_interrupted`) completes it. Never transcribe an earlier attempt in its place.
                self.attempt = None
                self.attempt_saved.emit(registered.id)  # the review shows it as no longer being recorded
                self._unregistered(str(recording.path), exc, str(error) if error else None)
                return
            self.attempt_saved.emit(registered.id)
        if card is None or deck is None or session is None or round_ is None or round_.stage not in accepting:
            return
        if not ours:  # an answer recorded elsewhere (see above)
            self._drop_live()
            started = self.recording_started_at or datetime.now().astimezone()
            try:
                self.attempt = self.store.add_recorded_attempt(session, deck, card, recording.path, started, duration)
            except StorageError as exc:
                self.attempt = None
                self._unregistered(str(recording.path), exc)
                return
            self.attempt_saved.emit(self.attempt.id)
        question = round_.question
        if round_.mode is Mode.MOCK and self.attempt is not None and question is not None:
            # The report compares time used with the limit, and files a follow-up answer under its question.
            try:
                self.attempt = self.store.set_mock_details(
                    self.attempt.id, time_limit=question.time_limit, follow_up=round_.follow_up
                )
            except StorageError as exc:  # the answer itself is registered: go on, say what was not kept
                self.storage_failed.emit(exc)
        stopped_by = str(getattr(recording, "stopped_by", "") or "user")
        self._apply(round_.recording_finished(duration, stopped_by, str(error) if error else None))

    def _unregistered(self, path: str, exc: StorageError, recorder_error: str | None = None) -> None:
        """A finished recording the database would not take: banner, answer kept on disk, round usable again."""
        self._drop_live()
        self.storage_failed.emit(exc)
        if self.round is not None:
            self._apply(self.round.recording_not_registered(path, str(exc), recorder_error))

    def _recording_failed(self, exc: BaseException) -> None:
        self.record_job = None
        self._drop_live()
        registered, self.recording_attempt = self.recording_attempt, None
        if registered is not None:  # nothing was recorded: the attempt registered at the start has nothing to keep
            with contextlib.suppress(StorageError):
                self.store.delete_attempt(registered.id)
        self.countdown.stop()
        self.level_meter.reset()
        if self.round is not None:
            self._apply(self.round.recording_failed(str(exc)))

    def _discard_attempt(self) -> None:
        """A recording too short to hold an answer: it never becomes an attempt (nothing to score)."""
        self._drop_live()
        attempt, self.attempt = self.attempt, None
        if attempt is not None:
            with contextlib.suppress(StorageError):
                self.store.delete_attempt(attempt.id)
            self.attempt_saved.emit(attempt.id)

    # --- transcription -----------------------------------------------------------------------------------

    def _transcribe_pending(self) -> None:
        """Transcribe the attempt just recorded, once the model is ready (it may still be loading)."""
        attempt, card, deck, round_ = self.attempt, self.card, self.deck, self.round
        if attempt is None or card is None or deck is None or round_ is None:
            return
        self.pending_attempt_id = attempt.id
        model = self.speech_model
        if model.state == "loading":
            round_.waiting_for_model()
            return
        attempt_id = attempt.id
        self.pending_attempt_id = None
        if model.state != "ready" or model.transcriber is None:
            reason = model.error or "the speech model is not loaded"
            self.attempt = self.store.mark_failed(attempt_id, f"Not transcribed: {reason}")
            self.attempt_saved.emit(attempt_id)
            self._apply(round_.transcription_failed(self.attempt.error or reason), render=False)
            return
        transcriber = model.transcriber
        store = self.store
        live = self.live.live if self.live is not None and self.live.card is card else None
        if live is None:
            self._drop_live()

        def work(job: Job) -> Attempt:
            from trainer.practice import complete_live_attempt, transcribe_attempt

            if live is not None:  # only the tail is left to decode: the result comes within a second
                return complete_live_attempt(store, attempt_id, deck, card, live, cancel=job.cancel_event)
            return transcribe_attempt(store, attempt_id, deck, card, transcriber, cancel=job.cancel_event)

        round_.transcribing()
        self.transcribe_job = self.runner.start(
            "transcribe", work, succeeded=self._transcribed, failed=self._transcription_crashed
        )

    def _cancel_transcription(self) -> None:
        if self.transcribe_job is not None:
            self.transcribe_job.cancel()
        elif self.pending_attempt_id is not None and self.round is not None:
            attempt_id, self.pending_attempt_id = self.pending_attempt_id, None
            self.attempt = self.store.mark_failed(attempt_id, "Transcription was cancelled.")
            self._apply(self.round.transcription_failed("Transcription was cancelled."), render=False)

    def _model_changed(self, state: str) -> None:
        if self.phase is Phase.WAITING_MODEL and state != "loading":
            self._transcribe_pending()
            self._render()

    def _transcribed(self, attempt: Attempt) -> None:
        self.transcribe_job = None
        self.attempt_saved.emit(attempt.id)
        round_ = self.round
        if round_ is None or self.attempt is None or attempt.id != self.attempt.id:
            return
        if round_.stage not in (Phase.TRANSCRIBING, Phase.WAITING_MODEL):
            return
        if attempt.status is Status.FAILED and attempt.error == NO_SPEECH:
            # Nothing was heard (the VAD found no speech, no model ran): say so instead of showing a 0 % result.
            # The core keeps the attempt with its audio, not scored (`trainer.practice.NO_SPEECH`).
            self.attempt = attempt
            self._apply(round_.transcription_done(None, no_speech=True))
            return
        self.attempt = attempt
        if attempt.status is Status.SCORED:
            self._apply(round_.transcription_done(attempt.score_result()))
            if self.phase is Phase.RESULT:
                self._show_result()
        else:
            self._apply(round_.transcription_failed(attempt.error or "Not transcribed."))

    def _transcription_crashed(self, exc: BaseException) -> None:
        self.transcribe_job = None
        if self.round is not None and self.attempt is not None:
            with contextlib.suppress(StorageError):
                self.attempt = self.store.attempt(self.attempt.id)
            self._apply(self.round.transcription_failed(f"Transcription failed: {exc}"))

    # --- result ------------------------------------------------------------------------------------------

    def current_result(self) -> Any:
        """The ScoreResult on screen, with the corrections made here."""
        if self.attempt is None:
            return None
        return self.attempt.score_result()

    def _show_result(self) -> None:
        attempt = self.attempt
        result = self.current_result()
        if attempt is None or result is None:
            return
        self.transcript_view.show_attempt(attempt)
        self.checklist.set_points(result.points)
        self.results_widget.show_score(result, attempt)

    def correct_point(self, index: int, hit: bool) -> None:
        """A key point clicked: mark it by hand, keep the correction, and let the score follow."""
        attempt = self.attempt
        if attempt is None or attempt.results is None:
            return
        self.attempt = self.store.set_corrections(attempt.id, corrections_after_click(attempt, index, hit))
        result = self.current_result()
        self.checklist.update_points(result.points)
        self.transcript_view.show_attempt(self.attempt)
        self.results_widget.show_score(result, self.attempt)
        self.attempt_saved.emit(attempt.id)

    def refresh_attempt(self, attempt_id: int) -> None:
        """The review changed this attempt (corrected, transcribed again): show it as stored now."""
        if self.attempt is None or self.attempt.id != attempt_id or self.phase is not Phase.RESULT:
            return
        try:
            self.attempt = self.store.attempt(attempt_id)
        except StorageError:  # deleted in the review
            return
        if self.attempt.results is not None:
            self._show_result()

    def _save_grade(self, grade: int) -> None:
        card, deck, session, round_ = self.card, self.deck, self.session, self.round
        if card is None or deck is None or session is None or round_ is None:
            return
        duration = round(round_.clock() - round_.shown_at, 1)
        self.attempt = self.store.add_self_graded_attempt(session, deck, card, grade, duration)
        self.attempt_saved.emit(self.attempt.id)

    def _finish(self) -> None:
        """Every question asked: the session summary, or the mock interview's report."""
        session = self.session
        if session is None:
            return
        with contextlib.suppress(StorageError):
            self.store.end_session(session.id)
        if self.mode == "mock":
            from trainer.mock import build_report

            self.report_view.show_report(build_report(self.store, session.id))
            self.report_page.show()
            self.interview_finished.emit(session.id)

    # --- rendering ---------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_actions()

    def hideEvent(self, event: QHideEvent) -> None:
        """The review is shown: the practice keys sleep (the menu still lists them, greyed out)."""
        super().hideEvent(event)
        self._update_actions()

    def _update_actions(self) -> None:
        """Enable the keys the round accepts now, and none while the view is hidden.

        The actions are also in the window's Practice menu, which would keep their shortcuts alive for the
        whole window; disabling them is what stops Space or N from acting on a practice the user cannot see.
        """
        visible = self.isVisible()
        round_ = self.round
        for action, key in ROUND_KEYS.items():
            enabled = round_.enabled(key) if round_ is not None else False
            self.key_actions[action].setEnabled(visible and enabled)
        if round_ is None:  # Enter starts on the deck choice
            self.key_actions[Action.REVEAL].setEnabled(visible)

    def _render(self, changed: bool = True) -> None:
        """Keys, button texts, status line and panels as the stage (and the revealed answer) want them."""
        phase = self.phase
        round_ = self.round
        self._update_actions()
        record = "&Stop recording" if phase is Phase.RECORDING else "&Record answer"
        self.key_actions[Action.RECORD].setText(record)
        self.key_actions[Action.RECORD].setIconText(button_text(Action.RECORD, record))
        revealed = round_ is not None and round_.revealed
        hide = revealed and phase in (Phase.RESULT, Phase.FAILED)
        reveal = "Hide &answer" if hide else "Re&veal answer"
        self.key_actions[Action.REVEAL].setText(reveal)
        self.key_actions[Action.REVEAL].setIconText(button_text(Action.REVEAL, reveal))
        if round_ is not None:
            self._render_question(round_)
            summary = self._summary() if phase is Phase.FINISHED else ""
            self.status_label.setText(status_text(round_, self.attempt, self.config.silence_stop > 0, summary))
        self._update_visibility()
        if changed:
            self.phase_changed.emit(phase.value)

    def _render_question(self, round_: Round) -> None:
        card, deck = round_.card, self.deck
        if round_.stage in (Phase.FINISHED, Phase.REPORT):
            self.question_label.setText("Session complete" if round_.stage is Phase.FINISHED else "Interview over")
            self.progress_label.setText(deck.title if deck else "")
            return
        if card is None or deck is None:
            return
        question = round_.question
        shown = (id(round_), round_.shows)
        if self._shown != shown:
            self._fresh_question(card)
            self._shown = shown
        kind = {"flashcard": "flashcards", "mock": "mock interview"}.get(self.mode, "")
        limit = f"{question.time_limit:.0f} s to answer" if question is not None else ""
        where = f"{deck.title} \u00b7 {'question' if self.mode == 'mock' else 'card'} {round_.index + 1} of "
        where += f"{len(round_.questions)}"
        if card.level:
            where += f" \u00b7 {card.level}"
        where += f" \u00b7 {kind if self.mode == 'flashcard' else limit}"
        if self.mode == "mock":
            where += " \u00b7 mock interview"
        self.progress_label.setText(where)
        follow_up = round_.follow_up
        follow = f"<span style='color:#56606a'>Follow-up:</span> {html.escape(follow_up)}" if follow_up else ""
        self.question_label.setText(follow or card.question)

    def _fresh_question(self, card: Card) -> None:
        self.attempt = None
        self.transcript_view.clear_transcript()
        self.answer_view.setHtml(transcript_html(card.answer, []))
        self.results_widget.clear()
        self.countdown.total = 0
        self.level_meter.reset()

    def _summary(self) -> str:
        session = self.session
        if session is None:
            return "You went through every card."
        done = self.store.session(session.id)
        summary = f"{done.attempt_count} attempt(s) kept"
        if done.mean_score is not None:
            summary += f", mean score {done.mean_score:.0f}%"
        return summary + ". Press N to choose a deck again, or look at them in Review (Ctrl+2)."

    def _update_visibility(self) -> None:
        phase = self.phase
        round_ = self.round
        spoken = self.mode in RECORDING_MODES
        revealed = round_ is not None and round_.revealed
        has_result = phase is Phase.RESULT and self.attempt is not None and self.attempt.results is not None
        show_answer = (phase in (Phase.RESULT, Phase.FAILED) and revealed) or phase in (
            Phase.FLASH_REVEALED, Phase.FLASH_GRADED)  # fmt: skip
        ended = phase in (Phase.FINISHED, Phase.REPORT)
        self.report_page.setVisible(phase is Phase.REPORT)
        self.answer.setVisible(phase is not Phase.REPORT)
        self.answer_panel.setVisible(show_answer)
        self.answer.transcript_panel.setVisible(spoken and not ended)
        live_points = self.live is not None and phase in (Phase.RECORDING, Phase.SAVING, Phase.TRANSCRIBING)
        self.results_widget.setVisible(has_result or (live_points and bool(self.checklist.boxes)))
        self.countdown.setVisible(spoken and phase in (Phase.THINKING, Phase.RECORDING, Phase.SAVING))
        metering = spoken and phase in (Phase.RECORDING, Phase.SAVING)
        self.level_meter.setVisible(metering)
        self.answer.level_caption.setVisible(metering)
        self.buttons[Action.RECORD].setVisible(spoken and not ended)
        grading = not spoken and not ended
        self.grade_label.setVisible(grading)
        for grade, _ in GRADES:
            self.buttons[Action[f"GRADE_{grade}"]].setVisible(grading)
        mock = self.mode == "mock"
        self.buttons[Action.REVEAL].setVisible(not ended and not mock)
        self.buttons[Action.RETRY].setVisible(not ended)
        self.change_deck_button.setText("Choose another deck" if ended else "Change deck")
        self.change_deck_button.setEnabled(round_ is None or not round_.busy)
        if phase in (Phase.FLASH_REVEALED, Phase.FLASH_GRADED):
            card = self.card
            if card is not None:
                points = "".join(f"<li>{html.escape(p.text)}</li>" for p in card.key_points)
                self.answer_view.setHtml(f"<p>{html.escape(card.answer)}</p><p><b>Key points</b></p><ul>{points}</ul>")

    # --- closing -----------------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """The window is closing: stop voice, recorder and transcription; an answer being recorded is kept."""
        recording = self.record_job is not None and self.phase in (Phase.RECORDING, Phase.SAVING)
        self._stop_jobs()
        if recording:
            self._keep_unfinished_recording()

    def _keep_unfinished_recording(self) -> None:
        """Give the answer cut short by closing its length; the review lists it and can transcribe it later.

        The recorder was asked to stop and finishes its file behind the closed window (the app waits for it
        before exiting); the attempt, registered when recording started, points at that file.
        """
        registered, started = self.recording_attempt, self.recording_started_at
        if registered is None or started is None:
            return
        self.recording_attempt = None
        duration = (datetime.now().astimezone() - started).total_seconds()
        self.attempt = self.store.set_duration(registered.id, duration)


def _follow_up_rule(card: Card, result: Any) -> Any:
    """The mock interviewer's follow-up: `trainer.mock.follow_up_for` (a missed most important point)."""
    from trainer.mock import follow_up_for, follow_up_question

    point = follow_up_for(card, result)
    return None if point is None else _Asked(follow_up_question(point))


@dataclass(frozen=True)
class _Asked:
    follow_up: str | None
