"""bench/habit.py stays runnable: its short mode on a real store prints a median for every call it times."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_habit_bench_short_mode_prints_medians() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "habit.py"), "--short"],
        capture_output=True, text=True, timeout=300, check=False, cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "median" in line]
    assert len(lines) == 5 and all(float(line.split("median")[1].split()[0]) > 0 for line in lines)
    assert result.stdout.startswith("seeded 300 attempts")
