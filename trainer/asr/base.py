"""What every speech engine gives back, the interface it implements, its errors, and audio loading.

The types are plain frozen dataclasses so a transcript can be stored as JSON and compared in tests without any
engine installed. Audio is read here, not by the engines, so both engines hear exactly the same samples and
neither needs ffmpeg.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

#: Whisper's input: 16 kHz mono float32 in [-1, 1].
SAMPLE_RATE = 16_000

AudioArray = npt.NDArray[np.float32]
AudioInput = AudioArray | str | Path


class ASRError(Exception):
    """Transcription cannot go on; the message says what to install, choose or fix."""


class EngineNotInstalled(ASRError):
    """The chosen engine's Python package is missing."""


class ModelNotFound(ASRError):
    """No usable copy of the model: names the package to install or the path that is wrong."""


class TranscriptionCancelled(ASRError):
    """The caller set the cancel event; the partial result is discarded."""


class AudioError(ASRError):
    """The audio file is missing, unreadable or empty."""


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing; `probability` is the model's confidence in it (0-1)."""

    start: float
    end: float
    text: str
    probability: float

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "probability": self.probability}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Word:
        return cls(float(data["start"]), float(data["end"]), str(data["text"]), float(data["probability"]))


@dataclass(frozen=True)
class Segment:
    """A stretch of speech as the model decoded it (a phrase or sentence)."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "words": [w.to_dict() for w in self.words],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Segment:
        words = tuple(Word.from_dict(w) for w in data.get("words", ()))
        return cls(float(data["start"]), float(data["end"]), str(data["text"]), words)


@dataclass(frozen=True)
class Transcript:
    """A whole answer as text, with its segments and what produced it (kept with each attempt)."""

    text: str
    segments: tuple[Segment, ...]
    duration: float
    engine: str
    model: str
    language: str
    #: The voice-activity detector heard no speech at all: no model ran, the text is empty on purpose.
    no_speech: bool = False
    #: Stretches the decoding guards could not make whole (a loop, speech without words), for the user to see.
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "segments": [s.to_dict() for s in self.segments],
            "duration": self.duration,
            "engine": self.engine,
            "model": self.model,
            "language": self.language,
            "no_speech": self.no_speech,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Transcript:
        return cls(
            text=str(data["text"]),
            segments=tuple(Segment.from_dict(s) for s in data.get("segments", ())),
            duration=float(data["duration"]),
            engine=str(data["engine"]),
            model=str(data["model"]),
            language=str(data["language"]),
            no_speech=bool(data.get("no_speech", False)),
            warnings=tuple(str(w) for w in data.get("warnings", ())),
        )

    @property
    def words(self) -> tuple[Word, ...]:
        """Every word of every segment, in order."""
        return tuple(w for s in self.segments for w in s.words)


@runtime_checkable
class Transcriber(Protocol):
    """A loaded speech model. Load once and reuse: loading costs far more than a short answer."""

    engine: str
    model: str

    def transcribe(
        self,
        audio: AudioInput,
        *,
        prompt: str | None = None,
        beam_size: int = 1,
        cancel: threading.Event | None = None,
        language: str | None = None,
        speech_end: float | None = None,
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 samples or an audio file (FLAC, WAV, OGG).

        `prompt` biases the vocabulary (see `build_prompt`); `beam_size` 1 is greedy decoding; `cancel` is
        checked as decoding goes and raises `TranscriptionCancelled`; `language` (e.g. "en") skips language
        detection on multilingual models and is ignored by English-only ones. `speech_end` (seconds into the
        audio where the voice-activity detector heard the speech end) lets an engine stop once its words reach
        it, instead of decoding another 30 s window over the last few hundred milliseconds; engines that cannot
        stop early ignore it.
        """
        ...


def join_segments(segments: tuple[Segment, ...]) -> str:
    """The transcript text: segment texts joined by single spaces (engines pad them inconsistently)."""
    return " ".join(s.text.strip() for s in segments if s.text.strip())


# --- audio -------------------------------------------------------------------------------------------------


def load_audio(source: AudioInput) -> AudioArray:
    """Samples ready for Whisper: a file is read, mixed to mono and resampled to 16 kHz; an array is checked.

    Raises AudioError for a missing, unreadable or empty file, and ValueError for an array of the wrong shape.
    """
    if isinstance(source, str | Path):
        return _read_file(Path(source))
    array = np.asarray(source)
    if array.ndim != 1:
        raise ValueError(f"audio must be a 1-D array of 16 kHz mono samples, not shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.float32)


def _read_file(path: Path) -> AudioArray:
    """Read through `trainer.audio.read_audio`, the one place that reads a recording, torn or not.

    A FLAC file whose writer was killed (`kill -9`, power cut), or that is still being written, says "length
    unknown" in its header; soundfile alone fails on it. `read_audio` decodes what is on disk into memory and
    leaves the file untouched: transcribing never modifies the user's files.
    """
    import soundfile

    from trainer.audio import read_audio

    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file")
    try:
        mono, rate = read_audio(path)
    except (soundfile.LibsndfileError, RuntimeError, OSError, ValueError, MemoryError) as exc:
        detail = getattr(exc, "error_string", None) or str(exc) or type(exc).__name__
        raise AudioError(f"{path}: cannot be read as audio (FLAC, WAV or OGG expected): {detail}") from None
    if mono.size == 0:
        raise AudioError(f"{path}: holds no audio")
    return resample(mono, rate, SAMPLE_RATE)


def resample(samples: AudioArray, rate: int, target: int = SAMPLE_RATE) -> AudioArray:
    """Resample a whole signal with libsoxr (`soxr`, "HQ"): the same library as the recorder's stream resampler."""
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    if rate == target or samples.size == 0:
        return samples
    import soxr

    out: AudioArray = soxr.resample(samples, rate, target, quality="HQ")
    return np.ascontiguousarray(out, dtype=np.float32)


def default_threads() -> int:
    """One thread per core this process may use (affinity-aware: containers often get fewer than the host)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)
