"""Audio failures produced for real: no sound server, no PortAudio library. Each is a distinct, clear error.

The no-server test really stops a PulseAudio server: a private one that this process uses for the test
(`private_pulse()`), so the server other tests and programs share is never pulled from under them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.audio_helpers import REPO, private_pulse, pulse_running, stop_pulse
from tests.conftest import need
from trainer import audio, tts
from trainer.audio import Recorder


def trainer(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO,
        env=env,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The CLI's error line; asserts the user-error contract: exit 2, one line, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("trainer: error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    return errors[0]


@pytest.mark.audio
def test_without_a_sound_server_every_part_says_what_to_do(tmp_path: Path) -> None:
    with private_pulse() as env:
        assert any(d.is_default_input for d in audio.list_devices())
        stop_pulse(env)  # PulseAudio stopped, for real
        assert not pulse_running(env)
        with pytest.raises(audio.NoAudioServer, match="start PulseAudio"):
            audio.list_devices()
        recorder = Recorder(tmp_path / "x.flac")
        with pytest.raises(audio.NoAudioServer, match="choose a device"):
            recorder.start()
        assert not recorder.is_recording and recorder.stop() is None
        assert not (tmp_path / "x.flac").exists()

        assert "start PulseAudio" in one_line_error(trainer("devices", env=env))
        assert "start PulseAudio" in one_line_error(
            trainer("record", "--seconds", "1", "--out", str(tmp_path / "y.flac"), env=env)
        )

        # Speaking without a server must not crash: nothing is heard, on_done(False), last_error says why.
        for engine in tts.ENGINES:
            done: list[bool] = []
            with tts.make_speaker(engine, on_done=done.append) as speaker:
                speaker.say("Nobody will hear this question.")
                assert speaker.wait(30)
                assert done == [False], engine
                assert speaker.last_error, engine
                # Saving to a file needs no server.
                assert tts.wav_duration(speaker.save("Still works.", tmp_path / f"{engine}.wav")) > 0.3
        assert "sound server" in one_line_error(trainer("speak", "Nobody hears this.", env=env))
    assert pulse_running(), "the shared server was never touched"
    assert any(d.is_default_input for d in audio.list_devices())


def _hidden_portaudio_command(tmp_path: Path) -> list[str]:
    """A command prefix that runs a process whose dynamic linker cannot find libportaudio.

    A private mount namespace with an empty ld.so.cache: for that process (only) the library is not
    installed, exactly as on a machine without libportaudio2. Needs `unshare` and namespace rights.
    """
    need(shutil.which("unshare") is not None, "unshare (util-linux) is needed to hide libportaudio from one process")
    empty = tmp_path / "empty-ld.so.cache"
    empty.write_bytes(b"")
    script = 'mount --bind "$0" /etc/ld.so.cache && exec "$@"'
    for flags in (["-m"], ["-r", "-m"]):
        probe = subprocess.run(
            ["unshare", *flags, "sh", "-c", script, str(empty), "true"], capture_output=True, timeout=30, check=False
        )
        if probe.returncode == 0:
            return ["unshare", *flags, "sh", "-c", script, str(empty)]
    need(False, f"cannot create a mount namespace here: {probe.stderr.decode(errors='replace').strip()}")
    raise AssertionError("unreachable")


def test_portaudio_missing_for_real(tmp_path: Path) -> None:
    prefix = _hidden_portaudio_command(tmp_path)
    code = (
        "from trainer import audio\n"
        "try:\n    audio.list_devices()\n"
        "except audio.PortAudioMissing as exc:\n    print('MISSING:', exc)\n"
    )
    result = subprocess.run(
        [*prefix, sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    assert "MISSING:" in result.stdout and "install libportaudio2" in result.stdout
    cli = subprocess.run(
        [*prefix, sys.executable, "-m", "trainer", "devices"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO,
    )
    assert "install libportaudio2" in one_line_error(cli)


def test_portaudio_missing_simulated_hardware_fault() -> None:
    """Where namespaces are not allowed: the same path with the library lookup faked to find nothing."""
    code = (
        "import ctypes.util\n"
        "real = ctypes.util.find_library\n"
        "ctypes.util.find_library = lambda name: None if 'portaudio' in name else real(name)\n"
        "from trainer.cli import run\n"
        "raise SystemExit(run(['devices']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False, cwd=REPO
    )
    assert "install libportaudio2" in one_line_error(result)
