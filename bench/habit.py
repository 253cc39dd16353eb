"""Spaced repetition, progress and review search on a large history: how long the figures take.

Seeds a real SQLite store with a year of practice on the FastAPI deck (typed answers scored by the real scorer,
flashcard grades), then times, each `--repeat` times, the calls the app makes: `srs.deck_summary` (the start
screen), `practice.order_cards(..., "due")`, `progress.progress` (the Progress tab, in a worker; `trainer
stats`), and a full-text search of the review list. Prints medians.

    .venv/bin/python bench/habit.py [--attempts N] [--repeat N] [--short]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer import progress, srs  # noqa: E402
from trainer.asr.base import Segment, Transcript  # noqa: E402
from trainer.deck import load_deck  # noqa: E402
from trainer.practice import order_cards  # noqa: E402
from trainer.scoring import score_answer  # noqa: E402
from trainer.speechstats import speech_stats  # noqa: E402
from trainer.storage import DB_NAME, Store  # noqa: E402


def seed(store: Store, attempts: int, rng: random.Random) -> float:
    """`attempts` answers over a year, about one in five a flashcard grade; returns the seconds it took."""
    deck = load_deck(ROOT / "cards" / "fastapi.toml")
    start = datetime.now(UTC) - timedelta(days=365)
    began = time.perf_counter()
    session = flash = None
    for n in range(attempts):
        when = start + timedelta(days=365 * n / attempts)
        card = rng.choice(deck.cards)
        if n % 10 == 0:  # a sitting of ten answers
            session = store.start_session(deck.id, deck.title)
            flash = store.start_session(deck.id, deck.title, mode="flashcard")
        assert session is not None and flash is not None
        if rng.random() < 0.2:
            store.add_self_graded_attempt(flash, deck, card, rng.randint(1, 4), 5.0, started_at=when)
            continue
        said = [p.text for p in card.key_points if rng.random() < 0.6]
        text = "um, so " + ", and ".join(said or ["I am not sure"])
        path = store.audio_dir / f"bench-{n}.flac"  # never read: the answer is typed
        attempt = store.add_recorded_attempt(session, deck, card, path, when, 20.0)
        transcript = Transcript(text, (Segment(0.0, 20.0, text, ()),), 20.0, "faster-whisper", "tiny.en", "en")
        store.save_result(attempt.id, transcript, score_answer(card, text), speech_stats(text, 20.0))
    return time.perf_counter() - began


def median_ms(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--short", action="store_true", help="300 attempts, 3 repeats (a smoke run)")
    args = parser.parse_args()
    attempts, repeat = (300, 3) if args.short else (args.attempts, args.repeat)
    deck = load_deck(ROOT / "cards" / "fastapi.toml")
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / DB_NAME) as store:
        seconds = seed(store, attempts, random.Random(7))
        print(f"seeded {attempts} attempts in {seconds:.1f} s ({seconds / attempts * 1000:.1f} ms each, "
              "scoring and the review written with each)")  # fmt: skip
        rows = [
            ("srs.deck_summary (start screen)", lambda: srs.deck_summary(store, deck)),
            ('order_cards(deck, "due")', lambda: order_cards(deck, "due", store)),
            ("progress.progress, one deck", lambda: progress.progress(store, deck.id)),
            ("review search 'threadpool'", lambda: store.attempt_summaries(search="threadpool", limit=2000)),
            ("review list, no filter", lambda: store.attempt_summaries(limit=2000)),
        ]
        for name, call in rows:
            print(f"{name:<36} median {median_ms(call, repeat):8.1f} ms  ({repeat} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
