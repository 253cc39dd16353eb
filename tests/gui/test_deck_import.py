"""File > Import deck...: an imported file becomes a deck the practice view offers, without blocking the window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from trainer import paths
from trainer.ui.main_window import MainWindow

ANSWER = (
    "A context manager sets something up and tears it down. The with statement calls enter and exit. "
    "Exit runs even when an exception is raised."
)


def file_menu_texts(window: MainWindow) -> list[str]:
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    return [a.text() for a in file_menu.actions()]


def test_import_from_the_file_menu_adds_and_chooses_the_deck(
    qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    assert "&Import deck\u2026" in file_menu_texts(window)
    source = tmp_path / "python-interview.csv"
    source.write_text(f'question,answer,tags\nWhat is a context manager?,"{ANSWER}",theory\n', encoding="utf-8")

    with qtbot.waitSignal(window.deck_importer.imported, timeout=30_000) as signal:
        window.deck_importer.import_path(source)
    result = signal.args[0]
    assert result.path == paths.user_deck_dir() / "python-interview.toml" and result.path.is_file()
    # The user's deck folder did not exist when the window opened: the new deck is listed and chosen anyway.
    combo = window.practice.deck_combo
    assert combo.currentData() == "python-interview"
    message = window.deck_importer.message
    assert message is not None and message.isVisible() and "proposed" in message.text()
    message.close()


def test_a_bad_file_says_why_and_changes_nothing(
    qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    decks_before = [window.practice.deck_combo.itemText(i) for i in range(window.practice.deck_combo.count())]
    source = tmp_path / "broken.csv"
    source.write_text("question,answer\nOnly a question?,\n", encoding="utf-8")
    with qtbot.waitSignal(window.deck_importer.failed, timeout=30_000) as signal:
        window.deck_importer.import_path(source)
    assert "broken.csv:2: no answer" in signal.args[0]
    message = window.deck_importer.message
    assert message is not None and message.icon() is QMessageBox.Icon.Warning and "no answer" in message.text()
    message.close()
    assert not (paths.user_deck_dir() / "broken.toml").exists()
    assert [window.practice.deck_combo.itemText(i) for i in range(window.practice.deck_combo.count())] == decks_before


def test_importing_over_an_existing_deck_asks_first(
    qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    source = tmp_path / "again.csv"
    source.write_text("question,answer,key_points\nFirst?,Yes.,yes\n", encoding="utf-8")
    with qtbot.waitSignal(window.deck_importer.imported, timeout=30_000) as first:
        window.deck_importer.import_path(source)
    target = first.args[0].path
    window.deck_importer.message.close()
    source.write_text("question,answer,key_points\nSecond?,Yes.,yes\n", encoding="utf-8")

    # Cancel keeps the deck as it was.
    window.deck_importer.import_path(source)
    qtbot.waitUntil(lambda: window.deck_importer.message.icon() is QMessageBox.Icon.Question, timeout=30_000)
    with qtbot.waitSignal(window.deck_importer.failed, timeout=10_000):
        window.deck_importer.message.button(QMessageBox.StandardButton.Cancel).click()
    assert "First?" in target.read_text(encoding="utf-8")

    # Yes replaces it.
    window.deck_importer.import_path(source)
    qtbot.waitUntil(lambda: window.deck_importer.message.icon() is QMessageBox.Icon.Question, timeout=30_000)
    with qtbot.waitSignal(window.deck_importer.imported, timeout=30_000):
        window.deck_importer.message.button(QMessageBox.StandardButton.Yes).click()
    assert "Second?" in target.read_text(encoding="utf-8") and "First?" not in target.read_text(encoding="utf-8")
    window.deck_importer.message.close()
