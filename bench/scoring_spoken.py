"""The scorer on spoken answers: each labelled answer read aloud by Piper, transcribed by the app's speech model
with the card's prompt, then scored exactly as bench/scoring.py scores the typed text, side by side.

A user's answer reaches the scorer through Whisper, with its mishearings ("pedantic", "a sync", "you vacorn"),
dropped fillers and changed punctuation (the clause boundaries the claim checks read). This bench measures what
that costs: the same figures as bench/scoring.py for the typed and the transcribed text of each answer, and the
transcripts' word error rate against the typed text.

    .venv/bin/python bench/scoring_spoken.py --split blind5 [--engine faster-whisper --model tiny.en]
        [--cache /tmp/spoken] [--transcribe-only] [--cards N] [--paraphrase-model wordllama]

Reading and transcribing take about a second per answer on one core; transcripts are kept in `--cache` (one JSON
file per split, engine and model, keyed by the answer text), so `--transcribe-only` can fill it ahead of a
measurement: transcribing never looks at a score, so it can run before a blind set is measured.
Each sentence is read by Piper's joe voice without its random noise (bench/answers.py) and sentences are joined
by pauses of 0.4-1.2 s, as a person pauses. Each answer is transcribed as the app transcribes one
(`trainer.asr.live.transcribe_file`: cut at pauses into stretches, each decoded with the card's prompt). A first
version gave the whole answer to the model in one call, which the app never does: tiny.en then lost whole
stretches and looped on some answers (an 84-word answer came back as "U"), so those transcripts are not kept.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.answers import PAUSES, RATE, speak, split_sentences  # noqa: E402
from bench.scoring import (  # noqa: E402
    DECK,
    LabelledAnswer,
    add_paraphrase_model_option,
    evaluate,
    labels_path,
    load_labels,
    print_report,
)
from trainer.asr import DEFAULT_ENGINE, DEFAULT_MODEL, ENGINES, card_prompt, load_transcriber  # noqa: E402
from trainer.asr.live import transcribe_file  # noqa: E402
from trainer.asr.wer import word_error_rate  # noqa: E402
from trainer.deck import load_deck  # noqa: E402

#: Where transcripts are kept between runs unless --cache says otherwise.
CACHE = Path("/tmp/interview-trainer-spoken")


def read_aloud(text: str) -> np.ndarray:
    """16 kHz float32 samples: half a second of silence, then each sentence followed by a pause."""
    parts = [np.zeros(RATE // 2, dtype=np.float32)]
    for i, sentence in enumerate(split_sentences(text)):
        parts += [speak(sentence), np.zeros(round(PAUSES[i % len(PAUSES)] * RATE), dtype=np.float32)]
    return np.concatenate(parts)


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def transcribe_all(answers: list[LabelledAnswer], engine: str, model: str, cache: Path, split: str) -> dict[str, str]:
    """Every answer's transcript, from the cache file or read and transcribed now (saved after each answer)."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{split}-{engine}-{model}-by-stretch.json"
    known: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    todo = [a for a in answers if _key(a.text) not in known]
    if todo:
        deck = load_deck(DECK)
        transcriber = load_transcriber(engine, model)
        start = time.perf_counter()
        for i, answer in enumerate(todo, 1):
            audio = read_aloud(answer.text)
            transcript = transcribe_file(
                transcriber, audio, prompt=card_prompt(deck, answer.card), language=deck.language
            )
            known[_key(answer.text)] = transcript.text
            path.write_text(json.dumps(known, indent=0), encoding="utf-8")
            if i % 25 == 0 or i == len(todo):
                print(f"  {split}: {i}/{len(todo)} answers read and transcribed, {time.perf_counter() - start:.0f} s")
    return {a.text: known[_key(a.text)] for a in answers}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--split", nargs="+", default=["test"], help="labelled splits (tests/data/scoring_labels_*)")
    parser.add_argument("--engine", default=DEFAULT_ENGINE, choices=ENGINES)
    parser.add_argument("--model", default=DEFAULT_MODEL, help="speech model (the app's default unless given)")
    parser.add_argument("--cache", type=Path, default=CACHE, help="folder keeping transcripts between runs")
    parser.add_argument("--transcribe-only", action="store_true", help="fill the cache, score nothing")
    parser.add_argument("--cards", type=int, help="only the first N cards of each split (the short run CI makes)")
    add_paraphrase_model_option(parser)
    args = parser.parse_args()
    for split in args.split:
        if not labels_path(split).exists():
            parser.error(f"no labelled split {split!r}: {labels_path(split)} does not exist")

    deck = load_deck(DECK)
    answers = load_labels(deck, args.split)
    if args.cards is not None:
        kept = {s: list(dict.fromkeys(a.card.id for a in answers if a.split == s))[: args.cards] for s in args.split}
        answers = [a for a in answers if a.card.id in kept[a.split]]
    spoken: dict[str, str] = {}
    for split in args.split:
        spoken |= transcribe_all([a for a in answers if a.split == split], args.engine, args.model, args.cache, split)
    if args.transcribe_only:
        return
    wers = [word_error_rate(a.text, spoken[a.text]) for a in answers]

    import trainer.scoring as scoring
    from trainer.scoring import semantic

    semantic.use(args.paraphrase_model)
    scoring.preload()
    typed, _ = evaluate(answers)
    heard, heard_cards = evaluate([dataclasses.replace(a, text=spoken[a.text]) for a in answers])
    names = " + ".join(args.split)
    print(f"split: {names}: {len(answers)} labelled answers; paraphrase model {args.paraphrase_model}")
    print(f"speech: {args.engine} {args.model}; word error rate against the typed text: median "
          f"{statistics.median(wers):.3f}, mean {statistics.mean(wers):.3f}")  # fmt: skip
    print("\n=== spoken (transcribed) ===")
    print_report(heard, heard_cards)
    print("\n=== typed, side by side ===")
    print(f"{'figure':<28}{'typed':>8}{'spoken':>8}")
    for (better, worse), _ in sorted(typed.pairs.items()):
        if typed.pairs[(better, worse)][1]:
            a, b = typed.pair_accuracy(better, worse), heard.pair_accuracy(better, worse)
            print(f"{better + ' > ' + worse:<28}{a:8.3f}{b:8.3f}")
    for kind, mean in typed.means.items():
        print(f"{'mean ' + kind:<28}{mean:8.1f}{heard.means.get(kind, float('nan')):8.1f}")
    for name in ("precision", "recall", "ranking_accuracy"):
        print(f"{name:<28}{getattr(typed, name):8.3f}{getattr(heard, name):8.3f}")


if __name__ == "__main__":
    main()
