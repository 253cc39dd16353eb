"""`trainer transcribe`, run as a user runs it: a real process, real audio, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.speech.conftest import PROMPT, terms_of
from trainer.asr.wer import contains_term

Clip = Callable[[str, str], Path]


def trainer(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.speech
def test_transcribe_prints_the_text(clip: Clip) -> None:
    result = trainer("transcribe", str(clip("piper", "validation")), "--prompt", PROMPT)
    assert result.returncode == 0, result.stderr
    assert all(contains_term(result.stdout, term) for term in terms_of("validation")), result.stdout
    assert re.search(r"\[2[123]\.\d s of audio, faster-whisper tiny\.en, transcribed in \d+\.\d s\]", result.stderr)


@pytest.mark.speech
def test_transcribe_json_with_the_other_engine_and_beam_search(clip: Clip) -> None:
    result = trainer(
        "transcribe", str(clip("piper", "validation")), "--engine", "openai-whisper", "--beam", "2", "--json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["engine"], data["model"], data["language"]) == ("openai-whisper", "tiny.en", "en")
    assert data["segments"][0]["words"][0]["text"]
    assert "hints" in data["text"]


def test_user_mistakes_are_one_line_errors(tmp_path: Path) -> None:
    notes = tmp_path / "notes.wav"
    notes.write_text("not audio")
    cases = {
        (str(tmp_path / "missing.flac"),): "missing.flac: no such file",
        (str(notes),): "cannot be read as audio (FLAC, WAV or OGG expected)",
        (str(notes), "--model", str(tmp_path / "nope")): "cannot be read as audio",  # the file is checked first
    }
    for args, message in cases.items():
        result = trainer("transcribe", *args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("trainer: error: ") and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.speech
def test_missing_model_is_a_one_line_error(clip: Clip, tmp_path: Path) -> None:
    audio = clip("espeak", "validation")
    result = trainer("transcribe", str(audio), "--model", str(tmp_path / "no-such-model"))
    assert (result.returncode, result.stderr.strip()) == (
        2,
        f"trainer: error: {tmp_path / 'no-such-model'}: no such model folder",
    )
    result = trainer("transcribe", str(audio), "--model", "large-v9", env={"TRAINER_OFFLINE": "1"})
    assert result.returncode == 2 and "choose tiny.en or base" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_options_are_argparse_errors(tmp_path: Path) -> None:
    result = trainer("transcribe", "x.wav", "--beam", "0")
    assert result.returncode == 2 and "--beam: must be between 1 and 20" in result.stderr
    result = trainer("transcribe", "x.wav", "--engine", "vosk")
    assert result.returncode == 2 and "invalid choice: 'vosk'" in result.stderr
