"""Playback of a recorded answer: decoding off the GUI thread, a sounddevice stream, and its seek bar.

Playback uses sounddevice (PortAudio), the same audio stack the recorder uses: QtMultimedia is not part of
PySide6-Essentials. The FLAC is decoded in the background when Play is first pressed (with PortAudio's first,
slow start-up), then streamed from a PortAudio callback; a timer moves the seek slider.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from trainer.ui.review.format import clock
from trainer.ui.workers import Job, JobRunner


def decode_audio_work(path: Path) -> Callable[[Job], Any]:
    """Decode a recording for playback, off the GUI thread: (float32 frames x channels, sample rate).

    A long answer takes a while to decode, and the first use of PortAudio (loading it, listing devices) can
    take longer still, so both happen here. A recording cut short by a crash (or still being written) is read
    into memory by `trainer.audio.read_audio`; the file itself is never modified. Cancelled: returns None.
    """

    def work(job: Job) -> Any:
        from trainer.audio import portaudio, read_audio

        portaudio()
        samples, rate = read_audio(path, mono=False)
        return None if job.cancelled else (samples, rate)

    return work


def open_output_work(rate: int, channels: int, callback: Callable[..., None]) -> Callable[[Job], Any]:
    """Open and start an output stream off the GUI thread: (stream, guard).

    Both the PortAudio lock (`trainer.audio.stream_guard`, held meanwhile by a recorder opening its device or a
    device refresh) and PulseAudio's stream set-up can take a second or more.
    """

    def work(job: Job) -> Any:
        from trainer.audio import portaudio, stream_guard

        sounddevice = portaudio()
        guard = contextlib.ExitStack()
        guard.enter_context(stream_guard())
        try:
            stream = sounddevice.OutputStream(samplerate=rate, channels=channels, dtype="float32", callback=callback)
            stream.start()
        except BaseException:
            guard.close()
            raise
        if job.cancelled:
            _close_output(stream, guard)
            return None
        return stream, guard

    return work


def _close_output(stream: Any, guard: contextlib.ExitStack | None) -> None:
    """Stop and close an output stream and release its guard (may wait on PortAudio: not on the GUI thread)."""
    with contextlib.suppress(Exception):  # a vanished device must not take the review down
        stream.abort()
        stream.close()
    if guard is not None:
        guard.close()


class AudioPlayer(QObject):
    """Plays one audio file with pause and seek; positions in milliseconds.

    The file is only inspected on `load` (duration from its header) and decoded on the first `play`, in the
    background (`decode_audio_work`), so browsing attempts costs nothing and a long recording never freezes
    the window. PortAudio pulls samples from `_callback` on its own thread; the position is shared under a
    lock and published to the GUI by a timer.
    """

    position_changed = Signal(int)
    duration_changed = Signal(int)
    playing_changed = Signal(bool)
    #: True while the recording is being decoded for its first play.
    loading_changed = Signal(bool)
    error = Signal(str)

    TICK_MS = 50

    def __init__(self, parent: QObject | None = None, runner: JobRunner | None = None) -> None:
        super().__init__(parent)
        self.runner = runner if runner is not None else JobRunner(self)
        self._decoding: Job | None = None
        self._opening: Job | None = None  # the output stream being opened (`open_output_work`)
        self.path: Path | None = None
        self._samples: Any = None  # float32 frames x channels, once decoded
        self._rate = 0
        self._frames = 0
        self._frame = 0
        self._lock = threading.Lock()
        #: Whether the callback may advance the place: False from the moment the user pauses, although the
        #: stream is closed later by a job and PortAudio may call back a few more times meanwhile.
        self._feeding = False
        self._stream: Any = None
        self._stream_guard: contextlib.ExitStack | None = None
        self._stop_signal: type[Exception] = Exception
        self._timer = QTimer(self)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self._tick)

    def load(self, path: Path | None) -> bool:
        """Prepare `path` (None unloads); False with `error` emitted when it is missing or not audio."""
        self.stop()
        self.path, self._samples, self._rate, self._frames = None, None, 0, 0
        if path is None:
            self.duration_changed.emit(0)
            return False
        if not path.is_file():
            self.duration_changed.emit(0)
            self.error.emit(f"The recording is missing: {path}")
            return False
        import soundfile

        try:
            info = soundfile.info(str(path))
        except (RuntimeError, OSError) as exc:
            self.duration_changed.emit(0)
            self.error.emit(f"The recording cannot be read: {exc}")
            return False
        self.path, self._rate, self._frames = path, int(info.samplerate), int(info.frames)
        self.duration_changed.emit(self.duration())
        self.position_changed.emit(0)
        return True

    def duration(self) -> int:
        return round(self._frames * 1000 / self._rate) if self._rate else 0

    def position(self) -> int:
        with self._lock:
            frame = self._frame
        return round(frame * 1000 / self._rate) if self._rate else 0

    def is_playing(self) -> bool:
        return self._stream is not None

    def set_position(self, ms: int) -> None:
        """Seek (playing or paused)."""
        if not self._rate:
            return
        with self._lock:
            self._frame = max(0, min(self._frames, round(ms * self._rate / 1000)))
        self.position_changed.emit(self.position())

    def is_loading(self) -> bool:
        return self._decoding is not None or self._opening is not None

    def toggle(self) -> None:
        if self.is_playing() or self.is_loading():
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        """Play from the current position; the first play decodes the file in the background first."""
        if self.path is None or self.is_playing() or self.is_loading():
            return
        if self._samples is None:
            path = self.path
            job = self.runner.start(
                "decode-audio",
                decode_audio_work(path),
                succeeded=lambda decoded: self._decoded(job, decoded),
                failed=lambda exc: self._decode_failed(job, exc),
            )
            self._decoding = job
            self.loading_changed.emit(True)
            return
        self._start_stream()

    def _decoded(self, job: Job, decoded: Any) -> None:
        if job is not self._decoding:  # stopped, or another file loaded meanwhile
            return
        self._end_decoding()
        if decoded is None:
            return
        self._samples, self._rate = decoded
        self._frames = len(self._samples)
        self._start_stream()

    def _decode_failed(self, job: Job, exc: BaseException) -> None:
        if job is not self._decoding:
            return
        self._end_decoding()
        from trainer.audio import AudioError

        if isinstance(exc, AudioError):
            self.error.emit(f"Audio playback is not available: {exc}")
        else:
            self.error.emit(f"The recording cannot be read: {exc}")

    def _end_decoding(self, cancel: bool = False) -> None:
        """Decoding is over; with `cancel` (pause, stop) also drop the decoding and stream-opening jobs."""
        jobs = [self._decoding]
        self._decoding = None
        if cancel:
            jobs.append(self._opening)
            self._opening = None
        running = [job for job in jobs if job is not None]
        for job in running if cancel else ():
            job.cancel()
        if running:
            self.loading_changed.emit(False)

    def _start_stream(self) -> None:
        """Open the output in the background (`open_output_work`); playing starts when it is open."""
        from trainer.audio import AudioError, portaudio

        try:
            sounddevice = portaudio()  # already loaded by the decoding job
        except AudioError as exc:
            self.error.emit(f"Audio playback is not available: {exc}")
            return
        self._stop_signal = sounddevice.CallbackStop
        with self._lock:
            if self._frame >= self._frames:
                self._frame = 0
        job = self.runner.start(
            "open-output",
            open_output_work(self._rate, self._samples.shape[1], self._callback),
            succeeded=lambda opened: self._opened(job, opened),
            failed=lambda exc: self._open_failed(job, exc),
        )
        self._opening = job
        self.loading_changed.emit(True)

    def _opened(self, job: Job, opened: Any) -> None:
        if job is not self._opening:  # paused or stopped while opening: close it again, off this thread
            if opened is not None:
                self.runner.start("close-output", lambda _job: _close_output(*opened))
            return
        self._opening = None
        self.loading_changed.emit(False)
        if opened is None:
            return
        self._stream, self._stream_guard = opened
        with self._lock:
            self._feeding = True
        self._timer.start()
        self.playing_changed.emit(True)

    def _open_failed(self, job: Job, exc: BaseException) -> None:
        if job is not self._opening:
            return
        self._opening = None
        self.loading_changed.emit(False)
        self.error.emit(f"No audio output to play on: {exc}")

    def _callback(self, outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        with self._lock:
            if not self._feeding:  # paused: the stream is being closed in the background
                outdata[:] = 0
                return
            start = self._frame
            chunk = self._samples[start : start + frames]
            self._frame = start + len(chunk)
        outdata[: len(chunk)] = chunk
        if len(chunk) < frames:
            outdata[len(chunk) :] = 0
            raise self._stop_signal

    def _tick(self) -> None:
        self.position_changed.emit(self.position())
        if self._stream is not None and not self._stream.active:  # reached the end
            self._close_stream()

    def pause(self) -> None:
        self._end_decoding(cancel=True)
        if self._stream is not None:
            self._close_stream()
            self.position_changed.emit(self.position())

    def stop(self) -> None:
        """Stop (or stop decoding) and rewind."""
        self._end_decoding(cancel=True)
        self._close_stream()
        with self._lock:
            self._frame = 0

    def _close_stream(self) -> None:
        self._timer.stop()
        with self._lock:
            self._feeding = False
        stream, self._stream = self._stream, None
        guard, self._stream_guard = self._stream_guard, None
        if stream is not None:
            # Closing waits on PortAudio and its lock: in the background (the callback may still run briefly).
            self.runner.start("close-output", lambda _job: _close_output(stream, guard))
            self.playing_changed.emit(False)


class PlayerBar(QWidget):
    """Play/pause, a seek slider and "0:12 / 0:45" for an `AudioPlayer`."""

    def __init__(self, player: AudioPlayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.play_button = QPushButton("\u25b6 Play", self)
        self.play_button.setObjectName("playButton")
        self.play_button.setToolTip("Listen to your answer")
        self.play_button.clicked.connect(player.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("seekSlider")
        self.slider.setRange(0, 0)
        self.slider.setSingleStep(1000)
        self.slider.setPageStep(5000)
        self.slider.setToolTip("Drag to seek")
        self.slider.valueChanged.connect(self._slider_moved)
        self.label = QLabel("0:00 / 0:00", self)
        self.label.setObjectName("positionLabel")
        self.label.setMinimumWidth(90)
        layout.addWidget(self.play_button)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self._updating = False
        player.position_changed.connect(self._position)
        player.duration_changed.connect(self._duration)
        player.playing_changed.connect(self._playing)
        player.loading_changed.connect(self._loading)
        player.error.connect(self._error)

    def _slider_moved(self, value: int) -> None:
        if not self._updating:
            self.player.set_position(value)

    def _position(self, ms: int) -> None:
        self._updating = True
        self.slider.setValue(ms)
        self._updating = False
        self.label.setText(f"{clock(ms)} / {clock(self.player.duration())}")

    def _duration(self, ms: int) -> None:
        self.slider.setRange(0, ms)
        self.setEnabled(ms > 0)
        self.label.setToolTip("")
        self._position(0)

    def _playing(self, playing: bool) -> None:
        self.play_button.setText("\u23f8 Pause" if playing else "\u25b6 Play")

    def _loading(self, loading: bool) -> None:
        self.play_button.setText("\u23f3 Loading\u2026" if loading else "\u25b6 Play")

    def _error(self, message: str) -> None:
        self.label.setText("no audio")
        self.label.setToolTip(message)
        self.play_button.setToolTip(message)


# --- the view -------------------------------------------------------------------------------------------
