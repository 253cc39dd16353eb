"""Progress figures from a seeded history in a real SQLite store (see tests/progress_history.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import CARDS
from tests.progress_history import ASYNC_POINTS, DAYS, END, PATH_POINTS, seed_history
from trainer import progress, storage
from trainer.deck import Deck, load_deck
from trainer.storage import Store


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_deck(CARDS / "fastapi.toml")


@pytest.fixture
def store(tmp_path: Path, deck: Deck) -> Store:
    s = Store(tmp_path / storage.DB_NAME)
    seed_history(s, deck)
    yield s
    s.close()


def test_counts_modes_days_and_streak(store: Store) -> None:
    figures = progress.progress(store, "fastapi", now=END)
    flashcards = len(range(0, len(DAYS), 3))
    assert figures.attempts_total == 2 * len(DAYS) + flashcards
    assert figures.mode_counts == {"spoken": 2 * len(DAYS), "flashcard": flashcards}
    expected_days = {(END - timedelta(days=d, hours=8)).astimezone().date() for d in DAYS}
    assert set(figures.calendar()) == expected_days
    assert sum(figures.calendar().values()) == figures.attempts_total
    assert figures.streak_days == 3
    # Two days later, without practice in between, the streak is gone.
    assert progress.progress(store, "fastapi", now=END + timedelta(days=2)).streak_days == 0


def test_a_card_over_time_shows_the_improvement(store: Store) -> None:
    card = progress.progress(store, "fastapi", now=END).card("path-vs-query")
    assert card is not None
    assert [p.points_made for p in card.history] == [len(said) for said in PATH_POINTS]
    assert [p.score for p in card.history] == [100.0 * len(said) / 5 for said in PATH_POINTS]
    assert card.first_score == 40.0 and card.last_score == 100.0
    # Fewer fillers as the user improves; pace from the recording's length.
    assert card.history[0].fillers == 4 and card.history[-1].fillers == 0
    first = card.history[0]
    assert first.wpm is not None and first.duration is not None
    assert first.wpm == pytest.approx(len(store.attempt(first.attempt_id).transcript.split()) * 60 / first.duration)


def test_weakest_cards_and_most_missed_points(store: Store) -> None:
    figures = progress.progress(store, "fastapi", now=END)
    weakest = figures.weakest(3)
    assert weakest[0].card_id == "async-vs-def"
    assert weakest[0].recent_mean == pytest.approx(100.0 * len(ASYNC_POINTS) / 4)
    top = figures.most_missed[0]
    assert (top.card_id, top.point, top.missed, top.scored) == (
        "async-vs-def", "def runs in a threadpool", len(DAYS), len(DAYS),
    )  # fmt: skip
    # Flashcard grades count for the score, not for key points or delivery.
    flash = figures.card("response-model")
    assert flash is not None and {p.score for p in flash.history} == {100.0}
    assert all(p.points_made is None and p.wpm is None for p in flash.history)


def test_mode_filter_and_a_time_cut(store: Store) -> None:
    only_cards = progress.progress(store, "fastapi", mode="flashcard", now=END)
    assert {p.card_id for p in only_cards.points} == {"response-model"}
    early = progress.progress(store, now=END - timedelta(days=15))
    assert early.attempts_total == 2 * 3 + 1  # days 20, 18, 17: two spoken each, one flashcard day


def test_empty_store_and_summary_text(tmp_path: Path, store: Store) -> None:
    with Store(tmp_path / "empty" / storage.DB_NAME) as empty:
        assert "No attempts yet" in progress.summary_text(progress.progress(empty))
    text = progress.summary_text(progress.progress(store, "fastapi", now=END), today=END.date())
    assert "streak: 3 day(s)" in text
    assert "'def runs in a threadpool'" in text.split("Most-missed key points:")[1].splitlines()[1]
    weeks = text.split("Practice days")[1].splitlines()[1:]
    assert len(weeks) == 8 and weeks[-1].split()[1:6] == [".", ".", "2", "2", "3"]  # Mon-Fri of END's week
