"""Every keyboard shortcut, declared once.

The practice flow is keyboard-first, so the keys are product surface: the QActions that make them work and the
help dialog that lists them are both generated from `SHORTCUTS`, and cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer.storage import SELF_GRADES


class Action(Enum):
    """Something the user can do from the keyboard."""

    RECORD = "record"
    REVEAL = "reveal"
    RETRY = "retry"
    NEXT = "next"
    GRADE_1 = "grade-1"
    GRADE_2 = "grade-2"
    GRADE_3 = "grade-3"
    GRADE_4 = "grade-4"
    CANCEL = "cancel"
    READ_ALOUD = "read-aloud"
    PRACTICE = "practice"
    REVIEW = "review"
    SETTINGS = "settings"
    HELP = "help"
    QUIT = "quit"


@dataclass(frozen=True)
class Shortcut:
    """One action: its keys (QKeySequence strings, the first is shown), menu label and what it does."""

    action: Action
    keys: tuple[str, ...]
    label: str
    description: str
    group: str

    @property
    def key_text(self) -> str:
        """The keys as the user reads them, e.g. "Enter" rather than "Return"."""
        shown = []
        for key in self.keys:
            text = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
            text = {"Return": "Enter", "Esc": "Escape"}.get(text, text)
            if text not in shown:
                shown.append(text)
        return " / ".join(shown)


#: Self-grades for flashcards, 1 (worst) to 4 (best), as storage declares them; keys and buttons derive from them.
GRADES: tuple[tuple[int, str], ...] = tuple((grade, name.capitalize()) for grade, name in SELF_GRADES.items())

SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut(Action.RECORD, ("Space",), "&Record / stop", "Start recording your answer, or stop it early.", "Practice"),
    Shortcut(Action.REVEAL, ("Return", "Enter"), "Re&veal answer", "Show the model answer beside yours.", "Practice"),
    Shortcut(Action.RETRY, ("R",), "&Retry card", "Answer the same card again; both attempts are kept.", "Practice"),
    Shortcut(Action.NEXT, ("N",), "&Next card", "Go on to the next card.", "Practice"),
    *(
        Shortcut(
            Action[f"GRADE_{grade}"],
            (str(grade),),
            f"Grade {grade}: {label}",
            f"Flashcards: grade your unrecorded answer \u201c{label.lower()}\u201d.",
            "Flashcards",
        )
        for grade, label in GRADES
    ),
    Shortcut(
        Action.CANCEL, ("Escape",), "&Cancel", "Skip the reading or think time; cancel a transcription.", "Practice"
    ),
    Shortcut(Action.READ_ALOUD, ("Q",), "Read &question aloud", "Read the question aloud again.", "Practice"),
    Shortcut(Action.PRACTICE, ("Ctrl+1",), "&Practice", "Show the practice view.", "Window"),
    Shortcut(Action.REVIEW, ("Ctrl+2",), "Re&view", "Show past attempts.", "Window"),
    Shortcut(Action.SETTINGS, ("Ctrl+,",), "&Settings\u2026", "Microphone, voice, speech model and timing.", "Window"),
    Shortcut(Action.HELP, ("?", "F1"), "&Keyboard shortcuts", "Show this list.", "Window"),
    Shortcut(Action.QUIT, ("Ctrl+Q",), "&Quit", "Close the app.", "Window"),
)

_BY_ACTION = {s.action: s for s in SHORTCUTS}


def shortcut_for(action: Action) -> Shortcut:
    """The declaration of one action."""
    return _BY_ACTION[action]


def button_text(action: Action, label: str | None = None) -> str:
    """A button's caption with its key, e.g. "Reveal answer  [Enter]", so the keys are learnt by using it."""
    spec = shortcut_for(action)
    text = (label or spec.label).replace("&", "").rstrip("\u2026")
    return f"{text}  [{spec.key_text.split(' / ')[0]}]"


def create_actions(
    parent: QWidget, handlers: Mapping[Action, Callable[[], object]], groups: Iterable[str] | None = None
) -> dict[Action, QAction]:
    """One QAction per declared shortcut (of these groups), added to `parent`: its keys work while `parent` is
    visible in the active window, so the practice keys sleep while the review is shown.

    Actions without a handler are created disabled, so the menus still show every key.
    """
    wanted = None if groups is None else set(groups)
    actions: dict[Action, QAction] = {}
    for spec in SHORTCUTS:
        if wanted is not None and spec.group not in wanted:
            continue
        action = QAction(spec.label, parent)
        action.setObjectName(f"action-{spec.action.value}")
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setIconText(button_text(spec.action))
        action.setToolTip(f"{spec.description} ({spec.key_text})")
        action.setStatusTip(spec.description)
        handler = handlers.get(spec.action)
        if handler is None:
            action.setEnabled(False)
        else:
            action.triggered.connect(lambda _checked=False, h=handler: h())
        parent.addAction(action)
        actions[spec.action] = action
    return actions


class ShortcutsDialog(QDialog):
    """The `?` help: every shortcut, read from the same table the actions come from."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("shortcuts-dialog")
        layout = QVBoxLayout(self)
        intro = QLabel("Practice runs from the keyboard; these keys work anywhere in the main window.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(SHORTCUTS), 3, self)
        self.table.setHorizontalHeaderLabels(["Key", "Action", "What it does"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for row, spec in enumerate(SHORTCUTS):
            key = QTableWidgetItem(spec.key_text)
            font = key.font()
            font.setBold(True)
            key.setFont(font)
            self.table.setItem(row, 0, key)
            self.table.setItem(row, 1, QTableWidgetItem(spec.label.replace("&", "").rstrip("\u2026")))
            self.table.setItem(row, 2, QTableWidgetItem(spec.description))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 460)

    def rows(self) -> list[tuple[str, str, str]]:
        """The table as text (key, action, description): what the user sees."""
        rows = []
        for r in range(self.table.rowCount()):
            key, label, description = (self.table.item(r, c) for c in range(3))
            assert key is not None and label is not None and description is not None
            rows.append((key.text(), label.text(), description.text()))
        return rows
