#!/usr/bin/env python3
"""Take the README screenshot of the Progress tab: docs/screenshots/progress.png.

    .venv/bin/python scripts/progress_screenshot.py

The real window under Xvfb with Qt's xcb platform (it re-runs itself under `xvfb-run` when there is no display),
on a temporary data folder. The history is the one the tests use (tests/progress_history.py: three weeks of
typed answers on the FastAPI deck, scored by the real scorer and kept in SQLite), moved to end today so the
calendar shows it. No speech model or microphone is needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots" / "progress.png"
SIZE = (1280, 820)


def rerun_under_xvfb() -> int:
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        print("progress_screenshot: no display and no xvfb-run (apt-get install xvfb xauth)", file=sys.stderr)
        return 1
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", TRAINER_SCREENSHOTS_CHILD="1")
    screen = f"-screen 0 {SIZE[0] + 200}x{SIZE[1] + 200}x24"
    return subprocess.call([xvfb, "-a", "-s", screen, sys.executable, *sys.argv], env=env)


def take(out: Path) -> int:
    sys.path.insert(0, str(REPO))
    from PySide6.QtCore import QEventLoop, QTimer

    from tests.progress_history import seed_history
    from trainer.deck import load_deck
    from trainer.settings import Settings
    from trainer.storage import Store
    from trainer.ui.app import make_application
    from trainer.ui.main_window import MainWindow

    make_application()

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    deck = load_deck(REPO / "cards" / "fastapi.toml")
    settings = Settings.load()
    store = Store.open_default(settings)
    end = datetime.now(UTC).replace(hour=18, minute=0, second=0, microsecond=0) - timedelta(days=1)
    seed_history(store, deck, end)
    window = MainWindow(settings, store, load_model=False, probe_microphone=False)
    window.resize(*SIZE)
    window.show()
    window.tabs.setCurrentWidget(window.progress)
    window.progress.set_deck(deck.id, "path-vs-query")
    deadline = time.monotonic() + 60
    while window.progress.card_combo.currentData() != "path-vs-query":
        if time.monotonic() > deadline:
            raise SystemExit("progress_screenshot: timed out waiting for the figures")
        wait(100)
    wait(800)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out)):
        raise SystemExit(f"progress_screenshot: could not write {out}")
    print(f"progress_screenshot: wrote {out}")
    window.close()
    window.runner.shutdown()
    store.close()
    return 0


def main() -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("TRAINER_SCREENSHOTS_CHILD"):
        return rerun_under_xvfb()
    with tempfile.TemporaryDirectory(prefix="trainer-progress-shot-") as home:
        for name, sub in (
            ("TRAINER_DATA_DIR", "data"),
            ("TRAINER_CONFIG_DIR", "config"),
            ("TRAINER_DECK_DIR", "decks"),
        ):
            os.environ[name] = str(Path(home) / sub)
        return take(OUT)


if __name__ == "__main__":
    sys.exit(main())
