"""A WAV played with paplay comes back from the Recorder and transcribes to the same words.

The whole input path for real: Piper speaks an answer into a WAV, paplay plays it into the PulseAudio virtual
microphone, `Recorder` writes the FLAC, and the tiny.en model (faster-whisper) transcribes both the recording
and the source WAV through the app's pipeline, with the deck's vocabulary prompt. The recording must lose no
words: the two transcripts barely differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.audio_helpers import private_pulse, record_while_playing
from tests.speech.conftest import PROMPT, synthesise
from trainer.asr import load_transcriber
from trainer.asr.live import transcribe_file
from trainer.asr.wer import word_error_rate

pytestmark = [pytest.mark.audio, pytest.mark.speech]

ANSWER = (
    "Depends is how FastAPI does dependency injection. You declare a parameter with Depends and a function, "
    "and for every request FastAPI calls that function and passes its return value into your route, "
    "for example a database session or the current user."
)


@pytest.fixture(scope="module", autouse=True)
def private_mic(pulse_mic: dict[str, str]) -> Iterator[dict[str, str]]:
    """Record on a PulseAudio server of this module's own, so other tests' sounds cannot leak in."""
    with private_pulse() as env:
        yield env


def test_wav_played_into_the_mic_transcribes_to_the_same_words(tmp_path: Path) -> None:
    source = synthesise("piper", ANSWER, tmp_path / "answer.wav")
    recording = record_while_playing(source, tmp_path / "answer.flac")
    assert recording.error is None and recording.speech_detected

    tiny = load_transcriber("faster-whisper", "tiny.en")
    # With the vocabulary prompt: given the whole recording in one call, tiny.en used to stop after
    # "... dependency injection, U" (the recording starts with ~1.5 s of silence, the source WAV does not).
    # The VAD segmenter gives the model only the speech, so the prompt no longer cuts the answer short.
    from_source = transcribe_file(tiny, source, prompt=PROMPT).text
    from_mic = transcribe_file(tiny, recording.path, prompt=PROMPT).text

    between = word_error_rate(from_source, from_mic)
    mic_vs_text = word_error_rate(ANSWER, from_mic)
    source_vs_text = word_error_rate(ANSWER, from_source)
    print(f"\nsource WAV: {from_source!r}\nrecording:  {from_mic!r}")
    print(
        f"WER recording vs source transcript {between:.3f}; vs text: recording {mic_vs_text:.3f}, "
        f"source {source_vs_text:.3f}"
    )
    assert between <= 0.10, (between, from_source, from_mic)
    assert mic_vs_text <= source_vs_text + 0.10, (mic_vs_text, source_vs_text)
    assert mic_vs_text <= 0.20, (mic_vs_text, from_mic)
