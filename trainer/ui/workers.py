"""Background work for the window: TTS, recording, model loading, transcription.

The GUI thread never blocks. Each task is a `Job` (a QRunnable, as in Buzz) that runs a plain function on a pool
thread, never touches a widget, and reports back only through the signals of its small `JobSignals` QObject, which
lives in the GUI thread, so the slots run there (Anki's rule). Every job carries a `threading.Event` it is asked to
stop with; the functions here pass it on to the core (transcription's `cancel=`, the recorder's `stop()`).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class JobSignals(QObject):
    """The only way a job talks to the GUI: queued signals, delivered in the GUI thread."""

    progress = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()  # after succeeded or failed, always


class Job(QRunnable):
    """Runs `work(job)` on a pool thread; `work` polls `job.cancelled` or passes `job.cancel_event` on."""

    def __init__(self, name: str, work: Callable[[Job], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python keeps it alive until `finished` has been handled
        self.name = name
        self.work = work
        self.cancel_event = threading.Event()
        self.signals = JobSignals()
        self.done = threading.Event()
        self._on_cancel: list[Callable[[], None]] = []

    def release(self) -> None:
        """Drop what the finished job refers to: its work and callbacks, and its signals' connections.

        The connections hold Python callables (one holds the job itself) that Python's garbage collector cannot
        see, so without this every job and all its work captured (a recorder, the live transcription of an
        answer with all its audio) stayed in memory: +0.6 MB a round in the soak.
        """
        self.work = _finished_work
        self._on_cancel.clear()
        self.signals.deleteLater()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Call `callback` (from the cancelling thread) when the job is cancelled, e.g. to stop a recorder."""
        self._on_cancel.append(callback)
        if self.cancelled:
            callback()

    def cancel(self) -> None:
        """Ask the job to stop; it still reports `failed` or `succeeded`, then `finished`."""
        if self.cancel_event.is_set():
            return
        self.cancel_event.set()
        for callback in list(self._on_cancel):
            try:
                callback()
            except Exception:  # a failing stop must not break the caller's cancel
                traceback.print_exc()

    def run(self) -> None:
        try:
            result = self.work(self)
        except BaseException as exc:  # reported to the GUI, which decides what to show
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.done.set()
            self.signals.finished.emit()


def _finished_work(job: Job) -> Any:
    raise RuntimeError(f"the job {job.name!r} has finished and was released")


class JobRunner(QObject):
    """Starts jobs on its own pool and keeps them alive until they report.

    When the window closes it calls `stop()`, which only *asks* every job to end and never waits: from then on
    no callback runs (the widgets they would update are going away). Waiting for the threads (`wait()`) is for
    after the window is gone, e.g. before the database is closed.
    """

    def __init__(self, parent: QObject | None = None, max_threads: int = 6) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        # Recording, reading aloud, model loading and transcription may all be waiting at once.
        self.pool.setMaxThreadCount(max_threads)
        self.jobs: set[Job] = set()
        self.stopped = False

    def start(
        self,
        name: str,
        work: Callable[[Job], Any],
        *,
        succeeded: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        progress: Callable[[Any], None] | None = None,
        finished: Callable[[], None] | None = None,
    ) -> Job:
        """Run `work` in the background; the callbacks run in the GUI thread."""
        job = Job(name, work)
        queued = Qt.ConnectionType.QueuedConnection
        signals = job.signals
        for signal, callback in (
            (signals.succeeded, succeeded),
            (signals.failed, failed),
            (signals.progress, progress),
            (signals.finished, finished),
        ):
            if callback is not None:
                signal.connect(self._unless_stopped(callback), queued)
        signals.finished.connect(lambda j=job: self._forget(j), queued)
        self.jobs.add(job)
        if self.stopped:  # the window is closing: nothing new may start
            job.cancel()
        self.pool.start(job)
        return job

    @Slot()
    def _forget(self, job: Job) -> None:
        self.jobs.discard(job)
        job.release()

    def running(self, name: str | None = None) -> list[Job]:
        """Jobs not yet finished, optionally only those with this name."""
        return [j for j in self.jobs if not j.done.is_set() and (name is None or j.name == name)]

    def _unless_stopped(self, callback: Callable[..., None]) -> Callable[..., None]:
        """`callback`, unless the runner was stopped or the callback's object (a dialog closed meanwhile) is gone.

        A bound method connected directly would be disconnected by Qt when its object is deleted; through this
        wrapper Qt cannot see the object, so the check is made here.
        """
        owner = getattr(callback, "__self__", None)
        watched = owner if isinstance(owner, QObject) else None

        def deliver(*args: Any) -> None:
            if self.stopped or (watched is not None and not shiboken6.isValid(watched)):
                return
            callback(*args)

        return deliver

    def stop(self) -> None:
        """Cancel every job without waiting; their results are no longer delivered."""
        self.stopped = True
        for job in list(self.jobs):
            job.cancel()

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Block until every job has ended (not on a visible window: it would freeze); True when they did."""
        return bool(self.pool.waitForDone(timeout_ms))

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """`stop()`, then `wait()`: for a runner whose window is already gone (or never was)."""
        self.stop()
        return self.wait(timeout_ms)


# --- the work itself: plain functions of a Job, no Qt widgets ---------------------------------------------


def load_model_work(engine: str, model: str) -> Callable[[Job], Any]:
    """Load the speech model (imports faster-whisper here, off the GUI thread)."""

    def work(job: Job) -> Any:
        from trainer.asr import load_transcriber

        transcriber = load_transcriber(engine=engine, model=model)
        # Live transcription finds speech with faster-whisper's VAD (onnxruntime). Loading it here, with the
        # model, keeps its import (100+ ms holding the GIL, which stalls the window) out of the first answer.
        try:
            from faster_whisper.vad import get_vad_model

            get_vad_model()
        except Exception as exc:  # live transcription loads it later, or says why it cannot
            log.warning("preloading the speech detector failed: %s", exc)
        return transcriber

    return work


def record_work(recorder_factory: Callable[[Callable[[float, float], None]], Any]) -> Callable[[Job], Any]:
    """Record until the recorder stops itself (time limit, silence) or the job is cancelled (Space).

    `recorder_factory(on_level)` builds a `trainer.audio.Recorder`; levels (dBFS) arrive on the audio thread
    and are forwarded as `progress` signals, never drawn from there. Cancelling only *asks* the recorder to
    stop (`request_stop`), so the GUI thread never waits for the file to be closed.
    """

    def work(job: Job) -> Any:
        def on_level(rms_db: float, peak_db: float) -> None:
            job.signals.progress.emit((float(rms_db), float(peak_db)))

        recorder = recorder_factory(on_level)
        job.on_cancel(lambda: recorder.request_stop("user"))
        recorder.start()
        if job.cancelled:
            recorder.request_stop("user")
        return recorder.wait()

    return work


def speak_work(speaker_factory: Callable[[], Any], text: str) -> Callable[[Job], Any]:
    """Read `text` aloud and wait for the end; cancelling cuts the voice off without waiting for it.

    Raises RuntimeError with the speaker's own reason (e.g. no sound server) when nothing could be played.
    """

    def work(job: Job) -> Any:
        speaker = speaker_factory()
        try:
            job.on_cancel(lambda: speaker.stop(timeout=0))
            if job.cancelled:
                return None
            speaker.say(text)
            while not speaker.wait(0.1):
                if job.cancelled:
                    break
            error = getattr(speaker, "last_error", None)
            if error and not job.cancelled:
                raise RuntimeError(error)
            return None
        finally:
            speaker.close()

    return work


class SpeechModel(QObject):
    """The speech model's state for the whole window: loading, ready or failed (with the reason to show).

    Loading takes a second or more (import, weights), so it runs as a job started right after the window
    appears; practice in flashcard mode never waits for it.
    """

    changed = Signal(str)  # "idle", "loading", "ready" or "failed"

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.state = "idle"
        self.transcriber: Any = None
        self.error = ""
        self.engine = ""
        self.model = ""
        self.load_seconds: float | None = None
        self._job: Job | None = None
        self._token: object = None
        self._started = 0.0

    def load(self, engine: str, model: str) -> None:
        """(Re)load in the background; a load already running is abandoned (its result ignored)."""
        import time

        if self._job is not None:
            self._job.cancel()
        self.engine, self.model = engine, model
        self.transcriber = None
        self.error = ""
        self._set("loading")
        self._started = time.monotonic()
        token = object()  # identifies this load: results of an abandoned one are ignored
        self._token = token
        # Callbacks are connected before the job starts (a missing model fails in microseconds).
        self._job = self.runner.start(
            "load-model",
            load_model_work(engine, model),
            succeeded=lambda transcriber: self._loaded(token, transcriber),
            failed=lambda exc: self._failed(token, exc),
        )

    def _loaded(self, token: object, transcriber: Any) -> None:
        import time

        if token is not self._token:
            return
        self._job = None
        self.transcriber = transcriber
        self.load_seconds = time.monotonic() - self._started
        self._set("ready")

    def _failed(self, token: object, exc: BaseException) -> None:
        if token is not self._token:
            return
        self._job = None
        self.error = describe_model_error(exc)
        self._set("failed")

    def _set(self, state: str) -> None:
        self.state = state
        self.changed.emit(state)

    def describe(self) -> str:
        """One line for the status bar."""
        name = f"{self.engine} {self.model}".strip()
        if self.state == "loading":
            return f"Speech model {name}: loading\u2026"
        if self.state == "ready":
            took = f" (loaded in {self.load_seconds:.1f} s)" if self.load_seconds is not None else ""
            return f"Speech model {name}: ready{took}"
        if self.state == "failed":
            return f"Speech model {name}: failed \u2014 {self.error.splitlines()[0] if self.error else ''}"
        return "Speech model: not loaded"


def describe_model_error(exc: BaseException) -> str:
    """The message to show for a model that would not load: ASRError messages already say how to fix it."""
    from trainer.asr.base import ASRError

    if isinstance(exc, ASRError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
