"""Streaming transcription: the answer is transcribed while it is spoken, so the score is ready at stop.

Audio arrives in blocks (`LiveTranscriber.feed`, from the recorder's writer thread). Every second of audio the
Silero VAD bundled with faster-whisper looks at the audio not yet cut off; speech followed by a pause is cut off
as a *stretch* and decoded by one decoding thread (`trainer.asr.decoding`), long speech without a pause is cut
at its longest short pause, and silence is never given to the model (no "Thanks for watching"). At stop only the
tail is left to decode. Where the cuts fall depends on the audio alone, never on timing, so `transcribe_file`
(the same segmenter run over a file at once: "Transcribe again", the command line) gives the live text.

The tail is decoded *ahead*: whenever the decoding thread is idle and all speech heard so far is followed by a
pause, it decodes what the tail would be if the answer ended there. When the user pauses a second or so before
pressing stop, that decode is done or under way at stop, and it is used when the tail turns out to be exactly
that stretch (the same samples: decoding is deterministic, so the text is what a decode at stop would give).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trainer.asr.base import (
    SAMPLE_RATE,
    AudioArray,
    AudioInput,
    Segment,
    Transcriber,
    Transcript,
    TranscriptionCancelled,
    join_segments,
    load_audio,
)
from trainer.asr.decoding import Decoded, decode_stretch
from trainer.memory import release_free_memory

log = logging.getLogger(__name__)

#: The segmenter looks at the audio every this many seconds of it (recording time, not wall time). The VAD is
#: cheap (~16 ms for 5 s of audio); looking often finds the end of the answer sooner.
STEP_SECONDS = 0.5
#: A pause this long ends a stretch (faster-whisper's default 2 s leaves too long a tail at stop).
MIN_SILENCE_MS = 350
#: Speech is padded by this much on each side so no word is cut at its edge.
SPEECH_PAD_MS = 150
#: Finished speech shorter than this waits for more: each model call costs ~0.7 s whatever its length (the
#: 30 s window is padded), so fewer, longer stretches use less CPU; the tail left at stop grows by little.
MIN_STRETCH_SECONDS = 5.0
#: Speech running this long without a pause is cut at its longest short pause (Whisper sees 30 s at most).
MAX_STRETCH_SECONDS = 20.0
#: The shortest part of such a cut: never cut within this many seconds of either end.
MIN_CUT_PART_SECONDS = 5.0
#: Decode ahead only while decoding has taken at most this share of the audio's duration: a look-ahead uses the
#: decoder's spare time, and a slow engine has none (openai-whisper took ~0.45 s per second of speech here and
#: fell behind when it also decoded ahead; faster-whisper ~0.15).
LOOK_AHEAD_MAX_LOAD = 0.3
#: With nothing but silence pending, keep only this much of it (speech may be starting).
KEEP_SILENCE_SECONDS = 1.0

Float32Array = AudioArray
UpdateCallback = Callable[[Transcript], None]


@dataclass(frozen=True)
class Stretch:
    """Samples [start, end) of the recording to decode, and the VAD's speech in it (recording seconds)."""

    start: int
    end: int
    speech: tuple[tuple[float, float], ...]


def _vad_options(min_silence_ms: int, pad_ms: int) -> Any:
    from faster_whisper.vad import VadOptions

    return VadOptions(min_silence_duration_ms=min_silence_ms, speech_pad_ms=pad_ms)


def speech_spans(
    samples: AudioArray, min_silence_ms: int = MIN_SILENCE_MS, pad_ms: int = SPEECH_PAD_MS
) -> list[tuple[int, int]]:
    """Speech in `samples` as (start, end) sample indexes, by the Silero VAD (which restarts on every call)."""
    from faster_whisper.vad import get_speech_timestamps

    if samples.size == 0:
        return []
    spans = get_speech_timestamps(samples, _vad_options(min_silence_ms, pad_ms))
    return [(int(s["start"]), int(s["end"])) for s in spans]


@dataclass
class Segmenter:
    """Cuts a growing recording into stretches at pauses; deterministic: the same audio gives the same cuts."""

    audio: list[AudioArray] = field(default_factory=list)
    size: int = 0
    #: Everything before this sample is cut off (decoded or dropped as silence).
    cut: int = 0
    #: The next sample position at which to look (a multiple of the step).
    next_look: int = round(STEP_SECONDS * SAMPLE_RATE)
    heard_speech: bool = False
    _joined: AudioArray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    #: The last look's speech when it cut nothing off (absolute sample spans), and where that look ended.
    _open: tuple[list[tuple[int, int]], int] | None = None

    def add(self, samples: AudioArray) -> None:
        if samples.size:
            self.audio.append(samples)
            self.size += samples.size

    def samples(self, start: int, end: int) -> AudioArray:
        """Samples [start, end) of the recording."""
        if self._joined.size < self.size:
            self._joined = np.concatenate([self._joined, *self.audio]) if self.audio else self._joined
            self.audio = []
        return self._joined[start:end]

    def stretches(self) -> Iterator[Stretch]:
        """The stretches that are finished in the audio added so far (looked at every STEP_SECONDS)."""
        step = round(STEP_SECONDS * SAMPLE_RATE)
        while self.next_look <= self.size:
            yield from self._look(self.next_look, final=False)
            self.next_look += step

    def tail(self) -> Iterator[Stretch]:
        """At the end of the recording: the stretches not yet finished, then everything is cut off."""
        yield from self.stretches()
        yield from self._look(self.size, final=True)

    def ending_now(self) -> Stretch | None:
        """The tail `tail()` would give if the recording ended at the last look, when all its speech is finished.

        None while speech is going on (or none is pending). If the recording goes on with only silence, the
        VAD finds the same speech (it reads the pending audio from the same sample, and a finished span's end
        does not move), so `tail()` gives exactly this stretch: decoding it ahead is decoding the tail.
        """
        if self._open is None:
            return None
        spans, until = self._open
        margin = round((MIN_SILENCE_MS - SPEECH_PAD_MS) / 1000 * SAMPLE_RATE)
        start, end = spans[0][0], spans[-1][1]
        if end > until - margin or (end - start) / SAMPLE_RATE > MAX_STRETCH_SECONDS:
            return None
        return self._stretch(start, end, spans)

    def _look(self, until: int, *, final: bool) -> Iterator[Stretch]:
        self._open = None
        pending = self.samples(self.cut, until)
        spans = speech_spans(pending)
        if not spans:
            if final:
                self.cut = until
            else:
                self.cut = max(self.cut, until - round(KEEP_SILENCE_SECONDS * SAMPLE_RATE))
            return
        self.heard_speech = True
        base = self.cut
        if final:
            yield from self._split(base, [(base + a, base + b) for a, b in spans], base + spans[-1][1])
            self.cut = until
            return
        # A span that ends before the pending audio does was followed by a full pause: it is finished.
        margin = round((MIN_SILENCE_MS - SPEECH_PAD_MS) / 1000 * SAMPLE_RATE)
        finished = [(a, b) for a, b in spans if b <= len(pending) - margin]
        first = spans[0][0]
        if finished and (
            (finished[-1][1] - first) / SAMPLE_RATE >= MIN_STRETCH_SECONDS
            or (len(pending) - first) / SAMPLE_RATE >= MAX_STRETCH_SECONDS
        ):
            end = finished[-1][1]
            yield self._stretch(base + first, base + end, [(base + a, base + b) for a, b in finished])
            self.cut = base + end
        elif not finished and (len(pending) - first) / SAMPLE_RATE >= MAX_STRETCH_SECONDS:
            at = base + self._longest_pause(pending, first)
            yield self._stretch(base + first, at, [(base + first, at)])
            self.cut = at
        else:
            self._open = ([(base + a, base + b) for a, b in spans], until)

    def _split(self, base: int, spans: list[tuple[int, int]], end: int) -> Iterator[Stretch]:
        """The final stretch, cut at pauses if it is longer than Whisper's window (it rarely is)."""
        start = spans[0][0]
        while (end - start) / SAMPLE_RATE > MAX_STRETCH_SECONDS:
            at = start + self._longest_pause(self.samples(start, end), 0)
            yield self._stretch(start, at, [(max(a, start), min(b, at)) for a, b in spans if b > start and a < at])
            start = at
        yield self._stretch(start, end, [(max(a, start), b) for a, b in spans if b > start])

    def _longest_pause(self, pending: AudioArray, first: int) -> int:
        """Where to cut speech with no long pause: the middle of its longest short pause, else its quietest 0.1 s."""
        lo = first + round(MIN_CUT_PART_SECONDS * SAMPLE_RATE)
        hi = min(len(pending), first + round(MAX_STRETCH_SECONDS * SAMPLE_RATE)) - round(
            MIN_CUT_PART_SECONDS * SAMPLE_RATE / 2
        )
        if hi <= lo:
            return len(pending)
        fine = speech_spans(pending[first:hi], min_silence_ms=60, pad_ms=20)
        gaps = [(first + b, first + a2) for (_, b), (a2, _) in itertools.pairwise(fine)]
        gaps = [(a, b) for a, b in gaps if lo <= (a + b) // 2 <= hi]
        if gaps:
            a, b = max(gaps, key=lambda g: g[1] - g[0])
            return (a + b) // 2
        frame = SAMPLE_RATE // 10
        region = pending[lo:hi]
        count = max(1, len(region) // frame)
        energy = [float(np.mean(region[i * frame : (i + 1) * frame] ** 2)) for i in range(count)]
        return lo + int(np.argmin(energy)) * frame + frame // 2

    @staticmethod
    def _stretch(start: int, end: int, spans: list[tuple[int, int]]) -> Stretch:
        speech = tuple((a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in spans if b > a)
        return Stretch(start, end, speech)


class _Pipeline:
    """The segmenter and the decoder together, without threads: what live and file transcription share."""

    def __init__(
        self,
        transcriber: Transcriber,
        prompt: str | None,
        language: str | None,
        beam_size: int,
        cancel: threading.Event,
        look_ahead_max_load: float = LOOK_AHEAD_MAX_LOAD,
    ) -> None:
        self.transcriber = transcriber
        self.look_ahead_max_load = look_ahead_max_load
        self.prompt = prompt or None
        self.language = language
        self.beam_size = beam_size
        self.cancel = cancel
        self.segmenter = Segmenter()
        self.segments: list[Segment] = []
        self.warnings: list[str] = []
        self.retries = 0
        #: A stretch decoded ahead (the tail as it would be if the answer ended at the last look).
        self.ahead: tuple[Stretch, Decoded] | None = None
        self.decoded_ahead = 0
        self.tail_from_ahead = False
        #: Wall seconds spent decoding so far (to keep look-aheads to the decoder's spare time).
        self.decode_seconds = 0.0

    def _run(self, stretch: Stretch) -> Decoded:
        started = time.monotonic()
        try:
            return self._decode_stretch(stretch)
        finally:
            self.decode_seconds += time.monotonic() - started

    def _decode_stretch(self, stretch: Stretch) -> Decoded:
        return decode_stretch(
            self.transcriber,
            self.segmenter.samples(stretch.start, stretch.end),
            stretch.start / SAMPLE_RATE,
            stretch.speech,
            prompt=self.prompt,
            language=self.language,
            cancel=self.cancel,
            beam_size=self.beam_size,
        )

    def decode_ahead(self) -> bool:
        """Decode the stretch that would be the tail if the answer ended now; False when there is none to do."""
        stretch = self.segmenter.ending_now()
        if stretch is None or (self.ahead is not None and self.ahead[0] == stretch):
            return False
        if self.decode_seconds > self.look_ahead_max_load * self.segmenter.size / SAMPLE_RATE:
            return False  # no spare time: the stretches still to come need the decoder
        self.ahead = (stretch, self._run(stretch))
        self.decoded_ahead += 1
        return True

    def decode(self, stretch: Stretch) -> None:
        if self.ahead is not None and self.ahead[0] == stretch:
            decoded = self.ahead[1]
            self.tail_from_ahead = True
        else:
            decoded = self._run(stretch)
        self.ahead = None
        self.segments.extend(decoded.segments)
        self.retries += decoded.retried
        if decoded.warning:
            log.warning("%s", decoded.warning)
            self.warnings.append(decoded.warning)

    def transcript(self, *, final: bool) -> Transcript:
        segments = tuple(self.segments)
        return Transcript(
            text=join_segments(segments),
            segments=segments,
            duration=self.segmenter.size / SAMPLE_RATE,
            engine=self.transcriber.engine,
            model=self.transcriber.model,
            language=self.language or "en",
            no_speech=final and not self.segmenter.heard_speech,
            warnings=tuple(self.warnings),
        )


def transcribe_file(
    transcriber: Transcriber,
    audio: AudioInput,
    *,
    prompt: str | None = None,
    language: str | None = None,
    cancel: threading.Event | None = None,
    beam_size: int = 1,
) -> Transcript:
    """Transcribe a whole file or array with the live path's segmenter and decoding (the same text).

    Raises TranscriptionCancelled when `cancel` is set, and AudioError for an unreadable file.
    """
    samples = load_audio(audio)
    pipeline = _Pipeline(transcriber, prompt, language, beam_size, cancel or threading.Event())
    pipeline.segmenter.add(samples)
    for stretch in pipeline.segmenter.tail():
        if pipeline.cancel.is_set():
            raise TranscriptionCancelled("transcription cancelled")
        pipeline.decode(stretch)
        release_free_memory()  # as the live path does: each decode's buffers go back before the next
    return pipeline.transcript(final=True)


class LiveTranscriber:
    """Transcribes an answer while it is recorded: `feed` blocks as they come, `finish` after the last one.

    One decoding thread (started here) does all the VAD and model work; `feed` only hands the samples over.
    `on_update(transcript_so_far)` runs on that thread each time a stretch is decoded (word times are
    recording times). Typical use:

        live = LiveTranscriber(transcriber, prompt=card_prompt(deck, card), on_update=show)
        recorder = Recorder(path, on_audio=live.feed); recorder.start() ... recorder.stop()
        transcript = live.finish()            # in a worker: decodes only the tail
    """

    def __init__(
        self,
        transcriber: Transcriber,
        *,
        prompt: str | None = None,
        language: str | None = None,
        on_update: UpdateCallback | None = None,
        beam_size: int = 1,
        look_ahead_max_load: float = LOOK_AHEAD_MAX_LOAD,
    ) -> None:
        self.on_update = on_update
        self._cancelled = threading.Event()
        self._pipeline = _Pipeline(
            transcriber, prompt, language, beam_size, self._cancelled, look_ahead_max_load=look_ahead_max_load
        )
        self._lock = threading.Lock()
        self._incoming: list[AudioArray] = []
        self._wake = threading.Event()
        self._closing = False
        self._done = threading.Event()
        self._error: BaseException | None = None
        self._result: Transcript | None = None
        self._thread = threading.Thread(target=self._run, name="live-transcriber", daemon=True)
        self._thread.start()

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self._pipeline.warnings)

    @property
    def decoded_ahead(self) -> tuple[int, bool]:
        """(stretches decoded ahead, whether the tail at stop was one of them): for benchmarks and logs."""
        return self._pipeline.decoded_ahead, self._pipeline.tail_from_ahead

    def feed(self, samples: Float32Array) -> None:
        """Hand over the next block of 16 kHz mono float32 samples (any thread; returns at once)."""
        block = np.array(samples, dtype=np.float32, copy=True).reshape(-1)
        with self._lock:
            if self._closing:
                raise RuntimeError("feed() after finish(): a LiveTranscriber transcribes one recording")
            self._incoming.append(block)
        self._wake.set()

    def finish(self, cancel: threading.Event | None = None) -> Transcript:
        """After the last `feed`: decode the tail and return the whole transcript (blocks: call it in a worker).

        Raises TranscriptionCancelled if `cancel` (or `cancel()`) stops it first, and any error decoding met.
        """
        with self._lock:
            self._closing = True
        self._wake.set()
        while not self._done.wait(0.02):
            if cancel is not None and cancel.is_set():
                self.cancel()
        if self._error is not None:
            raise self._error
        if self._result is None:
            raise TranscriptionCancelled("transcription cancelled")
        return self._result

    def cancel(self) -> None:
        """Drop the pending work and stop the decoding thread (a decode in progress stops at its next step)."""
        self._cancelled.set()
        self._wake.set()

    def _take(self) -> tuple[bool, bool]:
        """Move fed blocks to the segmenter; returns (got any, closing)."""
        with self._lock:
            blocks, self._incoming = self._incoming, []
            closing = self._closing
        for block in blocks:
            self._pipeline.segmenter.add(block)
        return bool(blocks), closing

    def _run(self) -> None:
        pipeline = self._pipeline
        looked = pipeline.segmenter.next_look
        try:
            while not self._cancelled.is_set():
                if pipeline.segmenter.next_look != looked:  # the VAD or the model ran: give their buffers back
                    looked = pipeline.segmenter.next_look
                    release_free_memory()
                self._wake.wait(0.2)
                self._wake.clear()
                _, closing = self._take()
                for stretch in pipeline.segmenter.stretches():
                    self._decode(stretch)
                    self._take()
                if closing:
                    self._take()
                    for stretch in pipeline.segmenter.tail():
                        self._decode(stretch)
                    self._result = pipeline.transcript(final=True)
                    return
                with self._lock:
                    idle = not self._incoming
                if idle:
                    pipeline.decode_ahead()
        except TranscriptionCancelled:
            pass
        except BaseException as exc:  # handed to finish(), which raises it in the caller's thread
            log.exception("live transcription failed")
            self._error = exc
        finally:
            self._done.set()

    def _decode(self, stretch: Stretch) -> None:
        if self._cancelled.is_set():
            raise TranscriptionCancelled("transcription cancelled")
        self._pipeline.decode(stretch)
        if self.on_update is not None:
            try:
                self.on_update(self._pipeline.transcript(final=False))
            except Exception:
                log.exception("on_update callback failed")


def feed_at_pace(
    live: LiveTranscriber, samples: AudioArray, *, block_seconds: float = 0.05, speed: float = 1.0
) -> float:
    """Feed `samples` to `live` as a microphone would: one block every `block_seconds / speed` of wall time.

    Returns `time.monotonic()` when the last block was fed (the end of the answer, for latency figures).
    """
    block = max(1, round(block_seconds * SAMPLE_RATE))
    started = time.monotonic()
    for start in range(0, samples.size, block):
        end = min(start + block, samples.size)
        # A microphone delivers a block once all of it has been spoken.
        delay = started + end / SAMPLE_RATE / speed - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        live.feed(samples[start:end])
    return time.monotonic()
