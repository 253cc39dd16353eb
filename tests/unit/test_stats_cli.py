"""`trainer stats` as a user runs it: a real process over a seeded real database."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import CARDS
from tests.progress_history import DAYS, seed_history
from tests.unit.test_cli import trainer
from trainer import storage
from trainer.deck import load_deck
from trainer.storage import Store


def seeded() -> None:
    deck = load_deck(CARDS / "fastapi.toml")
    with Store(Path(os.environ["TRAINER_DATA_DIR"]) / storage.DB_NAME) as store:
        seed_history(store, deck)


def test_stats_without_any_practice_says_so_and_creates_nothing() -> None:
    result = trainer("stats")
    assert result.returncode == 0, result.stderr
    assert "No attempts yet" in result.stdout
    assert not (Path(os.environ["TRAINER_DATA_DIR"]) / storage.DB_NAME).exists()


def test_stats_prints_the_summary_and_what_is_due() -> None:
    seeded()
    result = trainer("stats", "--deck", "fastapi")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Progress, deck fastapi" in out
    assert f"practice days: {len(DAYS)}" in out
    weakest = out.split("Weakest cards")[1].splitlines()[1]
    assert weakest.split()[0] == "75%" and "async" in weakest
    assert "'def runs in a threadpool'" in out
    # Three cards reviewed (long due by now), the rest of the deck new.
    deck = load_deck(CARDS / "fastapi.toml")
    assert f"fastapi    3 due  {len(deck.cards) - 3:>3} new" in out


def test_stats_json_and_errors() -> None:
    seeded()
    result = trainer("stats", "--json", "--mode", "flashcard")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["modes"] == {"flashcard": len(range(0, len(DAYS), 3))}
    assert {h["card"] for h in data["history"]} == {"response-model"}
    assert data["today"]["fastapi"]["due"] == 3
    bad = trainer("stats", "--deck", "no-such-deck")
    assert bad.returncode == 2 and "unknown deck" in bad.stderr
