"""bench/latency.py stays runnable: its quick mode measures a 20 s answer both ways and prints the table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent


@pytest.mark.speech
def test_latency_bench_quick_mode_prints_both_paths(tmp_path: Path) -> None:
    out = tmp_path / "latency.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "latency.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| faster-whisper |")]
    assert len(rows) == 1, result.stdout
    assert out.is_file()

    (engine,) = json.loads(out.read_text(encoding="utf-8"))
    (row,) = engine["rows"]
    assert row["live_latency"] > 0 and row["batch_latency"] > 0
    assert not row["live_loop"] and row["live_dropped"] <= 0.05, row
    assert engine["peak_rss_mb"] > 0
