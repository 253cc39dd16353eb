"""One attempt in full: question, score, pace and fillers, playback, the transcript with key points and fillers
highlighted, the key point checklist (click to correct), the model answer, and the rating spaced repetition
counts it with (the user can choose another)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from trainer.storage import Attempt, Session, Status
from trainer.ui.review.format import day_time, escape, heading, length, no_transcript, score_text, status_text, titled
from trainer.ui.review.player import AudioPlayer, PlayerBar
from trainer.ui.widgets import KeyPointChecklist, TranscriptView

PLACEHOLDER_PAGE = 0
ATTEMPT_PAGE = 1

#: The spaced-repetition ratings, as `fsrs.Rating` numbers (kept here so the view needs no fsrs import).
RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


class AttemptDetail(QStackedWidget):
    """A placeholder (nothing selected, a session) or one attempt's page."""

    #: A key point clicked in the checklist: (index, now hit).
    point_toggled = Signal(int, bool)
    #: "Undo corrections" pressed.
    reset_corrections = Signal()
    #: The user chose the spaced-repetition rating for this attempt (1-4).
    rating_chosen = Signal(int)

    def __init__(self, player: AudioPlayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attemptPage")
        self.player = player
        self.placeholder = QLabel(self)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #6b737b; font-size: 12pt;")
        self.addWidget(self.placeholder)
        self.addWidget(self._build_page())

    def _build_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.question_label = QLabel(page)
        self.question_label.setObjectName("questionLabel")
        self.question_label.setWordWrap(True)
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.question_label.font())
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.question_label.setFont(font)
        self.meta_label = QLabel(page)
        self.meta_label.setObjectName("metaLabel")
        self.meta_label.setWordWrap(True)
        self.meta_label.setStyleSheet("color: #6b737b;")
        layout.addWidget(self.question_label)
        layout.addWidget(self.meta_label)

        stats = QHBoxLayout()
        self.score_label = QLabel(page)
        self.score_label.setObjectName("scoreLabel")
        score_font = QFont(self.score_label.font())
        score_font.setPointSize(score_font.pointSize() + 6)
        score_font.setBold(True)
        self.score_label.setFont(score_font)
        self.wpm_label = QLabel(page)
        self.wpm_label.setObjectName("wpmLabel")
        self.fillers_label = QLabel(page)
        self.fillers_label.setObjectName("fillersLabel")
        self.status_label = QLabel(page)
        self.status_label.setObjectName("statusLabel")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self.score_label, self.wpm_label, self.fillers_label):
            stats.addWidget(widget)
            stats.addSpacing(16)
        stats.addWidget(self.status_label, 1)
        self.rating_combo = QComboBox(page)
        self.rating_combo.setObjectName("ratingCombo")
        self.rating_combo.setToolTip(
            "How this answer counts for spaced repetition (when the card comes back). Chosen from the score; "
            "pick another if it was easier or harder than the score says."
        )
        for value, name in RATINGS.items():
            self.rating_combo.addItem(name, value)
        self.rating_combo.activated.connect(
            lambda index: self.rating_chosen.emit(int(self.rating_combo.itemData(index)))
        )
        self.rating_caption = QLabel("Repeat as", page)
        stats.addWidget(self.rating_caption)
        stats.addWidget(self.rating_combo)
        layout.addLayout(stats)

        self.player_bar = PlayerBar(self.player, page)
        self.player_bar.setEnabled(False)
        layout.addWidget(self.player_bar)

        split = QSplitter(Qt.Orientation.Horizontal, page)
        left = QSplitter(Qt.Orientation.Vertical, split)
        self.transcript_view = TranscriptView()
        titled("Your answer", self.transcript_view, left)
        self.transcript_view.setObjectName("transcriptView")
        points_box = QWidget(left)
        points_layout = QVBoxLayout(points_box)
        points_layout.setContentsMargins(0, 0, 0, 0)
        points_title = QHBoxLayout()
        points_heading = heading("Key points (click one to correct it)", points_box)
        points_heading.setWordWrap(True)  # wraps in a narrow window instead of widening it
        points_title.addWidget(points_heading, 1)
        self.reset_corrections_button = QPushButton("Undo corrections", points_box)
        self.reset_corrections_button.setObjectName("resetCorrectionsButton")
        self.reset_corrections_button.setToolTip("Go back to the key points as scoring marked them")
        self.reset_corrections_button.clicked.connect(self.reset_corrections.emit)
        points_title.addWidget(self.reset_corrections_button)
        points_layout.addLayout(points_title)
        self.checklist = KeyPointChecklist(points_box)
        self.checklist.setObjectName("keyPointList")
        self.checklist.toggled.connect(self.point_toggled.emit)
        self.points_plain = QLabel(points_box)
        self.points_plain.setObjectName("keyPointsPlain")
        self.points_plain.setWordWrap(True)
        points_layout.addWidget(self.checklist)
        points_layout.addWidget(self.points_plain)
        points_layout.addStretch(1)
        self.model_answer = TranscriptView()
        self.model_answer.setPlaceholderText("")
        titled("Model answer", self.model_answer, split)
        self.model_answer.setObjectName("modelAnswerView")
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([550, 450])
        layout.addWidget(split, 1)
        return page

    def _rating_activated(self, index: int) -> None:
        self.rating_chosen.emit(int(self.rating_combo.itemData(index)))

    # -- what it shows

    def show_placeholder(self, text: str) -> None:
        self.placeholder.setText(text)
        self.setCurrentIndex(PLACEHOLDER_PAGE)

    def show_session(self, session: Session) -> None:
        count = session.attempt_count
        mean = f", mean score {session.mean_score:.0f}%" if session.mean_score is not None else ""
        ended = (
            f", {length((session.ended_at - session.started_at).total_seconds())} long"
            if session.ended_at is not None
            else ""
        )
        self.show_placeholder(
            f"<b>{escape(session.deck_title)}</b><br>{day_time(session.started_at)}{ended}<br>"
            f"{count} attempt{'s' if count != 1 else ''}{mean}<br><br>"
            "Select an attempt to read, hear and correct it, or export the whole session."
        )

    def show_attempt(
        self,
        attempt: Attempt,
        deck_title: str,
        *,
        same_audio: bool,
        recording: bool,
        rating: tuple[int, bool] | None,
    ) -> None:
        """Fill the page. `same_audio`: this attempt's file is loaded already (keep the playback position);
        `recording`: its file is still being written (no playback); `rating`: (1-4, chosen by the user)."""
        self.setCurrentIndex(ATTEMPT_PAGE)
        self.question_label.setText(attempt.question)
        meta = [deck_title, f"card {attempt.card_id}", day_time(attempt.started_at)]
        meta.append("recording now" if recording else f"answered in {length(attempt.duration)}")
        if attempt.engine:
            meta.append(f"{attempt.engine} {attempt.model or ''}".strip())
        self.meta_label.setText(" \u00b7 ".join(meta))

        self.show_score(attempt, recording, rating)
        self.wpm_label.setText(f"{attempt.wpm:.0f} wpm" if attempt.wpm is not None else "")
        self.wpm_label.setToolTip("Words per minute: 120-160 is a comfortable interview pace")
        if attempt.transcript is not None:
            count = attempt.filler_count
            listed = ", ".join(f"{word} \u00d7{n}" for word, n in attempt.fillers.items())
            self.fillers_label.setText(f"{count} filler{'s' if count != 1 else ''}" + (f": {listed}" if listed else ""))
        else:
            self.fillers_label.setText("")

        playable = attempt.audio_path is not None and attempt.has_audio and not recording
        if not same_audio or recording:
            self.player.load(attempt.audio_path if playable else None)
        self.player_bar.setEnabled(self.player.path is not None and not recording)
        self.player_bar.label.setToolTip("")
        if recording:
            self.player_bar.label.setText("still recording: play it once it is done")
        elif attempt.audio_path is None:
            self.player_bar.label.setText("no recording")
        elif not attempt.has_audio:
            self.player_bar.label.setText("recording missing")
            self.player_bar.label.setToolTip(str(attempt.audio_path))

        result = attempt.score_result()
        if result is not None:
            self.checklist.set_points(result.points)
            self.checklist.show()
            self.points_plain.hide()
        else:
            self.checklist.set_points([])
            self.checklist.hide()
            self.points_plain.setText("".join(f"\u2022 {escape(p.text)}<br>" for p in attempt.key_points))
            self.points_plain.show()
        self.model_answer.set_transcript(attempt.answer)

    def show_score(self, attempt: Attempt, recording: bool, rating: tuple[int, bool] | None) -> None:
        """What follows the score: the score, status, transcript highlights, corrections and rating."""
        self.score_label.setText(score_text(attempt.score, attempt.self_grade))
        self.score_label.setToolTip("Self-grade" if attempt.self_grade is not None else "Share of key points said")
        self.show_status(attempt, recording)
        self.transcript_view.show_attempt(attempt, no_transcript(attempt, recording))
        result = attempt.score_result()
        if result is not None:
            self.checklist.update_points(result.points)
        self.reset_corrections_button.setVisible(bool(attempt.corrections))
        visible = rating is not None
        self.rating_combo.setVisible(visible)
        self.rating_caption.setVisible(visible)
        if rating is not None:
            value, chosen = rating
            self.rating_combo.setCurrentIndex(max(0, self.rating_combo.findData(value)))
            self.rating_caption.setText("Repeat as (your choice)" if chosen else "Repeat as")

    def show_status(self, attempt: Attempt, recording: bool) -> None:
        text = status_text(attempt, recording)
        if attempt.status is Status.FAILED and attempt.error:
            self.status_label.setText(f"<span style='color:#a3302a'>{escape(attempt.error)}</span>")
        elif attempt.corrections:
            n = len(attempt.corrections)
            self.status_label.setText(f"{text}, {n} key point{'s' if n != 1 else ''} corrected by you")
        else:
            self.status_label.setText(text)
