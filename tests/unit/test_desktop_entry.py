"""`trainer desktop-entry` for pip/pipx installs: a valid entry even when the program's path needs quoting."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

from tests.conftest import need
from trainer import desktop


def test_entry_for_a_program_in_a_folder_with_spaces_is_valid_and_removable(tmp_path: Path) -> None:
    program = tmp_path / "My Apps" / "interview-trainer"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    installed = desktop.install(program, tmp_path / "share")

    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(installed.entry, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Exec"] == f'"{program}"' and entry["TryExec"] == str(program)
    assert entry["Icon"] == "interview-trainer" and entry["Name"] == "Interview Trainer"
    sizes = {p.parent.parent.name for p in installed.icons}
    assert {"16x16", "256x256", "512x512", "scalable"} <= sizes
    need(shutil.which("desktop-file-validate") is not None, "desktop-file-validate (desktop-file-utils)")
    checked = subprocess.run(["desktop-file-validate", str(installed.entry)], capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout

    removed = desktop.uninstall(tmp_path / "share")
    assert set(removed) == {installed.entry, *installed.icons}
    assert not any(p.is_file() for p in (tmp_path / "share").rglob("*"))
