"""Scorer benchmark against the labelled answers in tests/data/scoring_labels.toml.

Prints pairwise ranking accuracy (strong > partial > off-topic on each card), key-point precision and recall
against the human labels, the same at a few thresholds around the chosen one, and the time to score.

    .venv/bin/python bench/scoring.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer import scoring  # noqa: E402
from trainer.deck import Card, Deck, load_deck  # noqa: E402

LABELS = ROOT / "tests" / "data" / "scoring_labels.toml"
DECK = ROOT / "cards" / "fastapi.toml"
KINDS = ("strong", "partial", "off_topic")


@dataclass(frozen=True)
class LabelledAnswer:
    card: Card
    kind: str
    covers: frozenset[str]
    text: str


def load_labels(deck: Deck, path: Path = LABELS) -> list[LabelledAnswer]:
    """The labelled answers, checked against the deck so a stale label fails loudly."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    answers = []
    for i, raw in enumerate(data["answer"], 1):
        card = deck.card(raw["card"])
        texts = {p.text for p in card.key_points}
        unknown = set(raw["covers"]) - texts
        if unknown or raw["kind"] not in KINDS:
            raise ValueError(f"label {i} ({raw['card']}): unknown key points {unknown} or kind {raw['kind']!r}")
        answers.append(LabelledAnswer(card, raw["kind"], frozenset(raw["covers"]), raw["text"]))
    return answers


@dataclass(frozen=True)
class Quality:
    pairs: int
    pairs_right: int
    tp: int
    fp: int
    fn: int

    @property
    def ranking_accuracy(self) -> float:
        return self.pairs_right / self.pairs if self.pairs else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def evaluate(answers: Sequence[LabelledAnswer]) -> tuple[Quality, Mapping[str, Mapping[str, float]]]:
    """Ranking and key-point quality over all answers; also each card's score per kind."""
    by_card: dict[str, dict[str, float]] = defaultdict(dict)
    tp = fp = fn = 0
    for answer in answers:
        result = scoring.score_answer(answer.card, answer.text)
        by_card[answer.card.id][answer.kind] = result.score
        for point in result.points:
            said = point.point.text in answer.covers
            tp += point.hit and said
            fp += point.hit and not said
            fn += said and not point.hit
    pairs = right = 0
    for scores in by_card.values():
        for better, worse in (("strong", "partial"), ("partial", "off_topic"), ("strong", "off_topic")):
            if better in scores and worse in scores:
                pairs += 1
                right += scores[better] > scores[worse]
    return Quality(pairs, right, tp, fp, fn), by_card


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timing repetitions (median reported)")
    args = parser.parse_args()

    deck = load_deck(DECK)
    answers = load_labels(deck)
    quality, by_card = evaluate(answers)
    print(f"{len(answers)} labelled answers on {len(by_card)} cards, hit threshold {scoring.HIT_THRESHOLD:g}\n")
    print(f"{'card':<28} {'strong':>7} {'partial':>8} {'off':>6}  ranked")
    for card_id, scores in sorted(by_card.items()):
        s, p, o = (scores.get(k, float("nan")) for k in KINDS)
        ok = "yes" if s > p > o else "NO"
        print(f"{card_id:<28} {s:7.0f} {p:8.0f} {o:6.0f}  {ok}")
    print(
        f"\npairwise ranking accuracy  {quality.ranking_accuracy:.3f} ({quality.pairs_right}/{quality.pairs})"
        f"\nkey-point precision        {quality.precision:.3f}"
        f"\nkey-point recall           {quality.recall:.3f}"
    )

    chosen = scoring.HIT_THRESHOLD
    print("\nthreshold  ranking  precision  recall")
    for threshold in (50.0, 60.0, chosen, 75.0, 85.0):
        scoring.HIT_THRESHOLD = threshold
        q, _ = evaluate(answers)
        mark = "  <- chosen" if threshold == chosen else ""
        print(f"{threshold:9.0f}  {q.ranking_accuracy:7.3f}  {q.precision:9.3f}  {q.recall:6.3f}{mark}")
    scoring.HIT_THRESHOLD = chosen

    # Time: every labelled answer padded to ~300 words (a 2-minute answer), scored against its card.
    timings = []
    for answer in answers:
        words = answer.text.split()
        text = " ".join((words * (300 // max(len(words), 1) + 1))[:300])
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            scoring.score_answer(answer.card, text)
            runs.append(time.perf_counter() - start)
        timings.append(statistics.median(runs))
    ms = sorted(t * 1000 for t in timings)
    print(
        f"\nscore a 300-word transcript against its card: median {statistics.median(ms):.2f} ms, "
        f"slowest card {ms[-1]:.2f} ms ({len(ms)} answers x {args.repeat} runs)"
    )


if __name__ == "__main__":
    main()
