"""End-to-end fixtures: the real app window on the user's (temporary) folders, and a microphone of its own.

`private_mic` is the virtual-microphone set-up of scripts/pulse.sh (a null sink whose monitor is remapped into
a source) but with its own sink and source, made the app's input and output with PULSE_SOURCE and PULSE_SINK.
Playing into the private sink is heard by this test's recorder only, so audio tests running at the same time
on the shared PulseAudio server cannot leak into the answer, nor this test's voice into theirs.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.audio_helpers import espeak_wav
from tests.audio_helpers import pulse_mic as pulse_mic  # the fixture, for private_mic


def _pactl(*args: str) -> str:
    result = subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=15, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"pactl {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


class PrivateMic:
    """A sink to play answers into, and the name of the source that hears it."""

    def __init__(self, sink: str, source: str) -> None:
        self.sink = sink
        self.source = source

    def play(self, wav: Path) -> subprocess.Popen[bytes]:
        """Start playing `wav` into the microphone (paplay); returns the running process."""
        return subprocess.Popen(
            ["paplay", f"--device={self.sink}", str(wav)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )


def speech_wav(text: str, path: Path) -> tuple[Path, str]:
    """A spoken answer: the Piper voice when installed (natural, as a person sounds), else espeak-ng."""
    from trainer.tts import make_speaker

    try:
        speaker = make_speaker("piper")
    except Exception:
        return espeak_wav(text, path, wpm=170), "espeak"
    try:
        return speaker.save(text, path), "piper"
    finally:
        speaker.close()


@pytest.fixture
def private_mic(pulse_mic: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateMic]:
    name = f"trainer_e2e_{os.getpid()}"
    sink, source = f"{name}_speaker", f"{name}_mic"
    modules = [
        _pactl("load-module", "module-null-sink", f"sink_name={sink}"),
        _pactl("load-module", "module-remap-source", f"source_name={source}", f"master={sink}.monitor"),
    ]
    monkeypatch.setenv("PULSE_SOURCE", source)
    monkeypatch.setenv("PULSE_SINK", sink)  # the question read aloud stays in here too
    try:
        yield PrivateMic(sink, source)
    finally:
        for module in reversed(modules):
            subprocess.run(["pactl", "unload-module", module], capture_output=True, timeout=15, check=False)
