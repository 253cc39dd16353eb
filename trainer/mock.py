"""Mock interviews: which questions to ask, when to ask a follow-up, and the report at the end.

A mock interview is a session of mode "mock": the planned questions are asked one after another, timed, with no
reveal in between. When an answer misses the card's most important key point and that point has a follow-up
question, the interviewer asks it once; the follow-up answer is stored as another attempt of the same card in
the same session, with the question asked in its `follow_up` column. The report is built from the store alone
(the attempts keep copies of the cards), so it can be rebuilt and exported any time later.

Qt-free: the practice flow drives the interview, `trainer.ui.mock_report` shows the report.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from trainer.deck import LEVELS, Card, Deck, KeyPoint
from trainer.export import HIT, MISS, MODE_NAMES, escape, write_atomic
from trainer.scoring import PointResult, ScoreResult
from trainer.storage import Attempt, Session, Status, Store

MODE = "mock"
#: A gap of at least this many seconds between two spoken words is a long pause.
LONG_PAUSE = 2.0
#: A comfortable interview pace, in words per minute; outside it the report suggests slowing down or speeding up.
PACE_RANGE = (110.0, 170.0)
#: More filler words per minute than this is noticeable.
FILLERS_PER_MINUTE = 3.0
#: An answer that stopped within this many seconds of its limit ran out of time.
TIME_MARGIN = 1.0
#: An answer missing this many key points or more is one thing to work on (relearn it), not one per point.
MANY_MISSED = 3
#: How many things to work on the summary names.
WORK_ON = 3


# --- planning -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MockConfig:
    """What the user chose: deck ids, a length (a number of questions, minutes of answering, or both: whichever
    ends first) and a mix of levels as relative counts, e.g. {"basics": 1, "theory": 2, "tricky": 2}
    (None: any level)."""

    decks: tuple[str, ...]
    questions: int | None = 5
    minutes: float | None = None
    levels: Mapping[str, int] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.decks, str) or not self.decks:
            raise ValueError("choose at least one deck (a tuple of deck ids)")
        if self.questions is None and self.minutes is None:
            raise ValueError("give the interview's length: a number of questions, minutes, or both")
        if self.questions is not None and (
            isinstance(self.questions, bool) or not isinstance(self.questions, int) or self.questions < 1
        ):
            raise ValueError(f"the number of questions must be at least 1, not {self.questions!r}")
        if self.minutes is not None and not (math.isfinite(self.minutes) and self.minutes > 0):
            raise ValueError(f"minutes must be a positive number, not {self.minutes!r}")
        if self.levels is not None:
            unknown = [level for level in self.levels if level not in LEVELS]
            if unknown:
                raise ValueError(f"unknown level {unknown[0]!r}: levels are {', '.join(LEVELS)}")
            if any(count < 0 for count in self.levels.values()) or sum(self.levels.values()) <= 0:
                raise ValueError("the level mix needs counts of 0 or more, at least one of them above 0")


@dataclass(frozen=True)
class PlannedQuestion:
    """One question of the interview: the card, its deck (for the speech prompt) and the seconds to answer."""

    deck: Deck
    card: Card
    time_limit: float

    @property
    def level(self) -> str:
        return self.card.level


def plan_interview(
    decks: Sequence[Deck], config: MockConfig, rng: random.Random | None = None
) -> list[PlannedQuestion]:
    """The questions of one mock interview, easiest level first (as an interviewer warms up).

    Cards come from the decks named in `config.decks` (looked up among `decks`), each at most once, randomly
    (pass `rng` for a repeatable plan) while keeping the level mix: each next question takes the level furthest
    behind its share. A level that runs out is made up by the others in the mix (levels left out of the mix, or
    given 0, are never asked), so the interview can be shorter than asked when the decks have too few cards.
    With `minutes`, a question is only taken when its time limit still fits in what is left; ValueError when no
    question fits at all.
    """
    rng = rng or random.Random()
    by_id = {deck.id: deck for deck in decks}
    missing = [deck_id for deck_id in config.decks if deck_id not in by_id]
    if missing:
        raise ValueError(f"no deck {missing[0]!r}; decks are: {', '.join(sorted(by_id)) or 'none'}")
    pool: dict[str, list[PlannedQuestion]] = {}
    for deck_id in dict.fromkeys(config.decks):
        deck = by_id[deck_id]
        for card in deck.cards:
            level = card.level if config.levels is not None else ""
            pool.setdefault(level, []).append(PlannedQuestion(deck, card, deck.time_limit_for(card)))
    for cards in pool.values():
        rng.shuffle(cards)
    share = {level: float(count) for level, count in (config.levels or {"": 1}).items() if count > 0}
    total_share = sum(share.values())

    count = config.questions if config.questions is not None else math.inf
    budget = config.minutes * 60.0 if config.minutes is not None else math.inf
    taken = dict.fromkeys(share, 0)
    planned: list[PlannedQuestion] = []
    while len(planned) < count:
        # The level furthest behind its share; a level with no card left (or none that fits) yields its turn.
        n = len(planned) + 1
        order = sorted(share, key=lambda lv: (-(share[lv] / total_share * n - taken[lv]), _level_rank(lv)))
        fits = [lv for lv in order if any(q.time_limit <= budget for q in pool.get(lv, []))]
        if not fits:
            break
        level = fits[0]
        question = next(q for q in pool[level] if q.time_limit <= budget)
        pool[level].remove(question)
        taken[level] = taken.get(level, 0) + 1
        budget -= question.time_limit
        planned.append(question)
    if not planned:
        eligible = [q.time_limit for level in share for q in pool.get(level, [])]
        if not eligible:
            at = f" at level {' or '.join(share)}" if config.levels is not None else ""
            raise ValueError(f"the chosen deck(s) have no cards{at}: {', '.join(config.decks)}")
        raise ValueError(
            f"no question fits in {config.minutes:g} minutes: the shortest time limit is {min(eligible):g} s"
        )
    return sorted(planned, key=lambda q: _level_rank(q.level))  # stable: random within a level


def _level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def start_mock_session(store: Store, decks: Sequence[Deck]) -> Session:
    """A new session of mode "mock"; an interview over several decks is filed under their joined ids and
    titles ("fastapi+django", "FastAPI + Django"), each attempt still under its own deck."""
    if not decks:
        raise ValueError("a mock interview needs at least one deck")
    return store.start_session(
        "+".join(d.id for d in decks), " + ".join(d.title for d in decks), mode=MODE, order="shuffled"
    )


def mock_sessions(store: Store, limit: int | None = None) -> list[Session]:
    """Past mock interviews, newest first: what "reviewable later" lists."""
    return [s for s in store.sessions() if s.mode == MODE][:limit]


# --- follow-ups -----------------------------------------------------------------------------------------


def most_important(points: Sequence[KeyPoint]) -> int | None:
    """Index of the key point with the highest weight (the first one on ties); None without points."""
    if not points:
        return None
    return max(range(len(points)), key=lambda i: (points[i].weight, -i))


def follow_up_question(point: KeyPoint) -> str | None:
    """The point's follow-up question from the deck (None when the deck has none)."""
    text = getattr(point, "follow_up", None)
    return text.strip() if isinstance(text, str) and text.strip() else None


def follow_up_for(card: Card, result: ScoreResult) -> KeyPoint | None:
    """The key point to ask a follow-up about: the card's most important point when the answer missed it and
    the deck gives it a follow-up question (`follow_up_question(point)`); else None (no follow-up)."""
    index = most_important(card.key_points)
    if index is None:
        return None
    point = card.key_points[index]
    if follow_up_question(point) is None:
        return None
    scored = _point_result(result, index, point.text)
    if scored is None or scored.hit:
        return None
    return point


def _point_result(result: ScoreResult, index: int, text: str) -> PointResult | None:
    """The result for key point `index` (named `text`): by position, or by text if the card changed since."""
    if index < len(result.points) and result.points[index].point.text == text:
        return result.points[index]
    return next((p for p in result.points if p.point.text == text), None)


# --- the report -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointNote:
    """A key point made or missed; for a miss, the model-answer sentence that makes it (when scoring gives it)."""

    text: str
    weight: float
    evidence: str | None = None


@dataclass(frozen=True)
class MisconceptionNote:
    """A wrong claim the answer made, its correction, and the words said."""

    claim: str
    correction: str
    said: str | None = None


@dataclass(frozen=True)
class Pause:
    """Silence between two spoken words: `start` seconds into the answer, `length` seconds long."""

    start: float
    length: float


@dataclass(frozen=True)
class Delivery:
    """How an answer was spoken: pace, fillers, long pauses, time used against the limit."""

    words: int
    duration: float | None
    time_limit: float | None
    wpm: float | None
    fillers: dict[str, int] = field(default_factory=dict)
    pauses: tuple[Pause, ...] = ()
    #: Seconds of silence before the first word (None without word or segment timings).
    first_word: float | None = None

    @property
    def filler_count(self) -> int:
        return sum(self.fillers.values())

    @property
    def ran_out_of_time(self) -> bool:
        """The answer was stopped by its time limit."""
        return (
            self.duration is not None
            and self.time_limit is not None
            and (self.duration >= self.time_limit - TIME_MARGIN)
        )


@dataclass(frozen=True)
class FollowUpReport:
    """The follow-up asked after a question, and how it was answered."""

    question: str
    attempt_id: int
    status: Status
    error: str | None
    #: The key point it asked about (the main answer's most important point).
    point: str | None
    #: Whether the follow-up answer made that point; None until scored.
    made: bool | None
    transcript: str | None
    delivery: Delivery | None


@dataclass(frozen=True)
class QuestionReport:
    """One question of the interview as answered."""

    number: int
    attempt_id: int
    deck_id: str
    card_id: str
    question: str
    level: str
    status: Status
    error: str | None
    score: float | None
    made: tuple[PointNote, ...]
    missed: tuple[PointNote, ...]
    misconceptions: tuple[MisconceptionNote, ...]
    delivery: Delivery | None
    transcript: str | None
    follow_up: FollowUpReport | None = None


@dataclass(frozen=True)
class WorkItem:
    """One of the things to work on: `kind` is "misconception", "key point" or "delivery"; `cost` ranks them
    (roughly the score points it cost)."""

    kind: str
    title: str
    detail: str
    cost: float


@dataclass(frozen=True)
class MockReport:
    """Everything the end-of-interview report shows."""

    session: Session
    questions: tuple[QuestionReport, ...]
    work_on: tuple[WorkItem, ...]

    @property
    def scored(self) -> tuple[QuestionReport, ...]:
        return tuple(q for q in self.questions if q.score is not None)

    @property
    def mean_score(self) -> float | None:
        scores = [q.score for q in self.questions if q.score is not None]
        return sum(scores) / len(scores) if scores else None

    @property
    def points_made(self) -> tuple[int, int]:
        """(key points made, key points in all scored questions)."""
        made = sum(len(q.made) for q in self.scored)
        return made, made + sum(len(q.missed) for q in self.scored)

    @property
    def speaking_time(self) -> float:
        """Seconds of answers, follow-ups included."""
        total = 0.0
        for q in self.questions:
            for delivery in (q.delivery, q.follow_up.delivery if q.follow_up else None):
                if delivery is not None and delivery.duration:
                    total += delivery.duration
        return total


def long_pauses(attempt: Attempt, threshold: float = LONG_PAUSE) -> tuple[Pause, ...]:
    """Silences of at least `threshold` seconds between words, from the transcript's word timestamps (between
    segments when the engine gave no word timings). Thinking before the first word is not a pause."""
    transcript = attempt.transcript_obj()
    if transcript is None:
        return ()
    spans = [(w.start, w.end) for w in transcript.words] or [(s.start, s.end) for s in transcript.segments]
    spans.sort()
    pauses = []
    for (_, end), (start, _) in itertools.pairwise(spans):
        if start - end >= threshold:
            pauses.append(Pause(end, start - end))
    return tuple(pauses)


def first_word_at(attempt: Attempt) -> float | None:
    """When the answer's first word began, in seconds from the start of the recording."""
    transcript = attempt.transcript_obj()
    if transcript is None:
        return None
    starts = [w.start for w in transcript.words] or [s.start for s in transcript.segments if s.text.strip()]
    return min(starts) if starts else None


def delivery_of(attempt: Attempt) -> Delivery | None:
    """The delivery figures of a transcribed attempt (None before it is transcribed)."""
    if attempt.transcript is None:
        return None
    return Delivery(
        words=len(attempt.transcript.split()),
        duration=attempt.duration,
        time_limit=attempt.time_limit,
        wpm=attempt.wpm,
        fillers=dict(attempt.fillers),
        pauses=long_pauses(attempt),
        first_word=first_word_at(attempt),
    )


def _misconceptions(attempt: Attempt, result: ScoreResult | None) -> tuple[MisconceptionNote, ...]:
    """Misconceptions said, from the scoring result (read defensively: older results have none)."""
    raw: Sequence[Any] = getattr(result, "misconceptions", None) or (attempt.results or {}).get("misconceptions") or ()
    notes = []
    for item in raw:
        inner = item.get("misconception", item) if isinstance(item, Mapping) else getattr(item, "misconception", item)

        def pick(name: str, *sources: Any) -> Any:
            for source in sources:
                value = source.get(name) if isinstance(source, Mapping) else getattr(source, name, None)
                if value is not None:
                    return value
            return None

        claim, correction = pick("claim", item, inner), pick("correction", item, inner)
        if not claim:
            continue
        said = pick("said", item)
        span = pick("span", item)
        if said is None and span and attempt.transcript:
            said = attempt.transcript[int(span[0]) : int(span[1])]
        notes.append(MisconceptionNote(str(claim), str(correction or ""), None if said is None else str(said)))
    return tuple(notes)


def _points(result: ScoreResult | None) -> tuple[tuple[PointNote, ...], tuple[PointNote, ...]]:
    if result is None:
        return (), ()
    made: list[PointNote] = []
    missed: list[PointNote] = []
    for p in result.points:
        evidence = getattr(p, "evidence", None)
        note = PointNote(p.point.text, p.point.weight, None if p.hit else (str(evidence) if evidence else None))
        (made if p.hit else missed).append(note)
    return tuple(made), tuple(missed)


def _question(number: int, attempt: Attempt) -> QuestionReport:
    result = attempt.score_result()
    made, missed = _points(result)
    return QuestionReport(
        number=number,
        attempt_id=attempt.id,
        deck_id=attempt.deck_id,
        card_id=attempt.card_id,
        question=attempt.question,
        level=next((t for t in attempt.tags if t in LEVELS), ""),
        status=attempt.status,
        error=attempt.error,
        score=attempt.score if result is not None else None,
        made=made,
        missed=missed,
        misconceptions=_misconceptions(attempt, result),
        delivery=delivery_of(attempt),
        transcript=attempt.transcript,
    )


def _follow_up(main: Attempt, attempt: Attempt) -> FollowUpReport:
    index = most_important(main.key_points)
    point = main.key_points[index].text if index is not None else None
    result = attempt.score_result()
    made = None
    if result is not None and index is not None and point is not None:
        scored = _point_result(result, index, point)
        made = None if scored is None else bool(scored.hit)
    return FollowUpReport(
        question=attempt.follow_up or "",
        attempt_id=attempt.id,
        status=attempt.status,
        error=attempt.error,
        point=point,
        made=made,
        transcript=attempt.transcript,
        delivery=delivery_of(attempt),
    )


def build_report(store: Store, session_id: int) -> MockReport:
    """The report of a (mock) session from what the store holds: questions in the order asked, each with its
    follow-up, and the things to work on. NotFound for an unknown session."""
    session = store.session(session_id)
    questions: list[QuestionReport] = []
    mains: list[Attempt] = []
    for attempt in store.attempts(session_id=session_id, newest_first=False):
        if attempt.follow_up is not None:
            owner = next(
                (i for i in range(len(mains) - 1, -1, -1) if mains[i].card_id == attempt.card_id),
                None,
            )
            if owner is not None:
                follow = _follow_up(mains[owner], attempt)
                questions[owner] = replace(questions[owner], follow_up=follow)
                continue
        mains.append(attempt)
        questions.append(_question(len(questions) + 1, attempt))
    return MockReport(session, tuple(questions), things_to_work_on(questions))


def things_to_work_on(questions: Sequence[QuestionReport], limit: int = WORK_ON) -> tuple[WorkItem, ...]:
    """The few things that would most improve the next interview: misconceptions said, key points missed
    (weighted by how much of their answer's score they are; an answer missing MANY_MISSED or more is one item),
    and delivery (pace, fillers, long pauses, time).
    The costliest item of each kind comes first, so one kind does not crowd out the others; then the rest by cost."""
    items = _misconception_items(questions) + _missed_point_items(questions) + _delivery_items(questions)
    items.sort(key=lambda item: -item.cost)
    first: list[WorkItem] = []
    for item in items:
        if all(item.kind != chosen.kind for chosen in first):
            first.append(item)
    first.sort(key=lambda item: -item.cost)
    rest = [item for item in items if item not in first]
    return tuple((first + rest)[:limit])


def _misconception_items(questions: Sequence[QuestionReport]) -> list[WorkItem]:
    items: dict[str, WorkItem] = {}
    for q in questions:
        for note in q.misconceptions:
            known = items.get(note.claim)
            where = f"Q{q.number}" if known is None else f"{known.detail.split(': ', 1)[0]}, Q{q.number}"
            correction = f": {note.correction}" if note.correction else ""
            # A wrong claim weighs more than a missing point: an interviewer remembers it.
            cost = 40.0 if known is None else known.cost + 40.0
            items[note.claim] = WorkItem("misconception", f"Wrong: “{note.claim}”", f"{where}{correction}", cost)
    return list(items.values())


def _missed_point_items(questions: Sequence[QuestionReport]) -> list[WorkItem]:
    items: dict[str, WorkItem] = {}
    for q in questions:
        total = sum(p.weight for p in (*q.made, *q.missed))
        costs = []
        for note in q.missed:
            share = 100.0 * note.weight / total if total > 0 else 0.0
            recovered = q.follow_up is not None and q.follow_up.point == note.text and bool(q.follow_up.made)
            costs.append((note, share, recovered))
        if len(q.missed) >= MANY_MISSED:
            # Most of the answer was missing: one thing to work on (the answer), not several of its points.
            cost = sum(share / 2 if recovered else share for _, share, recovered in costs)
            names = "; ".join(note.text for note in q.missed)
            items[f"Q{q.number}"] = WorkItem(
                "key point",
                f"Relearn Q{q.number}: {_short(q.question)}",
                f"{len(q.missed)} of {len(q.made) + len(q.missed)} key points missed: {names}",
                cost,
            )
            continue
        for note, share, recovered in costs:
            detail = f"Q{q.number}, {share:.0f}% of that answer"
            if recovered:
                detail += " (made in the follow-up)"
                share /= 2
            if note.evidence:
                detail += f"; the model answer says: “{note.evidence}”"
            known = items.get(note.text)
            if known is not None:
                detail = f"{known.detail}; {detail}"
                share += known.cost
            items[note.text] = WorkItem("key point", f"Say: {note.text}", detail, share)
    return list(items.values())


def _short(text: str, width: int = 60) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def _delivery_items(questions: Sequence[QuestionReport]) -> list[WorkItem]:
    answers = [q.delivery for q in questions if q.delivery is not None]
    answers += [q.follow_up.delivery for q in questions if q.follow_up is not None and q.follow_up.delivery]
    items: list[WorkItem] = []
    timed = [d for d in answers if d.duration and d.wpm is not None]
    minutes = sum(d.duration or 0.0 for d in timed) / 60.0
    if timed and minutes > 0:
        pace = sum(d.words for d in timed) / minutes
        low, high = PACE_RANGE
        if pace > high:
            items.append(WorkItem("delivery", "Slow down", f"{pace:.0f} words per minute; aim for {low:.0f}-{high:.0f}",
                                  100.0 * (pace - high) / high))  # fmt: skip
        elif pace < low:
            items.append(WorkItem("delivery", "Keep a steadier pace",
                                  f"{pace:.0f} words per minute; aim for {low:.0f}-{high:.0f}",
                                  100.0 * (low - pace) / low))  # fmt: skip
        fillers = sum(d.filler_count for d in timed)
        per_minute = fillers / minutes
        if per_minute > FILLERS_PER_MINUTE:
            common: dict[str, int] = {}
            for d in timed:
                for word, times in d.fillers.items():
                    common[word] = common.get(word, 0) + times
            top = ", ".join(f"“{w}” ×{n}" for w, n in sorted(common.items(), key=lambda kv: -kv[1])[:3])
            items.append(WorkItem("delivery", "Fewer filler words",
                                  f"{fillers} in {minutes:.1f} min ({per_minute:.1f} a minute): {top}",
                                  5.0 * per_minute))  # fmt: skip
    pauses = [p for d in answers for p in d.pauses]
    if pauses:
        longest = max(p.length for p in pauses)
        items.append(WorkItem("delivery", "Fewer long pauses",
                              f"{len(pauses)} pause{'s' if len(pauses) != 1 else ''} of {LONG_PAUSE:g} s or more "
                              f"(longest {longest:.1f} s)", 8.0 * len(pauses)))  # fmt: skip
    late = [q.number for q in questions if q.delivery is not None and q.delivery.ran_out_of_time]
    if late:
        numbers = ", ".join(f"Q{n}" for n in late)
        items.append(WorkItem("delivery", "Finish within the time", f"cut off at the time limit: {numbers}",
                              15.0 * len(late)))  # fmt: skip
    return items


# --- Markdown -------------------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def _quote(text: str) -> list[str]:
    return [f"> {escape(line)}".rstrip() for line in text.strip().splitlines()] or [">"]


def delivery_text(delivery: Delivery) -> str:
    """One line: pace, fillers, long pauses, time used against the limit."""
    parts = [f"{delivery.wpm:.0f} words per minute" if delivery.wpm is not None else f"{delivery.words} words"]
    count = delivery.filler_count
    if count:
        listed = ", ".join(f"“{word}” ×{times}" for word, times in delivery.fillers.items())
        parts.append(f"{count} filler word{'s' if count != 1 else ''} ({listed})")
    else:
        parts.append("no filler words")
    if delivery.first_word is not None and delivery.first_word >= LONG_PAUSE:
        parts.append(f"first word after {delivery.first_word:.1f} s")
    if delivery.pauses:
        longest = max(p.length for p in delivery.pauses)
        n = len(delivery.pauses)
        parts.append(f"{n} long pause{'s' if n != 1 else ''} (longest {longest:.1f} s)")
    else:
        parts.append("no long pauses")
    if delivery.time_limit is not None:
        used = f"{_clock(delivery.duration)} of {_clock(delivery.time_limit)}"
        parts.append(used + (" (ran out of time)" if delivery.ran_out_of_time else ""))
    elif delivery.duration is not None:
        parts.append(f"answered in {_clock(delivery.duration)}")
    return " · ".join(parts)


def report_title(report: MockReport) -> str:
    return f"Mock interview: {report.session.deck_title}"


def report_summary(report: MockReport) -> str:
    """One line: date, questions, mean score."""
    return summary_line(report.session.started_at, len(report.questions), report.mean_score)


def summary_line(started_at: datetime, questions: int, mean_score: float | None) -> str:
    """e.g. "2026-12-01 19:30 · 5 questions · mean score 64%" (a past interview in a list)."""
    parts = [_when(started_at), f"{questions} question{'s' if questions != 1 else ''}"]
    if mean_score is not None:
        parts.append(f"mean score {mean_score:.0f}%")
    return " · ".join(parts)


def report_markdown(report: MockReport) -> str:
    """The report as Markdown: summary, the things to work on, then each question with its follow-up."""
    session = report.session
    lines = [f"# {escape(report_title(report))}", ""]
    facts = [("Date", _when(session.started_at)), ("Questions", str(len(report.questions)))]
    if session.mode != MODE:
        facts.append(("Mode", MODE_NAMES.get(session.mode, session.mode)))
    if report.mean_score is not None:
        facts.append(("Mean score", f"{report.mean_score:.0f}%"))
        made, total = report.points_made
        facts.append(("Key points made", f"{made} of {total}"))
    facts.append(("Speaking time", _clock(report.speaking_time)))
    follow_ups = [q for q in report.questions if q.follow_up is not None]
    if follow_ups:
        facts.append(("Follow-ups", str(len(follow_ups))))
    lines += [f"- **{name}:** {value}" for name, value in facts]

    lines += ["", "## Three things to work on" if len(report.work_on) == 3 else "## Things to work on", ""]
    if report.work_on:
        lines += [f"{n}. **{escape(item.title)}**: {escape(item.detail)}" for n, item in enumerate(report.work_on, 1)]
    elif report.scored:
        lines.append("Nothing stood out: every key point made, no misconception, a steady delivery.")
    else:
        lines.append("Nothing to judge yet: no answer has been scored.")

    if report.questions:
        lines += ["", "## Questions", "", "| # | question | level | score | time |", "|---|---|---|---|---|"]
        for q in report.questions:
            score = f"{q.score:.0f}%" if q.score is not None else str(q.status)
            used = _clock(q.delivery.duration) if q.delivery is not None else "–"
            first_line = escape(q.question.strip().splitlines()[0]).replace("|", "\\|")
            lines.append(f"| {q.number} | {first_line} | {q.level or '–'} | {score} | {used} |")
    for q in report.questions:
        lines += ["", *_question_lines(q)]
    return "\n".join(lines).rstrip() + "\n"


def _question_lines(q: QuestionReport) -> list[str]:
    lines = [f"### {q.number}. {escape(q.question.strip().splitlines()[0])}", ""]
    if q.score is not None:
        head = f"**Score:** {q.score:.0f}%"
    else:
        head = f"**Status:** {q.status}" + (f" ({escape(q.error)})" if q.error else "")
    lines += [" · ".join(filter(None, [head, q.level, f"card `{q.card_id}`"])), ""]
    if q.made or q.missed:
        lines += ["**Key points**", ""]
        lines += [f"- {HIT} {escape(p.text)}" for p in q.made]
        for p in q.missed:
            evidence = f": *{escape(p.evidence)}*" if p.evidence else ""
            lines.append(f"- {MISS} {escape(p.text)}{evidence}")
        lines.append("")
    if q.misconceptions:
        lines += ["**Misconceptions**", ""]
        for m in q.misconceptions:
            said = f" (you said “{escape(m.said)}”)" if m.said else ""
            correction = f": {escape(m.correction)}" if m.correction else ""
            lines.append(f"- {escape(m.claim)}{said}{correction}")
        lines.append("")
    if q.delivery is not None:
        lines += [f"**Delivery:** {escape(delivery_text(q.delivery))}", ""]
    if q.transcript is not None:
        lines += ["**Your answer**", ""]
        lines += [*(_quote(q.transcript) if q.transcript.strip() else ["*(nothing was recognised)*"]), ""]
    if q.follow_up is not None:
        f = q.follow_up
        lines += [f"**Follow-up:** {escape(f.question)}", ""]
        if f.transcript is not None:
            lines += [*(_quote(f.transcript) if f.transcript.strip() else ["*(nothing was recognised)*"]), ""]
        if f.made is not None and f.point:
            verdict = f"{HIT} made the point" if f.made else f"{MISS} still missed the point"
            lines += [f"{verdict}: {escape(f.point)}", ""]
        elif f.status is not Status.SCORED:
            lines += [f"*Follow-up answer {f.status}*" + (f": {escape(f.error)}" if f.error else ""), ""]
        if f.delivery is not None:
            lines += [f"*Delivery:* {escape(delivery_text(f.delivery))}", ""]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def export_markdown(report: MockReport, path: Path | str) -> Path:
    """Write the report as Markdown (atomically); returns the path."""
    return write_atomic(path, report_markdown(report))


def default_file_name(report: MockReport, suffix: str = ".md") -> str:
    """e.g. `mock-fastapi-2026-12-01-1930.md`."""
    stamp = report.session.started_at.astimezone().strftime("%Y-%m-%d-%H%M")
    return f"mock-{report.session.deck_id}-{stamp}{suffix}"
