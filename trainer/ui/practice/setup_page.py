"""The deck choice: deck, order and mode (spoken, flashcards, mock interview), and the decks that are broken."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer.deck import Deck, DeckSource, Severity
from trainer.storage import ORDERS
from trainer.ui.mock import MockSetup
from trainer.ui.practice.config import MODE_LABELS, ORDER_LABELS, RECORDING_MODES, select_data
from trainer.ui.widgets import big_label

if TYPE_CHECKING:
    from trainer.srs import DeckSummary


class SetupPage(QWidget):
    """Pick a deck, an order and a mode; Start (or Enter) begins."""

    #: The user chose a deck, order or mode (not a choice forced by a missing microphone).
    choices_changed = Signal()
    start_requested = Signal()
    #: The deck shown changed (its id): the view fetches what is due in it, off the GUI thread.
    deck_shown = Signal(str)

    def __init__(self, order: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setup-page")
        self.sources: list[DeckSource] = []
        self.microphone_ok: bool | None = None  # None: not probed yet
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        outer.addWidget(big_label("Practice", 18))
        intro = QLabel(
            "Pick a deck and an order. Each question is shown and read aloud; answer out loud as you would in the "
            "interview. Press <b>Space</b> to record and to stop, <b>Enter</b> to reveal the model answer, "
            "<b>?</b> for every shortcut."
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.deck_combo = QComboBox(self)
        self.deck_combo.setObjectName("deck-combo")
        self.deck_combo.currentIndexChanged.connect(self._deck_choice_changed)
        form.addRow("&Deck:", self.deck_combo)
        self.deck_info = QLabel(self)
        self.deck_info.setWordWrap(True)
        self.deck_info.setStyleSheet("color: #56606a;")
        form.addRow("", self.deck_info)
        self.schedule_info = QLabel(self)
        self.schedule_info.setObjectName("schedule-info")
        form.addRow("Today:", self.schedule_info)
        self.order_combo = QComboBox(self)
        self.order_combo.setObjectName("order-combo")
        for name in ORDERS:
            self.order_combo.addItem(ORDER_LABELS.get(name, name), name)
        select_data(self.order_combo, order)
        form.addRow("&Order:", self.order_combo)
        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName("mode-combo")
        for mode, label in MODE_LABELS.items():
            self.mode_combo.addItem(label, mode)
        self.mode_combo.currentIndexChanged.connect(self._mode_changed)
        form.addRow("&Mode:", self.mode_combo)
        # `activated` is the user's choice only: a mode forced by a missing microphone is not remembered.
        for combo in (self.deck_combo, self.order_combo, self.mode_combo):
            combo.activated.connect(self.choices_changed)
        outer.addLayout(form)
        self.mock_setup = MockSetup(self)
        self.mock_setup.hide()
        outer.addWidget(self.mock_setup)
        self.mode_note = QLabel(self)
        self.mode_note.setWordWrap(True)
        self.mode_note.setStyleSheet("color: #a3302a;")
        self.mode_note.hide()
        outer.addWidget(self.mode_note)

        row = QHBoxLayout()
        self.start_button = QPushButton("&Start practice  [Enter]", self)
        self.start_button.setObjectName("start-button")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start_requested)
        row.addWidget(self.start_button)
        row.addStretch(1)
        outer.addLayout(row)

        self.problems_box = QGroupBox("Decks that could not be loaded", self)
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
            select_data(self.deck_combo, current)
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

    def set_schedule(self, deck_id: str, summary: DeckSummary) -> None:
        """What spaced repetition says about the deck today; ignored if another deck is chosen meanwhile."""
        if self.deck_combo.currentData() != deck_id:
            return
        streak = summary.streak_days
        self.schedule_info.setText(
            f"<b>{summary.due}</b> due, <b>{summary.new}</b> new"
            + (f" · practised {streak} day{'s' if streak != 1 else ''} in a row" if streak else "")
            + (
                "  (order: Due first practises them first)"
                if summary.due and self.order_combo.currentData() != "due"
                else ""
            )
        )

    def broken_deck_lines(self) -> list[str]:
        return [self.problems_list.item(i).text() for i in range(self.problems_list.count())]

    def _deck_choice_changed(self) -> None:
        deck = self.chosen_deck()
        self.schedule_info.setText("")
        if deck is None:
            self.deck_info.setText("")
            return
        self.deck_shown.emit(deck.id)
        text = deck.description or ""
        warnings = [p for s in self.sources if s.deck is deck for p in s.problems if p.severity is Severity.WARNING]
        if warnings:
            text += f" ({len(warnings)} warning(s): `trainer check` lists them)"
        self.deck_info.setText(text)

    def _mode_changed(self) -> None:
        mock = self.mode_combo.currentData() == "mock"
        self.mock_setup.setVisible(mock)
        self.order_combo.setEnabled(not mock)  # a mock interview plans its own questions

    def chosen_deck(self) -> Deck | None:
        deck_id = self.deck_combo.currentData()
        return next((s.deck for s in self.sources if s.deck is not None and s.deck.id == deck_id), None)

    def set_microphone(self, ok: bool, problem: str = "") -> None:
        """Without a microphone only flashcards can be practised; say so beside the mode choice."""
        self.microphone_ok = ok
        for mode in RECORDING_MODES:
            item = self.mode_combo.model().item(self.mode_combo.findData(mode))  # type: ignore[attr-defined]
            if item is not None:
                item.setEnabled(ok)
        if not ok:
            select_data(self.mode_combo, "flashcard")
            self.mode_note.setText(f"No microphone: flashcard practice only. {problem}".strip())
            self.mode_note.show()
        else:
            self.mode_note.hide()

    def choices(self) -> tuple[str | None, str, str]:
        """(deck id, order, mode) as chosen."""
        deck_id = self.deck_combo.currentData()
        return (str(deck_id) if deck_id is not None else None, str(self.order_combo.currentData()),
                str(self.mode_combo.currentData()))  # fmt: skip

    def restore_choices(self, deck_id: str = "", mode: str = "") -> None:
        """Choose a remembered deck and mode again; one that no longer exists leaves the current choice."""
        if deck_id and select_data(self.deck_combo, deck_id):
            self._deck_choice_changed()
        if mode and self.microphone_ok is not False:
            select_data(self.mode_combo, mode)

    def show_choices(self, deck: Deck, order: str, mode: str) -> None:
        """Show what a session uses, so "Change deck" comes back to the same choice."""
        select_data(self.deck_combo, deck.id)
        select_data(self.order_combo, order)
        select_data(self.mode_combo, mode)
