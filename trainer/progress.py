"""Progress over time, computed from the attempts store: the figures the Progress tab charts and `trainer stats`
prints (one computation, two views).

Per attempt: score, key points made, words per minute, fillers; per card: the same over time and its recent
mean; the weakest cards; the key points missed most often; practice days (a calendar) and the streak.
Flashcard self-grades count for the score (as `storage.SELF_GRADE_SCORES`), not for key points or delivery.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from trainer.scoring import ScoreResult
from trainer.storage import Attempt, Status, Store

#: How many recent scores make a card's "recent mean" (as "weakest first" in practice).
RECENT_ATTEMPTS = 3


@dataclass(frozen=True)
class AttemptPoint:
    """One scored attempt as a point on the charts."""

    attempt_id: int
    deck_id: str
    card_id: str
    question: str
    mode: str
    started_at: datetime
    score: float
    points_made: int | None  # key points hit (None for a flashcard self-grade)
    points_total: int | None
    wpm: float | None
    fillers: int | None
    duration: float | None


@dataclass(frozen=True)
class CardProgress:
    """One card's history: its attempts in order and its recent mean score."""

    deck_id: str
    card_id: str
    question: str
    history: tuple[AttemptPoint, ...]

    @property
    def attempts(self) -> int:
        return len(self.history)

    @property
    def recent_mean(self) -> float:
        return statistics.fmean(p.score for p in self.history[-RECENT_ATTEMPTS:])

    @property
    def last_score(self) -> float:
        return self.history[-1].score

    @property
    def first_score(self) -> float:
        return self.history[0].score


@dataclass(frozen=True)
class MissedPoint:
    """A key point and how often it was missed among the spoken answers that were scored on it."""

    deck_id: str
    card_id: str
    question: str
    point: str
    missed: int
    scored: int


@dataclass(frozen=True)
class DayFigures:
    """One practice day: how many attempts and their mean score (None when none was scored)."""

    day: date
    attempts: int
    mean_score: float | None


@dataclass(frozen=True)
class Progress:
    """Everything the progress view and `trainer stats` show, for one deck or all."""

    deck_id: str | None
    points: tuple[AttemptPoint, ...]  # scored attempts, oldest first
    cards: tuple[CardProgress, ...]  # every card with a scored attempt, weakest first
    most_missed: tuple[MissedPoint, ...]  # missed at least once, most missed first
    days: tuple[DayFigures, ...]  # practice days (any attempt), oldest first
    streak_days: int
    attempts_total: int  # every attempt, scored or not
    mode_counts: dict[str, int] = field(default_factory=dict)

    @property
    def mean_score(self) -> float | None:
        return statistics.fmean(p.score for p in self.points) if self.points else None

    def weakest(self, n: int = 5) -> tuple[CardProgress, ...]:
        return self.cards[:n]

    def calendar(self) -> dict[date, int]:
        """practice day -> attempts that day."""
        return {d.day: d.attempts for d in self.days}

    def card(self, card_id: str, deck_id: str | None = None) -> CardProgress | None:
        return next((c for c in self.cards if c.card_id == card_id and (deck_id is None or c.deck_id == deck_id)), None)


def _local_day(moment: datetime) -> date:
    return moment.astimezone().date()


def _point(attempt: Attempt, mode: str, result: ScoreResult | None) -> AttemptPoint:
    made = total = None
    if result is not None:
        made, total = result.hits, len(result.points)
    spoken = attempt.self_grade is None
    return AttemptPoint(
        attempt_id=attempt.id,
        deck_id=attempt.deck_id,
        card_id=attempt.card_id,
        question=attempt.question,
        mode=mode,
        started_at=attempt.started_at,
        score=float(attempt.score if attempt.score is not None else 0.0),
        points_made=made,
        points_total=total,
        wpm=attempt.wpm if spoken else None,
        fillers=attempt.filler_count if spoken else None,
        duration=attempt.duration,
    )


def _streak(days: set[date], today: date) -> int:
    from trainer.srs import streak_days

    return streak_days(days, today)


def progress(
    store: Store,
    deck_id: str | None = None,
    *,
    mode: str | None = None,
    now: datetime | None = None,
) -> Progress:
    """The figures for one deck (or all decks), optionally one practice mode, as of `now` (default: now)."""
    moment = now or datetime.now(UTC)
    sessions = {s.id: s.mode for s in store.sessions(deck_id=deck_id)}
    every = [a for a in store.attempts(deck_id=deck_id, mode=mode, newest_first=False) if a.started_at <= moment]
    scored = [a for a in every if a.status in (Status.SCORED, Status.SELF_GRADED) and a.score is not None]
    results = {a.id: a.score_result() for a in scored}  # parsed once: the costly part of a large history
    points = [_point(a, sessions.get(a.session_id, "spoken"), results[a.id]) for a in scored]

    by_card: dict[tuple[str, str], list[AttemptPoint]] = defaultdict(list)
    for p in points:
        by_card[(p.deck_id, p.card_id)].append(p)
    cards = [CardProgress(d, c, history[-1].question, tuple(history)) for (d, c), history in by_card.items()]
    cards.sort(key=lambda c: (c.recent_mean, -c.attempts, c.deck_id, c.card_id))

    missed: Counter[tuple[str, str, str]] = Counter()
    asked: Counter[tuple[str, str, str]] = Counter()
    questions: dict[tuple[str, str], str] = {}
    for attempt in scored:
        result = results[attempt.id]
        if result is None:
            continue
        questions[(attempt.deck_id, attempt.card_id)] = attempt.question
        for point in result.points:
            key = (attempt.deck_id, attempt.card_id, point.point.text)
            asked[key] += 1
            if not point.hit:
                missed[key] += 1
    most_missed = [
        MissedPoint(d, c, questions[(d, c)], text, n, asked[(d, c, text)]) for (d, c, text), n in missed.items()
    ]
    most_missed.sort(key=lambda m: (-m.missed, -m.missed / m.scored, m.deck_id, m.card_id, m.point))

    per_day: dict[date, list[Attempt]] = defaultdict(list)
    for attempt in every:
        per_day[_local_day(attempt.started_at)].append(attempt)
    scored_ids = {a.id for a in scored}
    days = []
    for day in sorted(per_day):
        day_scores = [a.score for a in per_day[day] if a.id in scored_ids and a.score is not None]
        days.append(DayFigures(day, len(per_day[day]), statistics.fmean(day_scores) if day_scores else None))

    return Progress(
        deck_id=deck_id,
        points=tuple(points),
        cards=tuple(cards),
        most_missed=tuple(most_missed),
        days=tuple(days),
        streak_days=_streak(set(per_day), _local_day(moment)),
        attempts_total=len(every),
        mode_counts=dict(Counter(sessions.get(a.session_id, "spoken") for a in every)),
    )


def calendar_weeks(days: Sequence[DayFigures], today: date, weeks: int = 8) -> list[tuple[date, list[int]]]:
    """The last `weeks` weeks as rows (Monday first): each row's Monday and the attempts on each of its 7 days
    (days after today count 0)."""
    counts = {d.day: d.attempts for d in days}
    first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    rows = []
    for w in range(weeks):
        monday = first_monday + timedelta(weeks=w)
        rows.append((monday, [counts.get(monday + timedelta(days=i), 0) for i in range(7)]))
    return rows


def summary_text(figures: Progress, *, today: date | None = None, top: int = 5, weeks: int = 8) -> str:
    """The progress summary as plain text (what `trainer stats` prints)."""
    day = today or datetime.now().astimezone().date()
    lines: list[str] = []
    scope = f"deck {figures.deck_id}" if figures.deck_id else "all decks"
    lines.append(f"Progress, {scope}")
    if figures.attempts_total == 0:
        lines.append("No attempts yet: practise a card and come back.")
        return "\n".join(lines) + "\n"
    mean = figures.mean_score
    modes = ", ".join(f"{n} {m}" for m, n in sorted(figures.mode_counts.items()))
    lines.append(f"  attempts: {figures.attempts_total} ({modes}); scored: {len(figures.points)}")
    if mean is not None:
        lines.append(f"  mean score: {mean:.0f}%")
    lines.append(f"  practice days: {len(figures.days)}; streak: {figures.streak_days} day(s)")
    spoken = [p for p in figures.points if p.wpm is not None]
    if spoken:
        wpm = statistics.median(p.wpm for p in spoken if p.wpm is not None)
        fillers = statistics.fmean(p.fillers or 0 for p in spoken)
        lines.append(f"  delivery: median {wpm:.0f} words/min, {fillers:.1f} fillers per answer")
    if figures.cards:
        lines.append("")
        lines.append("Weakest cards (mean of the last 3 scores):")
        for card in figures.weakest(top):
            trend = f"first {card.first_score:.0f}% -> last {card.last_score:.0f}%"
            lines.append(f"  {card.recent_mean:5.0f}%  {_short(card.question)}  ({card.attempts} tries, {trend})")
    if figures.most_missed:
        lines.append("")
        lines.append("Most-missed key points:")
        for m in figures.most_missed[:top]:
            lines.append(f"  missed {m.missed} of {m.scored}  {m.point!r}  in: {_short(m.question, 50)}")
    lines.append("")
    lines.append(f"Practice days, last {weeks} weeks (Mon..Sun; . none, digit = attempts, + more than 9):")
    for monday, counts in calendar_weeks(figures.days, day, weeks):
        cells = " ".join("." if n == 0 else str(n) if n < 10 else "+" for n in counts)
        lines.append(f"  {monday.isoformat()}  {cells}")
    return "\n".join(lines) + "\n"


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
