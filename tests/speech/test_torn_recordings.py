"""Reading a recording whose writer was killed: read into memory, never a traceback (no model, no microphone).

A FLAC file copied while libsndfile is still writing it has exactly the header a `kill -9` leaves ("length
unknown"); tests/audio/test_crash_transcribe.py does the real kill and transcribes the result.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from trainer import audio
from trainer.asr import AudioError, load_audio


def torn_flac(folder: Path, seconds: float = 2.0) -> Path:
    """A FLAC file as a crash leaves it: frames on disk, header still saying "length unknown"."""
    with audio.open_for_writing(folder / "writing.flac") as live:
        t = np.arange(int(seconds * audio.SAMPLERATE)) / audio.SAMPLERATE
        live.write((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32))
        live.flush()
        shutil.copy(folder / "writing.flac", folder / "torn.flac")
    return folder / "torn.flac"


def test_killed_recording_is_readable_by_load_audio_and_matches_the_repaired_file(tmp_path: Path) -> None:
    """Read in memory (the file untouched); `recover` then repairs it in place to the same samples."""
    torn = torn_flac(tmp_path)
    assert audio.needs_recovery(torn)
    with pytest.raises(ValueError, match="array is too big"):  # what reading it directly does
        sf.read(str(torn), dtype="float32")

    samples = load_audio(torn)

    assert 1.5 * audio.SAMPLERATE <= samples.size <= 2 * audio.SAMPLERATE
    assert audio.needs_recovery(torn), "reading must not modify the file"
    audio.recover(torn)
    assert not audio.needs_recovery(torn)
    np.testing.assert_array_equal(samples, load_audio(torn))  # the repaired file reads the same again


def test_unreadable_files_raise_the_asr_audio_error_not_a_traceback(tmp_path: Path) -> None:
    header_only = tmp_path / "header_only.flac"
    header_only.write_bytes(b"fLaC" + bytes(30))
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("not audio at all", encoding="utf-8")
    zero_bytes = tmp_path / "zero.flac"
    zero_bytes.write_bytes(b"")
    for path in (header_only, not_audio, zero_bytes):
        with pytest.raises(AudioError, match="cannot be read as audio"):
            load_audio(path)
