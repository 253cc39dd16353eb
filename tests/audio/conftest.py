"""Audio tests: tests marked `audio` get the PulseAudio virtual microphone (started if needed, never skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.audio_helpers import espeak_wav, pulse_mic

__all__ = ["pulse_mic"]

DATA = Path(__file__).resolve().parent.parent / "data" / "spoken_questions"
LONG_QUESTION = (DATA / "long_question.txt").read_text(encoding="utf-8").strip()
SHORT_ANSWER = (
    "Dependency injection in FastAPI works through the Depends function. "
    "The framework calls the dependency first and passes its result to the path operation."
)


@pytest.fixture(autouse=True)
def _audio_marker_needs_pulse(request: pytest.FixtureRequest) -> None:
    """Every test marked `audio` runs with the virtual microphone up (fails loudly when it cannot start)."""
    if request.node.get_closest_marker("audio") is not None:
        request.getfixturevalue("pulse_mic")


@pytest.fixture(scope="session")
def answer_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short spoken answer (espeak-ng, about 8 s)."""
    return espeak_wav(SHORT_ANSWER, tmp_path_factory.mktemp("speech") / "answer.wav")


@pytest.fixture(scope="session")
def hello_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A very short utterance (about 1.5 s)."""
    return espeak_wav("Hello, this is the microphone test.", tmp_path_factory.mktemp("speech") / "hello.wav")
