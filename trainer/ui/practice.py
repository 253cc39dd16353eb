"""The practice view: choose a deck, then answer card after card out loud (or as flashcards).

One card goes through phases (`Phase`): the question is shown and read aloud, optional think time, recording with
a countdown and level meter, transcription, then the scored result; Enter reveals the model answer, R retries, N
goes on. Flashcard mode (no microphone, or chosen) skips recording: say the answer, reveal, grade yourself 1-4.

Everything slow runs as a `Job` in the background; this view only reacts to their signals, so the window never
freezes, and each phase says what is going on and what the next key does.
"""

from __future__ import annotations

import contextlib
import html
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from trainer.deck import Card, Deck, DeckSource, Severity
from trainer.practice import order_cards, time_limit_for
from trainer.settings import Key, Settings
from trainer.storage import ORDERS, Attempt, Session, Status, StorageError, Store
from trainer.ui.shortcuts import GRADES, Action, button_text, create_actions
from trainer.ui.widgets import (
    Countdown,
    KeyPointChecklist,
    LevelMeter,
    TranscriptView,
    big_label,
    corrections_after_click,
    transcript_html,
)
from trainer.ui.workers import Job, JobRunner, SpeechModel, record_work, speak_work

ORDER_LABELS = {"in-order": "In order", "shuffled": "Shuffled", "weakest": "Weakest first", "due": "Due first"}
MODE_LABELS = {"spoken": "Spoken answers (record and score)", "flashcard": "Flashcards (no recording)"}


class Phase(Enum):
    """Where the current card is; decides which keys work and what the status line says."""

    SETUP = "setup"
    QUESTION = "question"  # shown and being read aloud
    THINKING = "thinking"
    READY = "ready"  # waiting for Space
    RECORDING = "recording"
    SAVING = "saving"  # recorder stopping, file being finished
    WAITING_MODEL = "waiting-model"
    TRANSCRIBING = "transcribing"
    RESULT = "result"
    FAILED = "failed"  # recorded, but not transcribed (cancelled, model missing)
    FLASH_ANSWER = "flash-answer"
    FLASH_REVEALED = "flash-revealed"
    FLASH_GRADED = "flash-graded"
    FINISHED = "finished"


@dataclass(frozen=True)
class PracticeConfig:
    """What practice needs from the settings, read once per session so a mid-card change cannot confuse it."""

    read_question: bool = True
    voice_engine: str = "pyttsx3"
    voice_id: str = ""
    voice_rate: int = 175
    think_time: float = 5.0
    time_limit: float = 0.0  # 0: the card's, else the deck's
    silence_stop: float = 0.0
    input_device: str = ""
    order: str = "in-order"

    @classmethod
    def from_settings(cls, settings: Settings) -> PracticeConfig:
        return cls(
            read_question=bool(settings.get(Key.READ_QUESTION)),
            voice_engine=str(settings.get(Key.VOICE_ENGINE)),
            voice_id=str(settings.get(Key.VOICE_ID)),
            voice_rate=int(settings.get(Key.VOICE_RATE)),
            think_time=float(settings.get(Key.THINK_TIME)),
            time_limit=float(settings.get(Key.TIME_LIMIT)),
            silence_stop=float(settings.get(Key.SILENCE_STOP)),
            input_device=str(settings.get(Key.INPUT_DEVICE)),
            order=str(settings.get(Key.ORDER)),
        )


class PracticeView(QWidget):
    """Deck choice, then the card-by-card practice loop."""

    #: An attempt was stored or changed (the review refreshes).
    attempt_saved = Signal(int)
    phase_changed = Signal(str)
    #: A passing message for the status bar (e.g. the voice failed).
    notice = Signal(str)
    #: The user chose a deck, order or mode (on the page, or by starting a session): `choices()` has them.
    choices_changed = Signal()

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
        self.sources: list[DeckSource] = []
        self.microphone_ok: bool | None = None  # None: not probed yet
        self.microphone_problem = ""

        self.phase = Phase.SETUP
        self.deck: Deck | None = None
        self.mode = "spoken"
        self.session: Session | None = None
        self.cards: list[Card] = []
        self.index = 0
        self.attempt: Attempt | None = None
        self.corrections: dict[int, bool] = {}
        self.revealed = False
        self.card_shown_at = 0.0
        self.recording_started_at: datetime | None = None
        self.recording_path: Path | None = None
        self.recording_attempt: Attempt | None = None  # registered when recording starts, completed when it ends
        self.voice_job: Job | None = None
        self.record_job: Job | None = None
        self.transcribe_job: Job | None = None
        self.pending_attempt_id: int | None = None
        self._stopped_note = ""

        self.think_timer = QTimer(self)
        self.think_timer.setSingleShot(True)
        self.think_timer.timeout.connect(self._think_over)

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
        self.setup_page = self._build_setup_page()
        self.card_page = self._build_card_page()
        self.pages.addWidget(self.setup_page)
        self.pages.addWidget(self.card_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.speech_model.changed.connect(self._model_changed)
        self._set_phase(Phase.SETUP)

    # --- building ----------------------------------------------------------------------------------------

    def _build_setup_page(self) -> QWidget:
        page = QWidget(self)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(24, 18, 24, 18)
        title = big_label("Practice", 18)
        outer.addWidget(title)
        intro = QLabel(
            "Pick a deck and an order. Each question is shown and read aloud; answer out loud as you would in the "
            "interview. Press <b>Space</b> to record and to stop, <b>Enter</b> to reveal the model answer, "
            "<b>?</b> for every shortcut."
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.deck_combo = QComboBox(page)
        self.deck_combo.setObjectName("deck-combo")
        self.deck_combo.currentIndexChanged.connect(self._deck_choice_changed)
        form.addRow("&Deck:", self.deck_combo)
        self.deck_info = QLabel(page)
        self.deck_info.setWordWrap(True)
        self.deck_info.setStyleSheet("color: #56606a;")
        form.addRow("", self.deck_info)
        self.order_combo = QComboBox(page)
        self.order_combo.setObjectName("order-combo")
        for order in ORDERS:
            self.order_combo.addItem(ORDER_LABELS.get(order, order), order)
        _select_data(self.order_combo, self.config.order)
        form.addRow("&Order:", self.order_combo)
        self.mode_combo = QComboBox(page)
        self.mode_combo.setObjectName("mode-combo")
        for mode, label in MODE_LABELS.items():
            self.mode_combo.addItem(label, mode)
        form.addRow("&Mode:", self.mode_combo)
        # `activated` is the user's choice only: a mode forced by a missing microphone is not remembered.
        for combo in (self.deck_combo, self.order_combo, self.mode_combo):
            combo.activated.connect(self.choices_changed)
        outer.addLayout(form)
        self.mode_note = QLabel(page)
        self.mode_note.setWordWrap(True)
        self.mode_note.setStyleSheet("color: #a3302a;")
        self.mode_note.hide()
        outer.addWidget(self.mode_note)

        row = QHBoxLayout()
        self.start_button = QPushButton("&Start practice  [Enter]", page)
        self.start_button.setObjectName("start-button")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start_session)
        row.addWidget(self.start_button)
        row.addStretch(1)
        outer.addLayout(row)

        self.problems_box = QGroupBox("Decks that could not be loaded", page)
        self.problems_box.setObjectName("deck-problems")
        box_layout = QVBoxLayout(self.problems_box)
        self.problems_list = QListWidget(self.problems_box)
        self.problems_list.setObjectName("deck-problems-list")
        self.problems_list.setWordWrap(True)
        self.problems_list.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        box_layout.addWidget(self.problems_list)
        hint = QLabel("Fix the files listed and restart, or check one with <code>trainer check FILE</code>.")
        hint.setWordWrap(True)
        box_layout.addWidget(hint)
        self.problems_box.hide()
        outer.addWidget(self.problems_box, 1)
        outer.addStretch(0)
        return page

    def _build_card_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("card-page")
        page.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(18, 12, 18, 12)
        outer.setSpacing(8)

        top = QHBoxLayout()
        self.progress_label = QLabel(page)
        self.progress_label.setObjectName("progress-label")
        self.progress_label.setStyleSheet("color: #56606a;")
        top.addWidget(self.progress_label, 1)
        self.change_deck_button = QPushButton("Change deck", page)
        self.change_deck_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.change_deck_button.clicked.connect(self.end_session)
        top.addWidget(self.change_deck_button)
        outer.addLayout(top)

        self.question_label = big_label("", 17)
        self.question_label.setObjectName("question")
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.question_label)

        self.status_label = QLabel(page)
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        font = self.status_label.font()
        font.setPointSize(font.pointSize() + 1)
        self.status_label.setFont(font)
        outer.addWidget(self.status_label)

        meters = QHBoxLayout()
        self.countdown = Countdown(page)
        meters.addWidget(self.countdown, 3)
        self.level_caption = QLabel("Microphone", page)  # what the green bar is, at a glance
        self.level_caption.setStyleSheet("color: #56606a;")
        meters.addWidget(self.level_caption)
        self.level_meter = LevelMeter(page)
        meters.addWidget(self.level_meter, 1)
        outer.addLayout(meters)

        # Transcript and model answer side by side; the checklist and score under them.
        splitter = QSplitter(Qt.Orientation.Horizontal, page)
        left = QWidget(splitter)
        self.transcript_panel = left
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self._caption("Your answer"))
        self.transcript_view = TranscriptView(left)
        left_layout.addWidget(self.transcript_view)
        self.answer_panel = QWidget(splitter)
        right_layout = QVBoxLayout(self.answer_panel)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self._caption("Model answer"))
        self.answer_view = QTextBrowser(self.answer_panel)
        self.answer_view.setObjectName("model-answer")
        self.answer_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        right_layout.addWidget(self.answer_view)
        splitter.addWidget(left)
        splitter.addWidget(self.answer_panel)
        splitter.setSizes([500, 500])
        outer.addWidget(splitter, 3)

        results = QHBoxLayout()
        score_box = QVBoxLayout()
        self.score_label = big_label("", 26)
        self.score_label.setObjectName("score")
        score_box.addWidget(self.score_label)
        self.stats_label = QLabel(page)
        self.stats_label.setObjectName("stats")
        self.stats_label.setWordWrap(True)
        score_box.addWidget(self.stats_label)
        score_box.addStretch(1)
        results.addLayout(score_box, 1)
        points_box = QVBoxLayout()
        self.points_caption = self._caption("Key points \u2014 click one to correct it")
        points_box.addWidget(self.points_caption)
        self.checklist = KeyPointChecklist(page)
        self.checklist.toggled.connect(self.correct_point)
        scroll = QScrollArea(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.checklist)
        scroll.setMinimumHeight(120)
        points_box.addWidget(scroll)
        results.addLayout(points_box, 2)
        self.results_widget = QWidget(page)
        self.results_widget.setLayout(results)
        outer.addWidget(self.results_widget, 2)

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

    def _caption(self, text: str) -> QLabel:
        label = QLabel(f"<b>{text}</b>")
        label.setStyleSheet("color: #3a434c;")
        return label

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

    # --- decks and microphone (set by the window) --------------------------------------------------------

    def set_decks(self, sources: Sequence[DeckSource]) -> None:
        """Fill the deck list; broken decks are listed with every problem, the others stay usable."""
        self.sources = list(sources)
        current = self.deck_combo.currentData()
        self.deck_combo.blockSignals(True)
        self.deck_combo.clear()
        for source in self.sources:
            if source.deck is not None:
                deck = source.deck
                self.deck_combo.addItem(f"{deck.title} ({len(deck.cards)} cards)", deck.id)
        self.deck_combo.blockSignals(False)
        if current is not None:
            _select_data(self.deck_combo, current)
        self._deck_choice_changed()

        self.problems_list.clear()
        broken = [s for s in self.sources if s.deck is None]
        for source in broken:
            errors = [p for p in source.problems if p.severity is Severity.ERROR] or list(source.problems)
            item = QListWidgetItem(f"{source.path}: {len(errors)} problem(s)")
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            self.problems_list.addItem(item)
            for problem in errors:
                self.problems_list.addItem(QListWidgetItem(f"    {problem}"))
        self.problems_box.setVisible(bool(broken))
        self.start_button.setEnabled(self.deck_combo.count() > 0)
        if self.deck_combo.count() == 0:
            self.deck_info.setText("No usable deck was found. Add a deck file to your deck folder.")

    def broken_deck_lines(self) -> list[str]:
        return [self.problems_list.item(i).text() for i in range(self.problems_list.count())]

    def _deck_choice_changed(self) -> None:
        deck = self.chosen_deck()
        if deck is None:
            self.deck_info.setText("")
            return
        text = deck.description or ""
        warnings = [p for s in self.sources if s.deck is deck for p in s.problems if p.severity is Severity.WARNING]
        if warnings:
            text += f" ({len(warnings)} warning(s): `trainer check` lists them)"
        self.deck_info.setText(text)

    def chosen_deck(self) -> Deck | None:
        deck_id = self.deck_combo.currentData()
        return next((s.deck for s in self.sources if s.deck is not None and s.deck.id == deck_id), None)

    def set_microphone(self, ok: bool, problem: str = "") -> None:
        """Without a microphone only flashcards can be practised; say so beside the mode choice."""
        self.microphone_ok = ok
        self.microphone_problem = problem
        spoken = self.mode_combo.findData("spoken")
        item = self.mode_combo.model().item(spoken)  # type: ignore[attr-defined]
        if item is not None:
            item.setEnabled(ok)
        if not ok:
            _select_data(self.mode_combo, "flashcard")
            self.mode_note.setText(f"No microphone: flashcard practice only. {problem}".strip())
            self.mode_note.show()
        else:
            self.mode_note.hide()

    def apply_settings(self, settings: Settings) -> None:
        """New settings take effect from the next card (the current recording keeps its own)."""
        self.settings = settings
        self.config = PracticeConfig.from_settings(settings)
        _select_data(self.order_combo, self.config.order)

    def choices(self) -> tuple[str | None, str, str]:
        """(deck id, order, mode) as chosen on the deck page."""
        deck_id = self.deck_combo.currentData()
        return (str(deck_id) if deck_id is not None else None, str(self.order_combo.currentData()),
                str(self.mode_combo.currentData()))  # fmt: skip

    def restore_choices(self, deck_id: str = "", mode: str = "") -> None:
        """Choose a remembered deck and mode again; one that no longer exists leaves the current choice."""
        if deck_id and _select_data(self.deck_combo, deck_id):
            self._deck_choice_changed()
        if mode and self.microphone_ok is not False:
            _select_data(self.mode_combo, mode)

    # --- session -----------------------------------------------------------------------------------------

    def start_session(self, deck: Deck | None = None, order: str | None = None, mode: str | None = None) -> None:
        """Begin practising a deck: a session in the store, cards in the chosen order, the first card."""
        deck = deck or self.chosen_deck()
        if deck is None or not deck.cards:
            return
        order = order or str(self.order_combo.currentData())
        mode = mode or str(self.mode_combo.currentData())
        if mode == "spoken" and self.microphone_ok is False:
            mode = "flashcard"
        # The deck page shows what this session uses, so "Change deck" comes back to the same choice.
        _select_data(self.deck_combo, deck.id)
        _select_data(self.order_combo, order)
        _select_data(self.mode_combo, mode)
        self.choices_changed.emit()
        self.config = PracticeConfig.from_settings(self.settings)
        self.deck = deck
        self.mode = mode
        self.cards = order_cards(deck, order, self.store)
        self.session = self.store.start_session(deck.id, deck.title, mode=mode, order=order)
        self.index = 0
        self.pages.setCurrentWidget(self.card_page)
        self.card_page.setFocus()  # keys go to the window's actions, not to a leftover combo box
        self.show_card()

    def end_session(self) -> None:
        """Back to the deck choice; whatever runs for the current card is stopped."""
        self._stop_everything()
        if self.session is not None:
            with contextlib.suppress(StorageError):
                self.store.end_session(self.session.id)
        self.session = None
        self.deck = None
        self.pages.setCurrentWidget(self.setup_page)
        self._set_phase(Phase.SETUP)

    @property
    def card(self) -> Card | None:
        return self.cards[self.index] if self.deck is not None and 0 <= self.index < len(self.cards) else None

    # --- one card ----------------------------------------------------------------------------------------

    def show_card(self, read: bool = True) -> None:
        """Show the current card fresh: question, cleared result, then read aloud / think / wait for Space."""
        card = self.card
        deck = self.deck
        if card is None or deck is None:
            return
        self._stop_everything()
        self.attempt = None
        self.corrections = {}
        self.revealed = False
        self.card_shown_at = time.monotonic()
        where = f"{deck.title} \u00b7 card {self.index + 1} of {len(self.cards)}"
        if card.level:
            where += f" \u00b7 {card.level}"
        mode = "flashcards" if self.mode == "flashcard" else f"{self.limit():.0f} s to answer"
        self.progress_label.setText(f"{where} \u00b7 {mode}")
        self.question_label.setText(card.question)
        self.transcript_view.clear_transcript()
        self.answer_view.setHtml(transcript_html(card.answer, []))
        self.score_label.setText("")
        self.stats_label.setText("")
        self.checklist.set_points([])
        self.countdown.stop()
        self.countdown.total = 0
        self.level_meter.reset()
        if read and self.config.read_question:
            self._set_phase(Phase.QUESTION)
            self._speak(card.question, then=self._question_read)
        else:
            self._question_read()

    def limit(self) -> float:
        card, deck = self.card, self.deck
        if card is None or deck is None:
            return 0.0
        return time_limit_for(deck, card, self.config.time_limit)

    def _question_read(self) -> None:
        """The question has been read (or needs no reading): think time, then wait for Space."""
        if self.phase not in (Phase.QUESTION, Phase.SETUP, Phase.RESULT, Phase.FAILED, Phase.FLASH_GRADED,
                              Phase.FLASH_REVEALED, Phase.READY, Phase.FLASH_ANSWER):  # fmt: skip
            return  # something else happened meanwhile (recording started, session ended)
        if self.mode == "flashcard":
            self._set_phase(Phase.FLASH_ANSWER)
            return
        if self.config.think_time > 0:
            self._set_phase(Phase.THINKING)
            self.countdown.start(self.config.think_time, "Think")
            self.think_timer.start(int(self.config.think_time * 1000))
        else:
            self._set_phase(Phase.READY)

    def _think_over(self) -> None:
        if self.phase is Phase.THINKING:
            self.start_recording()

    # --- reading aloud -----------------------------------------------------------------------------------

    def _speak(self, text: str, then: Any = None) -> None:
        config = self.config

        def make_speaker() -> Any:
            from trainer.tts import make_speaker

            return make_speaker(config.voice_engine, config.voice_id or None, config.voice_rate)  # type: ignore[arg-type]

        def finished() -> None:
            if self.voice_job is job:
                self.voice_job = None
                if then is not None:
                    then()

        def failed(exc: BaseException) -> None:
            self.notice.emit(f"Could not read the question aloud: {exc}")

        job = self.runner.start("speak", speak_work(make_speaker, text), failed=failed, finished=finished)
        self.voice_job = job

    def read_aloud(self) -> None:
        """Q: read the question again (never while recording: the microphone would hear it)."""
        card = self.card
        if card is None or self.phase in (Phase.RECORDING, Phase.SAVING) or self.voice_job is not None:
            return
        self._speak(card.question)

    def _stop_voice(self) -> None:
        if self.voice_job is not None:
            job, self.voice_job = self.voice_job, None
            job.cancel()

    # --- recording ---------------------------------------------------------------------------------------

    def record_or_stop(self) -> None:
        """Space: start answering (also skips the reading and think time), or stop the recording."""
        if self.phase is Phase.RECORDING:
            self.stop_recording()
        elif self.phase in (Phase.READY, Phase.THINKING, Phase.QUESTION):
            self.start_recording()

    def start_recording(self) -> None:
        card, deck, session = self.card, self.deck, self.session
        if card is None or deck is None or session is None or self.mode != "spoken":
            return
        self._stop_voice()
        self.think_timer.stop()
        limit = self.limit()
        path = self.store.new_audio_path(session, card)
        self.recording_path = path
        config = self.config
        self.recording_started_at = datetime.now().astimezone()
        # Registered before the first sample: if the app dies mid-answer, the review still lists the attempt and
        # its file (which trainer.audio.recover makes readable) can be transcribed.
        self.recording_attempt = self.store.add_recorded_attempt(
            session, deck, card, path, self.recording_started_at, None
        )

        def make_recorder(on_level: Any) -> Any:
            from trainer.audio import Recorder

            return Recorder(
                path,
                device=config.input_device or None,
                max_seconds=limit,
                silence_stop_seconds=config.silence_stop or None,
                on_level=on_level,
            )

        self.level_meter.reset()
        self.countdown.start(limit, "Answer")
        self._set_phase(Phase.RECORDING)
        self.record_job = self.runner.start(
            "record",
            record_work(make_recorder),
            succeeded=self.submit_recording,
            failed=self._recording_failed,
            progress=self._level,
        )

    def _level(self, levels: Any) -> None:
        if self.phase is Phase.RECORDING:
            self.level_meter.set_level(*levels)

    def stop_recording(self) -> None:
        if self.record_job is not None and self.phase is Phase.RECORDING:
            self._set_phase(Phase.SAVING)
            self.countdown.stop()
            self.record_job.cancel()

    def submit_recording(self, recording: Any) -> None:
        """A finished `trainer.audio.Recording` for the current card: keep it as an attempt, then transcribe.

        The recorder job ends here; an answer recorded elsewhere can be handed in the same way while the view
        waits for Space (that is how the GUI tests feed a known WAV through the real pipeline).
        """
        self.record_job = None
        self.countdown.stop()
        self.level_meter.reset()
        card, deck, session = self.card, self.deck, self.session
        waiting = (Phase.RECORDING, Phase.SAVING, Phase.READY, Phase.THINKING)
        if card is None or deck is None or session is None or self.phase not in waiting:
            return
        self.think_timer.stop()
        error = getattr(recording, "error", None)
        duration = getattr(recording, "duration", None)
        if error and not duration:
            self._recording_failed(error if isinstance(error, BaseException) else RuntimeError(str(error)))
            return
        started = self.recording_started_at or datetime.now().astimezone()
        registered, self.recording_attempt = self.recording_attempt, None
        if (
            registered is not None
            and registered.audio_path is not None
            and (registered.audio_path.resolve() == Path(recording.path).resolve())
        ):
            self.attempt = self.store.set_duration(registered.id, duration)
        else:  # an answer recorded elsewhere (see above)
            self.attempt = self.store.add_recorded_attempt(session, deck, card, recording.path, started, duration)
        self.attempt_saved.emit(self.attempt.id)
        self.pending_attempt_id = self.attempt.id
        stopped_by = getattr(recording, "stopped_by", "")
        self._stopped_note = {"time_limit": "Time is up.", "silence": "Stopped after a pause."}.get(str(stopped_by), "")
        if error:
            self._stopped_note += f" (The microphone stopped early: {error})"
        self._transcribe_pending()

    def _recording_failed(self, exc: BaseException) -> None:
        self.record_job = None
        registered, self.recording_attempt = self.recording_attempt, None
        if registered is not None:  # nothing was recorded: the attempt registered at the start has nothing to keep
            self.store.delete_attempt(registered.id)
        self.countdown.stop()
        self.level_meter.reset()
        if self.phase not in (Phase.RECORDING, Phase.SAVING):
            return
        self._set_phase(Phase.READY)
        self.status_label.setText(
            f"<span style='color:#a3302a'><b>Recording failed:</b> {exc}</span><br>"
            "Check the microphone in Settings, or switch to flashcards (Change deck)."
        )

    # --- transcription -----------------------------------------------------------------------------------

    def _transcribe_pending(self) -> None:
        """Transcribe the attempt just recorded, once the model is ready (it may still be loading)."""
        attempt_id, card, deck = self.pending_attempt_id, self.card, self.deck
        if attempt_id is None or card is None or deck is None:
            return
        model = self.speech_model
        if model.state == "loading":
            self._set_phase(Phase.WAITING_MODEL)
            return
        if model.state != "ready" or model.transcriber is None:
            self.pending_attempt_id = None
            reason = model.error or "the speech model is not loaded"
            self.attempt = self.store.mark_failed(attempt_id, f"Not transcribed: {reason}")
            self.attempt_saved.emit(attempt_id)
            self._set_phase(Phase.FAILED)
            return
        self.pending_attempt_id = None
        transcriber = model.transcriber
        store = self.store

        def work(job: Job) -> Attempt:
            from trainer.practice import transcribe_attempt

            return transcribe_attempt(store, attempt_id, deck, card, transcriber, cancel=job.cancel_event)

        self._set_phase(Phase.TRANSCRIBING)
        self.transcribe_job = self.runner.start(
            "transcribe", work, succeeded=self._transcribed, failed=self._transcription_crashed
        )

    def _model_changed(self, state: str) -> None:
        if self.phase is Phase.WAITING_MODEL and state != "loading":
            self._transcribe_pending()

    def _transcribed(self, attempt: Attempt) -> None:
        self.transcribe_job = None
        self.attempt_saved.emit(attempt.id)
        if self.attempt is None or attempt.id != self.attempt.id or self.phase is not Phase.TRANSCRIBING:
            return
        self.attempt = attempt
        if attempt.status is Status.SCORED:
            self._set_phase(Phase.RESULT)
            self._show_result()
        else:
            self._set_phase(Phase.FAILED)

    def _transcription_crashed(self, exc: BaseException) -> None:
        self.transcribe_job = None
        if self.phase is Phase.TRANSCRIBING and self.attempt is not None:
            with contextlib.suppress(StorageError):
                self.attempt = self.store.attempt(self.attempt.id)
            self._set_phase(Phase.FAILED)
            self.status_label.setText(f"<span style='color:#a3302a'>Transcription failed: {exc}</span>")

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
        self._show_score(result)

    def _show_score(self, result: Any) -> None:
        """Score, then one line each for content, pace and filler words."""
        attempt = self.attempt
        self.score_label.setText(f"{result.score:.0f}%")
        lines = [f"{result.hits} of {len(result.points)} key points"]
        if attempt is not None:
            pace = []
            if attempt.wpm is not None:
                pace.append(f"{attempt.wpm:.0f}\u00a0words/min")
            if attempt.duration:
                pace.append(f"{attempt.duration:.0f}\u00a0s\u00a0spoken")
            if pace:
                lines.append(" \u00b7 ".join(pace))
            fillers = attempt.fillers
            if fillers:
                listed = ", ".join(f"{word} \u00d7{n}" for word, n in fillers.items())
                count = sum(fillers.values())
                lines.append(f"{count} filler word{'s' if count != 1 else ''}: {listed}")
            else:
                lines.append("no filler words")
        self.stats_label.setText("<br>".join(html.escape(line) for line in lines))

    def correct_point(self, index: int, hit: bool) -> None:
        """A key point clicked: mark it by hand, keep the correction, and let the score follow."""
        attempt = self.attempt
        if attempt is None or attempt.results is None:
            return
        self.attempt = self.store.set_corrections(attempt.id, corrections_after_click(attempt, index, hit))
        result = self.current_result()
        self.checklist.update_points(result.points)
        self.transcript_view.show_attempt(self.attempt)
        self._show_score(result)
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

    def reveal(self) -> None:
        """Enter: show (or hide again) the model answer beside the transcript; on the deck choice, start."""
        if self.phase is Phase.SETUP:
            if self.start_button.isEnabled():
                self.start_session()
        elif self.phase in (Phase.RESULT, Phase.FAILED):
            self.revealed = not self.revealed
            self._show_phase()  # "Hide answer" on the button, "Enter hides" in the status line
        elif self.phase is Phase.FLASH_ANSWER or (self.phase is Phase.QUESTION and self.mode == "flashcard"):
            self._stop_voice()
            self.revealed = True
            self._set_phase(Phase.FLASH_REVEALED)

    def grade(self, grade: int) -> None:
        """1-4 in flashcard mode: keep the self-grade as an attempt."""
        card, deck, session = self.card, self.deck, self.session
        if self.phase is not Phase.FLASH_REVEALED or card is None or deck is None or session is None:
            return
        duration = round(time.monotonic() - self.card_shown_at, 1)
        self.attempt = self.store.add_self_graded_attempt(session, deck, card, grade, duration)
        self.attempt_saved.emit(self.attempt.id)
        self._set_phase(Phase.FLASH_GRADED)

    def retry(self) -> None:
        """R: the same card again; the earlier attempt stays in the history."""
        if self.phase in (Phase.RESULT, Phase.FAILED, Phase.FLASH_REVEALED, Phase.FLASH_GRADED):
            self.show_card(read=False)

    def next_card(self) -> None:
        """N: go on (skipping the current card is allowed); after the last card, the session summary."""
        if self.phase is Phase.FINISHED:
            self.end_session()
            return
        if self.phase not in (
            Phase.RESULT,
            Phase.FAILED,
            Phase.FLASH_ANSWER,
            Phase.FLASH_REVEALED,
            Phase.FLASH_GRADED,
            Phase.READY,
            Phase.THINKING,
            Phase.QUESTION,
        ):
            return
        self._stop_everything()
        self.index += 1
        if self.index >= len(self.cards):
            self._finish()
        else:
            self.show_card()

    def _finish(self) -> None:
        session = self.session
        self._set_phase(Phase.FINISHED)
        self.question_label.setText("Session complete")
        summary = "You went through every card."
        if session is not None:
            done = self.store.session(session.id)
            summary = f"{done.attempt_count} attempt(s) kept"
            if done.mean_score is not None:
                summary += f", mean score {done.mean_score:.0f}%"
            summary += ". Press N to choose a deck again, or look at them in Review (Ctrl+2)."
            self.store.end_session(session.id)
        self.status_label.setText(summary)
        self.progress_label.setText(self.deck.title if self.deck else "")

    def cancel(self) -> None:
        """Escape: skip the reading or the think time, stop recording, or cancel the transcription."""
        if self.phase is Phase.QUESTION:
            self._stop_voice()
            self._question_read()
        elif self.phase is Phase.THINKING:
            self.think_timer.stop()
            self.countdown.stop()
            self._set_phase(Phase.READY)
        elif self.phase is Phase.RECORDING:
            self.stop_recording()
        elif self.phase is Phase.TRANSCRIBING and self.transcribe_job is not None:
            self.status_label.setText("Cancelling the transcription\u2026")
            self.transcribe_job.cancel()
        elif self.phase is Phase.WAITING_MODEL and self.pending_attempt_id is not None:
            attempt_id, self.pending_attempt_id = self.pending_attempt_id, None
            self.attempt = self.store.mark_failed(attempt_id, "Transcription was cancelled.")
            self._set_phase(Phase.FAILED)

    def _stop_everything(self) -> None:
        """Stop whatever runs for the current card (voice, think timer, recording, transcription)."""
        self.think_timer.stop()
        self._stop_voice()
        for job in (self.record_job, self.transcribe_job):
            if job is not None:
                job.cancel()
        self.record_job = None
        self.transcribe_job = None
        self.pending_attempt_id = None
        self.countdown.stop()

    # --- phases ------------------------------------------------------------------------------------------

    _ENABLED: ClassVar[dict[Action, tuple[Phase, ...]]] = {
        Action.RECORD: (Phase.QUESTION, Phase.THINKING, Phase.READY, Phase.RECORDING),
        Action.REVEAL: (Phase.SETUP, Phase.RESULT, Phase.FAILED, Phase.FLASH_ANSWER, Phase.QUESTION),
        Action.RETRY: (Phase.RESULT, Phase.FAILED, Phase.FLASH_REVEALED, Phase.FLASH_GRADED),
        Action.NEXT: (Phase.QUESTION, Phase.THINKING, Phase.READY, Phase.RESULT, Phase.FAILED,
                      Phase.FLASH_ANSWER, Phase.FLASH_REVEALED, Phase.FLASH_GRADED, Phase.FINISHED),
        Action.CANCEL: (Phase.QUESTION, Phase.THINKING, Phase.RECORDING, Phase.TRANSCRIBING,
                        Phase.WAITING_MODEL),
        Action.READ_ALOUD: (Phase.QUESTION, Phase.THINKING, Phase.READY, Phase.RESULT, Phase.FAILED,
                            Phase.FLASH_ANSWER, Phase.FLASH_REVEALED, Phase.FLASH_GRADED),
        **{Action[f"GRADE_{g}"]: (Phase.FLASH_REVEALED,) for g, _ in GRADES},
    }  # fmt: skip

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_actions()

    def hideEvent(self, event: QHideEvent) -> None:
        """The review is shown: the practice keys sleep (the menu still lists them, greyed out)."""
        super().hideEvent(event)
        self._update_actions()

    def _update_actions(self) -> None:
        """Enable the keys that make sense in this phase, and none while the view is hidden.

        The actions are also in the window's Practice menu, which would keep their shortcuts alive for the
        whole window; disabling them is what stops Space or N from acting on a practice the user cannot see.
        """
        phase = self.phase
        visible = self.isVisible()
        for action, phases in self._ENABLED.items():
            self.key_actions[action].setEnabled(visible and phase in phases)
        if self.mode == "flashcard":
            self.key_actions[Action.RECORD].setEnabled(False)
        elif phase is Phase.QUESTION:
            self.key_actions[Action.REVEAL].setEnabled(False)

    def _set_phase(self, phase: Phase) -> None:
        self.phase = phase
        self._show_phase()
        self.phase_changed.emit(phase.value)

    def _show_phase(self) -> None:
        """Keys, button texts, status line and panels as the phase (and the revealed answer) want them."""
        phase = self.phase
        self._update_actions()
        record = "&Stop recording" if phase is Phase.RECORDING else "&Record answer"
        self.key_actions[Action.RECORD].setText(record)
        self.key_actions[Action.RECORD].setIconText(button_text(Action.RECORD, record))
        hide = self.revealed and phase in (Phase.RESULT, Phase.FAILED)
        reveal = "Hide &answer" if hide else "Re&veal answer"
        self.key_actions[Action.REVEAL].setText(reveal)
        self.key_actions[Action.REVEAL].setIconText(button_text(Action.REVEAL, reveal))
        self.status_label.setText(self._status_text())
        self._update_visibility()

    def _status_text(self) -> str:
        phase = self.phase
        spoken_next = "Press <b>Space</b> to answer."
        if phase is Phase.QUESTION:
            if self.mode == "flashcard":
                return "Reading the question aloud\u2026 (<b>Esc</b> to skip, <b>Enter</b> to reveal the answer)"
            return "Reading the question aloud\u2026 (<b>Space</b> to answer now, <b>Esc</b> to skip)"
        if phase is Phase.THINKING:
            return "Think about your answer; recording starts when the bar runs out (<b>Space</b> to start now)."
        if phase is Phase.READY:
            return spoken_next
        if phase is Phase.RECORDING:
            stop = " or after a pause" if self.config.silence_stop else ""
            return f"\u25cf Recording \u2014 answer out loud. <b>Space</b> stops (it also stops at the limit{stop})."
        if phase is Phase.SAVING:
            return "Finishing the recording\u2026"
        if phase is Phase.WAITING_MODEL:
            return "Recorded. Waiting for the speech model to finish loading\u2026 (<b>Esc</b> to cancel)"
        if phase is Phase.TRANSCRIBING:
            return "Transcribing your answer\u2026 (<b>Esc</b> to cancel; the recording is kept)"
        enter = "<b>Enter</b> hides the model answer" if self.revealed else "<b>Enter</b> reveals the model answer"
        if phase is Phase.RESULT:
            note = self._stopped_note
            return (f"{note} " if note else "") + f"{enter} \u00b7 <b>R</b> retry \u00b7 <b>N</b> next card"
        if phase is Phase.FAILED:
            error = self.attempt.error if self.attempt is not None and self.attempt.error else "Not transcribed."
            note = f"{self._stopped_note} " if self._stopped_note else ""
            return (
                f"{note}<span style='color:#a3302a'>{html.escape(error)}</span><br>The recording is kept: "
                f"transcribe it again from Review. {enter} \u00b7 <b>R</b> retry \u00b7 <b>N</b> next"
            )
        if phase is Phase.FLASH_ANSWER:
            return "Say your answer out loud, then press <b>Enter</b> to reveal the model answer."
        if phase is Phase.FLASH_REVEALED:
            keys = " \u00b7 ".join(f"<b>{g}</b> {label}" for g, label in GRADES)
            return f"How did you do? {keys}"
        if phase is Phase.FLASH_GRADED:
            grade = self.attempt.self_grade if self.attempt is not None else None
            label = dict(GRADES).get(grade or 0, "")
            return f"Graded \u201c{label}\u201d and kept. <b>N</b> next card \u00b7 <b>R</b> again"
        return ""

    def _update_visibility(self) -> None:
        phase = self.phase
        spoken = self.mode == "spoken"
        has_result = phase is Phase.RESULT and self.attempt is not None and self.attempt.results is not None
        show_answer = (phase in (Phase.RESULT, Phase.FAILED) and self.revealed) or phase in (
            Phase.FLASH_REVEALED, Phase.FLASH_GRADED)  # fmt: skip
        self.answer_panel.setVisible(show_answer)
        self.transcript_panel.setVisible(spoken and phase is not Phase.FINISHED)
        self.results_widget.setVisible(has_result)
        self.countdown.setVisible(spoken and phase in (Phase.THINKING, Phase.RECORDING, Phase.SAVING))
        metering = spoken and phase in (Phase.RECORDING, Phase.SAVING)
        self.level_meter.setVisible(metering)
        self.level_caption.setVisible(metering)
        for action in (Action.RECORD,):
            self.buttons[action].setVisible(spoken and phase is not Phase.FINISHED)
        grading = not spoken and phase is not Phase.FINISHED
        self.grade_label.setVisible(grading)
        for grade, _ in GRADES:
            self.buttons[Action[f"GRADE_{grade}"]].setVisible(grading)
        self.buttons[Action.REVEAL].setVisible(phase is not Phase.FINISHED)
        self.buttons[Action.RETRY].setVisible(phase is not Phase.FINISHED)
        self.change_deck_button.setText("Choose another deck" if phase is Phase.FINISHED else "Change deck")
        if phase is Phase.FLASH_REVEALED or phase is Phase.FLASH_GRADED:
            card = self.card
            if card is not None:
                points = "".join(f"<li>{html.escape(p.text)}</li>" for p in card.key_points)
                self.answer_view.setHtml(f"<p>{html.escape(card.answer)}</p><p><b>Key points</b></p><ul>{points}</ul>")

    def shutdown(self) -> None:
        """The window is closing: stop voice, recorder and transcription; an answer being recorded is kept."""
        recording = self.record_job is not None and self.phase in (Phase.RECORDING, Phase.SAVING)
        self._stop_everything()
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


def _select_data(combo: QComboBox, data: object) -> bool:
    """Select the item holding `data`; False (selection unchanged) when there is none."""
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0
