"""The shortcut table is the single source of truth: actions, menus and the help dialog all come from it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.gui.helpers import press
from trainer.ui.main_window import MainWindow
from trainer.ui.practice import Phase
from trainer.ui.shortcuts import SHORTCUTS, Action, ShortcutsDialog, shortcut_for

pytestmark = pytest.mark.gui


def all_actions(window: MainWindow) -> dict[Action, object]:
    return {**window.practice.key_actions, **window.window_actions}


def test_every_declared_shortcut_is_a_working_action(make_window: Callable[..., MainWindow]) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    actions = all_actions(window)
    assert set(actions) == {s.action for s in SHORTCUTS} == set(Action)
    for spec in SHORTCUTS:
        action = window.practice.key_actions.get(spec.action) or window.window_actions[spec.action]
        assert [k.toString() for k in action.shortcuts()] == [QKeySequence(k).toString() for k in spec.keys]
        assert spec.key_text.split(" / ")[0] in action.iconText()
        assert spec.description in action.toolTip()


def test_help_dialog_lists_the_same_table(qtbot: QtBot) -> None:
    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    rows = dialog.rows()
    assert len(rows) == len(SHORTCUTS)
    for (key, label, description), spec in zip(rows, SHORTCUTS, strict=True):
        assert key == spec.key_text
        assert label == spec.label.replace("&", "").rstrip("\u2026")
        assert description == spec.description
    keys = [row[0] for row in rows]
    assert "Space" in keys and "Enter" in keys[1] and "R" in keys and "N" in keys
    assert "? / F1" in keys


def test_question_mark_opens_the_help(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    seen: list[list[tuple[str, str, str]]] = []

    def close_help() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ShortcutsDialog)
        seen.append(dialog.rows())
        dialog.accept()

    # The offscreen platform has no keyboard map, so "?" is sent as the character (no Shift).
    QTimer.singleShot(200, close_help)
    qtbot.keyClick(window, "?")
    window.activateWindow()  # offscreen does not give the focus back to the window by itself
    qtbot.waitUntil(window.isActiveWindow)
    QTimer.singleShot(200, close_help)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert len(seen) == 2 and len(seen[0]) == len(SHORTCUTS)


def test_window_keys_switch_views(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    practice = window.practice
    practice.start_session(mode="flashcard")
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.review
    # The practice keys sleep while the review is shown: Enter does not reveal the hidden card.
    assert not any(action.isEnabled() for action in practice.key_actions.values())
    press(qtbot, window, Qt.Key.Key_Return)
    assert practice.phase is Phase.FLASH_ANSWER
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is practice
    press(qtbot, window, Qt.Key.Key_Return)
    assert practice.phase is Phase.FLASH_REVEALED


def test_menus_show_the_declared_keys(make_window: Callable[..., MainWindow]) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    menu_actions = [a for menu in window.menuBar().actions() if menu.menu() for a in menu.menu().actions()]
    shown = {a.text() for a in menu_actions}
    for action in (Action.RECORD, Action.REVEAL, Action.RETRY, Action.NEXT, Action.SETTINGS, Action.HELP):
        qaction = all_actions(window)[action]
        assert qaction in menu_actions, shortcut_for(action).label
    assert shown
