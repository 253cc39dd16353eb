"""Microphone recording that survives crashes, input/output device listing, and audio errors.

No Qt here: the GUI wraps `Recorder` in its own worker. The design in one paragraph: PortAudio (via
sounddevice) calls `Recorder._callback` on its audio thread for every 50 ms block; the callback only copies
the block into a queue and updates the level meter. A writer thread takes blocks from the queue, resamples
them to 16 kHz when the device could not record at 16 kHz, writes them to the file *as they arrive* and
flushes the file every `flush_seconds`, so a crash or a `kill -9` loses at most the last fraction of a second.
The writer thread also owns every stop decision (user, time limit, silence, lost device), so start/stop are
thread-safe and the file is always closed by the thread that wrote it.

Crash safety by format (measured with `kill -9` mid-recording, see tests/audio/test_recorder.py):

* `.wav`: libsndfile writes each block straight to the file and the header is rewritten on every flush:
  readable as is after a kill, nothing lost in the measurements.
* `.flac` (the default, about half the size): the FLAC frames on disk are valid, but the header still
  says "length unknown", which soundfile cannot read in one go (PyAV, hence faster-whisper, can).
  `read_audio` decodes such a file block by block into memory without touching it; `recover(path)` rewrites
  one of the app's own finished recordings in place (never one still being written). We encode with small
  FLAC blocks (1152 samples, libFLAC level 2) so only the last ~0.1 s is lost (measured 0.03-0.09 s).

PortAudio only enumerates devices when it is initialised, so device lists would go stale when PulseAudio
restarts or a USB microphone is plugged in; `list_devices()` and `Recorder.start()` re-initialise it
whenever no stream of ours is open (`refresh_portaudio`).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import math
import os
import queue
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import soundfile as sf

log = logging.getLogger(__name__)

#: The rate every recording is written at: what Whisper wants.
SAMPLERATE = 16_000
#: Level reported for digital silence (dBFS); log10(0) has no value.
FLOOR_DB = -100.0
#: Suffixes the recorder writes, with the libsndfile format used for each.
FORMATS: dict[str, tuple[str, str]] = {".flac": ("FLAC", "PCM_16"), ".wav": ("WAV", "PCM_16")}
#: soundfile's 0..1 compression level; 0.25 gives libFLAC level 2, whose 1152-sample blocks keep the audio
#: lost on a crash short (level 5 uses 4096-sample blocks) for ~10 % more bytes.
FLAC_COMPRESSION = 0.25

StopReason = Literal["user", "time_limit", "silence", "error"]
Float32Array = npt.NDArray[np.float32]


# --------------------------------------------------------------------------------------------- errors


class AudioError(Exception):
    """Base class: something about sound input/output that the user has to fix; the message says how."""


class PortAudioMissing(AudioError):
    """The PortAudio library is not installed, so no device can be opened at all."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "the PortAudio library was not found: install libportaudio2 "
            "(Debian/Ubuntu: sudo apt-get install libportaudio2)" + (f" [{detail}]" if detail else "")
        )


class NoAudioServer(AudioError):
    """PortAudio sees no device at all: on Linux that means no PulseAudio/PipeWire server is running."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "no sound server or audio devices found: start PulseAudio or PipeWire "
            "(e.g. `pulseaudio --start`) or choose a device (`trainer devices` lists them)"
            + (f" [{detail}]" if detail else "")
        )


class NoInputDevice(AudioError):
    """There are devices, but no microphone (or not the one asked for)."""


class DeviceUnavailable(AudioError):
    """The device exists but could not be opened (busy, unplugged since listing, unsupported settings)."""


class DeviceLost(AudioError):
    """The device stopped delivering audio mid-recording; what was captured up to then is kept."""


# ------------------------------------------------------------------------------------------ PortAudio

_pa_lock = threading.RLock()
_open_streams = 0


def portaudio() -> ModuleType:
    """The sounddevice module, imported on first use so a missing libportaudio is a clear `AudioError`."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError("PortAudio library not found") at import
        raise PortAudioMissing(str(exc)) from exc
    module: ModuleType = sounddevice
    if not _tracking:
        _track_streams(module)
    return module


def refresh_portaudio() -> bool:
    """Re-initialise PortAudio so it sees devices and servers that appeared or vanished since start-up.

    Re-initialising closes every open stream, so it is skipped (returns False) while any is open.
    """
    sd = portaudio()
    with _pa_lock:
        if _open_streams or _foreign_stream_open(sd):
            return False
        try:
            sd._terminate()
            sd._initialize()
        except sd.PortAudioError as exc:  # pragma: no cover - PortAudio refusing to start is very rare
            raise AudioError(f"could not initialise PortAudio: {exc}") from exc
        return True


_streams: weakref.WeakSet[Any] = weakref.WeakSet()  # every PortAudio stream of this process, see _track_streams
_tracking = False


def _track_streams(sd: Any) -> bool:
    """Make every sounddevice stream this process creates, whoever creates it, join `_streams`; False when this
    sounddevice has no `_StreamBase` to hook.

    Streams created before the hook (code that imported sounddevice first) are found once among all live
    objects. The scan costs 100-200 ms of the GIL with a speech model loaded, which stalled the window when it
    ran before every recording; now it runs once.
    """
    global _tracking
    with _pa_lock:
        if _tracking:
            return True
        stream_type = getattr(sd, "_StreamBase", None)
        if stream_type is None:  # pragma: no cover - a sounddevice without the private base class
            return False
        original = stream_type.__init__

        def tracked_init(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            _streams.add(self)

        stream_type.__init__ = tracked_init
        # type(obj), not isinstance: isinstance reads obj.__class__, which some library objects turn into a
        # warning (torch.distributed.reduce_op) or an import.
        _streams.update(obj for obj in gc.get_objects() if issubclass(type(obj), stream_type))
        _tracking = True
        return True


def _foreign_stream_open(sd: Any) -> bool:
    """Whether code that did not use `stream_guard` (e.g. a playback widget) has a stream open.

    Terminating PortAudio under an open stream leaves its Python object pointing at freed memory.
    """
    if not _track_streams(sd):  # pragma: no cover - cannot tell: assume one is open
        return True
    return any(not stream.closed for stream in list(_streams))


@contextlib.contextmanager
def stream_guard() -> Iterator[None]:
    """Mark a PortAudio stream as open (so `refresh_portaudio` leaves PortAudio alone) for its lifetime."""
    global _open_streams
    with _pa_lock:
        _open_streams += 1
    try:
        yield
    finally:
        with _pa_lock:
            _open_streams -= 1


# ------------------------------------------------------------------------------------------- devices


@dataclass(frozen=True)
class AudioDevice:
    """One PortAudio device, as `trainer devices` and the settings dialog show it."""

    index: int
    name: str
    hostapi: str
    input_channels: int
    output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool

    @property
    def is_input(self) -> bool:
        return self.input_channels > 0

    @property
    def is_output(self) -> bool:
        return self.output_channels > 0


def list_devices(refresh: bool = True) -> list[AudioDevice]:
    """Every input and output device; raises `NoAudioServer` when there is none at all.

    `refresh` re-initialises PortAudio first (when no stream is open) so the list is current.
    """
    sd = portaudio()
    with _pa_lock:
        if refresh:
            refresh_portaudio()
        raw = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in, default_out = _default_indexes(sd)
    if len(raw) == 0:
        raise NoAudioServer("PortAudio lists no devices")
    return [
        AudioDevice(
            index=int(d["index"]),
            name=str(d["name"]),
            hostapi=str(hostapis[d["hostapi"]]["name"]),
            input_channels=int(d["max_input_channels"]),
            output_channels=int(d["max_output_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            is_default_input=int(d["index"]) == default_in,
            is_default_output=int(d["index"]) == default_out,
        )
        for d in raw
    ]


def _default_indexes(sd: Any) -> tuple[int, int]:
    """PortAudio's default input and output device indexes (-1 when there is none)."""
    try:
        return int(sd.default.device[0]), int(sd.default.device[1])
    except (TypeError, IndexError, ValueError):  # pragma: no cover - sounddevice always gives a pair
        return -1, -1


def find_device(
    device: int | str | None, kind: Literal["input", "output"] = "input", refresh: bool = True
) -> AudioDevice:
    """Resolve a device given by index, by (part of its) name, or None for the default one.

    Raises `NoAudioServer` when there are no devices at all and `NoInputDevice` when none fits.
    """
    devices = list_devices(refresh)
    usable = [d for d in devices if (d.is_input if kind == "input" else d.is_output)]
    what = "input device (microphone)" if kind == "input" else "output device"
    names = ", ".join(f"{d.index}: {d.name}" for d in usable) or "none"
    if not usable:
        raise NoInputDevice(f"no {what} found: connect one, or check the sound server's settings")
    if device is None:
        for d in usable:
            if d.is_default_input if kind == "input" else d.is_default_output:
                return d
        raise NoInputDevice(f"there is no default {what}: choose one with --device (available: {names})")
    if isinstance(device, int) or (isinstance(device, str) and device.strip().isdigit()):
        index = int(device)
        for d in usable:
            if d.index == index:
                return d
        raise NoInputDevice(f"no {what} has index {index} (available: {names})")
    matches = [d for d in usable if d.name == device] or [d for d in usable if device.lower() in d.name.lower()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NoInputDevice(f"no {what} matches {device!r} (available: {names})")
    raise NoInputDevice(f"{device!r} matches several devices ({', '.join(d.name for d in matches)}): give its index")


# ----------------------------------------------------------------------------------------- levels


class Level(NamedTuple):
    """Loudness of the latest block, in dBFS (0 is full scale, `FLOOR_DB` is digital silence)."""

    rms_db: float
    peak_db: float


def to_db(amplitude: float) -> float:
    """Amplitude (0..1 of full scale) to dBFS, clamped at `FLOOR_DB`."""
    return max(FLOOR_DB, 20.0 * math.log10(amplitude)) if amplitude > 0 else FLOOR_DB


def block_level(block: Float32Array) -> Level:
    """RMS and peak of one block of samples."""
    if block.size == 0:
        return Level(FLOOR_DB, FLOOR_DB)
    samples = block.astype(np.float64, copy=False)
    return Level(to_db(float(np.sqrt(np.mean(samples * samples)))), to_db(float(np.max(np.abs(samples)))))


def meter_fraction(db: float, floor_db: float = -60.0) -> float:
    """Map dBFS to 0..1 for a level meter widget (`floor_db` and below show as empty)."""
    return min(1.0, max(0.0, (db - floor_db) / -floor_db))


# ------------------------------------------------------------------------------------------ resampling


class StreamResampler:
    """Resampling of a stream, block by block, with the same result as all at once: libsoxr (`soxr`).

    The one resampler of the project (`trainer.asr.base.resample` uses the same library on whole files):
    soxr's "HQ" quality keeps more than 120 dB of dynamic range and nothing above the lower Nyquist frequency.
    """

    def __init__(self, in_rate: int, out_rate: int = SAMPLERATE) -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError("sample rates must be positive")
        import soxr

        self.in_rate, self.out_rate = in_rate, out_rate
        self._stream = soxr.ResampleStream(in_rate, out_rate, 1, dtype="float32", quality="HQ")

    def process(self, block: npt.ArrayLike) -> Float32Array:
        """Feed input samples (1-D); returns the output samples that are now fully determined."""
        x = np.ascontiguousarray(np.asarray(block, dtype=np.float32).reshape(-1))
        out: Float32Array = self._stream.resample_chunk(x)
        return out

    def flush(self) -> Float32Array:
        """End of stream: returns the remaining output (about in * out_rate / in_rate samples in all)."""
        out: Float32Array = self._stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
        return out


# -------------------------------------------------------------------------------------------- files


def open_for_writing(path: Path, samplerate: int = SAMPLERATE) -> sf.SoundFile:
    """Open a mono 16-bit file for streaming writes, in the format its suffix names (.flac or .wav)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot record to {path.name}: use one of {', '.join(FORMATS)}")
    fmt, subtype = FORMATS[suffix]
    path.parent.mkdir(parents=True, exist_ok=True)
    extra: dict[str, Any] = {"compression_level": FLAC_COMPRESSION} if fmt == "FLAC" else {}
    return sf.SoundFile(path, "w", samplerate=samplerate, channels=1, format=fmt, subtype=subtype, **extra)


#: Files a `Recorder` of this process is writing right now: never repaired, never replaced.
_writing: set[Path] = set()
_writing_lock = threading.Lock()


def is_being_recorded(path: str | os.PathLike[str]) -> bool:
    """Whether a `Recorder` in this process is still writing `path`."""
    with _writing_lock:
        return Path(path).resolve() in _writing


class RecordingInProgress(AudioError):
    """The file is still being written by a recorder: it cannot be repaired (or deleted) yet."""


def needs_recovery(path: str | os.PathLike[str]) -> bool:
    """True for a FLAC file whose writer was killed (or is still writing): its header does not know its length."""
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError):
        return True
    # libsndfile reports an unknown length as the largest 64-bit value.
    return bool(info.frames >= 2**62)


def _read_torn(path: Path) -> tuple[npt.NDArray[np.float32], int, str]:
    """Every complete block of a file whose header says "length unknown": (frames x channels, rate, subtype).

    Reads only; the file is never modified. Raises `sf.LibsndfileError` when nothing is readable at all.
    """
    chunks: list[npt.NDArray[np.float32]] = []
    with sf.SoundFile(path) as src:
        samplerate, channels, subtype = int(src.samplerate), int(src.channels), str(src.subtype)
        while True:
            try:
                # Small reads: a read that reaches the torn last frame fails as a whole.
                block = src.read(256, dtype="float32", always_2d=True)
            except (sf.LibsndfileError, RuntimeError):
                break
            if len(block) == 0:
                break
            chunks.append(block.copy())
    data = np.concatenate(chunks) if chunks else np.zeros((0, channels), dtype=np.float32)
    return data, samplerate, subtype


def recover(path: str | os.PathLike[str]) -> float:
    """Repair, in place, one of the app's OWN recordings left torn by a crash; returns its duration (s).

    Only for a recording known to be complete (its attempt is no longer being recorded: the store knows);
    anything else is read into memory by `read_audio` and never modified. Refuses a file a `Recorder` of this
    process is writing (`RecordingInProgress`). Keeps every channel and the sample format; the repaired copy
    is written under a unique temporary name beside it, then swapped in atomically. A file that is already
    fine is left untouched. Raises `sf.LibsndfileError` when nothing can be read at all.
    """
    path = Path(path)
    if is_being_recorded(path):
        raise RecordingInProgress(f"{path} is still being recorded: it can be repaired once the recording ends")
    if not needs_recovery(path):
        return float(sf.info(str(path)).duration)
    data, samplerate, subtype = _read_torn(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".recovering" + path.suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        fmt = FORMATS.get(path.suffix.lower(), ("FLAC", subtype))[0]
        extra: dict[str, Any] = {"compression_level": FLAC_COMPRESSION} if fmt == "FLAC" else {}
        with sf.SoundFile(
            tmp, "w", samplerate=samplerate, channels=data.shape[1], format=fmt, subtype=subtype, **extra
        ) as dst:
            dst.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("recovered %s: %.2f s", path, len(data) / samplerate)
    return len(data) / samplerate


def read_audio(
    path: str | os.PathLike[str], *, mono: bool = True, repair: bool = False
) -> tuple[npt.NDArray[np.float32], int]:
    """Samples and rate of an audio file: THE one place that reads a recording, torn or not.

    A FLAC file cut short by a crash (or still being written) is decoded block by block into memory, so the
    words before the cut are kept and the file is not touched. Only with `repair=True` (the caller knows it
    is the app's own, finished recording: see `recover`) is such a file also repaired in place, so later
    reads are quick. `mono` mixes the channels to one (1-D); otherwise the result is frames x channels.
    """
    path = Path(path)
    if needs_recovery(path):
        if repair and not is_being_recorded(path):
            recover(path)
            data, rate = sf.read(str(path), dtype="float32", always_2d=True)
        else:
            data, rate, _ = _read_torn(path)
            if len(data) == 0:  # not even one block: let libsndfile say why the file is unreadable
                sf.info(str(path))
    else:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    if not mono:
        return np.ascontiguousarray(data, dtype=np.float32), int(rate)
    return np.asarray(data.mean(axis=1), dtype=np.float32), int(rate)


# ------------------------------------------------------------------------------------------ recording


@dataclass(frozen=True)
class Recording:
    """What a finished recording left on disk and why it ended."""

    path: Path
    duration: float  # seconds of audio in the file
    samplerate: int
    stopped_by: StopReason
    error: AudioError | None = None
    speech_detected: bool = False  # some block was above the silence threshold


LevelCallback = Callable[[float, float], None]
FinishedCallback = Callable[[Recording], None]
AudioCallback = Callable[[Float32Array], None]

_STREAM_FINISHED = object()  # queued by PortAudio's finished callback


class Recorder:
    """Records one answer from a microphone into a file on disk, mono 16 kHz, streaming as it goes.

    Use `start()` ... `stop()`, or as a context manager (`with Recorder(path) as rec: ...`; leaving the
    block stops it). It ends by itself on `max_seconds` of audio, after `silence_stop_seconds` of silence
    once speech has begun, or when the device is lost (`Recording.error` is then a `DeviceLost`, and the
    audio captured so far is kept).

    Callbacks run on other threads, never the caller's: `on_level(rms_db, peak_db)` on PortAudio's audio
    thread about 20 times a second (keep it quick; GUIs must marshal to their own thread, e.g. with a Qt
    signal), `on_audio(samples)` on the writer thread with every 16 kHz mono float32 block right after it
    is written to the file (audio is on disk first; live transcription feeds on it), `on_finished(recording)`
    on the writer thread once the file is closed. Exceptions raised by callbacks are logged, not propagated.
    """

    BLOCK_SECONDS = 0.05
    #: Speech has "begun" once this much audio was above the threshold (ignores single clicks).
    SPEECH_MIN_SECONDS = 0.2

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        device: int | str | None = None,
        max_seconds: float | None = None,
        silence_stop_seconds: float | None = None,
        silence_threshold_db: float = -40.0,
        on_level: LevelCallback | None = None,
        on_finished: FinishedCallback | None = None,
        flush_seconds: float = 0.5,
        on_audio: AudioCallback | None = None,
        device_samplerate: int | None = None,
        stall_seconds: float = 5.0,
    ) -> None:
        """`device`: index, name (or part of it), or None for the default input.
        `device_samplerate`: force the capture rate (normally 16 kHz, or the device's own rate when it
        refuses 16 kHz); audio is resampled to 16 kHz either way.
        `stall_seconds`: a device that delivers nothing for this long counts as lost.
        """
        self.path = Path(path)
        if self.path.suffix.lower() not in FORMATS:
            raise ValueError(f"cannot record to {self.path.name}: use one of {', '.join(FORMATS)}")
        if max_seconds is not None and max_seconds <= 0:
            raise ValueError("max_seconds must be positive")
        if silence_stop_seconds is not None and silence_stop_seconds <= 0:
            raise ValueError("silence_stop_seconds must be positive")
        self.device = device
        self.max_seconds = max_seconds
        self.silence_stop_seconds = silence_stop_seconds
        self.silence_threshold_db = silence_threshold_db
        self.on_level = on_level
        self.on_finished = on_finished
        self.on_audio = on_audio
        self.flush_seconds = flush_seconds
        self.stall_seconds = stall_seconds
        self._forced_rate = device_samplerate
        self.samplerate = SAMPLERATE
        self.device_samplerate: int | None = None  # the rate actually captured at, once started
        self.device_info: AudioDevice | None = None

        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._stop_request: StopReason | None = None
        self._wake = threading.Event()
        self._done = threading.Event()
        self._flowing = threading.Event()
        self._claimed = False
        self._started = False
        self._stream: Any = None
        self._file: sf.SoundFile | None = None
        self._writer: threading.Thread | None = None
        #: Marks PortAudio's audio thread (thread-local: a finished thread's ident is reused by the next thread).
        self._audio_thread = threading.local()
        self._level = Level(FLOOR_DB, FLOOR_DB)
        self._frames = 0
        self._speech_frames = 0
        self._silent_frames = 0
        self._overflows = 0
        self._result: Recording | None = None
        self._guard: contextlib.ExitStack | None = None

    # -- public API

    @property
    def level(self) -> Level:
        """The latest block's RMS and peak in dBFS (thread-safe to read from anywhere)."""
        return self._level

    @property
    def elapsed(self) -> float:
        """Seconds of audio written to the file so far."""
        return self._frames / self.samplerate

    @property
    def is_recording(self) -> bool:
        return self._started and not self._done.is_set()

    @property
    def speech_detected(self) -> bool:
        return self._speech_frames >= self.SPEECH_MIN_SECONDS * self.samplerate

    @property
    def overflows(self) -> int:
        """Blocks PortAudio reported as overflowed (audio dropped because the machine was too busy)."""
        return self._overflows

    @property
    def result(self) -> Recording | None:
        """The finished recording, or None while it is still running."""
        return self._result

    def start(self) -> None:
        """Open the device and the file and begin recording; raises an `AudioError` saying what to fix.

        Returns once audio is flowing; a Recorder records once (make a new one for the next answer).
        """
        # Only the claim is under the lock: the slow part (PortAudio refresh, stream open: 1-2 s on PulseAudio)
        # runs without it, so `request_stop` from the GUI thread never waits; a stop asked meanwhile ends the
        # recording as soon as the writer runs.
        with self._lock:
            if self._claimed:
                raise RuntimeError("this Recorder was already started; create a new one per recording")
            self._claimed = True
        sd = portaudio()
        with _pa_lock:
            info = find_device(self.device, "input")
            rate = self._capture_rate(sd, info)
            self.device_info, self.device_samplerate = info, rate
            resampler = StreamResampler(rate, SAMPLERATE) if rate != SAMPLERATE else None
            guard = contextlib.ExitStack()
            guard.enter_context(stream_guard())
            try:
                stream = sd.InputStream(
                    device=info.index,
                    samplerate=rate,
                    channels=1,
                    dtype="float32",
                    blocksize=round(rate * self.BLOCK_SECONDS),
                    callback=self._callback,
                    finished_callback=self._finished_callback,
                )
            except sd.PortAudioError as exc:
                guard.close()
                raise DeviceUnavailable(
                    f"could not open the input device {info.name!r}: {exc}; choose another device "
                    "or check that the sound server is running"
                ) from exc
        try:
            self._file = open_for_writing(self.path)
        except Exception:
            stream.close()
            guard.close()
            raise
        key = self.path.resolve()
        with _writing_lock:
            _writing.add(key)
        self._stream, self._guard = stream, guard
        self._writer = threading.Thread(target=self._write_loop, args=(resampler,), name="recorder-writer", daemon=True)
        self._started = True
        try:
            stream.start()
        except sd.PortAudioError as exc:
            self._started = False
            stream.close()
            guard.close()
            self._file.close()
            with _writing_lock:
                _writing.discard(key)
            raise DeviceUnavailable(f"could not start recording from {info.name!r}: {exc}") from exc
        self._writer.start()
        log.info("recording %s from %r at %d Hz", self.path, info.name, rate)

    def wait_for_audio(self, timeout: float | None = None) -> bool:
        """Block until the device delivered its first block (PulseAudio can take 1-2 s); False on timeout.

        Useful to show "listening" only once the microphone is live, and in tests before playing sound.
        """
        return self._flowing.wait(timeout)

    def request_stop(self, reason: StopReason = "user") -> None:
        """Ask the recording to end without waiting (safe from any thread, including callbacks)."""
        with self._lock:
            if self._stop_request is None:
                self._stop_request = reason
        self._wake.set()

    def stop(self, timeout: float | None = 10.0) -> Recording | None:
        """Stop (reason "user"), wait until the file is closed, and return the `Recording`.

        Returns None only if the recorder was never started. Called from an `on_level` or `on_finished`
        callback it cannot wait (that would deadlock) and returns the result if already known.
        """
        if not self._started:
            return None
        self.request_stop("user")
        if getattr(self._audio_thread, "inside", False) or threading.current_thread() is self._writer:
            return self._result
        return self.wait(timeout)

    def wait(self, timeout: float | None = None) -> Recording | None:
        """Block until the recording ends by itself or is stopped; None if `timeout` passed first."""
        if not self._started:
            return None
        self._done.wait(timeout)
        return self._result

    def __enter__(self) -> Recorder:
        if not self._started:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals

    def _capture_rate(self, sd: Any, info: AudioDevice) -> int:
        """16 kHz when the device takes it, else the device's own default rate."""
        if self._forced_rate is not None:
            return int(self._forced_rate)
        try:
            sd.check_input_settings(device=info.index, samplerate=SAMPLERATE, channels=1, dtype="float32")
            return SAMPLERATE
        except (sd.PortAudioError, ValueError):
            rate = int(info.default_samplerate)
            log.info("%r refuses %d Hz; recording at %d Hz and resampling", info.name, SAMPLERATE, rate)
            return rate

    def _callback(self, indata: Float32Array, frames: int, time_info: Any, status: Any) -> None:
        """PortAudio's audio thread: copy the block out and report the level; nothing slow here."""
        self._audio_thread.inside = True
        if status and status.input_overflow:
            self._overflows += 1
        block = indata[:, 0].copy()
        self._queue.put(block)
        self._flowing.set()
        level = block_level(block)
        self._level = level
        if self.on_level is not None:
            try:
                self.on_level(level.rms_db, level.peak_db)
            except Exception:
                log.exception("on_level callback failed")

    def _finished_callback(self) -> None:
        self._queue.put(_STREAM_FINISHED)

    def _write_loop(self, resampler: StreamResampler | None) -> None:
        """The writer thread: file writes, flushes and every stop decision."""
        assert self._file is not None
        reason: StopReason | None = None
        error: AudioError | None = None
        last_flush = last_data = time.monotonic()
        limit = None if self.max_seconds is None else round(self.max_seconds * self.samplerate)
        try:
            while reason is None:
                try:
                    item = self._queue.get(timeout=0.05)
                except queue.Empty:
                    item = None
                now = time.monotonic()
                if item is _STREAM_FINISHED:
                    if self._stop_request is None:
                        reason, error = "error", self._lost("the input device stopped delivering audio")
                    else:
                        reason = self._stop_request
                    break
                if isinstance(item, np.ndarray):
                    last_data = now
                    data = resampler.process(item) if resampler is not None else item
                    reason = self._consume(data, limit)
                if reason is None and self._stop_request is not None:
                    reason = self._stop_request
                if reason is None and now - last_data > self.stall_seconds:
                    reason = "error"
                    error = self._lost(f"no audio from the input device for {self.stall_seconds:g} s")
                if now - last_flush >= self.flush_seconds:
                    self._file.flush()
                    last_flush = now
            self._close_stream()
            # Blocks PortAudio delivered before it stopped still belong to the answer.
            while reason != "time_limit":
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(item, np.ndarray):
                    data = resampler.process(item) if resampler is not None else item
                    if self._consume(data, limit, check_silence=False) == "time_limit":
                        break
            if resampler is not None and reason != "time_limit":
                self._consume(resampler.flush(), limit, check_silence=False)
        except Exception as exc:  # disk full, unwritable file...: end cleanly and say why
            log.exception("recording to %s failed", self.path)
            reason, error = "error", AudioError(f"recording to {self.path} failed: {exc}")
            self._close_stream()
        finally:
            try:
                self._file.close()
            except Exception as exc:
                log.exception("closing %s failed", self.path)
                reason, error = "error", error or AudioError(f"could not finish {self.path}: {exc}")
            with _writing_lock:
                _writing.discard(self.path.resolve())
            self._result = Recording(
                path=self.path,
                duration=self._frames / self.samplerate,
                samplerate=self.samplerate,
                stopped_by=reason or "error",
                error=error,
                speech_detected=self.speech_detected,
            )
            self._done.set()
            log.info("recorded %.2f s to %s (%s)", self._result.duration, self.path, self._result.stopped_by)
            if self.on_finished is not None:
                try:
                    self.on_finished(self._result)
                except Exception:
                    log.exception("on_finished callback failed")

    def _consume(self, data: Float32Array, limit: int | None, check_silence: bool = True) -> StopReason | None:
        """Write samples (cut at the time limit) and update the silence detector."""
        assert self._file is not None
        if limit is not None and self._frames + len(data) >= limit:
            last = data[: limit - self._frames]
            self._file.write(last)
            self._frames = limit
            self._hand_over(last)
            return "time_limit"
        self._file.write(data)
        self._frames += len(data)
        self._hand_over(data)
        if len(data) == 0:
            return None
        if block_level(data).rms_db > self.silence_threshold_db:
            self._speech_frames += len(data)
            self._silent_frames = 0
        else:
            self._silent_frames += len(data)
        if (
            check_silence
            and self.silence_stop_seconds is not None
            and self.speech_detected
            and self._silent_frames >= self.silence_stop_seconds * self.samplerate
        ):
            return "silence"
        return None

    def _hand_over(self, data: Float32Array) -> None:
        """Give written samples to `on_audio`; its failure must never stop the recording."""
        if self.on_audio is None or len(data) == 0:
            return
        try:
            self.on_audio(data)
        except Exception:
            log.exception("on_audio callback failed")

    def _lost(self, what: str) -> DeviceLost:
        name = self.device_info.name if self.device_info else "the input device"
        return DeviceLost(
            f"{what} ({name!r} was disconnected or the sound server stopped); "
            f"the {self._frames / self.samplerate:.1f} s recorded so far are kept in {self.path}"
        )

    def _close_stream(self) -> None:
        """Stop and close the PortAudio stream; abort() because it never waits on a starved device."""
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.abort()
        except Exception:
            log.debug("aborting the input stream failed", exc_info=True)
        try:
            stream.close()
        except Exception:
            log.debug("closing the input stream failed", exc_info=True)
        if self._guard is not None:
            self._guard.close()
            self._guard = None
