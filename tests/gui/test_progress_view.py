"""The Progress tab on a seeded real history (tests/progress_history.py), offscreen: charts with the history's
points, the weakest card and most-missed key point, the practice calendar; pyqtgraph loaded only when shown."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from tests.conftest import CARDS, REPO
from tests.progress_history import DAYS, END, PATH_POINTS, seed_history
from trainer.deck import Deck, load_deck
from trainer.storage import Store
from trainer.ui.main_window import MainWindow
from trainer.ui.progress import ProgressView

pytestmark = pytest.mark.gui


@pytest.fixture
def deck() -> Deck:
    return load_deck(CARDS / "fastapi.toml")


@pytest.fixture
def seeded(store: Store, deck: Deck) -> Store:
    seed_history(store, deck)
    return store


def _non_blank(image: QImage) -> bool:
    """More than a handful of distinct colours: something was drawn."""
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    return len(colours) > 20


def test_progress_view_renders_the_seeded_history(qtbot: QtBot, seeded: Store, deck: Deck) -> None:
    view = ProgressView(seeded, decks=[deck])
    qtbot.addWidget(view)
    view.resize(1200, 800)
    with qtbot.waitSignal(view.updated, timeout=20_000):
        view.show()
    view.set_deck("fastapi")
    qtbot.waitUntil(lambda: view.figures is not None and view.figures.deck_id == "fastapi", timeout=20_000)
    qtbot.waitUntil(lambda: view.card_combo.count() == 4, timeout=20_000)  # whole deck + three cards

    scores = view.chart_data()[0]
    assert len(scores[1]) == len(view.figures.points) == 2 * len(DAYS) + len(range(0, len(DAYS), 3))
    assert "streak" in view.summary_label.text() and "due today" in view.summary_label.text()
    weakest = view.weakest_table.item(0, 1).text()
    assert "async" in weakest
    assert view.missed_table.item(0, 1).text() == "def runs in a threadpool"
    assert view.missed_table.item(0, 0).text() == f"{len(DAYS)}/{len(DAYS)}"

    # One card: its own improvement, point by point; delivery charts have its pace and fillers.
    view.card_combo.setCurrentIndex(view.card_combo.findData("path-vs-query"))
    made = view.chart_data()[1][1]
    assert made == [100.0 * len(said) / 5 for said in PATH_POINTS]
    assert len(view.chart_data()[2][1]) == len(DAYS)  # words per minute
    first_x = view.chart_data()[0][0][0]
    assert first_x == pytest.approx((END - timedelta(days=DAYS[0], hours=8)).timestamp())

    image = view.grab().toImage()
    assert _non_blank(image)
    charts = view.graphics.grab().toImage()
    assert _non_blank(charts)


def test_calendar_marks_practice_days(qtbot: QtBot, store: Store, deck: Deck) -> None:
    # A history that ends today, so the calendar's last weeks hold it.
    from tests.progress_history import spoken
    from trainer.storage import now

    card = deck.card("path-vs-query")
    for days_ago in (0, 1, 3):
        spoken(store, deck, card, "part of the URL path", now() - timedelta(days=days_ago), 5.0)
    view = ProgressView(store, decks=[deck])
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.updated, timeout=20_000):
        view.show()
    marked = [
        view.calendar.item(r, c).toolTip()
        for r in range(view.calendar.rowCount())
        for c in range(1, 8)
        if view.calendar.item(r, c).text()
    ]
    assert len(marked) == 3 and all(": 1 attempt" in tip for tip in marked)
    assert "streak <b>2</b> days" in view.summary_label.text()


def test_the_window_opens_without_loading_pyqtgraph(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from trainer.settings import Settings\n"
        "from trainer.storage import Store\n"
        "from trainer.ui.main_window import MainWindow\n"
        f"store = Store({str(tmp_path / 'a.sqlite3')!r})\n"
        "w = MainWindow(Settings.load(), store, load_model=False, probe_microphone=False)\n"
        "w.show(); app.processEvents()\n"
        "print('before', 'pyqtgraph' in sys.modules)\n"
        "w.tabs.setCurrentWidget(w.progress); app.processEvents()\n"
        "print('after', 'pyqtgraph' in sys.modules)\n"
        "w.close(); w.runner.shutdown(); store.close()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "before False" in result.stdout and "after True" in result.stdout


def test_the_progress_tab_in_the_window_follows_the_review_and_a_restart(
    qtbot: QtBot, make_window: Callable[..., MainWindow], seeded: Store
) -> None:
    window = make_window(load_model=False, probe_microphone=False)
    assert window.progress.figures is None  # nothing computed while the tab is hidden
    with qtbot.waitSignal(window.progress.updated, timeout=20_000):
        window.tabs.setCurrentWidget(window.progress)
    assert window.progress.figures is not None
    before = window.progress.figures.attempts_total
    assert "<b>24</b> attempts" in window.progress.summary_label.text()
    # Deleting an attempt in the review updates the progress the next time it is shown.
    window.tabs.setCurrentWidget(window.review)
    window.review.select_attempt(window.review.attempt_rows()[0][0])
    assert window.review.delete_attempt(confirm=False)
    with qtbot.waitSignal(window.progress.updated, timeout=20_000):
        window.tabs.setCurrentWidget(window.progress)
    assert window.progress.figures is not None and window.progress.figures.attempts_total == before - 1
    window.close()
    again = make_window(load_model=False, probe_microphone=False)
    assert again.tabs.currentWidget() is again.progress
