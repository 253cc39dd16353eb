"""Why the scorer misses (or wrongly credits) key points on labelled answers: a diagnosis for tuning.

For every answer of the chosen kinds, each key point whose verdict disagrees with the human label is printed
with the paraphrase candidates the embedding proposed for it (closest first) and the check that rejected each
one. Tune on train, dev, extra and the used blind sets only (never the test split or the held-out file):

    .venv/bin/python bench/scoring_misses.py --split train dev extra blind blind2 blind3 blind4 blind5 blind6 \\
        [--kind paraphrase one_wrong] [--top 3] [--paraphrase-model wordllama] [--vector-cache /tmp/vectors.npz]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scoring import (  # noqa: E402
    BLIND_SETS,
    DECK,
    EXTRA,
    KINDS,
    SPLITS,
    add_paraphrase_model_option,
    load_labels,
)
from trainer.deck import load_deck  # noqa: E402

#: The splits a diagnosis may look at: never the test split or the held-out sets (they measure, not tune). The
#: five blind sets were each measured once and are used now, so they may be tuned on too.
TUNING = (*(s for s in SPLITS if s != "test"), EXTRA, *BLIND_SETS)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--split", nargs="+", default=list(TUNING), choices=TUNING)
    parser.add_argument("--kind", nargs="+", default=["paraphrase"], choices=KINDS)
    parser.add_argument("--top", type=int, default=3, help="candidates shown per missed point")
    add_paraphrase_model_option(parser)
    parser.add_argument("--vector-cache", type=Path, help="bench-only: keep clause vectors in this file between runs")
    args = parser.parse_args()

    from trainer.scoring import explain_paraphrases, semantic

    semantic.use(args.paraphrase_model)
    if args.vector_cache is not None:
        from bench.vector_cache import install

        install(args.vector_cache)

    missed = wrong = 0
    for answer in load_labels(load_deck(DECK), args.split):
        if answer.kind not in args.kind:
            continue
        result, trace = explain_paraphrases(answer.card, answer.text)
        print(f"\n== {answer.split} {answer.card.id} {answer.kind}: {result.score:.0f}")
        for m in result.misconceptions:
            print(f"   MISCONCEPTION {m.misconception.claim!r} in {m.said!r}")
        for i, point in enumerate(result.points):
            said = point.point.text in answer.covers
            if point.hit == said:
                if point.hit:
                    print(f"   ok   {point.point.text!r} ({point.how}) {point.evidence!r}")
                continue
            if point.hit:
                wrong += 1
                print(f"   FP   {point.point.text!r} ({point.how}) {point.evidence!r}")
                continue
            missed += 1
            print(f"   MISS {point.point.text!r} ({point.how}) {point.why or ''}")
            for _, text, sim, verdict in [t for t in trace if t[0] == i][: args.top]:
                print(f"        {sim:.2f} {verdict}: {text!r}")
        for _, text, _, why in (t for t in trace if t[0] == -1):
            print(f"   dropped ({why}): {text!r}")
    print(f"\n{missed} labelled points missed, {wrong} credited against the label")


if __name__ == "__main__":
    main()
