"""What a practice session reads from the settings, once, and the labels the setup page shows."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox

from trainer.settings import Key, Settings

ORDER_LABELS = {"in-order": "In order", "shuffled": "Shuffled", "weakest": "Weakest first", "due": "Due first"}
MODE_LABELS = {
    "spoken": "Spoken answers (record and score)",
    "flashcard": "Flashcards (no recording)",
    "mock": "Mock interview (questions in a row, report at the end)",
}
#: Modes that record the microphone.
RECORDING_MODES = ("spoken", "mock")


@dataclass(frozen=True)
class PracticeConfig:
    """What practice needs from the settings, read once per session so a mid-card change cannot confuse it."""

    read_question: bool = True
    voice_engine: str = "auto"
    voice_id: str = ""
    voice_rate: int = 175
    think_time: float = 5.0
    time_limit: float = 0.0  # 0: the card's, else the deck's
    silence_stop: float = 0.0
    input_device: str = ""
    order: str = "in-order"

    @classmethod
    def from_settings(cls, settings: Settings) -> PracticeConfig:
        return cls(
            read_question=bool(settings.get(Key.READ_QUESTION)),
            voice_engine=str(settings.get(Key.VOICE_ENGINE)),
            voice_id=str(settings.get(Key.VOICE_ID)),
            voice_rate=int(settings.get(Key.VOICE_RATE)),
            think_time=float(settings.get(Key.THINK_TIME)),
            time_limit=float(settings.get(Key.TIME_LIMIT)),
            silence_stop=float(settings.get(Key.SILENCE_STOP)),
            input_device=str(settings.get(Key.INPUT_DEVICE)),
            order=str(settings.get(Key.ORDER)),
        )


def select_data(combo: QComboBox, data: object) -> bool:
    """Select the item holding `data`; False (selection unchanged) when there is none."""
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0
