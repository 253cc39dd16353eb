"""Reading questions aloud: real pyttsx3 (espeak-ng) and Piper synthesis, real playback through PulseAudio."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from tests.audio.conftest import LONG_QUESTION
from tests.audio_helpers import REPO, envelope_db
from trainer import tts
from trainer.audio import read_audio

pytestmark = pytest.mark.speech

WORDS = len(LONG_QUESTION.split())


def test_long_question_is_saved_completely_by_pyttsx3(tmp_path: Path) -> None:
    """pyttsx3's runAndWait() returns before espeak ends on >36 words: the whole 100+ words must be there."""
    assert WORDS >= 100
    with tts.Pyttsx3Speaker(rate=200) as speaker:
        for attempt in range(3):  # again and again: the engine must not cancel its own next utterance
            path = speaker.save(LONG_QUESTION, tmp_path / f"long{attempt}.wav")
            duration = tts.wav_duration(path)
            expected = tts.estimated_seconds(LONG_QUESTION, 200)
            assert duration > 20 and 0.8 * expected < duration < 1.4 * expected, (attempt, duration, expected)
            # Speech right up to the end, not a truncated start padded with silence.
            samples, rate = read_audio(path)
            tail = max(envelope_db(samples[-rate * 3 :], rate))
            assert tail > -30, (attempt, duration, tail)


def test_pyttsx3_rate_and_voice_change_the_speech(tmp_path: Path) -> None:
    text = "A path operation function handles one route and one HTTP method."
    with tts.Pyttsx3Speaker() as speaker:
        voices = speaker.voices()
        assert len(voices) > 10 and any(v.id == "gmw/en-us" for v in voices)
        speaker.set_rate(120)
        slow = tts.wav_duration(speaker.save(text, tmp_path / "slow.wav"))
        speaker.set_rate(300)
        fast = tts.wav_duration(speaker.save(text, tmp_path / "fast.wav"))
        assert slow > 1.8 * fast
        speaker.set_voice("gmw/en-us")
        assert speaker.voice == "gmw/en-us" and speaker.rate == 300
        us = sf.read(str(speaker.save(text, tmp_path / "us.wav")))[0]
        speaker.set_voice("gmw/en-gb-x-rp")
        gb = sf.read(str(speaker.save(text, tmp_path / "gb.wav")))[0]
        assert len(us) != len(gb) or (us != gb).any()
        with pytest.raises(tts.UnknownVoice, match="en-us"):
            speaker.set_voice("en-u")
        with pytest.raises(ValueError, match="50-500"):
            speaker.set_rate(5)


def test_piper_saves_natural_speech_of_plausible_length(tmp_path: Path) -> None:
    with tts.make_speaker("piper") as speaker:
        assert [v.id for v in speaker.voices()] == ["en_US-joe-medium"]
        started = time.monotonic()
        path = speaker.save(LONG_QUESTION, tmp_path / "piper.wav")
        synth_seconds = time.monotonic() - started
        duration = tts.wav_duration(path)
        expected = tts.estimated_seconds(LONG_QUESTION, tts.PIPER_BASE_WPM)
        assert 0.75 * expected < duration < 1.3 * expected, (duration, expected)
        assert synth_seconds < duration, "synthesis must be faster than real time (playback streams it)"
        sentence = "Each dependency runs once per request, and its result is cached for the other dependencies."
        normal = tts.wav_duration(speaker.save(sentence, tmp_path / "normal.wav"))
        speaker.set_rate(250)
        faster = tts.wav_duration(speaker.save(sentence, tmp_path / "fast.wav"))
        assert faster < 0.8 * normal


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="auto, pyttsx3, piper"):
        tts.make_speaker("festival")


def test_auto_reads_with_piper_where_installed_else_pyttsx3() -> None:
    """The default question voice: Piper's natural voice (installed here), pyttsx3 when Piper is missing."""
    with tts.make_speaker("auto") as speaker:
        assert speaker.engine == "piper"
    code = (
        "import sys; sys.modules['piper'] = None\n"
        "from trainer import tts\n"
        "speaker = tts.make_speaker('auto', voice='en_US-joe-medium')\n"
        "print(speaker.engine, speaker.voice != 'en_US-joe-medium'); speaker.close()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert result.stdout.split() == ["pyttsx3", "True"], result.stderr


def test_piper_missing_simulated_by_blocking_its_import(tmp_path: Path) -> None:
    """Stands in for an install without the `piper` extra (the extra is installed here)."""
    code = (
        "import sys; sys.modules['piper'] = None\n"
        "from trainer import tts\n"
        "try:\n    tts.make_speaker('piper')\n"
        "except tts.TTSNotInstalled as exc:\n    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert "pip install 'interview-trainer[piper]'" in result.stdout, result.stderr


@pytest.mark.audio
@pytest.mark.parametrize("engine", tts.ENGINES)
def test_say_returns_at_once_and_stop_cuts_it_off(engine: tts.Engine) -> None:
    done: list[bool] = []
    with tts.make_speaker(engine, on_done=done.append) as speaker:
        started = time.monotonic()
        speaker.say(LONG_QUESTION)
        assert time.monotonic() - started < 0.1, "say() must not block"
        assert speaker.is_speaking
        time.sleep(1.0)
        assert speaker.is_speaking
        stopping = time.monotonic()
        speaker.stop()
        assert not speaker.is_speaking and time.monotonic() - stopping < 0.5
        assert speaker.wait(1) and done == [False]
        # A short question afterwards plays to the end.
        speaker.say("What does Depends do?")
        assert speaker.wait(20)
        assert done == [False, True] and speaker.last_error is None


@pytest.mark.audio
def test_a_new_question_interrupts_the_previous_one() -> None:
    done: list[bool] = []
    with tts.Pyttsx3Speaker(on_done=done.append) as speaker:
        speaker.say(LONG_QUESTION)
        time.sleep(0.5)
        speaker.say("Next question.")
        assert speaker.wait(20)
        assert done == [False, True]


def test_cli_speak_writes_a_wav(tmp_path: Path) -> None:
    out = tmp_path / "question.wav"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "trainer",
            "speak",
            "What is a path operation?",
            "--engine",
            "pyttsx3",
            "--rate",
            "150",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{out}: ") and "pyttsx3" in result.stdout
    assert 1.0 < tts.wav_duration(out) < 5.0
