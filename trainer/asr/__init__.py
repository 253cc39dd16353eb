"""Speech to text: one `Transcriber` interface over faster-whisper (default) and openai-whisper.

    transcriber = load_transcriber("faster-whisper", "tiny.en")   # load once, reuse
    transcript = transcriber.transcribe("answer.flac", prompt=card_prompt(deck, card))

Models come from PyPI packages or explicit paths (see `trainer.asr.models`); nothing is downloaded offline.
"""

from __future__ import annotations

from trainer.asr.base import (
    SAMPLE_RATE,
    ASRError,
    AudioError,
    EngineNotInstalled,
    ModelNotFound,
    Segment,
    Transcriber,
    Transcript,
    TranscriptionCancelled,
    Word,
    load_audio,
)
from trainer.asr.models import MODELS, ResolvedModel, resolve_ct2, resolve_openai
from trainer.asr.prompt import build_prompt, card_key_terms, card_prompt
from trainer.memory import release_free_memory

#: The engines, default first.
ENGINES: tuple[str, ...] = ("faster-whisper", "openai-whisper")
DEFAULT_ENGINE = ENGINES[0]
DEFAULT_MODEL = MODELS[0]

__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_MODEL",
    "ENGINES",
    "MODELS",
    "SAMPLE_RATE",
    "ASRError",
    "AudioError",
    "EngineNotInstalled",
    "ModelNotFound",
    "Segment",
    "Transcriber",
    "Transcript",
    "TranscriptionCancelled",
    "Word",
    "build_prompt",
    "card_key_terms",
    "card_prompt",
    "load_audio",
    "load_transcriber",
    "resolve_model",
]


def resolve_model(engine: str, model: str) -> ResolvedModel:
    """Where `model` is for `engine` (a CTranslate2 folder or a .pt file), or ModelNotFound saying what to do."""
    _check_engine(engine)
    return resolve_ct2(model) if engine == "faster-whisper" else resolve_openai(model)


def load_transcriber(
    engine: str = DEFAULT_ENGINE, model: str = DEFAULT_MODEL, *, threads: int | None = None
) -> Transcriber:
    """Load a model into an engine. `model` is a name (tiny.en, base) or a path; `threads` defaults to one per core.

    Raises EngineNotInstalled or ModelNotFound with what to install or choose; slow (0.3-3 s), so load once.
    """
    _check_engine(engine)
    if engine == "faster-whisper":
        _require("faster_whisper", "faster-whisper is not installed: pip install faster-whisper")
        from trainer.asr.faster import FasterWhisperTranscriber

        transcriber: Transcriber = FasterWhisperTranscriber(resolve_ct2(model).path, model, threads=threads)
    else:
        from trainer.asr.openai_engine import NOT_INSTALLED, OpenAIWhisperTranscriber

        _require("whisper", NOT_INSTALLED)
        _require("torch", NOT_INSTALLED.replace("openai-whisper is not installed", "openai-whisper needs PyTorch"))
        transcriber = OpenAIWhisperTranscriber(resolve_openai(model).path, model, threads=threads)
    release_free_memory()  # loading reads and converts the weights through ~100 MB of buffers freed by now
    return transcriber


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ASRError(f"unknown engine {engine!r}: choose {' or '.join(ENGINES)}")


def _require(module: str, message: str) -> None:
    """Check an engine's package is installed before resolving (and maybe converting) a model for it."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise EngineNotInstalled(message)
