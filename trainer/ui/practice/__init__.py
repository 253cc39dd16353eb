"""The practice view, in small widgets driven by the Qt-free flow in `trainer.round`.

`view.PracticeView` carries out the round's effects; `setup_page`, `card_page` (header, answer panel, result
panel), `status` (the status line) and `report` (the end of a mock interview) only show.
"""

from trainer.round import Stage as Phase
from trainer.ui.practice.config import MODE_LABELS, ORDER_LABELS, PracticeConfig
from trainer.ui.practice.view import PracticeView

__all__ = ["MODE_LABELS", "ORDER_LABELS", "Phase", "PracticeConfig", "PracticeView"]
