"""Live transcription in the window: a `LiveTranscriber`'s updates, scored, carried to the GUI thread.

The transcriber decodes on its own thread and calls `on_update` there; the score so far is computed on that
same thread (fast once the model is loaded), and only the finished (text, result) pair crosses to the GUI
thread, as a queued signal. Widgets are never touched from the decoding thread.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from trainer.asr.base import Transcriber, Transcript
from trainer.asr.live import LiveTranscriber
from trainer.deck import Card, Deck

log = logging.getLogger(__name__)


class LiveAnswer(QObject):
    """One answer being transcribed while it is spoken; `updated(text, ScoreResult | None)` on each new piece."""

    updated = Signal(str, object)

    def __init__(
        self,
        transcriber: Transcriber,
        deck: Deck,
        card: Card,
        parent: QObject | None = None,
        prompt: str | None = None,
    ) -> None:
        """`prompt`: the card's vocabulary prompt when it was built beforehand in a job (building it compiles a
        pattern per deck term: tens of milliseconds the GUI thread should not spend as recording starts)."""
        super().__init__(parent)
        if prompt is None:
            from trainer.asr import card_prompt

            prompt = card_prompt(deck, card)
        self.card = card
        self.closed = False
        self.live = LiveTranscriber(transcriber, prompt=prompt, language=deck.language, on_update=self._decoded)

    def feed(self, samples: Any) -> None:
        """The recorder's writer thread: every block, right after it is on disk."""
        if not self.closed:
            self.live.feed(samples)

    def cancel(self) -> None:
        """The answer is abandoned (too short, window closing): stop decoding, emit nothing more."""
        self.closed = True
        self.live.cancel()

    def _decoded(self, transcript: Transcript) -> None:
        if self.closed:
            return
        from trainer.scoring import score_answer

        try:
            result = score_answer(self.card, transcript.text)
        except Exception:  # the checklist waits for the final result instead
            log.exception("scoring the live transcript failed")
            result = None
        try:
            self.updated.emit(transcript.text, result)
        except RuntimeError:  # cancelled and deleted (deleteLater) while this piece was being scored
            log.debug("live answer gone before its update")
