"""Settings: declared once, a bad file never stops the app, atomic saves, and docs that match the code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trainer import settings as settings_module
from trainer.settings import BY_KEY, SETTINGS, Key, SettingError, Settings

REPO = Path(__file__).resolve().parents[2]


def test_every_key_declared_once_with_a_valid_default() -> None:
    assert [s.key for s in SETTINGS].count(Key.ORDER) == 1
    assert set(BY_KEY) == set(Key)
    for spec in SETTINGS:
        assert spec.validate(spec.default) == spec.default, spec.key
        assert spec.description.endswith("."), spec.key


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = Settings.load(tmp_path / "settings.json")
    assert settings.problems == []
    assert settings.get(Key.ASR_ENGINE) == "faster-whisper"
    assert settings.get(Key.ASR_MODEL) == "tiny.en"
    assert settings.get("practice.order") == "in-order"
    assert settings[Key.READ_QUESTION] is True
    assert settings.get(Key.SILENCE_STOP) == 0.0
    assert all(settings.is_default(key) for key in settings)


def test_default_location_is_the_config_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRAINER_CONFIG_DIR", str(tmp_path / "cfg"))
    assert Settings.load().path == tmp_path / "cfg" / "settings.json"


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.json"
    settings = Settings.load(path)
    settings.set(Key.ORDER, "weakest")
    settings.set(Key.THINK_TIME, 10)  # an int for a float setting is fine
    settings.set(Key.VOICE_RATE, 190.0)  # a whole float for an int setting too
    settings.set(Key.READ_QUESTION, False)
    settings.set(Key.ASR_MODEL, "~/models/whisper-small-ct2")
    settings.set(Key.INPUT_DEVICE, "  USB Microphone  ")
    settings.save()

    written = json.loads(path.read_text(encoding="utf-8"))
    assert written == {  # only what differs from the defaults
        "practice.order": "weakest",
        "practice.think_time": 10.0,
        "voice.rate": 190,
        "voice.read_question": False,
        "asr.model": "~/models/whisper-small-ct2",
        "audio.input_device": "USB Microphone",
    }
    again = Settings.load(path)
    assert again.problems == []
    assert again.as_dict() == settings.as_dict()
    assert isinstance(again.get(Key.VOICE_RATE), int) and isinstance(again.get(Key.THINK_TIME), float)
    assert not list(path.parent.glob("*.tmp"))

    again.reset(Key.ORDER)
    again.save()
    assert "practice.order" not in json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (Key.ORDER, "random", "must be one of 'in-order', 'shuffled', 'weakest'"),
        (Key.VOICE_RATE, 20, "from 80 to 300 wpm, not 20"),
        (Key.VOICE_RATE, 150.5, "whole number"),
        (Key.THINK_TIME, -1, "from 0 to 120 s"),
        (Key.THINK_TIME, "5", 'must be a number from 0 to 120 s, not "5"'),
        (Key.READ_QUESTION, 1, "true or false"),
        (Key.ASR_ENGINE, "vosk", "faster-whisper"),
        (Key.ASR_MODEL, "large-v3", "or a path"),
        (Key.ASR_MODEL, "", "must not be empty"),
        (Key.SILENCE_STOP, float("nan"), "finite"),
    ],
)
def test_set_validates(tmp_path: Path, key: Key, value: object, message: str) -> None:
    settings = Settings(tmp_path / "settings.json")
    with pytest.raises(SettingError, match=message.replace("(", r"\(")):
        settings.set(key, value)
    assert settings.is_default(key)


def test_unknown_key_is_named_with_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(SettingError, match=r"did you mean 'practice\.order'"):
        Settings(tmp_path / "s.json").set("practice.ordr", "weakest")


def test_invalid_values_in_the_file_fall_back_and_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "practice.order": "alphabetical",
                "voice.rate": 1000,
                "voice.read_question": "yes",
                "asr.engine": "openai-whisper",
                "practice.thinktime": 3,
                "from.a.newer.version": [1, 2],
            }
        ),
        encoding="utf-8",
    )
    settings = Settings.load(path)
    assert settings.get(Key.ORDER) == "in-order"
    assert settings.get(Key.VOICE_RATE) == 175
    assert settings.get(Key.READ_QUESTION) is True
    assert settings.get(Key.ASR_ENGINE) == "openai-whisper"  # the valid value is kept
    text = "\n".join(settings.problems)
    assert len(settings.problems) == 5
    assert f"{path}: practice.order must be one of" in text and 'not "alphabetical"' in text
    assert 'using the default, "in-order"' in text
    assert "voice.rate must be from 80 to 300 wpm, not 1000" in text
    assert "unknown setting 'practice.thinktime'; did you mean 'practice.think_time'?; ignored" in text

    # Saving keeps keys a newer version wrote, drops the invalid values.
    settings.save()
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "asr.engine": "openai-whisper",
        "practice.thinktime": 3,
        "from.a.newer.version": [1, 2],
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"practice.order": "weakest",}', "settings.json:1:30: not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        (b"\xff\xfe\x00garbage", "cannot be read"),
    ],
)
def test_unreadable_file_gives_defaults_and_is_kept_on_save(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "settings.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    settings = Settings.load(path)
    assert len(settings.problems) == 1 and message in settings.problems[0]
    assert settings.get(Key.ORDER) == "in-order"
    settings.set(Key.ORDER, "shuffled")
    settings.save()
    assert json.loads(path.read_text(encoding="utf-8")) == {"practice.order": "shuffled"}
    broken = tmp_path / "settings.json.broken"
    assert broken.read_bytes() == (content if isinstance(content, bytes) else content.encode())


def test_empty_file_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("\n", encoding="utf-8")
    assert Settings.load(path).problems == []


def test_docs_are_up_to_date() -> None:
    committed = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    assert committed == settings_module.markdown(), (
        "docs/settings.md is out of date: run `python -m trainer.settings --markdown > docs/settings.md`"
    )


def test_docs_list_every_setting() -> None:
    text = settings_module.markdown()
    for spec in SETTINGS:
        assert f"`{spec.key.value}`" in text
        assert spec.description in text


def test_markdown_command_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "trainer.settings", "--markdown"], capture_output=True, text=True, check=True
    )
    assert out.stdout == settings_module.markdown()
