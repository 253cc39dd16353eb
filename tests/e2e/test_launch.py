"""The app as a user starts it: `python -m trainer` with no arguments, then Ctrl+C in the terminal.

It must come up (settings, database, decks, window; the speech model and microphone start loading in the
background), and Ctrl+C must close it the orderly way: the window's close (which saves the window state), jobs
stopped, database closed, exit status 0 and no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.launch_helpers import ctrl_c, wait_until_up

pytestmark = pytest.mark.e2e


def start_app(tmp_path: Path, data: Path) -> subprocess.Popen[str]:
    """`python -m trainer` as a user starts it, with its folders under tmp_path (data where given)."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TRAINER_DATA_DIR": str(data),
        "TRAINER_CONFIG_DIR": str(tmp_path / "config"),
        "TRAINER_DECK_DIR": str(tmp_path / "decks"),
        "PYTHONFAULTHANDLER": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "trainer"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_launch_and_ctrl_c(tmp_path: Path) -> None:
    process = start_app(tmp_path, tmp_path / "data")
    wait_until_up(process, tmp_path / "data", timeout=30)
    ctrl_c(process)
    state = json.loads((tmp_path / "config" / "state.json").read_text(encoding="utf-8"))
    assert state["tab"] == "practice"  # written by the window's close


def test_launch_on_a_read_only_data_folder(tmp_path: Path) -> None:
    """A data folder that cannot be written (here a tmpfs remounted read-only, with last week's database on it):
    the window still comes up with the history (it used to stop at "The attempts database cannot be opened"),
    and closes the orderly way."""
    from tests.conftest import small_tmpfs
    from trainer.storage import DB_NAME, Store

    data = tmp_path / "data"
    data.mkdir()
    with small_tmpfs(data):
        Store(data / DB_NAME).close()  # an existing database, as on any later day
        subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
        process = start_app(tmp_path, data)
        time.sleep(6)
        ctrl_c(process)
        assert (tmp_path / "config" / "state.json").is_file(), "the window never came up (its close writes this)"
