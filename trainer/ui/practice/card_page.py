"""The widgets of one question on screen: header, answer panel, result panel. They show; the view decides."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from trainer.storage import Attempt
from trainer.ui.widgets import Countdown, KeyPointChecklist, LevelMeter, TranscriptView, big_label


def caption(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setStyleSheet("color: #3a434c;")
    return label


class QuestionHeader(QWidget):
    """Where we are (deck, card n of m, time to answer), "Change deck", the question and the status line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("progress-label")
        self.progress_label.setStyleSheet("color: #56606a;")
        top.addWidget(self.progress_label, 1)
        self.change_deck_button = QPushButton("Change deck", self)
        self.change_deck_button.setObjectName("change-deck")
        self.change_deck_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        top.addWidget(self.change_deck_button)
        outer.addLayout(top)
        self.question_label = big_label("", 17)
        self.question_label.setObjectName("question")
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.question_label)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        font = self.status_label.font()
        font.setPointSize(font.pointSize() + 1)
        self.status_label.setFont(font)
        outer.addWidget(self.status_label)


class AnswerPanel(QWidget):
    """The countdown and level meter, then "Your answer" (growing while spoken) beside the model answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        meters = QHBoxLayout()
        self.countdown = Countdown(self)
        meters.addWidget(self.countdown, 3)
        self.level_caption = QLabel("Microphone", self)  # what the green bar is, at a glance
        self.level_caption.setStyleSheet("color: #56606a;")
        meters.addWidget(self.level_caption)
        self.level_meter = LevelMeter(self)
        meters.addWidget(self.level_meter, 1)
        outer.addLayout(meters)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.transcript_panel = QWidget(splitter)
        left_layout = QVBoxLayout(self.transcript_panel)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(caption("Your answer"))
        self.transcript_view = TranscriptView(self.transcript_panel)
        left_layout.addWidget(self.transcript_view)
        self.answer_panel = QWidget(splitter)
        right_layout = QVBoxLayout(self.answer_panel)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(caption("Model answer"))
        self.answer_view = QTextBrowser(self.answer_panel)
        self.answer_view.setObjectName("model-answer")
        self.answer_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        right_layout.addWidget(self.answer_view)
        splitter.addWidget(self.transcript_panel)
        splitter.addWidget(self.answer_panel)
        splitter.setSizes([500, 500])
        outer.addWidget(splitter, 1)

    def show_live_text(self, text: str) -> None:
        """The transcript so far, while the answer is still being spoken."""
        self.transcript_view.setPlainText(text)


class ResultPanel(QWidget):
    """The score, one line each for content, pace and fillers, and the key-point checklist."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        results = QHBoxLayout(self)
        results.setContentsMargins(0, 0, 0, 0)
        score_box = QVBoxLayout()
        self.score_label = big_label("", 26)
        self.score_label.setObjectName("score")
        score_box.addWidget(self.score_label)
        self.stats_label = QLabel(self)
        self.stats_label.setObjectName("stats")
        self.stats_label.setWordWrap(True)
        score_box.addWidget(self.stats_label)
        score_box.addStretch(1)
        results.addLayout(score_box, 1)
        points_box = QVBoxLayout()
        self.points_caption = caption("Key points \u2014 click one to correct it")
        points_box.addWidget(self.points_caption)
        self.checklist = KeyPointChecklist(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.checklist)
        scroll.setMinimumHeight(120)
        points_box.addWidget(scroll)
        results.addLayout(points_box, 2)

    def clear(self) -> None:
        self.score_label.setText("")
        self.stats_label.setText("")
        self.checklist.set_points([])

    def show_score(self, result: object, attempt: Attempt | None) -> None:
        """Score, then one line each for content, pace and filler words."""
        score = getattr(result, "score", 0.0)
        points = getattr(result, "points", ())
        hits = getattr(result, "hits", 0)
        self.score_label.setText(f"{score:.0f}%")
        lines = [f"{hits} of {len(points)} key points"]
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
