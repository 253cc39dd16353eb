"""Test settings shared by every suite.

Qt renders offscreen (there is no display in CI) and every test gets its own data, cache-free config and deck
folders so nothing touches the user's real attempts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
CARDS = REPO / "cards"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the app's data, config and deck folders at a fresh temporary folder for each test.

    The model cache is left alone on purpose: assembling and converting models is slow, and tests that need an
    empty cache make one themselves.
    """
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("TRAINER_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("TRAINER_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("TRAINER_DECK_DIR", str(home / "decks"))
    yield home
