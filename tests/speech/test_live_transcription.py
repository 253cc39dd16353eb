"""Live transcription and the one pipeline behind it: long answers whole, silence left alone, loops caught.

Real parts: Piper answers of distinct FastAPI sentences with pauses (bench/answers.py), the tiny.en model through
both engines, the real `trainer` process for `score FILE`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from trainer.asr import Transcriber, Transcript, Word, card_prompt, load_audio
from trainer.asr.decoding import drop_repeats, is_loop, loop_span, uncovered_seconds
from trainer.asr.live import LiveTranscriber, transcribe_file
from trainer.asr.wer import word_error_rate, words
from trainer.deck import load_deck

REPO = Path(__file__).resolve().parent.parent.parent
DECK = load_deck(REPO / "cards" / "fastapi.toml")
CARD = DECK.card("path-vs-query")
PROMPT = card_prompt(DECK, CARD)

Answer = Callable[[float], tuple[str, Path]]
TranscriberFor = Callable[..., Transcriber]


def assert_whole(source: str, transcript: Transcript, max_wer: float = 0.1) -> None:
    """The transcript says the source: low WER, no loop, the last sentence's words at the end, no flag."""
    wer = word_error_rate(source, transcript.text)
    print(
        f"\nWER {wer:.3f}, {len(words(transcript.text))} of {len(words(source))} words; end: {transcript.text[-120:]!r}"
    )
    assert wer <= max_wer, (wer, transcript.text)
    assert not is_loop(transcript.text), transcript.text
    assert transcript.warnings == (), transcript.warnings
    heard = set(words(transcript.text)[-40:])
    last_sentence = [w for w in words(source.rsplit(". ", 1)[-1]) if len(w) > 3]
    found = sum(w in heard for w in last_sentence)
    assert found >= 0.7 * len(last_sentence), (last_sentence, transcript.text[-200:])


# --- the guards, on text the issue measured ----------------------------------------------------------------


def test_the_loops_tiny_en_produced_are_caught_and_ordinary_text_is_not() -> None:
    looped = "So the route is async. I would say, I would say, I would say, I would say, I would say"
    assert is_loop(looped)
    assert is_loop("OK, OK, OK, OK, OK, OK, OK.")
    answer = (REPO / "tests" / "data" / "spoken" / "request_lifecycle.txt").read_text(encoding="utf-8")
    assert not is_loop(answer)
    assert not is_loop("No, no, that is not how Depends works.")
    found = loop_span(looped.split())
    assert found is not None and found[1] == 3  # the phrase "I would say,"


def test_the_prompt_read_back_is_caught_and_a_candidate_naming_terms_is_not() -> None:
    from trainer.asr.decoding import prompt_echo

    prompt = "FastAPI, Pydantic, Depends, async, await, threadpool, event loop, Uvicorn, Starlette"
    # What tiny.en gave for 14 s of robotic speech, given these terms.
    assert prompt_echo(
        "FastAPI, Maludate, Slicwest, ordinary Python type hints, and Pydantic, Uvicorn, Uvicorn,", prompt
    )
    assert not prompt_echo("I use FastAPI, Pydantic and Uvicorn in production.", prompt)
    assert not prompt_echo("Uvicorn, Starlette, FastAPI: that's the stack, from the bottom up.", prompt)
    assert not prompt_echo("FastAPI, Pydantic, Uvicorn", None)


def test_a_loop_that_survives_the_retry_is_kept_once_not_repeated() -> None:
    texts = ["It", "runs", "in", "the", "threadpool", "OK,", "OK,", "OK,", "OK,", "OK,", "then", "returns"]
    kept = drop_repeats([Word(i, i + 0.5, t, 0.9) for i, t in enumerate(texts)])
    assert [w.text for w in kept] == ["It", "runs", "in", "the", "threadpool", "OK,", "then", "returns"]


def test_speech_without_words_is_measured() -> None:
    said = [Word(0.5, 0.9, "Path", 0.9), Word(1.0, 1.4, "parameters", 0.9)]
    assert uncovered_seconds(said, [(0.4, 1.6)]) == 0.0
    # The model stopped early: 10 s of speech after its last word.
    assert uncovered_seconds(said, [(0.4, 1.6), (2.0, 12.0)]) == pytest.approx(10 - 0.0, abs=0.01)
    # ... or stopped early and the alignment stretched its last word over the rest (openai-whisper, measured).
    stretched = [*said, Word(1.5, 12.0, "call", 0.4)]
    assert uncovered_seconds(stretched, [(0.4, 1.6), (2.0, 12.0)]) == pytest.approx(12.0 - (1.5 + 1.5 + 0.4), abs=0.01)


# --- one pipeline ------------------------------------------------------------------------------------------


@pytest.mark.speech
def test_silence_gives_no_speech_without_calling_the_model(transcriber_for: TranscriberFor) -> None:
    rng = np.random.default_rng(7)
    hiss = (rng.standard_normal(16_000 * 8) * 0.003).astype(np.float32)  # 8 s of quiet room noise

    class NeverCalled:  # the VAD must gate the model: any call here is the bug
        engine, model = "faster-whisper", "tiny.en"

        def transcribe(self, *args: object, **kwargs: object) -> Transcript:
            raise AssertionError("the model was asked to transcribe silence")

    transcript = transcribe_file(NeverCalled(), hiss, prompt=PROMPT)  # type: ignore[arg-type]
    assert transcript.no_speech and transcript.text == "" and transcript.segments == ()
    live = LiveTranscriber(transcriber_for("faster-whisper"), prompt=PROMPT)
    live.feed(hiss)
    result = live.finish()
    assert result.no_speech and result.text == ""
    assert result.duration == pytest.approx(8.0)


@pytest.mark.speech
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_live_and_file_give_the_same_text_on_both_engines(
    engine: str, long_answer: Answer, transcriber_for: TranscriberFor
) -> None:
    source, wav = long_answer(30)
    samples = load_audio(wav)
    transcriber = transcriber_for(engine)
    updates: list[Transcript] = []
    live = LiveTranscriber(transcriber, prompt=PROMPT, on_update=updates.append)
    for start in range(0, samples.size, 800):  # 50 ms blocks, as the recorder hands them over
        live.feed(samples[start : start + 800])
    from_live = live.finish()
    from_file = transcribe_file(transcriber, wav, prompt=PROMPT)

    assert_whole(source, from_file, max_wer=0.12)
    assert word_error_rate(from_file.text, from_live.text) <= 0.05, (from_file.text, from_live.text)
    assert len(updates) >= 2 and updates[-1].text == from_live.text
    times = [w.start for w in from_live.words]
    assert times == sorted(times) and times[0] >= 0 and times[-1] <= from_live.duration  # recording time


@pytest.mark.speech
def test_cancel_stops_live_transcription(long_answer: Answer, transcriber_for: TranscriberFor) -> None:
    from trainer.asr import TranscriptionCancelled

    _, wav = long_answer(30)
    live = LiveTranscriber(transcriber_for("faster-whisper"), prompt=PROMPT)
    live.feed(load_audio(wav))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(TranscriptionCancelled):
        live.finish(cancel)


@pytest.mark.speech
def test_a_two_minute_answer_through_score_file_loses_nothing_at_the_end(long_answer: Answer) -> None:
    source, wav = long_answer(125)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "trainer",
            "score",
            "--deck",
            str(REPO / "cards" / "fastapi.toml"),
            "--card",
            CARD.id,
            str(wav),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ},
    )
    assert result.returncode == 0, result.stderr
    scored = json.loads(result.stdout)
    assert scored["duration"] >= 120
    transcript = Transcript(scored["transcript"], (), scored["duration"], "faster-whisper", "tiny.en", "en")
    assert_whole(source, transcript)
    assert scored["no_speech"] is False and scored["warnings"] == []


# --- the tail decoded ahead ---------------------------------------------------------------------------------


@pytest.mark.speech
def test_the_tail_decoded_during_the_last_pause_is_the_tail_decoded_at_stop(
    long_answer: Answer, transcriber_for: TranscriberFor
) -> None:
    """An answer ends in a pause: the tail is decoded during it, and that is exactly what stop would decode."""
    source, wav = long_answer(20)
    samples = load_audio(wav)
    # The answer as spoken up to 0.6 s after its last word (long_answer ends with a pause), then that silence
    # goes on for another second before the user presses stop.
    speech_end = _last_speech_end(samples)
    spoken, rest = samples[: speech_end + 9_600], np.zeros(16_000, dtype=np.float32)
    transcriber = transcriber_for("faster-whisper")
    # Fed faster than real time, so decoding looks like a larger share of the audio than it is: allow any.
    live = LiveTranscriber(transcriber, prompt=PROMPT, look_ahead_max_load=float("inf"))
    for start in range(0, spoken.size, 800):
        live.feed(spoken[start : start + 800])
    deadline = time.monotonic() + 60
    while live.decoded_ahead[0] == 0:  # the decoder goes idle once it has caught up, then decodes ahead
        assert time.monotonic() < deadline, "no stretch was decoded ahead"
        time.sleep(0.05)
    live.feed(rest)
    result = live.finish()
    assert live.decoded_ahead[1], "the tail at stop was decoded again instead of taken from the pause"
    from_file = transcribe_file(transcriber, np.concatenate([spoken, rest]), prompt=PROMPT)
    assert result.text == from_file.text
    assert_whole(source, result, max_wer=0.12)


def _last_speech_end(samples: np.ndarray) -> int:
    from trainer.asr.live import speech_spans

    return speech_spans(samples)[-1][1]


@pytest.mark.speech
def test_stopping_at_the_end_of_speech_keeps_every_word(long_answer: Answer, transcriber_for: TranscriberFor) -> None:
    """faster-whisper told where speech ends stops there, and loses no word the full decode would keep."""
    from trainer.asr.decoding import plausible
    from trainer.asr.live import Segmenter

    _, wav = long_answer(60)
    samples = load_audio(wav)
    segmenter = Segmenter()
    segmenter.add(samples)
    transcriber = transcriber_for("faster-whisper")
    for stretch in segmenter.tail():
        audio = samples[stretch.start : stretch.end]
        end = stretch.speech[-1][1] - stretch.start / 16_000
        stopped = transcriber.transcribe(audio, prompt=PROMPT, speech_end=end)
        full = transcriber.transcribe(audio, prompt=PROMPT)
        said = [w.text for s in full.segments if plausible(s) for w in s.words]
        assert [w.text for s in stopped.segments if plausible(s) for w in s.words] == said
