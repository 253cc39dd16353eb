"""packaging/install-desktop.sh: the menu entry and icons in the user's XDG folders, starting this checkout."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import REPO, need

SCRIPT = REPO / "packaging" / "install-desktop.sh"
SIZES = sorted(int(p.stem.removeprefix("icon-")) for p in (REPO / "assets").glob("icon-*.png"))


def install(data_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    return subprocess.run(
        ["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def entry(data_home: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(data_home / "applications" / "interview-trainer.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def installed_files(data_home: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(data_home)): p.read_bytes()
        for p in sorted(data_home.rglob("*"))
        if p.is_file() and p.name != "mimeinfo.cache"
    }


def validate(desktop_file: Path) -> None:
    """desktop-file-validate when it is installed (scripts/setup.sh test installs desktop-file-utils)."""
    tool = shutil.which("desktop-file-validate")
    need(tool is not None, "desktop-file-validate (desktop-file-utils) is needed to validate the entry")
    assert tool is not None
    result = subprocess.run([tool, str(desktop_file)], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_installs_entry_and_icons_starting_this_checkout(tmp_path: Path) -> None:
    exe = REPO / ".venv" / "bin" / "trainer"
    need(os.access(exe, os.X_OK), f"{exe} is not installed (scripts/setup.sh makes it)")
    data_home = tmp_path / "share"
    result = install(data_home)
    assert result.returncode == 0, result.stderr
    desktop = entry(data_home)
    assert desktop["Exec"] == desktop["TryExec"] == str(exe)
    assert desktop["Icon"] == "interview-trainer"
    assert desktop["Name"] == "Interview Trainer"
    for size in SIZES:
        icon = data_home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "interview-trainer.png"
        assert icon.read_bytes() == (REPO / "assets" / f"icon-{size}.png").read_bytes()
    svg = data_home / "icons" / "hicolor" / "scalable" / "apps" / "interview-trainer.svg"
    assert svg.read_bytes() == (REPO / "assets" / "icon.svg").read_bytes()
    assert set(SIZES) >= {16, 32, 48, 64, 128, 256}
    validate(data_home / "applications" / "interview-trainer.desktop")

    # Running again changes nothing: same files, same contents, no leftovers.
    before = installed_files(data_home)
    again = install(data_home)
    assert again.returncode == 0, again.stderr
    assert installed_files(data_home) == before
    assert len(before) == len(SIZES) + 2


def test_a_path_with_spaces_is_quoted_and_uninstall_removes_everything(tmp_path: Path) -> None:
    exe = tmp_path / "my apps" / "trainer $HOME"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    exe.chmod(0o755)
    data_home = tmp_path / "share"
    result = install(data_home, "--exec", str(exe))
    assert result.returncode == 0, result.stderr
    desktop_file = data_home / "applications" / "interview-trainer.desktop"
    lines = desktop_file.read_text(encoding="utf-8").splitlines()
    # Quoted for the Exec field, then the string value's backslash doubled (Desktop Entry spec).
    assert f'Exec="{tmp_path}/my apps/trainer \\\\$HOME"' in lines
    assert f"TryExec={exe}" in lines
    assert sum(line.startswith("Exec=") for line in lines) == 1
    validate(desktop_file)

    removed = install(data_home, "--uninstall")
    assert removed.returncode == 0, removed.stderr
    assert installed_files(data_home) == {}


def test_a_missing_executable_is_refused(tmp_path: Path) -> None:
    result = install(tmp_path / "share", "--exec", str(tmp_path / "nowhere" / "trainer"))
    assert result.returncode == 1
    assert "scripts/setup.sh" in result.stderr
    assert not (tmp_path / "share" / "applications" / "interview-trainer.desktop").exists()
