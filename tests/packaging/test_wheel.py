"""The wheel as a user gets it: built from the checkout, installed into a fresh virtual environment outside it.

The environment is new (`python -m venv`) and holds only the wheel; its dependencies come from the shared test
environment through a `.pth` line, so the test needs no network and no time for installing Qt or Whisper. The
shared environment's own `.pth` files (the editable install of the checkout) are not read from there, and the
commands run outside the checkout without PYTHONPATH, so only the wheel's copy of `trainer` can answer.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.launch_helpers import ctrl_c, wait_until_up

pytestmark = pytest.mark.e2e

DEPS = [p for p in site.getsitepackages() if p.endswith("site-packages")]


def _clean_env() -> dict[str, str]:
    """The environment without anything that points Python at the checkout or the shared environment."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


class InstalledWheel:
    """A virtual environment with the project's wheel installed."""

    def __init__(self, root: Path, wheel: Path) -> None:
        self.root = root
        self.wheel = wheel
        self.bin = root / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bin / "python"

    def env(self, home: Path) -> dict[str, str]:
        return _clean_env() | {
            "QT_QPA_PLATFORM": "offscreen",
            "TRAINER_DATA_DIR": str(home / "data"),
            "TRAINER_CONFIG_DIR": str(home / "config"),
            "TRAINER_DECK_DIR": str(home / "decks"),
            "PYTHONFAULTHANDLER": "1",
        }

    def run(self, home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / "trainer"), *args],
            cwd=home,
            env=self.env(home) | env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    work = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    # No build isolation: the build needs only setuptools, already here; isolation would fetch it again.
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"), str(REPO)],
        check=True,
        cwd=work,
        timeout=300,
    )
    (wheel,) = (work / "dist").glob("interview_trainer-*.whl")
    root = work / "venv"
    venv.create(root, with_pip=False)
    installed = InstalledWheel(root, wheel)
    purelib = subprocess.run(
        [str(installed.python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        [*pip, "--python", str(installed.python), "install", "--no-deps", "--no-index", str(wheel)],
        check=True,
        cwd=work,
        timeout=300,
        env=_clean_env(),  # PYTHONPATH=checkout would show pip the checkout's egg-info as already installed
    )
    # After the install: pip would otherwise see the shared environment's editable install and skip the wheel.
    Path(purelib, "shared-test-deps.pth").write_text("\n".join(DEPS) + "\n", encoding="utf-8")
    return installed


def test_editable_install_reads_the_checkout_folders(tmp_path: Path) -> None:
    """`pip install -e .` (what scripts/setup.sh does) keeps reading cards/ and assets/ where the checkout has them."""
    root = tmp_path / "venv"
    venv.create(root, with_pip=False)
    editable = InstalledWheel(root, Path())
    # The editable build runs in the new environment: it sees setuptools (only) from the shared one.
    backend = tmp_path / "backend"
    backend.mkdir()
    shared = Path(DEPS[0])
    for name in ("setuptools", "pkg_resources", "_distutils_hack", *(p.name for p in shared.glob("setuptools-*"))):
        (backend / name).symlink_to(shared / name)
    command = [sys.executable, "-m", "pip", "-q", "--python", str(editable.python), "install", "--no-deps"]
    subprocess.run(
        [*command, "--no-build-isolation", "--no-index", "-e", str(REPO)],
        check=True,
        cwd=tmp_path,
        timeout=300,
        env=_clean_env() | {"PYTHONPATH": str(backend)},
    )
    purelib = next((root / "lib").glob("python3*/site-packages"))
    Path(purelib, "shared-test-deps.pth").write_text("\n".join(DEPS) + "\n", encoding="utf-8")
    result = editable.run(tmp_path, "decks")
    assert result.returncode == 0, result.stderr
    assert f"Shipped decks: {REPO / 'cards'}" in result.stdout
    assert any(line.startswith("fastapi ") for line in result.stdout.splitlines())


def test_wheel_carries_decks_icons_and_desktop_entry(installed: InstalledWheel) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for card_file in (REPO / "cards").glob("*.toml"):
        assert f"trainer/shipped/cards/{card_file.name}" in names
    for icon in (REPO / "assets").glob("icon*"):
        assert f"trainer/shipped/assets/{icon.name}" in names
    assert "trainer/shipped/desktop/interview-trainer.desktop" in names


def test_installed_trainer_lists_the_fastapi_deck_from_the_wheel(installed: InstalledWheel, tmp_path: Path) -> None:
    result = installed.run(tmp_path, "decks")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("fastapi "))
    shipped = next(line for line in result.stdout.splitlines() if line.startswith("Shipped decks:"))
    # The deck is read from the installed package, not from the checkout.
    assert str(installed.root) in shipped and str(REPO) not in result.stdout, result.stdout
    assert int(line.split()[1]) >= 10, line


def test_installed_trainer_scores_a_typed_answer(installed: InstalledWheel, tmp_path: Path) -> None:
    answer = (
        "Path parameters are part of the URL path and identify a resource; query parameters come after the "
        "question mark and are optional filters, with defaults."
    )
    args = ("score", "--deck", "fastapi", "--card", "path-vs-query", "--text", answer, "--json")
    result = installed.run(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert "not available" not in result.stderr  # the default paraphrase model (MiniLM) loaded
    scored = json.loads(result.stdout)
    assert scored["card"] == "path-vs-query"
    assert any(p["hit"] for p in scored["key_points"]) and scored["score"] > 0


def test_installed_app_opens_its_window_and_closes_on_ctrl_c(installed: InstalledWheel, tmp_path: Path) -> None:
    process = subprocess.Popen(
        [str(installed.python), "-m", "trainer"],
        cwd=tmp_path,
        env=installed.env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until_up(process, tmp_path / "data", timeout=60)
    ctrl_c(process, timeout=30)
    state = json.loads((tmp_path / "config" / "state.json").read_text(encoding="utf-8"))
    assert state["tab"] == "practice"  # the window was built and closed the orderly way


def test_installed_trainer_adds_its_menu_entry_from_the_package_data(installed: InstalledWheel, tmp_path: Path) -> None:
    result = installed.run(tmp_path, "desktop-entry", XDG_DATA_HOME=str(tmp_path / "share"))
    assert result.returncode == 0, result.stderr
    entry = (tmp_path / "share" / "applications" / "interview-trainer.desktop").read_text(encoding="utf-8")
    assert f"Exec={installed.bin / 'interview-trainer'}\n" in entry and "Icon=interview-trainer" in entry
    icons = tmp_path / "share" / "icons" / "hicolor"
    assert (icons / "256x256" / "apps" / "interview-trainer.png").is_file()
    assert (icons / "scalable" / "apps" / "interview-trainer.svg").is_file()
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(
            ["desktop-file-validate", str(tmp_path / "share" / "applications" / "interview-trainer.desktop")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout
    removed = installed.run(tmp_path, "desktop-entry", "--uninstall", XDG_DATA_HOME=str(tmp_path / "share"))
    assert removed.returncode == 0 and not list((tmp_path / "share").rglob("interview-trainer*"))
