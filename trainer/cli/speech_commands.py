"""Sound commands: `trainer devices`, `trainer speak`, `trainer record`.

Defaults for the voice and the microphone come from the user's settings (as the app uses them), so
`trainer speak` and `trainer record` are a quick way to check a set-up. Audio problems (no sound server,
no microphone, missing PortAudio or Piper) are user errors: one line saying what to do, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from trainer.cli import UserError, setting, user_settings


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands."""
    p = commands.add_parser("devices", help="list the microphones and speakers the app can use")
    p.set_defaults(func=cmd_devices)

    p = commands.add_parser(
        "speak",
        help="read a text aloud (or save it as WAV) with the question voice",
        description="Read TEXT aloud with the voice the app uses for questions, or write it to a WAV file.",
    )
    p.add_argument("text", nargs="?", help="what to say; '-' reads standard input")
    p.add_argument("--engine", choices=("auto", "pyttsx3", "piper"), help="speech engine (default: from settings)")
    p.add_argument("--voice", metavar="V", help="voice id (see --list-voices; default: from settings)")
    p.add_argument("--rate", type=int, metavar="WPM", help="words per minute (default: from settings)")
    p.add_argument("--out", type=Path, metavar="FILE.wav", help="write a WAV file instead of speaking")
    p.add_argument("--list-voices", action="store_true", help="list the engine's voices and exit")
    p.set_defaults(func=cmd_speak)

    p = commands.add_parser(
        "record",
        help="record the microphone to a file (FLAC or WAV), as an answer is recorded",
        description="Record from the microphone, mono 16 kHz, streaming to disk; Ctrl+C stops and keeps the file.",
    )
    p.add_argument("--seconds", type=float, default=120.0, metavar="N", help="time limit (default: 120)")
    p.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="where to write: .flac (default) or .wav (default: a new file in the data folder)",
    )
    p.add_argument("--device", metavar="D", help="input device, by index or name (default: from settings)")
    p.add_argument(
        "--silence-stop",
        type=float,
        metavar="S",
        help="stop after S seconds of silence once speech has begun (default: from settings; 0 = off)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=-40.0,
        metavar="DBFS",
        help="level below which it counts as silence (default: -40)",
    )
    p.set_defaults(func=cmd_record)


# ------------------------------------------------------------------------------------------ devices


def cmd_devices(args: argparse.Namespace) -> int:
    from trainer import audio

    try:
        devices = audio.list_devices()
    except audio.AudioError as exc:
        raise UserError(str(exc)) from exc
    for title, kind in (("Input devices (microphones)", "input"), ("Output devices (speakers)", "output")):
        print(f"{title}:")
        chosen = [d for d in devices if (d.is_input if kind == "input" else d.is_output)]
        if not chosen:
            print("  (none)")
        for d in chosen:
            default = d.is_default_input if kind == "input" else d.is_default_output
            channels = d.input_channels if kind == "input" else d.output_channels
            print(
                f"  {'*' if default else ' '} {d.index:>3}  {d.name}  "
                f"({d.hostapi}, {channels} ch, {d.default_samplerate:g} Hz)"
            )
    print("* = default. Choose one with --device INDEX or NAME, or in the app's settings.")
    return 0


# -------------------------------------------------------------------------------------------- speak


def _check_writable(path: Path) -> None:
    """Fail with one clear line before any audio work when the output file cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"):
            pass
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def cmd_speak(args: argparse.Namespace) -> int:
    from trainer import tts

    settings = user_settings()
    engine = args.engine or setting(settings, "voice.engine", "auto")
    voice = args.voice or setting(settings, "voice.id", "") or None
    rate = args.rate if args.rate is not None else setting(settings, "voice.rate", None)
    try:
        speaker = tts.make_speaker(engine, voice=voice, rate=rate)
    except (tts.TTSError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    with speaker:
        if args.list_voices:
            current = speaker.voice
            for v in speaker.voices():
                langs = ",".join(v.languages)
                print(f"{'*' if v.id == current else ' '} {v.id:<28} {v.name}" + (f"  [{langs}]" if langs else ""))
            return 0
        text = sys.stdin.read() if args.text == "-" else args.text
        if not text or not text.strip():
            raise UserError("nothing to say: give a TEXT (or '-' to read standard input)")
        if args.out is not None:
            _check_writable(args.out)
            try:
                path = speaker.save(text, args.out)
            except (tts.TTSError, ValueError, OSError) as exc:
                raise UserError(str(exc)) from exc
            print(f"{path}: {tts.wav_duration(path):.1f} s of speech ({speaker.engine}, {speaker.voice})")
            return 0
        finished = threading.Event()
        speaker.on_done = lambda completed: finished.set()
        speaker.say(text)
        try:
            while not finished.wait(0.1):
                pass
        except KeyboardInterrupt:
            speaker.stop()
            raise
        if speaker.last_error:
            raise UserError(speaker.last_error)
    return 0


# ------------------------------------------------------------------------------------------- record


def _default_recording_path() -> Path:
    from trainer import paths

    return paths.data_dir() / "recordings" / f"recording-{datetime.now():%Y%m%d-%H%M%S}.flac"


def _meter(elapsed: float, limit: float, rms_db: float) -> str:
    from trainer.audio import meter_fraction

    bars = round(meter_fraction(rms_db) * 20)
    return f"\r  {elapsed:6.1f} / {limit:g} s  [{'#' * bars}{'.' * (20 - bars)}] {rms_db:6.1f} dBFS "


def cmd_record(args: argparse.Namespace) -> int:
    from trainer import audio

    if args.seconds <= 0:
        raise UserError("--seconds must be positive")
    settings = user_settings()
    device = args.device if args.device is not None else (setting(settings, "audio.input_device", "") or None)
    silence = args.silence_stop if args.silence_stop is not None else setting(settings, "audio.silence_stop", 0.0)
    out: Path = args.out if args.out is not None else _default_recording_path()
    if out.suffix.lower() not in audio.FORMATS:
        raise UserError(f"cannot record to {out.name}: use a .flac or .wav file name")
    _check_writable(out)
    recorder = audio.Recorder(
        out,
        device=device,
        max_seconds=args.seconds,
        silence_stop_seconds=silence or None,
        silence_threshold_db=args.threshold,
    )
    try:
        recorder.start()
    except audio.AudioError as exc:
        raise UserError(str(exc)) from exc
    except (OSError, RuntimeError) as exc:  # soundfile's errors are RuntimeErrors
        raise UserError(f"cannot write {out}: {exc}") from exc
    name = recorder.device_info.name if recorder.device_info else "?"
    print(f"Recording from {name!r} into {out} - speak now; Ctrl+C stops.", file=sys.stderr, flush=True)
    live = sys.stderr.isatty()
    try:
        while recorder.wait(0.1) is None:
            if live:
                print(
                    _meter(recorder.elapsed, args.seconds, recorder.level.rms_db), end="", file=sys.stderr, flush=True
                )
    except KeyboardInterrupt:
        pass  # Ctrl+C is the normal way to stop: keep the file
    finally:
        result = recorder.stop()
        if live:
            print(file=sys.stderr)
    assert result is not None
    how = {"user": "stopped", "time_limit": "time limit", "silence": "silence", "error": "error"}[result.stopped_by]
    print(f"{result.path}: {result.duration:.1f} s ({how})")
    if result.error is not None:
        raise UserError(str(result.error))
    if not result.speech_detected:
        print("trainer: warning: nothing louder than the silence threshold was heard", file=sys.stderr)
    return 0
