"""Attempts exported as CSV: one row per attempt that a spreadsheet opens with its accents intact."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.test_export import _session
from trainer import storage
from trainer.export import ATTEMPT_COLUMNS, export_attempts_csv
from trainer.storage import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / storage.DB_NAME)
    yield s
    s.close()


def read_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_attempt_is_a_row_with_score_missed_points_and_transcript(store: Store, tmp_path: Path) -> None:
    session_id = _session(store)
    count = export_attempts_csv(store, tmp_path / "out" / "attempts.csv")
    rows = read_rows(tmp_path / "out" / "attempts.csv")
    assert count == len(rows) == 2
    assert list(rows[0]) == list(ATTEMPT_COLUMNS)
    scored, failed = rows
    assert scored["session"] == str(session_id) and scored["card"] == "status-422"
    assert scored["status"] == "scored" and scored["score"] == "100"  # the hand correction counts
    assert scored["key_points_hit"] == scored["key_points"] == "3" and scored["missed"] == ""
    assert "validation failed" in scored["transcript"] and scored["engine"] == "faster-whisper"
    assert int(scored["fillers"]) >= 1 and scored["wpm"]
    assert failed["status"] == "failed" and "model not found" in failed["error"] and failed["score"] == ""


def test_filters_and_the_command(store: Store, tmp_path: Path) -> None:
    _session(store)
    assert export_attempts_csv(store, tmp_path / "none.csv", deck_id="other") == 0
    assert read_rows(tmp_path / "none.csv") == []

    data = tmp_path / "user"
    cli_store = Store(data / storage.DB_NAME)
    _session(cli_store)
    cli_store.close()
    env = {**os.environ, "TRAINER_DATA_DIR": str(data)}
    result = subprocess.run(
        [sys.executable, "-m", "trainer", "export-attempts", str(tmp_path / "cli.csv"), "--deck", "fastapi"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Wrote 2 attempt(s)" in result.stdout and len(read_rows(tmp_path / "cli.csv")) == 2
