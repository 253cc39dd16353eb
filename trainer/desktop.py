"""The application-menu entry for a pip/pipx install (Linux and other freedesktop.org desktops).

A checkout uses packaging/install-desktop.sh; an installed wheel has no checkout, so this module writes the
same files from the package data (`paths.desktop_entry()`, `paths.assets_dir()`), with Exec pointing at the
`interview-trainer` program of this installation.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from trainer import paths

NAME = paths.APP_NAME


class DesktopEntryError(Exception):
    """The entry cannot be installed here (no program to start, not a freedesktop.org system)."""


@dataclass(frozen=True)
class InstalledEntry:
    entry: Path
    icons: tuple[Path, ...]
    program: Path


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def program_path() -> Path:
    """The GUI launcher of this installation: `interview-trainer` beside the running Python's scripts."""
    scripts = Path(sys.executable).parent
    for candidate in (scripts / NAME, Path(sys.argv[0]).resolve().parent / NAME):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(NAME)
    if found is None:
        raise DesktopEntryError(f"the {NAME} program was not found beside {sys.executable} nor on PATH")
    return Path(found)


def _exec_value(program: Path) -> str:
    """The Exec key's value (Desktop Entry spec): quoted when the path holds anything but safe characters."""
    text = str(program)
    if any(not (c.isalnum() or c in "_./+@:,=-") for c in text):
        text = '"' + "".join("\\" + c if c in '"`$\\' else c for c in text) + '"'
    return text.replace("\\", "\\\\")


def install(program: Path | None = None, home: Path | None = None) -> InstalledEntry:
    """Write the entry and every icon size for the current user; safe to run again."""
    if sys.platform in ("win32", "darwin"):
        raise DesktopEntryError("menu entries are for Linux desktops; start the app with `interview-trainer`")
    program = program or program_path()
    home = home or data_home()
    lines = []
    for line in paths.desktop_entry().read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            lines += [f"Exec={_exec_value(program)}", f"TryExec={str(program).replace(chr(92), chr(92) * 2)}"]
        elif not line.startswith("TryExec="):
            lines.append(line)
    entry = home / "applications" / f"{NAME}.desktop"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text("\n".join(lines) + "\n", encoding="utf-8")
    icons = []
    for png in sorted(paths.assets_dir().glob("icon-*.png")):
        size = png.stem.removeprefix("icon-")
        if size.isdigit():
            icons.append(_copy(png, home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png"))
    icons.append(
        _copy(paths.assets_dir() / "icon.svg", home / "icons" / "hicolor" / "scalable" / "apps" / f"{NAME}.svg")
    )
    return InstalledEntry(entry, tuple(icons), program)


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what `install` wrote; returns the files removed."""
    home = home or data_home()
    candidates = [home / "applications" / f"{NAME}.desktop", *(home / "icons" / "hicolor").glob(f"*/apps/{NAME}.*")]
    removed = [p for p in candidates if p.is_file()]
    for path in removed:
        path.unlink()
    return removed


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target
