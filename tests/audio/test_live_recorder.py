"""The recorder's `on_audio` hook: every sample written reaches live transcription, after it is on disk.

Real microphone (the PulseAudio virtual one), real FLAC file; the hook's consumer is a plain list here, the
live transcriber's own tests use the real one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.audio_helpers import private_pulse, record_while_playing
from trainer.audio import read_audio

pytestmark = [pytest.mark.audio]


@pytest.fixture(scope="module", autouse=True)
def private_mic(pulse_mic: dict[str, str]) -> Iterator[dict[str, str]]:
    with private_pulse() as env:
        yield env


def test_on_audio_gets_exactly_the_samples_written(hello_wav: Path, tmp_path: Path) -> None:
    out = tmp_path / "answer.flac"
    blocks: list[np.ndarray] = []
    recording = record_while_playing(hello_wav, out, on_audio=lambda samples: blocks.append(samples.copy()))
    assert recording.error is None and recording.speech_detected
    fed = np.concatenate(blocks)
    written, rate = read_audio(out)
    assert rate == 16_000 and fed.dtype == np.float32
    assert fed.size == written.size
    np.testing.assert_allclose(fed, written, atol=1 / 32768 + 1e-6)  # the file is 16-bit


def test_a_failing_on_audio_never_stops_the_recording(
    hello_wav: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(samples: np.ndarray) -> None:
        raise RuntimeError("consumer bug")

    recording = record_while_playing(hello_wav, tmp_path / "answer.flac", on_audio=broken)
    assert recording.error is None and recording.stopped_by in ("user", "time_limit")
    assert recording.duration >= sf.info(str(hello_wav)).duration
    assert "on_audio callback failed" in caplog.text
