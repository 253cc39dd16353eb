"""The settings dialog, generated from the declarations in `trainer.settings.SETTINGS`.

Each declared setting becomes a field by its type (check box, spin box with its range and unit, choice list,
text), grouped as declared, with the description as its tooltip; so a new setting appears here without touching
this file. A few fields get live helpers on top: the microphone list with a level test, the voice list with a
"Try" button. Values are validated by the same `Setting.validate` the settings file uses.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trainer import paths
from trainer.settings import SETTINGS, Group, Key, Setting, SettingError, Settings
from trainer.ui.widgets import LevelMeter
from trainer.ui.workers import Job, JobRunner, record_work, speak_work

#: Field labels where the key's last part would read badly; others derive from the key ("think_time").
LABELS: dict[Key, str] = {
    Key.INPUT_DEVICE: "Microphone",
    Key.SILENCE_STOP: "Stop after silence",
    Key.VOICE_ENGINE: "Voice engine",
    Key.VOICE_ID: "Voice",
    Key.VOICE_RATE: "Speaking rate",
    Key.READ_QUESTION: "Read questions aloud",
    Key.ASR_ENGINE: "Speech engine",
    Key.ASR_MODEL: "Speech model",
    Key.PARAPHRASE_MODEL: "Paraphrase model",
    Key.ORDER: "Card order",
    Key.DATA_DIR: "Data folder",
}
#: What 0 means for numbers where 0 switches something off (shown instead of "0").
ZERO_MEANS: dict[Key, str] = {
    Key.THINK_TIME: "None (record at once)",
    Key.TIME_LIMIT: "Card's own limit",
    Key.SILENCE_STOP: "Off",
}
#: What "" means for text settings that may be empty.
EMPTY_MEANS: dict[Key, str] = {
    Key.INPUT_DEVICE: "System default",
    Key.VOICE_ID: "Engine default",
    Key.DATA_DIR: "Platform default",
}
CHOICE_LABELS: dict[str, str] = {
    "in-order": "In order",
    "shuffled": "Shuffled",
    "weakest": "Weakest first",
    "due": "Due first",
}
SAMPLE_SENTENCE = "Tell me about a time you designed an API that other teams relied on."


def label_for(spec: Setting) -> str:
    return LABELS.get(spec.key) or spec.key.value.split(".")[-1].replace("_", " ").capitalize()


class SettingsDialog(QDialog):
    """Edit every setting; OK validates, saves the file and reports which keys changed."""

    def __init__(self, settings: Settings, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settings-dialog")
        self.settings = settings
        self.runner = runner
        self.fields: dict[Key, QWidget] = {}
        self.changed_keys: set[Key] = set()
        self.mic_test_job: Job | None = None
        self.voice_job: Job | None = None

        outer = QVBoxLayout(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        body = QWidget(scroll)
        columns = QHBoxLayout(body)
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        groups = [g for g in Group if any(s.group is g for s in SETTINGS)]
        for n, group in enumerate(groups):
            box = QGroupBox(group.value, body)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for spec in (s for s in SETTINGS if s.group is group):
                field = self._field_for(spec, box)
                field.setToolTip(spec.description)
                field.setObjectName(f"setting-{spec.key.value}")
                self.fields[spec.key] = field
                label = QLabel(label_for(spec) + ":", box)
                label.setToolTip(spec.description)
                label.setBuddy(field)
                form.addRow(label, self._with_helpers(spec, field, box))
            (left if n < (len(groups) + 1) // 2 else right).addWidget(box)
        left.addStretch(1)
        right.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("settings-error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #a3302a;")
        self.error_label.hide()
        outer.addWidget(self.error_label)
        note = QLabel(f"Saved to {settings.path}")
        note.setStyleSheet("color: #6b737b;")
        outer.addWidget(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        outer.addWidget(buttons)
        self.load_values(settings)
        self._fill_devices()
        self._fill_voices()
        engine_combo = self.fields[Key.VOICE_ENGINE]
        assert isinstance(engine_combo, QComboBox)
        engine_combo.currentIndexChanged.connect(self._voice_engine_changed)
        self.resize(900, 560)

    # --- fields from declarations ------------------------------------------------------------------------

    def _field_for(self, spec: Setting, parent: QWidget) -> QWidget:
        if spec.type is bool:
            return QCheckBox(parent)
        if spec.type in (int, float):
            box: QSpinBox | QDoubleSpinBox
            if spec.type is int:
                box = QSpinBox(parent)
                box.setRange(int(spec.minimum or 0), int(spec.maximum if spec.maximum is not None else 10**6))
            else:
                box = QDoubleSpinBox(parent)
                box.setDecimals(1)
                box.setSingleStep(1.0)
                box.setRange(spec.minimum or 0.0, spec.maximum if spec.maximum is not None else 1e6)
            if spec.unit:
                box.setSuffix(f" {spec.unit}")
            if spec.key in ZERO_MEANS and (spec.minimum or 0) == 0:
                box.setSpecialValueText(ZERO_MEANS[spec.key])
            return box
        if spec.choices or (spec.empty_allowed and spec.key in (Key.INPUT_DEVICE, Key.VOICE_ID)):
            combo = QComboBox(parent)
            combo.setEditable(spec.path_allowed or spec.key in (Key.INPUT_DEVICE, Key.VOICE_ID))
            if spec.empty_allowed:
                combo.addItem(EMPTY_MEANS.get(spec.key, "Default"), "")
            for choice in spec.choices:
                combo.addItem(CHOICE_LABELS.get(choice, choice), choice)
            return combo
        line = QLineEdit(parent)
        if spec.empty_allowed:
            line.setPlaceholderText(EMPTY_MEANS.get(spec.key, "Default"))
        return line

    def _with_helpers(self, spec: Setting, field: QWidget, parent: QWidget) -> QWidget:
        """The field, plus the live helpers some settings deserve."""
        if spec.key is Key.INPUT_DEVICE:
            holder = QWidget(parent)
            layout = QVBoxLayout(holder)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(field)
            row = QHBoxLayout()
            self.mic_test_button = QPushButton("Test microphone", holder)
            self.mic_test_button.setObjectName("mic-test-button")
            self.mic_test_button.setCheckable(True)
            self.mic_test_button.toggled.connect(self._mic_test_toggled)
            row.addWidget(self.mic_test_button)
            self.mic_meter = LevelMeter(holder)
            row.addWidget(self.mic_meter, 1)
            layout.addLayout(row)
            self.mic_status = QLabel("Speak: the bar should move.", holder)
            self.mic_status.setStyleSheet("color: #6b737b;")
            self.mic_status.setWordWrap(True)
            layout.addWidget(self.mic_status)
            return holder
        if spec.key is Key.VOICE_ID:
            holder = QWidget(parent)
            row_layout = QHBoxLayout(holder)
            row_layout.setContentsMargins(0, 0, 0, 0)
            row_layout.addWidget(field, 1)
            self.try_voice_button = QPushButton("Try", holder)
            self.try_voice_button.setToolTip("Read a sample sentence with this voice and rate")
            self.try_voice_button.clicked.connect(self.try_voice)
            row_layout.addWidget(self.try_voice_button)
            return holder
        return field

    # --- values ------------------------------------------------------------------------------------------

    def load_values(self, settings: Settings) -> None:
        for spec in SETTINGS:
            self.set_field(spec.key, settings.get(spec.key))

    def set_field(self, key: Key, value: Any) -> None:
        field = self.fields[key]
        if isinstance(field, QCheckBox):
            field.setChecked(bool(value))
        elif isinstance(field, QSpinBox | QDoubleSpinBox):
            field.setValue(value)
        elif isinstance(field, QComboBox):
            index = field.findData(value)
            if index < 0 and value:
                field.addItem(str(value), value)
                index = field.count() - 1
            field.setCurrentIndex(max(0, index))
        elif isinstance(field, QLineEdit):
            field.setText(str(value))

    def field_value(self, key: Key) -> Any:
        field = self.fields[key]
        if isinstance(field, QCheckBox):
            return field.isChecked()
        if isinstance(field, QSpinBox | QDoubleSpinBox):
            return field.value()
        if isinstance(field, QComboBox):
            text = field.currentText().strip()
            index = field.currentIndex()
            if index >= 0 and field.itemText(index) == field.currentText():
                data = field.itemData(index)
                return "" if data is None else data
            return text
        if isinstance(field, QLineEdit):
            return field.text().strip()
        raise TypeError(f"no value for {field!r}")

    def restore_defaults(self) -> None:
        for spec in SETTINGS:
            self.set_field(spec.key, spec.default)

    def accept(self) -> None:
        """Validate every field as the settings file would; save only when all are valid."""
        new: dict[Key, Any] = {}
        errors = []
        for spec in SETTINGS:
            try:
                new[spec.key] = spec.validate(self.field_value(spec.key))
            except SettingError as exc:
                errors.append(f"{label_for(spec)}: {exc}")
        if errors:
            self.error_label.setText("<br>".join(errors))
            self.error_label.show()
            return
        self.changed_keys = {key for key, value in new.items() if value != self.settings.get(key)}
        for key, value in new.items():
            self.settings.set(key, value)
        try:
            self.settings.save()
        except OSError as exc:
            self.error_label.setText(f"Could not save the settings to {self.settings.path}: {exc}")
            self.error_label.show()
            return
        self._stop_helpers()
        super().accept()

    def reject(self) -> None:
        self._stop_helpers()
        super().reject()

    def done(self, result: int) -> None:
        self._stop_helpers()
        super().done(result)

    def _stop_helpers(self) -> None:
        if self.mic_test_job is not None:
            self.mic_test_job.cancel()
        if self.voice_job is not None:
            self.voice_job.cancel()

    # --- microphone list and level test ------------------------------------------------------------------

    def _fill_devices(self) -> None:
        def work(job: Job) -> Any:
            from trainer.audio import list_devices

            return [d for d in list_devices() if d.is_input]

        self.runner.start("list-devices", work, succeeded=self._devices_listed, failed=self._devices_failed)

    def _devices_listed(self, devices: Any) -> None:
        combo = self.fields[Key.INPUT_DEVICE]
        assert isinstance(combo, QComboBox)
        current = self.field_value(Key.INPUT_DEVICE)
        for device in devices:
            if combo.findData(device.name) < 0:
                suffix = " (default)" if device.is_default_input else ""
                combo.addItem(f"{device.name}{suffix}", device.name)
        self.set_field(Key.INPUT_DEVICE, current)

    def _devices_failed(self, exc: BaseException) -> None:
        if hasattr(self, "mic_status"):
            self.mic_status.setText(f"No microphone found: {exc}")
            self.mic_status.setStyleSheet("color: #a3302a;")

    def _mic_test_toggled(self, on: bool) -> None:
        if not on:
            if self.mic_test_job is not None:
                self.mic_test_job.cancel()
            return
        device = str(self.field_value(Key.INPUT_DEVICE)) or None
        # One scratch file, overwritten by every test: nothing to clean up if the dialog closes mid-test.
        folder = paths.cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "microphone-test.wav"

        def make_recorder(on_level: Any) -> Any:
            from trainer.audio import Recorder

            return Recorder(path, device=device, max_seconds=30, on_level=on_level)

        self.mic_test_button.setText("Stop test")
        self.mic_status.setText("Listening\u2026 speak and watch the bar (stops after 30 s).")
        self.mic_status.setStyleSheet("color: #6b737b;")
        self.mic_test_job = self.runner.start(
            "mic-test",
            record_work(make_recorder),
            progress=self._mic_level,
            succeeded=self._mic_test_done,
            failed=self._mic_test_failed,
        )

    def _mic_level(self, levels: Any) -> None:
        self.mic_meter.set_level(*levels)

    def _mic_test_done(self, recording: Any) -> None:
        self.mic_test_job = None
        self.mic_test_button.setChecked(False)
        self.mic_test_button.setText("Test microphone")
        self.mic_meter.reset()
        heard = getattr(recording, "speech_detected", False)
        self.mic_status.setText("Heard you." if heard else "Nothing above the silence threshold was heard.")

    def _mic_test_failed(self, exc: BaseException) -> None:
        self.mic_test_job = None
        self.mic_test_button.setChecked(False)
        self.mic_test_button.setText("Test microphone")
        self.mic_meter.reset()
        self.mic_status.setText(f"The microphone could not be opened: {exc}")
        self.mic_status.setStyleSheet("color: #a3302a;")

    # --- voices ------------------------------------------------------------------------------------------

    def _voice_engine_changed(self) -> None:
        """Another engine has other voices: list its own, and go back to its default voice."""
        combo = self.fields[Key.VOICE_ID]
        assert isinstance(combo, QComboBox)
        while combo.count() > 1:  # item 0 is "Engine default"
            combo.removeItem(combo.count() - 1)
        self.set_field(Key.VOICE_ID, "")
        self._fill_voices()

    def _fill_voices(self) -> None:
        """List the voices of the engine chosen in the dialog (in the background: Piper loads a model)."""
        engine = str(self.field_value(Key.VOICE_ENGINE))

        def work(job: Job) -> Any:
            from trainer.tts import make_speaker

            speaker = make_speaker(engine, None, 175)
            try:
                return list(speaker.voices())
            finally:
                speaker.close()

        self.runner.start("list-voices", work, succeeded=lambda voices: self._voices_listed(engine, voices))

    def _voices_listed(self, engine: str, voices: Any) -> None:
        if engine != str(self.field_value(Key.VOICE_ENGINE)):
            return  # the engine changed while its voices were listed: a newer listing is on its way
        combo = self.fields[Key.VOICE_ID]
        assert isinstance(combo, QComboBox)
        current = self.field_value(Key.VOICE_ID)
        for voice in voices:
            voice_id = str(getattr(voice, "id", voice))
            name = str(getattr(voice, "name", voice_id))
            if combo.findData(voice_id) < 0:
                combo.addItem(name if name == voice_id else f"{name} ({voice_id})", voice_id)
        self.set_field(Key.VOICE_ID, current)

    def try_voice(self) -> None:
        if self.voice_job is not None:
            self.voice_job.cancel()
        engine = str(self.field_value(Key.VOICE_ENGINE))
        voice = str(self.field_value(Key.VOICE_ID)) or None
        rate = int(self.field_value(Key.VOICE_RATE))

        def make_speaker() -> Any:
            from trainer.tts import make_speaker

            return make_speaker(engine, voice, rate)

        self.voice_job = self.runner.start(
            "try-voice", speak_work(make_speaker, SAMPLE_SENTENCE), failed=self._voice_failed
        )

    def _voice_failed(self, exc: BaseException) -> None:
        self.mic_status.setText(f"The voice could not be used: {exc}")
