"""Deck and scoring commands: `trainer decks`, `trainer check`, `trainer score`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer import paths
from trainer.cli import UserError
from trainer.deck import Card, Deck, Severity, check_deck, default_deck_locations, discover_decks
from trainer.scoring import ScoreResult, score_answer
from trainer.settings import PARAPHRASE_MODELS
from trainer.speechstats import SpeechStats, speech_stats

if TYPE_CHECKING:
    from trainer.asr.base import Transcript  # numpy and the engines load only when an audio file is scored


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands."""
    p = commands.add_parser("decks", help="list the decks found, with card counts")
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="deck files or folders (default: shipped and yours)",
    )
    p.set_defaults(func=cmd_decks)

    p = commands.add_parser("check", help="validate decks and print every problem")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="deck files or folders")
    p.set_defaults(func=cmd_check)

    p = commands.add_parser(
        "score",
        help="score an answer (typed, or an audio file transcribed first) against a card's key points",
    )
    p.add_argument(
        "--deck",
        required=True,
        metavar="PATH|ID",
        help="a deck file, or the id of a deck found by `trainer decks`",
    )
    p.add_argument("--card", required=True, metavar="ID", help="the card's id")
    p.add_argument(
        "audio", nargs="?", type=Path, metavar="AUDIO_FILE", help="a recorded answer to transcribe and score"
    )
    p.add_argument("--text", help="the answer as text (instead of AUDIO_FILE)")
    p.add_argument("--duration", type=float, metavar="SECONDS", help="how long a typed answer took (gives wpm)")
    p.add_argument(
        "--engine", help="speech engine for AUDIO_FILE: faster-whisper or openai-whisper (default: settings)"
    )
    p.add_argument("--model", help="speech model for AUDIO_FILE: tiny.en, base, or a path (default: settings)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--paraphrase-model",
        choices=PARAPHRASE_MODELS,
        help="model that recognises key points said in other words (default: settings, else wordllama)",
    )
    p.add_argument(
        "--live",
        action="store_true",
        help="feed AUDIO_FILE through live transcription at real-time pace, as if it were the microphone, and "
        "report latency_after_end (seconds from the end of the audio to the final score)",
    )
    p.set_defaults(func=cmd_score)


def cmd_decks(args: argparse.Namespace) -> int:
    locations = args.paths or default_deck_locations()
    for location in args.paths:
        if not location.exists():
            raise UserError(f"no such file or folder: {location}")
    sources = discover_decks(locations)
    if not args.paths:
        print(f"Shipped decks: {paths.shipped_deck_dir()}")
        print(f"Your decks:    {paths.user_deck_dir()}" + ("" if paths.user_deck_dir().is_dir() else " (none yet)"))
        print()
    if not sources:
        print("No decks found.")
        return 0
    width = max(len(s.deck.id) if s.deck else 0 for s in sources) or 4
    for source in sources:
        if source.deck is not None:
            deck = source.deck
            print(f"{deck.id:<{width}}  {len(deck.cards):>3} cards  {deck.title}  ({source.path})")
        else:
            errors = sum(p.severity is Severity.ERROR for p in source.problems)
            print(f"{'?':<{width}}  broken     {source.path}: {errors} problem(s); run `trainer check {source.path}`")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from trainer.deck import deck_files

    for location in args.paths:
        if not location.exists():
            raise UserError(f"no such file or folder: {location}")
    files = deck_files(args.paths)
    if not files:
        raise UserError("no deck files (*.toml) found in " + ", ".join(str(p) for p in args.paths))
    failed = 0
    for path in files:
        deck, problems = check_deck(path)
        for problem in problems:
            print(problem)
        if deck is None:
            failed += 1
            errors = sum(p.severity is Severity.ERROR for p in problems)
            print(f"{path}: invalid ({errors} error(s))")
        else:
            warnings = f", {len(problems)} warning(s)" if problems else ""
            print(f"{path}: ok ({len(deck.cards)} cards{warnings})")
    return 1 if failed else 0


def find_deck(spec: str) -> Deck:
    """A deck by file path, or by id among the decks `trainer decks` finds."""
    path = Path(spec)
    if path.suffix == ".toml" or path.exists():
        deck, problems = check_deck(path)
        if deck is None:
            details = "\n".join(f"  {p}" for p in problems if p.severity is Severity.ERROR)
            raise UserError(f"cannot use deck {path}:\n{details}")
        return deck
    sources = discover_decks(default_deck_locations())
    for source in sources:
        if source.deck is not None and source.deck.id == spec:
            return source.deck
    known = ", ".join(s.deck.id for s in sources if s.deck) or "none"
    raise UserError(f"unknown deck {spec!r} (decks found: {known}); give a deck file or an id")


def find_card(deck: Deck, card_id: str) -> Card:
    try:
        return deck.card(card_id)
    except KeyError as exc:
        raise UserError(str(exc.args[0])) from None


def cmd_score(args: argparse.Namespace) -> int:
    deck = find_deck(args.deck)
    card = find_card(deck, args.card)
    if (args.audio is None) == (args.text is None):
        raise UserError("give either AUDIO_FILE or --text")
    if args.live and args.audio is None:
        raise UserError("--live needs an AUDIO_FILE")
    _choose_paraphrase_model(args.paraphrase_model)
    extra: dict[str, Any] = {}
    result: ScoreResult | None = None
    if args.text is not None:
        text, duration = args.text, args.duration
    else:
        transcript, latency = _transcribe(args.audio, args.engine, args.model, deck, card, live=args.live)
        text, duration = transcript.text, transcript.duration
        extra = {"engine": transcript.engine, "model": transcript.model, "duration": transcript.duration}
        extra |= {"no_speech": transcript.no_speech, "warnings": list(transcript.warnings)}
        if latency is not None:
            extra["latency_after_end"] = round(latency, 3)
    result = score_answer(card, text)
    stats = speech_stats(text, duration)
    if args.json:
        print(json.dumps(score_json(deck, card, text, result, stats) | extra, ensure_ascii=False, indent=2))
    else:
        if extra.get("no_speech"):
            print("No speech detected in the recording.\n")
        print_score(card, text, result, stats)
        if "latency_after_end" in extra:
            print(f"(scored {extra['latency_after_end']:.2f} s after the end of the audio)")
    return 0


def _choose_paraphrase_model(name: str | None) -> None:
    """The command line's paraphrase model, else the app's setting; one that cannot load is reported on stderr
    and scoring goes on with the default (as the app does)."""
    from trainer.cli import setting, user_settings
    from trainer.scoring import semantic
    from trainer.settings import Key

    wanted = name or str(setting(user_settings(), Key.PARAPHRASE_MODEL, semantic.DEFAULT_MODEL))
    problem = semantic.choose(wanted)
    if problem:
        print(f"trainer: warning: {problem}", file=sys.stderr)


def _transcribe(
    audio: Path, engine: str | None, model: str | None, deck: Deck, card: Card, *, live: bool = False
) -> tuple[Transcript, float | None]:
    """Transcribe a recorded answer as the app does (its engine and model, the card's prompt, the deck's
    language); speech errors become user errors. With `live`, the file is fed at real-time pace through live
    transcription and the seconds from its end to the score are returned too."""
    from trainer.asr import ASRError, card_prompt, load_audio, load_transcriber
    from trainer.asr.live import transcribe_file
    from trainer.cli.asr_commands import speech_model_choice, transcribe_live

    if not audio.is_file():
        raise UserError(f"no such audio file: {audio}")
    try:
        samples = load_audio(audio)
        transcriber = load_transcriber(*speech_model_choice(engine, model))
        prompt = card_prompt(deck, card)
        if live:
            return transcribe_live(
                transcriber,
                samples,
                prompt=prompt,
                language=deck.language,
                then=lambda transcript: score_answer(card, transcript.text),
            )
        return transcribe_file(transcriber, samples, prompt=prompt, language=deck.language), None
    except ASRError as exc:
        raise UserError(str(exc)) from None


def score_json(deck: Deck, card: Card, text: str, result: ScoreResult, stats: SpeechStats) -> dict[str, Any]:
    return {
        "deck": deck.id,
        "card": card.id,
        "score": round(result.score, 1),
        "key_points": [
            {
                "point": p.point.text,
                "hit": p.hit,
                "similarity": round(p.similarity, 1),
                "span": list(p.span) if p.span else None,
                "matched": text[p.span[0] : p.span[1]] if p.span else None,
                "how": p.how,
                "evidence": p.evidence,
                "why": p.why,
            }
            for p in result.points
        ],
        "misconceptions": [
            {"claim": m.claim, "correction": m.correction, "span": list(m.span), "said": m.said}
            for m in result.misconceptions
        ],
        "transcript": text,
        "words": stats.words,
        "wpm": round(stats.wpm, 1) if stats.wpm is not None else None,
        "fillers": stats.fillers,
    }


def print_score(card: Card, text: str, result: ScoreResult, stats: SpeechStats) -> None:
    out = sys.stdout
    print(f"{card.question}\n", file=out)
    print(f"Score: {result.score:.0f}/100  ({result.hits} of {len(result.points)} key points)", file=out)
    for p in result.points:
        mark = "✓" if p.hit else "✗"
        said = f'  "{text[p.span[0] : p.span[1]]}"' if p.hit and p.span else ""
        print(f"  {mark} {p.point.text}  [{p.similarity:.0f}]{said}", file=out)
        if p.how == "paraphrase":
            print(f'      paraphrase: "{p.evidence}"', file=out)
        elif p.how == "contradicted":
            print(f'      contradicted: "{p.evidence}" ({p.why})', file=out)
        elif not p.hit and p.evidence:
            print(f"      model answer: {p.evidence}", file=out)
    for m in result.misconceptions:
        print(f'  ! wrong: "{m.said}" ({m.claim}). {m.correction}', file=out)
    pace = f", {stats.wpm:.0f} words/min" if stats.wpm is not None else ""
    fillers = ", ".join(f"{w} ×{n}" for w, n in stats.fillers.items()) or "none"
    print(f"\n{stats.words} words{pace}; fillers: {fillers}", file=out)
