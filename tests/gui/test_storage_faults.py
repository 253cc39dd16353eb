"""Every storage fault, produced for real, gives a clear banner; recordings stay on disk; the app keeps working.

Issue 9, item 3. The data folder is a small tmpfs of the test's own (`mount -t tmpfs`, needs root: without
it the test is skipped locally and fails in CI) so the disk can really be filled and really be made
read-only; the database is locked by another process with `BEGIN EXCLUSIVE`, and damaged by overwriting
its pages. The window is driven by its keys (Enter starts the deck, Space records and stops).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import CARDS, need, small_tmpfs
from tests.gui.helpers import press
from trainer import audio
from trainer.deck import load_deck
from trainer.storage import DB_NAME, Store, open_store
from trainer.ui.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.audio]

LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs of this test's own, unmounted afterwards."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    with small_tmpfs(mount_point):
        yield mount_point


@pytest.fixture
def ext4_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB ext4 file system on a loop device, mounted `errors=remount-ro`: `fail_read_only` turns it
    read-only for good while files are open, as the kernel does to a disk after an error (a tmpfs refuses a
    read-only remount while SQLite holds its file open for writing)."""
    image = tmp_path / "disk.img"
    with image.open("wb") as file:
        file.truncate(16 * 1024 * 1024)
    made = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True, text=True)
    need(made.returncode == 0, f"mkfs.ext4 (e2fsprogs) is needed: {made.stderr.strip()}")
    mount_point = tmp_path / "ext4"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-o", "loop,errors=remount-ro", str(image), str(mount_point)], capture_output=True, text=True
    )
    need(mounted.returncode == 0, f"mounting an ext4 image needs root and a loop device: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)  # the loop device is freed with it


def fail_read_only(mount_point: Path) -> None:
    """The kernel turns the ext4 disk read-only, open files and all, as after a disk error."""
    source = subprocess.run(["findmnt", "-no", "SOURCE", str(mount_point)], capture_output=True, text=True)
    trigger = Path("/sys/fs/ext4") / Path(source.stdout.strip()).name / "trigger_fs_error"
    need(trigger.exists(), f"{trigger} is needed to turn the disk read-only (Linux >= 5.x, ext4)")
    trigger.write_text("test: the disk goes read-only\n")
    with pytest.raises(OSError) as info:
        (mount_point / "probe").touch()
    assert info.value.errno == errno.EROFS


@pytest.fixture
def data_store(small_disk: Path) -> Iterator[Store]:
    store = Store(small_disk / "data" / DB_NAME)
    yield store
    store.close()


@pytest.fixture
def window(
    qtbot: QtBot, small_disk: Path, data_store: Store, make_window: Callable[..., MainWindow], tmp_path: Path
) -> MainWindow:
    """The window on the small disk's store, the FastAPI deck chosen; no model (transcription is not the point)."""
    decks = tmp_path / "decks-only"
    decks.mkdir()
    shutil.copy(CARDS / "fastapi.toml", decks / "fastapi.toml")
    win = make_window(store=data_store, deck_locations=[decks], load_model=False)
    press(qtbot, win, Qt.Key.Key_Return)  # start practising the deck
    return win


def record_answer(qtbot: QtBot, window: MainWindow, store: Store, seconds: float = 3.0) -> int:
    """Space, a short answer, Space: returns the attempt, once its recording is complete on disk.

    PulseAudio delivers the first audio 1-2 s after the stream opens (more on a busy machine): a shorter wait can
    leave a recording under the 1 s minimum, which the app rightly does not keep."""
    before = {a.id for a in store.attempts()}
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: {a.id for a in store.attempts()} - before != set(), timeout=10_000)
    (attempt_id,) = {a.id for a in store.attempts()} - before
    qtbot.wait(int(seconds * 1000))
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: store.attempt(attempt_id).duration is not None, timeout=15_000)
    return attempt_id


def fill(folder: Path) -> Path:
    """Fill the disk holding `folder` to the last byte; returns the filler file (delete it to free the space)."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    assert shutil.disk_usage(folder).free < 4096
    return filler


def assert_on_disk(store: Store, attempt_id: int) -> None:
    attempt = store.attempt(attempt_id)
    assert attempt.audio_path is not None and attempt.audio_path.is_file()
    samples, rate = audio.read_audio(attempt.audio_path)
    assert attempt.duration and len(samples) / rate == pytest.approx(attempt.duration, abs=0.01)


def test_disk_full(qtbot: QtBot, window: MainWindow, data_store: Store, small_disk: Path) -> None:
    kept = record_answer(qtbot, window, data_store)
    filler = fill(small_disk)

    press(qtbot, window, Qt.Key.Key_N)
    press(qtbot, window, Qt.Key.Key_Space)  # registering the new answer needs space: none left
    qtbot.waitUntil(window.storage_banner.isVisible, timeout=5_000)
    text = window.storage_banner.label.text()
    assert "is full" in text and "free some space" in text, text
    assert_on_disk(data_store, kept)

    # Space freed: the app goes on, the next answer is kept.
    filler.unlink()
    attempt_id = record_answer(qtbot, window, data_store)
    assert_on_disk(data_store, attempt_id)
    assert_on_disk(data_store, kept)


def test_read_only_data_folder(qtbot: QtBot, window: MainWindow, data_store: Store, tmp_path: Path) -> None:
    """The audio folder (a tmpfs of its own) becomes read-only mid-session, as a remounted share would.

    The database file cannot be remounted read-only while SQLite holds it open for writing, so the fault is
    produced where the recordings go.
    """
    audio_dir = data_store.audio_dir
    audio_dir.mkdir(parents=True, exist_ok=True)
    with small_tmpfs(audio_dir):
        try:
            kept = record_answer(qtbot, window, data_store)
            subprocess.run(["mount", "-o", "remount,ro", str(audio_dir)], check=True)
            try:
                press(qtbot, window, Qt.Key.Key_N)
                press(qtbot, window, Qt.Key.Key_Space)
                qtbot.waitUntil(window.storage_banner.isVisible, timeout=5_000)
                text = window.storage_banner.label.text()
                assert "cannot be written" in text, text
                assert_on_disk(data_store, kept)  # what is there still plays and transcribes
            finally:
                subprocess.run(["mount", "-o", "remount,rw", str(audio_dir)], check=True)
            assert_on_disk(data_store, record_answer(qtbot, window, data_store))
        finally:
            window.close()
            window.runner.wait(10_000)


def test_database_locked_by_another_process(qtbot: QtBot, window: MainWindow, data_store: Store) -> None:
    kept = record_answer(qtbot, window, data_store)
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(data_store.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert locker.stdin is not None and locker.stdout is not None
    try:
        assert locker.stdout.readline().strip() == "locked"
        press(qtbot, window, Qt.Key.Key_N)
        press(qtbot, window, Qt.Key.Key_Space)
        qtbot.waitUntil(window.storage_banner.isVisible, timeout=5_000)
        assert "in use by another program" in window.storage_banner.label.text()
        assert_on_disk(data_store, kept)
    finally:
        locker.stdin.write("\n")
        locker.stdin.close()
        locker.wait(10)
        locker.stdout.close()
    assert_on_disk(data_store, record_answer(qtbot, window, data_store))


def test_damaged_database_is_moved_aside_and_a_new_one_started(
    small_disk: Path, make_window: Callable[..., MainWindow]
) -> None:
    path = small_disk / "data" / DB_NAME
    first = Store(path)
    session = first.start_session("fastapi", "FastAPI")
    recording = first.new_audio_path(session, "path-vs-query")
    with audio.open_for_writing(recording) as out:
        out.write(np.zeros(8000, dtype=np.float32))
    first.close()
    with path.open("r+b") as db:  # a disk error or a bad copy: pages overwritten
        db.seek(0)
        db.write(os.urandom(4096))

    store, notice = open_store(path)
    window: MainWindow | None = None
    try:
        assert notice is not None and "damaged" in notice and ".damaged-" in notice
        damaged = [p for p in path.parent.iterdir() if ".damaged-" in p.name]
        assert damaged, list(path.parent.iterdir())
        assert recording.is_file(), "the recordings are never touched"
        window = make_window(store=store, load_model=False)
        window.show_storage_notice(notice)  # as trainer.ui.app.main does after start-up
        assert window.storage_banner.isVisible() and "moved to" in window.storage_banner.label.text()
        assert store.attempts() == [] and store.start_session("fastapi", "FastAPI").id == 1  # works again
    finally:
        if window is not None:
            window.close()
            window.runner.wait(10_000)
        store.close()


def test_fill_helper_really_fills(small_disk: Path) -> None:
    """The disk-full test's premise: writing one more byte fails with ENOSPC."""
    fill(small_disk)
    with pytest.raises(OSError) as info, (small_disk / "more").open("wb") as more:
        more.write(b"x" * 8192)
        more.flush()
    assert info.value.errno == errno.ENOSPC


@contextlib.contextmanager
def locked(database: Path) -> Iterator[None]:
    """Another process holds the database's write lock (`BEGIN EXCLUSIVE`) until the block ends."""
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(database)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert locker.stdin is not None and locker.stdout is not None
    try:
        assert locker.stdout.readline().strip() == "locked"
        yield
    finally:
        locker.stdin.write("\n")
        locker.stdin.close()
        locker.wait(10)
        locker.stdout.close()


def test_database_refusing_the_finished_recording(qtbot: QtBot, window: MainWindow, data_store: Store) -> None:
    """The database is locked just as an answer ends: the answer stays on disk, the banner says why, the round
    is usable again at once (Space records again), and the next start completes the attempt."""
    kept = record_answer(qtbot, window, data_store)
    before = {a.id for a in data_store.attempts()}
    press(qtbot, window, Qt.Key.Key_N)
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: {a.id for a in data_store.attempts()} - before != set(), timeout=10_000)
    (refused,) = {a.id for a in data_store.attempts()} - before
    qtbot.waitUntil(lambda: window.practice.phase.value == "recording", timeout=5_000)
    qtbot.wait(1500)
    with locked(data_store.path):
        press(qtbot, window, Qt.Key.Key_Space)  # stop: registering its length needs the database
        qtbot.waitUntil(window.storage_banner.isVisible, timeout=10_000)
        assert "in use by another program" in window.storage_banner.label.text()
        qtbot.waitUntil(lambda: window.practice.phase.value == "ready", timeout=5_000)
        status = window.practice.status_label.text()
        assert "Your answer is kept in" in status and "Press <b>Space</b>" in status, status
    attempt = data_store.attempt(refused)
    assert attempt.duration is None and attempt.audio_path is not None and attempt.audio_path.is_file()
    assert not data_store.is_recording(refused)  # the review may play it: the recorder closed the file
    samples, rate = audio.read_audio(attempt.audio_path)
    assert len(samples) / rate > 1.0  # everything said is there

    # The lock is gone: the same round records the next answer as usual.
    assert_on_disk(data_store, record_answer(qtbot, window, data_store))
    assert_on_disk(data_store, kept)

    # The next start (as trainer.ui.app does) completes the refused attempt from its file.
    restarted = Store(data_store.path)
    try:
        assert refused in restarted.recover_interrupted(repair=audio.recover)
        assert_on_disk(restarted, refused)
    finally:
        restarted.close()


def deck_folder(tmp_path: Path) -> Path:
    decks = tmp_path / "decks-only"
    decks.mkdir(exist_ok=True)
    shutil.copy(CARDS / "fastapi.toml", decks / "fastapi.toml")
    return decks


def test_starting_on_a_read_only_data_folder(
    qtbot: QtBot, ext4_disk: Path, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    """Earlier answers are shown, the banner names the folder, Space records nothing (it would be lost) and
    says why; the app goes on."""
    path = ext4_disk / "data" / DB_NAME
    first = Store(path)
    session = first.start_session("fastapi", "FastAPI")
    recording = first.new_audio_path(session, "path-vs-query")
    with audio.open_for_writing(recording) as out:
        out.write(np.zeros(24000, dtype=np.float32))
    deck = load_deck(CARDS / "fastapi.toml")
    earlier = first.add_recorded_attempt(session, deck, deck.cards[0], recording, datetime.now().astimezone(), 1.5)
    first.close()
    subprocess.run(["mount", "-o", "remount,ro", str(ext4_disk)], check=True)

    store, notice = open_store(path)
    try:
        assert store.read_only and notice is not None and str(path.parent) in notice
        window = make_window(store=store, deck_locations=[deck_folder(tmp_path)], load_model=False)
        window.show_storage_notice(notice)  # as trainer.ui.app.main does after start-up
        assert window.storage_banner.isVisible() and str(path.parent) in window.storage_banner.label.text()
        assert [row[0] for row in window.review.attempt_rows()] == [earlier.id]
        assert window.review.select_attempt(earlier.id)

        window.storage_banner.hide()
        press(qtbot, window, Qt.Key.Key_Return)  # start the deck: a session cannot be written either
        qtbot.waitUntil(window.storage_banner.isVisible, timeout=5_000)
        text = window.storage_banner.label.text()
        assert "cannot be written" in text and str(path.parent) in text, text
        assert window.practice.record_job is None  # nothing is being recorded into a folder that cannot keep it
        assert [a.id for a in store.attempts()] == [earlier.id]
        assert_on_disk(store, earlier.id)
    finally:
        store.close()


def test_the_data_folder_turning_read_only_mid_session(
    qtbot: QtBot, ext4_disk: Path, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    """The whole data folder (database open, WAL and all) goes read-only between two answers: the banner names
    the folder, the answers already kept still play, the round stays usable."""
    store = Store(ext4_disk / "data" / DB_NAME)
    try:
        window = make_window(store=store, deck_locations=[deck_folder(tmp_path)], load_model=False)
        press(qtbot, window, Qt.Key.Key_Return)
        kept = record_answer(qtbot, window, store)
        fail_read_only(ext4_disk)

        press(qtbot, window, Qt.Key.Key_N)
        press(qtbot, window, Qt.Key.Key_Space)
        qtbot.waitUntil(window.storage_banner.isVisible, timeout=5_000)
        text = window.storage_banner.label.text()
        assert "cannot be written" in text and str(store.root) in text, text
        assert window.practice.phase.value == "ready" and window.practice.record_job is None
        assert_on_disk(store, kept)
        press(qtbot, window, Qt.Key.Key_N)  # the round goes on
        assert window.practice.index == 2
        window.tabs.setCurrentWidget(window.review)  # the review still reads the database
        assert kept in [row[0] for row in window.review.attempt_rows()]
        assert window.review.select_attempt(kept)
    finally:
        window.close()
        window.runner.wait(10_000)
        store.close()


def test_the_data_folder_turning_read_only_during_an_answer(
    qtbot: QtBot, ext4_disk: Path, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    """The disk goes read-only while an answer is being recorded: the recorder stops, the banner names the
    folder, the round is usable again and the earlier answers are still there."""
    store = Store(ext4_disk / "data" / DB_NAME)
    try:
        window = make_window(store=store, deck_locations=[deck_folder(tmp_path)], load_model=False)
        press(qtbot, window, Qt.Key.Key_Return)
        kept = record_answer(qtbot, window, store)
        press(qtbot, window, Qt.Key.Key_N)
        press(qtbot, window, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: window.practice.phase.value == "recording", timeout=5_000)
        qtbot.wait(1500)
        fail_read_only(ext4_disk)
        qtbot.wait(500)
        if window.practice.phase.value == "recording":
            press(qtbot, window, Qt.Key.Key_Space)
        qtbot.waitUntil(window.storage_banner.isVisible, timeout=10_000)
        text = window.storage_banner.label.text()
        assert "cannot be written" in text and str(store.root) in text, text
        qtbot.waitUntil(lambda: window.practice.phase.value == "ready", timeout=5_000)
        status = window.practice.status_label.text()
        assert "could not register it" in status and "Press <b>Space</b>" in status, status
        refused = max(a.id for a in store.attempts())
        attempt = store.attempt(refused)
        assert refused != kept and attempt.audio_path is not None
        samples, rate = audio.read_audio(attempt.audio_path)  # what was said before the fault can be heard now
        assert len(samples) / rate > 1.0
        assert_on_disk(store, kept)
    finally:
        window.close()
        window.runner.wait(10_000)
        store.close()
