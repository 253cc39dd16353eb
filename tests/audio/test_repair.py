"""Reading and repairing torn recordings never destroys audio (issue 9, item 1).

Reading a FLAC file whose header says "length unknown" (killed writer, a file still being recorded, or one
that ffmpeg/sox wrote to a pipe) decodes it into memory and leaves the file alone; only `recover()` rewrites
one of the app's own finished recordings, never one a recorder is still writing.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from trainer import audio
from trainer.asr import load_audio
from trainer.audio import Recorder, RecordingInProgress


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tone(seconds: float, rate: int = audio.SAMPLERATE, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return np.stack([mono * (c + 1) / channels for c in range(channels)], axis=1)


def torn_copy(folder: Path, frames: np.ndarray, rate: int, subtype: str = "PCM_16", name: str = "torn.flac") -> Path:
    """A FLAC file as a crash or a pipe leaves it: frames on disk, header still saying "length unknown"."""
    live = sf.SoundFile(folder / "writing.flac", "w", rate, frames.shape[1], format="FLAC", subtype=subtype)
    live.write(frames)
    live.flush()
    shutil.copy(folder / "writing.flac", folder / name)
    live.close()
    return folder / name


def test_reading_a_torn_file_a_user_gave_does_not_modify_it(tmp_path: Path) -> None:
    """`trainer transcribe FILE` on a stereo 24-bit pipe-written FLAC: read in memory, the file untouched."""
    stereo = _tone(2.0, 44_100, channels=2)
    torn = torn_copy(tmp_path, stereo, 44_100, subtype="PCM_24")
    before = _digest(torn)

    samples = load_audio(torn)

    assert 1.5 * audio.SAMPLERATE <= samples.size <= 2 * audio.SAMPLERATE
    assert _digest(torn) == before, "reading changed the user's file"
    assert audio.needs_recovery(torn)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["torn.flac", "writing.flac"], "a temp file was left"


def test_reading_keeps_every_channel_when_asked(tmp_path: Path) -> None:
    torn = torn_copy(tmp_path, _tone(1.0, channels=2), audio.SAMPLERATE)
    frames, rate = audio.read_audio(torn, mono=False)
    assert rate == audio.SAMPLERATE and frames.shape[1] == 2
    # The second channel is twice the first: both were read, not the first one twice.
    np.testing.assert_allclose(frames[:, 1], 2 * frames[:, 0], atol=2e-4)


def test_recover_keeps_channels_and_sample_format(tmp_path: Path) -> None:
    torn = torn_copy(tmp_path, _tone(1.0, 48_000, channels=2), 48_000, subtype="PCM_24")
    duration = audio.recover(torn)
    info = sf.info(str(torn))
    assert not audio.needs_recovery(torn)
    assert (info.channels, info.samplerate, info.subtype) == (2, 48_000, "PCM_24")
    assert duration == pytest.approx(info.duration) and 0.9 <= duration <= 1.0


def test_two_recoveries_of_one_file_at_once_both_succeed(tmp_path: Path) -> None:
    """Each recovery writes its own unique temporary file: neither sees the other's half-written copy."""
    torn = torn_copy(tmp_path, _tone(3.0), audio.SAMPLERATE)
    expected, _ = audio.read_audio(torn)
    results: list[float | BaseException] = []

    def run() -> None:
        try:
            results.append(audio.recover(torn))
        except BaseException as exc:
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, float) for r in results), results
    repaired, _ = audio.read_audio(torn)
    np.testing.assert_array_equal(repaired, expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["torn.flac", "writing.flac"], "a temp file was left"


@pytest.mark.audio
def test_a_recording_being_written_is_never_repaired_and_keeps_everything(tmp_path: Path) -> None:
    """The issue's data loss: Play or "Transcribe again" during a recording swapped the file under the recorder."""
    path = tmp_path / "answer.flac"
    recorder = Recorder(path)
    recorder.start()
    try:
        assert recorder.wait_for_audio(10)
        time.sleep(1.0)
        assert audio.is_being_recorded(path)
        assert audio.needs_recovery(path)
        with pytest.raises(RecordingInProgress):
            audio.recover(path)
        early, _ = audio.read_audio(path, repair=True)  # asking for a repair changes nothing while recording
        load_audio(path)
        time.sleep(1.0)
    finally:
        result = recorder.stop()
    assert result is not None and result.error is None
    assert not audio.is_being_recorded(path)
    assert not audio.needs_recovery(path), "the recorder closed its own file properly"
    whole, _ = audio.read_audio(path)
    # Everything recorded after the read is still in the file (the read did not unlink it).
    assert len(whole) == round(result.duration * audio.SAMPLERATE)
    assert result.duration >= 1.9 and len(whole) > len(early) + 0.8 * audio.SAMPLERATE


@pytest.mark.audio
def test_stop_asked_while_the_device_is_opening_never_waits(tmp_path: Path) -> None:
    """Space or Esc on the GUI thread calls `request_stop` while `start` opens the device (1-2 s on PulseAudio).

    The PortAudio lock is held here as a device refresh elsewhere holds it, so `start` waits for it; the stop
    request must not wait with it, and the recording ends as soon as it runs, keeping its file.
    """
    recorder = Recorder(tmp_path / "answer.flac")
    errors: list[BaseException] = []

    def start() -> None:
        try:
            recorder.start()
        except BaseException as exc:
            errors.append(exc)

    with audio._pa_lock:  # what a PortAudio refresh or another stream opening holds meanwhile
        starter = threading.Thread(target=start)
        starter.start()
        time.sleep(0.3)  # `start` is now waiting inside
        asked = time.monotonic()
        recorder.request_stop("user")
        waited = time.monotonic() - asked
        time.sleep(0.2)
    starter.join(15)
    assert not errors, errors
    assert waited < 0.05, f"request_stop waited {waited:.2f} s for the device to open"
    result = recorder.wait(10)
    assert result is not None and result.stopped_by == "user" and result.error is None
    assert result.path.is_file() and result.duration < 0.5  # stopped before (almost) any audio; "flow" handles that
