"""How the review writes times, scores and statuses, shared by its widgets (no widgets here but two labels)."""

from __future__ import annotations

import html
from datetime import date, datetime

from PySide6.QtCore import QDate
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QTreeWidgetItem, QVBoxLayout, QWidget

from trainer.storage import SELF_GRADES, Attempt, AttemptSummary, Status

STATUS_TEXT = {
    Status.RECORDED: "not transcribed",
    Status.TRANSCRIBING: "transcribing\u2026",
    Status.SCORED: "scored",
    Status.FAILED: "failed",
    Status.SELF_GRADED: "self-graded",
}
#: Shown for an attempt whose recording is still being written.
RECORDING_TEXT = "recording\u2026"

MODE_TEXT = {"spoken": "single spoken", "flashcard": "flashcards", "mock": "mock interview"}


def is_incomplete(attempt: Attempt | AttemptSummary, recording: bool = False) -> bool:
    """Still being recorded or transcribed: not to be played, deleted or transcribed again yet.

    `recording`: the store knows this process is recording it (`Store.is_recording`)."""
    return recording or str(attempt.status) in ("recording", str(Status.TRANSCRIBING))


def status_text(attempt: Attempt | AttemptSummary, recording: bool = False) -> str:
    if recording or str(attempt.status) == "recording":
        return RECORDING_TEXT
    return STATUS_TEXT.get(attempt.status, str(attempt.status))


def local(moment: datetime) -> datetime:
    return moment.astimezone()


def day_time(moment: datetime) -> str:
    return local(moment).strftime("%a %d %b %Y, %H:%M")


def clock(ms: int) -> str:
    seconds = max(0, ms) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def length(seconds: float | None) -> str:
    return "\u2013" if seconds is None else clock(round(seconds * 1000))


def score_text(score: float | None, grade: int | None) -> str:
    if grade is not None:
        return SELF_GRADES.get(grade, str(grade))
    return "\u2013" if score is None else f"{score:.0f}%"


def children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    kids = (item.child(i) for i in range(item.childCount()))
    return [child for child in kids if child is not None]


def py_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def escape(text: str) -> str:
    return html.escape(text)


def elide(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def no_transcript(attempt: Attempt, recording: bool = False) -> str:
    if recording:
        return "Recording\u2026 The answer can be read, played and corrected once it is transcribed."
    if attempt.status is Status.SELF_GRADED:
        grade = SELF_GRADES.get(attempt.self_grade or 0, "")
        return f"Flashcard mode: answered without recording, graded \u201c{grade}\u201d."
    if attempt.status is Status.TRANSCRIBING:
        return "Transcribing\u2026"
    if attempt.status is Status.FAILED:
        return "Not transcribed. Use \u201cTranscribe again\u201d to try once more."
    return "Not transcribed yet. Use \u201cTranscribe again\u201d to transcribe the recording."


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


def titled(title: str, widget: QWidget, parent: QWidget) -> QWidget:
    """A bold caption above a widget."""
    box = QFrame(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(heading(title, box))
    widget.setParent(box)
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    layout.addWidget(widget, 1)
    return box
