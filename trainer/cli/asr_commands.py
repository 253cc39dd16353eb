"""`trainer transcribe FILE`: the speech-to-text step on its own, to try engines, models and prompts."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trainer.asr import Transcriber, Transcript
    from trainer.asr.base import AudioArray


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
    parser.add_argument(
        "--live",
        action="store_true",
        help="feed the file through live transcription at real-time pace, as if it were the microphone, "
        "and report latency_after_end (seconds from the end of the audio to the final transcript)",
    )
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
    from trainer.asr.live import transcribe_file
    from trainer.cli import UserError

    extra: dict[str, Any] = {}
    try:
        audio = load_audio(args.file)  # first: a bad file should not wait for a model to load
        engine, model = speech_model_choice(args.engine, args.model)
        transcriber = load_transcriber(engine, model, threads=args.threads)
        started = time.perf_counter()
        if args.live:
            transcript, latency = transcribe_live(
                transcriber, audio, prompt=args.prompt, language=args.language, beam_size=args.beam
            )
            extra["latency_after_end"] = round(latency, 3)
        else:
            transcript = transcribe_file(
                transcriber, audio, prompt=args.prompt, beam_size=args.beam, language=args.language
            )
        elapsed = time.perf_counter() - started
    except ASRError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        json.dump(transcript.to_dict() | extra, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(transcript.text if not transcript.no_speech else "(no speech detected)")
    for warning in transcript.warnings:
        print(f"trainer: warning: {warning}", file=sys.stderr)
    timing = (
        f"final text {extra['latency_after_end']:.2f} s after the end"
        if args.live
        else f"transcribed in {elapsed:.1f} s"
    )
    print(
        f"\n[{transcript.duration:.1f} s of audio, {transcript.engine} {transcript.model}, {timing}]",
        file=sys.stderr,
    )
    return 0


def transcribe_live(
    transcriber: Transcriber,
    audio: AudioArray,
    *,
    prompt: str | None,
    language: str | None,
    beam_size: int = 1,
    then: Callable[[Transcript], object] | None = None,
) -> tuple[Transcript, float]:
    """Feed `audio` through live transcription at real-time pace; returns the transcript and the seconds
    from the end of the audio until it (and `then(transcript)`, e.g. scoring) was done."""
    import time

    from trainer.asr.live import LiveTranscriber, feed_at_pace

    live = LiveTranscriber(transcriber, prompt=prompt, language=language, beam_size=beam_size)
    try:
        ended = feed_at_pace(live, audio)
        transcript = live.finish()
        if then is not None:
            then(transcript)
        return transcript, time.monotonic() - ended
    finally:
        live.cancel()
