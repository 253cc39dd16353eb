"""The Progress tab: charts over time (score, key points made, words per minute, fillers) for a deck or one card,
the weakest cards, the most-missed key points, a calendar of practice days, and what spaced repetition has due.

The figures come from `trainer.progress` (the same as `trainer stats`), computed in a background job. The charts
are pyqtgraph, imported the first time the tab is shown, so the window itself opens without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer.deck import Deck
from trainer.progress import AttemptPoint, Progress, calendar_weeks, progress
from trainer.storage import Store
from trainer.ui.workers import Job, JobRunner

#: Weeks shown in the practice calendar.
CALENDAR_WEEKS = 12
#: Rows in the weakest-cards and most-missed tables.
TOP = 8

#: (title, unit, value of a point) for each chart, top to bottom.
CHARTS: tuple[tuple[str, str, Any], ...] = (
    ("Score", "%", lambda p: p.score),
    ("Key points made", "%", lambda p: None if not p.points_total else 100.0 * (p.points_made or 0) / p.points_total),
    ("Words per minute", "wpm", lambda p: p.wpm),
    ("Fillers per answer", "", lambda p: None if p.fillers is None else float(p.fillers)),
)


def progress_work(store: Store, deck: Deck | None, deck_id: str | None, mode: str | None) -> Any:
    """Compute the figures (and, for a deck on disk, today's due/new counts) off the GUI thread."""

    def work(job: Job) -> Any:
        figures = progress(store, deck_id, mode=mode)
        summary = None
        if deck is not None:
            from trainer.srs import deck_summary

            summary = deck_summary(store, deck)
        return figures, summary

    return work


class ProgressView(QWidget):
    """Charts and tables of the user's progress; `refresh()` recomputes them in the background."""

    #: The figures on screen were updated (for tests and the screenshot script).
    updated = Signal()

    def __init__(
        self,
        store: Store,
        decks: Mapping[str, Deck] | Iterable[Deck] | None = None,
        parent: QWidget | None = None,
        runner: JobRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("progressView")
        self.store = store
        self.runner = runner if runner is not None else JobRunner(self)
        self.decks: dict[str, Deck] = {}
        self.figures: Progress | None = None
        self.plots: list[Any] = []
        self.curves: list[Any] = []
        self._charts_built = False
        self._dirty = True
        self._job: Job | None = None
        self._token = 0  # only the latest computation's figures are shown
        self._wanted_card: str | None = None
        self._build()
        self.set_decks(decks or {})

    # -- construction

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)
        bar = QHBoxLayout()
        self.deck_combo = QComboBox(self)
        self.deck_combo.setObjectName("progressDeck")
        self.card_combo = QComboBox(self)
        self.card_combo.setObjectName("progressCard")
        self.card_combo.setMaximumWidth(460)
        self.card_combo.setMinimumContentsLength(40)
        self.card_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName("progressMode")
        for label, mode in (("All modes", None), ("Single spoken", "spoken"), ("Flashcards", "flashcard"),
                            ("Mock interview", "mock")):  # fmt: skip
            self.mode_combo.addItem(label, mode)
        for widget in (QLabel("Deck", self), self.deck_combo, QLabel("Card", self), self.card_combo, self.mode_combo):
            bar.addWidget(widget)
        bar.addStretch(1)
        root.addLayout(bar)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("progressSummary")
        self.summary_label.setWordWrap(True)
        root.addWidget(self.summary_label)
        self.deck_combo.currentIndexChanged.connect(self._deck_chosen)
        self.card_combo.currentIndexChanged.connect(lambda _i: self._show_charts())
        self.mode_combo.currentIndexChanged.connect(lambda _i: self.refresh())

        split = QSplitter(Qt.Orientation.Horizontal, self)
        root.addWidget(split, 1)
        self.chart_box = QWidget(split)
        self.chart_box.setObjectName("chartBox")
        self.chart_layout = QVBoxLayout(self.chart_box)
        self.chart_layout.setContentsMargins(0, 0, 0, 0)
        self.chart_note = QLabel("Loading charts\u2026", self.chart_box)
        self.chart_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart_layout.addWidget(self.chart_note)

        side = QWidget(split)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.weakest_table = _table(side, "weakestTable", ["Recent", "Question", "Tries", "First \u2192 last"])
        self.missed_table = _table(side, "missedTable", ["Missed", "Key point", "Question"])
        self.calendar = _table(side, "practiceCalendar", ["Week of", "M", "T", "W", "T", "F", "S", "S"])
        self.calendar.horizontalHeader().setStretchLastSection(False)
        self.calendar.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.calendar.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for table, wide in ((self.weakest_table, 1), (self.missed_table, 2)):
            header = table.horizontalHeader()
            header.setStretchLastSection(False)
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(wide, QHeaderView.ResizeMode.Stretch)
        grid = QGridLayout()
        for row, (title, table) in enumerate(
            (("Weakest cards", self.weakest_table), ("Most-missed key points", self.missed_table),
             ("Practice days", self.calendar))
        ):  # fmt: skip
            heading = QLabel(f"<b>{title}</b>", side)
            grid.addWidget(heading, 2 * row, 0)
            grid.addWidget(table, 2 * row + 1, 0)
        side_layout.addLayout(grid)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([700, 460])

    def _build_charts(self) -> None:
        """Import pyqtgraph and make the four charts (first time the tab is shown)."""
        import pyqtgraph as pg

        pg.setConfigOptions(antialias=True, background="w", foreground="#333")
        self.chart_note.hide()
        self.graphics = pg.GraphicsLayoutWidget(self.chart_box)
        self.graphics.setObjectName("progressCharts")
        self.chart_layout.addWidget(self.graphics, 1)
        first = None
        for row, (title, unit, _value) in enumerate(CHARTS):
            axis = pg.DateAxisItem(orientation="bottom")
            plot = self.graphics.addPlot(row=row, col=0, axisItems={"bottom": axis})
            plot.setTitle(title, size="10pt")
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setLabel("left", unit)
            plot.setMouseEnabled(x=True, y=False)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            curve = plot.plot([], [], pen=pg.mkPen("#2f6db5", width=2), symbol="o", symbolSize=6,
                              symbolBrush="#2f6db5", symbolPen=None)  # fmt: skip
            self.plots.append(plot)
            self.curves.append(curve)
        self._charts_built = True

    # -- public API

    def set_decks(self, decks: Mapping[str, Deck] | Iterable[Deck]) -> None:
        values = decks.values() if isinstance(decks, Mapping) else decks
        self.decks = {deck.id: deck for deck in values}
        current = self.deck_combo.currentData()
        titles = {**self.store.deck_titles(), **{d.id: d.title for d in self.decks.values()}}
        self.deck_combo.blockSignals(True)
        self.deck_combo.clear()
        self.deck_combo.addItem("All decks", None)
        for deck_id, title in sorted(titles.items(), key=lambda kv: kv[1].casefold()):
            self.deck_combo.addItem(title, deck_id)
        self.deck_combo.setCurrentIndex(max(0, self.deck_combo.findData(current)))
        self.deck_combo.blockSignals(False)
        self.refresh()

    def set_deck(self, deck_id: str | None, card_id: str | None = None) -> None:
        """Show one deck (None: all) and optionally one of its cards."""
        self.deck_combo.setCurrentIndex(max(0, self.deck_combo.findData(deck_id)))
        if card_id is not None:
            self._wanted_card = card_id
            self.card_combo.setCurrentIndex(max(0, self.card_combo.findData(card_id)))

    def refresh(self) -> None:
        """Recompute the figures (in the background) if the tab is visible; else when it is next shown."""
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        if self._job is not None:
            self._job.cancel()
        self._token += 1
        token = self._token
        deck_id = self.deck_combo.currentData()
        deck = self.decks.get(deck_id) if deck_id is not None else None
        self._job = self.runner.start(
            "progress",
            progress_work(self.store, deck, deck_id, self.mode_combo.currentData()),
            succeeded=lambda result: self._figures_ready(result) if token == self._token else None,
            failed=self._figures_failed,
        )

    def chart_data(self) -> list[tuple[list[float], list[float]]]:
        """(x = seconds since the epoch, y) of each chart, top to bottom (for tests)."""
        data: list[tuple[list[float], list[float]]] = []
        for curve in self.curves:
            xs, ys = curve.getData()
            data.append(([] if xs is None else [float(x) for x in xs], [] if ys is None else [float(y) for y in ys]))
        return data

    # -- filling

    def _figures_ready(self, result: Any) -> None:
        figures, summary = result
        self.figures = figures
        self._fill_cards()
        self._fill_summary(figures, summary)
        self._fill_tables(figures)
        self._show_charts()
        self.updated.emit()

    def _figures_failed(self, exc: BaseException) -> None:
        self.summary_label.setText(f"<span style='color:#a3302a'>Progress could not be computed: {exc}</span>")

    def _fill_cards(self) -> None:
        figures = self.figures
        current = self.card_combo.currentData()
        self.card_combo.blockSignals(True)
        self.card_combo.clear()
        self.card_combo.addItem("Whole deck" if self.deck_combo.currentData() else "All cards", None)
        if figures is not None and self.deck_combo.currentData() is not None:
            for card in sorted(figures.cards, key=lambda c: c.question.casefold()):
                self.card_combo.addItem(_elide(card.question, 70), card.card_id)
        wanted = self._wanted_card or current
        self.card_combo.setCurrentIndex(max(0, self.card_combo.findData(wanted)))
        self._wanted_card = None
        self.card_combo.setEnabled(self.card_combo.count() > 1)
        self.card_combo.blockSignals(False)

    def _fill_summary(self, figures: Progress, summary: Any) -> None:
        if figures.attempts_total == 0:
            self.summary_label.setText("No attempts yet: practise a deck and your progress shows here.")
            return
        parts = [f"<b>{figures.attempts_total}</b> attempts on <b>{len(figures.days)}</b> days"]
        if figures.mean_score is not None:
            parts.append(f"mean score <b>{figures.mean_score:.0f}%</b>")
        parts.append(f"streak <b>{figures.streak_days}</b> day{'s' if figures.streak_days != 1 else ''}")
        if summary is not None:
            parts.append(f"due today <b>{summary.due}</b>, new <b>{summary.new}</b>")
        self.summary_label.setText(" \u00b7 ".join(parts))

    def _fill_tables(self, figures: Progress) -> None:
        weakest = figures.weakest(TOP)
        self.weakest_table.setRowCount(len(weakest))
        for row, card in enumerate(weakest):
            cells = [f"{card.recent_mean:.0f}%", card.question, str(card.attempts),
                     f"{card.first_score:.0f}% \u2192 {card.last_score:.0f}%"]  # fmt: skip
            _fill_row(self.weakest_table, row, cells, tooltip=card.question)
        missed = figures.most_missed[:TOP]
        self.missed_table.setRowCount(len(missed))
        for row, m in enumerate(missed):
            _fill_row(self.missed_table, row, [f"{m.missed}/{m.scored}", m.point, m.question], tooltip=m.question)

        today = datetime.now().astimezone().date()
        weeks = calendar_weeks(figures.days, today, CALENDAR_WEEKS)
        self.calendar.setRowCount(len(weeks))
        for row, (monday, counts) in enumerate(weeks):
            self.calendar.setItem(row, 0, QTableWidgetItem(monday.strftime("%d %b")))
            for column, count in enumerate(counts, 1):
                day = monday + timedelta(days=column - 1)
                cell = QTableWidgetItem(str(count) if count else "")
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                cell.setBackground(QBrush(_heat(count, day > today)))
                cell.setToolTip(f"{day.isoformat()}: {count} attempt{'s' if count != 1 else ''}")
                self.calendar.setItem(row, column, cell)
        self.calendar.scrollToBottom()

    def _points(self) -> list[AttemptPoint]:
        figures = self.figures
        if figures is None:
            return []
        card_id = self.card_combo.currentData()
        if card_id is not None:
            card = figures.card(card_id, self.deck_combo.currentData())
            return list(card.history) if card is not None else []
        return list(figures.points)

    def _show_charts(self) -> None:
        if not self._charts_built:
            return
        points = self._points()
        for (title, _unit, value), curve, plot in zip(CHARTS, self.curves, self.plots, strict=True):
            xs: list[float] = []
            ys: list[float] = []
            for p in points:
                y = value(p)
                if y is not None:
                    xs.append(p.started_at.timestamp())
                    ys.append(float(y))
            curve.setData(xs, ys)
            plot.setTitle(f"{title} ({len(ys)})" if ys else f"{title}: no data yet", size="10pt")
            plot.enableAutoRange()

    # -- events

    def _deck_chosen(self) -> None:
        self._wanted_card = None
        self.card_combo.blockSignals(True)
        self.card_combo.clear()
        self.card_combo.blockSignals(False)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        """First shown: build the charts (imports pyqtgraph); figures are recomputed when out of date."""
        super().showEvent(event)
        if not self._charts_built:
            self._build_charts()
        if self._dirty:
            self.refresh()


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table


def _fill_row(table: QTableWidget, row: int, cells: list[str], tooltip: str = "") -> None:
    for column, text in enumerate(cells):
        item = QTableWidgetItem(text)
        if tooltip:
            item.setToolTip(tooltip)
        table.setItem(row, column, item)


def _heat(count: int, future: bool) -> QColor:
    if future:
        return QColor("#ffffff")
    if count == 0:
        return QColor("#eef0f2")
    shades = ("#c6e48b", "#7bc96f", "#239a3b", "#196127")
    return QColor(shades[min(len(shades) - 1, (count - 1) // 2)])


def _elide(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"
