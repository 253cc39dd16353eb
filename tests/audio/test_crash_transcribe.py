"""A recording cut off by a crash (`kill -9` of the recording process) can still be transcribed.

The killed FLAC file's header still says "length unknown"; soundfile alone fails on it with
`ValueError: array is too big`. Transcription reads what is on disk into memory (`trainer.audio.read_audio`,
the file untouched) and hears the words spoken before the kill. Everything here is real: the Recorder in its
own process, speech played into the PulseAudio virtual microphone, SIGKILL, and the tiny.en model through
faster-whisper.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf

from tests.audio.conftest import SHORT_ANSWER
from tests.audio_helpers import private_pulse, record_and_kill
from trainer import audio
from trainer.asr import Transcriber, load_transcriber
from trainer.asr.wer import word_error_rate, words

pytestmark = [pytest.mark.audio, pytest.mark.speech]

#: Seconds of recording before the kill: the microphone delivers the first sound after ~1.5 s, so about
#: three seconds of the answer are on disk ("Dependency injection in FastAPI works through the ...").
KILL_AFTER = 4.5


@pytest.fixture(scope="module", autouse=True)
def private_mic(pulse_mic: dict[str, str]) -> Iterator[dict[str, str]]:
    """Record on a PulseAudio server of this module's own, so other tests' sounds cannot leak in."""
    with private_pulse() as env:
        yield env


@pytest.fixture(scope="module")
def tiny() -> Transcriber:
    return load_transcriber("faster-whisper", "tiny.en")


def test_recording_killed_by_kill_9_transcribes_to_the_words_before_the_kill(
    answer_wav: Path, tmp_path: Path, tiny: Transcriber
) -> None:
    crashed = tmp_path / "killed.flac"
    elapsed = record_and_kill(answer_wav, crashed, KILL_AFTER)
    assert audio.needs_recovery(crashed), "the killed FLAC should still say 'length unknown'"
    with pytest.raises(ValueError, match="array is too big"):  # the bug: what reading it directly does
        sf.read(str(crashed), dtype="float32")

    before = crashed.read_bytes()
    transcript = tiny.transcribe(crashed)  # a path: the engine reads the torn file itself, into memory

    assert crashed.read_bytes() == before, "transcribing must not modify the recording"
    assert elapsed - 0.3 <= transcript.duration <= elapsed + 0.15, (elapsed, transcript.duration)
    heard = words(transcript.text.replace("fast API", "FastAPI"))  # tiny.en's usual spelling, not a loss
    spoken = words(SHORT_ANSWER)
    print(f"\nkilled after {elapsed:.2f} s, transcript {transcript.duration:.2f} s: {transcript.text!r}")
    assert len(heard) >= 4, transcript.text
    # The start of the answer was heard (measured: "dependency injection in fast API works through the
    # dependency function. A free." after 4.5 s), and nothing of its end, which was played after the kill.
    assert {"dependency", "injection", "works", "through"} <= set(heard), transcript.text
    assert heard[:2] == ["dependency", "injection"], transcript.text
    assert not {"operation", "passes", "result"} & set(heard), transcript.text
    # Word error rate against as many words of the answer as were heard, the last (torn) one left out.
    wer = word_error_rate(" ".join(spoken[: len(heard) - 1]), " ".join(heard[:-1]))
    print(f"WER of the heard words against the start of the answer: {wer:.3f}")
    assert wer <= 0.4, (wer, transcript.text)
