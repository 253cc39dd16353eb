"""Mock interview options on the practice setup page: how many questions or minutes, and the mix of levels.

The interview itself runs through the same practice flow as single cards (`trainer.round`, mode "mock").
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QSpinBox, QWidget

from trainer.deck import LEVELS, Card
from trainer.mock import MockConfig


class MockSetup(QWidget):
    """Length (questions, optional minutes) and level mix of a mock interview."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mock-setup")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.questions_spin = QSpinBox(self)
        self.questions_spin.setObjectName("mock-questions")
        self.questions_spin.setRange(1, 30)
        self.questions_spin.setValue(5)
        form.addRow("&Questions:", self.questions_spin)
        self.minutes_spin = QDoubleSpinBox(self)
        self.minutes_spin.setObjectName("mock-minutes")
        self.minutes_spin.setRange(0, 120)
        self.minutes_spin.setDecimals(0)
        self.minutes_spin.setSpecialValueText("no limit")
        self.minutes_spin.setSuffix(" min")
        form.addRow("&Time budget:", self.minutes_spin)
        row = QHBoxLayout()
        self.level_spins: dict[str, QSpinBox] = {}
        for level in LEVELS:
            spin = QSpinBox(self)
            spin.setObjectName(f"mock-level-{level}")
            spin.setRange(0, 30)
            spin.setToolTip(f"Relative share of {level} questions; all at 0: any level")
            row.addWidget(QLabel(level.capitalize(), self))
            row.addWidget(spin)
            self.level_spins[level] = spin
        row.addStretch(1)
        form.addRow("Level mix:", row)
        hint = QLabel(
            "Questions are read one after another, timed, with no model answer in between. After an answer that "
            "missed its most important point, the interviewer may ask one follow-up. A report comes at the end.",
            self,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #56606a;")
        form.addRow(hint)

    def config(self, deck_ids: Sequence[str]) -> MockConfig:
        """The interview chosen for these decks (`trainer.mock.plan_interview` plans it)."""
        levels = {level: spin.value() for level, spin in self.level_spins.items() if spin.value()}
        minutes = self.minutes_spin.value() or None
        return MockConfig(tuple(deck_ids), questions=self.questions_spin.value(), minutes=minutes,
                          levels=levels or None)  # fmt: skip


def level_counts(cards: Sequence[Card]) -> dict[str, int]:
    """How many cards of each level a deck has (shown beside the level mix)."""
    return {level: sum(1 for card in cards if card.level == level) for level in LEVELS}
