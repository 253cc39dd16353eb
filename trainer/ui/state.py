"""What the window remembers between runs: its size and place, the last tab, the deck and mode last chosen.

This is not a setting: nobody sets a window size or "the last deck" as a preference, so it stays out of
settings.json, the settings dialog and docs/settings.md, and lives beside them in `state.json` in the
configuration folder. The order of the cards *is* a setting (`practice.order`): choosing an order on the
practice page changes that setting, so there is one answer to "which order".

The file only remembers the last run: anything missing, of the wrong type or unreadable is ignored, and a
failed write is logged, never raised (closing the window must always work). No Qt here: the window converts
its geometry to text itself.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from trainer.settings import write_text_atomic

log = logging.getLogger(__name__)

STATE_FILE = "state.json"


@dataclass
class WindowState:
    """The remembered values; "" means "nothing remembered" (the defaults apply)."""

    path: Path = field(repr=False)
    #: QWidget.saveGeometry() in base64.
    geometry: str = ""
    #: The tab shown last: "practice", "review" or "progress".
    tab: str = ""
    #: The id of the deck chosen last.
    deck: str = ""
    #: The practice mode chosen last: "spoken" or "flashcard".
    mode: str = ""

    @classmethod
    def load(cls, path: Path) -> WindowState:
        state = cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return state
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.info("%s: not read (%s); starting from the defaults", path, exc)
            return state
        if isinstance(data, dict):
            for f in fields(cls):
                value = data.get(f.name)
                if f.name != "path" and isinstance(value, str):
                    setattr(state, f.name, value)
        return state

    def save(self) -> bool:
        """Write the file (atomically); False, logged, when it cannot be written."""
        values = {k: v for k, v in asdict(self).items() if k != "path"}
        try:
            write_text_atomic(self.path, json.dumps(values, indent=2) + "\n")
        except OSError as exc:
            log.warning("%s: the window state could not be saved (%s)", self.path, exc)
            return False
        return True
