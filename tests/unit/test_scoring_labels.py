"""The scorer against answers labelled by hand (tests/data/scoring_labels.toml)."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.scoring import DECK, KINDS, evaluate, load_labels
from trainer.deck import load_deck
from trainer.scoring import score_answer

DECK_ = load_deck(DECK)
ANSWERS = load_labels(DECK_)
CARDS = sorted({a.card.id for a in ANSWERS})


def test_the_labelled_set_covers_at_least_twelve_cards_with_all_three_kinds() -> None:
    kinds = Counter((a.card.id, a.kind) for a in ANSWERS)
    assert len(CARDS) >= 12
    for card in CARDS:
        assert [kinds[(card, k)] for k in KINDS] == [1, 1, 1], card


@pytest.mark.parametrize("card_id", CARDS)
def test_strong_beats_partial_beats_off_topic(card_id: str) -> None:
    scores = {a.kind: score_answer(a.card, a.text).score for a in ANSWERS if a.card.id == card_id}
    assert scores["strong"] > scores["partial"] > scores["off_topic"], scores
    assert scores["strong"] >= 60, scores
    assert scores["off_topic"] <= 25, scores


def test_key_point_verdicts_agree_with_the_labels() -> None:
    quality, _ = evaluate(ANSWERS)
    assert quality.ranking_accuracy == 1.0
    assert quality.precision >= 0.95, quality
    assert quality.recall >= 0.95, quality
