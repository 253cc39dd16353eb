"""The path of one answer, shared by the app and the command line: which card comes next, and how a
recorded answer becomes a scored attempt.

`transcribe_attempt` (a recording on disk) and `complete_live_attempt` (an answer transcribed while it was
recorded) are the only places that turn audio into a score. Both go through the same segmenter and decoding
(`trainer.asr.live`), so the live text, "Transcribe again" and the command line agree.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from trainer.asr.base import ASRError, Transcriber, Transcript, TranscriptionCancelled
from trainer.deck import Card, Deck
from trainer.storage import ORDERS, Attempt, Status, Store

if TYPE_CHECKING:
    from trainer.asr.live import LiveTranscriber

log = logging.getLogger(__name__)

#: The error of an attempt whose recording holds no speech (kept with its audio, never scored).
NO_SPEECH = "No speech was detected in the recording, so there is nothing to score."
#: How many recent scores "weakest first" averages per card.
RECENT_ATTEMPTS = 3


def order_cards(
    deck: Deck,
    order: str,
    store: Store | None = None,
    rng: random.Random | None = None,
    *,
    cards: Sequence[Card] | None = None,
) -> list[Card]:
    """The deck's cards (or `cards`, a subset of them) in the order a session asks them.

    "in-order": as in the deck. "shuffled": random (pass `rng` for a repeatable order). "weakest": lowest mean
    of the last few scores first; cards never scored count as weakest and keep their deck order, as do ties.
    "due": spaced repetition's "due first" (`srs.due_order`: cards due today, least likely remembered first,
    then new ones, then the rest). "weakest" and "due" need the `store`.
    """
    chosen = list(deck.cards if cards is None else cards)
    if order == "in-order":
        return chosen
    if order == "shuffled":
        (rng or random.Random()).shuffle(chosen)
        return chosen
    if order == "weakest":
        if store is None:
            raise ValueError("'weakest' order needs the attempts store to know recent scores")
        recent = store.recent_scores(deck.id, RECENT_ATTEMPTS)
        position = {card.id: i for i, card in enumerate(chosen)}
        return sorted(chosen, key=lambda c: (recent.get(c.id, -1.0), position[c.id]))
    if order == "due":
        if store is None:
            raise ValueError("'due' order needs the attempts store to know the spaced-repetition schedule")
        from trainer.srs import due_order

        return due_order(store, deck, cards=chosen)
    raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")


def time_limit_for(deck: Deck, card: Card, override: float = 0.0) -> float:
    """Seconds to answer: the `practice.time_limit` setting when set (> 0), else the card's, else the deck's."""
    return override if override > 0 else deck.time_limit_for(card)


def transcribe_attempt(
    store: Store,
    attempt_id: int,
    deck: Deck,
    card: Card,
    transcriber: Transcriber,
    cancel: threading.Event | None = None,
) -> Attempt:
    """Transcribe a recorded attempt's audio, score it against `card`, and save the result.

    Runs in a worker thread (it takes seconds); only the store calls are short. Returns the saved attempt:
    "scored" on success, or "failed" with a readable `error` when the audio is missing, the engine or model
    cannot be used (any `ASRError`) or `cancel` was set. Those are expected outcomes, not crashes, so they are
    returned, not raised: the caller shows `attempt.error` and the audio stays for "Transcribe again". Any
    other exception is a bug: the attempt is marked failed (so it never stays "transcribing") and the
    exception propagates.
    """
    from trainer.asr import card_prompt
    from trainer.asr.live import transcribe_file

    attempt = store.attempt(attempt_id)
    if attempt.status is Status.SELF_GRADED:
        raise ValueError(f"attempt {attempt_id} was self-graded in flashcard mode: it has no audio")
    if attempt.audio_path is None or not attempt.audio_path.is_file():
        where = f" ({attempt.audio_path})" if attempt.audio_path is not None else ""
        return store.mark_failed(attempt_id, f"The recording is missing{where}; it cannot be transcribed.")
    if cancel is not None and cancel.is_set():
        return store.mark_failed(attempt_id, "Transcription was cancelled.")

    store.mark_transcribing(attempt_id)
    audio_path = attempt.audio_path
    return _finish_attempt(
        store,
        attempt_id,
        card,
        lambda: transcribe_file(
            transcriber, audio_path, prompt=card_prompt(deck, card), cancel=cancel, language=deck.language
        ),
    )


def complete_live_attempt(
    store: Store,
    attempt_id: int,
    deck: Deck,
    card: Card,
    live: LiveTranscriber,
    cancel: threading.Event | None = None,
) -> Attempt:
    """Finish an answer transcribed while it was recorded: decode its tail, score it, save it.

    Call it in a worker once the recording is stopped and registered (its audio is on disk first). The same
    outcomes as `transcribe_attempt`: "scored", or "failed" with a readable `error` (audio and attempt kept,
    "Transcribe again" possible). An answer with no speech at all is "failed" with `NO_SPEECH` as its error:
    kept with its audio, but not a 0 % score in the history, the schedule or the progress charts.
    `deck` is the card's deck (kept for the same signature as `transcribe_attempt`; the prompt was given to `live`).
    """
    del deck
    attempt = store.attempt(attempt_id)
    if attempt.status is Status.SELF_GRADED:
        raise ValueError(f"attempt {attempt_id} was self-graded in flashcard mode: it has no audio")
    if cancel is not None and cancel.is_set():
        live.cancel()
        return store.mark_failed(attempt_id, "Transcription was cancelled.")
    store.mark_transcribing(attempt_id)
    return _finish_attempt(store, attempt_id, card, lambda: live.finish(cancel))


def _finish_attempt(store: Store, attempt_id: int, card: Card, transcribe: Callable[[], Transcript]) -> Attempt:
    """Run `transcribe`, score and save; expected failures become a "failed" attempt, bugs propagate."""
    from trainer.scoring import score_answer
    from trainer.speechstats import speech_stats

    try:
        transcript = transcribe()
    except TranscriptionCancelled:
        return store.mark_failed(attempt_id, "Transcription was cancelled.")
    except ASRError as exc:
        return store.mark_failed(attempt_id, f"Transcription failed: {exc}")
    except BaseException as exc:
        store.mark_failed(attempt_id, f"Transcription failed unexpectedly: {type(exc).__name__}: {exc}")
        raise

    if transcript.no_speech:  # the VAD heard nobody: no model ran, and there is nothing to score
        return store.mark_failed(attempt_id, NO_SPEECH)
    try:
        result = score_answer(card, transcript.text)
        attempt = store.attempt(attempt_id)
        # The recording's own length: the transcript's can be shorter (trailing silence trimmed) or absent.
        duration = attempt.duration if attempt.duration else transcript.duration or None
        stats = speech_stats(transcript.text, duration)
        return store.save_result(attempt_id, transcript, result, stats, card=card)
    except BaseException as exc:
        store.mark_failed(attempt_id, f"Scoring failed unexpectedly: {type(exc).__name__}: {exc}")
        raise
