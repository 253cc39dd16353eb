"""The short mode of bench/soak.py: a few practice rounds through the real window, nothing lost, no thread growth.

The 200-round soak (memory growth after warm-up, p95 stop -> result) is `.venv/bin/python bench/soak.py`; its
figures are in docs/performance.md. Here: 3 rounds driven by the window's keys, answers played into a
PulseAudio server of this test's own, faster-whisper tiny.en transcribing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.audio_helpers import private_pulse

REPO = Path(__file__).resolve().parent.parent.parent

pytestmark = [pytest.mark.gui, pytest.mark.audio, pytest.mark.speech]


def test_three_rounds_lose_nothing_and_leak_no_threads(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    with private_pulse() as env:
        result = subprocess.run(
            [sys.executable, str(REPO / "bench" / "soak.py"), "--rounds", "3", "--json", str(out)],
            capture_output=True,
            text=True,
            timeout=900,
            env={**env, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])},
            check=False,
        )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    summary, rounds = figures["summary"], figures["rounds"]
    assert summary["rounds"] == summary["attempts"] == 3 and summary["lost"] == []
    assert summary["scored"] == 3, "each spoken answer was transcribed and scored"
    assert rounds[-1]["threads"] <= rounds[0]["threads"], [r["threads"] for r in rounds]
    # Each answer's live transcription (holding its audio) is freed once the next answer starts.
    assert summary["live_answers_kept"] <= 1, summary
