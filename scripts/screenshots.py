#!/usr/bin/env python3
"""Take the README screenshots from the real app: practice (result revealed), review and settings.

    .venv/bin/python scripts/screenshots.py   # writes docs/screenshots/{practice,recording,review,settings}.png

Runs the real window under Xvfb with Qt's xcb platform (it re-runs itself under `xvfb-run` when there is no
display), on a temporary data folder so the user's attempts are untouched. The attempts shown are real: spoken
answers are synthesised (Piper when installed, else espeak-ng), then go through the app's own pipeline:
stored as recordings, transcribed by faster-whisper tiny.en, scored and kept in SQLite. The practice answer is
played into PulseAudio's virtual microphone (scripts/pulse.sh) while the window records it; the practice shot is
the live window after it was transcribed and the model answer revealed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
SIZE = (1280, 820)
PRIVATE_SINK = f"trainer_screenshots_{os.getpid()}_speaker"
PRIVATE_SOURCE = f"trainer_screenshots_{os.getpid()}_mic"

#: (card id, spoken answer): a mix of strong and partial answers so the review has something to show.
ANSWERS: tuple[tuple[str, str], ...] = (
    (
        "depends-basics",
        "Depends is how FastAPI does dependency injection. A dependency is just a callable, usually a function. "
        "FastAPI calls it for every request and injects the return value into the route. Typical uses are a "
        "database session and the current user from a token.",
    ),
    (
        "depends-basics",
        "Depends is FastAPI's dependency injection. A dependency is a callable, a function or a class. FastAPI "
        "calls it and injects the result into the route, so um the route never builds it. I use it for the "
        "database session, for the current user from a token, and it can have sub-dependencies. In tests, "
        "dependency overrides let you swap it for a fake.",
    ),
    (
        "http-exception",
        "You raise an HTTPException with a status code and a detail, for example four oh four not found, and "
        "FastAPI turns it into a JSON error response.",
    ),
)
#: The answer the practice screenshot shows (the deck's first card, "path-vs-query").
PRACTICE_ANSWER = (
    "So, a path parameter is part of the URL path itself, like the item id in slash items slash item id, and "
    "path parameters are required. A query parameter comes after the question mark, in the query string, "
    "and query parameters are basically optional with defaults, like skip equals zero."
)


def rerun_under_xvfb() -> int:
    """Run this script again inside a virtual X server, with the xcb platform."""
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        print("screenshots: no display and no xvfb-run (apt-get install xvfb xauth)", file=sys.stderr)
        return 1
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", TRAINER_SCREENSHOTS_CHILD="1")
    screen = f"-screen 0 {SIZE[0] + 200}x{SIZE[1] + 200}x24"
    return subprocess.call([xvfb, "-a", "-s", screen, sys.executable, *sys.argv], env=env)


def synthesise(text: str, path: Path) -> Path:
    """Speech for `text` as a WAV: the Piper voice when installed (natural), else espeak-ng (robotic)."""
    from trainer.tts import make_speaker

    try:
        speaker = make_speaker("piper")
    except Exception:
        speaker = make_speaker("pyttsx3", rate=165)
    try:
        return speaker.save(text, path)
    finally:
        speaker.close()


def seed_history(store: object, transcriber: object, work: Path) -> None:
    """Earlier sessions: recorded answers kept and transcribed exactly as the app does."""
    import soundfile as sf

    from trainer.deck import load_deck
    from trainer.practice import transcribe_attempt
    from trainer.storage import Store, now

    assert isinstance(store, Store)
    deck = load_deck(REPO / "cards" / "fastapi.toml")
    session = store.start_session(deck.id, deck.title, mode="spoken", order="weakest")
    for n, (card_id, text) in enumerate(ANSWERS):
        card = deck.card(card_id)
        wav = synthesise(text, work / f"history-{n}.wav")
        audio = store.new_audio_path(session, card)
        data, rate = sf.read(str(wav), dtype="float32")
        sf.write(str(audio), data, rate, format="FLAC")
        attempt = store.add_recorded_attempt(session, deck, card, audio, now(), len(data) / rate)
        transcribe_attempt(store, attempt.id, deck, card, transcriber)  # type: ignore[arg-type]
    store.end_session(session.id)


def take(out: Path) -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from trainer.asr import load_transcriber
    from trainer.settings import Key, Settings
    from trainer.storage import Store
    from trainer.ui.app import make_application
    from trainer.ui.main_window import MainWindow
    from trainer.ui.practice import Phase
    from trainer.ui.settings_dialog import SettingsDialog

    make_application()
    work = Path(os.environ["TRAINER_DATA_DIR"]).parent / "work"
    work.mkdir(parents=True, exist_ok=True)

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(condition: object, what: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise SystemExit(f"screenshots: timed out waiting for {what}")
            wait(50)

    settings = Settings.load()
    settings.set(Key.READ_QUESTION, False)
    settings.set(Key.THINK_TIME, 0.0)
    settings.save()
    store = Store.open_default(settings)
    print("screenshots: transcribing the example history...", flush=True)
    started = time.monotonic()
    seed_history(store, load_transcriber("faster-whisper", "tiny.en"), work)

    print(f"screenshots: history ready in {time.monotonic() - started:.1f} s", flush=True)
    window = MainWindow(settings, store)
    window.resize(*SIZE)
    window.show()
    wait_until(lambda: window.speech_model.state not in ("idle", "loading"), "the speech model")
    wait_until(lambda: window.microphone_ok is not None, "the microphone check")
    if window.speech_model.state != "ready":
        raise SystemExit(f"screenshots: the speech model did not load: {window.speech_model.error}")
    if not window.microphone_ok:
        raise SystemExit(
            f"screenshots: no microphone ({window.microphone_problem}); start the virtual one: "
            'eval "$(scripts/pulse.sh)"'
        )

    practice = window.practice
    practice.start_session(mode="spoken", order="in-order")
    # Answer through the microphone: Space, the answer played into the virtual microphone, Space.
    answer = synthesise(PRACTICE_ANSWER, work / "practice.wav")
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    practice.record_or_stop()
    wait_until(lambda: practice.level_meter.updates > 0, "the microphone to deliver audio", 20)
    sink = [f"--device={PRIVATE_SINK}"] if os.environ.get("PULSE_SOURCE") == PRIVATE_SOURCE else []
    player = subprocess.Popen(["paplay", *sink, str(answer)])
    wait(4000)
    shots.append(_save(window.grab(), out / "recording.png"))
    wait_until(lambda: player.poll() is not None, "the answer to be played")
    wait(1800)  # the microphone's latency
    practice.record_or_stop()
    wait_until(lambda: practice.phase in (Phase.RESULT, Phase.FAILED), "the transcription")
    if practice.phase is not Phase.RESULT:
        raise SystemExit(f"screenshots: the practice answer was not scored: {practice.status_label.text()}")
    practice.reveal()
    wait(300)
    shots.append(_save(window.grab(), out / "practice.png"))

    review: Any = window.review
    window.tabs.setCurrentWidget(review)
    review.refresh()
    attempt = practice.attempt
    if attempt is not None:
        review.select_attempt(attempt.id)
    wait(400)
    shots.append(_save(window.grab(), out / "review.png"))

    # Typical values for the settings shot, with the microphone test hearing an answer.
    settings.set(Key.READ_QUESTION, True)
    settings.set(Key.THINK_TIME, 5.0)
    settings.set(Key.SILENCE_STOP, 3.0)
    dialog = SettingsDialog(settings, window.runner, window)
    dialog.show()
    wait(1500)  # the microphone and voice lists fill in the background
    dialog.mic_test_button.click()
    wait_until(lambda: dialog.mic_meter.updates > 0, "the microphone test", 20)
    player = subprocess.Popen(["paplay", *sink, str(answer)])
    wait_until(lambda: dialog.mic_meter.rms_db > -24, "the microphone test to hear the answer", 20)
    shots.append(_save(dialog.grab(), out / "settings.png"))
    dialog.reject()
    player.terminate()
    player.wait()

    window.close()
    window.runner.wait(15_000)
    store.close()
    QApplication.processEvents()
    for shot in shots:
        print(shot.relative_to(REPO) if shot.is_relative_to(REPO) else shot)
    return 0


def _save(pixmap: object, path: Path) -> Path:
    from PySide6.QtGui import QPixmap

    assert isinstance(pixmap, QPixmap)
    if not pixmap.save(str(path)):  # PNG, from the suffix
        raise SystemExit(f"screenshots: could not write {path}")
    return path


def _start_virtual_microphone() -> list[str]:
    """The practice answer is recorded from a microphone: PulseAudio (scripts/pulse.sh) with a sink and source
    of our own, so nothing else played on the machine meanwhile leaks into the answer. Returns the modules to
    unload afterwards."""
    result = subprocess.run(["bash", str(REPO / "scripts" / "pulse.sh")], capture_output=True, text=True, check=False)
    for line in result.stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            name, value = line.removeprefix("export ").split("=", 1)
            os.environ[name] = value
    modules = []
    for args in (
        ["module-null-sink", f"sink_name={PRIVATE_SINK}"],
        ["module-remap-source", f"source_name={PRIVATE_SOURCE}", f"master={PRIVATE_SINK}.monitor"],
    ):
        loaded = subprocess.run(["pactl", "load-module", *args], capture_output=True, text=True, check=False)
        if loaded.returncode == 0:
            modules.append(loaded.stdout.strip())
    if len(modules) == 2:
        os.environ["PULSE_SOURCE"] = PRIVATE_SOURCE
    return modules


def _unload(modules: list[str]) -> None:
    for module in reversed(modules):
        subprocess.run(["pactl", "unload-module", module], capture_output=True, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNGs (default {OUT})")
    args = parser.parse_args()
    if not os.environ.get("TRAINER_SCREENSHOTS_CHILD") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return rerun_under_xvfb()
    with tempfile.TemporaryDirectory(prefix="trainer-screenshots-") as home:
        os.environ["TRAINER_DATA_DIR"] = str(Path(home) / "data")
        os.environ["TRAINER_CONFIG_DIR"] = str(Path(home) / "config")
        os.environ["TRAINER_DECK_DIR"] = str(Path(home) / "decks")
        os.environ["TRAINER_CACHE_DIR"] = str(Path(home) / "cache")  # the microphone test writes here
        sys.path.insert(0, str(REPO))
        modules = _start_virtual_microphone()
        try:
            return take(args.out.resolve())
        finally:
            _unload(modules)


if __name__ == "__main__":
    sys.exit(main())
