"""The review's list: sessions and their attempts, newest first, by question, with the filters above it (deck,
card, practice mode, words said, dates)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer.deck import Deck
from trainer.storage import Attempt, AttemptSummary, Store
from trainer.ui.review.format import (
    MODE_TEXT,
    children,
    day_time,
    elide,
    escape,
    is_incomplete,
    local,
    py_date,
    score_text,
    status_text,
)

#: The list shows at most this many attempts (newest first); filters reach older ones.
MAX_ATTEMPTS = 2000
#: Typing in the search box refreshes the list after this pause (ms), not on every key.
SEARCH_DELAY_MS = 300

KIND = Qt.ItemDataRole.UserRole
ID = Qt.ItemDataRole.UserRole + 1
CARD = Qt.ItemDataRole.UserRole + 2

QUESTION_COLUMN = 2
STATUS_COLUMN = 4


class AttemptList(QWidget):
    """Filters and the session/attempt tree. Reads the store; never changes it."""

    #: The selected row changed: ("session" | "attempt", id), or None when nothing is selected.
    selection_changed = Signal(object)
    #: Del pressed on an attempt row.
    delete_requested = Signal()
    #: The user changed a filter: the owner refreshes (keeping its selection when it can).
    filters_changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.decks: dict[str, Deck] = {}
        self.empty_text = ""
        self._collapsed: set[int] = set()
        self._loading = False
        self._build()

    # -- construction

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        first = QHBoxLayout()
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search what you said or the question\u2026")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setToolTip("Attempts whose transcript or question has every word typed (word starts count)")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._filter_changed)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self._search_now)
        self.mode_filter = QComboBox(self)
        self.mode_filter.setObjectName("modeFilter")
        self.mode_filter.addItem("All modes", None)
        for mode, label in MODE_TEXT.items():
            self.mode_filter.addItem(label[0].upper() + label[1:], mode)
        self.mode_filter.currentIndexChanged.connect(self._filter_changed)
        first.addWidget(self.search_box, 1)
        first.addWidget(self.mode_filter)
        root.addLayout(first)

        second = QHBoxLayout()
        self.deck_filter = QComboBox(self)
        self.deck_filter.setObjectName("deckFilter")
        self.deck_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.card_filter = QComboBox(self)
        self.card_filter.setObjectName("cardFilter")
        self.card_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.card_filter.setMinimumContentsLength(16)
        self.card_filter.setMaximumWidth(420)
        today = QDate.currentDate()
        self.since_check = QCheckBox("From", self)
        self.since_check.setObjectName("sinceCheck")
        self.since_date = self._date_edit("sinceDate", today.addDays(-30))
        self.until_check = QCheckBox("to", self)
        self.until_check.setObjectName("untilCheck")
        self.until_date = self._date_edit("untilDate", today)
        self.limit_note = QLabel(self)
        self.limit_note.setObjectName("limitNote")
        self.limit_note.setStyleSheet("color: #6b737b;")
        widgets: tuple[QWidget, ...] = (
            QLabel("Deck", self),
            self.deck_filter,
            QLabel("Question", self),
            self.card_filter,
        )
        for widget in widgets:
            second.addWidget(widget)
        second.addStretch(1)
        root.addLayout(second)
        third = QHBoxLayout()  # a row of its own: the list pane stays narrow enough for a small window
        for widget in (self.since_check, self.since_date, self.until_check, self.until_date):
            third.addWidget(widget)
        third.addStretch(1)
        root.addLayout(third)
        self.limit_note.setWordWrap(True)
        root.addWidget(self.limit_note)

        self.deck_filter.currentIndexChanged.connect(self._deck_chosen)
        self.card_filter.currentIndexChanged.connect(self._filter_changed)
        for check, edit in ((self.since_check, self.since_date), (self.until_check, self.until_date)):
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._filter_changed)
            edit.dateChanged.connect(self._filter_changed)

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("attemptTree")
        self.tree.setHeaderLabels(["When", "Deck", "Question", "Score", "Status"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setMinimumWidth(300)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(QUESTION_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.tree.itemCollapsed.connect(lambda item: self._remember_expanded(item, False))
        self.tree.itemExpanded.connect(lambda item: self._remember_expanded(item, True))
        delete_action = QAction("Delete attempt", self.tree)
        delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_action.triggered.connect(self.delete_requested.emit)
        self.tree.addAction(delete_action)
        root.addWidget(self.tree, 1)

    def _date_edit(self, name: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value, self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        return edit

    # -- public API

    def set_decks(self, decks: Mapping[str, Deck]) -> None:
        self.decks = dict(decks)

    def fill(self) -> None:
        """Reload the filters' choices and the tree from the store (selection signals blocked)."""
        self._loading = True
        try:
            self._fill_deck_filter()
            self._fill_card_filter()
            self._fill_tree()
        finally:
            self._loading = False

    def set_filters(
        self,
        deck_id: str | None = None,
        card_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        mode: str | None = None,
        search: str = "",
    ) -> None:
        """Set every filter at once (None: any), without refreshing (the caller does, once)."""
        self._loading = True
        try:
            self.deck_filter.setCurrentIndex(max(0, self.deck_filter.findData(deck_id)))
            self._fill_card_filter()
            self.card_filter.setCurrentIndex(max(0, self.card_filter.findData(card_id)))
            self.mode_filter.setCurrentIndex(max(0, self.mode_filter.findData(mode)))
            self.search_box.setText(search)
            self._search_timer.stop()
            for check, edit, value in (
                (self.since_check, self.since_date, since),
                (self.until_check, self.until_date, until),
            ):
                check.setChecked(value is not None)
                if value is not None:
                    edit.setDate(QDate(value.year, value.month, value.day))
        finally:
            self._loading = False

    def filters(self) -> dict[str, Any]:
        """The filters as `Store.attempt_summaries` takes them (dates as local-midnight bounds, `until`
        inclusive; `search` None when the box is empty)."""
        since = until = None
        if self.since_check.isChecked():
            since = datetime.combine(py_date(self.since_date.date()), time.min)
        if self.until_check.isChecked():
            until = datetime.combine(py_date(self.until_date.date().addDays(1)), time.min)
        return {
            "deck_id": self.deck_filter.currentData(),
            "card_id": self.card_filter.currentData() if self.deck_filter.currentData() else None,
            "since": since,
            "until": until,
            "mode": self.mode_filter.currentData(),
            "search": self.search_box.text().strip() or None,
        }

    def attempt_rows(self) -> list[tuple[int, str, str]]:
        """(attempt id, card id, status) of every attempt listed, top to bottom (for tests and scripts)."""
        return [
            (int(item.data(0, ID)), str(item.data(0, CARD)), item.text(STATUS_COLUMN))
            for top in self.session_items()
            for item in children(top)
        ]

    def selected(self) -> tuple[str, int] | None:
        item = self.tree.currentItem()
        if item is None or item.data(0, KIND) is None:
            return None
        return str(item.data(0, KIND)), int(item.data(0, ID))

    def session_items(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def find_item(self, kind: str, item_id: int) -> QTreeWidgetItem | None:
        for top in self.session_items():
            if kind == "session" and top.data(0, ID) == item_id:
                return top
            if kind == "attempt":
                for child in children(top):
                    if child.data(0, ID) == item_id:
                        return child
        return None

    def select(self, kind: str, item_id: int) -> bool:
        """Select a row; emits `selection_changed` even when it was already selected (its data may be new)."""
        item = self.find_item(kind, item_id)
        if item is None:
            return False
        parent = item.parent()
        if parent is not None:
            parent.setExpanded(True)
        if self.tree.currentItem() is item:
            self.selection_changed.emit((kind, item_id))
        else:
            self.tree.setCurrentItem(item)
        self.tree.scrollToItem(item)
        return True

    def update_attempt(self, attempt: Attempt) -> None:
        """Show an attempt's new score or status in its row."""
        item = self.find_item("attempt", attempt.id)
        if item is not None:
            self._fill_attempt_item(item, attempt)

    def neighbour(self, attempt_id: int) -> tuple[str, int] | None:
        """The row to select once this attempt is gone: the next one, else the previous, else its session."""
        item = self.find_item("attempt", attempt_id)
        parent = item.parent() if item is not None else None
        if item is None or parent is None:
            return None
        siblings = children(parent)
        index = siblings.index(item)
        for other in (index + 1, index - 1):
            if 0 <= other < len(siblings):
                return "attempt", int(siblings[other].data(0, ID))
        return "session", int(parent.data(0, ID))

    # -- filters

    def _fill_deck_filter(self) -> None:
        current = self.deck_filter.currentData()
        titles = {**self.store.deck_titles(), **{d.id: d.title for d in self.decks.values()}}
        self.deck_filter.blockSignals(True)
        self.deck_filter.clear()
        self.deck_filter.addItem("All decks", None)
        for deck_id, title in sorted(titles.items(), key=lambda kv: kv[1].casefold()):
            self.deck_filter.addItem(title, deck_id)
        self.deck_filter.setCurrentIndex(max(0, self.deck_filter.findData(current)))
        self.deck_filter.blockSignals(False)

    def _fill_card_filter(self) -> None:
        current = self.card_filter.currentData()
        deck_id = self.deck_filter.currentData()
        self.card_filter.blockSignals(True)
        self.card_filter.clear()
        self.card_filter.addItem("All questions", None)
        if deck_id is not None:
            seen: set[str] = set()
            deck = self.decks.get(deck_id)
            for card in deck.cards if deck is not None else ():
                self.card_filter.addItem(elide(card.question, 70), card.id)
                self.card_filter.setItemData(
                    self.card_filter.count() - 1, f"{card.question}\n(card {card.id})", Qt.ItemDataRole.ToolTipRole
                )
                seen.add(card.id)
            for card_id in self.store.card_ids(deck_id):
                if card_id not in seen:
                    self.card_filter.addItem(f"{card_id} (no longer in the deck)", card_id)
        self.card_filter.setEnabled(deck_id is not None)
        self.card_filter.setCurrentIndex(max(0, self.card_filter.findData(current)))
        self.card_filter.blockSignals(False)

    def _deck_chosen(self) -> None:
        if self._loading:
            return
        self._fill_card_filter()
        self._filter_changed()

    def _search_now(self) -> None:
        self._search_timer.stop()
        self._filter_changed()

    def _filter_changed(self, *_: object) -> None:
        if not self._loading:
            self.filters_changed.emit()

    # -- the tree

    def _fill_tree(self) -> None:
        filters = self.filters()
        summaries = self.store.attempt_summaries(**filters, limit=MAX_ATTEMPTS)
        self.limit_note.setText(
            f"Showing the newest {MAX_ATTEMPTS} attempts; narrow the filters to see older ones."
            if len(summaries) >= MAX_ATTEMPTS
            else ""
        )
        by_session: dict[int, list[AttemptSummary]] = {}
        for summary in summaries:
            by_session.setdefault(summary.session_id, []).append(summary)
        self.tree.blockSignals(True)
        self.tree.clear()
        sessions = {s.id: s for s in self.store.sessions(ids=by_session)}
        for session_id, attempts in by_session.items():
            session = sessions[session_id]
            top = QTreeWidgetItem(self.tree)
            top.setData(0, KIND, "session")
            top.setData(0, ID, session.id)
            top.setText(0, day_time(session.started_at))
            top.setText(1, session.deck_title)
            shown = len(attempts)
            top.setText(QUESTION_COLUMN, f"{shown} attempt{'s' if shown != 1 else ''}")
            scores = [a.score for a in attempts if a.score is not None]
            top.setText(3, f"{sum(scores) / len(scores):.0f}%" if scores else "\u2013")
            top.setText(STATUS_COLUMN, MODE_TEXT.get(session.mode, session.mode))
            font = QFont(top.font(0))
            font.setBold(True)
            for column in range(5):
                top.setFont(column, font)
            for summary in attempts:
                self._fill_attempt_item(QTreeWidgetItem(top), summary)
            top.setExpanded(session.id not in self._collapsed)
        self.tree.blockSignals(False)
        if summaries:
            self.empty_text = ""
        elif filters["search"]:
            self.empty_text = f"No attempt mentions \u201c{escape(filters['search'])}\u201d with these filters."
        elif any(v is not None for v in filters.values()):
            self.empty_text = "No attempts match these filters."
        else:
            self.empty_text = "No attempts yet. Practise a deck and every answer you give appears here."

    def _fill_attempt_item(self, item: QTreeWidgetItem, a: AttemptSummary | Attempt) -> None:
        recording = self.store.is_recording(a.id)
        item.setData(0, KIND, "attempt")
        item.setData(0, ID, a.id)
        item.setData(0, CARD, a.card_id)
        item.setText(0, local(a.started_at).strftime("%H:%M:%S"))
        deck = self.decks.get(a.deck_id)
        item.setText(1, deck.title if deck is not None else a.deck_id)
        item.setText(QUESTION_COLUMN, elide(a.question, 90))
        item.setToolTip(QUESTION_COLUMN, f"{a.question}\n(card {a.card_id})")
        item.setText(3, score_text(a.score, a.self_grade))
        item.setText(STATUS_COLUMN, status_text(a, recording))
        if is_incomplete(a, recording):
            item.setToolTip(
                STATUS_COLUMN, "Still in progress: it can be played, deleted or transcribed again once done"
            )
            for column in range(5):
                item.setForeground(column, Qt.GlobalColor.darkGray)
        elif a.error:
            item.setToolTip(STATUS_COLUMN, a.error)
        item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def _remember_expanded(self, item: QTreeWidgetItem, expanded: bool) -> None:
        if item.data(0, KIND) == "session":
            session_id = int(item.data(0, ID))
            if expanded:
                self._collapsed.discard(session_id)
            else:
                self._collapsed.add(session_id)

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if self._loading:
            return
        if current is None or current.data(0, KIND) is None:
            self.selection_changed.emit(None)
        else:
            self.selection_changed.emit((str(current.data(0, KIND)), int(current.data(0, ID))))
