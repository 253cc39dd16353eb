"""The Recorder against a real (virtual) microphone: what is played into it comes back in the file.

PulseAudio's `vmic` hears whatever plays on `vspeaker`; espeak-ng speech played with paplay is recorded
and compared sample by sample with the source.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.audio_helpers import (
    REPO,
    align,
    envelope_db,
    play_into_mic,
    private_pulse,
    record_and_kill,
    record_while_playing,
    similarity,
    to_16k,
)
from trainer import audio
from trainer.audio import Recorder

pytestmark = pytest.mark.audio


@pytest.fixture(scope="module", autouse=True)
def private_mic(pulse_mic: dict[str, str]) -> Iterator[dict[str, str]]:
    """This module records on a PulseAudio server of its own (same devices, started by scripts/pulse.sh).

    Sound that other programs or concurrent test runs play on the shared server cannot leak into these
    recordings, and the sink is known to be the current (rewind-free) set-up.
    """
    with private_pulse() as env:
        yield env


def source_16k(wav: Path) -> np.ndarray:
    data, rate = sf.read(str(wav), dtype="float32")
    return to_16k(data, rate)


def test_recording_matches_the_speech_played_into_the_mic(answer_wav: Path, tmp_path: Path) -> None:
    levels: list[tuple[float, float]] = []
    finished: list[audio.Recording] = []
    out = tmp_path / "answer.flac"
    rec = record_while_playing(
        answer_wav, out, on_level=lambda r, p: levels.append((r, p)), on_finished=finished.append
    )

    assert rec.error is None and rec.stopped_by in ("user", "time_limit")
    assert rec.samplerate == 16_000 and rec.speech_detected
    assert finished == [rec], "on_finished gets the same Recording once"
    # Complete on disk after stop: a normal FLAC whose header knows its length.
    assert not audio.needs_recovery(out)
    info = sf.info(str(out))
    assert (info.samplerate, info.channels, info.format) == (16_000, 1, "FLAC")
    assert info.frames == round(rec.duration * 16_000)
    recorded, _ = audio.read_audio(out)
    source = source_16k(answer_wav)
    lag, _ = align(recorded, source)
    score = similarity(recorded, source)
    assert score > 0.9, f"recording does not match the source (similarity {score:.3f} at lag {lag})"
    # The whole answer is there: the recording reaches past the source's end.
    assert lag + len(source) <= len(recorded) + 800, "the end of the answer is missing"
    # The meter saw speech and silence, in dBFS.
    rms = [r for r, _ in levels]
    assert max(rms) > -30 and min(rms) < -60
    assert all(p >= r - 1e-6 for r, p in levels), "peak is never below RMS"


def test_device_that_refuses_16k_is_resampled(hello_wav: Path, tmp_path: Path) -> None:
    """Capture at 48 kHz (what many USB microphones insist on) and check the 16 kHz file against the source."""
    rec = record_while_playing(hello_wav, tmp_path / "hello.wav", device_samplerate=48_000)
    assert rec.samplerate == 16_000 and sf.info(str(rec.path)).samplerate == 16_000
    recorded, _ = audio.read_audio(rec.path)
    assert similarity(recorded, source_16k(hello_wav)) > 0.9


def test_time_limit_cuts_at_exactly_max_seconds(tmp_path: Path) -> None:
    with Recorder(tmp_path / "limit.flac", max_seconds=1.25) as recorder:
        result = recorder.wait(timeout=10)
    assert result is not None and result.stopped_by == "time_limit" and result.error is None
    assert result.duration == pytest.approx(1.25, abs=1e-9)
    assert sf.info(str(result.path)).frames == 20_000


def test_silence_after_speech_stops_the_recording(hello_wav: Path, tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "silence.wav", max_seconds=20, silence_stop_seconds=1.0)
    recorder.start()
    assert recorder.wait_for_audio(10)
    time.sleep(1.2)  # silence before speaking must not stop it
    assert recorder.is_recording
    play_into_mic(hello_wav)
    result = recorder.wait(timeout=10)
    assert result is not None, "silence did not stop the recording"
    assert result.stopped_by == "silence" and result.speech_detected
    # Speech, then about one second of silence: the file ends there, long before the 20 s limit.
    levels = envelope_db(audio.read_audio(result.path)[0], 16_000, window=0.25)
    assert max(levels[-4:]) < -40 and max(levels) > -30
    assert result.duration < 10


def test_stop_from_several_threads_is_safe_and_idempotent(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "stop.flac", max_seconds=30)
    recorder.start()
    assert recorder.wait_for_audio(10)
    results: list[audio.Recording | None] = []
    threads = [threading.Thread(target=lambda: results.append(recorder.stop())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(results) == 4 and len({id(r) for r in results}) == 1
    result = results[0]
    assert result is not None and result.stopped_by == "user" and not recorder.is_recording
    assert recorder.stop() is result
    with pytest.raises(RuntimeError, match="already started"):
        recorder.start()


def test_unknown_device_names_the_available_ones(tmp_path: Path) -> None:
    with pytest.raises(audio.NoInputDevice, match=r"no input device .*matches 'no such mic'.*available: .*default"):
        Recorder(tmp_path / "x.flac", device="no such mic").start()
    assert not (tmp_path / "x.flac").exists()


def test_unsupported_file_type_is_refused_before_recording(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"use one of \.flac, \.wav"):
        Recorder(tmp_path / "x.mp3")


def test_list_devices_marks_the_defaults() -> None:
    devices = audio.list_devices()
    default_in = [d for d in devices if d.is_default_input]
    assert len(default_in) == 1 and default_in[0].input_channels >= 1
    assert audio.find_device(None, "input") == default_in[0]
    assert audio.find_device(default_in[0].index, "input") == default_in[0]


# ------------------------------------------------------------------------------------- crash safety


@pytest.mark.parametrize("suffix", [".flac", ".wav"])
def test_file_survives_kill_9_of_the_recording_process(suffix: str, answer_wav: Path, tmp_path: Path) -> None:
    """kill -9 mid-answer: the file holds the answer up to (almost) that moment.

    WAV is readable as is; FLAC needs `recover()` (its header still says "length unknown").
    """
    out = tmp_path / f"killed{suffix}"
    elapsed = record_and_kill(answer_wav, out, 3.5)
    if suffix == ".flac":
        assert audio.needs_recovery(out)
        duration = audio.recover(out)
        assert not audio.needs_recovery(out)
    else:
        assert not audio.needs_recovery(out)
        duration = sf.info(str(out)).duration
    # Measured: WAV loses nothing, FLAC 0.03-0.09 s (its last, torn block); margin for a busy machine.
    assert elapsed - 0.3 <= duration <= elapsed + 0.15, (elapsed, duration)
    recorded, _ = audio.read_audio(out)
    assert len(recorded) == round(duration * 16_000)
    assert similarity(recorded, source_16k(answer_wav)) > 0.85, "what was recorded before the kill is the answer"


def test_recover_leaves_a_complete_file_alone(tmp_path: Path) -> None:
    with Recorder(tmp_path / "ok.flac", max_seconds=0.5) as recorder:
        recorder.wait(10)
    before = (tmp_path / "ok.flac").stat().st_mtime_ns
    assert audio.recover(tmp_path / "ok.flac") == pytest.approx(0.5)
    assert (tmp_path / "ok.flac").stat().st_mtime_ns == before


# ------------------------------------------------------------------------------- losing the device


def test_sound_server_dying_mid_recording_keeps_the_audio(answer_wav: Path, tmp_path: Path) -> None:
    """The device vanishes (PulseAudio killed): the recording ends with DeviceLost and keeps what it had."""
    finished = threading.Event()
    with private_pulse() as env:
        recorder = Recorder(tmp_path / "lost.flac", max_seconds=30, on_finished=lambda r: finished.set())
        recorder.start()
        assert recorder.wait_for_audio(10)
        player = play_into_mic(answer_wav, wait=False)
        try:
            while recorder.elapsed < 2.5:
                time.sleep(0.02)
            at_kill = recorder.elapsed
            subprocess.run(["pulseaudio", "--kill"], env=env, check=True, timeout=10)
            result = recorder.wait(timeout=10)
        finally:
            player.terminate()
            player.wait(10)
    assert result is not None, "the recorder did not notice the device going away"
    assert finished.is_set()
    assert result.stopped_by == "error" and isinstance(result.error, audio.DeviceLost)
    assert "kept" in str(result.error) and str(result.path) in str(result.error)
    assert at_kill - 0.1 <= result.duration <= at_kill + 1.0
    # Closed properly by the recorder: readable without recovery, and it is the answer's start.
    assert not audio.needs_recovery(result.path)
    assert similarity(audio.read_audio(result.path)[0], source_16k(answer_wav)) > 0.85


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_record_stops_at_the_limit_and_reports_the_file(tmp_path: Path) -> None:
    out = tmp_path / "cli.flac"
    result = subprocess.run(
        [sys.executable, "-m", "trainer", "record", "--seconds", "1.5", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{out}: 1.5 s (time limit)"
    assert "speak now" in result.stderr
    assert sf.info(str(out)).frames == 24_000


def test_cli_record_ctrl_c_stops_and_keeps_the_file(hello_wav: Path, tmp_path: Path) -> None:
    out = tmp_path / "interrupted.wav"
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainer", "record", "--seconds", "60", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # SIGABRT then prints every thread's stack
        # As in a terminal: a suite started in the background inherits SIGINT ignored, and Python then never
        # raises KeyboardInterrupt (a CI run started with `&` hung here).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    assert "speak now" in proc.stderr.readline()
    play_into_mic(hello_wav)
    proc.send_signal(signal.SIGINT)
    try:
        stdout, stderr = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        _, stacks = proc.communicate(timeout=30)
        pytest.fail(f"`trainer record` still running 30 s after Ctrl+C; its threads:\n{stacks[-6000:]}")
    assert proc.returncode == 0, stderr
    assert stdout.startswith(f"{out}: ") and stdout.strip().endswith("(stopped)")
    recorded, _ = audio.read_audio(out)
    assert similarity(recorded, source_16k(hello_wav)) > 0.85
