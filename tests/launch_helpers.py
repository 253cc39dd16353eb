"""The app started as a user starts it (source checkout, installed wheel or bundle), and closed with Ctrl+C.

One place for "wait until the window is up" and "Ctrl+C must close it the orderly way", so the launch, wheel and
bundle tests hold the app to the same standard:

    process = subprocess.Popen([...], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_up(process, data_dir, timeout=60)
    ctrl_c(process)
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path


def wait_until_up(process: subprocess.Popen[str], data: Path, timeout: float, settle: float = 3.0) -> None:
    """Wait until the app opened its database in `data` (just before it builds its window), then `settle`
    seconds for the window to show and the background start-up (model load, microphone probe) to begin. The
    process is killed if it never gets there, so a failing test leaves nothing running."""
    try:
        deadline = time.monotonic() + timeout
        while not any(data.glob("*.sqlite*")) and time.monotonic() < deadline:
            assert process.poll() is None, f"the app exited on its own:\n{process.communicate()[1]}"
            time.sleep(0.1)
        assert any(data.glob("*.sqlite*")), f"the app never opened its database in {timeout:.0f} s"
        time.sleep(settle)
    except BaseException:
        if process.poll() is None:
            process.kill()
            process.communicate()
        raise


def ctrl_c(process: subprocess.Popen[str], timeout: float = 30) -> str:
    """Ctrl+C the running app; its stderr once it closed the orderly way (exit 0, no traceback)."""
    try:
        assert process.poll() is None, f"the app exited on its own:\n{process.communicate()[1]}"
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Fatal Python error" not in err, err
    return err
