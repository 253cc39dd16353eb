"""The review: every session and attempt, newest first, to reread, listen to, correct, compare and export.

A thin view over `trainer.storage.Store` in small widgets: `attempt_list` (filters, full-text search, the
session/attempt tree), `detail` (one attempt), `compare` (every answer to its card), `player` (playback) and
`view` (`ReviewView`, which puts them together and runs the actions). Reads are small local SQLite queries; the
Markdown comes from `trainer.export`; transcription is never run here: "Transcribe again" emits
`retranscribe_requested` and the main window runs the worker, then calls `refresh()`. An attempt still being
recorded or transcribed is shown as such and cannot be played, deleted or transcribed again until it is done.
"""

from __future__ import annotations

from trainer.ui.review.attempt_list import MAX_ATTEMPTS, AttemptList
from trainer.ui.review.compare import MAX_COMPARE, CompareView
from trainer.ui.review.detail import AttemptDetail
from trainer.ui.review.player import AudioPlayer, PlayerBar, decode_audio_work
from trainer.ui.review.view import ReviewView

__all__ = [
    "MAX_ATTEMPTS",
    "MAX_COMPARE",
    "AttemptDetail",
    "AttemptList",
    "AudioPlayer",
    "CompareView",
    "PlayerBar",
    "ReviewView",
    "decode_audio_work",
]
