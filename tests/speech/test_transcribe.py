"""Real transcriptions with tiny.en through both engines: key terms, agreement, prompts, cancellation."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.speech.conftest import ENGINES, PROMPT, spoken_text, terms_of
from trainer.asr import SAMPLE_RATE, Transcriber, Transcript, TranscriptionCancelled, load_audio
from trainer.asr.live import transcribe_file
from trainer.asr.wer import contains_term, term_recall, word_error_rate

pytestmark = pytest.mark.speech

Clip = Callable[[str, str], Path]
Loader = Callable[..., Transcriber]


@pytest.mark.parametrize("engine", ENGINES)
def test_piper_answer_contains_the_cards_key_terms(engine: str, clip: Clip, transcriber_for: Loader) -> None:
    transcript = transcriber_for(engine).transcribe(clip("piper", "validation"), prompt=PROMPT)

    missing = [t for t in terms_of("validation") if not contains_term(transcript.text, t)]
    assert not missing, f"{engine} missed {missing}: {transcript.text}"
    assert word_error_rate(spoken_text("validation"), transcript.text) < 0.15
    assert (transcript.engine, transcript.model, transcript.language) == (engine, "tiny.en", "en")
    assert transcript.duration == pytest.approx(22.6, abs=1.5)


@pytest.mark.parametrize("engine", ENGINES)
def test_segments_and_words_are_timed_in_order(engine: str, clip: Clip, transcriber_for: Loader) -> None:
    transcript = transcriber_for(engine).transcribe(clip("piper", "validation"))

    words = transcript.words
    assert len(words) >= 0.9 * len(spoken_text("validation").split())
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= transcript.duration + 0.5 for w in words)
    assert all(0 < w.probability <= 1 for w in words)
    assert transcript.segments[0].start < 2.0  # nothing skipped at the start
    assert transcript.segments[-1].end > transcript.duration - 3.0  # nor at the end
    assert transcript.text == " ".join(s.text for s in transcript.segments)
    # What storage keeps survives JSON unchanged.
    assert Transcript.from_dict(json.loads(json.dumps(transcript.to_dict()))) == transcript


def test_both_engines_agree_on_the_same_clip(clip: Clip, transcriber_for: Loader) -> None:
    """The converted openai-whisper checkpoint is the same model: transcripts differ by at most a word or two."""
    audio = load_audio(clip("piper", "validation"))
    faster = transcriber_for("faster-whisper").transcribe(audio, prompt=PROMPT)
    reference = transcriber_for("openai-whisper").transcribe(audio, prompt=PROMPT)

    assert word_error_rate(reference.text, faster.text) <= 0.1, (faster.text, reference.text)


def test_longer_piper_answer_through_the_default_engine(clip: Clip, transcriber_for: Loader) -> None:
    transcript = transcriber_for("faster-whisper").transcribe(clip("piper", "dependencies"), prompt=PROMPT)

    assert term_recall(transcript.text, terms_of("dependencies")) == 1.0, transcript.text
    assert word_error_rate(spoken_text("dependencies"), transcript.text) < 0.1
    assert transcript.segments[-1].end > 45


@pytest.mark.parametrize(
    "engine",
    [
        pytest.param(
            e,
            marks=pytest.mark.xfail(
                strict=True,
                reason="issue 7: on this espeak clip the prompt's only term gains came from a stretch where tiny.en "
                "read the prompt's list back ('FastAPI, Maludate, ..., Pydantic, Uvicorn'); with that read-back "
                "caught and decoded again without the prompt, prompted and plain recall are equal (0.6)",
            ),
        )
        if e == "faster-whisper"
        else e
        for e in ENGINES
    ],
)
def test_vocabulary_prompt_improves_key_term_recall_on_robotic_speech(
    engine: str, clip: Clip, transcriber_for: Loader
) -> None:
    """espeak says "FastAPI" and "Pydantic" so that tiny.en writes "fast API" and "pedantic" unless prompted.

    Through the app's pipeline (`transcribe_file`: stretches cut at pauses, deterministic decoding, guards): one
    raw call on the whole robotic clip with the prompt can stop after echoing it ("FastAPI, Maludate, ...")."""
    transcriber = transcriber_for(engine)
    audio = load_audio(clip("espeak", "validation"))
    plain = transcribe_file(transcriber, audio)
    prompted = transcribe_file(transcriber, audio, prompt=PROMPT)

    terms = terms_of("validation")
    assert term_recall(prompted.text, terms) > term_recall(plain.text, terms), (plain.text, prompted.text)
    assert contains_term(prompted.text, "FastAPI") and contains_term(prompted.text, "Pydantic")


@pytest.mark.parametrize("engine", ENGINES)
def test_vocabulary_prompt_keeps_the_words_around_the_terms(engine: str, clip: Clip, transcriber_for: Loader) -> None:
    """The words around the terms barely move (openai-whisper tends to continue the prompt's comma-list style,
    which costs a few punctuation-level words on this clip; docs/performance.md has the averages).

    On this robotic espeak clip tiny.en (faster-whisper) once read the prompt's term list back for a 14 s stretch
    (WER 0.49 against 0.28 unprompted); the decoding guard now catches that echo and decodes the stretch again
    without the prompt."""
    transcriber = transcriber_for(engine)
    audio = load_audio(clip("espeak", "validation"))
    plain = transcribe_file(transcriber, audio)
    prompted = transcribe_file(transcriber, audio, prompt=PROMPT)
    reference = spoken_text("validation")
    assert word_error_rate(reference, prompted.text) <= word_error_rate(reference, plain.text) + 0.05


def test_accepts_samples_at_any_rate_via_files(clip: Clip, transcriber_for: Loader, tmp_path: Path) -> None:
    """A 48 kHz stereo FLAC (what a microphone gives) transcribes like the 22 kHz mono WAV it came from."""
    import soundfile

    source = clip("piper", "validation")
    data, rate = soundfile.read(str(source), dtype="float32")
    positions = np.arange(0, data.size, rate / 48_000)
    upsampled = np.interp(positions, np.arange(data.size), data).astype(np.float32)
    stereo = np.stack([upsampled, 0.5 * upsampled], axis=1)
    flac = tmp_path / "answer.flac"
    soundfile.write(str(flac), stereo, 48_000)

    transcriber = transcriber_for("faster-whisper")
    from_flac = transcriber.transcribe(flac, prompt=PROMPT)
    from_wav = transcriber.transcribe(source, prompt=PROMPT)
    assert load_audio(flac).size == pytest.approx(load_audio(source).size, abs=SAMPLE_RATE // 100)
    assert word_error_rate(from_wav.text, from_flac.text) <= 0.05


@pytest.mark.parametrize("engine", ENGINES)
def test_cancel_stops_a_transcription_early(engine: str, clip: Clip, transcriber_for: Loader) -> None:
    transcriber = transcriber_for(engine)
    audio = load_audio(clip("espeak", "dependencies"))
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)

    started = time.perf_counter()
    timer.start()
    with pytest.raises(TranscriptionCancelled):
        transcriber.transcribe(audio, cancel=cancel)
    stopped_after = time.perf_counter() - started
    timer.join()

    assert stopped_after < 2.5, f"took {stopped_after:.1f} s to notice the cancel"
    # The transcriber is still usable afterwards.
    assert "FastAPI" in transcriber.transcribe(audio[: 8 * SAMPLE_RATE], prompt=PROMPT).text


@pytest.mark.parametrize("engine", ENGINES)
def test_cancel_set_beforehand_raises_at_once(engine: str, transcriber_for: Loader) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(TranscriptionCancelled):
        transcriber_for(engine).transcribe(np.zeros(SAMPLE_RATE, dtype=np.float32), cancel=cancel)


def test_silence_gives_an_empty_transcript(transcriber_for: Loader) -> None:
    transcript = transcriber_for("faster-whisper").transcribe(np.zeros(5 * SAMPLE_RATE, dtype=np.float32))
    assert transcript.text == ""
    assert transcript.duration == 5.0
