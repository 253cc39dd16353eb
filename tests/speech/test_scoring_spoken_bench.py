"""bench/scoring_spoken.py in its short run: labelled answers read by Piper, transcribed by tiny.en, scored.

The full run (a whole labelled set, ~1-3 s an answer) is a benchmark; this checks the bench still runs end to
end and that what it reports holds together: transcripts close to the typed text, the spoken figures beside the
typed ones, and the transcripts reused from its cache on a second run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.speech


def run_bench(cache: Path) -> str:
    cmd = [sys.executable, "bench/scoring_spoken.py", "--split", "train", "--cards", "1", "--cache", str(cache)]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=900, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_spoken_scoring_bench_reports_spoken_beside_typed_and_reuses_its_transcripts(tmp_path: Path) -> None:
    first = run_bench(tmp_path)
    assert "answers read and transcribed" in first, first
    wer = re.search(r"word error rate against the typed text: median ([0-9.]+)", first)
    assert wer is not None, first
    # tiny.en on Piper's voice: a few words per sentence at most (train measured 0.11 median).
    assert float(wer.group(1)) < 0.3, first
    assert "=== spoken (transcribed) ===" in first and "=== typed, side by side ===" in first
    side = first.split("=== typed, side by side ===")[1]
    strong = re.search(r"mean strong\s+([0-9.]+)\s+([0-9.]+)", side)
    word_list = re.search(r"mean word_list\s+([0-9.]+)\s+([0-9.]+)", side)
    assert strong is not None and word_list is not None, side
    # One card's strong answer, typed and spoken, beats its bare list of terms.
    assert float(strong.group(1)) > float(word_list.group(1)), side
    assert float(strong.group(2)) > float(word_list.group(2)), side

    (cached,) = tmp_path.glob("train-*.json")
    transcripts = json.loads(cached.read_text(encoding="utf-8"))
    assert len(transcripts) >= 8 and all(t.strip() for t in transcripts.values())
    second = run_bench(tmp_path)
    assert "answers read and transcribed" not in second, "the second run transcribed again instead of reusing"
    assert second.split("=== typed, side by side ===")[1] == side
