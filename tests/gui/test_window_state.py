"""What the window remembers between runs: geometry, tab, deck, order (the `practice.order` setting) and mode."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import DATA
from trainer.settings import Key, Settings
from trainer.storage import Store
from trainer.ui.main_window import MainWindow
from trainer.ui.state import STATE_FILE, WindowState

pytestmark = pytest.mark.gui


@pytest.fixture
def two_decks(deck_dir: Path) -> Path:
    """The FastAPI deck (listed first) and Python basics, so the remembered deck is not just the first."""
    shutil.copy(DATA / "example-deck.toml", deck_dir / "python-basics.toml")
    return deck_dir


def restart(make_window: Callable[..., MainWindow], **options: object) -> MainWindow:
    """A new window on the same config folder, with the settings read again from disk as a new run would."""
    return make_window(settings=Settings.load(), load_model=False, probe_microphone=False, **options)


def test_a_restarted_window_restores_deck_order_mode_tab_and_size(
    qtbot: QtBot, make_window: Callable[..., MainWindow], two_decks: Path, settings: Settings
) -> None:
    first = make_window(load_model=False, probe_microphone=False)
    practice = first.practice
    assert practice.choices() == ("fastapi", "in-order", "spoken")
    # Chosen as a user does, with the keyboard on the deck page, then Start.
    practice.deck_combo.setFocus()
    qtbot.keyClick(practice.deck_combo, Qt.Key.Key_Down)
    practice.order_combo.setFocus()
    qtbot.keyClick(practice.order_combo, Qt.Key.Key_End)  # the last order: "due first"
    practice.mode_combo.setFocus()
    qtbot.keyClick(practice.mode_combo, Qt.Key.Key_Down)
    assert practice.choices() == ("python-basics", "due", "flashcard")
    qtbot.mouseClick(practice.start_button, Qt.MouseButton.LeftButton)
    assert practice.deck is not None and practice.deck.id == "python-basics" and practice.mode == "flashcard"
    first.tabs.setCurrentWidget(first.review)
    first.resize(780, 640)
    qtbot.waitUntil(lambda: (first.width(), first.height()) == (780, 640))
    first.close()

    saved = json.loads((settings.path.parent / STATE_FILE).read_text(encoding="utf-8"))
    assert {k: saved[k] for k in ("deck", "mode", "tab")} == {
        "deck": "python-basics",
        "mode": "flashcard",
        "tab": "review",
    }
    # The order is the setting (one source of truth, also shown in the settings dialog).
    assert Settings.load().get(Key.ORDER) == "due"
    assert "practice.order" in json.loads(settings.path.read_text(encoding="utf-8"))

    second = restart(make_window)
    assert second.practice.choices() == ("python-basics", "due", "flashcard")
    assert second.tabs.currentWidget() is second.review
    assert (second.width(), second.height()) == (780, 640)


def test_changing_the_order_in_settings_moves_the_choice(
    make_window: Callable[..., MainWindow], settings: Settings
) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    settings.set(Key.ORDER, "shuffled")
    window.apply_settings({Key.ORDER})
    assert window.practice.choices()[1] == "shuffled"


def test_flashcards_forced_by_a_missing_microphone_are_not_remembered(
    qtbot: QtBot, make_window: Callable[..., MainWindow], settings: Settings
) -> None:
    state = WindowState(settings.path.parent / STATE_FILE, mode="spoken")
    assert state.save()
    window = make_window(load_model=False, probe_microphone=False)
    window.set_microphone(False, "No input device.")
    window.practice.start_session()
    assert window.practice.mode == "flashcard"
    window.close()
    assert WindowState.load(settings.path.parent / STATE_FILE).mode == "spoken"

    again = restart(make_window)
    assert again.practice.choices()[2] == "spoken"  # the microphone is back: spoken, as last chosen


@pytest.mark.parametrize(
    "content",
    ["{not json", '["a list"]', '{"deck": 3, "mode": "nonsense", "geometry": "!!!", "tab": "elsewhere"}'],
)
def test_a_damaged_state_file_is_ignored(
    make_window: Callable[..., MainWindow], settings: Settings, store: Store, content: str
) -> None:
    path = settings.path.parent / STATE_FILE
    path.write_text(content, encoding="utf-8")
    window = make_window(load_model=False, probe_microphone=False)
    assert window.practice.choices() == ("fastapi", "in-order", "spoken")
    assert window.tabs.currentWidget() is window.practice
    window.close()
    assert json.loads(path.read_text(encoding="utf-8"))["tab"] == "practice"  # rewritten whole on close
