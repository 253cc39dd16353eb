"""A practice session as a Markdown report: something to reread, print, or paste into notes.

Everything comes from the store's copies of the cards, so a report is right even after the deck changed.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from trainer.scoring.results import PointResult
from trainer.storage import SELF_GRADES, Attempt, Session, Status, Store

HIT = "✓"
MISS = "✗"


def _local(moment: datetime) -> datetime:
    return moment.astimezone()


def _when(moment: datetime) -> str:
    return _local(moment).strftime("%Y-%m-%d %H:%M")


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes}:{seconds:02d}" if minutes else f"{seconds} s"


def _quote(text: str) -> list[str]:
    """Text as a Markdown block quote, paragraphs kept."""
    return [f"> {escape(line)}".rstrip() for line in text.strip().splitlines()] or [">"]


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*`<["})


def escape(text: str) -> str:
    """Keep spoken and card text literal: `*args`, `List<int>` or `[x]` must not become emphasis, HTML or links.

    Underscores are left alone: CommonMark does not emphasise inside words (`response_model`)."""
    return text.translate(_MARKDOWN)


#: How each session mode is named in a report.
MODE_NAMES: dict[str, str] = {
    "spoken": "spoken answers",
    "flashcard": "flashcards (self-graded)",
    "mock": "mock interview",
}


def _evidence(point: PointResult) -> str:
    """Why a key point got its verdict, in one line: what was said, or what the model answer says."""
    if not point.evidence or point.corrected:
        return ""
    if point.how == "same words":
        return f"said: “{escape(point.evidence)}”"
    if point.how == "paraphrase":
        return f"said in other words: “{escape(point.evidence)}”"
    if point.how == "contradicted":
        return f"contradicted: “{escape(point.evidence)}” ({escape(point.why)})"
    return f"model answer: {escape(point.evidence)}"


def session_title(session: Session) -> str:
    return f"{session.deck_title} – {_when(session.started_at)}"


def session_markdown(store: Store, session_id: int) -> str:
    """The report of one session: summary, then each attempt in the order it was made."""
    session = store.session(session_id)
    attempts = store.attempts(session_id=session_id, newest_first=False)
    scored = [a.score for a in attempts if a.score is not None]

    lines = [f"# {escape(session.deck_title)}", ""]
    facts = [
        ("Date", _when(session.started_at)),
        ("Mode", MODE_NAMES.get(session.mode, session.mode)),
        ("Order", session.order),
        ("Attempts", str(len(attempts))),
    ]
    if scored:
        facts.append(("Mean score", f"{sum(scored) / len(scored):.0f}%"))
    if session.ended_at is not None:
        facts.append(("Length", _seconds((session.ended_at - session.started_at).total_seconds())))
    lines += [f"- **{name}:** {value}" for name, value in facts]
    if scored:
        lines += ["", "| # | card | score | status |", "|---|---|---|---|"]
        for n, attempt in enumerate(attempts, 1):
            score = "–" if attempt.score is None else f"{attempt.score:.0f}%"
            lines.append(f"| {n} | {attempt.card_id} | {score} | {attempt.status} |")

    for n, attempt in enumerate(attempts, 1):
        lines += ["", *_attempt_lines(n, attempt)]
    return "\n".join(lines).rstrip() + "\n"


def _attempt_lines(n: int, attempt: Attempt) -> list[str]:
    lines = [f"## {n}. {escape(attempt.question.strip().splitlines()[0])}", ""]
    if len(attempt.question.strip().splitlines()) > 1:
        lines += [*_quote(attempt.question), ""]
    if attempt.follow_up:
        lines += [f"**Follow-up question:** {escape(attempt.follow_up)}", ""]
    facts: list[str] = [
        f"card `{attempt.card_id}`",
        _when(attempt.started_at),
        f"answered in {_seconds(attempt.duration)}",
    ]
    lines.append(" · ".join(facts))
    lines.append("")

    if attempt.status is Status.SELF_GRADED and attempt.self_grade is not None:
        grade = SELF_GRADES.get(attempt.self_grade, str(attempt.self_grade))
        lines.append(f"**Self-grade:** {grade} ({attempt.self_grade}/4)")
    elif attempt.score is not None:
        lines.append(f"**Score:** {attempt.score:.0f}%")
    else:
        status = {Status.RECORDED: "recorded, not transcribed yet", Status.TRANSCRIBING: "being transcribed"}.get(
            attempt.status, str(attempt.status)
        )
        lines.append(f"**Status:** {status}")
        if attempt.error:
            lines += ["", f"**Error:** {attempt.error}"]

    result = attempt.score_result()
    if result is not None:
        lines += ["", "**Key points**", ""]
        for point in result.points:
            mark = HIT if point.hit else MISS
            note = " *(corrected by hand)*" if point.corrected else ""
            lines.append(f"- {mark} {escape(point.point.text)}{note}")
            evidence = _evidence(point)
            if evidence:
                lines.append(f"  {evidence}")
        for wrong in result.misconceptions:
            lines.append(
                f"- **Wrong:** “{escape(wrong.said)}” ({escape(wrong.claim)}). "
                f"**Correction:** {escape(wrong.correction)}"
            )
    elif attempt.key_points:
        lines += ["", "**Key points**", ""]
        lines += [f"- {escape(p.text)}" for p in attempt.key_points]

    if attempt.transcript is not None:
        lines += ["", "**Your answer** (transcript)", ""]
        lines += _quote(attempt.transcript) if attempt.transcript.strip() else ["*(nothing was recognised)*"]
        speech: list[str] = []
        if attempt.wpm is not None:
            speech.append(f"{attempt.wpm:.0f} words per minute")
        count = attempt.filler_count
        if count:
            listed = ", ".join(f"“{word}” ×{times}" for word, times in attempt.fillers.items())
            speech.append(f"{count} filler word{'s' if count != 1 else ''}: {listed}")
        else:
            speech.append("no filler words")
        if attempt.engine:
            speech.append(f"transcribed by {attempt.engine} {attempt.model or ''}".rstrip())
        lines += ["", " · ".join(speech)]

    lines += ["", "**Model answer**", "", *_quote(attempt.answer)]
    return lines


def export_session(store: Store, session_id: int, path: Path | str) -> Path:
    """Write the session's report to `path` (atomically: never a half-written file); returns the path. A mock
    interview gets its interview report (`trainer.mock`): scores, follow-ups and the things to work on."""
    if store.session(session_id).mode == "mock":
        from trainer import mock

        return mock.export_markdown(mock.build_report(store, session_id), path)
    return write_atomic(path, session_markdown(store, session_id))


def write_atomic(path: Path | str, text: str) -> Path:
    """Write a text file so that it is either the old file or the whole new one, never half written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def default_file_name(session: Session) -> str:
    """A file name for the session's report, e.g. `fastapi-2026-11-27-0930.md`."""
    return f"{session.deck_id}-{_local(session.started_at).strftime('%Y-%m-%d-%H%M')}.md"
