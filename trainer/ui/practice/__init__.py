"""The practice view, in small widgets driven by the Qt-free flow in `trainer.round`.

`view.PracticeView` carries out the round's effects; `setup_page`, `card_page` (header, answer panel, result
panel) and `status` (the status line) only show; a mock interview ends on `trainer.ui.mock_report`.
"""

from trainer.round import Stage as Phase
from trainer.ui.practice.config import MODE_LABELS, ORDER_LABELS, PracticeConfig
from trainer.ui.practice.view import PracticeView

__all__ = ["MODE_LABELS", "ORDER_LABELS", "Phase", "PracticeConfig", "PracticeView"]
