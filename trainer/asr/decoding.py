"""Decoding one stretch of speech so it can be trusted: guards against loops and dropped speech.

tiny.en decoding a long answer can loop ("I would say, I would say, ...") or stop early and silently drop the
rest (issue 7). Each stretch the segmenter cuts (`trainer.asr.live`) is decoded deterministically with the card
prompt; the result is checked for a loop (gzip compression ratio, a phrase repeated back to back) and for
speech the words do not cover (the VAD's speech against the word timestamps). A failing stretch is decoded again
without the prompt; if that fails too, the better of the two is kept, its repeats removed, and a warning says
which seconds may be wrong.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from trainer.asr.base import SAMPLE_RATE, AudioArray, Segment, Transcriber, Word
from trainer.asr.prompt import prompt_terms

#: Whisper's own threshold: text that gzip compresses more than this is repetitive.
LOOP_COMPRESSION_RATIO = 2.4
#: A phrase of up to this many words repeated back to back ...
MAX_LOOP_PHRASE = 8
#: ... this many times (a single word: one more) is a loop, not emphasis ("no, no" is fine).
LOOP_REPEATS = 3
#: Word timestamps are approximate: speech within this many seconds of a word counts as covered by it.
COVER_TOLERANCE = 0.4
#: A word covers at most this much speech: when a decode stops early, the alignment can stretch its last word
#: over all the speech left (openai-whisper once gave "call" 8.1-14.6 s and dropped 28 words after it).
MAX_WORD_SECONDS = 1.5
#: Speech left without words beyond this many seconds (and this share of the stretch's speech) is "dropped".
MAX_UNCOVERED_SECONDS = 1.0
MAX_UNCOVERED_SHARE = 0.15

#: This many of the prompt's terms, each alone between commas and in the prompt's order, are the prompt read back.
ECHO_TERMS = 3

#: A segment whose words average less time than this is a hallucination, not speech.
MIN_SECONDS_PER_WORD = 0.1

_WORD = re.compile(r"[\w']+")


@dataclass(frozen=True)
class Decoded:
    """A decoded stretch in recording time, and a warning when the guards could not make it whole."""

    segments: tuple[Segment, ...]
    warning: str | None = None
    retried: bool = False


def compression_ratio(text: str) -> float:
    """Bytes of text per byte of its zlib compression (whisper's loop measure); 0 for no text."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _norm(words: Sequence[str]) -> list[str]:
    return ["".join(_WORD.findall(w.casefold())) for w in words]


def loop_span(words: Sequence[str]) -> tuple[int, int, int] | None:
    """(start, phrase length, repeats) of the first phrase said LOOP_REPEATS+ times in a row, or None."""
    norm = _norm(words)
    for n in range(1, MAX_LOOP_PHRASE + 1):
        needed = LOOP_REPEATS + (1 if n == 1 else 0)
        for i in range(0, len(norm) - n * needed + 1):
            phrase = norm[i : i + n]
            if not any(phrase):
                continue
            repeats = 1
            while norm[i + repeats * n : i + (repeats + 1) * n] == phrase:
                repeats += 1
            if repeats >= needed:
                return i, n, repeats
    return None


def is_loop(text: str) -> bool:
    """Whether text looks like a decoding loop (very compressible, or a phrase repeated back to back)."""
    return compression_ratio(text) > LOOP_COMPRESSION_RATIO or loop_span(text.split()) is not None


def drop_repeats(words: Sequence[Word]) -> tuple[Word, ...]:
    """The words with every looped phrase kept once (what a stretch that still loops after a retry keeps)."""
    kept = list(words)
    while (found := loop_span([w.text for w in kept])) is not None:
        start, n, repeats = found
        del kept[start + n : start + n * repeats]
    return tuple(kept)


def uncovered_seconds(words: Sequence[Word], speech: Sequence[tuple[float, float]]) -> float:
    """Seconds of VAD speech not within COVER_TOLERANCE of any word (all times on the same clock)."""
    covers = sorted(
        (w.start - COVER_TOLERANCE, min(w.end, w.start + MAX_WORD_SECONDS) + COVER_TOLERANCE) for w in words
    )
    missing = 0.0
    for start, end in speech:
        covered = 0.0
        for a, b in covers:
            if b <= start:
                continue
            if a >= end:
                break
            covered += min(b, end) - max(a, start)
        # Overlapping word intervals can count twice: never report less than nothing missing.
        missing += max(0.0, (end - start) - covered)
    return missing


def prompt_echo(text: str, prompt: str | None) -> bool:
    """Whether text reads the prompt's term list back instead of the speech.

    On robotic speech tiny.en answered a 14 s stretch with "FastAPI, Maludate, Slicwest, ordinary Python type
    hints, and Pydantic, Uvicorn, Uvicorn," (the prompt is a comma list of terms). A candidate listing terms
    rarely gives ECHO_TERMS of them alone between commas in the prompt's own order; when one does, the stretch is
    only decoded once more without the prompt.
    """
    if not prompt:
        return False
    terms = [t.casefold() for t in prompt_terms(prompt)]
    order = {term: i for i, term in reversed(list(enumerate(terms)))}
    found = []
    for item in text.casefold().split(","):
        item = re.sub(r"^(and|or)\s+", "", item.strip(" .!?"))
        if item in order:
            found.append(order[item])
    # The longest run in the prompt's order (a term may repeat: "Uvicorn, Uvicorn").
    best = [1] * len(found)
    for i in range(len(found)):
        for j in range(i):
            if found[j] <= found[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0) >= ECHO_TERMS


def problem(
    segments: Sequence[Segment], speech: Sequence[tuple[float, float]], prompt: str | None = None
) -> str | None:
    """Why a decoded stretch cannot be trusted ("loop", "prompt echo", "dropped speech"), or None when whole."""
    words = [w for s in segments for w in s.words]
    text = " ".join(s.text for s in segments)
    if is_loop(text):
        return "loop"
    if prompt_echo(text, prompt):
        return "prompt echo"
    total = sum(end - start for start, end in speech)
    missing = uncovered_seconds(words, speech)
    if missing > MAX_UNCOVERED_SECONDS and missing > MAX_UNCOVERED_SHARE * total:
        return "dropped speech"
    return None


def decode_stretch(
    transcriber: Transcriber,
    samples: AudioArray,
    offset: float,
    speech: Sequence[tuple[float, float]],
    *,
    prompt: str | None,
    language: str | None,
    cancel: threading.Event | None = None,
    beam_size: int = 1,
) -> Decoded:
    """Decode `samples` (a stretch starting `offset` s into the recording) and check it against `speech`.

    `speech` is the VAD's speech in the stretch, in recording seconds. Times in the result are recording times.
    """

    speech_end = max(end for _, end in speech) - offset if speech else None

    def run(with_prompt: str | None) -> tuple[tuple[Segment, ...], str | None]:
        raw = transcriber.transcribe(
            samples,
            prompt=with_prompt,
            beam_size=beam_size,
            cancel=cancel,
            language=language,
            speech_end=speech_end,
        ).segments
        segments = tuple(_shift(s, offset) for s in raw if plausible(s))
        return segments, problem(segments, speech, with_prompt)

    segments, trouble = run(prompt)
    if trouble is None:
        return Decoded(segments)
    if prompt:
        plain, plain_trouble = run(None)
        if plain_trouble is None:
            return Decoded(plain, retried=True)
        # Both fail: a loop or the prompt read back is worse than a gap (it invents words): prefer the plain one.
        if trouble in ("loop", "prompt echo") and plain_trouble != "loop":
            segments, trouble = plain, plain_trouble
    if trouble == "loop":
        segments = tuple(_without_repeats(s) for s in segments)
    end = offset + samples.size / SAMPLE_RATE
    what = WHAT_WENT_WRONG.get(trouble, "may have missed words")
    return Decoded(segments, warning=f"{offset:.1f}-{end:.1f} s: the speech model {what} here", retried=bool(prompt))


WHAT_WENT_WRONG = {"loop": "repeated itself", "prompt echo": "read its vocabulary list back"}


def plausible(segment: Segment) -> bool:
    """Whether a decoded segment could have been said: it has words, and they take time to say.

    tiny.en ends many stretches with a made-up "Thank you." / "Bye." / "." squeezed into the last few
    hundredths of a second (measured: 0.02-0.08 s for one or two words); nobody says a word in under 0.1 s.
    """
    if not _WORD.search(segment.text):
        return False
    count = len(segment.words) or len(segment.text.split())
    return segment.end - segment.start >= MIN_SECONDS_PER_WORD * count


def _shift(segment: Segment, offset: float) -> Segment:
    """A segment moved from stretch time to recording time."""
    words = tuple(Word(w.start + offset, w.end + offset, w.text, w.probability) for w in segment.words)
    return Segment(segment.start + offset, segment.end + offset, segment.text.strip(), words)


def _without_repeats(segment: Segment) -> Segment:
    if not segment.words:
        return segment
    words = drop_repeats(segment.words)
    return Segment(segment.start, segment.end, " ".join(w.text for w in words), words)
