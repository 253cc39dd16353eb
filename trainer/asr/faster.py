"""The faster-whisper engine (CTranslate2): the default, fastest on CPU with int8 weights."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from trainer.asr.base import (
    SAMPLE_RATE,
    AudioInput,
    EngineNotInstalled,
    Segment,
    Transcript,
    TranscriptionCancelled,
    Word,
    default_threads,
    join_segments,
    load_audio,
)

ENGINE = "faster-whisper"
#: The last word's end lies this close to the VAD's end of speech or closer: the speech is all decoded (the VAD
#: pads speech by 0.15 s and word ends are approximate; measured 0.16-0.32 s between the two).
END_TOLERANCE = 0.5


class FasterWhisperTranscriber:
    """faster-whisper on the CPU, int8: 2-3x faster than openai-whisper at the same accuracy (docs/performance.md)."""

    engine = ENGINE

    def __init__(self, model_dir: Path, model: str, *, threads: int | None = None) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise EngineNotInstalled(
                "faster-whisper is not installed: pip install faster-whisper (or reinstall interview-trainer)"
            ) from None
        self.model = model
        self.model_dir = model_dir
        self.threads = threads or default_threads()
        self._lock = threading.Lock()
        self._whisper: Any = WhisperModel(
            str(model_dir), device="cpu", compute_type="int8", cpu_threads=self.threads, num_workers=1
        )
        self._multilingual = bool(self._whisper.model.is_multilingual)

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
        """Decode deterministically; `cancel` is checked before decoding and after every segment.

        With `speech_end`, decoding stops at the first segment that ends within END_TOLERANCE of it.
        faster-whisper otherwise moves on to the last word's end and encodes one more 30 s window for the
        0.2-0.3 s after it: on this machine that second window cost ~0.5 s of every ~1.5 s stretch, and it only
        ever produced made-up words ("First.", "Hopefully.") there (docs/performance.md, "Live transcription").
        A long file is best given to `trainer.asr.live.transcribe_file`, which cuts it at pauses first.
        """
        samples = load_audio(audio)
        if cancel is not None and cancel.is_set():
            raise TranscriptionCancelled("transcription cancelled")
        if beam_size < 1:
            raise ValueError(f"beam_size must be 1 or more, not {beam_size}")
        with self._lock:  # one CTranslate2 model object decodes one stream at a time here
            segments_iter, info = self._whisper.transcribe(
                samples,
                language=(language or None) if self._multilingual else "en",
                beam_size=beam_size,
                # Deterministic (docs/performance.md, "Live transcription"): one temperature, no sampling
                # fallback, the prompt as the initial prompt of the stretch, never as `hotwords` (which tiny.en
                # turned into loops and early stops on long answers), and no conditioning on its own output.
                temperature=0.0,
                initial_prompt=prompt or None,
                word_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=False,
            )
            segments: list[Segment] = []
            try:
                for seg in segments_iter:
                    words = tuple(
                        Word(float(w.start), float(w.end), w.word.strip(), float(w.probability))
                        for w in (seg.words or ())
                    )
                    segments.append(Segment(float(seg.start), float(seg.end), seg.text.strip(), words))
                    if cancel is not None and cancel.is_set():
                        raise TranscriptionCancelled("transcription cancelled")
                    if speech_end is not None and seg.end >= speech_end - END_TOLERANCE:
                        break
            finally:
                close = getattr(segments_iter, "close", None)
                if close is not None:
                    close()
        result = tuple(segments)
        return Transcript(
            text=join_segments(result),
            segments=result,
            duration=samples.size / SAMPLE_RATE,
            engine=ENGINE,
            model=self.model,
            language=str(info.language),
        )
