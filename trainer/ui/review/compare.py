"""Every answer to one card side by side: a table of scores, pace, fillers and key points per attempt, and two
transcripts (this attempt and the one chosen in the table)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer.storage import Attempt, Store
from trainer.ui.review.format import elide, escape, length, local, no_transcript, score_text
from trainer.ui.widgets import TranscriptView

#: The compare table shows at most this many attempts of one card (the newest).
MAX_COMPARE = 100


class CompareView(QWidget):
    """The "Compare" tab of the review."""

    #: An attempt double-clicked in the table: open it (attempt id, its deck id).
    attempt_opened = Signal(int, str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparePage")
        self.store = store
        self.attempts: list[Attempt] = []
        layout = QVBoxLayout(self)
        self.compare_title = QLabel(self)
        self.compare_title.setObjectName("compareTitle")
        self.compare_title.setWordWrap(True)
        layout.addWidget(self.compare_title)
        split = QSplitter(Qt.Orientation.Vertical, self)
        self.compare_table = QTableWidget(split)
        self.compare_table.setObjectName("compareTable")
        self.compare_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.compare_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.compare_table.verticalHeader().setVisible(False)
        self.compare_table.setToolTip("Double-click an attempt to open it")
        self.compare_table.currentCellChanged.connect(lambda row, *_: self._row_chosen(row))
        self.compare_table.cellDoubleClicked.connect(self._row_opened)
        panes = QSplitter(Qt.Orientation.Horizontal, split)
        self.compare_current = TranscriptView()
        self.compare_current_title = QLabel()
        self.compare_other = TranscriptView()
        self.compare_other_title = QLabel()
        for title, view, name in (
            (self.compare_current_title, self.compare_current, "compareCurrent"),
            (self.compare_other_title, self.compare_other, "compareOther"),
        ):
            box = QWidget(panes)
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            title.setParent(box)
            title.setWordWrap(True)
            view.setParent(box)
            view.setObjectName(name)
            box_layout.addWidget(title)
            box_layout.addWidget(view, 1)
        layout.addWidget(split, 1)

    def show_card_of(self, attempt: Attempt | None) -> None:
        """Fill the table with every attempt of `attempt`'s card (None: empty, with a hint)."""
        table = self.compare_table
        table.blockSignals(True)
        table.clear()
        table.setRowCount(0)
        if attempt is None:
            self.attempts = []
            table.setColumnCount(0)
            self.compare_title.setText("Select an attempt to compare it with your other answers to the same card.")
            self.compare_current.set_transcript("")
            self.compare_other.set_transcript("")
            self.compare_current_title.setText("")
            self.compare_other_title.setText("")
            table.blockSignals(False)
            return
        newest = self.store.attempts(deck_id=attempt.deck_id, card_id=attempt.card_id, limit=MAX_COMPARE)
        attempts = list(reversed(newest))
        self.attempts = attempts
        points = [p.text for p in attempt.key_points]
        headers = ["When", "Score", "WPM", "Fillers", "Length", *[elide(p, 24) for p in points]]
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        for column, point in enumerate(points, 5):
            header_item = table.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(point)
        table.setRowCount(len(attempts))
        current_row = 0
        for row, other in enumerate(attempts):
            result = other.score_result()
            marks: dict[str, str] = {}
            if result is not None:
                for p in result.points:
                    marks[p.point.text.casefold()] = ("\u2713" if p.hit else "\u2717") + ("*" if p.corrected else "")
            cells = [
                local(other.started_at).strftime("%Y-%m-%d %H:%M"),
                score_text(other.score, other.self_grade),
                f"{other.wpm:.0f}" if other.wpm is not None else "\u2013",
                str(other.filler_count) if other.transcript is not None else "\u2013",
                length(other.duration),
                *[marks.get(p.casefold(), "\u2013") for p in points],
            ]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column >= 1:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if other.id == attempt.id:
                    font = QFont(cell.font())
                    font.setBold(True)
                    cell.setFont(font)
                table.setItem(row, column, cell)
            if other.id == attempt.id:
                current_row = row
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(False)

        scores = [a.score for a in attempts if a.score is not None]
        summary = f"{len(attempts)} attempt{'s' if len(attempts) != 1 else ''} of this card"
        if scores:
            summary += f": best {max(scores):.0f}%, latest {scores[-1]:.0f}%"
            if len(scores) >= 2:
                summary += f", first {scores[0]:.0f}%"
        self.compare_title.setText(f"<b>{escape(attempt.question)}</b><br>{summary}. \u2713* marks a correction.")
        self._set_pane(self.compare_current, self.compare_current_title, attempt, "This attempt")
        # The other pane starts on the attempt before this one (or after it, for the first).
        other_row = current_row - 1 if current_row > 0 else (1 if len(attempts) > 1 else -1)
        table.blockSignals(False)
        if other_row >= 0:
            table.setCurrentCell(other_row, 0)
        else:
            self._row_chosen(-1)

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(self.attempts):
            self._set_pane(self.compare_other, self.compare_other_title, self.attempts[row], "Compared with")
        else:
            self.compare_other.set_transcript("")
            self.compare_other_title.setText("No other attempt of this card yet.")

    def _row_opened(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.attempts):
            self.attempt_opened.emit(self.attempts[row].id, self.attempts[row].deck_id)

    def _set_pane(self, view: TranscriptView, title: QLabel, attempt: Attempt, caption: str) -> None:
        title.setText(
            f"<b>{caption}</b>: {local(attempt.started_at).strftime('%Y-%m-%d %H:%M')}, "
            f"{score_text(attempt.score, attempt.self_grade)}"
        )
        view.show_attempt(attempt, no_transcript(attempt))
