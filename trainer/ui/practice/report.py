"""The end of a mock interview in the practice view: per question the score, points made and missed and the
delivery, then the points to work on. (The saved, exportable report is `trainer.mock`'s once it is merged.)"""

from __future__ import annotations

import html
from collections.abc import Sequence

from trainer.storage import StorageError, Store


def interview_report_html(store: Store, answered: Sequence[tuple[int, str | None]]) -> str:
    """HTML for the attempts of an interview, `answered` as (attempt id, follow-up asked or None) in order."""
    rows: list[str] = []
    scores: list[float] = []
    missed_points: list[tuple[float, str]] = []
    for attempt_id, follow_up in answered:
        try:
            attempt = store.attempt(attempt_id)
        except StorageError:
            continue
        result = attempt.score_result()
        asked = html.escape(follow_up or attempt.question)
        title = f"<i>Follow-up:</i> {asked}" if follow_up else f"<b>{asked}</b>"
        lines = [title]
        if result is not None:
            if follow_up is None:
                scores.append(result.score)
            made = [p.point.text for p in result.points if p.hit]
            missed = [p.point for p in result.points if not p.hit]
            missed_points += [(p.weight, p.text) for p in missed if follow_up is None]
            lines.append(f"Score {result.score:.0f}% \u00b7 {result.hits} of {len(result.points)} key points")
            if made:
                lines.append("Made: " + html.escape(", ".join(made)))
            if missed:
                lines.append("Missed: " + html.escape(", ".join(p.text for p in missed)))
        delivery = []
        if attempt.duration:
            delivery.append(f"{attempt.duration:.0f} s")
        if attempt.wpm is not None:
            delivery.append(f"{attempt.wpm:.0f} words/min")
        fillers = sum(attempt.fillers.values())
        delivery.append(f"{fillers} filler word{'s' if fillers != 1 else ''}")
        lines.append("Delivery: " + " \u00b7 ".join(delivery))
        rows.append("<p>" + "<br>".join(lines) + "</p>")
    overall = f"{sum(scores) / len(scores):.0f}%" if scores else "no scored answer"
    work_on = [text for _, text in sorted(missed_points, key=lambda pair: -pair[0])[:3]]
    summary = f"<h2>Mock interview report</h2><p>{len(scores)} question(s) answered, mean score {overall}.</p>"
    if work_on:
        summary += "<p><b>Work on:</b></p><ol>" + "".join(f"<li>{html.escape(t)}</li>" for t in work_on) + "</ol>"
    return summary + "".join(rows) + "<p>Press <b>N</b> to choose a deck again.</p>"
