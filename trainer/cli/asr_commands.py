"""`trainer transcribe FILE`: the speech-to-text step on its own, to try engines, models and prompts."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands."""
    from trainer.asr import DEFAULT_ENGINE, DEFAULT_MODEL, ENGINES, MODELS

    parser = commands.add_parser(
        "transcribe",
        help="transcribe an audio file (FLAC, WAV, OGG) with a local Whisper model",
        description="Transcribe a recorded answer with a local Whisper model; nothing leaves the machine.",
    )
    parser.add_argument("file", metavar="FILE", help="audio file: FLAC, WAV or OGG, any sample rate")
    parser.add_argument(
        "--engine", choices=ENGINES, help=f"speech engine (default: from settings, else {DEFAULT_ENGINE})"
    )
    parser.add_argument(
        "--model",
        metavar="NAME|PATH",
        help=f"{' or '.join(MODELS)}, or a CTranslate2 model folder / .pt checkpoint "
        f"(default: from settings, else {DEFAULT_MODEL})",
    )
    parser.add_argument("--prompt", metavar="TEXT", help='vocabulary to bias towards, e.g. "FastAPI, Pydantic"')
    parser.add_argument("--beam", type=_beam, default=1, metavar="N", help="beam size; 1 is greedy (default 1)")
    parser.add_argument("--language", metavar="CODE", help="language of the speech for multilingual models, e.g. en")
    parser.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: one per core)")
    parser.add_argument("--json", action="store_true", help="print one JSON object: text, segments, words, timing")
    parser.set_defaults(func=run_transcribe)


def speech_model_choice(engine: str | None, model: str | None) -> tuple[str, str]:
    """The engine and model to use: the command line's, else the app's settings, else the defaults."""
    from trainer.asr import DEFAULT_ENGINE, DEFAULT_MODEL
    from trainer.cli import setting, user_settings

    if engine is None or model is None:
        settings = user_settings()
        engine = engine or setting(settings, "asr.engine", DEFAULT_ENGINE) or DEFAULT_ENGINE
        model = model or setting(settings, "asr.model", DEFAULT_MODEL) or DEFAULT_MODEL
    return engine, model


def _beam(value: str) -> int:
    try:
        beam = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if not 1 <= beam <= 20:
        raise argparse.ArgumentTypeError(f"must be between 1 and 20, not {beam}")
    return beam


def run_transcribe(args: argparse.Namespace) -> int:
    """Transcribe one file; user mistakes (file, audio, model, engine) become one-line errors."""
    import time

    from trainer.asr import ASRError, load_audio, load_transcriber
    from trainer.cli import UserError

    try:
        audio = load_audio(args.file)  # first: a bad file should not wait for a model to load
        engine, model = speech_model_choice(args.engine, args.model)
        transcriber = load_transcriber(engine, model, threads=args.threads)
        started = time.perf_counter()
        transcript = transcriber.transcribe(audio, prompt=args.prompt, beam_size=args.beam, language=args.language)
        elapsed = time.perf_counter() - started
    except ASRError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        json.dump(transcript.to_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(transcript.text)
    print(
        f"\n[{transcript.duration:.1f} s of audio, {transcript.engine} {transcript.model}, "
        f"transcribed in {elapsed:.1f} s]",
        file=sys.stderr,
    )
    return 0
