"""Kill -9 a practice round at random moments; after each restart nothing recorded is lost (issue 9, item 4).

    .venv/bin/python bench/crash.py               # 50 kills (about 10 minutes on 2 busy cores)
    .venv/bin/python bench/crash.py --kills 5     # the short mode tests/audio/test_crash_rounds.py runs

Each round runs in its own process group, with the core pieces in the order the app uses them (trainer/ui:
the question read aloud by pyttsx3; the attempt registered as recording starts; `Recorder` streaming the
microphone into FLAC while a spoken answer plays into the PulseAudio virtual microphone; `set_duration`;
`transcribe_attempt` with faster-whisper tiny.en, which marks it transcribing, scores and saves). Every round
opens the SAME data folder, as the app does after a crash. The round reports its phase and the seconds of
audio the recorder has written; the parent picks a phase (reading, recording, transcribing, saving) and a
random moment in it, and SIGKILLs the whole group. Then it restarts as `trainer.ui.app.main` does (open the
store, `recover_interrupted(repair=audio.recover)`) and checks:

* every second the recorder had written before the kill is in the attempt the review lists (its stored
  duration and the audio read back; FLAC may lose its last, torn block: <= 0.25 s allowed);
* no attempt is stuck (status "transcribing", or "recorded" with no duration);
* `PRAGMA integrity_check` is "ok".

Needs the virtual microphone (`eval "$(bash scripts/pulse.sh)"`) and espeak-ng. Prints one line per kill and
a summary; exits 1 when any check failed.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DECK = REPO / "cards" / "fastapi.toml"
ANSWER = (
    "Path parameters are part of the URL path and identify a resource. Query parameters come after the "
    "question mark, are optional filters, and FastAPI reads them from the function arguments."
)
PHASES = ("reading", "recording", "transcribing", "saving")
#: The recording's length in each round (seconds).
RECORD_SECONDS = 4.0
#: FLAC loses at most its last, torn block on a kill (measured 0.03-0.09 s); margin for a busy machine.
FLAC_LOSS = 0.25


# --- the round (child process) ------------------------------------------------------------------------------


def say(line: str) -> None:
    print(line, flush=True)


def child(data_dir: Path, answer_wav: Path) -> int:
    """One practice round, reporting `phase NAME` and `elapsed SECONDS` lines on stdout."""
    from trainer import audio
    from trainer.asr import load_transcriber
    from trainer.deck import load_deck
    from trainer.practice import transcribe_attempt
    from trainer.storage import Store, now
    from trainer.tts import make_speaker

    store = Store(data_dir / "attempts.sqlite3")
    store.recover_interrupted(repair=audio.recover)  # as trainer.ui.app.main at start-up
    deck = load_deck(DECK)
    card = random.Random(os.getpid()).choice(deck.cards)
    transcriber = load_transcriber("faster-whisper", "tiny.en")
    session = store.start_session(deck.id, deck.title)

    say("phase reading")
    with make_speaker("pyttsx3") as speaker:
        speaker.say(card.question[:120])
        speaker.wait(30)

    path = store.new_audio_path(session, card)
    attempt = store.add_recorded_attempt(session, deck, card, path, now(), None)
    say(f"attempt {attempt.id}")
    recorder = audio.Recorder(path, max_seconds=RECORD_SECONDS)
    recorder.start()
    say("phase recording")
    player = subprocess.Popen(["paplay", str(answer_wav)])
    stop = threading.Event()

    def report() -> None:
        while not stop.wait(0.05):
            say(f"elapsed {recorder.elapsed:.3f}")

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    result = recorder.wait(RECORD_SECONDS + 10)
    stop.set()
    reporter.join()
    player.terminate()
    player.wait()
    assert result is not None
    say(f"elapsed {result.duration:.3f}")
    store.set_duration(attempt.id, result.duration)

    say("phase transcribing")
    original_save = store.save_result

    def save(*args: object, **kwargs: object) -> object:
        say("phase saving")
        return original_save(*args, **kwargs)  # type: ignore[arg-type]

    store.save_result = save  # type: ignore[method-assign]
    saved = transcribe_attempt(store, attempt.id, deck, card, transcriber)
    store.end_session(session.id)
    store.close()
    say(f"phase done {saved.status}")
    return 0


# --- the parent: kill, restart, check -----------------------------------------------------------------------


@dataclass
class Outcome:
    target: str
    phase: str
    elapsed: float
    attempt: int | None
    duration: float | None
    problems: list[str]


def run_round(data_dir: Path, answer_wav: Path, target: str, rng: random.Random) -> Outcome:
    """Start a round, kill it at a random moment of `target`, restart, and check what the review would show."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(data_dir), str(answer_wav)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: paplay and espeak die with it
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])},
    )
    assert proc.stdout is not None
    state: dict[str, object] = {"phase": "starting", "elapsed": 0.0, "attempt": None}
    reached = threading.Event()
    lines: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "phase":
                state["phase"] = parts[1]
                if parts[1] == target:
                    reached.set()
            elif parts[0] == "elapsed":
                state["elapsed"] = float(parts[1])
            elif parts[0] == "attempt":
                state["attempt"] = int(parts[1])
        reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reached.wait(120)
    # A random moment inside the phase: saving lasts milliseconds, the others seconds.
    delays = {"reading": rng.uniform(0, 2), "recording": rng.uniform(0, RECORD_SECONDS), "saving": 0.0}
    time.sleep(delays.get(target, rng.uniform(0, 1.0)))
    with_kill = proc.poll() is None
    if with_kill:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join(5)
    # Every line the round printed was printed before the kill: the last `elapsed` is a lower bound.
    phase = str(state["phase"]) if with_kill else "finished"
    attempt_id = state["attempt"]
    return check(data_dir, target, phase, float(state["elapsed"]), attempt_id)  # type: ignore[arg-type]


def check(data_dir: Path, target: str, phase: str, elapsed: float, attempt_id: int | None) -> Outcome:
    import soundfile as sf

    from trainer import audio
    from trainer.storage import Status, Store

    problems: list[str] = []
    store = Store(data_dir / "attempts.sqlite3")
    try:
        store.recover_interrupted(repair=audio.recover)
        duration = None
        for attempt in store.attempts():
            if attempt.status is Status.TRANSCRIBING:
                problems.append(f"attempt {attempt.id} stuck transcribing")
            if attempt.status is Status.RECORDED and attempt.duration is None:
                problems.append(f"attempt {attempt.id} stuck recording")
        if attempt_id is not None:
            listed = [a for a in store.attempts() if a.id == attempt_id]
            if not listed:
                problems.append(f"attempt {attempt_id} is not in the review")
            else:
                attempt = listed[0]
                duration = attempt.duration
                if elapsed > 0:
                    if attempt.audio_path is None or not attempt.audio_path.is_file():
                        problems.append(f"attempt {attempt_id}: its audio is gone")
                    else:
                        try:
                            samples, rate = audio.read_audio(attempt.audio_path)
                            heard = len(samples) / rate
                        except (sf.LibsndfileError, RuntimeError):  # killed before its first block was on disk
                            heard = 0.0
                        if heard < elapsed - FLAC_LOSS or (
                            heard > 0 and (duration is None or abs(heard - duration) > 0.01)
                        ):
                            problems.append(
                                f"attempt {attempt_id}: {elapsed:.2f} s were recorded, the review has "
                                f"{duration} s and the file {heard:.2f} s"
                            )
    finally:
        store.close()
    with sqlite3.connect(data_dir / "attempts.sqlite3") as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    return Outcome(target, phase, elapsed, attempt_id, duration, problems)


def spoken_answer(folder: Path) -> Path:
    wav = folder / "answer.wav"
    subprocess.run(["espeak-ng", "-s", "165", "-w", str(wav), ANSWER], check=True)
    return wav


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=50, help="rounds to kill (default 50)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a new one, printed)")
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: a temporary one)")
    parser.add_argument("--child", nargs=2, metavar=("DATA", "WAV"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(Path(args.child[0]), Path(args.child[1]))

    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"crash: {args.kills} kills, seed {seed}")
    with tempfile.TemporaryDirectory(prefix="crash-") as tmp:
        work = Path(tmp)
        data = args.data or work / "data"
        data.mkdir(parents=True, exist_ok=True)
        wav = spoken_answer(work)
        outcomes: list[Outcome] = []
        for i in range(args.kills):
            target = PHASES[i % len(PHASES)] if args.kills >= len(PHASES) else rng.choice(PHASES)
            started = time.monotonic()
            outcome = run_round(data, wav, target, rng)
            outcomes.append(outcome)
            status = "ok" if not outcome.problems else "FAILED: " + "; ".join(outcome.problems)
            print(
                f"{i + 1:3d}. aimed at {outcome.target:<12} killed in {outcome.phase:<12} "
                f"recorded {outcome.elapsed:5.2f} s, review has {outcome.duration} s "
                f"({time.monotonic() - started:4.1f} s) {status}",
                flush=True,
            )
    failed = [o for o in outcomes if o.problems]
    phases = Counter(o.phase for o in outcomes)
    print(f"killed in: {dict(phases)}")
    print(f"crash: {len(outcomes) - len(failed)}/{len(outcomes)} restarts lost nothing (seed {seed})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
