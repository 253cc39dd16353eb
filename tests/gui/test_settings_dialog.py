"""The settings dialog is generated from the settings declarations and saves through the same validation."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from tests.audio_helpers import espeak_wav, play_into_mic
from trainer.settings import SETTINGS, Key, Settings
from trainer.ui.main_window import MainWindow
from trainer.ui.settings_dialog import SettingsDialog
from trainer.ui.workers import JobRunner

pytestmark = pytest.mark.gui

WIDGET_FOR_TYPE = {bool: QCheckBox, int: QSpinBox, float: QDoubleSpinBox}


@pytest.fixture
def dialog(qtbot: QtBot, settings: Settings) -> Iterator[SettingsDialog]:
    runner = JobRunner()
    dialog = SettingsDialog(settings, runner)
    qtbot.addWidget(dialog)
    yield dialog
    dialog.reject()
    runner.shutdown()


def test_every_declared_setting_has_a_field(dialog: SettingsDialog) -> None:
    assert set(dialog.fields) == {s.key for s in SETTINGS}
    for spec in SETTINGS:
        field = dialog.fields[spec.key]
        expected = WIDGET_FOR_TYPE.get(spec.type) or (QComboBox if spec.choices else (QComboBox, QLineEdit))
        assert isinstance(field, expected), spec.key
        assert field.toolTip() == spec.description
        assert dialog.field_value(spec.key) == dialog.settings.get(spec.key)
        if spec.choices:
            assert isinstance(field, QComboBox)
            offered = {field.itemData(i) for i in range(field.count())}
            assert set(spec.choices) <= offered
        if isinstance(field, QSpinBox | QDoubleSpinBox):
            assert field.minimum() == (spec.minimum or 0)
            assert field.maximum() == spec.maximum


def test_ok_validates_saves_and_reports_changes(dialog: SettingsDialog, settings: Settings) -> None:
    dialog.set_field(Key.THINK_TIME, 12.0)
    dialog.set_field(Key.ORDER, "weakest")
    dialog.set_field(Key.READ_QUESTION, True)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert dialog.changed_keys == {Key.THINK_TIME, Key.ORDER, Key.READ_QUESTION}
    reloaded = Settings.load(settings.path)
    assert reloaded.get(Key.THINK_TIME) == 12.0
    assert reloaded.get(Key.ORDER) == "weakest"
    assert reloaded.get(Key.READ_QUESTION) is True


def test_an_invalid_model_is_refused_with_the_reason(dialog: SettingsDialog, settings: Settings) -> None:
    model = dialog.fields[Key.ASR_MODEL]
    assert isinstance(model, QComboBox) and model.isEditable()
    model.setEditText("huge-v9")
    dialog.accept()
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    assert dialog.error_label.isVisible() or not dialog.error_label.isHidden()
    assert "asr.model" in dialog.error_label.text() and "huge-v9" in dialog.error_label.text()
    assert Settings.load(settings.path).get(Key.ASR_MODEL) == "tiny.en"
    # A path is a valid model setting.
    model.setEditText("/models/whisper-small")
    dialog.accept()
    assert Settings.load(settings.path).get(Key.ASR_MODEL) == "/models/whisper-small"


def test_restore_defaults(dialog: SettingsDialog) -> None:
    dialog.set_field(Key.VOICE_RATE, 250)
    dialog.restore_defaults()
    for spec in SETTINGS:
        assert dialog.field_value(spec.key) == spec.default, spec.key


@pytest.mark.speech
def test_changing_the_model_in_settings_reloads_it(
    qtbot: QtBot, make_window: Callable[..., MainWindow], settings: Settings
) -> None:
    window = make_window(probe_microphone=False)
    qtbot.waitUntil(lambda: window.speech_model.state == "ready", timeout=30_000)
    settings.set(Key.ASR_MODEL, "/nonexistent/model")
    window.apply_settings({Key.ASR_MODEL})
    qtbot.waitUntil(lambda: window.speech_model.state == "failed", timeout=30_000)
    assert window.model_banner.isVisible()
    settings.set(Key.ASR_MODEL, "tiny.en")
    window.apply_settings({Key.ASR_MODEL})
    qtbot.waitUntil(lambda: window.speech_model.state == "ready", timeout=30_000)
    assert not window.model_banner.isVisible()


@pytest.mark.audio
def test_microphone_test_shows_the_live_level(
    qtbot: QtBot, settings: Settings, pulse_mic: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAINER_CACHE_DIR", str(tmp_path / "cache"))
    wav = espeak_wav("Testing the microphone, one, two, three.", tmp_path / "test.wav")
    runner = JobRunner()
    dialog = SettingsDialog(settings, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        dialog.mic_test_button.click()
        assert dialog.mic_test_button.text() == "Stop test"
        qtbot.waitUntil(lambda: dialog.mic_meter.updates > 0, timeout=10_000)
        loudest = -100.0
        player = play_into_mic(wav, wait=False)
        deadline = time.monotonic() + 20
        while (player.poll() is None or loudest < -40) and time.monotonic() < deadline:
            qtbot.wait(20)
            loudest = max(loudest, dialog.mic_meter.rms_db)
        assert loudest > -40, f"the meter never moved (loudest {loudest:.0f} dBFS)"
        dialog.mic_test_button.click()
        qtbot.waitUntil(lambda: dialog.mic_test_job is None, timeout=10_000)
        assert dialog.mic_test_button.text() == "Test microphone"
        assert dialog.mic_status.text() == "Heard you."
    finally:
        dialog.reject()
        assert runner.shutdown(10_000)


def test_a_broken_settings_file_is_reported_and_the_app_still_opens(
    make_window: Callable[..., MainWindow], settings: Settings
) -> None:
    settings.path.write_text('{"practice.think_time": "soon", "voice.colour": 3}', encoding="utf-8")
    loaded = Settings.load(settings.path)
    window = make_window(settings=loaded, load_model=False, probe_microphone=False)
    assert window.settings_banner.isVisible()
    text = window.settings_banner.text()
    assert "practice.think_time" in text and "voice.colour" in text
    assert loaded.get(Key.THINK_TIME) == 5.0


def voice_ids(dialog: SettingsDialog) -> set[str]:
    combo = dialog.fields[Key.VOICE_ID]
    assert isinstance(combo, QComboBox)
    return {str(combo.itemData(i)) for i in range(1, combo.count())}


def test_the_voice_list_follows_the_chosen_engine(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.set_field(Key.VOICE_ENGINE, "pyttsx3")  # the default, "auto", is Piper where installed (as here)
    qtbot.waitUntil(lambda: len(voice_ids(dialog)) > 10, timeout=20_000)  # espeak's many voices
    espeak_voices = voice_ids(dialog)
    dialog.set_field(Key.VOICE_ENGINE, "piper")
    qtbot.waitUntil(lambda: voice_ids(dialog) == {"en_US-joe-medium"}, timeout=30_000)
    assert "en_US-joe-medium" not in espeak_voices
    assert dialog.field_value(Key.VOICE_ID) == ""  # back to the new engine's default voice
