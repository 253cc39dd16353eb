"""Measure the desktop bundle: folder and tarball size, start-up time, time to the window, a transcription.

    .venv/bin/python bench/bundle.py                       # build with scripts/bundle.sh (timed), then measure
    .venv/bin/python bench/bundle.py --bundle dist/interview-trainer --runs 5   # measure a built bundle
    .venv/bin/python bench/bundle.py --short               # one run each (what a test may run)

Start-up: `interview-trainer --version` (the frozen Python and the CLI, no Qt). Window: the app with no
arguments on Qt's offscreen platform until its database file appears, which happens just before the window is
built; then Ctrl+C. Transcription: the bundle transcribes a 5 s Piper sentence that it spoke itself (wall time
includes process start and model load). Medians of --runs; the first run after a build also pays the disk cache.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SENTENCE = "Path parameters identify a resource in the URL, while query parameters filter a collection."


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return env | {
        "QT_QPA_PLATFORM": "offscreen",
        "TRAINER_DATA_DIR": str(home / "data"),
        "TRAINER_CONFIG_DIR": str(home / "config"),
        "TRAINER_CACHE_DIR": str(home / "cache"),
        "TRAINER_DECK_DIR": str(home / "decks"),
    }


def timed(command: list[str], home: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=home, env=env_for(home), check=True, capture_output=True, timeout=600)
    return time.perf_counter() - started


def time_to_window(program: Path, home: Path) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(program)], cwd=home, env=env_for(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while not any((home / "data").glob("*.sqlite*")):
            if process.poll() is not None:
                raise RuntimeError(f"the app exited with {process.returncode} before opening its window")
            time.sleep(0.02)
        took = time.perf_counter() - started
        time.sleep(1)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    return took


def build() -> tuple[Path, float]:
    started = time.perf_counter()
    subprocess.run(["bash", str(REPO / "scripts" / "bundle.sh")], cwd=REPO, check=True)
    return REPO / "dist" / "interview-trainer", time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, help="a built bundle folder (default: build one now)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement (default 3)")
    parser.add_argument("--short", action="store_true", help="one run each")
    args = parser.parse_args()
    runs = 1 if args.short else args.runs

    if args.bundle is None:
        folder, build_s = build()
        print(f"build (scripts/bundle.sh): {build_s:.0f} s")
    else:
        folder = args.bundle
    program = folder / "interview-trainer"
    tarballs = sorted(folder.parent.glob("interview-trainer-*.tar.gz"))
    print(f"bundle folder: {folder_size(folder) / 1e6:.0f} MB ({folder})")
    if tarballs:
        print(f"tarball: {tarballs[-1].stat().st_size / 1e6:.0f} MB ({tarballs[-1].name})")
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} (timings are noisy on a busy machine)")

    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as temp:
        home = Path(temp)
        version = [timed([str(program), "--version"], home) for _ in range(runs)]
        window = []
        for n in range(runs):
            run_home = home / f"window-{n}"
            run_home.mkdir()
            window.append(time_to_window(program, run_home))
        wav = home / "sentence.wav"
        timed([str(program), "speak", "--engine", "piper", "--out", str(wav), SENTENCE], home)
        transcribe = [timed([str(program), "transcribe", str(wav)], home) for _ in range(runs)]

    def show(name: str, values: list[float]) -> None:
        spread = f" (min {min(values):.2f}, max {max(values):.2f})" if len(values) > 1 else ""
        print(f"{name}: median {statistics.median(values):.2f} s over {len(values)} run(s){spread}")

    show("start (--version)", version)
    show("start to window (offscreen)", window)
    show("transcribe 5 s sentence (process, model load, decode)", transcribe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
