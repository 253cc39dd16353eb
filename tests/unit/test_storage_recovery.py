"""Start-up recovery and storage faults in the core (issue 9): no Qt, real SQLite files, real torn FLAC files."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from trainer import audio
from trainer.deck import Card, KeyPoint
from trainer.storage import DB_NAME, Status, StorageBusy, Store, now, open_store

CARD = Card("path-vs-query", "Path or query?", "Path is in the URL.", (KeyPoint("url path"),), ("basics",))


def torn_recording(path: Path, seconds: float = 2.0) -> None:
    """A FLAC file as a kill -9 mid-answer leaves it: frames on disk, header saying "length unknown"."""
    writing = path.with_name("writing.flac")
    with audio.open_for_writing(writing) as live:
        live.write((0.2 * np.sin(np.arange(int(seconds * audio.SAMPLERATE)) / 5)).astype(np.float32))
        live.flush()
        shutil.copy(writing, path)
    writing.unlink()


def test_restart_completes_an_answer_left_recording_by_a_crash(tmp_path: Path) -> None:
    store = Store(tmp_path / DB_NAME)
    session = store.start_session("fastapi", "FastAPI")
    path = store.new_audio_path(session, CARD)
    attempt = store.add_recorded_attempt(session, "fastapi", CARD, path, now(), None)  # as recording starts
    torn_recording(path)
    empty_path = store.new_audio_path(session, CARD)
    empty = store.add_recorded_attempt(session, "fastapi", CARD, empty_path, now(), None)
    empty_path.write_bytes(b"")  # killed before the recorder wrote its header
    store.close()

    again = Store(tmp_path / DB_NAME)
    assert sorted(again.recover_interrupted(repair=audio.recover)) == [attempt.id, empty.id]
    done = again.attempt(attempt.id)
    assert done.status is Status.RECORDED and done.duration is not None and 1.8 <= done.duration <= 2.0
    assert not audio.needs_recovery(path), "the app's own finished recording is repaired in place"
    assert done.status.can_transcribe
    nothing = again.attempt(empty.id)
    assert nothing.status is Status.FAILED and nothing.duration == 0.0
    assert nothing.error is not None and "before any audio" in nothing.error
    assert again.recover_interrupted(repair=audio.recover) == []  # nothing left to do
    again.close()


def test_a_damaged_database_is_moved_aside_with_its_journal(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    Store(path).close()
    path.write_bytes(b"this is not sqlite" * 300)
    store, notice = open_store(path)
    try:
        assert notice is not None and "damaged" in notice and "kept" in notice
        (moved,) = [p for p in tmp_path.iterdir() if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
        assert moved.read_bytes().startswith(b"this is not sqlite"), "the damaged file is kept as it was"
        assert store.start_session("fastapi", "FastAPI").id == 1
    finally:
        store.close()
    healthy, notice = open_store(path)
    healthy.close()
    assert notice is None


def test_the_interactive_thread_never_waits_long_for_a_locked_database(tmp_path: Path) -> None:
    store = Store(tmp_path / DB_NAME)
    store.mark_interactive_thread()
    other = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(StorageBusy, match="another program"):
            store.start_session("fastapi", "FastAPI")
        assert time.monotonic() - started < 0.5
        assert store.sessions() == []  # reading still works (WAL)
        # A worker thread waits for the lock as before (the busy timeout), and succeeds once it is released.
        result: list[object] = []
        worker = threading.Thread(target=lambda: result.append(store.start_session("fastapi", "FastAPI")))
        worker.start()
        time.sleep(0.3)
        other.execute("ROLLBACK")
        worker.join(10)
        assert result and store.sessions()
    finally:
        other.close()
        store.close()
