"""The pyttsx3 voice where there is no `aplay` (Windows, macOS): the synthesised file plays through PortAudio."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import soundfile

from trainer import tts

QUESTION = "What is the difference between a path parameter and a query parameter?"


@pytest.mark.audio
def test_pyttsx3_speaks_through_portaudio_without_aplay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wav = tmp_path / "question.wav"
    done: list[bool] = []
    with tts.Pyttsx3Speaker(on_done=done.append) as speaker:
        speaker.save(QUESTION, wav)
        length = soundfile.info(str(wav)).duration
        monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without aplay, as on Windows and macOS
        started = time.monotonic()
        speaker.say(QUESTION)
        assert speaker.wait(30)
        took = time.monotonic() - started
    assert done == [True] and speaker.last_error is None
    # Played in real time through the sound server, not skipped: it lasts about as long as the speech.
    assert took >= 0.8 * length, (took, length)
