"""Real audio for tests: the PulseAudio virtual microphone, speech played into it, recordings compared.

`scripts/pulse.sh` starts a headless PulseAudio whose default output `vspeaker` is looped back into the
default input `vmic`, so `play_into_mic(wav)` (paplay) is heard by any recorder, ours or Qt's. Typical use:

    from tests.audio_helpers import pulse_mic, espeak_wav, record_while_playing   # pulse_mic is a fixture

    @pytest.mark.audio
    def test_x(pulse_mic: dict[str, str], tmp_path: Path) -> None:
        wav = espeak_wav("Hello there", tmp_path / "q.wav")
        rec = record_while_playing(wav, tmp_path / "answer.flac")
        assert similarity(audio.read_audio(rec.path)[0], to_16k(*sf.read(wav, dtype="float32"))) > 0.9

Importing `pulse_mic` into a conftest (or test module) makes the fixture available there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

from trainer import audio
from trainer.audio import Recorder, Recording, StreamResampler

REPO = Path(__file__).resolve().parent.parent
PULSE_SH = REPO / "scripts" / "pulse.sh"
#: PulseAudio's monitor source delivers the first audio this long after a stream starts (measured 1-1.4 s).
MIC_LATENCY = 1.5


class PulseUnavailable(RuntimeError):
    """The virtual microphone could not be started: audio tests must fail, not skip."""


def pulse_running(env: dict[str, str] | None = None) -> bool:
    """Whether a PulseAudio server answers (with the given environment)."""
    if shutil.which("pactl") is None:
        return False
    result = subprocess.run(
        ["pactl", "info"], env=env or os.environ.copy(), capture_output=True, text=True, timeout=10, check=False
    )
    return result.returncode == 0


def ensure_pulse() -> dict[str, str]:
    """Start the virtual microphone if needed (scripts/pulse.sh) and export its environment into this process.

    Returns the variables it exported. Raises `PulseUnavailable` with pulse.sh's own explanation on failure.
    """
    result = subprocess.run(["bash", str(PULSE_SH)], capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise PulseUnavailable(
            f"scripts/pulse.sh failed (exit {result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
        )
    exported: dict[str, str] = {}
    for line in result.stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            name, value = line.removeprefix("export ").split("=", 1)
            exported[name] = value
            os.environ[name] = value
    if not pulse_running():
        raise PulseUnavailable(f"scripts/pulse.sh succeeded but `pactl info` still fails ({exported})")
    # The server may have been (re)started since PortAudio last looked: let it see the devices again.
    audio.refresh_portaudio()
    return exported


@pytest.fixture(scope="session")
def pulse_mic() -> dict[str, str]:
    """The PulseAudio virtual microphone, running for the whole session; fails loudly if it cannot start."""
    try:
        return ensure_pulse()
    except PulseUnavailable as exc:
        pytest.fail(f"the PulseAudio virtual microphone is required for audio tests: {exc}", pytrace=False)


def stop_pulse(env: dict[str, str] | None = None) -> None:
    """Stop the PulseAudio server that `env` (default: this process's environment) points at; wait until gone."""
    env = env or os.environ.copy()
    subprocess.run(["pulseaudio", "--kill"], env=env, capture_output=True, timeout=10, check=False)
    deadline = time.monotonic() + 10
    while pulse_running(env) and time.monotonic() < deadline:
        time.sleep(0.1)
    if pulse_running(env):
        raise RuntimeError("PulseAudio did not stop")


@contextlib.contextmanager
def private_pulse() -> Iterator[dict[str, str]]:
    """A PulseAudio server of this process's own (same devices as scripts/pulse.sh), for the block only.

    This process (its PortAudio, and child processes started with the yielded environment) uses it
    instead of the shared server, so a test can stop or kill it (`stop_pulse(env)`) without pulling the
    sound server from under other tests or other programs. Afterwards the shared server is used again.
    """
    runtime = Path(tempfile.mkdtemp(prefix="pa-", dir="/tmp"))  # short: socket paths are limited to 108 bytes
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "PULSE_SERVER": f"unix:{runtime}/pulse/native"}
    result = subprocess.run(["bash", str(PULSE_SH)], env=env, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise PulseUnavailable(f"could not start a private PulseAudio: {result.stderr.strip()}")
    saved = {name: os.environ.get(name) for name in ("XDG_RUNTIME_DIR", "PULSE_SERVER")}
    os.environ.update({name: env[name] for name in saved})
    audio.refresh_portaudio()
    try:
        yield env
    finally:
        stop_pulse(env)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        audio.refresh_portaudio()
        shutil.rmtree(runtime, ignore_errors=True)


def espeak_wav(text: str, path: Path, wpm: int = 175, voice: str = "en-us") -> Path:
    """Synthesise `text` with espeak-ng into a WAV file (22.05 kHz mono)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(path), text], check=True, capture_output=True, timeout=60
    )
    return path


def play_into_mic(wav_path: Path, wait: bool = True) -> subprocess.Popen[bytes]:
    """Play a sound file on the default output (`vspeaker`), which the virtual microphone hears.

    With `wait=False` returns the running `paplay` process (terminate it to cut the sound short).
    """
    proc = subprocess.Popen(
        ["paplay", str(wav_path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE if wait else subprocess.DEVNULL
    )
    if wait:
        _, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"paplay {wav_path} failed: {err.decode(errors='replace').strip()}")
    return proc


def record_while_playing(
    wav_path: Path, out_path: Path, seconds: float | None = None, **recorder_options: Any
) -> Recording:
    """Record from the default microphone while `wav_path` plays into it; returns the finished Recording.

    `seconds` is the time limit (default: the sound's length plus the microphone latency and a margin);
    the recording stops earlier once playback is over and the latency has passed. Other keyword arguments
    go to `Recorder`.
    """
    length = sf.info(str(wav_path)).duration
    limit = seconds if seconds is not None else length + MIC_LATENCY + 1.5
    recorder = Recorder(out_path, max_seconds=limit, **recorder_options)
    recorder.start()
    try:
        if not recorder.wait_for_audio(timeout=10):
            raise RuntimeError("the microphone delivered no audio within 10 s")
        player = play_into_mic(wav_path, wait=False)
        player.wait(timeout=length + 30)
        # The last words reach the recorder after the microphone latency.
        result = recorder.wait(timeout=MIC_LATENCY + 1.0)
    finally:
        result = recorder.stop()
    assert result is not None
    return result


def to_16k(samples: npt.NDArray[Any], rate: int) -> npt.NDArray[np.float32]:
    """Resample a mono signal to 16 kHz (the recorder's rate) for comparisons."""
    if rate == audio.SAMPLERATE:
        return np.asarray(samples, dtype=np.float32)
    resampler = StreamResampler(rate)
    return np.concatenate([resampler.process(samples), resampler.flush()])


def align(recorded: npt.NDArray[Any], source: npt.NDArray[Any]) -> tuple[int, float]:
    """Best lag (samples; positive: the source starts later in the recording) and Pearson correlation there.

    Where the lag cuts off part of the source (recording started late), only the overlap is compared.
    """
    n = 1 << int(np.ceil(np.log2(len(recorded) + len(source))))
    xc = np.fft.irfft(np.fft.rfft(recorded, n) * np.conj(np.fft.rfft(source, n)), n)
    lag = int(np.argmax(np.abs(xc)))
    if lag > n // 2:
        lag -= n
    if lag >= 0:
        a, b = recorded[lag : lag + len(source)], source[: len(recorded) - lag]
    else:
        a, b = recorded[: len(source) + lag], source[-lag:]
    m = min(len(a), len(b))
    return lag, float(np.corrcoef(a[:m], b[:m])[0, 1]) if m > 1 else 0.0


def _log_spectrogram(x: npt.NDArray[Any], frame: int = 400, hop: int = 160) -> npt.NDArray[np.float64]:
    """Log-magnitude spectrogram (25 ms frames, 10 ms hop at 16 kHz), in dB."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) < frame:
        return np.zeros((0, frame // 2 + 1))
    count = 1 + (len(x) - frame) // hop
    frames = np.lib.stride_tricks.as_strided(x, (count, frame), (x.strides[0] * hop, x.strides[0]))
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(frame), axis=1))
    return np.asarray(20 * np.log10(spectrum + 1e-6), dtype=np.float64)


def similarity(recorded: npt.NDArray[Any], source: npt.NDArray[Any]) -> float:
    """How alike the recording is to the source where the source speaks: 1.0 identical, ~0.3 other speech.

    Correlation of log spectrograms after alignment, over the source's voiced frames. Not sample by sample:
    the virtual microphone (a PulseAudio null-sink monitor, resampled twice) now and then shifts phase for
    a few seconds on a busy machine (measured: whole-file waveform correlation from 0.999 down to 0.7
    between identical runs), which changes no word but ruins waveform correlation.
    """
    lag, _ = align(recorded, source)
    if lag >= 0:
        a, b = recorded[lag : lag + len(source)], source[: max(0, len(recorded) - lag)]
    else:
        a, b = recorded[: len(source) + lag], source[-lag:]
    m = min(len(a), len(b))
    sa, sb = _log_spectrogram(a[:m]), _log_spectrogram(b[:m])
    if len(sb) == 0:
        return 0.0
    voiced = sb.max(axis=1) > sb.max() - 50  # frames within 50 dB of the loudest
    va, vb = sa[voiced].ravel(), sb[voiced].ravel()
    if va.std() == 0 or vb.std() == 0:
        return 0.0
    return float(np.corrcoef(va, vb)[0, 1])


def envelope_db(samples: npt.NDArray[Any], rate: int, window: float = 0.25) -> list[float]:
    """RMS level in dBFS per `window` seconds: a cheap picture of where the speech is."""
    k = max(1, int(rate * window))
    return [
        audio.block_level(np.asarray(samples[i : i + k], dtype=np.float32)).rms_db for i in range(0, len(samples), k)
    ]


#: A recording process for crash tests: prints "live" once audio flows, then its elapsed seconds.
KILL_TARGET = """
import sys, time
from trainer.audio import Recorder
rec = Recorder(sys.argv[1], max_seconds=60)
rec.start()
rec.wait_for_audio(10)
print("live", flush=True)
while True:
    time.sleep(0.05)
    print(f"{rec.elapsed:.3f}", flush=True)
"""


def record_and_kill(wav: Path, out: Path, after: float) -> float:
    """Record `wav` played into the microphone in a child process, `kill -9` it after `after` s; returns elapsed."""
    proc = subprocess.Popen([sys.executable, "-c", KILL_TARGET, str(out)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert proc.stdout is not None
    player = None
    try:
        assert proc.stdout.readline().strip() == "live"
        player = play_into_mic(wav, wait=False)
        elapsed = 0.0
        while elapsed < after:
            elapsed = float(proc.stdout.readline())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        if player is not None:
            player.terminate()
            player.wait(10)
    assert proc.returncode == -signal.SIGKILL
    return elapsed
