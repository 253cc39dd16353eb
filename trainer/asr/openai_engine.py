"""The openai-whisper engine (PyTorch, fp32 on CPU): the reference implementation, as a second choice.

`whisper` and `torch` are imported only when this engine is loaded: importing them costs 1-2 s and ~300 MB,
which the default engine should not pay.
"""

from __future__ import annotations

import base64
import gzip
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from trainer.asr.base import (
    SAMPLE_RATE,
    AudioInput,
    EngineNotInstalled,
    ModelNotFound,
    Segment,
    Transcript,
    TranscriptionCancelled,
    Word,
    default_threads,
    join_segments,
    load_audio,
)

ENGINE = "openai-whisper"


#: What to do when the engine is missing. The plain extra also pulls triton (1 GB, useless on a CPU); the set-up
#: script installs whisper without it.
NOT_INSTALLED = (
    "openai-whisper is not installed: run `scripts/setup.sh test` (installs it without triton), "
    "or pip install 'interview-trainer[openai]'"
)


class OpenAIWhisperTranscriber:
    """openai-whisper on the CPU from a checkpoint file (converted from CTranslate2 weights by default)."""

    engine = ENGINE

    def __init__(self, checkpoint: Path, model: str, *, threads: int | None = None) -> None:
        try:
            import torch
            import whisper
        except ImportError:
            raise EngineNotInstalled(NOT_INSTALLED) from None
        self.model = model
        self.checkpoint = checkpoint
        self.threads = threads or default_threads()
        torch.set_num_threads(self.threads)
        # What whisper.load_model(path) does, plus the alignment heads our converted checkpoints carry.
        try:
            stored = torch.load(str(checkpoint), map_location="cpu", weights_only=True)
            self._whisper: Any = whisper.model.Whisper(whisper.model.ModelDimensions(**stored["dims"]))
            self._whisper.load_state_dict(stored["model_state_dict"])
        except (RuntimeError, KeyError, TypeError, OSError, EOFError) as exc:
            raise ModelNotFound(
                f"{checkpoint}: not a usable openai-whisper checkpoint ({exc}); delete it to have it rebuilt"
            ) from None
        self._whisper.eval()
        heads = stored.get("alignment_heads")
        official = getattr(whisper, "_ALIGNMENT_HEADS", {})
        if heads:
            self._set_alignment_heads(heads)
        elif model in official:  # an official checkpoint from whisper's own cache
            self._whisper.set_alignment_heads(official[model])
        del stored
        # Load the tokenizer now (cached for the process): whisper reads its vocabulary file without closing
        # it, which is a ResourceWarning (an error under pytest) that belongs to whisper, not to a transcription.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            whisper.tokenizer.get_tokenizer(self._whisper.is_multilingual, num_languages=self._whisper.num_languages)
        self._lock = threading.Lock()

    def _set_alignment_heads(self, heads: list[list[int]]) -> None:
        """Word timestamps need the heads that follow the audio; a file checkpoint carries none of its own."""
        dims = self._whisper.dims
        mask = np.zeros((dims.n_text_layer, dims.n_text_head), dtype=bool)
        for layer, head in heads:
            mask[layer, head] = True
        self._whisper.set_alignment_heads(base64.b85encode(gzip.compress(mask.tobytes())))

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
        """Decode with whisper's own loop; `cancel` is checked before every encoder and decoder step.

        `speech_end` is ignored: whisper's loop cannot be stopped after a window without losing its result.
        """
        import whisper

        samples = load_audio(audio)
        if beam_size < 1:
            raise ValueError(f"beam_size must be 1 or more, not {beam_size}")

        def check(*_: object) -> None:
            if cancel is not None and cancel.is_set():
                raise TranscriptionCancelled("transcription cancelled")

        check()
        options: dict[str, Any] = {"fp16": False}
        if beam_size > 1:
            options["beam_size"] = beam_size
        if self._whisper.is_multilingual and language:
            options["language"] = language
        with self._lock:
            hooks = [
                self._whisper.encoder.register_forward_pre_hook(check),
                self._whisper.decoder.register_forward_pre_hook(check),
            ]
            try:
                result = whisper.transcribe(
                    self._whisper,
                    samples,
                    verbose=None,
                    # Deterministic, as faster-whisper here: no sampling fallback, the prompt only as the
                    # stretch's initial prompt, no conditioning on its own output (loops on long answers).
                    temperature=0.0,
                    initial_prompt=prompt or None,
                    condition_on_previous_text=False,
                    word_timestamps=True,
                    **options,
                )
            finally:
                for hook in hooks:
                    hook.remove()
        segments = tuple(
            Segment(
                float(seg["start"]),
                float(seg["end"]),
                str(seg["text"]).strip(),
                tuple(
                    Word(float(w["start"]), float(w["end"]), str(w["word"]).strip(), float(w["probability"]))
                    for w in seg.get("words", ())
                ),
            )
            for seg in result["segments"]
        )
        return Transcript(
            text=join_segments(segments),
            segments=segments,
            duration=samples.size / SAMPLE_RATE,
            engine=ENGINE,
            model=self.model,
            language=str(result.get("language") or "en"),
        )
