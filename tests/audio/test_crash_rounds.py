"""Kill -9 at random moments of a practice round, then restart: nothing recorded is lost (issue 9, item 4).

The short mode of bench/crash.py (5 kills: reading the question, recording, transcribing, saving, and one more);
the 50-kill run is `.venv/bin/python bench/crash.py`. Real parts throughout: pyttsx3 reads the question, the
answer is played into the PulseAudio virtual microphone and recorded to FLAC, faster-whisper tiny.en
transcribes, SQLite stores, and the whole round's process group gets SIGKILL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent

pytestmark = [pytest.mark.audio, pytest.mark.speech]


def test_five_kills_at_random_moments_lose_no_recorded_second(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "crash.py"), "--kills", "5", "--data", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])},
        check=False,
    )
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5/5 restarts lost nothing" in result.stdout
    # The kills really landed while recording and transcribing (the phases where audio could be lost).
    killed_in = result.stdout.split("killed in: ")[1].splitlines()[0]
    assert "'recording'" in killed_in and "'transcribing'" in killed_in, killed_in
