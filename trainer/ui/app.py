"""`trainer` with no arguments: the desktop app.

Start-up does the minimum before the window shows (settings, the database, deck files: milliseconds); the
speech model and the microphone are checked in the background once the window is up.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from trainer import __version__, paths

ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
#: How long, after the window has closed, background jobs get to finish before the database closes.
JOBS_GRACE_MS = 15_000


def app_icon() -> QIcon:
    """The icon at every rendered size (scripts/render_icons.py), the SVG as the fallback."""
    icon = QIcon()
    assets = paths.assets_dir()
    for size in ICON_SIZES:
        png = assets / f"icon-{size}.png"
        if png.is_file():
            icon.addFile(str(png), QSize(size, size))
    svg = assets / "icon.svg"
    if icon.isNull() and svg.is_file():
        icon.addFile(str(svg))
    return icon


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with the names desktops use to match the window to interview-trainer.desktop."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("interview-trainer")
    app.setApplicationDisplayName("Interview Trainer")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("interview-trainer")
    app.setWindowIcon(app_icon())
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Open the main window and run until it is closed; returns the exit status."""
    app = make_application(argv)
    ctrl_c = CtrlC()
    previous = signal.signal(signal.SIGINT, ctrl_c)
    from trainer.settings import Settings
    from trainer.storage import DB_NAME, StorageError, default_data_dir, open_store
    from trainer.ui.main_window import MainWindow

    settings = Settings.load()
    try:
        store, notice = open_store(default_data_dir(settings) / DB_NAME)  # a damaged file is moved aside
        from trainer.audio import recover

        if not store.read_only:  # nothing records yet: torn recordings are the app's own
            store.recover_interrupted(repair=recover)
    except StorageError as exc:
        QMessageBox.critical(None, "Interview Trainer", f"The attempts database cannot be opened.\n\n{exc}")
        return 1
    window: MainWindow | None = None
    try:
        window = MainWindow(settings, store)
        if notice:
            window.show_storage_notice(notice)
        ctrl_c.attach(window)
        window.show()
        return int(app.exec())
    finally:
        if window is not None:
            # The window is gone: waiting cannot freeze it. Jobs still running (a model load) end first.
            window.runner.wait(JOBS_GRACE_MS)
        store.close()
        signal.signal(signal.SIGINT, previous)


class CtrlC:
    """Ctrl+C in the terminal closes the window properly (jobs stopped, session ended) instead of a traceback.

    Installed before anything slow, so a Ctrl+C during start-up is not lost: the window closes as soon as the
    event loop runs. The close is always queued, never done inside the signal handler. Python only sees the
    signal when it runs some bytecode, so a light timer gives it the chance while Qt waits for events.
    """

    def __init__(self) -> None:
        self.window: QWidget | None = None
        self.pressed = False

    def __call__(self, signum: int, frame: object) -> None:
        self.pressed = True
        if self.window is not None:
            QTimer.singleShot(0, self.window.close)

    def attach(self, window: QWidget) -> None:
        self.window = window
        timer = QTimer(window)
        timer.timeout.connect(lambda: None)
        timer.start(250)
        if self.pressed:
            QTimer.singleShot(0, window.close)


if __name__ == "__main__":
    sys.exit(main())
