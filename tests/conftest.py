"""Test settings shared by every suite.

Qt renders offscreen (there is no display in CI) and every test gets its own data, cache-free config and deck
folders so nothing touches the user's real attempts.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
CARDS = REPO / "cards"
DATA = Path(__file__).resolve().parent / "data"


def need(available: bool, what: str) -> None:
    """For a test that needs a tool: in CI (where the set-up installs every tool) its absence fails the test
    loudly; on a developer's machine the test is skipped with the reason, so a partial set-up still runs."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI installs it: see scripts/setup.sh)", pytrace=False)
    pytest.skip(what)


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str = "4m") -> Iterator[Path]:
    """`folder` (an existing empty folder) as a tmpfs of `size` for the block: a disk that can fill up or be
    remounted read-only (`mount -o remount,ro`) without touching the machine's. Needs root (`need` says so)."""
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, text=True
    )
    need(mounted.returncode == 0, f"mounting a small tmpfs needs root: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def default_paraphrase_model_afterwards() -> Iterator[None]:
    """The paraphrase model choice is process-wide: a test that selects one leaves the default selected."""
    yield
    from trainer.scoring import semantic

    semantic.use(semantic.DEFAULT_MODEL)


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
