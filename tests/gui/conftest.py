"""Fixtures for the GUI tests: real widgets offscreen, a real store and settings in temporary folders.

Windows are closed before the store, and their jobs waited for, so a background job still finishing never writes
to a closed database.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.audio_helpers import pulse_mic  # noqa: F401  (the fixture, for tests that need a microphone)
from tests.conftest import CARDS
from trainer.settings import Key, Settings
from trainer.storage import Store
from trainer.ui.main_window import MainWindow

#: A deck with a TOML syntax error, and one with a card missing its key points: both must be listed.
BROKEN_SYNTAX = 'title = "Broken"\n[[card]]\nid = "x"\nquestion = "unterminated\n'
BROKEN_FIELDS = (
    'title = "Half done"\n\n[[card]]\nid = "no-points"\nquestion = "What is ASGI?"\nanswer = "A spec."\n'
    'tags = ["basics"]\n'
)


@pytest.fixture
def settings(isolated_user_dirs: Path) -> Settings:
    """Quiet, fast settings: no voice, no think time (tests that want them set them)."""
    s = Settings.load()
    s.set(Key.READ_QUESTION, False)
    s.set(Key.THINK_TIME, 0.0)
    s.save()
    return s


@pytest.fixture
def store(isolated_user_dirs: Path) -> Iterator[Store]:
    st = Store.open_default()
    yield st
    st.close()


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    """The shipped FastAPI deck plus two broken decks, in one folder."""
    folder = tmp_path / "decks"
    folder.mkdir()
    shutil.copy(CARDS / "fastapi.toml", folder / "fastapi.toml")
    (folder / "broken-syntax.toml").write_text(BROKEN_SYNTAX, encoding="utf-8")
    (folder / "half-done.toml").write_text(BROKEN_FIELDS, encoding="utf-8")
    return folder


@pytest.fixture
def make_window(qtbot: QtBot, settings: Settings, store: Store, deck_dir: Path) -> Iterator[Callable[..., MainWindow]]:
    """Build, show and activate a main window (keyboard shortcuts need the active window)."""
    windows: list[MainWindow] = []

    def make(**options: Any) -> MainWindow:
        options.setdefault("deck_locations", [deck_dir])
        window = MainWindow(options.pop("settings", settings), options.pop("store", store), **options)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        # Closing only asks the jobs to stop; the store (closed next) must outlive them.
        assert window.runner.wait(15_000), [job.name for job in window.runner.running()]
