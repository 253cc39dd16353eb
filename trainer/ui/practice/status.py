"""The status line under the question: what is going on and what the next key does, for every stage."""

from __future__ import annotations

import html

from trainer.round import Mode, Round, Stage
from trainer.storage import Attempt
from trainer.ui.shortcuts import GRADES

ERROR = "<span style='color:#a3302a'>{}</span>"


def status_text(round_: Round, attempt: Attempt | None, silence_stop: bool, summary: str = "") -> str:
    """One line (rich text) for the stage `round_` is in; `summary` is the finished session's."""
    stage, mode = round_.stage, round_.mode
    note = html.escape(round_.note)
    if stage is Stage.QUESTION:
        if mode is Mode.FLASHCARD:
            return "Reading the question aloud\u2026 (<b>Esc</b> to skip, <b>Enter</b> to reveal the answer)"
        asked = "the follow-up question" if round_.follow_up else "the question"
        return f"Reading {asked} aloud\u2026 (<b>Space</b> to answer now, <b>Esc</b> to skip)"
    if stage is Stage.THINKING:
        return "Think about your answer; recording starts when the bar runs out (<b>Space</b> to start now)."
    if stage is Stage.READY:
        return (ERROR.format(f"<b>{note}</b>") + "<br>" if note else "") + "Press <b>Space</b> to answer."
    if stage is Stage.RECORDING:
        stop = " or after a pause" if silence_stop else ""
        return f"\u25cf Recording \u2014 answer out loud. <b>Space</b> stops (it also stops at the limit{stop})."
    if stage is Stage.SAVING:
        return "Finishing the recording\u2026"
    if stage is Stage.WAITING_MODEL:
        return "Recorded. Waiting for the speech model to finish loading\u2026 (<b>Esc</b> to cancel)"
    if stage is Stage.TRANSCRIBING:
        if mode is Mode.MOCK:
            return "Thank you. Transcribing your answer\u2026 (<b>Esc</b> to cancel; the recording is kept)"
        return "Transcribing your answer\u2026 (<b>Esc</b> to cancel; the recording is kept)"
    if stage is Stage.TOO_SHORT:
        return ERROR.format(note) + "<br><b>Space</b> records again \u00b7 <b>N</b> next card"
    enter = "<b>Enter</b> hides the model answer" if round_.revealed else "<b>Enter</b> reveals the model answer"
    if stage is Stage.RESULT:
        return (f"{note} " if note else "") + f"{enter} \u00b7 <b>R</b> retry \u00b7 <b>N</b> next card"
    if stage is Stage.FAILED:
        error = round_.error or (attempt.error if attempt is not None and attempt.error else "Not transcribed.")
        keys = "<b>R</b> answer again \u00b7 <b>N</b> next" if mode is Mode.MOCK else f"{enter} \u00b7 <b>R</b> retry"
        if mode is not Mode.MOCK:
            keys += " \u00b7 <b>N</b> next"
        return (
            f"{note + ' ' if note else ''}{ERROR.format(html.escape(error))}<br>The recording is kept: "
            f"transcribe it again from Review. {keys}"
        )
    if stage is Stage.FLASH_ANSWER:
        return "Say your answer out loud, then press <b>Enter</b> to reveal the model answer."
    if stage is Stage.FLASH_REVEALED:
        keys = " \u00b7 ".join(f"<b>{g}</b> {label}" for g, label in GRADES)
        return f"How did you do? {keys}"
    if stage is Stage.FLASH_GRADED:
        grade = attempt.self_grade if attempt is not None else None
        label = dict(GRADES).get(grade or 0, "")
        return f"Graded \u201c{label}\u201d and kept. <b>N</b> next card \u00b7 <b>R</b> again"
    if stage is Stage.FINISHED:
        return summary
    if stage is Stage.REPORT:
        return "The interview is over: the report is below (export it as Markdown or PDF). <b>N</b>: another deck."
    return ""
