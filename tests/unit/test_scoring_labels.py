"""The scorer against answers labelled by hand (tests/data/scoring_labels_{train,dev,test}.toml).

Per card, on every split, the orderings any fair scorer must get: a strong answer above a partial one, another
topic's answer, the key terms read as a list and the question read back (on nearly every card also
the points said with a negation); a list or an echo earns (nearly) nothing. The held-out test split must
also keep the quality bench/scoring.py reports for it (paraphrases credited, verdicts agreeing with labels).
The blind sets (holdout, blind, blind2, blind3, blind4, blind5, blind6, blind7) are only checked against the
deck here: they are measured once, never in tests.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bench.scoring import (
    BLIND2,
    BLIND3,
    BLIND_SETS,
    DECK,
    EXTRA,
    HOLDOUT,
    KINDS,
    ONE_WRONG,
    SPLITS,
    evaluate,
    load_labels,
)
from trainer.deck import load_deck
from trainer.scoring import score_answer, semantic

DECK_ = load_deck(DECK)
ANSWERS = load_labels(DECK_)
CARDS = sorted({a.card.id for a in ANSWERS})


def test_splits_are_by_card_and_every_card_has_every_kind_once() -> None:
    cards_of = {split: {a.card.id for a in ANSWERS if a.split == split} for split in SPLITS}
    assert not cards_of["train"] & cards_of["dev"] and not cards_of["dev"] & cards_of["test"]
    assert not cards_of["train"] & cards_of["test"]
    assert len(cards_of["test"]) >= 8 and len(CARDS) >= 20
    kinds = Counter((a.card.id, a.kind) for a in ANSWERS)
    older_kinds = [k for k in KINDS if k != ONE_WRONG]  # one_wrong came with the third blind set
    for card in CARDS:
        assert [kinds[(card, k)] for k in older_kinds] == [1] * len(older_kinds), card


@pytest.mark.parametrize("split", [HOLDOUT, *BLIND_SETS])
def test_the_blind_sets_name_only_cards_kinds_and_key_points_of_the_deck(split: str) -> None:
    # Loaded, never scored here: they are measured once by bench/scoring.py. load_labels raises on a card id, kind
    # or key point text the deck no longer has, so renaming a key point cannot silently empty their `covers`.
    answers = load_labels(DECK_, [split])
    kinds = Counter((a.card.id, a.kind) for a in answers)
    for card in {a.card.id for a in answers}:
        assert all(kinds[(card, k)] >= 1 for k in KINDS if k != ONE_WRONG), card
    if split in BLIND_SETS:
        assert {a.card.id for a in answers} == {c.id for c in DECK_.cards}
        assert all(kinds[(c.id, "paraphrase")] == 2 for c in DECK_.cards)
    if split == BLIND2:
        assert all(kinds[(c.id, "reversed")] == 2 for c in DECK_.cards)
    # Two paraphrases and exactly one of every other kind, one_wrong included.
    if split in BLIND_SETS[BLIND_SETS.index(BLIND3) :]:
        for c in DECK_.cards:
            assert [kinds[(c.id, k)] for k in KINDS] == [2 if k == "paraphrase" else 1 for k in KINDS], c.id


#: Known misses on the labelled splits with the default paraphrase model (MiniLM), each recorded on issue 8. The cors
#: off-topic answer that scored 40 after the run-on clause fix scores 0 since the third round.
KNOWN: dict[str, str] = {
    "status-422-vs-400": (
        "MiniLM credits the off-topic answer about HTTPException two points (50): 'register your own exception "
        "handler' as '422 is a validation error', 'status code like four oh four and a detail message' as 'lists "
        "each field error'; WordLlama scores it 0"
    ),
}


@pytest.mark.parametrize(
    "card_id",
    [pytest.param(c, marks=pytest.mark.xfail(reason=KNOWN[c], strict=True)) if c in KNOWN else c for c in CARDS],
)
def test_a_strong_answer_beats_weak_empty_and_wrong_ones(card_id: str) -> None:
    scores = {a.kind: score_answer(a.card, a.text).score for a in ANSWERS if a.card.id == card_id}
    for worse in ("partial", "off_topic", "word_list", "question_echo"):
        assert scores["strong"] > scores[worse], (worse, scores)
    assert scores["strong"] >= 60, scores
    assert scores["off_topic"] <= 25, scores
    assert scores["word_list"] <= 10 and scores["question_echo"] <= 10, scores


def test_points_said_with_a_negation_score_below_the_strong_answer_on_nearly_every_card() -> None:
    # One known miss (forgotten-await, train): its points contain "never", and "there's no never awaited
    # warning" negates twice.
    quality, _ = evaluate(ANSWERS)
    assert quality.pair_accuracy("strong", "negated") >= 0.95


def test_the_test_split_keeps_its_measured_quality() -> None:
    quality, _ = evaluate([a for a in ANSWERS if a.split == "test"])
    assert quality.pair_accuracy("strong", "partial") == 1.0
    assert quality.pair_accuracy("strong", "off_topic") == 1.0
    assert quality.pair_accuracy("paraphrase", "partial") >= 0.9
    assert quality.means["paraphrase"] >= 65, quality.means
    assert quality.means["word_list"] <= 10 and quality.means["question_echo"] <= 10
    # Precision was 0.80 before the third scoring round; its paraphrase gains cost false credits here (0.76:
    # reversed answers whose clauses keep the point's nouns, docs/performance.md "Blind set"). A regression
    # guard at today's level, not a target.
    assert quality.precision >= 0.75 and quality.recall >= 0.8, quality


def test_the_extra_train_and_dev_card_answers_keep_their_tuned_quality() -> None:
    # tests/data/scoring_labels_extra.toml: two paraphrases and two reversed answers per train/dev card, written
    # to find why paraphrases were missed and tuned on (docs/performance.md), so this guards against regressions
    # only; it says nothing about answers the scorer has not seen.
    extra = load_labels(DECK_, [EXTRA])
    assert {a.card.id for a in extra} <= {a.card.id for a in ANSWERS if a.split in ("train", "dev")}
    quality, _ = evaluate(extra)
    assert quality.means["paraphrase"] >= 60 and quality.means["reversed"] <= 15, quality.means
    # Precision at each model's level when it became the default: MiniLM credits more paraphrases, right and
    # wrong (0.68 here against WordLlama's 0.71; recall 0.83 against 0.82; paraphrase mean 71.1 against 67.6).
    assert quality.precision >= {"minilm": 0.67, "wordllama": 0.7}[semantic.selected().name], quality
