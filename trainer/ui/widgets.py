"""Small widgets the practice and review views share: level meter, countdown, highlighted transcript,
key-point checklist and the message banner.

They only display what they are given; none of them reads the core or starts work, so each can be shown and
tested alone.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from PySide6.QtCore import QElapsedTimer, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

#: Colours used for meaning, kept together so the views agree (and stay readable on light and dark themes).
HIT_COLOUR = QColor("#c8efd0")
MISS_COLOUR = QColor("#f6d2cf")
FILLER_COLOUR = QColor("#e4e4e4")
#: A misconception said: the words in red, its correction beside the transcript.
WRONG_COLOUR = QColor("#f8d0cd")
WRONG_TEXT = "#a3302a"
ACCENT_COLOUR = QColor("#2f6fdf")


# --- level meter ----------------------------------------------------------------------------------------


def paint_track(widget: QWidget, radius: float) -> tuple[QPainter, QRectF]:
    """Start painting a bar (level meter, countdown): its bordered, rounded track is drawn; the caller draws
    the bar inside `rect` and ends the painter."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = QRectF(widget.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
    painter.setPen(QColor("#9aa3ad"))
    painter.setBrush(QColor("#f1f3f5"))
    painter.drawRoundedRect(rect, radius, radius)
    return painter, rect


class LevelMeter(QWidget):
    """The microphone level as a bar in dBFS, so a user sees at once that the microphone hears them."""

    FLOOR_DB = -60.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("level-meter")
        self.setMinimumSize(160, 20)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.rms_db = self.FLOOR_DB
        self.peak_db = self.FLOOR_DB
        self.updates = 0
        self.setToolTip("Microphone level")

    def sizeHint(self) -> QSize:
        return QSize(240, 20)

    def set_level(self, rms_db: float, peak_db: float) -> None:
        """Levels in dBFS, as `trainer.audio.Recorder` reports them (anything below the floor shows empty)."""
        self.rms_db = max(self.FLOOR_DB, min(0.0, float(rms_db)))
        self.peak_db = max(self.FLOOR_DB, min(0.0, float(peak_db)))
        self.updates += 1
        self.update()

    def reset(self) -> None:
        self.rms_db = self.peak_db = self.FLOOR_DB
        self.update()

    def fraction(self) -> float:
        """How full the bar is, 0..1."""
        return (self.rms_db - self.FLOOR_DB) / -self.FLOOR_DB

    def paintEvent(self, event: QPaintEvent) -> None:
        painter, rect = paint_track(self, 3)
        filled = rect.adjusted(1, 1, -1, -1)
        filled.setWidth(filled.width() * self.fraction())
        if self.rms_db > -6:
            colour = QColor("#d9534f")
        elif self.rms_db > -18:
            colour = QColor("#f0ad4e")
        else:
            colour = QColor("#3fae5a")
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(filled, 2, 2)
        peak_x = rect.left() + rect.width() * (self.peak_db - self.FLOOR_DB) / -self.FLOOR_DB
        painter.setPen(QColor("#404850"))
        painter.drawLine(int(peak_x), int(rect.top()) + 1, int(peak_x), int(rect.bottom()) - 1)
        painter.end()


# --- countdown ------------------------------------------------------------------------------------------


def format_seconds(seconds: float) -> str:
    """0:42 style, rounding up so a countdown never shows 0:00 while time is left."""
    whole = max(0, math.ceil(seconds - 1e-6))
    return f"{whole // 60}:{whole % 60:02d}"


class Countdown(QWidget):
    """Time left as a shrinking bar with m:ss, driven by a monotonic clock (not by counting timer ticks)."""

    expired = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("countdown")
        self.setMinimumSize(160, 26)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.total = 0.0
        self.caption = ""
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._tick)
        self._frozen_left: float | None = None

    def sizeHint(self) -> QSize:
        return QSize(260, 26)

    def start(self, seconds: float, caption: str = "") -> None:
        self.total = max(0.0, float(seconds))
        self.caption = caption
        self._frozen_left = None
        self._clock.start()
        self._timer.start()
        self.update()

    def stop(self) -> None:
        """Freeze at the time left now."""
        if self._timer.isActive():
            self._frozen_left = self.remaining()
        self._timer.stop()
        self.update()

    def is_running(self) -> bool:
        return self._timer.isActive()

    def remaining(self) -> float:
        if self._frozen_left is not None:
            return self._frozen_left
        if not self._clock.isValid():
            return self.total
        return max(0.0, self.total - self._clock.elapsed() / 1000)

    def text(self) -> str:
        left = format_seconds(self.remaining())
        return f"{self.caption} {left}".strip()

    def _tick(self) -> None:
        self.update()
        if self.remaining() <= 0:
            self._timer.stop()
            self._frozen_left = 0.0
            self.expired.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter, rect = paint_track(self, 4)
        fraction = self.remaining() / self.total if self.total > 0 else 0.0
        bar = rect.adjusted(1, 1, -1, -1)
        bar.setWidth(bar.width() * fraction)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#d9534f") if self.remaining() <= 10 else ACCENT_COLOUR.lighter(150))
        painter.drawRoundedRect(bar, 3, 3)
        painter.setPen(QColor("#1d2328"))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.text())
        painter.end()


# --- highlighted transcript -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Highlight:
    """A character range of the transcript to mark: a matched key point or a filler word."""

    start: int
    end: int
    kind: str = "hit"  # "hit", "wrong" (a misconception said) or "filler"
    note: str = ""


def merge_highlights(text: str, highlights: Iterable[Highlight]) -> list[Highlight]:
    """Highlights inside the text, in order, never overlapping: overlapping key-point spans become one mark
    (every word that counted stays marked), and a filler word inside a key-point span is not marked again."""
    valid = [h for h in highlights if 0 <= h.start < h.end <= len(text)]
    hits: list[Highlight] = []
    for h in sorted((h for h in valid if h.kind == "hit"), key=lambda h: (h.start, h.end)):
        if hits and h.start < hits[-1].end:
            last = hits[-1]
            notes = last.note if h.note in ("", last.note) else f"{last.note}; {h.note}".strip("; ")
            hits[-1] = Highlight(last.start, max(last.end, h.end), "hit", notes)
        else:
            hits.append(h)
    kept = list(hits)
    order = {"wrong": 0, "filler": 1}  # a wrong claim is marked before fillers
    for h in sorted((h for h in valid if h.kind != "hit"), key=lambda h: (order.get(h.kind, 2), h.start, h.end)):
        if not any(h.start < k.end and k.start < h.end for k in kept):
            kept.append(h)
    return sorted(kept, key=lambda h: h.start)


def transcript_html(text: str, highlights: Iterable[Highlight]) -> str:
    """The transcript as HTML with each highlight wrapped in a coloured span; text is escaped."""
    parts: list[str] = []
    position = 0
    for h in merge_highlights(text, highlights):
        parts.append(html.escape(text[position : h.start]))
        colour = {"hit": HIT_COLOUR, "wrong": WRONG_COLOUR}.get(h.kind, FILLER_COLOUR)
        style = f"background-color:{colour.name()};"
        if h.kind == "hit":
            style += "font-weight:600;"
        elif h.kind == "wrong":
            style += f"color:{WRONG_TEXT};font-weight:600;"
        else:
            style += "color:#6b737b;font-style:italic;"
        title = f' title="{html.escape(h.note)}"' if h.note else ""
        parts.append(f'<span style="{style}"{title}>{html.escape(text[h.start : h.end])}</span>')
        position = h.end
    parts.append(html.escape(text[position:]))
    body = "".join(parts).replace("\n", "<br>")
    return f'<div style="font-size:12pt; line-height:140%;">{body}</div>'


def score_highlights(result: Any) -> list[Highlight]:
    """Highlights for the span of every key point hit in a `trainer.scoring.ScoreResult`, and of every
    misconception said (red, its correction as the note)."""
    found = []
    for point in getattr(result, "points", ()):
        span = getattr(point, "span", None)
        if point.hit and span is not None:
            found.append(Highlight(span[0], span[1], "hit", point.point.text))
    for wrong in getattr(result, "misconceptions", ()):
        found.append(Highlight(wrong.span[0], wrong.span[1], "wrong", f"Wrong: {wrong.claim}. {wrong.correction}"))
    return found


def misconceptions_html(result: Any) -> str:
    """The wrong claims an answer made, each with its correction, in red: shown under the transcript."""
    items = [
        f"<li><b>&ldquo;{html.escape(w.said)}&rdquo;</b>: {html.escape(w.correction)}</li>"
        for w in getattr(result, "misconceptions", ())
    ]
    if not items:
        return ""
    return f'<div style="color:{WRONG_TEXT}; margin-top:8px;"><b>Not right:</b><ul>{"".join(items)}</ul></div>'


def evidence_text(result: Any) -> str:
    """One line saying why a key point got its verdict: the words said, what contradicted it, or the
    model-answer sentence that makes it."""
    evidence = getattr(result, "evidence", "")
    how = getattr(result, "how", "")
    if not evidence or getattr(result, "corrected", False):
        return ""
    if how == "same words":
        return f"\u201c{evidence}\u201d"
    if how == "paraphrase":
        return f"in your words: \u201c{evidence}\u201d"
    if how == "contradicted":
        why = getattr(result, "why", "")
        return f"contradicted: \u201c{evidence}\u201d" + (f" ({why})" if why else "")
    return f"model answer: {evidence}"


class TranscriptView(QTextBrowser):
    """The transcript with the words that matched a key point highlighted (and fillers greyed).

    Shared by the practice and review views, so an answer looks the same wherever it is read.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcript")
        self.setOpenLinks(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plain = ""
        self.highlights: list[Highlight] = []
        self.setPlaceholderText("Your answer appears here once it is transcribed.")

    def set_transcript(self, text: str, highlights: Iterable[Highlight] = ()) -> None:
        if not text.strip():
            self.show_note("(nothing was heard)")
            return
        self.plain = text
        self.highlights = merge_highlights(text, highlights)
        self.setHtml(transcript_html(text, self.highlights))

    def set_result(self, text: str, result: Any, fillers: Iterable[Highlight] = ()) -> None:
        """Show `text` with the spans of the key points `result` (a ScoreResult) marks as hit, the wrong claims
        it made in red, and their corrections below."""
        self.set_transcript(text, [*score_highlights(result), *fillers])
        wrong = misconceptions_html(result)
        if wrong and self.plain:
            self.setHtml(transcript_html(text, self.highlights) + wrong)

    def show_attempt(self, attempt: Any, note: str = "") -> None:
        """A stored `Attempt`: its transcript with the key points hit (as corrected) and the filler words
        marked; `note` in its place when it has no transcript."""
        text = attempt.transcript
        if text is None:
            self.show_note(note)
            return
        self.set_result(text, attempt.score_result(), filler_highlights(text, attempt.fillers))

    def show_note(self, text: str) -> None:
        """A grey note in place of a transcript (nothing was heard, not transcribed yet)."""
        self.plain = ""
        self.highlights = []
        self.setHtml(f'<p style="color:#6b737b"><i>{html.escape(text)}</i></p>')

    def highlighted_fragments(self) -> list[tuple[str, str]]:
        """(text, colour) of every run in the document that has a background: what the user sees marked."""
        found: list[tuple[str, str]] = []
        block = self.document().begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                fmt: QTextCharFormat = fragment.charFormat()
                if fmt.hasProperty(QTextCharFormat.Property.BackgroundBrush):
                    found.append((fragment.text(), fmt.background().color().name()))
                iterator += 1
            block = block.next()
        return found

    def clear_transcript(self) -> None:
        self.plain = ""
        self.highlights = []
        self.clear()
        self.moveCursor(QTextCursor.MoveOperation.Start)


def filler_highlights(text: str, fillers: Iterable[str]) -> list[Highlight]:
    """Where the filler words occur in `text`, as whole words, case-insensitive."""
    import re

    found: list[Highlight] = []
    for filler in fillers:
        for match in re.finditer(rf"(?<![\w']){re.escape(filler)}(?![\w'])", text, flags=re.IGNORECASE):
            found.append(Highlight(match.start(), match.end(), "filler", "filler word"))
    return found


# --- key-point checklist --------------------------------------------------------------------------------


def corrections_after_click(attempt: Any, index: int, hit: bool) -> dict[int, bool]:
    """An attempt's manual corrections once key point `index` is marked `hit` by hand: a mark that agrees
    with the automatic scoring is no correction (dropped), any other is kept."""
    corrections: dict[int, bool] = dict(attempt.corrections)
    if hit == bool(attempt.results["key_points"][index]["hit"]):
        corrections.pop(index, None)
    else:
        corrections[index] = hit
    return corrections


class KeyPointChecklist(QWidget):
    """Key points hit and missed; clicking one corrects it by hand (the score follows via `toggled`)."""

    toggled = Signal(int, bool)  # index of the key point, hit after the click

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("key-points")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._layout.addStretch(1)  # the points stay together at the top, however tall the panel
        self.boxes: list[QCheckBox] = []
        #: Under each box: why it got its verdict (see `evidence_text`).
        self.evidence: list[QLabel] = []
        self._updating = False

    def set_points(self, points: Sequence[Any]) -> None:
        """Show `ScoreResult.points` (PointResult: point, hit, similarity, span, corrected)."""
        self._updating = True
        try:
            for widget in [*self.boxes, *self.evidence]:
                self._layout.removeWidget(widget)
                widget.deleteLater()
            self.boxes = []
            self.evidence = []
            for index, result in enumerate(points):
                box = QCheckBox(self)
                box.setObjectName(f"key-point-{index}")
                box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space belongs to record/stop
                box.setCursor(Qt.CursorShape.PointingHandCursor)
                label = QLabel(self)
                label.setObjectName(f"key-point-evidence-{index}")
                label.setWordWrap(True)
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setContentsMargins(24, 0, 0, 4)
                self.boxes.append(box)
                self.evidence.append(label)
                self._decorate(index, result)
                box.toggled.connect(lambda checked, i=index: self._on_toggled(i, checked))
                self._layout.insertWidget(2 * index, box)
                self._layout.insertWidget(2 * index + 1, label)
        finally:
            self._updating = False

    def _decorate(self, index: int, result: Any) -> None:
        box, label = self.boxes[index], self.evidence[index]
        why = evidence_text(result)
        label.setText(why)
        label.setVisible(bool(why))
        contradicted = getattr(result, "how", "") == "contradicted" and not getattr(result, "corrected", False)
        label.setStyleSheet(f"color: {WRONG_TEXT if contradicted else '#6b737b'}; font-size: 9pt;")
        hit = bool(result.hit)
        box.setChecked(hit)
        mark = "\u2713" if hit else "\u2717"
        text = f"{mark}  {result.point.text}"
        if getattr(result, "corrected", False):
            text += "  (corrected by you)"
        box.setText(text)
        similarity = getattr(result, "similarity", None)
        tip = "Click to mark as " + ("missed" if hit else "hit")
        if similarity is not None:
            tip = f"Match {similarity:.0f}/100. {tip}"
        box.setToolTip(tip)
        colour = "#1e6b34" if hit else "#a3302a"
        box.setStyleSheet(f"QCheckBox {{ color: {colour}; padding: 2px; }}")

    def update_points(self, points: Sequence[Any]) -> None:
        """Refresh marks and labels after a correction without rebuilding the boxes."""
        if len(points) != len(self.boxes):
            self.set_points(points)
            return
        self._updating = True
        try:
            for index, result in enumerate(points):
                self._decorate(index, result)
        finally:
            self._updating = False

    def _on_toggled(self, index: int, checked: bool) -> None:
        if not self._updating:
            self.toggled.emit(index, checked)

    def states(self) -> list[bool]:
        return [b.isChecked() for b in self.boxes]


# --- banner ---------------------------------------------------------------------------------------------


class Banner(QFrame):
    """A message across the top of the window (no microphone, model missing): visible without blocking."""

    _STYLES: ClassVar[dict[str, tuple[str, str]]] = {
        "info": ("#e7f0fd", "#2f6fdf"),
        "warning": ("#fff4dc", "#c88a12"),
        "error": ("#fde7e6", "#c0392b"),
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.action_button = QPushButton(self)
        self.action_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.action_button.hide()
        layout.addWidget(self.action_button)
        close = QPushButton("\u2715", self)
        close.setFlat(True)
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.setToolTip("Dismiss")
        close.setFixedWidth(28)
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self.kind = "info"
        self._action_slot: Any = None
        self.hide()

    def show_message(self, text: str, kind: str = "info", action: tuple[str, Any] | None = None) -> None:
        self.kind = kind
        background, border = self._STYLES.get(kind, self._STYLES["info"])
        self.setStyleSheet(f"#banner {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}")
        self.label.setText(text)
        if self._action_slot is not None:
            self.action_button.clicked.disconnect(self._action_slot)
            self._action_slot = None
        if action is None:
            self.action_button.hide()
        else:
            self.action_button.setText(action[0])
            self._action_slot = action[1]
            self.action_button.clicked.connect(self._action_slot)
            self.action_button.show()
        self.show()

    def text(self) -> str:
        return self.label.text()


def big_label(text: str = "", point_size: int = 20, bold: bool = True) -> QLabel:
    """A label in a larger font: the question, the score."""
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSize(point_size)
    font.setBold(bold)
    label.setFont(font)
    label.setWordWrap(True)
    return label
