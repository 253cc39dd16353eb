"""The desktop bundle as a user gets it: the tarball from scripts/bundle.sh, unpacked somewhere else.

Building takes minutes (about 7 on a busy 2-core machine), so one build serves the whole test session; set
BUNDLE_TARBALL to test a tarball built already. The bundle is checked with nothing from the checkout or the
test environment on its path: it must carry its own Python, Qt, CTranslate2, the tiny.en model and the Piper
voice.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.conftest import REPO, need
from tests.launch_helpers import ctrl_c, wait_until_up

pytestmark = [pytest.mark.e2e, pytest.mark.bundle]

SENTENCE = "Path parameters identify a resource in the URL, while query parameters filter a collection."
WORDS = ("parameters", "identify", "resource", "url", "query", "filter", "collection")


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unpacked bundle folder (holding the `interview-trainer` program)."""
    given = os.environ.get("BUNDLE_TARBALL")
    work = tmp_path_factory.mktemp("bundle")
    if given:
        tarball = Path(given)
    else:
        need(importlib.util.find_spec("PyInstaller") is not None, "PyInstaller (the `bundle` extra) is not installed")
        env = {**os.environ, "BUNDLE_DIST": str(work / "dist"), "BUNDLE_WORK": str(work / "build")}
        env.pop("PYTHONPATH", None)  # the build analyses the checkout itself (pathex in the spec)
        built = subprocess.run(
            ["bash", str(REPO / "scripts" / "bundle.sh")],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        assert built.returncode == 0, built.stdout + built.stderr
        (tarball,) = (work / "dist").glob("interview-trainer-*.tar.gz")
    with tarfile.open(tarball) as archive:
        archive.extractall(work / "unpacked", filter="tar")
    if not given:
        shutil.rmtree(work / "dist")  # only the unpacked copy is used: nothing can leak from the build folder
        shutil.rmtree(work / "build", ignore_errors=True)
    return work / "unpacked" / "interview-trainer"


def run_env(home: Path) -> dict[str, str]:
    """A plain user's environment: no PYTHONPATH or virtual environment, the user's folders in `home`."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return env | {
        "PATH": "/usr/bin:/bin",
        "QT_QPA_PLATFORM": "offscreen",
        "TRAINER_DATA_DIR": str(home / "data"),
        "TRAINER_CONFIG_DIR": str(home / "config"),
        "TRAINER_CACHE_DIR": str(home / "cache"),
        "TRAINER_DECK_DIR": str(home / "decks"),
    }


def run(bundle: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle / "interview-trainer"), *args],
        cwd=home,
        env=run_env(home),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_tarball_holds_the_program_desktop_entry_and_icons(bundle: Path) -> None:
    assert os.access(bundle / "interview-trainer", os.X_OK)
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(bundle / "packaging" / "interview-trainer.desktop", encoding="utf-8")
    assert parser["Desktop Entry"]["Icon"] == "interview-trainer"
    assert (bundle / "assets" / "icon-256.png").is_file() and (bundle / "assets" / "icon.svg").is_file()
    assert "install-desktop.sh" in (bundle / "README.txt").read_text(encoding="utf-8")


def test_bundle_lists_its_own_fastapi_deck(bundle: Path, tmp_path: Path) -> None:
    result = run(bundle, tmp_path, "decks")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("fastapi "))
    assert str(bundle) in line and str(REPO) not in result.stdout


def test_bundle_speaks_with_piper_and_transcribes_the_sample(bundle: Path, tmp_path: Path) -> None:
    wav = tmp_path / "answer.wav"
    spoken = run(bundle, tmp_path, "speak", "--engine", "piper", "--out", str(wav), SENTENCE)
    assert spoken.returncode == 0, spoken.stderr
    assert "piper" in spoken.stdout and wav.stat().st_size > 50_000

    result = run(bundle, tmp_path, "transcribe", str(wav), "--json")
    assert result.returncode == 0, result.stderr
    transcript = json.loads(result.stdout)
    assert transcript["model"] == "tiny.en" and transcript["engine"] == "faster-whisper"
    heard = set(re.findall(r"[a-z]+", transcript["text"].lower()))
    assert len(heard & set(WORDS)) >= 5, transcript["text"]
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("model.bin"))  # no download


def test_bundle_scores_paraphrases_with_its_own_minilm(bundle: Path, tmp_path: Path) -> None:
    # MiniLM (the default paraphrase model) must be in the bundle: a missing file would fall back to WordLlama,
    # which does not credit this paraphrase of "runs after the response" (tests/unit/test_semantic.py).
    answer = (
        "It lets you schedule a bit of work that happens once the client already got its reply. "
        "I used it to send a welcome mail."
    )
    result = run(
        bundle, tmp_path, "score", "--deck", "fastapi", "--card", "background-tasks", "--text", answer, "--json"
    )
    assert result.returncode == 0, result.stderr
    assert "not available" not in result.stderr
    point = next(p for p in json.loads(result.stdout)["key_points"] if p["point"] == "runs after the response")
    assert point["hit"] and point["how"] == "paraphrase", point
    assert any((tmp_path / "cache" / "models").glob("minilm-*.onnx"))  # its rewritten graph, built once


def test_bundle_opens_its_window_offscreen_and_closes_on_ctrl_c(bundle: Path, tmp_path: Path) -> None:
    process = subprocess.Popen(
        [str(bundle / "interview-trainer")],
        cwd=tmp_path,
        env=run_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until_up(process, tmp_path / "data", timeout=90)
    ctrl_c(process, timeout=60)
    state = json.loads((tmp_path / "config" / "state.json").read_text(encoding="utf-8"))
    assert state["tab"] == "practice"


def test_install_desktop_from_the_tarball_starts_the_bundle(bundle: Path, tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    result = subprocess.run(
        ["bash", str(bundle / "packaging" / "install-desktop.sh"), "--exec", str(bundle / "interview-trainer")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    entry = (tmp_path / "applications" / "interview-trainer.desktop").read_text(encoding="utf-8")
    assert f"Exec={bundle / 'interview-trainer'}" in entry
    assert (tmp_path / "icons" / "hicolor" / "256x256" / "apps" / "interview-trainer.png").is_file()
